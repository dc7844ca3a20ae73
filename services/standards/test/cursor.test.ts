import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/graphql/view.ts';

describe('page cursors', () => {
  it('round-trip a version number', () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
  });
  it.each([
    '',
    'abc',
    '!!!',
    Buffer.from('standard-version:0').toString('base64url'),
    Buffer.from('standard-version:-1').toString('base64url'),
    'x'.repeat(65),
  ])('reject %j', (cursor) => expect(decodeCursor(cursor)).toBeNull());
});
