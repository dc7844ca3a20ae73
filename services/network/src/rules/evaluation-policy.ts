/**
 * The numbers of the standard in force that the monthly centre evaluation needs (domain.md §3, §6).
 * The same names as the standard's content, so mapping one to the other is field for field; the
 * network cannot import the standards service, so the shape is restated here.
 */

export const KPI_CODES = [
  'SATISFACTION_RATE',
  'INFORMATION_TIMELINESS',
  'DISPATCH_LEFTOVER',
  'COMPLAINT_RATE',
  'PARTS_MISJUDGEMENT',
  'DELIGHT_RATE',
] as const;
export type KpiCode = (typeof KPI_CODES)[number];

export type KpiDirection = 'HIGHER_IS_BETTER' | 'LOWER_IS_BETTER';

/** Rates are fractions (0.95 = 95 %); weights of a standard's KPIs sum to 100. */
export interface KpiPolicy {
  code: KpiCode;
  direction: KpiDirection;
  target: number;
  floor: number;
  weight: number;
}

/** Points per event added to the weighted score (重要正负激励). */
export interface IncentivePoints {
  qualityInfoAdopted: number;
  serviceInnovation: number;
  majorComplaint: number;
}

export interface GradingPolicy {
  aMinScore: number;
  bMinScore: number;
  minCompletions: number;
}

export interface ConsequencesPolicy {
  suspendAtCGrades: number;
  eliminateAtCGrades: number;
  awardTopN: number;
  penaltyBottomN: number;
  awardFen: number;
  penaltyFen: number;
}

export interface EvaluationPolicy {
  kpis: readonly KpiPolicy[];
  incentivePoints: IncentivePoints;
  grading: GradingPolicy;
  consequences: ConsequencesPolicy;
  /** The standard's `evaluation.reviewWindowDays`: a provisional run confirms itself this many days after it. */
  reviewWindowDays: number;
  /** The standard's `evaluation.promotionRunMonths`: consecutive A months that make a promotion candidate. */
  promotionRunMonths: number;
}
