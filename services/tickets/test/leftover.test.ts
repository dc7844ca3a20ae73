import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../src/rules/events.ts';
import { holdingAt, isPastDue, leftoverCentreAt } from '../src/rules/leftover.ts';
import { DEFAULT_TICKET_POLICY as P } from './fixtures/policy.ts';

/** October 2026's last instant in Shanghai (2026-11-01 00:00 +08:00 minus 1 ms). */
const END = new Date('2026-10-31T15:59:59.999Z');
const MS = 1;
const MIN = 60_000;
/** An instant `ms` milliseconds from END (negative: before it). */
const t = (ms: number): Date => new Date(END.getTime() + ms);

const accepted = (at: Date, centreId = 'C-1'): TicketEvent => ({ type: 'ACCEPTED', at, data: { centreId } });
const booked = (at: Date, from: Date, to: Date, centreId = 'C-1', appointmentNo = 1): TicketEvent => ({
  type: 'BOOKED',
  at,
  data: { centreId, appointmentNo, from, to, rebooked: appointmentNo > 1 },
});
const contacted = (at: Date, centreId = 'C-1'): TicketEvent => ({ type: 'CONTACTED', at, data: { centreId } });
const checkedIn = (at: Date, centreId = 'C-1'): TicketEvent => ({
  type: 'CHECKED_IN',
  at,
  data: { centreId, engineerId: 'E-1', appointmentNo: 1 },
});
const completed = (at: Date, centreId = 'C-1'): TicketEvent => ({
  type: 'COMPLETED',
  at,
  data: { centreId, engineerId: 'E-1', reportedInTime: true, delight: false, partLines: 0 },
});
const recalled = (at: Date, centreId = 'C-1'): TicketEvent => ({
  type: 'RECALLED',
  at,
  data: { centreId, reason: 'centre suspended' },
});
const cancelled = (at: Date, centreId: string | null = 'C-1'): TicketEvent => ({
  type: 'CANCELLED',
  at,
  data: { centreId, reason: 'withdrawn', from: 'ACCEPTED' },
});
const dispatched = (at: Date, centreId = 'C-1'): TicketEvent => ({
  type: 'DISPATCHED',
  at,
  data: { centreId, attempt: 1, manual: false },
});
const received = (at: Date, walkInCentreId?: string): TicketEvent => ({
  type: 'RECEIVED',
  at,
  data: {
    warranty: 'IN_WARRANTY',
    productLine: 'AIR_CONDITIONER',
    serviceType: 'REPAIR',
    ...(walkInCentreId ? { walkInCentreId } : {}),
  },
});

/** A dispatched job accepted by C-1 at `acceptedAt`, with more events after. */
const job = (acceptedAt: Date, ...more: TicketEvent[]): TicketEvent[] => [
  received(t(-3 * 24 * 60 * MIN)),
  dispatched(new Date(acceptedAt.getTime() - 5 * MIN)),
  accepted(acceptedAt),
  ...more,
];

const leftover = (events: TicketEvent[], asOf = END) => leftoverCentreAt(events, asOf, P);

describe('isPastDue (the network rule, restated)', () => {
  const base = { acceptedAt: t(-10 * MIN), completedAt: null, appointmentEndsAt: null, firstContactDueAt: t(-MS) };
  it.each([
    ['no appointment, first-contact deadline 1 ms before', base, true],
    ['no appointment, first-contact deadline exactly at the instant', { ...base, firstContactDueAt: END }, false],
    ['window ended 1 ms before', { ...base, appointmentEndsAt: t(-MS), firstContactDueAt: t(-60 * MIN) }, true],
    ['window ends exactly at the instant', { ...base, appointmentEndsAt: END, firstContactDueAt: t(-60 * MIN) }, false],
    [
      'window still running (first contact long due is not looked at)',
      { ...base, appointmentEndsAt: t(MIN), firstContactDueAt: t(-60 * MIN) },
      false,
    ],
    ['accepted after the instant', { ...base, acceptedAt: t(MS) }, false],
    ['never accepted', { ...base, acceptedAt: null }, false],
    ['completed exactly at the instant', { ...base, completedAt: END }, false],
    ['completed 1 ms after the instant', { ...base, completedAt: t(MS) }, true],
  ])('%s → %s', (_name, facts, expected) => {
    expect(isPastDue(facts, END)).toBe(expected);
  });
});

