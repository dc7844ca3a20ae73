import type { StandardContent } from '../rules/content.ts';
import type { StandardVersionRecord } from '../store/standards.ts';

/** What the StandardVersion type resolves from: the record with its content flattened in. */
export type StandardVersionView = Omit<StandardVersionRecord, 'content' | 'basedOn' | 'revision'> &
  StandardContent & { basedOnId: string | null };

export function toView(record: StandardVersionRecord): StandardVersionView {
  const { content, basedOn, revision: _revision, ...rest } = record;
  return { ...content, ...rest, basedOnId: basedOn };
}

const CURSOR_PREFIX = 'standard-version:';

/** Opaque to clients; encodes the version number the next page continues below. */
export function encodeCursor(number: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${number}`).toString('base64url');
}

export function decodeCursor(cursor: string): number | null {
  if (cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^standard-version:([1-9]\d{0,9})$/.exec(text);
  const number = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(number) ? number : null;
}
