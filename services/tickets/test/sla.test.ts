import { describe, expect, it } from 'vitest';
import type { Complaint } from '../src/rules/complaint.ts';
import {
  acceptBy,
  arriveBy,
  callbackBy,
  complaintResponseBy,
  complaintSla,
  firstContactBy,
  isOverdue,
  judge,
  missedAppointmentAt,
  reportBy,
  ticketSlas,
  type SlaClock,
} from '../src/rules/sla.ts';
import type { TicketSnapshot } from '../src/rules/ticket.ts';
import { DEFAULT_TICKET_POLICY as P, policyWith } from './fixtures/policy.ts';
import { journey, newTicket, plus, step, T0 } from './fixtures/tickets.ts';

const d = (iso: string) => new Date(iso);
const slas = (t: TicketSnapshot, now: Date, clock: SlaClock, policy = P) =>
  ticketSlas(t, now, policy).filter((s) => s.clock === clock);

describe('deadlines from the standard’s clocks (UTC)', () => {
  const t = d('2026-10-31T23:50:00Z');
  it('adds the clocks', () => {
    expect(acceptBy(t, P)).toEqual(d('2026-11-01T00:20:00Z'));
    expect(firstContactBy(t, P)).toEqual(d('2026-11-01T00:20:00Z'));
    expect(arriveBy({ from: t, to: d('2026-11-01T02:00:00Z') })).toEqual(d('2026-11-01T02:00:00Z'));
    expect(missedAppointmentAt({ from: t, to: d('2026-11-01T02:00:00Z') }, P)).toEqual(d('2026-11-01T04:00:00Z'));
    expect(reportBy(t, P)).toEqual(d('2026-11-01T01:50:00Z'));
    expect(callbackBy(t, P)).toEqual(d('2026-11-01T23:50:00Z'));
  });
  it('takes every clock from the policy', () => {
    const p = policyWith({
      acceptMinutes: 5,
      firstContactMinutes: 7,
      missedAppointmentMinutes: 60,
      completionReportMinutes: 90,
      callbackHours: 48,
    });
    expect(acceptBy(t, p)).toEqual(d('2026-10-31T23:55:00Z'));
    expect(firstContactBy(t, p)).toEqual(d('2026-10-31T23:57:00Z'));
    expect(missedAppointmentAt({ from: t, to: t }, p)).toEqual(d('2026-11-01T00:50:00Z'));
    expect(reportBy(t, p)).toEqual(d('2026-11-01T01:20:00Z'));
    expect(callbackBy(t, p)).toEqual(d('2026-11-02T23:50:00Z'));
  });
  it('complaint response by severity: level 1 2 h, level 2 8 h, level 3 24 h', () => {
    expect(complaintResponseBy(t, 1, P)).toEqual(d('2026-11-01T01:50:00Z'));
    expect(complaintResponseBy(t, 2, P)).toEqual(d('2026-11-01T07:50:00Z'));
    expect(complaintResponseBy(t, 3, P)).toEqual(d('2026-11-01T23:50:00Z'));
    expect(
      complaintResponseBy(t, 1, policyWith({ complaintResponseHours: { level1: 1, level2: 8, level3: 24 } })),
    ).toEqual(d('2026-11-01T00:50:00Z'));
  });
});

describe('judge', () => {
  const due = d('2026-10-12T12:00:00Z');
  it('done exactly at the deadline is MET, one minute later MISSED', () => {
    expect(judge(due, due, due)).toBe('MET');
    expect(judge(due, plus(due, 1), plus(due, 1))).toBe('MISSED');
  });
  it('not done: PENDING up to the deadline, MISSED one minute past', () => {
    expect(judge(due, null, due)).toBe('PENDING');
    expect(judge(due, null, plus(due, 1))).toBe('MISSED');
  });
  it('a clock stopped before it fell due has no verdict; stopped after, it was missed', () => {
    expect(judge(due, null, plus(due, 60), plus(due, -1))).toBeNull();
    expect(judge(due, null, plus(due, 60), plus(due, 1))).toBe('MISSED');
  });
});

