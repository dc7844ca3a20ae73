const CURSOR_PREFIX = 'engineer:';

/** Opaque to clients; encodes the engineer number the next page continues after. */
export function encodeCursor(number: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${number}`).toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  if (cursor.length > 128 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const m = /^engineer:([A-Z0-9-]{1,32})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? m[1]! : null;
}
