import { describe, expect, it } from 'vitest';
import { CALLBACK_COMPLAINT_SEVERITY, effectsOf, setsOf } from '../src/effects.ts';
import { applyPatch, decide, type TicketCommand } from '../src/rules/lifecycle.ts';
import type { TicketSnapshot } from '../src/rules/ticket.ts';
import { DEFAULT_TICKET_POLICY as P } from './fixtures/policy.ts';
import { journey, newTicket, plus, T0 } from './fixtures/tickets.ts';

const NUMBER = 'T20261012000042';

/** The effects of one command, as applyTicketCommand computes them. */
function effects(t: TicketSnapshot, command: TicketCommand, at: Date, version = 5) {
  const d = decide(t, command, at, P);
  if (!d.ok) throw new Error(d.message);
  return effectsOf({
    before: t,
    after: applyPatch(t, d.patch),
    ticketNumber: NUMBER,
    version,
    events: d.events,
    at,
    policy: P,
  });
}

describe('effectsOf', () => {
  it('a refusal is visible to the centre that refused, though it no longer holds the job', () => {
    const e = effects(journey('OFFERED'), { type: 'REFUSE', reason: 'full' }, plus(T0, 5));
    expect(e.change).toMatchObject({ centreId: null, centreIds: ['C-1'], state: 'OFFERED', types: ['REFUSED'] });
    expect(e.kpiFacts).toEqual([]);
  });

  it('acceptance counts one dispatched job for the centre, keyed by ticket, version and counter', () => {
    const at = plus(T0, 10);
    const e = effects(journey('OFFERED'), { type: 'ACCEPT' }, at, 3);
    expect(e.kpiFacts).toEqual([
      {
        id: 'T-1:3:dispatched:C-1',
        ticketId: 'T-1',
        version: 3,
        centreId: 'C-1',
        month: '2026-10',
        counter: 'dispatched',
        by: 1,
        at,
      },
    ]);
  });

  it('an UNSATISFIED final callback opens one complaint and counts it', () => {
    const t = journey('COMPLETED');
    const at = plus(t.completedAt!, 60);
    const e = effects(t, { type: 'CALLBACK_ATTEMPT', answer: 'UNSATISFIED' }, at);
    expect(e.complaint).toMatchObject({
      id: 'T-1:callback',
      ticketId: 'T-1',
      centreId: 'C-1',
      engineerId: 'E-1',
      severity: CALLBACK_COMPLAINT_SEVERITY,
      openedAt: at,
      responseBy: plus(at, 8 * 60),
      source: 'CALLBACK',
    });
    expect(e.kpiFacts.map((f) => f.counter).sort()).toEqual(['answeredCallbacks', 'complaints']);
    expect(e.change.types).toEqual(['CALLBACK_ATTEMPTED', 'CALLED_BACK']);
  });

  it('a SATISFIED callback opens none', () => {
    const t = journey('COMPLETED');
    expect(
      effects(t, { type: 'CALLBACK_ATTEMPT', answer: 'SATISFIED' }, plus(t.completedAt!, 60)).complaint,
    ).toBeNull();
  });

  it('a change without events (SUPERSEDED) names its type and the holder', () => {
    const t = journey('CLOSED');
    const e = effectsOf({
      before: t,
      after: { ...t, supersededBy: 'T-2' },
      ticketNumber: NUMBER,
      version: 10,
      events: [],
      at: plus(T0, 9999),
      policy: P,
      types: ['SUPERSEDED'],
    });
    expect(e.change).toMatchObject({ centreIds: ['C-1'], types: ['SUPERSEDED'], state: 'CLOSED' });
    expect(e.kpiFacts).toEqual([]);
  });

  it('intake: no centre sees it yet', () => {
    const t = newTicket();
    expect(
      effectsOf({
        before: null,
        after: t,
        ticketNumber: NUMBER,
        version: 1,
        events: [],
        at: T0,
        policy: P,
        types: ['RECEIVED'],
      }).change.centreIds,
    ).toEqual([]);
  });
});

