import type { ConsequencesPolicy } from './evaluation-policy.ts';
import { monthsEndingAt } from './month.ts';
import type { Grade } from './validate.ts';

/** What a confirmed evaluation does to a centre (docs/domain.md §3 Consequences, §6 on confirmation). */

export interface MonthGrade {
  month: string;
  grade: Grade | null;
}

/** C grades (累计) in `month`'s calendar year before `month`. */
export function cGradesEarlierInYear(grades: readonly MonthGrade[], month: string): number {
  const year = month.slice(0, 4);
  return grades.filter((g) => g.grade === 'C' && g.month.slice(0, 4) === year && g.month < month).length;
}

export type StatusConsequence = 'SUSPENDED' | 'ELIMINATED';

/**
 * The n-th C of the calendar year: n ≥ eliminateAtCGrades → ELIMINATED, n ≥ suspendAtCGrades →
 * SUSPENDED (so with the defaults 2nd → SUSPENDED, 3rd or more → ELIMINATED); no C → none.
 */
export function consequenceOf(
  cGradesBefore: number,
  grade: Grade | null,
  policy: ConsequencesPolicy,
): StatusConsequence | null {
  if (grade !== 'C') return null;
  const nth = cGradesBefore + 1;
  if (nth >= policy.eliminateAtCGrades) return 'ELIMINATED';
  if (nth >= policy.suspendAtCGrades) return 'SUSPENDED';
  return null;
}

/** Live-scorecard warning: this month's grade so far is C and that C would suspend (or eliminate) the centre. */
export function atRiskOfSuspension(
  liveGrade: Grade | null,
  cGradesBefore: number,
  policy: ConsequencesPolicy,
): boolean {
  return consequenceOf(cGradesBefore, liveGrade, policy) !== null;
}

/**
 * A in each of the `runMonths` months ending with `month` (across a year end too); an ungraded or missing month breaks
 * the run.
 */
export function isPromotionCandidate(grades: readonly MonthGrade[], month: string, runMonths: number): boolean {
  const gradeIn = new Map(grades.map((g) => [g.month, g.grade]));
  return runMonths >= 1 && monthsEndingAt(month, runMonths).every((m) => gradeIn.get(m) === 'A');
}
