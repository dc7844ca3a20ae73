import type { Connection, Model } from 'mongoose';
import { writeLease, type LeaseOptions, type WriteLeaseDoc } from '@starline/common';
import type { ChangeContent } from '../effects.ts';
import { insertOnce } from './facts.ts';
import { changeModel, feedHeadModel, receiptModel, type ChangeDoc } from './models.ts';

export type ChangeRecord = Omit<ChangeDoc, '_id' | 'feed'>;

/** Widest page a reader may ask for: each entry is one `_id` read. */
export const FEED_PAGE_MAX = 500;

export const feedLease = (centreId: string): string => `feed:${centreId}`;
export const changeId = (centreId: string, seq: number): string => `${centreId}:${String(seq).padStart(12, '0')}`;
const receiptId = (centreId: string, ticketId: string, version: number): string => `${centreId}|${ticketId}|${version}`;

const record = ({ _id: _, feed: _feed, ...rest }: ChangeDoc): ChangeRecord => rest;

/**
 * The partner sync change feeds (`ticket_changes`): one per centre, "every change since my cursor,
 * in order, none skipped or repeated". Everything is read and written by `_id` (FerretDB v1 scans
 * the whole collection for anything else): entry `<centre>:<seq>`, head `<centre>` (the last seq
 * readers may see), receipt `<centre>|<ticket>|<version>` (which seq that ticket version got).
 *
 * Appends to one centre's feed take the lease `feed:<centre>`; different centres never wait on each
 * other. Order of writes: entry, receipt, head. So every entry up to the head exists and has its
 * receipt (a reader that stops at the head never meets a hole), and a writer that died after its
 * entry left at most a run of entries just past the head, which the next append adopts (receipt,
 * then head) before its own. A retried delivery finds its receipt and appends nothing. If a lease
 * holder stalls past its lease, the unique `_id` still refuses a second entry at the same seq: the
 * loser adopts the winner's and moves on.
 */
export function createChangeFeed(conn: Connection, leases: Model<WriteLeaseDoc>, lease: LeaseOptions) {
  const changes = changeModel(conn);
  const heads = feedHeadModel(conn);
  const receipts = receiptModel(conn);

  const head = async (centreId: string): Promise<number> => (await heads.findById(centreId).lean<{ last: number }>())?.last ?? 0;

  /** Appends (ticketId, version) to one centre's feed, once; returns its seq. */
  function appendTo(centreId: string, ticketId: string, version: number, content: ChangeContent): Promise<number> {
    return writeLease(leases, feedLease(centreId), lease)(async () => {
      let last = await head(centreId);
      const adopted = last;
      // Adopt entries a writer left past the head (it died before its receipt or head update).
      for (;;) {
        const next = await changes.findById(changeId(centreId, last + 1)).lean<ChangeDoc>();
        if (!next) break;
        await insertOnce(receipts, { _id: receiptId(centreId, next.ticketId, next.version), seq: next.seq });
        last++;
      }
      let seq = (await receipts.findById(receiptId(centreId, ticketId, version)).lean<{ seq: number }>())?.seq;
      if (seq === undefined) {
        seq = last + 1;
        const entry = { feed: centreId, ticketId, version, centreId: content.centreId, state: content.state, at: content.at, types: content.types };
        // Taken only if a stalled holder's lease expired under it: adopt that entry and try the next seq.
        while (!(await insertOnce(changes, { _id: changeId(centreId, seq), seq, ...entry }))) {
          const there = (await changes.findById(changeId(centreId, seq)).lean<ChangeDoc>())!;
          await insertOnce(receipts, { _id: receiptId(centreId, there.ticketId, there.version), seq });
          seq++;
        }
        await insertOnce(receipts, { _id: receiptId(centreId, ticketId, version), seq });
      }
      const top = Math.max(seq, last);
      if (top > adopted) await heads.updateOne({ _id: centreId }, { $set: { last: top } }, { upsert: true });
      return seq;
    });
  }

  return {
    models: [changes, heads, receipts] as const,

    /** Appends the change of (ticketId, version) to the feed of every centre it concerns; a repeat appends nothing. */
    async append(ticketId: string, version: number, content: ChangeContent): Promise<void> {
      // One centre at a time, in a fixed (sorted) order, so two appends never wait on each other in a cycle.
      for (const centreId of content.centreIds) await appendTo(centreId, ticketId, version, content);
    },

    /** The centre's last seq (0 before its first change). */
    head,

    /** The centre's changes after seq `after`, in order, at most `limit` (1–FEED_PAGE_MAX): `_id` reads up to the head. */
    async since(centreId: string, after: number, limit: number): Promise<ChangeRecord[]> {
      const last = Math.min(await head(centreId), after + Math.min(limit, FEED_PAGE_MAX));
      const seqs = Array.from({ length: Math.max(0, last - after) }, (_, i) => after + 1 + i);
      const docs = await Promise.all(seqs.map((seq) => changes.findById(changeId(centreId, seq)).lean<ChangeDoc>()));
      return docs.map((d, i) => {
        if (!d) throw new Error(`change feed of ${centreId} has no entry ${seqs[i]} below its head ${last}`);
        return record(d);
      });
    },
  };
}
