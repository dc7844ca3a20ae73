import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import {
  DEFAULT_LEASE,
  idempotencyModel,
  isDuplicateKey,
  writeLease,
  writeLeaseModel,
  type LeaseOptions,
} from '@starline/common';
import type { StandardContent } from '../rules/content.ts';
import { defaultStandardContent, fillMissingParts } from '../rules/defaults.ts';
import type { StandardStatus, TimelineEntry } from '../rules/lifecycle.ts';
import { counterModel, standardVersionModel, type AuditEntry, type StandardVersionDoc } from './models.ts';

export const DEFAULT_STANDARD_ID = 'standard-default';
export const DEFAULT_STANDARD_EFFECTIVE_FROM = new Date('2000-01-01T00:00:00.000Z');
export const SYSTEM_ACTOR = 'system';

const VERSION_SEQUENCE = 'standard_versions';
/** How stale another replica's view of the in-force timeline may be. */
export const TIMELINE_TTL_MS = 1_000;

/** A stored version as the rest of the service sees it: `id` instead of Mongo's `_id`, and complete content. */
export type StandardVersionRecord = Omit<StandardVersionDoc, '_id' | 'content'> & {
  id: string;
  content: StandardContent;
};

/** Every version read from the database passes here, so none reaches a caller without the newer fields. */
function toRecord(doc: StandardVersionDoc): StandardVersionRecord {
  const { _id, content, ...rest } = doc;
  return {
    ...rest,
    id: _id,
    content: fillMissingParts(content),
    history: (doc.history ?? []).map((h) => ({ at: h.at, actor: h.actor, action: h.action, detail: h.detail ?? null })),
  };
}

const audit = (at: Date, actor: string, action: string, detail: string | null = null): AuditEntry => ({
  at,
  actor,
  action,
  detail,
});

export type StandardStore = ReturnType<typeof createStandardStore>;

/**
 * Every read and write of the standards database. Callers make each read-check-write sequence
 * under `exclusively` (the write lease); each state change is still one single-document update
 * filtered on the state the caller saw, so on MongoDB it stays safe even past an expired lease.
 */
