import { describe, expect, it } from 'vitest';
import type { ConsequencesPolicy } from '../src/rules/evaluation-policy.ts';
import { rankScorecards, type Rankable } from '../src/rules/ranking.ts';

type Card = Rankable & { centreId: string };
const card = (code: string, adjustedScore: number | null, completions: number, grade: Card['grade']): Card => ({
  centreId: `id-${code}`,
  code,
  adjustedScore,
  completions,
  grade,
});

const policy: ConsequencesPolicy = {
  suspendAtCGrades: 2,
  eliminateAtCGrades: 3,
  awardTopN: 2,
  penaltyBottomN: 1,
  awardFen: 200_000,
  penaltyFen: 150_000,
};

// Given in no particular order.
const cards: Card[] = [
  card('C003', 95, 30, 'A'),
  card('C006', 99, 5, null), // best score, but ungraded (too few completions)
  card('C005', -10, 20, 'C'),
  card('C002', 95, 40, 'A'),
  card('C010', 80, 20, 'B'),
  card('C007', null, 0, null), // nothing measured
  card('C004', 60, 15, 'C'),
  card('C001', 95, 40, 'A'),
];

describe('rankScorecards', () => {
  it('sorts by adjusted score, then more completions, then code; ranks graded centres only', () => {
    const ranked = rankScorecards(cards, policy);
    // 95/40 C001 and C002 tie on score and completions → by code; 95/30 C003 after them.
    expect(ranked.map((r) => [r.code, r.rank])).toEqual([
      ['C001', 1],
      ['C002', 2],
      ['C003', 3],
      ['C010', 4],
      ['C004', 5],
      ['C005', 6],
      ['C006', null],
      ['C007', null],
    ]);
    expect(ranked[0]!.centreId).toBe('id-C001');
  });

  it('awards the top-N A-grade centres and penalises the bottom-N C-grade ones', () => {
    const ranked = rankScorecards(cards, policy);
    expect(ranked.map((r) => [r.code, r.awardFen, r.penaltyFen])).toEqual([
      ['C001', 200_000, 0],
      ['C002', 200_000, 0],
      ['C003', 0, 0],
      ['C010', 0, 0],
      ['C004', 0, 0],
      ['C005', 0, 150_000],
      ['C006', 0, 0],
      ['C007', 0, 0],
    ]);
  });

  it('never awards a B or penalises an ungraded centre when N exceeds the A or C grades', () => {
    const ranked = rankScorecards(cards, { ...policy, awardTopN: 10, penaltyBottomN: 10 });
    expect(ranked.filter((r) => r.awardFen > 0).map((r) => r.code)).toEqual(['C001', 'C002', 'C003']);
    expect(ranked.filter((r) => r.penaltyFen > 0).map((r) => r.code)).toEqual(['C004', 'C005']);
  });

  it('hands out nothing when N is 0', () => {
    const ranked = rankScorecards(cards, { ...policy, awardTopN: 0, penaltyBottomN: 0 });
    expect(ranked.every((r) => r.awardFen === 0 && r.penaltyFen === 0)).toBe(true);
  });

  it('ranks a negative adjusted score below a positive one', () => {
    const ranked = rankScorecards([card('A1', -0.5, 50, 'C'), card('A2', 0, 10, 'C')], policy);
    expect(ranked.map((r) => [r.code, r.rank])).toEqual([
      ['A2', 1],
      ['A1', 2],
    ]);
  });
});
