import { describe, expect, it } from 'vitest';
import { pack, unpack } from '../src/store/packed.ts';

describe('packed values (one JSON string in a ticket document)', () => {
  it('round-trips nested objects, arrays, nulls and dates exactly', () => {
    const value = {
      type: 'BOOKED',
      at: new Date('2026-11-23T01:02:03.004Z'),
      actor: 'partner-1',
      version: 4,
      data: {
        window: { from: new Date('2026-11-24T02:00:00Z'), to: new Date('2026-11-24T04:00:00Z') },
        note: null,
        parts: [{ qty: 1 }],
      },
    };
    const packed = pack(value);
    expect(typeof packed).toBe('string');
    const back = unpack<typeof value>(packed);
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.data.window.from).toBeInstanceOf(Date);
  });

  it('keeps strings that look like dates, and objects that merely have a $date among other keys, as they were', () => {
    const value = { text: '2026-11-23T01:02:03.004Z', odd: { $date: 'x', other: 1 } };
    expect(unpack(pack(value))).toEqual(value);
  });

  it('passes a value stored before packing through as it is', () => {
    const old = { type: 'RECEIVED', at: new Date('2026-11-23T00:00:00Z') };
    expect(unpack(old)).toBe(old);
  });
});
