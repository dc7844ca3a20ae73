import { randomInt } from 'node:crypto';
import type { Connection } from 'mongoose';
import {
  DEFAULT_LEASE,
  findByIds,
  IDS_PER_QUERY,
  idempotencyModel,
  isDuplicateKey,
  writeLease,
  writeLeaseModel,
  type LeaseOptions,
  type SettlementJob,
  type TicketPolicyInput,
} from '@starline/common';
import {
  effectsOf,
  engineerDaySetKey,
  leftOpenJobsSetKey,
  openJobsSetKey,
  parseLeftOpenJob,
  serialSetKey,
  settlementJobRecordOf,
  unsettledJobsSetKey,
  type PendingEffects,
  type SettlementJobRecord,
} from '../effects.ts';
import type { TicketEvent } from '../rules/events.ts';
import { applyPatch, type TicketPatch } from '../rules/lifecycle.ts';
import type { TicketPolicy } from '../rules/policy.ts';
import type { TicketSnapshot } from '../rules/ticket.ts';
import { shanghaiDate } from '../shanghai.ts';
import { createChangeFeed } from './changes.ts';
import { createComplaintsStore } from './complaints.ts';
import { createFactsStore, insertOnce } from './facts.ts';
import { createKpiMonths } from './kpi-months.ts';
import {
  numberModel,
  ticketModel,
  type AppliedCommand,
  type TicketDoc,
  type TicketNumberDoc,
  type TimelineEntry,
} from './models.ts';
import { pack, unpack } from './packed.ts';
import { createTicketSearch, type SearchPosition, type TicketScanFilter } from './search.ts';
import { createTicketPolicies } from './policies.ts';
import { createSettlementJobs } from './settlement-jobs.ts';
import { createTicketSets } from './sets.ts';

export type TicketRecord = Omit<TicketDoc, '_id' | 'policy' | 'timeline' | 'appliedCommands'> & {
  id: string;
  policy: TicketPolicyInput;
  timeline: TimelineEntry[];
  appliedCommands: AppliedCommand[];
};

export const ticketLease = (id: string): string => `ticket:${id}`;

/** ticket numbers tried before giving up (a clash needs two of a million on the same day). */
const NUMBER_ATTEMPTS = 5;
/** What a ticket view leaves out: the store's bookkeeping (the applied commands are most of a long ticket). */
const VIEW_ONLY = { appliedCommands: 0, pending: 0, recordedEvidence: 0 } as const;
/** Ticket views a process keeps (a few KB each): enough for every job a busy feed page names. */
const VIEWS_KEPT = 5_000;

/** A ticket as clients see it, without the store's bookkeeping. */
export type TicketViewRecord = Omit<TicketRecord, 'appliedCommands' | 'pending' | 'recordedEvidence'>;

export function viewOf(t: TicketViewRecord & Partial<TicketRecord>): TicketViewRecord {
  const { appliedCommands: _a, pending: _p, recordedEvidence: _r, ...view } = t;
  return view;
}

/** The rules' view of a stored ticket: exactly the snapshot fields, nothing the store adds. */
export function snapshotOf(t: TicketSnapshot): TicketSnapshot {
  return {
    id: t.id,
    state: t.state,
    customer: t.customer,
    product: t.product,
    serviceType: t.serviceType,
    areaClass: t.areaClass,
    faultDescription: t.faultDescription,
    warranty: t.warranty,
    receivedAt: t.receivedAt,
    centreId: t.centreId,
    offers: t.offers,
    escalations: t.escalations,
    acceptedAt: t.acceptedAt,
    firstContactAt: t.firstContactAt,
    appointments: t.appointments,
    assignments: t.assignments,
    checkedInAt: t.checkedInAt,
    report: t.report,
    completedAt: t.completedAt,
    callbackAttempts: t.callbackAttempts,
    callbackResult: t.callbackResult,
    calledBackAt: t.calledBackAt,
    oldPartReturnedAt: t.oldPartReturnedAt,
    autopsy: t.autopsy,
    closedAt: t.closedAt,
    cancelledAt: t.cancelledAt,
    cancelReason: t.cancelReason,
    supersededBy: t.supersededBy,
  };
}

