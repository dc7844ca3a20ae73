import { describe, expect, it } from 'vitest';
import { shanghaiDate } from '../src/shanghai.ts';
import { summaryOf } from '../src/summary.ts';
import type { TicketSnapshot } from '../src/rules/ticket.ts';
import { DEFAULT_TICKET_POLICY as P, policyWith } from './fixtures/policy.ts';
import { journey, newTicket, plus, step, T0 } from './fixtures/tickets.ts';

const v = (t: TicketSnapshot, version = 3) => ({ ...t, version, standardVersionId: 'std-1' });
const iso = (d: Date) => d.toISOString();

describe('summaryOf', () => {
  it('a received ticket: nothing open, nothing due', () => {
    expect(summaryOf(v(newTicket(), 1), P)).toEqual({
      id: 'T-1',
      version: 1,
      state: 'RECEIVED',
      standardVersionId: 'std-1',
      productLine: 'AIR_CONDITIONER',
      regionCode: '310115',
      receivedAt: iso(T0),
      centreId: null,
      engineerId: null,
      acceptBy: null,
      failedAttempts: 0,
      mustEscalate: false,
      triedCentres: [],
      appointment: null,
      checkedInAt: null,
      completedAt: null,
      callbackBy: null,
      callbackAttempts: 0,
    });
  });

  it('an open offer is due acceptMinutes after it was made, from the policy given', () => {
    const t = journey('OFFERED');
    expect(summaryOf(v(t), P)).toMatchObject({
      state: 'OFFERED',
      centreId: 'C-1',
      acceptBy: iso(plus(T0, 31)),
      triedCentres: ['C-1'],
    });
    expect(summaryOf(v(t), policyWith({ acceptMinutes: 45 })).acceptBy).toBe(iso(plus(T0, 46)));
  });

  it('refusals count in the round, and the last allowed one makes escalation the next step', () => {
    let t = newTicket();
    ['C-1', 'C-2', 'C-3'].forEach((centreId, i) => {
      t = step(t, { type: 'DISPATCH', centreId }, plus(T0, 2 * i + 1));
      t = step(t, { type: 'REFUSE', reason: 'no engineer free' }, plus(T0, 2 * i + 2));
    });
    expect(summaryOf(v(t), P)).toMatchObject({
      state: 'OFFERED',
      acceptBy: null,
      failedAttempts: 3,
      mustEscalate: true,
      triedCentres: ['C-1', 'C-2', 'C-3'],
    });
    // An escalation starts a new round: nothing tried yet.
    const escalated = step(t, { type: 'ESCALATE' }, plus(T0, 10));
    expect(summaryOf(v(escalated), P)).toMatchObject({
      state: 'ESCALATED',
      failedAttempts: 0,
      mustEscalate: false,
      triedCentres: [],
    });
  });

  it('the appointment in force, its end and when it becomes missed', () => {
    const t = journey('ASSIGNED');
    expect(summaryOf(v(t), P)).toMatchObject({
      state: 'ASSIGNED',
      engineerId: 'E-1',
      acceptBy: null,
      appointment: { no: 1, to: iso(plus(T0, 26 * 60)), missedAt: iso(plus(T0, 28 * 60)) },
    });
    const rebooked = step(
      t,
      { type: 'BOOK', window: { from: plus(T0, 48 * 60), to: plus(T0, 49 * 60) } },
      plus(T0, 60),
    );
    expect(summaryOf(v(rebooked), policyWith({ missedAppointmentMinutes: 30 })).appointment).toEqual({
      no: 2,
      to: iso(plus(T0, 49 * 60)),
      missedAt: iso(plus(T0, 49 * 60 + 30)),
    });
  });

  it('completion starts the callback clock; attempts are counted', () => {
    const t = journey('CALLED_BACK');
    const s = summaryOf(v(t), P);
    expect(s).toMatchObject({
      state: 'CALLED_BACK',
      checkedInAt: iso(t.checkedInAt!),
      completedAt: iso(t.completedAt!),
      callbackAttempts: 1,
    });
    expect(s.callbackBy).toBe(iso(new Date(t.completedAt!.getTime() + 24 * 3600_000)));
  });

  it('a recall takes the job off its centre and engineer and closes the appointment', () => {
    const t = step(journey('ASSIGNED'), { type: 'RECALL', reason: 'centre suspended' }, plus(T0, 60));
    expect(summaryOf(v(t), P)).toMatchObject({
      state: 'RECEIVED',
      centreId: null,
      engineerId: null,
      appointment: null,
    });
  });
});

describe('Asia/Shanghai days', () => {
  it('16:00 UTC is midnight in Shanghai', () => {
    expect(shanghaiDate(new Date('2026-10-12T15:59:59.999Z'))).toBe('20261012');
    expect(shanghaiDate(new Date('2026-10-12T16:00:00Z'))).toBe('20261013');
  });
});
