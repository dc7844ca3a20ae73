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

const busy = () => conflict('another change to the same record is in progress; try again in a moment');

/** Per lease collection and name: the tail of this process's queue of writers. */
const queues = new WeakMap<Model<WriteLeaseDoc>, Map<string, Promise<void>>>();

/**
 * A place in this process's queue for the lease: `ready` when every writer queued before has
 * finished or given up; `leave` lets the next one go (call it exactly once, also when giving up).
 */
function queueFor(model: Model<WriteLeaseDoc>, key: string): { ready: Promise<void>; leave: () => void } {
  let byKey = queues.get(model);
  if (!byKey) queues.set(model, (byKey = new Map()));
  const ready = byKey.get(key) ?? Promise.resolve();
  let leave!: () => void;
  const left = new Promise<void>((resolve) => (leave = resolve));
  const tail = ready.then(() => left);
  byKey.set(key, tail);
  void tail.then(() => {
    if (byKey.get(key) === tail) byKey.delete(key);
  });
  return { ready, leave };
}

/**
 * Runs `work` as the only holder of the lease named `key` (e.g. "standards", "ticket:T-1").
 *
 * Writers in one process first queue in memory, in arrival order, and only the head of that queue
 * contends for the lease document. Most contention is between concurrent requests of one process
 * (a worker running many activities for the tickets of one centre); they then take turns at once
 * instead of polling the database with backoff. The document still arbitrates between processes.
 */
export function writeLease(model: Model<WriteLeaseDoc>, key: string, options: LeaseOptions = DEFAULT_LEASE) {
  return async function exclusively<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + options.waitMs;
    const place = queueFor(model, key);
    try {
      const turn = await Promise.race([place.ready.then(() => true), sleep(options.waitMs, false, { ref: false })]);
      if (!turn) throw busy();
      return await holding(model, key, options, deadline, work);
    } finally {
      place.leave();
    }
  };
}

/** Holds the lease document for `work`: insert to acquire, take over an expired one, delete to release. */
async function holding<T>(
  model: Model<WriteLeaseDoc>,
  key: string,
  options: LeaseOptions,
  deadline: number,
  work: () => Promise<T>,
): Promise<T> {
  const owner = randomUUID();
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
    if (Date.now() > deadline) throw busy();
    await sleep(Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random()));
  }
  try {
    return await work();
  } finally {
    await model.deleteOne({ _id: key, owner });
  }
}
