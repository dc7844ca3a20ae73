import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { Claims } from './auth.ts';
import { badInput, conflict, forbidden } from './errors.ts';
import { isDuplicateKey } from './mongo.ts';

/**
 * Replay protection for mutations (docs/architecture.md, "Idempotency"): the first call with a key
 * runs and its result is stored; a replay with the same payload returns that result and changes
 * nothing; a replay with a different payload is a CONFLICT. Single-document writes only, so it
 * behaves the same on MongoDB and FerretDB.
 */
interface IdempotencyRecord {
  _id: string;
  operation: string;
  /** callerScope of who sent the first call. */
  scope: string;
  payloadHash: string;
  state: 'PENDING' | 'DONE';
  result?: unknown;
  createdAt: Date;
}

const schema = new Schema<IdempotencyRecord>(
  {
    _id: { type: String, required: true },
    operation: { type: String, required: true },
    scope: { type: String, required: true },
    payloadHash: { type: String, required: true },
    state: { type: String, required: true },
    result: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'idempotency_keys' },
);

export function idempotencyModel(conn: Connection): Model<IdempotencyRecord> {
  return (
    (conn.models['IdempotencyRecord'] as Model<IdempotencyRecord> | undefined) ??
    conn.model('IdempotencyRecord', schema)
  );
}

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

/**
 * Who a caller is, for keys and ids derived from them: the subject, the roles, and the centre or
 * engineer the token names. One integration account may serve several centres under one subject,
 * and each must get its own replays, never another centre's.
 */
export function callerScope(claims: Claims): string {
  return [claims.sub, [...claims.roles].sort().join('+'), claims.centreId ?? '-', claims.engineerId ?? '-'].join('/');
}

function hashPayload(payload: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(payload ?? null))
    .digest('hex');
}

export async function withIdempotency<T>(
  model: Model<IdempotencyRecord>,
  call: {
    key: string | null | undefined;
    operation: string;
    caller: Claims;
    payload: unknown;
    /**
     * May this caller see the record a stored result names, now? Asked of every replay before the
     * result is returned (FORBIDDEN otherwise): access may have changed since the first call.
     */
    mayReplay: (result: T) => boolean | Promise<boolean>;
    /**
     * `run` is idempotent by itself (what it does is keyed on this key, e.g. a ticket command's id is
     * derived from it), so a call found still PENDING — running elsewhere, or left so by a process
     * that died mid-call — is run again instead of refused. Without it, a crash between the key's
     * record and its result leaves the key answering "in progress" for good.
     */
    resumable?: boolean;
  },
  run: () => Promise<T>,
): Promise<T> {
  if (!call.key) return run();
  if (!IDEMPOTENCY_KEY_PATTERN.test(call.key)) {
    throw badInput('idempotencyKey', 'must be 8–128 letters, digits or . _ : -');
  }
  // Keys are scoped by caller and operation, so two partners can never collide on a key.
  const scope = callerScope(call.caller);
  const id = `${scope}|${call.operation}|${call.key}`;
  const payloadHash = hashPayload(call.payload);
  try {
    await model.create({
      _id: id,
      operation: call.operation,
      scope,
      payloadHash,
      state: 'PENDING',
      createdAt: new Date(),
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const first = await model.findById(id).lean();
    if (!first || first.payloadHash !== payloadHash) {
      throw conflict('this idempotencyKey was already used with a different request');
    }
    if (first.state === 'DONE') {
      const result = first.result as T;
      if (!(await call.mayReplay(result)))
        throw forbidden('this idempotencyKey answered for a record you may no longer see');
      return result;
    }
    if (!call.resumable) throw conflict('a request with this idempotencyKey is still in progress; retry shortly');
  }
  try {
    const result = await run();
    await model.updateOne({ _id: id }, { $set: { state: 'DONE', result } });
    return result;
  } catch (error) {
    // The call failed and changed nothing: free the key so the caller can retry with it.
    await model.deleteOne({ _id: id });
    throw error;
  }
}