/**
 * What judging a job's settlement leaves out: the store's bookkeeping and the timeline (the snapshot has what
 * settlementOf needs).
 */
const SNAPSHOT_ONLY = { ...VIEW_ONLY, timeline: 0 } as const;
/** A stored ticket as read with SNAPSHOT_ONLY. */
export type SnapshotDoc = Omit<TicketDoc, 'timeline' | 'appliedCommands' | 'pending' | 'recordedEvidence'>;
/** Unsettled lists cleared at once by jobsSettled: each under its own lease, so they never wait on each other. */
const LISTS_AT_ONCE = 10;

/**
 * A stored ticket's settlement record, exactly as its outbox writes it (null until completed): how
 * unsettledJobs judges a job completed before records existed, and what seeding writes beside a
 * ticket it stores directly. `policy` is the ticket's own standard's.
 */
export function settlementJobRecordOfDoc(doc: SnapshotDoc, policy: TicketPolicyInput): SettlementJobRecord | null {
  const { _id, ticketNumber, ...fields } = doc;
  return settlementJobRecordOf(snapshotOf({ ...fields, id: _id }), ticketNumber, policy as TicketPolicy);
}

/** One decided change, as `commit` writes it. */
export interface TicketWrite {
  patch: TicketPatch;
  events: TicketEvent[];
  at: Date;
  /** false for a command that changed nothing (e.g. booking the same window again): no new version. */
  bump: boolean;
  applied: AppliedCommand | null;
  evidenceKeys: string[];
  pending: PendingEffects | null;
}

export type TicketsStore = ReturnType<typeof createTicketsStore>;

/**
 * Every read and write of the tickets database, all by `_id` (or `_id` `$in`) except the portal's
 * search and HQ's complaint list (scans, see search.ts and complaints.ts).
 * A ticket changes in two steps: `commit` writes the decision (snapshot patch, version + 1, timeline
 * events, the command's outcome and the effects to deliver, `pending`) in ONE conditional
 * single-document update; `settle` then delivers `pending` (centre change feeds, KPI counters,
 * complaint, settlement record, ticket sets) with idempotent writes and clears it. Both run under
 * the lease `ticket:<id>`, and every writer settles what it finds pending before deciding anything new, so a
 * crash between the steps is repaired by the next call and nothing is delivered twice.
 */