describe('ticket sets (a centre’s open jobs, an engineer’s day)', () => {
  const moves = (t: TicketSnapshot, command: TicketCommand, at: Date) => effects(t, command, at).sets;

  it('acceptance puts the job in its centre’s open jobs; an offer alone does not', () => {
    expect(moves(newTicket(), { type: 'DISPATCH', centreId: 'C-1' }, plus(T0, 1))).toEqual([]);
    expect(moves(journey('OFFERED'), { type: 'ACCEPT' }, plus(T0, 10))).toEqual([{ key: 'centre:C-1', add: true }]);
  });

  it('assigning puts it in the engineer’s day of the appointment (Asia/Shanghai); reassigning moves it', () => {
    const booked = journey('BOOKED'); // appointment from T0 + 24 h = 2026-10-13 09:00 in Shanghai
    expect(setsOf(booked)).toEqual(['centre:C-1']);
    expect(moves(booked, { type: 'ASSIGN', engineerId: 'E-1' }, plus(T0, 40))).toEqual([
      { key: 'engineer:E-1:20261013', add: true },
    ]);
    expect(moves(journey('ASSIGNED'), { type: 'ASSIGN', engineerId: 'E-2' }, plus(T0, 40))).toEqual([
      { key: 'engineer:E-1:20261013', add: false },
      { key: 'engineer:E-2:20261013', add: true },
    ]);
  });

  it('a rebooking to another day moves it; one to 23:30 the same evening in Shanghai (15:30 UTC) does not', () => {
    const t = journey('ASSIGNED');
    expect(
      moves(t, { type: 'BOOK', window: { from: plus(T0, 48 * 60), to: plus(T0, 49 * 60) } }, plus(T0, 60)),
    ).toEqual([
      { key: 'engineer:E-1:20261013', add: false },
      { key: 'engineer:E-1:20261014', add: true },
    ]);
    const lateEvening = new Date('2026-10-13T15:30:00Z');
    expect(moves(t, { type: 'BOOK', window: { from: lateEvening, to: plus(lateEvening, 20) } }, plus(T0, 60))).toEqual(
      [],
    );
  });

  it('completion ends the centre’s open job but the engineer’s day stays filled; recall and cancel leave both', () => {
    const onSite = journey('ON_SITE');
    const at = plus(onSite.checkedInAt!, 90);
    const report = {
      workFinishedAt: plus(at, -10),
      checklist: [...P.requiredSteps],
      faultCode: 'E1',
      parts: [],
      charges: [],
    };
    expect(moves(onSite, { type: 'COMPLETE', report }, at)).toEqual([
      { key: 'centre:C-1', add: false },
      { key: 'centre-left:C-1:2026-10', add: true, member: `T-1|${at.toISOString()}` },
      { key: 'unsettled:C-1', add: true },
    ]);
    const leaveBoth = [
      { key: 'centre:C-1', add: false },
      { key: 'engineer:E-1:20261013', add: false },
      { key: 'centre-left:C-1:2026-10', add: true, member: 'T-1|2026-10-12T02:00:00.000Z' },
    ];
    expect(moves(journey('ASSIGNED'), { type: 'RECALL', reason: 'centre suspended' }, plus(T0, 60))).toEqual(leaveBoth);
    expect(moves(journey('ASSIGNED'), { type: 'CANCEL', reason: 'customer withdrew' }, plus(T0, 60))).toEqual(
      leaveBoth,
    );
  });

  it('only completion joins the centre’s unsettled jobs, and no later step (callback, quality check, superseded) leaves them', () => {
    const unsettled = (ms: { key: string }[]) => ms.filter((m) => m.key.startsWith('unsettled:'));
    const completed = journey('COMPLETED');
    expect(
      unsettled(moves(completed, { type: 'CALLBACK_ATTEMPT', answer: 'NO_ANSWER' }, plus(completed.completedAt!, 60))),
    ).toEqual([]);
    expect(
      unsettled(
        moves(completed, { type: 'CALLBACK_ATTEMPT', answer: 'UNSATISFIED' }, plus(completed.completedAt!, 60)),
      ),
    ).toEqual([]);
    const calledBack = journey('CALLED_BACK');
    expect(unsettled(moves(calledBack, { type: 'QUALITY_CHECK' }, plus(calledBack.completedAt!, 49 * 60)))).toEqual([]);
    const closed = journey('CLOSED');
    const superseded = effectsOf({
      before: closed,
      after: { ...closed, supersededBy: 'T-2' },
      ticketNumber: NUMBER,
      version: 12,
      events: [],
      at: plus(T0, 90 * 24 * 60),
      policy: P,
      types: ['SUPERSEDED'],
    });
    expect(superseded.sets).toEqual([]);
    // Recalled or cancelled before completion: never the centre's to be paid.
    expect(unsettled(moves(journey('ASSIGNED'), { type: 'RECALL', reason: 'centre suspended' }, plus(T0, 60)))).toEqual(
      [],
    );
    expect(
      unsettled(moves(journey('ACCEPTED'), { type: 'CANCEL', reason: 'customer withdrew' }, plus(T0, 60))),
    ).toEqual([]);
    expect(setsOf(closed)).not.toContain('unsettled:C-1');
  });

  it('leaving the open jobs joins the left set of the Shanghai month it left in, with the instant', () => {
    // 2026-10-31 16:30 UTC is 1 November 00:30 in Shanghai.
    const at = new Date('2026-10-31T16:30:00.000Z');
    const accepted = journey('ACCEPTED');
    expect(moves(accepted, { type: 'CANCEL', reason: 'customer withdrew' }, at)).toEqual([
      { key: 'centre:C-1', add: false },
      { key: 'centre-left:C-1:2026-11', add: true, member: 'T-1|2026-10-31T16:30:00.000Z' },
    ]);
    // A job no centre held open leaves nothing.
    expect(moves(journey('OFFERED'), { type: 'CANCEL', reason: 'customer withdrew' }, at)).toEqual([]);
  });
});

