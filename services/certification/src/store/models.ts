import { Schema, type Connection, type Model } from 'mongoose';
import type { CareerLevel, ExamKind } from '../rules/career.ts';
import type { PointKind } from '../rules/policy.ts';
import type { LicenceStatus } from '../rules/licence.ts';

export interface CertificationDoc {
  productLine: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface EngineerDoc {
  _id: string;
  number: string;
  name: string;
  centreId: string;
  level: CareerLevel;
  certifications: CertificationDoc[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One per licence generation: `_id` = `<engineerId>:<generation>`. The active licence is the highest
 * generation; a reinstatement inserts generation + 1, so two concurrent reinstatements collide on `_id`.
 * `summary` is a cache written under the `licence:<id>` lease; the truth is the ledger.
 */
export interface LicenceDoc {
  _id: string;
  engineerId: string;
  generation: number;
  issuedAt: Date;
  archivedAt: Date | null;
  archivedReason: string | null;
  summary: { pointsRemaining: number; status: LicenceStatus; computedAt: Date };
  /**
   * A cycle index known to exist (raised after each new cycle is inserted), where the search for the
   * current cycle starts: two lookups instead of one per cycle. Never above the real last index, so a
   * stale hint only costs a longer search. Absent on licences stored before it existed (0).
   */
  cycleHint?: number;
}

/**
 * `_id` = `<licenceId>#<index>`, index 0 at issue; indexes are contiguous, so the current cycle is
 * found by `_id` alone. `facts` copies what the fold needs of each ledger entry of the cycle: FerretDB
 * answers only `_id` lookups fast, so the points of a licence are read from here, not by a ledger scan.
 */
export interface CycleDoc {
  _id: string;
  licenceId: string;
  index: number;
  start: Date;
  end: Date;
  facts: CycleFact[];
  /**
   * The numbers the cycle runs under: those of the standard in force when it began. A later standard
   * applies from the next cycle, so it can neither revoke nor revive a licence after the fact.
   * Absent on cycles written before terms were kept; those follow the standard in force.
   */
  terms?: CycleTerms;
}

export interface CycleTerms {
  standardVersionId: string;
  maxPoints: number;
  warningAtOrBelow: number;
}

export interface CycleFact {
  id: string;
  kind: PointKind;
  points: number;
  recordedAt: Date;
}

/** A centre's engineers (`_id` = centre id): pages of a centre's engineers read this one document. */
export interface RosterDoc {
  _id: string;
  engineers: { id: string; number: string }[];
}

/** The append-only ledger: `_id` = `<licenceId>|<evidenceKey>`; the unique insert is the idempotency. */
export interface EntryDoc {
  _id: string;
  licenceId: string;
  engineerId: string;
  /**
   * The engineer's centre when the entry was recorded: the centre whose monthly incentives a credit
   * counts for. Absent on entries recorded before credits were counted per centre.
   */
  centreId?: string;
  cycleIndex: number;
  code: string;
  kind: PointKind;
  points: number;
  evidenceKey: string;
  recordedBy: string;
  recordedAt: Date;
  note: string | null;
  standardVersionId: string;
}

/**
 * The incentive credits of one centre's month (docs/domain.md §6): `_id` = `<centreId>|<YYYY-MM>`
 * (Asia/Shanghai month of the entries' `recordedAt`), so the monthly evaluation reads a batch of
 * centres by `_id` alone. Written read-modify-write under the `credits:<_id>` lease. `counted` is the
 * JSON of the `[entryId, code]` pairs counted, each ledger entry once (a replay finds its id and
 * counts nothing); kept as one string because FerretDB converts every field of a document on each
 * read and write. The two numbers are derived from it on every write.
 */
export interface CentreCreditsDoc {
  _id: string;
  centreId: string;
  month: string;
  qualityInfoAdopted: number;
  serviceInnovation: number;
  counted: string;
}

/**
 * `_id` = `<engineerId>/<n>`, n = 1, 2, … per engineer, so an engineer's exams are read by `_id`.
 * Exams stored before that have a random `_id` and no `n`.
 */
export interface ExamDoc {
  _id: string;
  engineerId: string;
  n?: number;
  kind: ExamKind;
  passed: boolean;
  score: number;
  takenAt: Date;
  recordedBy: string;
  recordedAt: Date;
}

/** An annual-review flag: `_id` = `<engineerId>|<cycleEnd ISO>`, so a re-run inserts nothing new. */
export interface ReviewFlagDoc {
  _id: string;
  engineerId: string;
  licenceId: string;
  cycleEnd: Date;
  reason: 'REVOKED' | 'FAILED_REVIEW_EXAM';
  flaggedAt: Date;
}

const certification = new Schema<CertificationDoc>(
  {
    productLine: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { _id: false },
);

const engineerSchema = new Schema<EngineerDoc>(
  {
    _id: { type: String, required: true },
    number: { type: String, required: true },
    name: { type: String, required: true },
    centreId: { type: String, required: true },
    level: { type: String, required: true },
    certifications: { type: [certification], default: [] },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'engineers', versionKey: false, minimize: false, strict: 'throw' },
);
engineerSchema.index({ number: 1 }, { unique: true });
engineerSchema.index({ centreId: 1, number: 1 });

const licenceSchema = new Schema<LicenceDoc>(
  {
    _id: { type: String, required: true },
    engineerId: { type: String, required: true },
    generation: { type: Number, required: true },
    issuedAt: { type: Date, required: true },
    archivedAt: { type: Date, default: null },
    archivedReason: { type: String, default: null },
    summary: {
      pointsRemaining: { type: Number, required: true },
      status: { type: String, required: true },
      computedAt: { type: Date, required: true },
    },
    cycleHint: { type: Number, default: 0 },
  },
  { collection: 'licences', versionKey: false, minimize: false, strict: 'throw' },
);
licenceSchema.index({ engineerId: 1, generation: -1 });

const cycleSchema = new Schema<CycleDoc>(
  {
    _id: { type: String, required: true },
    licenceId: { type: String, required: true },
    index: { type: Number, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    facts: {
      type: [new Schema<CycleFact>({ id: String, kind: String, points: Number, recordedAt: Date }, { _id: false })],
      default: [],
    },
    terms: {
      type: new Schema<CycleTerms>(
        { standardVersionId: String, maxPoints: Number, warningAtOrBelow: Number },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { collection: 'licence_cycles', versionKey: false, strict: 'throw' },
);

const rosterSchema = new Schema<RosterDoc>(
  {
    _id: { type: String, required: true },
    engineers: { type: [new Schema({ id: String, number: String }, { _id: false })], default: [] },
  },
  { collection: 'centre_rosters', versionKey: false, strict: 'throw' },
);
cycleSchema.index({ licenceId: 1, index: -1 });

const entrySchema = new Schema<EntryDoc>(
  {
    _id: { type: String, required: true },
    licenceId: { type: String, required: true },
    engineerId: { type: String, required: true },
    centreId: { type: String },
    cycleIndex: { type: Number, required: true },
    code: { type: String, required: true },
    kind: { type: String, required: true },
    points: { type: Number, required: true },
    evidenceKey: { type: String, required: true },
    recordedBy: { type: String, required: true },
    recordedAt: { type: Date, required: true },
    note: { type: String, default: null },
    standardVersionId: { type: String, required: true },
  },
  { collection: 'licence_ledger', versionKey: false, strict: 'throw' },
);
entrySchema.index({ licenceId: 1, recordedAt: 1 });
entrySchema.index({ engineerId: 1, evidenceKey: 1 });

const examSchema = new Schema<ExamDoc>(
  {
    _id: { type: String, required: true },
    engineerId: { type: String, required: true },
    n: { type: Number },
    kind: { type: String, required: true },
    passed: { type: Boolean, required: true },
    score: { type: Number, required: true },
    takenAt: { type: Date, required: true },
    recordedBy: { type: String, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'exam_results', versionKey: false, strict: 'throw' },
);
examSchema.index({ engineerId: 1, takenAt: 1 });

const flagSchema = new Schema<ReviewFlagDoc>(
  {
    _id: { type: String, required: true },
    engineerId: { type: String, required: true },
    licenceId: { type: String, required: true },
    cycleEnd: { type: Date, required: true },
    reason: { type: String, required: true },
    flaggedAt: { type: Date, required: true },
  },
  { collection: 'review_flags', versionKey: false, strict: 'throw' },
);
flagSchema.index({ engineerId: 1 });

const creditsSchema = new Schema<CentreCreditsDoc>(
  {
    _id: { type: String, required: true },
    centreId: { type: String, required: true },
    month: { type: String, required: true },
    qualityInfoAdopted: { type: Number, required: true },
    serviceInnovation: { type: Number, required: true },
    counted: { type: String, required: true },
  },
  { collection: 'centre_month_credits', versionKey: false, strict: 'throw' },
);

function modelOn<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export const engineerModel = (conn: Connection) => modelOn(conn, 'Engineer', engineerSchema);
export const licenceModel = (conn: Connection) => modelOn(conn, 'Licence', licenceSchema);
export const cycleModel = (conn: Connection) => modelOn(conn, 'LicenceCycle', cycleSchema);
export const entryModel = (conn: Connection) => modelOn(conn, 'LicenceEntry', entrySchema);
export const examModel = (conn: Connection) => modelOn(conn, 'ExamResult', examSchema);
export const flagModel = (conn: Connection) => modelOn(conn, 'ReviewFlag', flagSchema);
export const rosterModel = (conn: Connection) => modelOn(conn, 'CentreRoster', rosterSchema);
export const centreCreditsModel = (conn: Connection) => modelOn(conn, 'CentreMonthCredits', creditsSchema);
