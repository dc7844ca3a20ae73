import { shanghaiMonth, type SettlementJob } from '@starline/common';
import type { ComplaintOpenedEvent, ComplaintSeverity } from './rules/complaint.ts';
import type { TicketEvent } from './rules/events.ts';
import type { KpiCounter } from '@starline/common';
import { kpiFacts } from './rules/kpi-facts.ts';
import type { TicketPolicy } from './rules/policy.ts';
import { settlementJobOf } from './rules/settlement.ts';
import { complaintResponseBy } from './rules/sla.ts';
import {
  currentAppointment,
  currentEngineer,
  engineerAt,
  type TicketSnapshot,
  type TicketState,
} from './rules/ticket.ts';
import { shanghaiDate } from './shanghai.ts';

/**
 * What one change of a ticket must do beyond the ticket document: an entry in the change feed of
 * each centre concerned, the centre's KPI facts, after an UNSATISFIED callback a complaint, moves
 * between the `_id`-keyed ticket sets (a centre's open jobs, an engineer's day) and, once completed,
 * its settlement record. Pure. The store saves these
 * with the ticket in the same single-document write (`pending`, an outbox) and then delivers them
 * with idempotent inserts, so a crash between the two writes loses nothing and counts nothing twice.
 */

/** A change-feed entry before it gets its sequence number. */
export interface ChangeContent {
  /** The centre holding the job after the change (null when nobody does). */
  centreId: string | null;
  /**
   * Every centre that may see the change (the holder before and after, and any centre an event names): one feed entry
   * each.
   */
  centreIds: string[];
  state: TicketState;
  at: Date;
  /** The timeline event types, or SUPERSEDED when a later repair made the job not payable. */
  types: string[];
}

export interface KpiFact {
  /** `${ticketId}:${version}:${counter}:${centreId}`: a retried delivery inserts nothing new. */
  id: string;
  ticketId: string;
  version: number;
  centreId: string;
  /** YYYY-MM, Asia/Shanghai. */
  month: string;
  counter: KpiCounter;
  by: number;
  at: Date;
}

/** A complaint as opened by this service (the complaint workflow, 受理 → 处理 → 改进, comes later). */
export interface OpenedComplaint {
  /** `${ticketId}:callback`: one complaint per job from its callback, however often delivery runs. */
  id: string;
  ticketId: string;
  centreId: string;
  /** The engineer who completed the job (the investigation decides who is responsible). */
  engineerId: string | null;
  severity: ComplaintSeverity;
  source: 'CALLBACK';
  openedAt: Date;
  responseBy: Date;
  respondedAt: Date | null;
  responsibleParty: null;
  standardVersionId: string;
}

/** The ticket joins (`add`) or leaves the ticket set `key`. */
export interface SetMove {
  key: string;
  add: boolean;
  /** What joins instead of the bare ticket id (the left-open-jobs sets: `<ticketId>|<ISO instant it left>`). */
  member?: string;
}

/**
 * A completed job as settlement judges it after a change (`settlement_jobs`, one per ticket): what
 * unsettledJobs reads instead of the whole ticket. With the completing centre, as a list member
 * counts only for the centre that completed it.
 */
export interface SettlementJobRecord {
  centreId: string;
  job: SettlementJob;
}

export interface PendingEffects {
  version: number;
  change: ChangeContent;
  kpiFacts: KpiFact[];
  complaint: OpenedComplaint | null;
  sets: SetMove[];
  /**
   * The ticket's settlement record as of `version` (null before completion; absent in outboxes written before records
   * existed).
   */
  settlementJob?: SettlementJobRecord | null;
}

/** States in which a centre holds a job it accepted and hasn't completed: its load for dispatch. */
export const OPEN_JOB_STATES: readonly TicketState[] = ['ACCEPTED', 'BOOKED', 'ASSIGNED', 'ON_SITE'];

