import type { Connection } from 'mongoose';
import { findByIds, isDuplicateKey } from '@starline/common';
import { disputeModel, type DisputeDoc, type DisputeState } from './evaluation-models.ts';

export type { DisputeState };

export type DisputeRecord = Omit<DisputeDoc, '_id'> & { id: string };

/** A line of the month's dispute list: [disputeId, centreId], in the order they were opened. */
export type DisputeEntry = [disputeId: string, centreId: string];

function toRecord(doc: DisputeDoc): DisputeRecord {
  const { _id, ...rest } = doc;
  return {
    ...rest,
    id: _id,
    decidedBy: doc.decidedBy ?? null,
    decidedAt: doc.decidedAt ?? null,
    decisionReason: doc.decisionReason ?? null,
    decisionRequest: doc.decisionRequest ?? null,
  };
}

interface IndexAccess {
  readIndex<E>(id: string): Promise<{ run: number; entries: E[] } | null>;
  writeIndex(month: string, id: string, run: number, entries: readonly unknown[]): Promise<void>;
}

const listId = (month: string) => `${month}|disputes`;

/**
 * Disputes of provisional scorecards, by `_id`, with the month's list of dispute ids packed in the
 * index document `<month>|disputes` (a handful a month): listing and counting a month's disputes is
 * two `_id` reads. The state lives in the dispute alone, so the list never disagrees with it. Every
 * write is made under the month's evaluation lease by the caller. A dispute is inserted before it
 * joins the list: one whose request died between the two is invisible until a retry of that request
 * (same id) joins it.
 */
export function createDisputeStore(conn: Connection, index: IndexAccess) {
  const disputes = disputeModel(conn);

  const entriesOf = async (month: string): Promise<DisputeEntry[]> =>
    (await index.readIndex<DisputeEntry>(listId(month)))?.entries ?? [];

  return {
    model: disputes,
    syncIndexes: () => disputes.syncIndexes(),

    async find(id: string): Promise<DisputeRecord | null> {
      const doc = await disputes.findById(id).lean<DisputeDoc>();
      return doc ? toRecord(doc) : null;
    },

    /** The month's disputes in the order they were opened (optionally one centre's only). */
    async ofMonth(month: string, centreId?: string): Promise<DisputeRecord[]> {
      const entries = (await entriesOf(month)).filter(([, c]) => centreId === undefined || c === centreId);
      if (entries.length === 0) return [];
      const byId = new Map(
        (
          await findByIds(
            disputes,
            entries.map(([id]) => id),
          )
        ).map((d) => [d._id, toRecord(d)] as const),
      );
      return entries.flatMap(([id]) => byId.get(id) ?? []);
    },

    /** Call under the month's lease: inserts the dispute (a retry finds it there) and joins it to the month's list. */
    async insert(record: DisputeRecord): Promise<void> {
      const { id, ...rest } = record;
      try {
        await disputes.create({ _id: id, ...rest });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      await this.join(record.month, id, record.centreId);
    },

    /** Call under the month's lease: puts the dispute on the month's list unless it is there. */
    async join(month: string, id: string, centreId: string): Promise<void> {
      const entries = await entriesOf(month);
      if (entries.some(([d]) => d === id)) return;
      await index.writeIndex(month, listId(month), 0, [...entries, [id, centreId]]);
    },

    /** Call under the month's lease, having checked the dispute is OPEN. */
    async decide(
      id: string,
      decision: {
        state: Exclude<DisputeState, 'OPEN'>;
        decidedBy: string;
        decidedAt: Date;
        decisionReason: string;
        decisionRequest: string;
      },
    ): Promise<void> {
      await disputes.updateOne({ _id: id }, { $set: decision });
    },
  };
}
