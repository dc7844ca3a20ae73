import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Schema, type Connection, type Model } from 'mongoose';
import { conflict } from './errors.ts';
import { isDuplicateKey } from './mongo.ts';

/**
 * Write leases: mutual exclusion for read-modify-write sequences.
 *
 * FerretDB v1 does not apply a conditional update atomically: measured here, 20 concurrent
 * `updateOne({_id, v: 0}, {$set: {v: 1}})` had up to 16 winners and 20 concurrent `$inc` left a
 * counter at 1–3. It does refuse a second insert of the same `_id`. So a lease is one document:
 * acquire = insert it, release = delete it, and a holder that died is taken over once its lease
 * expires. On MongoDB the same code is merely redundant with its atomic updates.
 */
export interface WriteLeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

const leaseSchema = new Schema<WriteLeaseDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'write_leases', versionKey: false },
);

export function writeLeaseModel(conn: Connection): Model<WriteLeaseDoc> {
  return (conn.models['WriteLease'] as Model<WriteLeaseDoc> | undefined) ?? conn.model('WriteLease', leaseSchema);
}

export interface LeaseOptions {
  /** A holder that crashed stops blocking others after this long. */
  leaseMs: number;
  /** How long a writer waits for the lease before giving up with CONFLICT. */
  waitMs: number;
}

export const DEFAULT_LEASE: LeaseOptions = { leaseMs: 30_000, waitMs: 10_000 };

/** Runs `work` as the only holder of the lease named `key` (e.g. "standards", "ticket:T-1"). */
export function writeLease(model: Model<WriteLeaseDoc>, key: string, options: LeaseOptions = DEFAULT_LEASE) {
  return async function exclusively<T>(work: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const deadline = Date.now() + options.waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await model.create({ _id: key, owner, expiresAt: new Date(Date.now() + options.leaseMs) });
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const held = await model.findById(key).lean<WriteLeaseDoc>();
      if (held && held.expiresAt.getTime() < Date.now()) {
        await model.deleteOne({ _id: key, owner: held.owner });
        continue;
      }
      if (Date.now() > deadline) throw conflict('another change to the same record is in progress; try again in a moment');
      await sleep(Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random()));
    }
    try {
      return await work();
    } finally {
      await model.deleteOne({ _id: key, owner });
    }
  };
}
