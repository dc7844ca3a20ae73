import { Schema, type Connection, type Model } from 'mongoose';
import type { CentreStatus } from '../rules/status.ts';
import type { CentreTier, Grade } from '../rules/validate.ts';

export interface StatusChangeDoc {
  from: CentreStatus | null;
  to: CentreStatus;
  at: Date;
  actor: string;
  reason: string | null;
  evidence: string | null;
}

export interface ContactDoc {
  name: string;
  phone: string;
  email: string | null;
}

/** The centre's payee details (docs/domain.md §7): what the payment file pays to. */
export interface PayeeDoc {
  accountName: string;
  bank: string;
  /** Digits only. */
  accountNumber: string;
  updatedAt: Date;
  updatedBy: string;
}

export interface PayeeValuesDoc {
  accountName: string;
  bank: string;
  accountNumber: string;
}

/** One change of the payee details: the full values (masked only when shown), who, when, why. */
export interface PayeeChangeDoc {
  at: Date;
  actor: string;
  reason: string;
  from: PayeeValuesDoc | null;
  to: PayeeValuesDoc;
}

export interface CentreDoc {
  _id: string;
  code: string;
  name: string;
  tier: CentreTier;
  level: number;
  parentId: string | null;
  region: string;
  serviceAreas: string[];
  productLines: string[];
  dailyCapacity: number;
  starRating: number | null;
  contact: ContactDoc;
  status: CentreStatus;
  statusHistory: StatusChangeDoc[];
  /** Absent on centres written before payee details existed (and in seeds): none yet. */
  payee?: PayeeDoc | null;
  /** Every change of `payee`, oldest first; absent: none. */
  payeeHistory?: PayeeChangeDoc[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const statusChange = new Schema<StatusChangeDoc>(
  {
    from: { type: String, default: null },
    to: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    reason: { type: String, default: null },
    evidence: { type: String, default: null },
  },
  { _id: false },
);

const contact = new Schema<ContactDoc>(
  {
    name: { type: String, required: true },
    phone: { type: String, required: true },
    email: { type: String, default: null },
  },
  { _id: false },
);

const payeeValues = new Schema<PayeeValuesDoc>(
  {
    accountName: { type: String, required: true },
    bank: { type: String, required: true },
    accountNumber: { type: String, required: true },
  },
  { _id: false },
);

const payee = new Schema<PayeeDoc>(
  {
    accountName: { type: String, required: true },
    bank: { type: String, required: true },
    accountNumber: { type: String, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { _id: false },
);

const payeeChange = new Schema<PayeeChangeDoc>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    reason: { type: String, required: true },
    from: { type: payeeValues, default: null },
    to: { type: payeeValues, required: true },
  },
  { _id: false },
);

const centreSchema = new Schema<CentreDoc>(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true },
    name: { type: String, required: true },
    tier: { type: String, required: true },
    level: { type: Number, required: true },
    parentId: { type: String, default: null },
    region: { type: String, required: true },
    serviceAreas: { type: [String], default: [] },
    productLines: { type: [String], default: [] },
    dailyCapacity: { type: Number, required: true },
    starRating: { type: Number, default: null },
    contact: { type: contact, required: true },
    status: { type: String, required: true },
    statusHistory: { type: [statusChange], default: [] },
    payee: { type: payee, default: null },
    payeeHistory: { type: [payeeChange], default: [] },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'service_centres', versionKey: false, minimize: false, strict: 'throw' },
);
centreSchema.index({ code: 1 }, { unique: true });
centreSchema.index({ status: 1 });
centreSchema.index({ parentId: 1 });
centreSchema.index({ region: 1 });

/** One per (centre, month): `_id` = `<centreId>:<YYYY-MM>`, so a second insert is a duplicate. */
export interface GradeDoc {
  _id: string;
  centreId: string;
  month: string;
  grade: Grade;
  score: number;
  standardVersionId: string;
  evaluationId: string;
  recordedAt: Date;
}

const gradeSchema = new Schema<GradeDoc>(
  {
    _id: { type: String, required: true },
    centreId: { type: String, required: true },
    month: { type: String, required: true },
    grade: { type: String, required: true },
    score: { type: Number, required: true },
    standardVersionId: { type: String, required: true },
    evaluationId: { type: String, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'centre_grades', versionKey: false, strict: 'throw' },
);
gradeSchema.index({ centreId: 1, month: -1 });

/** One per process that writes centres: how many writes it made (see snapshot.ts). */
export interface WriterDoc {
  _id: string;
  writes: number;
  at: Date;
}

const writerSchema = new Schema<WriterDoc>(
  {
    _id: { type: String, required: true },
    writes: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'centre_writers', versionKey: false, strict: 'throw' },
);

function modelOn<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export const centreModel = (conn: Connection) => modelOn(conn, 'ServiceCentre', centreSchema);
export const gradeModel = (conn: Connection) => modelOn(conn, 'CentreGrade', gradeSchema);
export const writerModel = (conn: Connection) => modelOn(conn, 'CentreWriter', writerSchema);
