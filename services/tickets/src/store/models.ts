import { Schema, type Connection, type Model } from 'mongoose';
import type { TicketEvidence, TicketPolicyInput } from '@starline/common';
import type { KpiFact, OpenedComplaint, PendingEffects } from '../effects.ts';
import type { ComplaintState, ResponsibleParty } from '../rules/complaint.ts';
import type { TicketEvent } from '../rules/events.ts';
import type { KpiCounter } from '@starline/common';
import type { TicketSnapshot } from '../rules/ticket.ts';
import type { Packed } from './packed.ts';

/** A timeline event and the ticket version it produced. */
export type TimelineEntry = TicketEvent & { version: number };

/**
 * A command applied to the ticket and the evidence it produced: a repeat of `commandId` gets that
 * evidence back, with the ticket's summary as it is then. (The summary itself isn't kept: one per
 * command made up most of a long-lived ticket's document, which every step reads and rewrites.)
 */
export interface AppliedCommand {
  commandId: string;
  /** sha256 of the command as sent: the same id with a different command is a CONFLICT. */
  commandHash: string;
  type: string;
  version: number;
  /** The standard whose rules decided it (the policy the caller passed). */
  standardVersionId: string;
  at: Date;
  evidence: TicketEvidence[];
}

/**
 * One job: the rules' TicketSnapshot plus what the store keeps around it. Written only under the
 * lease `ticket:<id>` with a filter on `version`, and read only by `_id` (FerretDB v1 scans the
 * whole collection for any other filter): every other way of finding a ticket is a small
 * `_id`-keyed document kept in step with it (`ticket_numbers`, `ticket_sets`).
 */