describe('ticketSlas', () => {
  it('ACCEPT per offer: met by an answer in time (even a refusal), missed by a timeout', () => {
    let t = journey('OFFERED');
    expect(slas(t, plus(T0, 31), 'ACCEPT')).toMatchObject([{ status: 'PENDING', ref: 'C-1', deadline: plus(T0, 31) }]);
    expect(slas(t, plus(T0, 32), 'ACCEPT')).toMatchObject([{ status: 'MISSED' }]);
    t = step(t, { type: 'REFUSE', reason: 'full' }, plus(T0, 31));
    t = step(t, { type: 'DISPATCH', centreId: 'C-2' }, plus(T0, 32));
    t = step(t, { type: 'ACCEPT_TIMEOUT' }, plus(T0, 63));
    expect(slas(t, plus(T0, 70), 'ACCEPT').map((s) => [s.ref, s.status])).toEqual([
      ['C-1', 'MET'],
      ['C-2', 'MISSED'],
    ]);
  });

  it('FIRST_CONTACT: accepted at T0+10, due T0+40', () => {
    const accepted = journey('ACCEPTED');
    expect(slas(step(accepted, { type: 'CONTACT' }, plus(T0, 40)), plus(T0, 40), 'FIRST_CONTACT')).toMatchObject([
      { status: 'MET' },
    ]);
    expect(slas(step(accepted, { type: 'CONTACT' }, plus(T0, 41)), plus(T0, 41), 'FIRST_CONTACT')).toMatchObject([
      { status: 'MISSED' },
    ]);
    expect(slas(accepted, plus(T0, 41), 'FIRST_CONTACT')).toMatchObject([{ status: 'MISSED', doneAt: null }]);
    expect(slas(accepted, plus(T0, 41), 'FIRST_CONTACT', policyWith({ firstContactMinutes: 60 }))).toMatchObject([
      { status: 'PENDING' },
    ]);
  });

  it('ARRIVAL: on site by the end of the window', () => {
    const to = plus(T0, 26 * 60);
    expect(slas(journey('ON_SITE', { checkInAfterFromMinutes: 120 }), to, 'ARRIVAL')).toMatchObject([
      { status: 'MET', deadline: to, ref: '1' },
    ]);
    expect(slas(journey('ON_SITE', { checkInAfterFromMinutes: 121 }), to, 'ARRIVAL')).toMatchObject([
      { status: 'MISSED' },
    ]);
    expect(slas(journey('ASSIGNED'), plus(to, 1), 'ARRIVAL')).toMatchObject([{ status: 'MISSED' }]);
  });

  it('a rescheduled appointment is no SLA; one replaced after its window ended was missed', () => {
    const assigned = journey('ASSIGNED');
    const later = { from: plus(T0, 48 * 60), to: plus(T0, 50 * 60) };
    const early = step(assigned, { type: 'BOOK', window: later }, plus(T0, 60));
    expect(slas(early, plus(T0, 60), 'ARRIVAL').map((s) => s.ref)).toEqual(['2']);
    const afterWindow = step(assigned, { type: 'BOOK', window: later }, plus(T0, 26 * 60 + 1));
    expect(slas(afterWindow, plus(T0, 26 * 60 + 1), 'ARRIVAL').map((s) => [s.ref, s.status])).toEqual([
      ['1', 'MISSED'],
      ['2', 'PENDING'],
    ]);
  });

  it('COMPLETION_REPORT from the work’s end; CALLBACK met by the first attempt', () => {
    expect(slas(journey('COMPLETED', { reportAfterMinutes: 120 }), T0, 'COMPLETION_REPORT')).toMatchObject([
      { status: 'MET' },
    ]);
    expect(slas(journey('COMPLETED', { reportAfterMinutes: 121 }), T0, 'COMPLETION_REPORT')).toMatchObject([
      { status: 'MISSED' },
    ]);
    const completed = journey('COMPLETED');
    const due = plus(completed.completedAt!, 24 * 60);
    expect(slas(completed, due, 'CALLBACK')).toMatchObject([{ status: 'PENDING', deadline: due }]);
    expect(slas(completed, plus(due, 1), 'CALLBACK')).toMatchObject([{ status: 'MISSED' }]);
    const tried = step(completed, { type: 'CALLBACK_ATTEMPT', answer: 'NO_ANSWER' }, due);
    expect(slas(tried, plus(due, 600), 'CALLBACK')).toMatchObject([{ status: 'MET', doneAt: due }]);
  });

  it('a ticket cancelled before a deadline leaves that clock out; cancelled after, it stays missed', () => {
    const accepted = journey('ACCEPTED');
    expect(
      slas(step(accepted, { type: 'CANCEL', reason: 'dup' }, plus(T0, 20)), plus(T0, 500), 'FIRST_CONTACT'),
    ).toEqual([]);
    expect(
      slas(step(accepted, { type: 'CANCEL', reason: 'dup' }, plus(T0, 41)), plus(T0, 500), 'FIRST_CONTACT'),
    ).toMatchObject([{ status: 'MISSED' }]);
  });

  it('a fresh ticket has no clock running', () => expect(ticketSlas(newTicket(), T0, P)).toEqual([]));
});

