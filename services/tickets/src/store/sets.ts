import type { Connection, Model } from 'mongoose';
import { findByIds, writeLease, type LeaseOptions, type WriteLeaseDoc } from '@starline/common';
import type { SetMove } from '../effects.ts';
import { ticketSetModel, type TicketSetDoc } from './models.ts';

export const setLease = (key: string): string => `set:${key}`;

/**
 * Named sets of ticket ids (`ticket_sets`, `_id` = the key; keys in effects.ts): what lets "a
 * serial's tickets", "a centre's open jobs", "an engineer's jobs that day" and "a centre's
 * unsettled jobs" be one `_id` read instead of a scan of every ticket. FerretDB v1 applies no update
 * atomically, so each set is read, changed and written back under the lease `set:<key>`. Joining
 * and leaving are idempotent, so a retried delivery changes nothing.
 */
export function createTicketSets(conn: Connection, leases: Model<WriteLeaseDoc>, lease: LeaseOptions) {
  const sets = ticketSetModel(conn);

  const members = async (key: string): Promise<string[]> =>
    (await sets.findById(key).lean<TicketSetDoc>())?.tickets ?? [];

  function move(ticketId: string, { key, add, member }: SetMove): Promise<void> {
    const id = member ?? ticketId;
    return writeLease(
      leases,
      setLease(key),
      lease,
    )(async () => {
      const now = await members(key);
      if (now.includes(id) === add) return;
      const tickets = add ? [...now, id] : now.filter((t) => t !== id);
      await sets.updateOne({ _id: key }, { $set: { tickets } }, { upsert: true });
    });
  }

  return {
    models: [sets] as const,
    members,
    /** Several sets at once, by one `_id` `$in` read (per 500 keys): key → members, [] for a set that doesn't exist. */
    async membersOf(keys: readonly string[]): Promise<Map<string, string[]>> {
      const found = new Map((await findByIds(sets, [...new Set(keys)])).map((d) => [d._id, d.tickets] as const));
      return new Map(keys.map((k) => [k, found.get(k) ?? []]));
    },
    /**
     * Takes `ids` out of the set `key` in one read-modify-write under its lease (as a move leaves
     * it): idempotent, an id not in the set is ignored. How many were in it and are gone now.
     */
    leave(key: string, ids: readonly string[]): Promise<number> {
      const out = new Set(ids);
      return writeLease(
        leases,
        setLease(key),
        lease,
      )(async () => {
        const now = await members(key);
        const tickets = now.filter((t) => !out.has(t));
        if (tickets.length === now.length) return 0;
        await sets.updateOne({ _id: key }, { $set: { tickets } });
        return now.length - tickets.length;
      });
    },
    /** Applies the moves in order (each set under its own lease, one at a time). */
    async apply(ticketId: string, moves: readonly SetMove[]): Promise<void> {
      for (const m of moves) await move(ticketId, m);
    },
  };
}
