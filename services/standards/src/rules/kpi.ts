import type {
  Grade,
  Grading,
  IncentivePoints,
  KpiCode,
  KpiDefinition,
  SettlementCoefficients,
} from './content.ts';

/**
 * The monthly centre evaluation's arithmetic (domain.md §3, 考核指标). Pure functions of a
 * standard's numbers, so an evaluation can be recomputed with the version that was in force.
 */

/**
 * Scores carry six decimals: enough for any ranking, and it keeps binary float noise
 * (89.99999999999 for an exact 90) from costing a centre its grade.
 */
const SCORE_DECIMALS = 1e6;
const roundScore = (value: number): number => Math.round(value * SCORE_DECIMALS) / SCORE_DECIMALS;

/** 100 at or beyond the target, 0 at or beyond the floor, linear between — in either direction. */
export function scoreKpi(definition: Pick<KpiDefinition, 'direction' | 'target' | 'floor'>, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`a KPI value must be a finite number, got ${value}`);
  const { target, floor } = definition;
  const higherIsBetter = definition.direction === 'HIGHER_IS_BETTER';
  const reachedTarget = higherIsBetter ? value >= target : value <= target;
  if (reachedTarget) return 100;
  const atOrPastFloor = higherIsBetter ? value <= floor : value >= floor;
  if (atOrPastFloor) return 0;
  return roundScore((100 * (value - floor)) / (target - floor));
}

export type KpiValues = Readonly<Record<KpiCode, number>>;

/** Σ weight × score / 100: 0–100 because a standard's weights sum to 100. */
export function weightedScore(kpis: readonly KpiDefinition[], values: KpiValues): number {
  let sum = 0;
  for (const kpi of kpis) {
    const value = values[kpi.code];
    if (value === undefined) throw new RangeError(`no value for KPI ${kpi.code}`);
    sum += kpi.weight * scoreKpi(kpi, value);
  }
  return roundScore(sum / 100);
}

/** How many of each incentive event a centre had in the month. */
export type IncentiveCounts = Readonly<Record<keyof IncentivePoints, number>>;

/**
 * 重要正负激励: points per event added to the weighted score. Deliberately not clamped to 0–100:
 * a centre with a major complaint must rank below one without, even when both scored 0.
 */
export function adjustedScore(weighted: number, counts: IncentiveCounts, points: IncentivePoints): number {
  const adjustment =
    counts.qualityInfoAdopted * points.qualityInfoAdopted +
    counts.serviceInnovation * points.serviceInnovation +
    counts.majorComplaint * points.majorComplaint;
  return roundScore(weighted + adjustment);
}

/** 当月考核等级: null when the centre had too few completions to be judged fairly. */
export function grade(score: number, completions: number, grading: Grading): Grade | null {
  if (completions < grading.minCompletions) return null;
  if (score >= grading.aMinScore) return 'A';
  if (score >= grading.bMinScore) return 'B';
  return 'C';
}

/** Settlement coefficient T (R = L × T + Q); an ungraded centre is paid at the ungraded rate. */
export function coefficientFor(g: Grade | null, coefficients: SettlementCoefficients): number {
  return g === null ? coefficients.ungraded : coefficients[g];
}
