import type { EvaluationState } from '@starline/common';
import { reviewEndsAt } from '../rules/evaluation-run.ts';
import { monthLastInstant } from '../rules/month.ts';
import type { Scorecard } from '../rules/scorecard.ts';
import type { Grade } from '../rules/validate.ts';
import type { DisputeRecord } from '../store/disputes.ts';
import type { EvaluationRecord, GradeCounts, ScorecardRecord } from '../store/evaluations.ts';

/** What the GraphQL types CentreScorecard, MonthlyEvaluation and ScorecardDispute resolve from. */

export interface ScorecardView {
  centreId: string;
  code: string;
  region: string;
  month: string;
  live: boolean;
  standardVersionId: string;
  /** The run it belongs to; null on a live scorecard. */
  run: number | null;
  /** The instant the figures are as of: the month's last instant, or now for a live one. */
  asOf: Date;
  kpis: {
    code: string;
    numerator: number;
    denominator: number;
    rate: number | null;
    score: number | null;
    weight: number;
    definedWeight: number;
    noData: boolean;
  }[];
  weightedScore: number | null;
  incentives: { kind: string; count: number; points: number }[];
  incentivePoints: number;
  adjustedScore: number | null;
  completions: number;
  grade: Grade | null;
  ungradedReason: string | null;
  rank: number | null;
  awardFen: number | null;
  penaltyFen: number | null;
  cGradesBefore: number;
  consequence: 'SUSPENDED' | 'ELIMINATED' | null;
  atRiskOfSuspension: boolean;
}

export function storedScorecardView(r: ScorecardRecord): ScorecardView {
  return {
    centreId: r.centreId,
    code: r.code,
    region: r.region,
    month: r.month,
    live: false,
    standardVersionId: r.standardVersionId,
    run: r.run,
    asOf: monthLastInstant(r.month),
    kpis: r.kpis,
    weightedScore: r.weightedScore,
    incentives: r.incentives,
    incentivePoints: r.incentivePoints,
    adjustedScore: r.adjustedScore,
    completions: r.completions,
    grade: r.grade,
    ungradedReason: r.ungradedReason,
    rank: r.rank,
    awardFen: r.awardFen,
    penaltyFen: r.penaltyFen,
    cGradesBefore: r.cGradesBefore,
    consequence: r.consequence,
    atRiskOfSuspension: r.atRisk,
  };
}

export function liveScorecardView(
  centre: { id: string; code: string; region: string },
  month: string,
  asOf: Date,
  standardVersionId: string,
  card: Scorecard,
  extra: { cGradesBefore: number; consequence: 'SUSPENDED' | 'ELIMINATED' | null; atRiskOfSuspension: boolean },
): ScorecardView {
  return {
    centreId: centre.id,
    code: centre.code,
    region: centre.region,
    month,
    live: true,
    standardVersionId,
    run: null,
    asOf,
    kpis: card.kpis,
    weightedScore: card.weightedScore,
    incentives: card.incentives,
    incentivePoints: card.incentivePoints,
    adjustedScore: card.adjustedScore,
    completions: card.completions,
    grade: card.grade,
    ungradedReason: card.ungradedReason,
    rank: null,
    awardFen: null,
    penaltyFen: null,
    ...extra,
  };
}

export interface EvaluationView {
  month: string;
  state: EvaluationState;
  run: number;
  standardVersionId: string | null;
  requestedBy: string | null;
  progress: { done: number; total: number };
  gradeCounts: GradeCounts | null;
  startedAt: Date | null;
  computedAt: Date | null;
  reviewEndsAt: Date | null;
  confirmedAt: Date | null;
  confirmedBy: string | null;
  completedAt: Date | null;
}

export function evaluationView(r: EvaluationRecord): EvaluationView {
  return {
    month: r.month,
    state: r.state,
    run: r.run,
    standardVersionId: r.standardVersionId,
    requestedBy: r.requestedBy,
    progress: { done: r.done, total: r.total },
    gradeCounts: r.gradeCounts,
    startedAt: r.startedAt,
    computedAt: r.computedAt,
    reviewEndsAt: reviewEndsAt(r.computedAt, r.policy?.reviewWindowDays ?? null),
    confirmedAt: r.confirmedAt,
    confirmedBy: r.confirmedBy,
    completedAt: r.completedAt,
  };
}

/** A month whose workflow was just started and has not begun its first run yet. */
export function startingView(month: string): EvaluationView {
  return {
    month,
    state: 'RUNNING',
    run: 0,
    standardVersionId: null,
    requestedBy: null,
    progress: { done: 0, total: 0 },
    gradeCounts: null,
    startedAt: null,
    computedAt: null,
    reviewEndsAt: null,
    confirmedAt: null,
    confirmedBy: null,
    completedAt: null,
  };
}

export type DisputeView = Omit<DisputeRecord, 'decisionRequest'>;

export function disputeView(d: DisputeRecord): DisputeView {
  const { decisionRequest: _ignored, ...view } = d;
  return view;
}

const CURSOR_PREFIX = 'scorecard:';

/** Opaque to clients: the run of the ranking it pages and the centre the next page continues after. */
export function encodeScorecardCursor(run: number, centreId: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${run}:${centreId}`).toString('base64url');
}

export function decodeScorecardCursor(cursor: string): { run: number; centreId: string } | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const m = /^scorecard:(\d{1,6}):([A-Za-z0-9_.:-]{1,100})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { run: Number(m[1]), centreId: m[2]! } : null;
}
