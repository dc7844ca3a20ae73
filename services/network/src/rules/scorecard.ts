import type { KpiCounters } from '@starline/common';
import type { EvaluationPolicy, GradingPolicy, KpiCode, KpiPolicy } from './evaluation-policy.ts';
import type { Grade } from './validate.ts';

/**
 * A centre's monthly scorecard (docs/domain.md §3 考核指标, §6). Pure: the month's counts and the
 * standard's numbers in, the scorecard out, so a re-run with the same inputs gives the same figures.
 */

/**
 * Scores carry six decimals: enough for any ranking, and it keeps binary float noise
 * (89.99999999999 for an exact 90) from costing a centre its grade.
 */
const SCORE_DECIMALS = 1e6;
/** `+ 0` turns −0 (0 major complaints × −10) into 0. */
export const roundScore = (value: number): number => Math.round(value * SCORE_DECIMALS) / SCORE_DECIMALS + 0;

/**
 * A centre's month: the tickets service's KPI counters, `leftover` (jobs past due and still open at
 * the month's last instant, see leftover.ts) and the month's certification credits of its engineers.
 */
export type CentreMonthFacts = KpiCounters & {
  leftover: number;
  /** QUALITY_INFO_ADOPTED credits. */
  qualityInfoAdopted: number;
  /** SMALL_IMPROVEMENT credits (小改小革). */
  serviceInnovation: number;
};

/** Each KPI's formula (docs/domain.md §3) as [numerator, denominator]. */
export const KPI_MEASURES: Readonly<Record<KpiCode, readonly [keyof CentreMonthFacts, keyof CentreMonthFacts]>> = {
  SATISFACTION_RATE: ['satisfiedCallbacks', 'answeredCallbacks'],
  INFORMATION_TIMELINESS: ['completionsReportedInTime', 'completions'],
  DISPATCH_LEFTOVER: ['leftover', 'dispatched'],
  COMPLAINT_RATE: ['complaints', 'completions'],
  PARTS_MISJUDGEMENT: ['partsMisjudged', 'partsReplaced'],
  DELIGHT_RATE: ['delightCompletions', 'completions'],
};

export interface KpiLine {
  code: KpiCode;
  numerator: number;
  denominator: number;
  /** null when there was nothing to measure (denominator 0). */
  rate: number | null;
  score: number | null;
  noData: boolean;
  /** The standard's weight. */
  definedWeight: number;
  /** The weight applied: rescaled so the KPIs with data sum to 100; 0 when no data. */
  weight: number;
}

export type IncentiveKind = 'QUALITY_INFO_ADOPTED' | 'SERVICE_INNOVATION' | 'MAJOR_COMPLAINT';

export interface IncentiveLine {
  kind: IncentiveKind;
  count: number;
  points: number;
}

export type UngradedReason = 'NOTHING_MEASURED' | 'TOO_FEW_COMPLETIONS';

export interface Scorecard {
  kpis: KpiLine[];
  /** Σ applied weight × score / 100; null when no KPI had data. */
  weightedScore: number | null;
  incentives: IncentiveLine[];
  incentivePoints: number;
  /** weightedScore + incentivePoints, not clamped; null when no KPI had data. */
  adjustedScore: number | null;
  completions: number;
  grade: Grade | null;
  ungradedReason: UngradedReason | null;
}

/** 100 at or beyond the target, 0 at or beyond the floor, linear between — in either direction. */
export function scoreKpi(kpi: Pick<KpiPolicy, 'direction' | 'target' | 'floor'>, rate: number): number {
  if (!Number.isFinite(rate)) throw new RangeError(`a KPI rate must be a finite number, got ${rate}`);
  const { target, floor } = kpi;
  const higherIsBetter = kpi.direction === 'HIGHER_IS_BETTER';
  if (higherIsBetter ? rate >= target : rate <= target) return 100;
  if (higherIsBetter ? rate <= floor : rate >= floor) return 0;
  return roundScore((100 * (rate - floor)) / (target - floor));
}

/** 当月考核等级 of an adjusted score: null when too few completions to judge the centre fairly. */
export function gradeFor(score: number, completions: number, grading: GradingPolicy): Grade | null {
  if (completions < grading.minCompletions) return null;
  if (score >= grading.aMinScore) return 'A';
  if (score >= grading.bMinScore) return 'B';
  return 'C';
}

function checkFacts(facts: CentreMonthFacts): void {
  for (const [name, value] of Object.entries(facts)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name} must be a whole count ≥ 0, got ${value}`);
  }
}

/**
 * A KPI with nothing to measure (denominator 0) is left out and the other weights are scaled up to
 * sum to 100: a quiet month neither rewards nor punishes. With no KPI measured at all there is no
 * score to judge, so the centre is neither scored nor graded (weighted and adjusted score null).
 */
export function scorecard(facts: CentreMonthFacts, policy: EvaluationPolicy): Scorecard {
  checkFacts(facts);
  const measured = policy.kpis.map((kpi) => {
    const measure = KPI_MEASURES[kpi.code];
    if (!measure) throw new RangeError(`unknown KPI ${String(kpi.code)}`);
    const numerator = facts[measure[0]];
    const denominator = facts[measure[1]];
    const rate = denominator === 0 ? null : numerator / denominator;
    return { kpi, numerator, denominator, rate, score: rate === null ? null : scoreKpi(kpi, rate) };
  });
  const measuredWeight = measured.reduce((sum, m) => sum + (m.score === null ? 0 : m.kpi.weight), 0);
  const kpis: KpiLine[] = measured.map(({ kpi, numerator, denominator, rate, score }) => ({
    code: kpi.code,
    numerator,
    denominator,
    rate,
    score,
    noData: score === null,
    definedWeight: kpi.weight,
    weight: score === null || measuredWeight === 0 ? 0 : roundScore((kpi.weight * 100) / measuredWeight),
  }));
  // Divided by the measured weight once, from the standard's own weights, so rescaling adds no rounding.
  const weightedScore =
    measuredWeight === 0
      ? null
      : roundScore(measured.reduce((sum, m) => sum + (m.score ?? 0) * m.kpi.weight, 0) / measuredWeight);

  const p = policy.incentivePoints;
  const incentives: IncentiveLine[] = [
    {
      kind: 'QUALITY_INFO_ADOPTED',
      count: facts.qualityInfoAdopted,
      points: roundScore(facts.qualityInfoAdopted * p.qualityInfoAdopted),
    },
    {
      kind: 'SERVICE_INNOVATION',
      count: facts.serviceInnovation,
      points: roundScore(facts.serviceInnovation * p.serviceInnovation),
    },
    {
      kind: 'MAJOR_COMPLAINT',
      count: facts.majorComplaints,
      points: roundScore(facts.majorComplaints * p.majorComplaint),
    },
  ];
  const incentivePoints = roundScore(incentives.reduce((sum, i) => sum + i.points, 0));
  const adjustedScore = weightedScore === null ? null : roundScore(weightedScore + incentivePoints);

  const grade = adjustedScore === null ? null : gradeFor(adjustedScore, facts.completions, policy.grading);
  const ungradedReason: UngradedReason | null =
    adjustedScore === null ? 'NOTHING_MEASURED' : grade === null ? 'TOO_FEW_COMPLETIONS' : null;
  return {
    kpis,
    weightedScore,
    incentives,
    incentivePoints,
    adjustedScore,
    completions: facts.completions,
    grade,
    ungradedReason,
  };
}
