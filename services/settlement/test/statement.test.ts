import { describe, expect, it } from 'vitest';
import { evaluationItems, type QItem } from '../src/rules/incentives.ts';
import { computeStatement, hundredthsOf, type StatementLine } from '../src/rules/statement.ts';

// Every expected figure below is worked out by hand in the comment next to it.

/** The default standard's coefficients in hundredths (A 1.10, B 1.00, C 0.90, ungraded 1.00). */
const T = { A: 110, B: 100, C: 90, ungraded: 100 };

let n = 0;
const line = (feeFen: number, completedMonth = '2026-10'): StatementLine => {
  n += 1;
  return {
    ticketId: `t${n}`,
    ticketNumber: `J-2026-${n}`,
    completedMonth,
    productLine: 'AIR_CONDITIONER',
    serviceType: 'REPAIR',
    areaClass: 'URBAN',
    feeFen,
  };
};
const adjustment = (amountFen: number, by = 'fin-li'): QItem => ({
  kind: 'ADJUSTMENT',
  amountFen,
  reason: 'quality-improvement reward',
  by,
  correctsMonth: null,
});
const award = (grade: 'A' | 'B' | 'C' | null, rank: number | null, awardFen: number, penaltyFen: number) => ({
  centreId: 'c1',
  month: '2026-10',
  grade,
  rank,
  awardFen,
  penaltyFen,
});

describe('hundredthsOf: L × T rounded half up in integers', () => {
  it('1005 fen × 1.15 = 1155.75 → 1156', () => expect(hundredthsOf(1005, 115)).toBe(1156));
  it('an exact half rounds up where floats round down: 50 × 1.15 = 57.5 → 58, 170 × 1.15 = 195.5 → 196', () => {
    // The float way gets these wrong: 1.15 is stored as 1.149999…, so the half is lost.
    expect(Math.round(50 * 1.15)).toBe(57);
    expect(Math.round(170 * 1.15)).toBe(195);
    expect(hundredthsOf(50, 115)).toBe(58);
    expect(hundredthsOf(170, 115)).toBe(196);
  });
  it('below the half rounds down, above it up', () => {
    expect(hundredthsOf(1003, 115)).toBe(1153); // 1153.45
    expect(hundredthsOf(1004, 115)).toBe(1155); // 1154.60
    expect(hundredthsOf(12345, 90)).toBe(11111); // 11110.50
    expect(hundredthsOf(0, 110)).toBe(0);
  });
  it('refuses a product beyond exact integers', () => {
    expect(() => hundredthsOf(Number.MAX_SAFE_INTEGER, 110)).toThrow(/exact integer/);
  });
});

describe('evaluationItems: the confirmed evaluation’s award and penalty as Q items', () => {
  it('an award is +, a penalty −, both by the evaluation', () => {
    expect(evaluationItems(award('A', 1, 200_000, 0))).toEqual([
      {
        kind: 'AWARD',
        amountFen: 200_000,
        reason: 'incentive award (激励奖), 2026-10 grade A, rank 1',
        by: 'evaluation-2026-10',
        correctsMonth: null,
      },
    ]);
    expect(evaluationItems(award('C', 57, 0, 200_000))).toEqual([
      {
        kind: 'PENALTY',
        amountFen: -200_000,
        reason: 'penalty (罚), 2026-10 grade C, rank 57',
        by: 'evaluation-2026-10',
        correctsMonth: null,
      },
    ]);
  });
  it('nothing for a centre with neither', () => {
    expect(evaluationItems(award('B', 20, 0, 0))).toEqual([]);
    expect(evaluationItems(award(null, null, 0, 0))).toEqual([]);
  });
});