export interface TicketDoc extends Omit<TicketSnapshot, 'id'> {
  _id: string;
  /** Business key: T + yyyymmdd (Asia/Shanghai, of receipt) + 6 random digits. */
  ticketNumber: string;
  version: number;
  /**
   * The standard in force at receipt: its policy (in `ticket_policies`) is what every rule and deadline of the ticket
   * uses.
   */
  standardVersionId: string;
  /** Only in tickets stored before `ticket_policies` held the policy once per standard version. */
  policy?: TicketPolicyInput;
  /** Packed (store/packed.ts), like `appliedCommands`; tickets written before hold the objects. */
  timeline: Packed<TimelineEntry>[];
  appliedCommands: Packed<AppliedCommand>[];
  /** Evidence keys already returned for this ticket: a later command never returns them again. */
  recordedEvidence: string[];
  /** The outbox: effects decided with the latest version and not yet delivered (null once they are). */
  pending: PendingEffects | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One entry of a centre's change feed: `_id` is `<centreId>:<seq, 12 digits>`, seq 1, 2, 3 … per centre. */
export interface ChangeDoc {
  _id: string;
  feed: string;
  seq: number;
  ticketId: string;
  version: number;
  /** The centre holding the job after the change (null when nobody does). */
  centreId: string | null;
  state: string;
  at: Date;
  types: string[];
}

/** An entry as its bucket holds it: the entry document without `_id` and `feed`. */
export type BucketEntry = Omit<ChangeDoc, '_id' | 'feed'>;

/**
 * FEED_BUCKET consecutive entries of a centre's feed, for reading: `_id` is `<centreId>:<bucketNo>`
 * (seq s is in bucket floor((s - 1) / FEED_BUCKET)), `entries` maps seq → entry, packed into one JSON
 * string each (store/changes.ts `packEntry`; buckets written before hold the entry object). A copy of
 * the entry documents, which stay the truth: a bucket may lack an entry (see store/changes.ts) but
 * never holds one that differs from its entry document.
 */
export interface ChangeBucketDoc {
  _id: string;
  entries: Record<string, string | BucketEntry>;
}

/** A centre feed's head: the last seq readers may see (every entry up to it exists). */
export interface FeedHeadDoc {
  _id: string;
  last: number;
}

/** Which seq a ticket version got in a feed: `_id` is `<feed>|<ticketId>|<version>`. Makes appends idempotent. */
export interface ChangeReceiptDoc {
  _id: string;
  seq: number;
}

/** Ticket number → ticket id. Inserting it first is what makes the number unique. */
/**
 * The ticket policy of one standard version, as the standards service gave it at intake; `_id` is
 * the version's id. A published version never changes, so every ticket names it instead of carrying
 * a copy: the ticket document, read several times per step, stays small.
 */
export interface TicketPolicyDoc {
  _id: string;
  policy: TicketPolicyInput;
}

export interface TicketNumberDoc {
  _id: string;
  ticketId: string;
}

/**
 * A named set of ticket ids kept in step with the tickets: `serial:<serial>` (every ticket of a
 * product serial: the repeat-repair candidates), `centre:<id>` (a centre's open jobs: its load for
 * dispatch), `engineer:<id>:<yyyymmdd>` (an engineer's jobs with an appointment that Shanghai day),
 * `centre-left:<id>:<YYYY-MM>` (jobs that left the centre's open jobs that month, as `<ticketId>|<ISO instant>`).
 * `unsettled:<id>` (jobs the centre completed that settlement hasn't taken off yet: left only through `jobsSettled`).
 * Updated only under the lease `set:<_id>`.
 */
export interface TicketSetDoc {
  _id: string;
  tickets: string[];
}

/**
 * One centre's KPI counters of one Shanghai month (`_id` = `<centreId>|<YYYY-MM>`): what the monthly
 * evaluation reads, one `_id` per centre. Read-modify-written under the lease `kpi:<_id>` (FerretDB
 * applies no update atomically and loses concurrent `$inc`s). `applied` is the ids of the deliveries
 * already counted (`<ticketId>:<version>`, `complaint:<id>`), packed into one JSON string
 * (store/packed.ts: FerretDB converts every array element on each read and update), so a retried
 * delivery counts once.
 */
export interface KpiMonthDoc {
  _id: string;
  counters: Record<KpiCounter, number>;
  applied: string;
}

/**
 * A completed job as settlement judges it (`_id` = ticket id; effects.ts `SettlementJobRecord`),
 * written by the ticket's outbox at each version from its completion on: unsettledJobs reads these
 * instead of the tickets. Flat and small on purpose: FerretDB v1 converts every field of a document
 * on each read, and the job packed into one JSON string (store/packed.ts) costs a fraction of a
 * ticket's nested fields. `version` is the ticket version it was judged at.
 */
export interface SettlementJobDoc {
  _id: string;
  version: number;
  /** The centre that completed the job: the only centre whose unsettled list it counts on. */
  centreId: string;
  /** The contract's SettlementJob, packed. */
  job: string;
}

/** A piece of licence evidence a complaint produced, and whether certification has it yet. */
export interface ComplaintEvidenceEntry extends TicketEvidence {
  recorded: boolean;
}

/** The complaint's outbox: what its last change must still deliver (null once delivered). */
export interface ComplaintPending {
  kpiFacts: KpiFact[];
  evidence: TicketEvidence[];
}

/**
 * A complaint. Opened either by an UNSATISFIED callback (the ticket's outbox inserts it with only
 * the OpenedComplaint fields: the rest read as their defaults, see store/complaints.ts) or by the
 * call centre. Read only by `_id`; written under the lease `complaint:<id>` after a version re-read.
 */
export type ComplaintDoc = Omit<OpenedComplaint, 'id' | 'source' | 'responsibleParty'> & {
  _id: string;
  source: 'CALLBACK' | 'CUSTOMER';
  responsibleParty: ResponsibleParty | null;
  state?: ComplaintState;
  version?: number;
  description?: string | null;
  openedBy?: string | null;
  responseMet?: boolean | null;
  responseNote?: string | null;
  rootCause?: string | null;
  resolution?: string | null;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  /** Request ids (from idempotency keys) applied: a retry of one returns the complaint as it is. */
  applied?: string[];
  evidence?: ComplaintEvidenceEntry[];
  pending?: ComplaintPending | null;
  updatedAt?: Date;
};

const mixed = { type: Schema.Types.Mixed };
const nullableDate = { type: Date, default: null };
const nullableString = { type: String, default: null };

const offerSchema = new Schema(
  {
    centreId: { type: String, required: true },
    offeredAt: { type: Date, required: true },
    round: { type: Number, required: true },
    outcome: { type: String, required: true },
    answeredAt: nullableDate,
    reason: nullableString,
  },
  { _id: false },
);
const appointmentSchema = new Schema(
  {
    from: { type: Date, required: true },
    to: { type: Date, required: true },
    bookedAt: { type: Date, required: true },
    closedAt: nullableDate,
  },
  { _id: false },
);
const assignmentSchema = new Schema({ engineerId: nullableString, at: { type: Date, required: true } }, { _id: false });
const callbackSchema = new Schema(
  { at: { type: Date, required: true }, answer: { type: String, required: true } },
  { _id: false },
);
const reportSchema = new Schema(
  {
    workFinishedAt: { type: Date, required: true },
    checklist: { type: [String], default: [] },
    faultCode: nullableString,
    parts: {
      type: [new Schema({ partNumber: String, oldPartSerial: String, quantity: Number }, { _id: false })],
      default: [],
    },
    charges: { type: [new Schema({ code: String, quantity: Number, amountFen: Number }, { _id: false })], default: [] },
    delightNote: nullableString,
    valueAddNote: nullableString,
    notes: nullableString,
  },
  { _id: false },
);
const autopsySchema = new Schema({ consistent: Boolean, note: String, at: Date }, { _id: false });

const ticketSchema = new Schema<TicketDoc>(
  {
    _id: { type: String, required: true },
    ticketNumber: { type: String, required: true },
    version: { type: Number, required: true },
    standardVersionId: { type: String, required: true },
    policy: mixed,
    state: { type: String, required: true },
    customer: {
      name: { type: String, required: true },
      phone: { type: String, required: true },
      address: { type: String, required: true },
      regionCode: { type: String, required: true },
    },
    product: {
      productLine: { type: String, required: true },
      model: { type: String, required: true },
      serialNumber: { type: String, required: true },
      purchaseDate: { type: Date, required: true },
    },
    serviceType: { type: String, required: true },
    areaClass: { type: String, required: true },
    faultDescription: nullableString,
    warranty: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    centreId: nullableString,
    offers: { type: [offerSchema], default: [] },
    escalations: { type: [Date], default: [] },
    acceptedAt: nullableDate,
    firstContactAt: nullableDate,
    appointments: { type: [appointmentSchema], default: [] },
    assignments: { type: [assignmentSchema], default: [] },
    checkedInAt: nullableDate,
    report: { type: reportSchema, default: null },
    completedAt: nullableDate,
    callbackAttempts: { type: [callbackSchema], default: [] },
    callbackResult: nullableString,
    calledBackAt: nullableDate,
    oldPartReturnedAt: nullableDate,
    autopsy: { type: autopsySchema, default: null },
    closedAt: nullableDate,
    cancelledAt: nullableDate,
    cancelReason: nullableString,
    supersededBy: nullableString,
    timeline: { type: [mixed], default: [] },
    appliedCommands: { type: [mixed], default: [] },
    recordedEvidence: { type: [String], default: [] },
    pending: { ...mixed, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tickets', versionKey: false, minimize: false, strict: 'throw' },
);
// No secondary indexes: nothing reads tickets but by _id (see ticket_numbers and ticket_sets).

const changeSchema = new Schema<ChangeDoc>(
  {
    _id: { type: String, required: true },
    feed: { type: String, required: true },
    seq: { type: Number, required: true },
    ticketId: { type: String, required: true },
    version: { type: Number, required: true },
    centreId: nullableString,
    state: { type: String, required: true },
    at: { type: Date, required: true },
    types: { type: [String], default: [] },
  },
  { collection: 'ticket_changes', versionKey: false, strict: 'throw' },
);

const bucketSchema = new Schema<ChangeBucketDoc>(
  { _id: { type: String, required: true }, entries: { ...mixed, default: {} } },
  { collection: 'ticket_change_buckets', versionKey: false, minimize: false, strict: 'throw' },
);

const feedHeadSchema = new Schema<FeedHeadDoc>(
  { _id: { type: String, required: true }, last: { type: Number, required: true } },
  { collection: 'ticket_feed_heads', versionKey: false, strict: 'throw' },
);

const receiptSchema = new Schema<ChangeReceiptDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { collection: 'ticket_change_receipts', versionKey: false, strict: 'throw' },
);

const policySchema = new Schema<TicketPolicyDoc>(
  { _id: { type: String, required: true }, policy: { ...mixed, required: true } },
  { collection: 'ticket_policies', versionKey: false, strict: 'throw' },
);

const numberSchema = new Schema<TicketNumberDoc>(
  { _id: { type: String, required: true }, ticketId: { type: String, required: true } },
  { collection: 'ticket_numbers', versionKey: false, strict: 'throw' },
);

const setSchema = new Schema<TicketSetDoc>(
  { _id: { type: String, required: true }, tickets: { type: [String], default: [] } },
  { collection: 'ticket_sets', versionKey: false, strict: 'throw' },
);

const settlementJobSchema = new Schema<SettlementJobDoc>(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    centreId: { type: String, required: true },
    job: { type: String, required: true },
  },
  { collection: 'settlement_jobs', versionKey: false, strict: 'throw' },
);

const kpiMonthSchema = new Schema<KpiMonthDoc>(
  {
    _id: { type: String, required: true },
    counters: { ...mixed, required: true },
    applied: { type: String, required: true },
  },
  { collection: 'kpi_months', versionKey: false, minimize: false, strict: 'throw' },
);

const complaintSchema = new Schema<ComplaintDoc>(
  {
    _id: { type: String, required: true },
    ticketId: { type: String, required: true },
    centreId: { type: String, required: true },
    engineerId: nullableString,
    severity: { type: Number, required: true },
    source: { type: String, required: true },
    openedAt: { type: Date, required: true },
    responseBy: { type: Date, required: true },
    respondedAt: nullableDate,
    responsibleParty: { ...mixed, default: null },
    standardVersionId: { type: String, required: true },
    state: { type: String },
    version: { type: Number },
    description: { type: String },
    openedBy: { type: String },
    responseMet: { type: Boolean },
    responseNote: { type: String },
    rootCause: { type: String },
    resolution: { type: String },
    resolvedAt: { type: Date },
    closedAt: { type: Date },
    applied: { type: [String], default: undefined },
    evidence: { type: [mixed], default: undefined },
    pending: { ...mixed },
    updatedAt: { type: Date },
  },
  { collection: 'complaints', versionKey: false, minimize: false, strict: 'throw' },
);

function modelOn<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export const ticketModel = (conn: Connection) => modelOn(conn, 'Ticket', ticketSchema);
export const changeModel = (conn: Connection) => modelOn(conn, 'TicketChange', changeSchema);
export const changeBucketModel = (conn: Connection) => modelOn(conn, 'TicketChangeBucket', bucketSchema);
export const feedHeadModel = (conn: Connection) => modelOn(conn, 'TicketFeedHead', feedHeadSchema);
export const receiptModel = (conn: Connection) => modelOn(conn, 'TicketChangeReceipt', receiptSchema);
export const numberModel = (conn: Connection) => modelOn(conn, 'TicketNumber', numberSchema);
export const policyModel = (conn: Connection) => modelOn(conn, 'TicketPolicy', policySchema);
export const ticketSetModel = (conn: Connection) => modelOn(conn, 'TicketSet', setSchema);
export const kpiMonthModel = (conn: Connection) => modelOn(conn, 'KpiMonth', kpiMonthSchema);
export const settlementJobModel = (conn: Connection) => modelOn(conn, 'SettlementJob', settlementJobSchema);
export const complaintModel = (conn: Connection) => modelOn(conn, 'Complaint', complaintSchema);