describe('leftoverCentreAt: the job as it stood at the instant, from its timeline', () => {
  it('accepted, never contacted nor booked: due 30 min after acceptance (strictly before the instant)', () => {
    expect(leftover(job(t(-31 * MIN)))).toBe('C-1');
    expect(leftover(job(t(-30 * MIN)))).toBeNull(); // deadline = END exactly
    expect(leftover(job(t(-29 * MIN)))).toBeNull();
  });

  it('contacted in time but no appointment: still past due once the first-contact deadline passed (the default rule)', () => {
    expect(leftover(job(t(-2 * 60 * MIN), contacted(t(-2 * 60 * MIN + 5 * MIN))))).toBe('C-1');
  });

  it('a window ending exactly at the instant is not past due; 1 ms earlier it is', () => {
    const from = t(-2 * 60 * MIN);
    expect(leftover(job(t(-24 * 60 * MIN), booked(t(-23 * 60 * MIN), from, END)))).toBeNull();
    expect(leftover(job(t(-24 * 60 * MIN), booked(t(-23 * 60 * MIN), from, t(-MS))))).toBe('C-1');
  });

  it('a window in force still running is not past due, however long ago the first contact fell due', () => {
    expect(leftover(job(t(-5 * 24 * 60 * MIN), booked(t(-5 * 24 * 60 * MIN + MIN), t(-MIN), t(60 * MIN))))).toBeNull();
  });

  it('rebooked after the instant: the window in force at the instant decides', () => {
    const missed = job(
      t(-24 * 60 * MIN),
      booked(t(-23 * 60 * MIN), t(-4 * 60 * MIN), t(-2 * 60 * MIN)),
      booked(t(60 * MIN), t(24 * 60 * MIN), t(26 * 60 * MIN), 'C-1', 2),
    );
    expect(leftover(missed)).toBe('C-1');
    const inTime = job(
      t(-24 * 60 * MIN),
      booked(t(-23 * 60 * MIN), t(60 * MIN), t(3 * 60 * MIN)),
      booked(t(2 * 60 * MIN), t(-60 * MIN + 24 * 60 * MIN), t(24 * 60 * MIN), 'C-1', 2),
    );
    expect(leftover(inTime)).toBeNull();
  });

  it('rebooked before the instant to a later window: no longer past due', () => {
    const events = job(
      t(-24 * 60 * MIN),
      booked(t(-23 * 60 * MIN), t(-4 * 60 * MIN), t(-2 * 60 * MIN)),
      booked(t(-60 * MIN), t(10 * 60 * MIN), t(12 * 60 * MIN), 'C-1', 2),
    );
    expect(leftover(events)).toBeNull();
  });

  it('on site with the window over and not completed by the instant: past due', () => {
    expect(
      leftover(
        job(
          t(-24 * 60 * MIN),
          booked(t(-23 * 60 * MIN), t(-4 * 60 * MIN), t(-2 * 60 * MIN)),
          checkedIn(t(-3 * 60 * MIN)),
        ),
      ),
    ).toBe('C-1');
  });

  it('completed after the instant still counts; completed at or before it does not', () => {
    const past = (done: Date) =>
      job(
        t(-24 * 60 * MIN),
        booked(t(-23 * 60 * MIN), t(-4 * 60 * MIN), t(-2 * 60 * MIN)),
        checkedIn(t(-3 * 60 * MIN)),
        completed(done),
      );
    expect(leftover(past(t(MS)))).toBe('C-1');
    expect(leftover(past(t(3 * 24 * 60 * MIN)))).toBe('C-1');
    expect(leftover(past(END))).toBeNull();
    expect(leftover(past(t(-MIN)))).toBeNull();
  });

  it('accepted after the instant does not count (an offer open at the instant is not a held job)', () => {
    expect(leftover(job(t(MS)))).toBeNull();
    expect(leftover([received(t(-60 * MIN)), dispatched(t(-59 * MIN))])).toBeNull();
  });

  it('recalled before the instant: nobody held it; recalled after it: the centre held it then', () => {
    expect(leftover(job(t(-2 * 60 * MIN), recalled(t(-MIN))))).toBeNull();
    expect(leftover(job(t(-2 * 60 * MIN), recalled(END)))).toBeNull(); // an event exactly at the instant has happened
    expect(
      leftover(job(t(-2 * 60 * MIN), recalled(t(MIN)), dispatched(t(2 * MIN), 'C-2'), accepted(t(3 * MIN), 'C-2'))),
    ).toBe('C-1');
  });

  it('held by another centre at the instant: that centre’s leftover, not the first one’s', () => {
    const events = job(
      t(-5 * 60 * MIN),
      recalled(t(-4 * 60 * MIN)),
      dispatched(t(-3 * 60 * MIN), 'C-2'),
      accepted(t(-3 * 60 * MIN + MIN), 'C-2'),
    );
    expect(leftover(events)).toBe('C-2');
    expect(holdingAt(events, END, P)).toEqual({
      centreId: 'C-2',
      facts: {
        acceptedAt: t(-3 * 60 * MIN + MIN),
        completedAt: null,
        appointmentEndsAt: null,
        firstContactDueAt: t(-3 * 60 * MIN + 31 * MIN),
      },
    });
    // Asked at an instant while C-1 still held it, C-1's (accepted 5 h before END, due 4.5 h before: at −4 h 10 min it
    // was past due).
    expect(leftoverCentreAt(events, t(-4 * 60 * MIN - 10 * MIN), P)).toBe('C-1');
  });

  it('a booking made by the previous holder does not follow the job to the next one', () => {
    const events = job(
      t(-5 * 60 * MIN),
      booked(t(-5 * 60 * MIN + MIN), t(60 * MIN), t(3 * 60 * MIN)),
      recalled(t(-4 * 60 * MIN)),
      dispatched(t(-3 * 60 * MIN), 'C-2'),
      accepted(t(-3 * 60 * MIN + MIN), 'C-2'),
    );
    expect(leftover(events)).toBe('C-2');
  });

  it('cancelled before the instant: not held', () => {
    expect(leftover(job(t(-2 * 60 * MIN), cancelled(t(-MIN))))).toBeNull();
    expect(leftover(job(t(-2 * 60 * MIN), cancelled(t(MIN))))).toBe('C-1');
  });

  it('a walk-in is held from its receipt (RECEIVED + ACCEPTED + CONTACTED at once)', () => {
    const at = t(-60 * MIN);
    expect(leftover([received(at, 'C-3'), accepted(at, 'C-3'), contacted(at, 'C-3')])).toBe('C-3');
  });

  it('reads the standard’s first-contact minutes, not a constant', () => {
    const events = job(t(-31 * MIN));
    expect(leftoverCentreAt(events, END, { slaClocks: { firstContactMinutes: 30 } })).toBe('C-1');
    expect(leftoverCentreAt(events, END, { slaClocks: { firstContactMinutes: 31 } })).toBeNull();
  });
});
