import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Model } from 'mongoose';
import { conflict, isDuplicateKey } from '@starline/common';
import type { WriteLeaseDoc } from './models.ts';

const LEASE_ID = 'standards';

export interface LeaseOptions {
  /** A holder that crashed stops blocking others after this long. */
  leaseMs: number;
  /** How long a writer waits for the lease before giving up with CONFLICT. */
  waitMs: number;
}

export const DEFAULT_LEASE: LeaseOptions = { leaseMs: 30_000, waitMs: 10_000 };

/**
 * Runs `work` as the only writer of the standards database. Acquire = insert the lease document
 * (the one write FerretDB makes atomic); release = delete it. An expired lease is taken over.
 */
export function writeLease(model: Model<WriteLeaseDoc>, options: LeaseOptions = DEFAULT_LEASE) {
  return async function exclusively<T>(work: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const deadline = Date.now() + options.waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await model.create({ _id: LEASE_ID, owner, expiresAt: new Date(Date.now() + options.leaseMs) });
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const held = await model.findById(LEASE_ID).lean<WriteLeaseDoc>();
      if (held && held.expiresAt.getTime() < Date.now()) {
        await model.deleteOne({ _id: LEASE_ID, owner: held.owner });
        continue;
      }
      if (Date.now() > deadline) throw conflict('another change to the standards is in progress; try again in a moment');
      await sleep(Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random()));
    }
    try {
      return await work();
    } finally {
      await model.deleteOne({ _id: LEASE_ID, owner });
    }
  };
}
