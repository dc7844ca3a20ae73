import type { ConsequencesPolicy } from './evaluation-policy.ts';
import type { Grade } from './validate.ts';

/** What ranking needs of a centre's scorecard; anything else the caller passes is carried through. */
export interface Rankable {
  code: string;
  completions: number;
  adjustedScore: number | null;
  grade: Grade | null;
}

export type Ranked<T extends Rankable> = T & {
  /** 1..n among graded centres; null for an ungraded one. */
  rank: number | null;
  /** 激励奖 in fen: the policy's award for the top-N A-grade centres, else 0. */
  awardFen: number;
  /** 罚 in fen: the policy's penalty for the bottom-N C-grade centres, else 0. */
  penaltyFen: number;
};

const byCode = (a: Rankable, b: Rankable) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** Adjusted score desc (no score last), then more completions, then centre code: a total order. */
export function compareScorecards(a: Rankable, b: Rankable): number {
  const sa = a.adjustedScore ?? -Infinity;
  const sb = b.adjustedScore ?? -Infinity;
  return (sb > sa ? 1 : sb < sa ? -1 : 0) || b.completions - a.completions || byCode(a, b);
}

/**
 * The month's ranking (docs/domain.md §3). Only graded centres are ranked: an ungraded one had too little
 * to judge, so it neither takes a rank nor pushes a graded centre out of the award or penalty. Ungraded
 * centres follow the ranked ones, in the same order, with rank null.
 */
export function rankScorecards<T extends Rankable>(scorecards: readonly T[], policy: ConsequencesPolicy): Ranked<T>[] {
  const graded = scorecards.filter((s) => s.grade !== null).sort(compareScorecards);
  const ungraded = scorecards.filter((s) => s.grade === null).sort(compareScorecards);
  const awarded = new Set(graded.filter((s) => s.grade === 'A').slice(0, policy.awardTopN));
  const cGrades = graded.filter((s) => s.grade === 'C');
  const penalised = new Set(policy.penaltyBottomN > 0 ? cGrades.slice(-policy.penaltyBottomN) : []);
  return [
    ...graded.map((s, i) => ({
      ...s,
      rank: i + 1,
      awardFen: awarded.has(s) ? policy.awardFen : 0,
      penaltyFen: penalised.has(s) ? policy.penaltyFen : 0,
    })),
    ...ungraded.map((s) => ({ ...s, rank: null, awardFen: 0, penaltyFen: 0 })),
  ];
}
