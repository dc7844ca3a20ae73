import type { Complaint, ComplaintSeverity } from './complaint.ts';
import { addMinutes, HOUR_MS, type TicketPolicy } from './policy.ts';
import type { AppointmentWindow, TicketSnapshot } from './ticket.ts';

/**
 * SLA clocks (docs/domain.md §3). Pure UTC date maths. A deadline belongs to whoever must meet it:
 * done exactly at the deadline is MET, one millisecond later is MISSED.
 */
export type SlaClock = 'ACCEPT' | 'FIRST_CONTACT' | 'ARRIVAL' | 'COMPLETION_REPORT' | 'CALLBACK' | 'COMPLAINT_RESPONSE';
export type SlaStatus = 'MET' | 'MISSED' | 'PENDING';

export interface SlaEntry {
  clock: SlaClock;
  deadline: Date;
  status: SlaStatus;
  /** When the clock was satisfied (or answered too late); null while not done. */
  doneAt: Date | null;
  /** Which instance: the centre for ACCEPT, the appointment number for ARRIVAL, the complaint id. */
  ref: string | null;
}

type Clocks = TicketPolicy['slaClocks'];

export const acceptBy = (offeredAt: Date, policy: { slaClocks: Pick<Clocks, 'acceptMinutes'> }): Date =>
  addMinutes(offeredAt, policy.slaClocks.acceptMinutes);

export const firstContactBy = (acceptedAt: Date, policy: { slaClocks: Pick<Clocks, 'firstContactMinutes'> }): Date =>
  addMinutes(acceptedAt, policy.slaClocks.firstContactMinutes);

/** 上门服务不准迟到: on site by the end of the agreed window. */
export const arriveBy = (window: AppointmentWindow): Date => window.to;

/** From this instant on, with no check-in, the appointment is missed (PROMISE_BROKEN). */
export const missedAppointmentAt = (
  window: AppointmentWindow,
  policy: { slaClocks: Pick<Clocks, 'missedAppointmentMinutes'> },
): Date => addMinutes(window.to, policy.slaClocks.missedAppointmentMinutes);

/** 信息及时率: the completion report is due this long after the work finished. */
export const reportBy = (workFinishedAt: Date, policy: { slaClocks: Pick<Clocks, 'completionReportMinutes'> }): Date =>
  addMinutes(workFinishedAt, policy.slaClocks.completionReportMinutes);

export const callbackBy = (completedAt: Date, policy: { slaClocks: Pick<Clocks, 'callbackHours'> }): Date =>
  new Date(completedAt.getTime() + policy.slaClocks.callbackHours * HOUR_MS);

export function complaintResponseHours(
  severity: ComplaintSeverity,
  policy: { slaClocks: Pick<Clocks, 'complaintResponseHours'> },
): number {
  const h = policy.slaClocks.complaintResponseHours;
  return severity === 1 ? h.level1 : severity === 2 ? h.level2 : h.level3;
}

export const complaintResponseBy = (
  openedAt: Date,
  severity: ComplaintSeverity,
  policy: { slaClocks: Pick<Clocks, 'complaintResponseHours'> },
): Date => new Date(openedAt.getTime() + complaintResponseHours(severity, policy) * HOUR_MS);

/**
 * One clock's status. `stoppedAt`: the obligation went away (offer withdrawn, appointment replaced,
 * ticket cancelled) — before the deadline that ends the clock without a verdict (null); after it,
 * the deadline had already been missed.
 */
export function judge(deadline: Date, doneAt: Date | null, now: Date, stoppedAt: Date | null = null): SlaStatus | null {
  const due = deadline.getTime();
  if (doneAt) return doneAt.getTime() <= due ? 'MET' : 'MISSED';
  if (stoppedAt) return stoppedAt.getTime() <= due ? null : 'MISSED';
  return now.getTime() > due ? 'MISSED' : 'PENDING';
}

function entry(
  clock: SlaClock,
  deadline: Date,
  doneAt: Date | null,
  now: Date,
  stoppedAt: Date | null,
  ref: string | null,
): SlaEntry[] {
  const status = judge(deadline, doneAt, now, stoppedAt);
  return status ? [{ clock, deadline, status, doneAt, ref }] : [];
}

/**
 * Every SLA clock the ticket has started, in the order they start. ACCEPT is per offer and is met
 * by an answer in time (a refusal in time is a centre doing what the clock asks: answer, so the
 * job can move on); ARRIVAL is per appointment; CALLBACK is met by the first attempt, because the
 * call centre's duty is to call within the clock (up to callbackMaxAttempts tries may take longer).
 * Clocks stopped before they fell due (cancelled ticket, rescheduled appointment) are left out.
 */
export function ticketSlas(t: TicketSnapshot, now: Date, policy: TicketPolicy): SlaEntry[] {
  const out: SlaEntry[] = [];
  for (const o of t.offers) {
    const answered = o.outcome === 'ACCEPTED' || o.outcome === 'REFUSED' ? o.answeredAt : null;
    const stopped = o.outcome === 'TIMED_OUT' || o.outcome === 'WITHDRAWN' ? o.answeredAt : null;
    out.push(...entry('ACCEPT', acceptBy(o.offeredAt, policy), answered, now, stopped, o.centreId));
  }
  if (t.acceptedAt)
    out.push(
      ...entry('FIRST_CONTACT', firstContactBy(t.acceptedAt, policy), t.firstContactAt, now, t.cancelledAt, null),
    );
  t.appointments.forEach((a, i) => {
    const isLast = i === t.appointments.length - 1;
    const checkIn = isLast ? t.checkedInAt : null;
    out.push(...entry('ARRIVAL', arriveBy(a), checkIn, now, a.closedAt, String(i + 1)));
  });
  if (t.report && t.completedAt) {
    out.push(...entry('COMPLETION_REPORT', reportBy(t.report.workFinishedAt, policy), t.completedAt, now, null, null));
  }
  if (t.completedAt)
    out.push(
      ...entry('CALLBACK', callbackBy(t.completedAt, policy), t.callbackAttempts[0]?.at ?? null, now, null, null),
    );
  return out;
}

/**
 * Overdue (the portal's `overdue` search): some clock of the ticket is past its deadline and still
 * not done — a MISSED clock with nothing done. A clock done late is history, not overdue.
 */
export const isOverdue = (t: TicketSnapshot, now: Date, policy: TicketPolicy): boolean =>
  ticketSlas(t, now, policy).some((s) => s.status === 'MISSED' && s.doneAt === null);

/** The complaint's first-response clock (投诉分级: level 1 fastest). */
export function complaintSla(c: Complaint, now: Date, policy: TicketPolicy): SlaEntry {
  const deadline = complaintResponseBy(c.openedAt, c.severity, policy);
  return {
    clock: 'COMPLAINT_RESPONSE',
    deadline,
    status: judge(deadline, c.respondedAt, now) ?? 'PENDING',
    doneAt: c.respondedAt,
    ref: c.id,
  };
}
