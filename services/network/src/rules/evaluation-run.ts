import { shanghaiMonthRange, type EvaluationPolicyInput } from '@starline/common';
import { KPI_CODES } from './evaluation-policy.ts';
import { monthsBefore, parseMonth } from './month.ts';
import type { CentreStatus } from './status.ts';

/**
 * Pure rules of running the monthly evaluation (docs/domain.md §6) that are not the scorecard itself:
 * which centres a month evaluates, the policy as it arrives over Temporal, the consequence's reason.
 */

export interface StatusChangeAt {
  to: CentreStatus;
  at: Date;
}

/**
 * Was the centre ACTIVE or SUSPENDED at some instant of the month (Asia/Shanghai)? Judged from its
 * status history, so the answer does not depend on when the evaluation runs: a centre eliminated on
 * the 20th worked that month; one eliminated before the month began, or ONBOARDING throughout, did
 * not. A change at the month's first instant is the status the month starts with.
 */
export function activeDuring(history: readonly StatusChangeAt[], month: string): boolean {
  const { start, end } = shanghaiMonthRange(month);
  const sorted = [...history].sort((a, b) => a.at.getTime() - b.at.getTime());
  let atStart: CentreStatus | null = null;
  const held = new Set<CentreStatus>();
  for (const change of sorted) {
    const t = change.at.getTime();
    if (t <= start.getTime()) atStart = change.to;
    else if (t < end.getTime()) held.add(change.to);
  }
  if (atStart) held.add(atStart);
  return held.has('ACTIVE') || held.has('SUSPENDED');
}

/**
 * Does the month evaluate this centre? Every centre ACTIVE or SUSPENDED now (one activated after the
 * month simply has nothing to grade), and an ELIMINATED one that was ACTIVE or SUSPENDED at some
 * instant of the month: it worked that month and its jobs are settled with that month's grade. Not an
 * ONBOARDING centre, nor one eliminated before the month began.
 */
export function evaluatedIn(
  centre: { status: CentreStatus; statusHistory: readonly StatusChangeAt[] },
  month: string,
): boolean {
  if (centre.status === 'ACTIVE' || centre.status === 'SUSPENDED') return true;
  return centre.status === 'ELIMINATED' && activeDuring(centre.statusHistory, month);
}

/** The months of `month`'s calendar year before it, oldest first ("2026-03" → 2026-01, 2026-02). */
export function earlierMonthsOfYear(month: string): string[] {
  const { month: m } = parseMonth(month);
  return Array.from({ length: m - 1 }, (_, i) => monthsBefore(month, m - 1 - i));
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The reason a consequence is recorded with: which C of the year it was, and which evaluation. */
export function consequenceReason(nthC: number, month: string): string {
  return `${ordinal(nthC)} C grade of ${month.slice(0, 4)} (monthly evaluation ${month})`;
}

/** The evidence of every consequence a month's evaluation applies. */
export const evaluationEvidence = (month: string): string => `evaluation:${month}`;
/** The evaluationId the month's grades are recorded with (the workflow's id). */
export const evaluationId = (month: string): string => `evaluation-${month}`;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const whole = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * What is wrong with a policy as it arrives over Temporal (the standards service's
 * `evaluationPolicyAt`, passed on by the workflow): each problem named by its path. Empty when usable.
 */
export function policyProblems(input: unknown): string[] {
  const out: string[] = [];
  if (!input || typeof input !== 'object') return ['policy is required'];
  const p = input as Record<string, any>;
  if (
    typeof p['standardVersionId'] !== 'string' ||
    p['standardVersionId'].length === 0 ||
    p['standardVersionId'].length > 200
  ) {
    out.push('policy.standardVersionId must be an id');
  }
  const kpis = p['kpis'];
  if (!Array.isArray(kpis) || kpis.length === 0) out.push('policy.kpis must list the KPIs');
  else {
    const seen = new Set<string>();
    kpis.forEach((k: Record<string, unknown>, i) => {
      if (!k || !(KPI_CODES as readonly unknown[]).includes(k['code']) || seen.has(String(k['code'])))
        out.push(`policy.kpis[${i}].code is unknown or repeated`);
      else seen.add(String(k['code']));
      if (k?.['direction'] !== 'HIGHER_IS_BETTER' && k?.['direction'] !== 'LOWER_IS_BETTER')
        out.push(`policy.kpis[${i}].direction is unknown`);
      for (const f of ['target', 'floor']) if (!finite(k?.[f])) out.push(`policy.kpis[${i}].${f} must be a number`);
      if (!finite(k?.['weight']) || (k['weight'] as number) < 0)
        out.push(`policy.kpis[${i}].weight must be a number ≥ 0`);
    });
  }
  for (const f of ['qualityInfoAdopted', 'serviceInnovation', 'majorComplaint']) {
    if (!finite(p['incentivePoints']?.[f])) out.push(`policy.incentivePoints.${f} must be a number`);
  }
  for (const f of ['aMinScore', 'bMinScore'])
    if (!finite(p['grading']?.[f])) out.push(`policy.grading.${f} must be a number`);
  if (!whole(p['grading']?.['minCompletions'])) out.push('policy.grading.minCompletions must be a whole number');
  for (const f of ['suspendAtCGrades', 'eliminateAtCGrades', 'awardTopN', 'penaltyBottomN', 'awardFen', 'penaltyFen']) {
    if (!whole(p['consequences']?.[f])) out.push(`policy.consequences.${f} must be a whole number`);
  }
  if (!finite(p['reviewWindowDays']) || p['reviewWindowDays'] < 0)
    out.push('policy.reviewWindowDays must be a number ≥ 0');
  if (!Number.isSafeInteger(p['promotionRunMonths']) || p['promotionRunMonths'] < 1)
    out.push('policy.promotionRunMonths must be a whole number ≥ 1');
  return out;
}

/** The policy's own fields (a `validUntil` or anything else sent along is dropped), in a fixed order. */
export function policyOf(input: EvaluationPolicyInput): EvaluationPolicyInput {
  return {
    standardVersionId: input.standardVersionId,
    kpis: input.kpis.map((k) => ({
      code: k.code,
      direction: k.direction,
      target: k.target,
      floor: k.floor,
      weight: k.weight,
    })),
    incentivePoints: {
      qualityInfoAdopted: input.incentivePoints.qualityInfoAdopted,
      serviceInnovation: input.incentivePoints.serviceInnovation,
      majorComplaint: input.incentivePoints.majorComplaint,
    },
    grading: {
      aMinScore: input.grading.aMinScore,
      bMinScore: input.grading.bMinScore,
      minCompletions: input.grading.minCompletions,
    },
    consequences: {
      suspendAtCGrades: input.consequences.suspendAtCGrades,
      eliminateAtCGrades: input.consequences.eliminateAtCGrades,
      awardTopN: input.consequences.awardTopN,
      penaltyBottomN: input.consequences.penaltyBottomN,
      awardFen: input.consequences.awardFen,
      penaltyFen: input.consequences.penaltyFen,
    },
    reviewWindowDays: input.reviewWindowDays,
    promotionRunMonths: input.promotionRunMonths,
  };
}

/** When a provisional run confirms itself: `reviewWindowDays` after it was computed. */
export function reviewEndsAt(computedAt: Date | null, reviewWindowDays: number | null): Date | null {
  if (!computedAt || reviewWindowDays === null) return null;
  return new Date(computedAt.getTime() + reviewWindowDays * 86_400_000);
}