export function createStandardStore(conn: Connection, lease: LeaseOptions = DEFAULT_LEASE) {
  const versions: Model<StandardVersionDoc> = standardVersionModel(conn);
  const counters = counterModel(conn);
  const leases = writeLeaseModel(conn);
  const idempotency = idempotencyModel(conn);
  const exclusively = writeLease(leases, 'standards', lease);

  // Every ticket, evaluation and settlement reads the standard, so reads must not cost a database
  // round trip each. A published version never changes: it is cached for good once read. The
  // timeline (which version is in force when) is cached for TIMELINE_TTL_MS and dropped on every
  // write made here; a publication made by another replica is seen at most that much later.
  const published = new Map<string, StandardVersionRecord>();
  let cachedTimeline: { value: TimelineEntry[]; until: number } | null = null;
  let generation = 0;
  /** Runs a write; a timeline read that overlapped it is not cached. */
  const writing = async <T>(write: () => Promise<T>): Promise<T> => {
    generation++;
    cachedTimeline = null;
    try {
      return await write();
    } finally {
      generation++;
      cachedTimeline = null;
    }
  };

  const findById = async (id: string): Promise<StandardVersionRecord | null> => {
    const hit = published.get(id);
    if (hit) return hit;
    const doc = await versions.findById(id).lean<StandardVersionDoc>();
    const record = doc ? toRecord(doc) : null;
    if (record?.status === 'PUBLISHED') published.set(id, record);
    return record;
  };

  /** Every change bumps the revision, so a filter on (status, revision) names exactly the state seen. */
  const conditionalUpdate = async (
    filter: { _id: string; status: StandardStatus; revision: number },
    set: Partial<StandardVersionDoc>,
    entry: AuditEntry,
  ): Promise<StandardVersionRecord | null> => {
    const doc = await writing(() =>
      versions
        .findOneAndUpdate(filter, { $set: set, $push: { history: entry }, $inc: { revision: 1 } }, { new: true })
        .lean<StandardVersionDoc>(),
    );
    return doc ? toRecord(doc) : null;
  };

  const timeline = async (): Promise<TimelineEntry[]> => {
    if (cachedTimeline && cachedTimeline.until > Date.now()) return cachedTimeline.value;
    const seen = generation;
    const docs = await versions
      .find({ status: { $in: ['SCHEDULED', 'PUBLISHED'] } }, { number: 1, status: 1, effectiveFrom: 1 })
      .lean<Pick<StandardVersionDoc, '_id' | 'number' | 'status' | 'effectiveFrom'>[]>();
    const value = docs.map((d) => ({ id: d._id, number: d.number, status: d.status, effectiveFrom: d.effectiveFrom }));
    if (seen === generation) cachedTimeline = { value, until: Date.now() + TIMELINE_TTL_MS };
    return value;
  };

  return {
    idempotency,
    exclusively,

    async syncIndexes(): Promise<void> {
      await versions.syncIndexes();
      await counters.syncIndexes();
      await leases.syncIndexes();
      await idempotency.syncIndexes();
    },

    /**
     * The published default standard, created on first start. Safe when several processes start
     * at once: they take turns under the lease, and the fixed id makes a second insert a duplicate.
     */
    ensureDefaultStandard: (now = new Date()) =>
      exclusively(async (): Promise<StandardVersionRecord> => {
        // Drafts draw numbers from the sequence, so it must be past 1 before any draft is created.
        await counters.updateOne({ _id: VERSION_SEQUENCE }, { $max: { seq: 1 } }, { upsert: true });
        try {
          await writing(() =>
            versions.create({
              _id: DEFAULT_STANDARD_ID,
              number: 1,
              status: 'PUBLISHED',
              content: defaultStandardContent(),
              effectiveFrom: DEFAULT_STANDARD_EFFECTIVE_FROM,
              basedOn: null,
              createdBy: SYSTEM_ACTOR,
              createdAt: now,
              updatedAt: now,
              publishedBy: SYSTEM_ACTOR,
              publishedAt: now,
              revision: 0,
              history: [audit(now, SYSTEM_ACTOR, 'PUBLISHED', 'default standard, in force from 2000-01-01')],
            }),
          );
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const seeded = await findById(DEFAULT_STANDARD_ID);
        if (!seeded) throw new Error('version number 1 is taken by a version other than the default standard');
        return seeded;
      }),

    findById,
    timeline,

    /** Newest first; `beforeNumber` continues a page. */
    async page(
      statuses: readonly StandardStatus[],
      beforeNumber: number | null,
      limit: number,
    ): Promise<StandardVersionRecord[]> {
      const filter: Record<string, unknown> = { status: { $in: statuses } };
      if (beforeNumber !== null) filter['number'] = { $lt: beforeNumber };
      const docs = await versions.find(filter).sort({ number: -1 }).limit(limit).lean<StandardVersionDoc[]>();
      return docs.map(toRecord);
    },

    count(statuses: readonly StandardStatus[]): Promise<number> {
      return versions.countDocuments({ status: { $in: statuses } });
    },

    /** Call under the lease: the sequence's $inc is only exact with one writer on FerretDB. */
    async insertDraft(input: {
      content: StandardContent;
      basedOn: string | null;
      actor: string;
      now: Date;
      detail: string;
    }): Promise<StandardVersionRecord> {
      const counter = await counters
        .findOneAndUpdate({ _id: VERSION_SEQUENCE }, { $inc: { seq: 1 } }, { upsert: true, new: true })
        .lean<{ seq: number }>();
      if (!counter) throw new Error('the version sequence returned nothing');
      const doc: StandardVersionDoc = {
        _id: randomUUID(),
        number: counter.seq,
        status: 'DRAFT',
        content: input.content,
        effectiveFrom: null,
        basedOn: input.basedOn,
        createdBy: input.actor,
        createdAt: input.now,
        updatedAt: input.now,
        publishedBy: null,
        publishedAt: null,
        revision: 0,
        history: [audit(input.now, input.actor, 'CREATED', input.detail)],
      };
      await writing(() => versions.create(doc));
      return toRecord(doc);
    },

    /** null when the draft is no longer at `revision` (edited, published or discarded meanwhile). */
    updateDraft(id: string, revision: number, content: StandardContent, actor: string, now: Date, detail: string) {
      return conditionalUpdate(
        { _id: id, status: 'DRAFT', revision },
        { content, updatedAt: now },
        audit(now, actor, 'UPDATED', detail),
      );
    },

    async deleteDraft(id: string): Promise<boolean> {
      const result = await writing(() => versions.deleteOne({ _id: id, status: 'DRAFT' }));
      return result.deletedCount === 1;
    },

    /** DRAFT at `revision` → PUBLISHED; null when the draft changed meanwhile. */
    publishDraft(id: string, revision: number, effectiveFrom: Date, actor: string, now: Date) {
      return conditionalUpdate(
        { _id: id, status: 'DRAFT', revision },
        { status: 'PUBLISHED', effectiveFrom, publishedBy: actor, publishedAt: now, updatedAt: now },
        audit(now, actor, 'PUBLISHED', `in force from ${effectiveFrom.toISOString()}`),
      );
    },

    /** DRAFT at `revision` → SCHEDULED; null when the draft changed meanwhile. */
    scheduleDraft(id: string, revision: number, effectiveFrom: Date, actor: string, now: Date) {
      return conditionalUpdate(
        { _id: id, status: 'DRAFT', revision },
        { status: 'SCHEDULED', effectiveFrom, updatedAt: now },
        audit(now, actor, 'SCHEDULED', `to take effect at ${effectiveFrom.toISOString()}`),
      );
    },

    /** SCHEDULED → DRAFT (cancelled, or its workflow could not be started); null when no longer so. */
    unschedule(
      id: string,
      revision: number,
      actor: string,
      now: Date,
      action: 'SCHEDULE_CANCELLED' | 'SCHEDULE_FAILED',
      detail: string,
    ) {
      return conditionalUpdate(
        { _id: id, status: 'SCHEDULED', revision },
        { status: 'DRAFT', effectiveFrom: null, updatedAt: now },
        audit(now, actor, action, detail),
      );
    },

    /** SCHEDULED → PUBLISHED at its effective instant; null when no longer so. */
    putInForce(id: string, revision: number, actor: string, now: Date) {
      return conditionalUpdate(
        { _id: id, status: 'SCHEDULED', revision },
        { status: 'PUBLISHED', publishedBy: actor, publishedAt: now, updatedAt: now },
        audit(now, actor, 'PUBLISHED', 'put in force by the scheduled publication'),
      );
    },
  };
}
