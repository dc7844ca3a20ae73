import { describe, expect, it } from 'vitest';
import type { Complaint } from '../src/rules/complaint.ts';
import {
  appointmentEvidence,
  appointmentOutcome,
  majorComplaint,
  missingSteps,
  nonStandardService,
  overcharge,
  repeatRepair,
  repeatRepairOf,
  ticketEvidence,
} from '../src/rules/evidence.ts';
import type { TicketSnapshot } from '../src/rules/ticket.ts';
import { DEFAULT_TICKET_POLICY as P, defaultTicketPolicy, policyWith } from './fixtures/policy.ts';
import { journey, plus, REQUIRED, step, T0, type JourneyOptions } from './fixtures/tickets.ts';

const FROM = plus(T0, 24 * 60);
const TO = plus(T0, 26 * 60);
const MISSED_AT = plus(TO, 120);
const later = { from: plus(T0, 48 * 60), to: plus(T0, 50 * 60) };
const onSite = (checkInAfterFromMinutes: number) => journey('ON_SITE', { checkInAfterFromMinutes });

describe('LATE_ARRIVAL and PROMISE_BROKEN (window ends T0+26 h, missed from T0+28 h)', () => {
  it('check-in exactly at the window’s end is on time', () => {
    expect(appointmentOutcome(onSite(120), 1, MISSED_AT, P)).toBe('KEPT');
    expect(appointmentEvidence(onSite(120), 1, MISSED_AT, P)).toBeNull();
  });

  it('one minute after the window is LATE_ARRIVAL for the engineer, keyed on ticket and appointment', () => {
    expect(appointmentEvidence(onSite(121), 1, MISSED_AT, P)).toEqual({
      code: 'LATE_ARRIVAL',
      engineerId: 'E-1',
      evidenceKey: 'ticket:T-1:LATE_ARRIVAL:1',
      ticketId: 'T-1',
    });
    expect(appointmentEvidence(onSite(239), 1, MISSED_AT, P)?.code).toBe('LATE_ARRIVAL');
  });

  it('a check-in at the missed instant is PROMISE_BROKEN only, never also LATE_ARRIVAL', () => {
    const t = onSite(240);
    expect(appointmentEvidence(t, 1, MISSED_AT, P)).toMatchObject({
      code: 'PROMISE_BROKEN',
      evidenceKey: 'ticket:T-1:PROMISE_BROKEN:1',
    });
    expect(ticketEvidence(t, MISSED_AT, P).map((e) => e.code)).toEqual(['PROMISE_BROKEN']);
  });

  it('with no check-in: nothing one millisecond before the missed instant, PROMISE_BROKEN at it', () => {
    const t = journey('ASSIGNED');
    expect(appointmentOutcome(t, 1, new Date(MISSED_AT.getTime() - 1), P)).toBe('OPEN');
    expect(appointmentEvidence(t, 1, new Date(MISSED_AT.getTime() - 1), P)).toBeNull();
    expect(appointmentEvidence(t, 1, MISSED_AT, P)).toMatchObject({ code: 'PROMISE_BROKEN', engineerId: 'E-1' });
  });

  it('reads missedAppointmentMinutes from the standard', () => {
    expect(appointmentEvidence(onSite(181), 1, MISSED_AT, P)?.code).toBe('LATE_ARRIVAL');
    expect(appointmentEvidence(onSite(181), 1, MISSED_AT, policyWith({ missedAppointmentMinutes: 60 }))?.code).toBe(
      'PROMISE_BROKEN',
    );
  });

  it('rebooked by the window’s end: rescheduled, no evidence', () => {
    const early = step(journey('ASSIGNED'), { type: 'BOOK', window: later }, plus(T0, 60));
    expect(appointmentOutcome(early, 1, plus(T0, 60 * 60), P)).toBe('RESCHEDULED');
    const atEnd = step(journey('ASSIGNED'), { type: 'BOOK', window: later }, TO);
    expect(appointmentEvidence(atEnd, 1, plus(T0, 60 * 60), P)).toBeNull();
  });

  it('evidence is per appointment: a missed first visit and a late second one both count, with distinct keys', () => {
    let t = step(journey('ASSIGNED'), { type: 'BOOK', window: later }, plus(TO, 1));
    t = step(t, { type: 'CHECK_IN' }, plus(later.to, 5));
    expect(ticketEvidence(t, plus(later.to, 600), P)).toEqual([
      { code: 'PROMISE_BROKEN', engineerId: 'E-1', evidenceKey: 'ticket:T-1:PROMISE_BROKEN:1', ticketId: 'T-1' },
      { code: 'LATE_ARRIVAL', engineerId: 'E-1', evidenceKey: 'ticket:T-1:LATE_ARRIVAL:2', ticketId: 'T-1' },
    ]);
  });

  it('goes to the engineer who held the job when the window ended, not a later replacement', () => {
    let t = step(journey('ASSIGNED'), { type: 'ASSIGN', engineerId: 'E-2' }, plus(TO, 10));
    t = step(t, { type: 'BOOK', window: later }, plus(TO, 11));
    expect(appointmentEvidence(t, 1, plus(TO, 11), P)?.engineerId).toBe('E-1');
  });

  it('with no engineer assigned when it fell due, the miss is the centre’s (no licence evidence)', () => {
    const t = journey('BOOKED');
    expect(appointmentOutcome(t, 1, MISSED_AT, P)).toBe('MISSED');
    expect(appointmentEvidence(t, 1, MISSED_AT, P)).toBeNull();
  });

  it('a recall or cancellation after the window ended does not erase the broken promise', () => {
    const recalled = step(journey('ASSIGNED'), { type: 'RECALL', reason: 'centre suspended' }, plus(TO, 30));
    expect(appointmentEvidence(recalled, 1, plus(TO, 30), P)).toMatchObject({
      code: 'PROMISE_BROKEN',
      engineerId: 'E-1',
    });
    const cancelledInTime = step(journey('ASSIGNED'), { type: 'CANCEL', reason: 'not needed' }, plus(FROM, -60));
    expect(ticketEvidence(cancelledInTime, plus(T0, 100 * 60), P)).toEqual([]);
  });
});

