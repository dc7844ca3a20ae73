import type { Connection } from 'mongoose';
import { findByIds, type SettlementJob } from '@starline/common';
import type { SettlementJobRecord } from '../effects.ts';
import { settlementJobModel, type SettlementJobDoc } from './models.ts';
import { pack, unpack } from './packed.ts';

/**
 * A ticket's settlement record at `version` as stored: what its outbox writes, and what seeding writes beside cloned
 * tickets.
 */
export function settlementJobDoc(ticketId: string, version: number, r: SettlementJobRecord): SettlementJobDoc {
  return { _id: ticketId, version, centreId: r.centreId, job: pack(r.job) };
}

/**
 * The per-job settlement records (`settlement_jobs`), by `_id` only: written by a ticket's outbox
 * delivery (under the ticket's lease) and read by unsettledJobs. Never deleted: a settled job's
 * record is simply no longer asked for once its id has left the unsettled list.
 */
export function createSettlementJobs(conn: Connection) {
  const jobs = settlementJobModel(conn);

  return {
    models: [jobs] as const,

    /** Writes the record of `version` unless the stored one is as new: a redelivery writes nothing. */
    async deliver(ticketId: string, version: number, r: SettlementJobRecord): Promise<void> {
      // In order already (every writer settles under the ticket's lease before committing the next version); the check
      // stops a late replay undoing a newer record.
      const stored = await jobs.findById(ticketId, { version: 1 }).lean<{ version: number }>();
      if (stored && stored.version >= version) return;
      const { _id, ...fields } = settlementJobDoc(ticketId, version, r);
      await jobs.updateOne({ _id }, { $set: fields }, { upsert: true });
    },

    /** The records of these tickets by `_id` `$in` (per 500); a ticket without one is absent. */
    async read(ids: readonly string[]): Promise<Map<string, SettlementJobRecord>> {
      const docs = await findByIds(jobs, [...new Set(ids)]);
      return new Map(docs.map((d) => [d._id, { centreId: d.centreId, job: unpack<SettlementJob>(d.job) }] as const));
    },
  };
}
