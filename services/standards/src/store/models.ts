import { Schema, type Connection, type Model } from 'mongoose';
import type { StoredStandardContent } from '../rules/defaults.ts';
import type { StandardStatus } from '../rules/lifecycle.ts';

export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  detail: string | null;
}

export interface StandardVersionDoc {
  _id: string;
  number: number;
  status: StandardStatus;
  /**
   * Validated as a whole by rules/validate.ts before every write, so stored as one embedded
   * document. Versions stored before a field existed lack it; reads fill it in (fillMissingParts).
   */
  content: StoredStandardContent;
  effectiveFrom: Date | null;
  basedOn: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  publishedBy: string | null;
  publishedAt: Date | null;
  /** Bumped by every edit, so a publish that read older content cannot win against it. */
  revision: number;
  history: AuditEntry[];
}

const auditEntry = new Schema<AuditEntry>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    detail: { type: String, default: null },
  },
  { _id: false },
);

const standardVersionSchema = new Schema<StandardVersionDoc>(
  {
    _id: { type: String, required: true },
    number: { type: Number, required: true },
    status: { type: String, required: true },
    content: { type: Schema.Types.Mixed, required: true },
    effectiveFrom: { type: Date, default: null },
    basedOn: { type: String, default: null },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    publishedBy: { type: String, default: null },
    publishedAt: { type: Date, default: null },
    revision: { type: Number, required: true },
    history: { type: [auditEntry], default: [] },
  },
  { collection: 'standard_versions', versionKey: false, minimize: false, strict: 'throw' },
);
standardVersionSchema.index({ number: 1 }, { unique: true });
standardVersionSchema.index({ status: 1, number: -1 });
standardVersionSchema.index({ status: 1, effectiveFrom: -1 });

/** Sequences handed out with $inc (under the write lease), so two creators never share a number. */
export interface CounterDoc {
  _id: string;
  seq: number;
}

const counterSchema = new Schema<CounterDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { collection: 'counters', versionKey: false },
);

function modelOn<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export const standardVersionModel = (conn: Connection) => modelOn(conn, 'StandardVersion', standardVersionSchema);
export const counterModel = (conn: Connection) => modelOn(conn, 'Counter', counterSchema);
