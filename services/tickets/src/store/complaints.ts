import type { Connection, Model } from 'mongoose';
import { writeLease, type LeaseOptions, type WriteLeaseDoc } from '@starline/common';
import type { KpiFact } from '../effects.ts';
import type { ComplaintOpenedEvent, ComplaintPatch, ComplaintSnapshot, ComplaintState } from '../rules/complaint.ts';
import { kpiFacts } from '../rules/kpi-facts.ts';
import { insertOnce } from './facts.ts';
import { complaintModel, type ComplaintDoc, type ComplaintEvidenceEntry, type ComplaintPending } from './models.ts';
import type { createTicketSets } from './sets.ts';

export const complaintLease = (id: string): string => `complaint:${id}`;
/** The `_id`-keyed lists of complaint ids (kept in `ticket_sets`, in the order they were opened). */
export const ticketComplaintsKey = (ticketId: string): string => `complaints:ticket:${ticketId}`;
export const centreComplaintsKey = (centreId: string): string => `complaints:centre:${centreId}`;
/** Complaints whose licence evidence is not delivered yet: what the sweep retries. */
export const OWING_COMPLAINTS_KEY = 'complaints:owing-evidence';

/**
 * A complaint as the service reads it: every field present (a callback-opened one lacks the later ones until first
 * changed).
 */
export interface ComplaintRecord extends ComplaintSnapshot {
  source: 'CALLBACK' | 'CUSTOMER';
  description: string | null;
  openedBy: string | null;
  version: number;
  standardVersionId: string;
  applied: string[];
  evidence: ComplaintEvidenceEntry[];
  pending: ComplaintPending | null;
  updatedAt: Date;
}

export function complaintRecord(doc: ComplaintDoc): ComplaintRecord {
  const { _id, ...d } = doc;
  const state: ComplaintState = d.state ?? (d.respondedAt ? 'RESPONDED' : 'OPEN');
  return {
    ...d,
    id: _id,
    state,
    version: d.version ?? 1,
    description: d.description ?? null,
    openedBy: d.openedBy ?? null,
    responseMet: d.responseMet ?? (d.respondedAt ? d.respondedAt.getTime() <= d.responseBy.getTime() : null),
    responseNote: d.responseNote ?? null,
    rootCause: d.rootCause ?? null,
    resolution: d.resolution ?? null,
    resolvedAt: d.resolvedAt ?? null,
    closedAt: d.closedAt ?? null,
    applied: d.applied ?? [],
    evidence: d.evidence ?? [],
    pending: d.pending ?? null,
    updatedAt: d.updatedAt ?? d.openedAt,
  };
}

/** The KPI facts of a complaint's opening: `complaint:<id>:<counter>:<centre>`, so a retried delivery adds nothing. */
export function complaintKpiFacts(opened: ComplaintOpenedEvent): KpiFact[] {
  return kpiFacts(opened).map((inc) => ({
    id: `complaint:${opened.data.complaintId}:${inc.counter}:${inc.centreId}`,
    ticketId: opened.data.ticketId,
    version: 1,
    centreId: inc.centreId,
    month: inc.month,
    counter: inc.counter,
    by: inc.by,
    at: opened.at,
  }));
}

/**
 * Complaints by `_id` only. A change is one conditional single-document write under the lease
 * `complaint:<id>` (version re-read first: FerretDB uses the `_id` index only for a filter on `_id`
 * alone), carrying its outbox (`pending`: KPI facts, licence evidence) which `deliver` clears. The
 * per-ticket and per-centre lists are `ticket_sets` documents joined before the complaint is
 * inserted, so a list never misses one (an id whose insert failed is skipped on read).
 */
