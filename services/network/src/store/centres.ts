import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import {
  DEFAULT_LEASE,
  findByIds,
  idempotencyModel,
  writeLease,
  writeLeaseModel,
  type LeaseOptions,
} from '@starline/common';
import { monthsEndingAt, previousMonth } from '../rules/month.ts';
import type { CentreStatus } from '../rules/status.ts';
import type { CentreTier } from '../rules/validate.ts';
import {
  centreModel,
  gradeModel,
  writerModel,
  type CentreDoc,
  type GradeDoc,
  type PayeeChangeDoc,
  type PayeeDoc,
  type PayeeValuesDoc,
  type StatusChangeDoc,
} from './models.ts';
import { createEvaluationStore } from './evaluations.ts';
import { centreSnapshot } from './snapshot.ts';

export type PayeeRecord = PayeeDoc;
export type PayeeChangeRecord = PayeeChangeDoc;
export type CentreRecord = Omit<CentreDoc, '_id' | 'payee' | 'payeeHistory'> & {
  id: string;
  /** Null until an operator sets them. */
  payee: PayeeRecord | null;
  /** Oldest first. */
  payeeHistory: PayeeChangeRecord[];
};

const payeeValues = (v: PayeeValuesDoc): PayeeValuesDoc => ({
  accountName: v.accountName,
  bank: v.bank,
  accountNumber: v.accountNumber,
});
export type GradeRecord = Omit<GradeDoc, '_id'>;

function toRecord(doc: CentreDoc): CentreRecord {
  const { _id, ...rest } = doc;
  return {
    ...rest,
    id: _id,
    parentId: doc.parentId ?? null,
    starRating: doc.starRating ?? null,
    contact: { name: doc.contact.name, phone: doc.contact.phone, email: doc.contact.email ?? null },
    statusHistory: (doc.statusHistory ?? []).map((h) => ({
      from: h.from ?? null,
      to: h.to,
      at: h.at,
      actor: h.actor,
      reason: h.reason ?? null,
      evidence: h.evidence ?? null,
    })),
    payee: doc.payee
      ? { ...payeeValues(doc.payee), updatedAt: doc.payee.updatedAt, updatedBy: doc.payee.updatedBy }
      : null,
    payeeHistory: (doc.payeeHistory ?? []).map((h) => ({
      at: h.at,
      actor: h.actor,
      reason: h.reason,
      from: h.from ? payeeValues(h.from) : null,
      to: payeeValues(h.to),
    })),
  };
}

function toGrade(doc: GradeDoc): GradeRecord {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}

export interface CentreListFilter {
  region?: string | null;
  tier?: CentreTier | null;
  status?: CentreStatus | null;
  productLine?: string | null;
  parentId?: string | null;
  /** Restricts the list to these ids (a partner's visible centres). */
  ids?: readonly string[];
}

export const TREE_LEASE = 'network-tree';
export const centreLease = (id: string) => `centre:${id}`;

export type CentreStore = ReturnType<typeof createCentreStore>;

export interface CentreStoreOptions {
  lease?: LeaseOptions;
  /** How often the network tree looks for other processes' writes (see snapshot.ts). */
  treeCheckEveryMs?: number;
  onTreeReloadError?: (err: unknown) => void;
}

/**
 * Every read and write of the network database. FerretDB v1 applies no update atomically, so each
 * read-check-write runs under a write lease: `network-tree` for creating or moving centres (the
 * parent/level/cycle checks), `centre:<id>` for anything else that changes one centre. A caller
 * holding both takes the tree lease first.
 */
