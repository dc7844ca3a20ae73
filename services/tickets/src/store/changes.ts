import type { Connection, Model } from 'mongoose';
import { isDuplicateKey, writeLease, type LeaseOptions, type WriteLeaseDoc } from '@starline/common';
import type { ChangeContent } from '../effects.ts';
import { insertOnce } from './facts.ts';
import {
  changeBucketModel,
  changeModel,
  feedHeadModel,
  receiptModel,
  type BucketEntry,
  type ChangeBucketDoc,
  type ChangeDoc,
} from './models.ts';

export type ChangeRecord = BucketEntry;

/** Widest page a reader may ask for: at most FEED_PAGE_MAX / FEED_BUCKET + 1 bucket reads. */
export const FEED_PAGE_MAX = 500;
/** Entries per bucket: few reads per page, and a bucket (~20 kB) stays cheap to rewrite on each append. */
export const FEED_BUCKET = 100;

export const feedLease = (centreId: string): string => `feed:${centreId}`;
export const changeId = (centreId: string, seq: number): string => `${centreId}:${String(seq).padStart(12, '0')}`;
export const bucketNo = (seq: number): number => Math.floor((seq - 1) / FEED_BUCKET);
export const bucketId = (centreId: string, no: number): string => `${centreId}:${no}`;
const receiptId = (centreId: string, ticketId: string, version: number): string => `${centreId}|${ticketId}|${version}`;

const record = ({ _id: _, feed: _feed, ...rest }: ChangeDoc): ChangeRecord => rest;

/**
 * An entry as a bucket stores it: one JSON array in a string. FerretDB v1 stores every field of a
 * document with its type beside it and converts the whole document on each read and each update, so
 * a bucket of 100 one-string entries costs a fraction of 100 seven-field objects — on every append
 * and every page read.
 */
export const packEntry = (e: ChangeRecord): string =>
  JSON.stringify([e.seq, e.ticketId, e.version, e.centreId, e.state, new Date(e.at).toISOString(), e.types]);

/** A bucket's entry, packed or (written before packing) an object. */
export function unpackEntry(stored: string | ChangeRecord): ChangeRecord {
  if (typeof stored !== 'string') return stored;
  const [seq, ticketId, version, centreId, state, at, types] = JSON.parse(stored) as [
    number,
    string,
    number,
    string | null,
    string,
    string,
    string[],
  ];
  return { seq, ticketId, version, centreId, state, at: new Date(at), types };
}

/**
 * Copies entries into their buckets: one `$set` of `entries.<seq>` per bucket, so a repeat writes the
 * same values again and entries already there stay. (Also what the partner-sync bench seeds with.)
 */
export async function putInBuckets(
  buckets: Model<ChangeBucketDoc>,
  centreId: string,
  entries: readonly ChangeRecord[],
): Promise<void> {
  const byBucket = new Map<number, Record<string, string>>();
  for (const e of entries)
    byBucket.set(bucketNo(e.seq), { ...byBucket.get(bucketNo(e.seq)), [`entries.${e.seq}`]: packEntry(e) });
  await Promise.all(
    [...byBucket].map(async ([no, $set]) => {
      const filter = { _id: bucketId(centreId, no) };
      try {
        await buckets.updateOne(filter, { $set }, { upsert: true });
      } catch (error) {
        // Two writers created the bucket at once (only a stalled lease holder's race): it exists now.
        if (!isDuplicateKey(error)) throw error;
        await buckets.updateOne(filter, { $set });
      }
    }),
  );
}

/**
 * The partner sync change feeds (`ticket_changes`): one per centre, "every change since my cursor,
 * in order, none skipped or repeated". Everything is read and written by `_id` (FerretDB v1 scans
 * the whole collection for anything else): entry `<centre>:<seq>`, bucket `<centre>:<bucketNo>` (a
 * copy of FEED_BUCKET consecutive entries, what readers read), head `<centre>` (the last seq readers
 * may see), receipt `<centre>|<ticket>|<version>` (which seq that ticket version got).
 *
 * Appends to one centre's feed take the lease `feed:<centre>`; different centres never wait on each
 * other. Order of writes: entry, bucket, receipt, head. So every entry up to the head exists, is in
 * its bucket and has its receipt (a reader that stops at the head never meets a hole), and a writer
 * that died after its entry left at most a run of entries just past the head (perhaps already in
 * their bucket: readers skip what is past the head), which the next append adopts (bucket, receipt,
 * then head) before its own. A retried delivery finds its receipt and appends nothing.
 *
 * Why entries are still documents of their own: inserting `_id` is the one write FerretDB v1 applies
 * atomically (its updates are read-modify-write, see common/src/lease.ts). If a lease holder stalls
 * past its lease, the unique entry `_id` still refuses a second entry at the same seq (the loser
 * adopts the winner's and moves on), whereas the two writers' bucket updates may lose one another's
 * `$set`. So a bucket may lack an entry, never hold a wrong one (each seq's value is a copy of the
 * one entry document), and a reader reads whatever its buckets lack from the entry documents: also
 * what makes feeds written before buckets existed readable as they are.
 */