export function createComplaintsStore(
  conn: Connection,
  leases: Model<WriteLeaseDoc>,
  lease: LeaseOptions,
  sets: ReturnType<typeof createTicketSets>,
  countKpiFacts: (facts: readonly KpiFact[]) => Promise<number>,
) {
  const complaints = complaintModel(conn);

  const find = async (id: string): Promise<ComplaintRecord | null> => {
    const doc = await complaints.findById(id).lean<ComplaintDoc>();
    return doc ? complaintRecord(doc) : null;
  };

  return {
    find,
    exclusive: <T>(id: string, work: () => Promise<T>): Promise<T> =>
      writeLease(leases, complaintLease(id), lease)(work),

    /** Ids in a list, oldest first. */
    ids: (key: string): Promise<string[]> => sets.members(key),

    /** Complaints that still owe licence evidence (certification was unreachable when they were delivered). */
    owing: (): Promise<string[]> => sets.members(OWING_COMPLAINTS_KEY),

    /** Joins the complaint's lists; call before inserting it. Idempotent. */
    async join(id: string, ticketId: string, centreId: string): Promise<void> {
      await sets.apply(id, [
        { key: ticketComplaintsKey(ticketId), add: true },
        { key: centreComplaintsKey(centreId), add: true },
      ]);
    },

    /** Inserts the complaint unless its id exists; true when this call inserted it. */
    async insert(c: ComplaintRecord): Promise<boolean> {
      const { id, ...rest } = c;
      return insertOnce(complaints, { _id: id, ...rest } as ComplaintDoc);
    },

    /** One decided change (call under the complaint's lease): patch, version + 1, the request id, the outbox. */
    async commit(
      current: ComplaintRecord,
      patch: ComplaintPatch,
      o: { at: Date; requestId: string | null; pending: ComplaintPending | null; evidence?: ComplaintEvidenceEntry[] },
    ): Promise<ComplaintRecord> {
      const stored = await complaints.findById(current.id, { version: 1 }).lean<{ version?: number }>();
      if ((stored?.version ?? 1) !== current.version)
        throw new Error(`complaint ${current.id} is no longer at version ${current.version}: its lease was lost`);
      const version = current.version + 1;
      const applied = o.requestId ? [...current.applied, o.requestId] : current.applied;
      const evidence = o.evidence ?? current.evidence;
      const set = {
        ...patch,
        state: patch.state ?? current.state,
        version,
        applied,
        evidence,
        pending: o.pending,
        updatedAt: o.at,
      };
      // Listed before it owes anything, so the sweep never misses evidence a lost delivery left behind.
      if (o.pending?.evidence.length) await sets.apply(current.id, [{ key: OWING_COMPLAINTS_KEY, add: true }]);
      await complaints.updateOne({ _id: current.id }, { $set: set });
      return { ...current, ...set };
    },

    /**
     * Delivers the outbox (call under the lease): KPI facts (counted once per complaint in kpi_months) and licence
     * evidence
     * through `record` (idempotent by evidence key downstream). Evidence `record` answers RETRY for
     * (certification unreachable) stays pending for the next delivery; RECORDED marks the entry
     * recorded; REJECTED (refused for good, e.g. an unknown engineer) leaves it unrecorded, not pending.
     */
    async deliver(
      c: ComplaintRecord,
      record: (e: ComplaintPending['evidence'][number]) => Promise<'RECORDED' | 'REJECTED' | 'RETRY'>,
    ): Promise<ComplaintRecord> {
      const p = c.pending;
      if (!p) return c;
      await countKpiFacts(p.kpiFacts);
      const left: ComplaintPending['evidence'] = [];
      const evidence = c.evidence.map((e) => ({ ...e }));
      for (const e of p.evidence) {
        const outcome = await record(e);
        if (outcome === 'RETRY') left.push(e);
        const entry = evidence.find((x) => x.evidenceKey === e.evidenceKey);
        if (entry && outcome === 'RECORDED') entry.recorded = true;
      }
      const pending = left.length ? { kpiFacts: [], evidence: left } : null;
      await complaints.updateOne({ _id: c.id }, { $set: { pending, evidence } });
      if (!left.length && p.evidence.length) await sets.apply(c.id, [{ key: OWING_COMPLAINTS_KEY, add: false }]);
      return { ...c, pending, evidence };
    },

    /** Portal list over every complaint: **a scan** on FerretDB v1 (filter, sort and all). Newest opened first. */
    async scan(
      state: ComplaintState | null,
      after: { openedAt: Date; id: string } | null,
      limit: number,
    ): Promise<ComplaintRecord[]> {
      const q: Record<string, unknown> = {};
      // Callback-opened complaints carry no `state` until first changed: OPEN/RESPONDED are matched by respondedAt.
      if (state === 'OPEN') q['$or'] = [{ state: 'OPEN' }, { state: { $exists: false }, respondedAt: null }];
      else if (state === 'RESPONDED')
        q['$or'] = [{ state: 'RESPONDED' }, { state: { $exists: false }, respondedAt: { $ne: null } }];
      else if (state) q['state'] = state;
      const page = after
        ? { $or: [{ openedAt: { $lt: after.openedAt } }, { openedAt: after.openedAt, _id: { $lt: after.id } }] }
        : null;
      const filter = page ? (Object.keys(q).length ? { $and: [q, page] } : page) : q;
      const docs = await complaints.find(filter).sort({ openedAt: -1, _id: -1 }).limit(limit).lean<ComplaintDoc[]>();
      return docs.map(complaintRecord);
    },
  };
}

export type ComplaintsStore = ReturnType<typeof createComplaintsStore>;
