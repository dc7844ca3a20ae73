import type { CentreRecord } from '../store/centres.ts';

export type CentreView = CentreRecord;

const CURSOR_PREFIX = 'service-centre:';

/** Opaque to clients; encodes the code the next page continues after. */
export function encodeCursor(code: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${code}`).toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  if (cursor.length > 128 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const m = /^service-centre:([A-Z0-9-]{1,32})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? m[1]! : null;
}