export function createCentreStore(conn: Connection, opts: CentreStoreOptions = {}) {
  const lease = opts.lease ?? DEFAULT_LEASE;
  const centres = centreModel(conn);
  const grades = gradeModel(conn);
  const leases = writeLeaseModel(conn);
  const idempotency = idempotencyModel(conn);
  const writers = writerModel(conn);
  const evaluations = createEvaluationStore(conn, leases, lease);

  const writerId = randomUUID();
  let writes = 0;
  const tree = centreSnapshot(
    {
      loadAll: async () => (await centres.find().lean<CentreDoc[]>()).map(toRecord),
      // One row per process that ever wrote: a small collection, so reading it whole is cheap.
      writeCounts: async () =>
        new Map((await writers.find().lean<{ _id: string; writes: number }[]>()).map((w) => [w._id, w.writes])),
    },
    { writerId, checkEveryMs: opts.treeCheckEveryMs ?? 1000, onReloadError: opts.onTreeReloadError },
  );

  /** After a centre is written: the snapshot takes it, and the write count tells other processes. */
  const wrote = async (record: CentreRecord): Promise<CentreRecord> => {
    tree.put(record);
    await writers.replaceOne({ _id: writerId }, { _id: writerId, writes: ++writes, at: new Date() }, { upsert: true });
    return record;
  };

  const findById = async (id: string): Promise<CentreRecord | null> => {
    const doc = await centres.findById(id).lean<CentreDoc>();
    return doc ? toRecord(doc) : null;
  };

  const mongoFilter = (f: CentreListFilter): Record<string, unknown> => {
    const q: Record<string, unknown> = {};
    if (f.region) q['region'] = f.region;
    if (f.tier) q['tier'] = f.tier;
    if (f.status) q['status'] = f.status;
    if (f.productLine) q['productLines'] = f.productLine;
    if (f.parentId) q['parentId'] = f.parentId;
    if (f.ids) q['_id'] = { $in: [...f.ids] };
    return q;
  };

  return {
    idempotency,
    /** Runs `work` as the only writer of the tree shape (create, move). */
    exclusiveTree: <T>(work: () => Promise<T>) => writeLease(leases, TREE_LEASE, lease)(work),
    /** Runs `work` as the only writer of one centre. */
    exclusiveCentre: <T>(id: string, work: () => Promise<T>) => writeLease(leases, centreLease(id), lease)(work),

    async syncIndexes(): Promise<void> {
      await centres.syncIndexes();
      await grades.syncIndexes();
      await leases.syncIndexes();
      await idempotency.syncIndexes();
      await writers.syncIndexes();
      await evaluations.syncIndexes();
    },

    /** The monthly evaluation's records, scorecards, lists and disputes (evaluations.ts). */
    evaluations,

    /** The network tree as this process holds it in memory (see snapshot.ts). */
    tree,

    findById,

    async findByCode(code: string): Promise<CentreRecord | null> {
      const doc = await centres.findOne({ code }).lean<CentreDoc>();
      return doc ? toRecord(doc) : null;
    },

    async findMany(ids: readonly string[]): Promise<CentreRecord[]> {
      if (ids.length === 0) return [];
      return (await findByIds(centres, ids)).map(toRecord);
    },

    /** Read from the database: for checks under the tree lease, which must see every write. */
    async children(parentIds: readonly string[], limit: number): Promise<CentreRecord[]> {
      if (parentIds.length === 0) return [];
      const docs = await centres
        .find({ parentId: { $in: [...parentIds] } })
        .sort({ code: 1 })
        .limit(limit)
        .lean<CentreDoc[]>();
      return docs.map(toRecord);
    },

    /** Ordered by code; `afterCode` continues a page. */
    async page(filter: CentreListFilter, afterCode: string | null, limit: number): Promise<CentreRecord[]> {
      const q = mongoFilter(filter);
      if (afterCode !== null) q['code'] = { $gt: afterCode };
      const docs = await centres.find(q).sort({ code: 1 }).limit(limit).lean<CentreDoc[]>();
      return docs.map(toRecord);
    },

    count(filter: CentreListFilter): Promise<number> {
      return centres.countDocuments(mongoFilter(filter));
    },

    /**
     * ACTIVE centres serving the area and product line: found in the in-memory network (FerretDB
     * would scan for them), then read by `_id` so each status is the database's, not the snapshot's.
     */
    async dispatchCandidates(regionCode: string, productLine: string): Promise<CentreRecord[]> {
      const ids = await tree.serving(regionCode, productLine);
      if (ids.length === 0) return [];
      return (await findByIds(centres, ids))
        .map(toRecord)
        .filter(
          (c) => c.status === 'ACTIVE' && c.serviceAreas.includes(regionCode) && c.productLines.includes(productLine),
        );
    },

    /** Insert; a duplicate code surfaces as the driver's 11000. */
    async insert(fields: Omit<CentreRecord, 'id'>): Promise<CentreRecord> {
      const doc: CentreDoc = { _id: randomUUID(), ...fields };
      await centres.create(doc);
      return wrote(toRecord(doc));
    },

    /** Call under the centre's lease. */
    async update(
      id: string,
      set: Partial<Omit<CentreDoc, '_id' | 'code' | 'statusHistory' | 'payee' | 'payeeHistory'>>,
    ): Promise<CentreRecord | null> {
      const doc = await centres.findOneAndUpdate({ _id: id }, { $set: set }, { new: true }).lean<CentreDoc>();
      return doc ? wrote(toRecord(doc)) : null;
    },

    /**
     * Call under the centre's lease, having checked the transition against `from`. Null when the
     * centre is not (or no longer) in `from`. The lease makes the read-then-write safe; a filter on
     * `status` as well would make FerretDB scan every centre (it uses the index for `{_id}` alone).
     */
    async changeStatus(id: string, from: CentreStatus, change: StatusChangeDoc): Promise<CentreRecord | null> {
      if ((await findById(id))?.status !== from) return null;
      const doc = await centres
        .findOneAndUpdate(
          { _id: id },
          { $set: { status: change.to, updatedAt: change.at }, $push: { statusHistory: change } },
          { new: true },
        )
        .lean<CentreDoc>();
      return doc ? wrote(toRecord(doc)) : null;
    },

    /**
     * Call under the centre's lease: replaces the payee details and appends the change to their
     * history, by `_id` alone. Null when the centre does not exist.
     */
    async setPayee(id: string, payee: PayeeDoc, change: PayeeChangeDoc): Promise<CentreRecord | null> {
      const doc = await centres
        .findOneAndUpdate(
          { _id: id },
          { $set: { payee, updatedAt: change.at }, $push: { payeeHistory: change } },
          { new: true },
        )
        .lean<CentreDoc>();
      return doc ? wrote(toRecord(doc)) : null;
    },

    async setLevels(levels: readonly { id: string; level: number }[], at: Date): Promise<void> {
      for (const { id, level } of levels) {
        const doc = await centres
          .findOneAndUpdate({ _id: id }, { $set: { level, updatedAt: at } }, { new: true })
          .lean<CentreDoc>();
        if (doc) await wrote(toRecord(doc));
      }
    },

    /** The grades of the `months` months before `month`, newest first, each read by `_id` (never a scan). */
    async gradesBefore(centreIds: readonly string[], month: string, months: number): Promise<GradeRecord[]> {
      const ids = centreIds.flatMap((c) => monthsEndingAt(previousMonth(month), months).map((m) => `${c}:${m}`));
      if (ids.length === 0) return [];
      return (await findByIds(grades, ids))
        .map(toGrade)
        .sort((a, b) => (a.month < b.month ? 1 : a.month > b.month ? -1 : 0));
    },

    async findGrade(centreId: string, month: string): Promise<GradeRecord | null> {
      const doc = await grades.findById(`${centreId}:${month}`).lean<GradeDoc>();
      return doc ? toGrade(doc) : null;
    },

    /** The grades of these centres in these months that exist, read by `_id` (`<centreId>:<month>`). */
    async gradesIn(centreIds: readonly string[], months: readonly string[]): Promise<GradeRecord[]> {
      const ids = centreIds.flatMap((c) => months.map((m) => `${c}:${m}`));
      if (ids.length === 0) return [];
      return (await findByIds(grades, ids)).map(toGrade);
    },

    /** Call under the centre's lease: inserts or replaces the (centre, month) grade. */
    async putGrade(g: GradeRecord): Promise<void> {
      await grades.replaceOne(
        { _id: `${g.centreId}:${g.month}` },
        { _id: `${g.centreId}:${g.month}`, ...g },
        { upsert: true },
      );
    },
  };
}
