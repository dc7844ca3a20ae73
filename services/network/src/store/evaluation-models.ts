import { Schema, type Connection, type Model } from 'mongoose';
import type { EvaluationState } from '@starline/common';

/**
 * The monthly evaluation's documents. Every one is read by `_id` (FerretDB v1 uses an index for
 * nothing else); lists that grow with the network are packed as one JSON string in a per-month index
 * document, so a document keeps few fields however many centres there are.
 */

/** The month's evaluation: `_id` = the month (YYYY-MM). */
export interface EvaluationDoc {
  _id: string;
  state: EvaluationState;
  /** The run the record describes (1, 2, … each re-run the next). */
  run: number;
  standardVersionId: string;
  /** The policy the run used (packed EvaluationPolicyInput); null until the run's first batch. */
  policy: string | null;
  requestedBy: string;
  startedAt: Date;
  computedAt: Date | null;
  confirmedAt: Date | null;
  confirmedBy: string | null;
  completedAt: Date | null;
  /** Centres done of `total`: the run's scorecards while RUNNING, the centres applied while CONFIRMING. */
  done: number;
  total: number;
  /** Packed { A, B, C, ungraded }; null until the run is ranked. */
  gradeCounts: string | null;
  updatedAt: Date;
}

const evaluationSchema = new Schema<EvaluationDoc>(
  {
    _id: { type: String, required: true },
    state: { type: String, required: true },
    run: { type: Number, required: true },
    standardVersionId: { type: String, required: true },
    policy: { type: String, default: null },
    requestedBy: { type: String, required: true },
    startedAt: { type: Date, required: true },
    computedAt: { type: Date, default: null },
    confirmedAt: { type: Date, default: null },
    confirmedBy: { type: String, default: null },
    completedAt: { type: Date, default: null },
    done: { type: Number, required: true },
    total: { type: Number, required: true },
    gradeCounts: { type: String, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'evaluations', versionKey: false, minimize: false, strict: 'throw' },
);

/** A centre's scorecard of a month: `_id` = `<month>|<centreId>`; a later run replaces it. */
export interface ScorecardDoc {
  _id: string;
  month: string;
  centreId: string;
  code: string;
  region: string;
  run: number;
  standardVersionId: string;
  /** C grades of the year before the month, as the consequence was judged from. */
  cGradesBefore: number;
  /** Packed CentreMonthFacts: the counts the scorecard was computed from. */
  facts: string;
  /** Packed { kpis, incentives, weightedScore, incentivePoints, ungradedReason }. */
  card: string;
  adjustedScore: number | null;
  completions: number;
  grade: 'A' | 'B' | 'C' | null;
  /** Set when the run is ranked (null for an ungraded centre). */
  rank: number | null;
  awardFen: number;
  penaltyFen: number;
  consequence: 'SUSPENDED' | 'ELIMINATED' | null;
  atRisk: boolean;
  computedAt: Date;
}

const scorecardSchema = new Schema<ScorecardDoc>(
  {
    _id: { type: String, required: true },
    month: { type: String, required: true },
    centreId: { type: String, required: true },
    code: { type: String, required: true },
    region: { type: String, required: true },
    run: { type: Number, required: true },
    standardVersionId: { type: String, required: true },
    cGradesBefore: { type: Number, required: true },
    facts: { type: String, required: true },
    card: { type: String, required: true },
    adjustedScore: { type: Number, default: null },
    completions: { type: Number, required: true },
    grade: { type: String, default: null },
    rank: { type: Number, default: null },
    awardFen: { type: Number, required: true },
    penaltyFen: { type: Number, required: true },
    consequence: { type: String, default: null },
    atRisk: { type: Boolean, required: true },
    computedAt: { type: Date, required: true },
  },
  { collection: 'evaluation_scorecards', versionKey: false, minimize: false, strict: 'throw' },
);

/**
 * A month's packed list: `_id` = `<month>|centres` (the run's centres), `<month>|ranking` (the run's
 * ranking), `<month>|disputes` (the month's dispute ids), `<month>|promotions` (its candidates).
 */
export interface EvaluationIndexDoc {
  _id: string;
  month: string;
  /** The run the list belongs to (0 for the dispute list, which spans runs). */
  run: number;
  /** JSON array; the entries' shape depends on the list (see evaluations.ts). */
  entries: string;
  updatedAt: Date;
}

const indexSchema = new Schema<EvaluationIndexDoc>(
  {
    _id: { type: String, required: true },
    month: { type: String, required: true },
    run: { type: Number, required: true },
    entries: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'evaluation_indexes', versionKey: false, strict: 'throw' },
);

export type DisputeState = 'OPEN' | 'UPHELD' | 'REJECTED';

/** A partner's dispute of its provisional scorecard. */
export interface DisputeDoc {
  _id: string;
  month: string;
  centreId: string;
  /** The run whose scorecard was disputed. */
  run: number;
  reason: string;
  state: DisputeState;
  openedBy: string;
  openedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  /** The request that decided it, so a retry of that very request is recognised. */
  decisionRequest: string | null;
}

const disputeSchema = new Schema<DisputeDoc>(
  {
    _id: { type: String, required: true },
    month: { type: String, required: true },
    centreId: { type: String, required: true },
    run: { type: Number, required: true },
    reason: { type: String, required: true },
    state: { type: String, required: true },
    openedBy: { type: String, required: true },
    openedAt: { type: Date, required: true },
    decidedBy: { type: String, default: null },
    decidedAt: { type: Date, default: null },
    decisionReason: { type: String, default: null },
    decisionRequest: { type: String, default: null },
  },
  { collection: 'evaluation_disputes', versionKey: false, minimize: false, strict: 'throw' },
);

function modelOn<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export const evaluationModel = (conn: Connection) => modelOn(conn, 'Evaluation', evaluationSchema);
export const scorecardModel = (conn: Connection) => modelOn(conn, 'EvaluationScorecard', scorecardSchema);
export const evaluationIndexModel = (conn: Connection) => modelOn(conn, 'EvaluationIndex', indexSchema);
export const disputeModel = (conn: Connection) => modelOn(conn, 'EvaluationDispute', disputeSchema);