describe('the settlement record (what unsettledJobs reads instead of the ticket)', () => {
  // The default standard's fee for an air conditioner REPAIR, URBAN: 8000 fen. The journey completes
  // at T0 + 1 day + 2 h (2026-10-13 03:00 UTC, October in Shanghai) at C-1.
  const base = {
    ticketId: 'T-1',
    number: NUMBER,
    completedMonth: '2026-10',
    productLine: 'AIR_CONDITIONER',
    serviceType: 'REPAIR',
    areaClass: 'URBAN',
  };

  it('none before completion', () => {
    expect(effects(journey('OFFERED'), { type: 'ACCEPT' }, plus(T0, 10)).settlementJob).toBeNull();
    expect(effects(journey('ASSIGNED'), { type: 'CHECK_IN' }, plus(T0, 24 * 60 + 30)).settlementJob).toBeNull();
  });

  it('written at completion (PENDING its callback) and rewritten by every later step', () => {
    const onSite = journey('ON_SITE');
    const at = plus(onSite.checkedInAt!, 90);
    const report = {
      workFinishedAt: plus(at, -10),
      checklist: [...P.requiredSteps],
      faultCode: 'E1',
      parts: [],
      charges: [],
    };
    expect(effects(onSite, { type: 'COMPLETE', report }, at).settlementJob).toEqual({
      centreId: 'C-1',
      job: { ...base, status: 'PENDING', feeFen: null, reasons: ['CALLBACK'] },
    });
    const completed = journey('COMPLETED');
    expect(
      effects(completed, { type: 'CALLBACK_ATTEMPT', answer: 'UNSATISFIED' }, plus(completed.completedAt!, 60))
        .settlementJob,
    ).toEqual({
      centreId: 'C-1',
      job: { ...base, status: 'HELD', feeFen: null, reasons: ['CALLBACK_UNSATISFIED'] },
    });
    const calledBack = journey('CALLED_BACK');
    expect(
      effects(calledBack, { type: 'QUALITY_CHECK' }, plus(calledBack.completedAt!, 49 * 60)).settlementJob,
    ).toEqual({
      centreId: 'C-1',
      job: { ...base, status: 'PAYABLE', feeFen: 8000, reasons: [] },
    });
  });

  it('a repeat repair superseding the job makes it NOT_PAYABLE', () => {
    const closed = journey('CLOSED');
    const superseded = effectsOf({
      before: closed,
      after: { ...closed, supersededBy: 'T-2' },
      ticketNumber: NUMBER,
      version: 12,
      events: [],
      at: plus(T0, 90 * 24 * 60),
      policy: P,
      types: ['SUPERSEDED'],
    });
    expect(superseded.settlementJob).toEqual({
      centreId: 'C-1',
      job: { ...base, status: 'NOT_PAYABLE', feeFen: null, reasons: ['REPEAT_REPAIR'] },
    });
  });
});