describe('NON_STANDARD_SERVICE', () => {
  it('none when every required step is confirmed (optional ones don’t matter)', () => {
    const t = journey('COMPLETED', { report: { checklist: [...REQUIRED] } });
    expect(missingSteps(t, P)).toEqual([]);
    expect(nonStandardService(t, P)).toBeNull();
  });
  it('missing one required step is evidence for the completing engineer', () => {
    const t = journey('COMPLETED', { report: { checklist: REQUIRED.filter((s) => s !== 'SHOE_COVERS') } });
    expect(missingSteps(t, P)).toEqual(['SHOE_COVERS']);
    expect(nonStandardService(t, P)).toEqual({
      code: 'NON_STANDARD_SERVICE',
      engineerId: 'E-1',
      evidenceKey: 'ticket:T-1:NON_STANDARD_SERVICE',
      ticketId: 'T-1',
    });
  });
  it('follows the standard’s required steps', () => {
    const t = journey('COMPLETED', { report: { checklist: REQUIRED.filter((s) => s !== 'SHOE_COVERS') } });
    expect(nonStandardService(t, { ...defaultTicketPolicy(), requiredSteps: ['TEST_RUN'] })).toBeNull();
  });
  it('no report, no evidence', () => expect(nonStandardService(journey('ON_SITE'), P)).toBeNull());
});

describe('OVERCHARGE', () => {
  const outOfWarranty = { purchaseDate: new Date('2024-01-01T00:00:00Z') };
  const charged = (amountFen: number, intake: JourneyOptions['intake'] = outOfWarranty) =>
    journey('COMPLETED', { intake, report: { charges: [{ code: 'AC-CAPACITOR', quantity: 2, amountFen }] } });

  it('a charge equal to price × quantity is fine; one fen above is OVERCHARGE', () => {
    expect(charged(9000).warranty).toBe('OUT_OF_WARRANTY');
    expect(overcharge(charged(9000), P)).toBeNull();
    expect(overcharge(charged(9001), P)).toEqual({
      code: 'OVERCHARGE',
      engineerId: 'E-1',
      evidenceKey: 'ticket:T-1:OVERCHARGE',
      ticketId: 'T-1',
    });
  });
  it('any charge at all on an in-warranty job is OVERCHARGE; a zero line is not a charge', () => {
    expect(charged(1, {}).warranty).toBe('IN_WARRANTY');
    expect(overcharge(charged(1, {}), P)?.code).toBe('OVERCHARGE');
    expect(overcharge(charged(0, {}), P)).toBeNull();
  });
  it('prices come from the standard; a code it no longer lists justifies nothing', () => {
    const dearer = defaultTicketPolicy();
    dearer.priceList = dearer.priceList.map((i) => (i.code === 'AC-CAPACITOR' ? { ...i, priceFen: 5000 } : i));
    expect(overcharge(charged(9001), dearer)).toBeNull();
    const without = { ...defaultTicketPolicy(), priceList: [] };
    expect(overcharge(charged(100), without)?.code).toBe('OVERCHARGE');
  });
});

