import type { EvaluationPolicyInput } from '@starline/common';

/**
 * The numbers of the standard in force that the monthly centre evaluation needs (docs/domain.md §3, §6),
 * as the standards service's `evaluationPolicyAt` answers them (common/src/activities.ts).
 */

export const KPI_CODES = [
  'SATISFACTION_RATE',
  'INFORMATION_TIMELINESS',
  'DISPATCH_LEFTOVER',
  'COMPLAINT_RATE',
  'PARTS_MISJUDGEMENT',
  'DELIGHT_RATE',
] as const;
export type KpiCode = (typeof KPI_CODES)[number] & KpiPolicy['code'];

export type KpiDirection = KpiPolicy['direction'];

/** Rates are fractions (0.95 = 95 %); weights of a standard's KPIs sum to 100. */
export type KpiPolicy = EvaluationPolicyInput['kpis'][number];
/** Points per event added to the weighted score (重要正负激励). */
export type IncentivePoints = EvaluationPolicyInput['incentivePoints'];
export type GradingPolicy = EvaluationPolicyInput['grading'];
export type ConsequencesPolicy = EvaluationPolicyInput['consequences'];

/**
 * The standard's evaluation numbers as the rules use them (reviewWindowDays: a provisional run
 * confirms itself this many days after it; promotionRunMonths: consecutive A months that make a
 * promotion candidate).
 */
export type EvaluationPolicy = Omit<EvaluationPolicyInput, 'standardVersionId' | 'kpis'> & {
  kpis: readonly KpiPolicy[];
};
