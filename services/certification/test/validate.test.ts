import { describe, expect, it } from 'vitest';
import { validateEvent, validateExam, validateRegister } from '../src/rules/validate.ts';
import { decodeCursor, encodeCursor } from '../src/graphql/view.ts';

const fields = (v: { field: string }[]) => v.map((x) => x.field);

describe('validation', () => {
  it('register', () => {
    expect(validateRegister({ number: 'E-000123', name: 'Zhang San', centreId: 'c-1' })).toEqual([]);
    expect(fields(validateRegister({ number: 'e1', name: ' ', centreId: '', level: 'BOSS' }))).toEqual([
      'number',
      'name',
      'centreId',
      'level',
    ]);
    const d = new Date('2026-01-01T00:00:00Z');
    expect(
      fields(
        validateRegister({
          number: 'E0001',
          name: 'x',
          centreId: 'c',
          certifications: [
            { productLine: 'AC', issuedAt: d, expiresAt: d },
            { productLine: 'AC', issuedAt: d, expiresAt: new Date('2027-01-01T00:00:00Z') },
          ],
        }),
      ),
    ).toEqual(['certifications[0].expiresAt', 'certifications[1].productLine']);
  });
  it('event and exam', () => {
    expect(validateEvent({ code: 'PROMISE_BROKEN', evidenceKey: 'ticket:T-1' })).toEqual([]);
    expect(fields(validateEvent({ code: 'bad', evidenceKey: 'x', note: 'n'.repeat(501) }))).toEqual([
      'code',
      'evidenceKey',
      'note',
    ]);
    const now = new Date('2026-06-01T00:00:00Z');
    expect(
      fields(validateExam({ kind: 'JUNIOR', score: 101, takenAt: new Date('2026-07-01T00:00:00Z') }, now)),
    ).toEqual(['score', 'takenAt']);
  });
  it('cursors round-trip and refuse junk', () => {
    expect(decodeCursor(encodeCursor('E-0001'))).toBe('E-0001');
    expect(decodeCursor('!!')).toBeNull();
    expect(decodeCursor(Buffer.from('centre:X').toString('base64url'))).toBeNull();
  });
});