describe('REPEAT_REPAIR (repeatRepairDays 90)', () => {
  const earlier = journey('CLOSED', { id: 'T-1' });
  const DAY = 24 * 60;
  const laterJob = (days: number, o: JourneyOptions = {}, until: 'COMPLETED' | 'ASSIGNED' = 'COMPLETED') =>
    journey(until, { id: 'T-2', start: plus(earlier.completedAt!, days * DAY), ...o });

  it.each([
    [89, true],
    [90, true],
    [91, false],
  ])('a repair requested %i days after the earlier completion: repeat = %s', (days, repeat) => {
    expect(repeatRepairOf(laterJob(days), [earlier], P)?.id ?? null).toBe(repeat ? 'T-1' : null);
  });
  it('exactly 90 × 24 h is inside, one minute more is outside', () => {
    const justOut = journey('COMPLETED', { id: 'T-2', start: plus(earlier.completedAt!, 90 * DAY + 1) });
    expect(repeatRepairOf(justOut, [earlier], P)).toBeNull();
  });
  it('charges the EARLIER engineer, keyed on the earlier ticket, and supersedes the earlier job', () => {
    const done = laterJob(30, { engineerId: 'E-9' });
    expect(done.assignments.map((a) => a.engineerId)).toEqual(['E-9']);
    expect(repeatRepair(done, [earlier], P)).toEqual({
      evidence: { code: 'REPEAT_REPAIR', engineerId: 'E-1', evidenceKey: 'ticket:T-1:REPEAT_REPAIR', ticketId: 'T-1' },
      earlierTicketId: 'T-1',
      earlierPatch: { supersededBy: 'T-2' },
    });
  });
  it('a job already superseded keeps its first successor', () => {
    const superseded: TicketSnapshot = { ...earlier, supersededBy: 'T-0' };
    expect(repeatRepair(laterJob(10), [superseded], P)?.earlierPatch).toEqual({});
  });
  it('needs the same product line and serial, two completed REPAIRs', () => {
    expect(repeatRepairOf(laterJob(10, { intake: { serialNumber: 'AC2025-999999' } }), [earlier], P)).toBeNull();
    expect(repeatRepairOf(laterJob(10, { intake: { productLine: 'TELEVISION' } }), [earlier], P)).toBeNull();
    expect(repeatRepairOf(laterJob(10, { intake: { serviceType: 'MAINTENANCE' } }), [earlier], P)).toBeNull();
    expect(repeatRepairOf(laterJob(10, {}, 'ASSIGNED'), [earlier], P)).toBeNull();
    const install = journey('CLOSED', { id: 'T-1', intake: { serviceType: 'INSTALL' } });
    expect(repeatRepairOf(laterJob(10), [install], P)).toBeNull();
  });
  it('finds the serial whatever case it was typed in', () => {
    expect(repeatRepairOf(laterJob(10, { intake: { serialNumber: ' ac2025-000123 ' } }), [earlier], P)?.id).toBe('T-1');
  });
  it('picks the most recent earlier repair', () => {
    const middle = journey('CLOSED', { id: 'T-1b', start: plus(earlier.completedAt!, 5 * DAY) });
    expect(repeatRepairOf(laterJob(20), [earlier, middle], P)?.id).toBe('T-1b');
  });
  it('reads repeatRepairDays from the standard', () => {
    expect(repeatRepairOf(laterJob(31), [earlier], policyWith({ repeatRepairDays: 30 }))).toBeNull();
    expect(repeatRepairOf(laterJob(31), [earlier], P)?.id).toBe('T-1');
  });
});

describe('MAJOR_COMPLAINT', () => {
  const complaint = (over: Partial<Complaint>): Complaint => ({
    id: 'K-1',
    ticketId: 'T-1',
    centreId: 'C-1',
    severity: 1,
    openedAt: T0,
    respondedAt: null,
    responsibleParty: { kind: 'ENGINEER', engineerId: 'E-1' },
    ...over,
  });
  it('a severity-1 complaint the engineer is responsible for', () => {
    expect(majorComplaint(complaint({}))).toEqual({
      code: 'MAJOR_COMPLAINT',
      engineerId: 'E-1',
      evidenceKey: 'complaint:K-1:MAJOR_COMPLAINT',
      ticketId: 'T-1',
    });
    expect(majorComplaint(complaint({ id: 'K-2' }))?.evidenceKey).toBe('complaint:K-2:MAJOR_COMPLAINT');
  });
  it('not for severity 2, the centre’s responsibility, or before anyone is named', () => {
    expect(majorComplaint(complaint({ severity: 2 }))).toBeNull();
    expect(majorComplaint(complaint({ responsibleParty: { kind: 'CENTRE' } }))).toBeNull();
    expect(majorComplaint(complaint({ responsibleParty: null }))).toBeNull();
  });
});

describe('ticketEvidence', () => {
  it('is stable: re-running gives the same keys, each unique', () => {
    const t = journey('COMPLETED', { checkInAfterFromMinutes: 150, report: { checklist: REQUIRED.slice(2) } });
    const first = ticketEvidence(t, plus(T0, 100 * 60), P);
    expect(first.map((e) => e.evidenceKey)).toEqual(['ticket:T-1:LATE_ARRIVAL:1', 'ticket:T-1:NON_STANDARD_SERVICE']);
    expect(ticketEvidence(t, plus(T0, 200 * 60), P)).toEqual(first);
  });
});