describe('computeStatement: R = L × T + Q', () => {
  it('grade A with the top-10 award', () => {
    // L = 8000 + 12000 + 4550 = 24550; LT = 24550 × 1.10 = 27005; Q = +200000; R = 227005
    const s = computeStatement({
      lines: [line(8000), line(12000), line(4550)],
      coefficient: T.A,
      items: evaluationItems(award('A', 3, 200_000, 0)),
      carriedIn: null,
    });
    expect(s).toMatchObject({
      L: 24550,
      T: 110,
      LT: 27005,
      Q: 200_000,
      R: 227_005,
      payableFen: 227_005,
      carriedOutFen: 0,
    });
    expect(s.items.map((i) => i.kind)).toEqual(['AWARD']);
  });

  it('grade B with finance’s adjustment, paying a job completed in an earlier month', () => {
    // L = 6000 + 3500 (completed in September, its hold resolved since) = 9500; LT = 9500 × 1.00 = 9500; Q = +1500; R =
    // 11000
    const s = computeStatement({
      lines: [line(6000), line(3500, '2026-09')],
      coefficient: T.B,
      items: [adjustment(1500)],
      carriedIn: null,
    });
    expect(s).toMatchObject({ L: 9500, T: 100, LT: 9500, Q: 1500, R: 11_000, payableFen: 11_000, carriedOutFen: 0 });
  });

  it('grade C with the bottom-10 penalty: R negative pays 0 and carries the shortfall', () => {
    // L = 5000 + 5000 + 2345 = 12345; LT = 12345 × 0.90 = 11110.5 → 11111; Q = −200000; R = −188889
    const s = computeStatement({
      lines: [line(5000), line(5000), line(2345)],
      coefficient: T.C,
      items: evaluationItems(award('C', 60, 0, 200_000)),
      carriedIn: null,
    });
    expect(s).toMatchObject({
      L: 12345,
      T: 90,
      LT: 11111,
      Q: -200_000,
      R: -188_889,
      payableFen: 0,
      carriedOutFen: 188_889,
    });
  });

  it('ungraded: T is the table’s ungraded coefficient', () => {
    // L = 3000; LT = 3000 × 1.00 = 3000; Q = 0; R = 3000
    const s = computeStatement({ lines: [line(3000)], coefficient: T.ungraded, items: [], carriedIn: null });
    expect(s).toEqual({ L: 3000, T: 100, LT: 3000, items: [], Q: 0, R: 3000, payableFen: 3000, carriedOutFen: 0 });
  });

  it('the carried deduction is a Q item of the next months until it is used up', () => {
    // November, C again: L = 150000; LT = 135000; Q = −188889 (carried from October); R = −53889
    const nov = computeStatement({
      lines: [line(150_000, '2026-11')],
      coefficient: 90,
      items: [],
      carriedIn: { fromMonth: '2026-10', amountFen: 188_889 },
    });
    expect(nov.items).toEqual([
      {
        kind: 'CARRIED_DEDUCTION',
        amountFen: -188_889,
        reason: 'shortfall carried from 2026-10',
        by: 'system:settlement',
        correctsMonth: null,
      },
    ]);
    expect(nov).toMatchObject({
      L: 150_000,
      LT: 135_000,
      Q: -188_889,
      R: -53_889,
      payableFen: 0,
      carriedOutFen: 53_889,
    });
    // December, B, with an adjustment: L = 100000; LT = 100000; Q = −53889 + 2000 = −51889; R = 48111
    const dec = computeStatement({
      lines: [line(100_000, '2026-12')],
      coefficient: 100,
      items: [adjustment(2000)],
      carriedIn: { fromMonth: '2026-11', amountFen: 53_889 },
    });
    expect(dec.items.map((i) => [i.kind, i.amountFen])).toEqual([
      ['CARRIED_DEDUCTION', -53_889],
      ['ADJUSTMENT', 2000],
    ]);
    expect(dec).toMatchObject({ Q: -51_889, R: 48_111, payableFen: 48_111, carriedOutFen: 0 });
  });

  it('R exactly 0 pays nothing and carries nothing', () => {
    // LT = 1000; Q = −1000
    expect(
      computeStatement({ lines: [line(1000)], coefficient: 100, items: [adjustment(-1000)], carriedIn: null }),
    ).toMatchObject({ R: 0, payableFen: 0, carriedOutFen: 0 });
  });

  it('no jobs: R is Q alone, a carried-in 0 adds no item', () => {
    const s = computeStatement({
      lines: [],
      coefficient: 110,
      items: [adjustment(-500)],
      carriedIn: { fromMonth: '2026-09', amountFen: 0 },
    });
    expect(s).toMatchObject({ L: 0, LT: 0, Q: -500, R: -500, payableFen: 0, carriedOutFen: 500 });
    expect(s.items).toHaveLength(1);
  });

  describe('refuses', () => {
    const base = { coefficient: 100, items: [] as QItem[], carriedIn: null };
    it('a job listed twice', () => {
      const l = line(1000);
      expect(() => computeStatement({ ...base, lines: [l, { ...l }] })).toThrow(/listed twice/);
    });
    it('a fee that is not whole fen ≥ 0', () => {
      expect(() => computeStatement({ ...base, lines: [line(10.5)] })).toThrow(/whole fen/);
      expect(() => computeStatement({ ...base, lines: [line(-100)] })).toThrow(/whole fen/);
    });
    it('a T that is not whole hundredths', () => {
      expect(() => computeStatement({ ...base, lines: [], coefficient: 1.1 })).toThrow(/hundredths/);
    });
    it('a carried deduction among the items (it would count twice) and a fractional amount', () => {
      expect(() =>
        computeStatement({ ...base, lines: [], items: [{ ...adjustment(-100), kind: 'CARRIED_DEDUCTION' }] }),
      ).toThrow(/CARRIED_DEDUCTION/);
      expect(() => computeStatement({ ...base, lines: [], items: [adjustment(0.5)] })).toThrow(/whole fen/);
    });
    it('a carried-in amount that is not whole fen ≥ 0', () => {
      expect(() =>
        computeStatement({ ...base, lines: [], carriedIn: { fromMonth: '2026-09', amountFen: -5 } }),
      ).toThrow(/carriedIn/);
    });
  });
});