export const serialSetKey = (serialNumber: string): string => `serial:${serialNumber}`;
export const openJobsSetKey = (centreId: string): string => `centre:${centreId}`;
export const engineerDaySetKey = (engineerId: string, day: string): string => `engineer:${engineerId}:${day}`;
/**
 * The jobs that left a centre's open jobs (completed, recalled, cancelled) in a Shanghai month
 * (YYYY-MM), each as `<ticketId>|<ISO instant it left>`: with the open set now, every job the centre
 * may have held open at any earlier instant of that month or later (the dispatch leftover, judged as
 * of the month's last instant however late it is asked). Append-only, bounded by the month's jobs.
 */
export const leftOpenJobsSetKey = (centreId: string, month: string): string => `centre-left:${centreId}:${month}`;
export const leftOpenJobMember = (ticketId: string, at: Date): string => `${ticketId}|${at.toISOString()}`;
/**
 * The jobs a centre completed and settlement hasn't yet taken off (docs/domain.md §7): joined when the
 * centre completes the job — completion is final, so the completing centre is the one paid — and
 * left only through the `jobsSettled` activity, never by a set move (a job later superseded or
 * otherwise NOT_PAYABLE stays until settlement has seen it).
 */
export const unsettledJobsSetKey = (centreId: string): string => `unsettled:${centreId}`;
/** A member of a left-open-jobs set: the ticket and when it left (null for a bare id). */
export function parseLeftOpenJob(member: string): { ticketId: string; leftAt: Date | null } {
  const bar = member.lastIndexOf('|');
  if (bar < 0) return { ticketId: member, leftAt: null };
  const leftAt = new Date(member.slice(bar + 1));
  return { ticketId: member.slice(0, bar), leftAt: Number.isNaN(leftAt.getTime()) ? null : leftAt };
}

/**
 * The sets a ticket belongs to besides its serial's: its centre's open jobs while OPEN_JOB_STATES,
 * and its engineer's day (yyyymmdd, Asia/Shanghai, of the appointment in force) while both exist —
 * a completed job still filled the engineer's day; a recalled or cancelled one closed its appointment.
 */
export function setsOf(t: TicketSnapshot): string[] {
  const keys: string[] = [];
  if (t.centreId && OPEN_JOB_STATES.includes(t.state)) keys.push(openJobsSetKey(t.centreId));
  const engineer = currentEngineer(t);
  const appointment = currentAppointment(t);
  if (engineer && appointment) keys.push(engineerDaySetKey(engineer, shanghaiDate(appointment.appointment.from)));
  return keys;
}

/**
 * Leave the sets `before` was in and `after` is not, join those `after` is newly in; a job leaving
 * its centre's open jobs at `at` also joins that centre's left-open-jobs set of `at`'s month, and a
 * job its centre completes joins that centre's unsettled jobs (which no move ever leaves).
 */
export function setMoves(before: TicketSnapshot | null, after: TicketSnapshot, at: Date): SetMove[] {
  const was = before ? setsOf(before) : [];
  const is = setsOf(after);
  const left = was.filter((k) => !is.includes(k));
  const moves: SetMove[] = [
    ...left.map((key) => ({ key, add: false })),
    ...is.filter((k) => !was.includes(k)).map((key) => ({ key, add: true })),
  ];
  if (before?.centreId && left.includes(openJobsSetKey(before.centreId))) {
    moves.push({
      key: leftOpenJobsSetKey(before.centreId, shanghaiMonth(at)),
      add: true,
      member: leftOpenJobMember(after.id, at),
    });
  }
  if (after.centreId && after.completedAt && !before?.completedAt)
    moves.push({ key: unsettledJobsSetKey(after.centreId), add: true });
  return moves;
}

/**
 * An UNSATISFIED callback is a customer complaint nobody has graded yet. Level 2 (8 h first response
 * by default) until the call centre grades it: level 1 is reserved for major complaints a person
 * has judged so, and level 3 (24 h) would let an unhappy customer wait a whole day by default.
 */
export const CALLBACK_COMPLAINT_SEVERITY: ComplaintSeverity = 2;

export const callbackComplaintId = (ticketId: string): string => `${ticketId}:callback`;

