import type { Grade } from './validate.ts';

/**
 * Dispatch eligibility (docs/domain.md §5, step 2): among ACTIVE centres covering the area and product
 * line, those with capacity left today, best latest grade first (A, B, C, then ungraded), then the
 * lowest load. Load is open jobs ÷ daily capacity, so a large centre with 10 open of 100 comes before
 * a small one with 3 open of 5; ties go to the centre with more room, then by code.
 */
export interface Candidate {
  id: string;
  code: string;
  dailyCapacity: number;
  grade: Grade | null;
}

export interface RankedCentre extends Candidate {
  openJobs: number;
  remaining: number;
  load: number;
}

const GRADE_RANK: Record<Grade, number> = { A: 0, B: 1, C: 2 };
export const gradeRank = (grade: Grade | null): number => (grade ? GRADE_RANK[grade] : 3);

export function rankEligible(
  candidates: readonly Candidate[],
  openJobs: Readonly<Record<string, number>>,
): RankedCentre[] {
  return candidates
    .map((c) => {
      const raw = openJobs[c.id] ?? 0;
      const open = Number.isFinite(raw) && raw > 0 ? Math.floor(raw) : 0;
      return {
        ...c,
        openJobs: open,
        remaining: c.dailyCapacity - open,
        load: c.dailyCapacity > 0 ? open / c.dailyCapacity : 1,
      };
    })
    .filter((c) => c.remaining > 0)
    .sort(
      (a, b) =>
        gradeRank(a.grade) - gradeRank(b.grade) ||
        a.load - b.load ||
        b.remaining - a.remaining ||
        (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    );
}

/** The latest grade from months strictly before `month` (a month's grade exists only once it ended). */
export function latestGradeBefore<T extends { month: string; grade: Grade }>(
  grades: readonly T[],
  month: string,
): T | null {
  let best: T | null = null;
  for (const g of grades) if (g.month < month && (!best || g.month > best.month)) best = g;
  return best;
}