export function createChangeFeed(conn: Connection, leases: Model<WriteLeaseDoc>, lease: LeaseOptions) {
  const changes = changeModel(conn);
  const buckets = changeBucketModel(conn);
  const heads = feedHeadModel(conn);
  const receipts = receiptModel(conn);

  const head = async (centreId: string): Promise<number> =>
    (await heads.findById(centreId).lean<{ last: number }>())?.last ?? 0;

  /** Appends (ticketId, version) to one centre's feed, once; returns its seq. */
  function appendTo(centreId: string, ticketId: string, version: number, content: ChangeContent): Promise<number> {
    return writeLease(
      leases,
      feedLease(centreId),
      lease,
    )(async () => {
      let last = await head(centreId);
      const adopted = last;
      /** Everything after the entry insert: bucket, then receipt (the head moves once, below). */
      const settle = async (entry: ChangeDoc) => {
        await putInBuckets(buckets, centreId, [record(entry)]);
        await insertOnce(receipts, { _id: receiptId(centreId, entry.ticketId, entry.version), seq: entry.seq });
      };
      // Adopt entries a writer left past the head (it died before its bucket, receipt or head update).
      for (;;) {
        const next = await changes.findById(changeId(centreId, last + 1)).lean<ChangeDoc>();
        if (!next) break;
        await settle(next);
        last++;
      }
      let seq = (await receipts.findById(receiptId(centreId, ticketId, version)).lean<{ seq: number }>())?.seq;
      if (seq === undefined) {
        seq = last + 1;
        const entry = {
          feed: centreId,
          ticketId,
          version,
          centreId: content.centreId,
          state: content.state,
          at: content.at,
          types: content.types,
        };
        // Taken only if a stalled holder's lease expired under it: adopt that entry and try the next seq.
        while (!(await insertOnce(changes, { _id: changeId(centreId, seq), seq, ...entry }))) {
          await settle((await changes.findById(changeId(centreId, seq)).lean<ChangeDoc>())!);
          seq++;
        }
        await settle({ _id: changeId(centreId, seq), seq, ...entry });
      }
      const top = Math.max(seq, last);
      if (top > adopted) await heads.updateOne({ _id: centreId }, { $set: { last: top } }, { upsert: true });
      return seq;
    });
  }

  return {
    models: [changes, buckets, heads, receipts] as const,

    /** Appends the change of (ticketId, version) to the feed of every centre it concerns; a repeat appends nothing. */
    async append(ticketId: string, version: number, content: ChangeContent): Promise<void> {
      // One centre at a time, in a fixed (sorted) order, so two appends never wait on each other in a cycle.
      for (const centreId of content.centreIds) await appendTo(centreId, ticketId, version, content);
    },

    /** The centre's last seq (0 before its first change). */
    head,

    /**
     * The centre's changes after seq `after`, in order, at most `limit` (1–FEED_PAGE_MAX): `_id` reads
     * of the head, then of the buckets up to it (ceil(limit / FEED_BUCKET) + 1 at most), then of the
     * entry documents of any seq a bucket lacks (none, unless written before buckets or lost to a race).
     */
    async since(centreId: string, after: number, limit: number): Promise<ChangeRecord[]> {
      const last = Math.min(await head(centreId), after + Math.min(limit, FEED_PAGE_MAX));
      if (last <= after) return [];
      const first = bucketNo(after + 1);
      const read = await Promise.all(
        Array.from({ length: bucketNo(last) - first + 1 }, (_, i) =>
          buckets.findById(bucketId(centreId, first + i)).lean<ChangeBucketDoc>(),
        ),
      );
      const seqs = Array.from({ length: last - after }, (_, i) => after + 1 + i);
      return Promise.all(
        seqs.map(async (seq) => {
          const inBucket = read[bucketNo(seq) - first]?.entries[String(seq)];
          if (inBucket) return unpackEntry(inBucket);
          const d = await changes.findById(changeId(centreId, seq)).lean<ChangeDoc>();
          if (!d) throw new Error(`change feed of ${centreId} has no entry ${seq} below its head ${last}`);
          return record(d);
        }),
      );
    },
  };
}