export function changeOf(
  before: TicketSnapshot | null,
  after: TicketSnapshot,
  types: string[],
  events: readonly TicketEvent[],
  at: Date,
): ChangeContent {
  const centres = new Set<string>();
  if (before?.centreId) centres.add(before.centreId);
  if (after.centreId) centres.add(after.centreId);
  for (const e of events) {
    const centre = (e.data as { centreId?: unknown }).centreId;
    if (typeof centre === 'string') centres.add(centre);
  }
  return { centreId: after.centreId, centreIds: [...centres].sort(), state: after.state, at, types };
}

/** The complaint an UNSATISFIED final callback opens, with the event the KPI counters read. */
export function callbackComplaint(
  after: TicketSnapshot,
  events: readonly TicketEvent[],
  at: Date,
  policy: TicketPolicy,
): { complaint: OpenedComplaint; opened: ComplaintOpenedEvent } | null {
  const called = events.find((e) => e.type === 'CALLED_BACK' && e.data.result === 'UNSATISFIED');
  if (!called || called.type !== 'CALLED_BACK') return null;
  const id = callbackComplaintId(after.id);
  const severity = CALLBACK_COMPLAINT_SEVERITY;
  const centreId = called.data.centreId;
  const complaint: OpenedComplaint = {
    id,
    ticketId: after.id,
    centreId,
    engineerId: after.completedAt ? engineerAt(after, after.completedAt) : null,
    severity,
    source: 'CALLBACK',
    openedAt: at,
    responseBy: complaintResponseBy(at, severity, policy),
    respondedAt: null,
    responsibleParty: null,
    standardVersionId: policy.standardVersionId,
  };
  const opened: ComplaintOpenedEvent = {
    type: 'COMPLAINT_OPENED',
    at,
    data: { complaintId: id, ticketId: after.id, centreId, severity },
  };
  if (called.actor !== undefined) opened.actor = called.actor;
  return { complaint, opened };
}

/**
 * The settlement record of the ticket after a change: from completion on (when the job joins its
 * centre's unsettled list) every change rewrites it, since a callback, old part, autopsy, quality
 * check or later repeat repair changes how settlement judges the job; null before completion.
 */
export function settlementJobRecordOf(
  after: TicketSnapshot,
  ticketNumber: string,
  policy: TicketPolicy,
): SettlementJobRecord | null {
  if (after.completedAt === null || after.centreId === null) return null;
  return { centreId: after.centreId, job: settlementJobOf(after, ticketNumber, policy) };
}

/** The KPI increments of one version's events, merged per counter and centre. */
export function kpiFactsOf(
  ticketId: string,
  version: number,
  events: readonly (TicketEvent | ComplaintOpenedEvent)[],
): KpiFact[] {
  const facts = new Map<string, KpiFact>();
  for (const e of events) {
    for (const inc of kpiFacts(e)) {
      const id = `${ticketId}:${version}:${inc.counter}:${inc.centreId}`;
      const seen = facts.get(id);
      if (seen) seen.by += inc.by;
      else
        facts.set(id, {
          id,
          ticketId,
          version,
          centreId: inc.centreId,
          month: inc.month,
          counter: inc.counter,
          by: inc.by,
          at: e.at,
        });
    }
  }
  return [...facts.values()];
}

/** Everything a decided change must deliver besides the ticket document itself. */
export function effectsOf(input: {
  before: TicketSnapshot | null;
  after: TicketSnapshot;
  /** The ticket's number (its settlement record shows it). */
  ticketNumber: string;
  version: number;
  events: readonly TicketEvent[];
  at: Date;
  policy: TicketPolicy;
  /** Overrides the event types (a change with no timeline event, e.g. SUPERSEDED). */
  types?: string[];
}): PendingEffects {
  const { before, after, version, events, at, policy } = input;
  const opened = callbackComplaint(after, events, at, policy);
  return {
    version,
    change: changeOf(before, after, input.types ?? events.map((e) => e.type), events, at),
    kpiFacts: kpiFactsOf(after.id, version, opened ? [...events, opened.opened] : events),
    complaint: opened?.complaint ?? null,
    sets: setMoves(before, after, at),
    settlementJob: settlementJobRecordOf(after, input.ticketNumber, policy),
  };
}