export function createTicketsStore(
  conn: Connection,
  lease: LeaseOptions = DEFAULT_LEASE,
  randomSuffix = () => randomInt(0, 1_000_000),
) {
  const tickets = ticketModel(conn);
  const numbers = numberModel(conn);
  const leases = writeLeaseModel(conn);
  const feed = createChangeFeed(conn, leases, lease);
  const facts = createFactsStore(conn);
  const kpiMonths = createKpiMonths(conn, leases, lease);
  const sets = createTicketSets(conn, leases, lease);
  const search = createTicketSearch(conn);
  const complaints = createComplaintsStore(conn, leases, lease, sets, kpiMonths.apply);
  const idempotency = idempotencyModel(conn);
  const policies = createTicketPolicies(conn);
  const settlementJobs = createSettlementJobs(conn);

  /** A stored ticket with the policy it names and its lists unpacked. */
  async function record(doc: TicketDoc): Promise<TicketRecord>;
  async function record(
    doc: Omit<TicketDoc, 'appliedCommands' | 'pending' | 'recordedEvidence'>,
  ): Promise<TicketViewRecord>;
  async function record({
    _id,
    ...rest
  }: Omit<TicketDoc, 'appliedCommands' | 'pending' | 'recordedEvidence'> & Partial<TicketDoc>) {
    const unpacked = {
      ...rest,
      id: _id,
      policy: rest.policy ?? (await policies.of(rest.standardVersionId)),
      timeline: rest.timeline.map(unpack),
    };
    return rest.appliedCommands ? { ...unpacked, appliedCommands: rest.appliedCommands.map(unpack) } : unpacked;
  }

  /**
   * The newest view of each ticket this process read or wrote, least recently used first out. Only
   * `findTicketView` reads it, and only at a version its caller proves current enough: another
   * process's writes need no invalidation.
   */
  const views = new Map<string, TicketViewRecord>();
  function keepView(t: TicketViewRecord & Partial<TicketRecord>): void {
    const view = viewOf(t);
    const held = views.get(view.id);
    if (held && held.version > view.version) return;
    views.delete(view.id);
    views.set(view.id, view);
    if (views.size > VIEWS_KEPT) views.delete(views.keys().next().value!);
  }

  const findTicket = async (id: string): Promise<TicketRecord | null> => {
    const doc = await tickets.findById(id).lean<TicketDoc>();
    if (!doc) return null;
    const t = await record(doc);
    keepView(t);
    return t;
  };

  async function findTicketViews(wanted: ReadonlyMap<string, number>): Promise<Map<string, TicketViewRecord>> {
    const found = new Map<string, TicketViewRecord>();
    const unread: string[] = [];
    for (const [id, atLeastVersion] of wanted) {
      const held = views.get(id);
      if (held && held.version >= atLeastVersion) found.set(id, held);
      else unread.push(id);
    }
    for (const doc of await findByIds(tickets, unread, VIEW_ONLY)) {
      const view = await record(doc);
      keepView(view);
      found.set(view.id, view);
    }
    return found;
  }

  /**
   * Tickets as they are stored now, by `_id` `$in` (per 500), bypassing and not filling the views kept (a batch reader
   * would only evict a feed's).
   */
  async function readTicketViews(ids: readonly string[]): Promise<TicketViewRecord[]> {
    return Promise.all((await findByIds(tickets, [...new Set(ids)], VIEW_ONLY)).map((doc) => record(doc)));
  }

  /**
   * The settlement records of these tickets judged from the tickets themselves (by `_id` `$in`, per 500); one not
   * completed is absent.
   */
  async function judgedTickets(ids: readonly string[]): Promise<Map<string, SettlementJobRecord>> {
    const judged = new Map<string, SettlementJobRecord>();
    for (const doc of (await findByIds(tickets, ids, SNAPSHOT_ONLY)) as SnapshotDoc[]) {
      const r = settlementJobRecordOfDoc(doc, doc.policy ?? (await policies.of(doc.standardVersionId)));
      if (r) judged.set(doc._id, r);
    }
    return judged;
  }

  /** Delivers the ticket's pending effects (call under its lease). A no-op when nothing is pending. */
  async function settle(t: TicketRecord): Promise<TicketRecord> {
    const p = t.pending;
    if (!p) return t;
    await feed.append(t.id, p.version, p.change);
    await kpiMonths.apply(p.kpiFacts);
    if (p.complaint) {
      // Listed before it exists, so the ticket's and the centre's lists never miss it.
      await complaints.join(p.complaint.id, p.complaint.ticketId, p.complaint.centreId);
      await facts.openComplaint(p.complaint);
    }
    // Before the set moves: a job on an unsettled list lacks its record only if completed before records existed.
    if (p.settlementJob) await settlementJobs.deliver(t.id, p.version, p.settlementJob);
    await sets.apply(t.id, p.sets);
    await tickets.updateOne({ _id: t.id }, { $set: { pending: null } });
    return { ...t, pending: null };
  }

  /** Re-reads the ticket under its lease (a command may have come first) and delivers what is pending. */
  const settleNow = (id: string): Promise<TicketRecord> =>
    writeLease(
      leases,
      ticketLease(id),
      lease,
    )(async () => {
      const t = await findTicket(id);
      if (!t) throw new Error(`ticket ${id} vanished after its insert`);
      return settle(t);
    });

  return {
    exclusiveTicket: <T>(id: string, work: () => Promise<T>): Promise<T> =>
      writeLease(leases, ticketLease(id), lease)(work),

    async syncIndexes(): Promise<void> {
      for (const m of [
        tickets,
        numbers,
        policies.model,
        leases,
        idempotency,
        ...feed.models,
        ...facts.models,
        ...kpiMonths.models,
        ...sets.models,
        ...settlementJobs.models,
      ] as const)
        await m.syncIndexes();
    },

    findTicket,

    /**
     * Tickets as clients see them, each at its wanted version or newer: from this process's recent
     * views when one is new enough (a feed page names many tickets, mostly ones just changed, which
     * this process wrote), the rest read together by `_id` `$in`. A missing ticket is absent.
     */
    findTicketViews,

    async findTicketView(id: string, atLeastVersion = Number.POSITIVE_INFINITY): Promise<TicketViewRecord | null> {
      return (await findTicketViews(new Map([[id, atLeastVersion]]))).get(id) ?? null;
    },

    async findTicketByNumber(ticketNumber: string): Promise<TicketRecord | null> {
      const n = await numbers.findById(ticketNumber).lean<TicketNumberDoc>();
      const t = n ? await findTicket(n.ticketId) : null;
      // A number drawn by a losing concurrent insert of the same ticket points at it but isn't its number.
      return t?.ticketNumber === ticketNumber ? t : null;
    },

    /**
     * Stores a ticket fresh from intake (rules/intake.ts `receive`) at version 1 under `policy`, the
     * standard in force at receipt, and delivers its RECEIVED change. The number is T + the
     * Shanghai date of receipt + 6 random digits, reserved in `ticket_numbers` first (its `_id` is
     * the uniqueness) and redrawn on the rare clash. The ticket joins its serial's set before it
     * exists, so a later repair of the same machine always finds it. Idempotent by ticket id:
     * storing the same id again returns the stored ticket with `created: false`.
     */
    async insertTicket(
      snapshot: TicketSnapshot,
      extra: { policy: TicketPolicyInput; events: TicketEvent[]; now?: Date },
    ): Promise<{ ticket: TicketRecord; created: boolean }> {
      const now = extra.now ?? new Date();
      const { id, ...fields } = snapshot;
      if (await tickets.exists({ _id: id })) return { ticket: await settleNow(id), created: false };
      await policies.keep(extra.policy);
      await sets.apply(id, [{ key: serialSetKey(snapshot.product.serialNumber), add: true }]);
      for (let attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
        const ticketNumber = `T${shanghaiDate(snapshot.receivedAt)}${String(randomSuffix()).padStart(6, '0')}`;
        if (!(await insertOnce(numbers, { _id: ticketNumber, ticketId: id }))) continue; // taken: draw another
        const pending = effectsOf({
          before: null,
          after: snapshot,
          ticketNumber,
          version: 1,
          events: extra.events,
          at: snapshot.receivedAt,
          policy: extra.policy,
        });
        const doc: TicketDoc = {
          _id: id,
          ...fields,
          ticketNumber,
          version: 1,
          standardVersionId: extra.policy.standardVersionId,
          timeline: extra.events.map((e) => pack({ ...e, version: 1 })),
          appliedCommands: [],
          recordedEvidence: [],
          pending,
          createdAt: now,
          updatedAt: now,
        };
        try {
          await tickets.create(doc);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          return { ticket: await settleNow(id), created: false }; // a concurrent insert of the same id won
        }
        return { ticket: await settleNow(id), created: true };
      }
      throw new Error(`no free ticket number after ${NUMBER_ATTEMPTS} attempts`);
    },

    /**
     * Writes one decision (call under the ticket's lease, after settle). The version is checked by
     * reading it again rather than in the update's filter: FerretDB uses the `_id` index only for a
     * filter on `_id` alone, and a `{_id, version}` filter would read every ticket. A moved version
     * means the lease was lost (a bug or a stall past its expiry), and fails retryably.
     */
    async commit(current: TicketRecord, w: TicketWrite): Promise<TicketRecord> {
      const after = applyPatch(snapshotOf(current), w.patch);
      const version = w.bump ? current.version + 1 : current.version;
      const entries = w.events.map((e) => ({ ...e, version }));
      const keys = [...new Set(w.evidenceKeys)].filter((k) => !current.recordedEvidence.includes(k));
      const set = { ...w.patch, version, updatedAt: w.at, pending: w.pending ?? current.pending };
      const push: Record<string, unknown> = {};
      if (entries.length) push['timeline'] = { $each: entries.map(pack) };
      if (w.applied) push['appliedCommands'] = pack(w.applied);
      const update: Record<string, unknown> = { $set: set };
      if (Object.keys(push).length) update['$push'] = push;
      if (keys.length) update['$addToSet'] = { recordedEvidence: { $each: keys } };
      const stored = await tickets.findById(current.id, { version: 1 }).lean<{ version: number }>();
      if (stored?.version !== current.version)
        throw new Error(`ticket ${current.id} is no longer at version ${current.version}: its lease was lost`);
      await tickets.updateOne({ _id: current.id }, update);
      const written: TicketRecord = {
        ...current,
        ...after,
        id: current.id,
        version,
        updatedAt: w.at,
        pending: set.pending,
        timeline: [...current.timeline, ...entries],
        appliedCommands: w.applied ? [...current.appliedCommands, w.applied] : current.appliedCommands,
        recordedEvidence: [...current.recordedEvidence, ...keys],
      };
      keepView(written);
      return written;
    },

    settle,

    /**
     * Every other ticket of the product serial (its set, then each by `_id`): the candidates of the repeat-repair rule.
     */
    async ticketsOfSerial(serialNumber: string, exceptId: string): Promise<TicketRecord[]> {
      const ids = (await sets.members(serialSetKey(serialNumber))).filter((id) => id !== exceptId);
      // An id whose insert failed after joining the set has no ticket: skipped.
      return (await Promise.all(ids.map(findTicket))).filter((t): t is TicketRecord => t !== null);
    },

    /** Jobs each centre holds open (effects.ts OPEN_JOB_STATES); every centre asked is in the answer. */
    async openJobsByCentre(centreIds: readonly string[]): Promise<Record<string, number>> {
      const counts = await Promise.all(
        centreIds.map(async (c) => [c, (await sets.members(openJobsSetKey(c))).length] as const),
      );
      return Object.fromEntries(counts);
    },

    /**
     * The tickets in the centre's open jobs set as they are stored now (a set member may lag its ticket: check
     * `centreId` and `state`).
     */
    openJobViews: async (centreId: string): Promise<TicketViewRecord[]> =>
      readTicketViews(await sets.members(openJobsSetKey(centreId))),

    /**
     * Every job each centre may have held open at `after` or later: its open jobs now and those that
     * left its open jobs after `after` in any of `months` (YYYY-MM, from `after`'s month up to now).
     * One `_id` `$in` read (per 500 sets) for all centres; a job may be listed for several centres.
     */
    async heldSince(
      centreIds: readonly string[],
      after: Date,
      months: readonly string[],
    ): Promise<Map<string, string[]>> {
      const keysOf = (c: string) => [openJobsSetKey(c), ...months.map((m) => leftOpenJobsSetKey(c, m))];
      const found = await sets.membersOf(centreIds.flatMap(keysOf));
      return new Map(
        centreIds.map((c) => {
          const ids = new Set(found.get(openJobsSetKey(c)));
          for (const m of months) {
            for (const member of found.get(leftOpenJobsSetKey(c, m)) ?? []) {
              const { ticketId, leftAt } = parseLeftOpenJob(member);
              // Left at or before `after`: the leaving event has happened by then, so it wasn't open then.
              if (leftAt === null || leftAt.getTime() > after.getTime()) ids.add(ticketId);
            }
          }
          return [c, [...ids]] as const;
        }),
      );
    },

    readTicketViews,

    /** Each ticket's timeline and policy only, by `_id` `$in` (per 500): what judging it as of an instant needs. */
    async ticketTimelines(
      ids: readonly string[],
    ): Promise<Map<string, { timeline: TimelineEntry[]; policy: TicketPolicyInput }>> {
      const out = new Map<string, { timeline: TimelineEntry[]; policy: TicketPolicyInput }>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
        const docs = await tickets
          .find({ _id: { $in: unique.slice(i, i + IDS_PER_QUERY) } }, { timeline: 1, standardVersionId: 1, policy: 1 })
          .lean<Pick<TicketDoc, '_id' | 'timeline' | 'standardVersionId' | 'policy'>[]>();
        for (const d of docs)
          out.set(d._id, {
            timeline: d.timeline.map(unpack),
            policy: d.policy ?? (await policies.of(d.standardVersionId)),
          });
      }
      return out;
    },

    /**
     * Each centre's unsettled jobs (effects.ts `unsettledJobsSetKey`) as settlement judges them now,
     * in list order: the sets by one `_id` `$in`, then the members' settlement records by `_id` `$in`
     * (per 500), and only for members without one (completed before records existed) their tickets
     * without timeline or bookkeeping, judged by the same `settlementJobRecordOf`. Every centre asked
     * is in the answer; a member whose ticket is missing, or isn't a job that centre completed, is
     * skipped (neither happens: a job joins at its completion and completion is final).
     */
    async unsettledJobs(centreIds: readonly string[]): Promise<Map<string, SettlementJob[]>> {
      const unique = [...new Set(centreIds)];
      const lists = await sets.membersOf(unique.map(unsettledJobsSetKey));
      const ids = [...new Set([...lists.values()].flat())];
      const records = await settlementJobs.read(ids);
      for (const [id, r] of await judgedTickets(ids.filter((id) => !records.has(id)))) records.set(id, r);
      return new Map(
        unique.map((c) => [
          c,
          (lists.get(unsettledJobsSetKey(c)) ?? [])
            .map((id) => records.get(id))
            .filter((r): r is SettlementJobRecord => r !== undefined && r.centreId === c)
            .map((r) => r.job),
        ]),
      );
    },

    /**
     * Takes each centre's jobs off its unsettled list (one read-modify-write per list, under the
     * set's lease, LISTS_AT_ONCE lists at a time); ids not on it are ignored. How many were on them.
     */
    async jobsSettled(byCentre: ReadonlyMap<string, readonly string[]>): Promise<number> {
      const lists = [...byCentre];
      let removed = 0;
      for (let i = 0; i < lists.length; i += LISTS_AT_ONCE) {
        const counts = await Promise.all(
          lists.slice(i, i + LISTS_AT_ONCE).map(([c, ids]) => sets.leave(unsettledJobsSetKey(c), ids)),
        );
        removed += counts.reduce((a, n) => a + n, 0);
      }
      return removed;
    },

    /** Tickets the engineer holds whose appointment in force starts on the Shanghai day `day` (yyyymmdd). */
    async countEngineerJobs(engineerId: string, day: string): Promise<number> {
      return (await sets.members(engineerDaySetKey(engineerId, day))).length;
    },

    /** The tickets of a set, each by `_id` (an id whose ticket is gone is skipped). */
    async ticketsIn(key: string): Promise<TicketRecord[]> {
      const ids = await sets.members(key);
      return (await Promise.all(ids.map(findTicket))).filter((t): t is TicketRecord => t !== null);
    },

    /** Ids of every ticket of a product serial (its set). */
    idsOfSerial: (serialNumber: string): Promise<string[]> => sets.members(serialSetKey(serialNumber)),

    /** Portal search: a scan (see search.ts). */
    async searchTickets(
      filter: TicketScanFilter,
      after: SearchPosition | null,
      limit: number,
    ): Promise<TicketRecord[]> {
      return Promise.all((await search.page(filter, after, limit)).map((doc) => record(doc)));
    },
    countTickets: search.count,

    /** Replay protection of the GraphQL mutations (common's withIdempotency). */
    idempotency,

    changesSince: feed.since,
    feedHead: feed.head,
    /** Each centre's KPI counters of a Shanghai month (store/kpi-months.ts): one `_id` `$in` read. */
    kpiMonthTotals: kpiMonths.totals,
    /** One centre's counters of a month (0s when nothing happened). */
    kpiTotals: async (centreId: string, month: string) => (await kpiMonths.totals([centreId], month)).get(centreId)!,
    findComplaint: complaints.find,
    /** Complaints: by `_id`, their lists, their changes (store/complaints.ts). */
    complaints,
  };
}
