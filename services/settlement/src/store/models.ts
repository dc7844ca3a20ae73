import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Settlement's documents, each read by `_id` (FerretDB v1 indexes nothing else). What grows with the
 * network or a statement's jobs is packed as one JSON string, so a document keeps few fields.
 */

/** The month's settlement run: `_id` = the month (YYYY-MM). `body` packs the RunRecord's other fields. */
export interface RunDoc {
  _id: string;
  state: string;
  body: string;
  updatedAt: Date;
}

/** A centre's statement of a month: `_id` = `${month}:${centreId}`. `body` packs the StatementRecord. */
export interface StatementDoc {
  _id: string;
  state: string;
  body: string;
  updatedAt: Date;
}

/**
 * A job paid, `_id` = its ticket id: inserted once, so a job is a statement line exactly once, ever —
 * a second statement's insert fails on the duplicate `_id` whatever runs, retries or races. Only the
 * statement (`month:centre`): 300,000 of them are written per month, and the statement has the rest.
 */
export interface ClaimDoc {
  _id: string;
  statementId: string;
}

/**
 * The month's index: what lists, totals and approval read instead of the statements. Its head (`_id`
 * = the month) packs each page's length; page n (`_id` = `month#n`) packs its statements' summaries.
 * Each batch of the build adds a page, so a batch rewrites a few KB rather than the whole index.
 */
export interface IndexDoc {
  _id: string;
  body: string;
}

/** The month's payment file (`_id` = the month), written once on approval. */
export interface PaymentFileDoc {
  _id: string;
  fileName: string;
  sha256: string;
  rows: number;
  totalFen: number;
  content: string;
  generatedAt: Date;
}

const packed = <D>(name: string, extra: Record<string, unknown> = {}) =>
  new Schema<D>(
    {
      _id: { type: String, required: true },
      state: { type: String, required: true },
      body: { type: String, required: true },
      updatedAt: { type: Date, required: true },
      ...extra,
    } as never,
    { versionKey: false },
  );

function model<D>(conn: Connection, name: string, schema: () => Schema<D>, collection: string): Model<D> {
  return (conn.models[name] as Model<D> | undefined) ?? conn.model<D>(name, schema(), collection);
}

export const runModel = (conn: Connection) =>
  model<RunDoc>(conn, 'SettlementRun', () => packed<RunDoc>('SettlementRun'), 'settlement_runs');
export const statementModel = (conn: Connection) =>
  model<StatementDoc>(conn, 'Statement', () => packed<StatementDoc>('Statement'), 'statements');
export const claimModel = (conn: Connection) =>
  model<ClaimDoc>(
    conn,
    'PaidJob',
    () =>
      new Schema<ClaimDoc>(
        {
          _id: { type: String, required: true },
          statementId: { type: String, required: true },
        },
        { versionKey: false },
      ),
    'paid_jobs',
  );
export const indexModel = (conn: Connection) =>
  model<IndexDoc>(
    conn,
    'StatementIndex',
    () =>
      new Schema<IndexDoc>(
        { _id: { type: String, required: true }, body: { type: String, required: true } },
        { versionKey: false },
      ),
    'statement_index',
  );
export const paymentFileModel = (conn: Connection) =>
  model<PaymentFileDoc>(
    conn,
    'PaymentFile',
    () =>
      new Schema<PaymentFileDoc>(
        {
          _id: { type: String, required: true },
          fileName: { type: String, required: true },
          sha256: { type: String, required: true },
          rows: { type: Number, required: true },
          totalFen: { type: Number, required: true },
          content: { type: String, required: true },
          generatedAt: { type: Date, required: true },
        },
        { versionKey: false },
      ),
    'payment_files',
  );