describe('complaintSla', () => {
  const c = (severity: 1 | 2 | 3, respondedAt: Date | null): Complaint => ({
    id: 'K-1',
    ticketId: 'T-1',
    centreId: 'C-1',
    severity,
    openedAt: T0,
    respondedAt,
    responsibleParty: null,
  });
  it('level 1 answered at exactly 2 h is met, 2 h 1 min missed', () => {
    expect(complaintSla(c(1, plus(T0, 120)), plus(T0, 200), P)).toMatchObject({ status: 'MET', ref: 'K-1' });
    expect(complaintSla(c(1, plus(T0, 121)), plus(T0, 200), P)).toMatchObject({ status: 'MISSED' });
  });
  it('level 3 is still pending after 8 h', () => {
    expect(complaintSla(c(3, null), plus(T0, 8 * 60 + 1), P).status).toBe('PENDING');
    expect(complaintSla(c(2, null), plus(T0, 8 * 60 + 1), P).status).toBe('MISSED');
  });
});

describe('isOverdue', () => {
  it('a clock past its deadline with nothing done; not one done late, not one still running', () => {
    const offered = journey('OFFERED');
    const acceptDeadline = acceptBy(offered.offers[0]!.offeredAt, P);
    expect(isOverdue(offered, acceptDeadline, P)).toBe(false);
    expect(isOverdue(offered, new Date(acceptDeadline.getTime() + 1), P)).toBe(true);
    // Completed on time, callback due 24 h later: overdue only once that passes with no attempt.
    const done = journey('COMPLETED');
    const due = callbackBy(done.completedAt!, P);
    expect(isOverdue(done, due, P)).toBe(false);
    expect(isOverdue(done, new Date(due.getTime() + 1), P)).toBe(true);
    // Arrived late (a MISSED clock that is done): history, not overdue.
    const late = journey('CLOSED', { checkInAfterFromMinutes: 150 });
    expect(ticketSlas(late, plus(T0, 90 * 24 * 60), P).some((s) => s.status === 'MISSED')).toBe(true);
    expect(isOverdue(late, plus(T0, 90 * 24 * 60), P)).toBe(false);
  });
  it('reads the clock from the standard', () => {
    const offered = journey('OFFERED');
    const at = plus(offered.offers[0]!.offeredAt, 20);
    expect(isOverdue(offered, at, P)).toBe(false);
    expect(isOverdue(offered, at, policyWith({ acceptMinutes: 10 }))).toBe(true);
  });
});
