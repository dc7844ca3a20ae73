import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  decide,
  dispatchAttempts,
  mustEscalate,
  triedCentres,
  type CommandType,
  type TicketCommand,
} from '../src/rules/lifecycle.ts';
import {
  currentAppointment,
  currentEngineer,
  TICKET_STATES,
  type TicketSnapshot,
  type TicketState,
} from '../src/rules/ticket.ts';
import { DEFAULT_TICKET_POLICY as P, policyWith } from './fixtures/policy.ts';
import { journey, newTicket, part, plus, report, step, T0 } from './fixtures/tickets.ts';

/** Written independently of ALLOWED_FROM: the states each command may start from (docs/domain.md §5). */
const LEGAL: Record<TicketState, CommandType[]> = {
  RECEIVED: ['DISPATCH', 'ESCALATE', 'CANCEL'],
  OFFERED: ['DISPATCH', 'ACCEPT', 'REFUSE', 'ACCEPT_TIMEOUT', 'ESCALATE', 'RECALL', 'CANCEL'],
  ESCALATED: ['DISPATCH', 'CANCEL'],
  ACCEPTED: ['CONTACT', 'BOOK', 'RECALL', 'CANCEL'],
  BOOKED: ['BOOK', 'ASSIGN', 'RECALL', 'CANCEL'],
  ASSIGNED: ['BOOK', 'ASSIGN', 'CHECK_IN', 'RECALL', 'CANCEL'],
  ON_SITE: ['COMPLETE', 'CANCEL'],
  COMPLETED: ['CALLBACK_ATTEMPT', 'RETURN_OLD_PART', 'RECORD_AUTOPSY'],
  CALLED_BACK: ['RETURN_OLD_PART', 'RECORD_AUTOPSY', 'QUALITY_CHECK'],
  CLOSED: [],
  CANCELLED: [],
};

const sample = (type: CommandType, now: Date): TicketCommand => {
  const window = { from: plus(now, 60), to: plus(now, 120) };
  const commands: Record<CommandType, TicketCommand> = {
    DISPATCH: { type: 'DISPATCH', centreId: 'C-9' },
    ACCEPT: { type: 'ACCEPT' },
    REFUSE: { type: 'REFUSE', reason: 'no engineer free' },
    ACCEPT_TIMEOUT: { type: 'ACCEPT_TIMEOUT' },
    ESCALATE: { type: 'ESCALATE' },
    CONTACT: { type: 'CONTACT' },
    BOOK: { type: 'BOOK', window },
    ASSIGN: { type: 'ASSIGN', engineerId: 'E-2' },
    CHECK_IN: { type: 'CHECK_IN' },
    COMPLETE: { type: 'COMPLETE', report: report(now) },
    CALLBACK_ATTEMPT: { type: 'CALLBACK_ATTEMPT', answer: 'SATISFIED' },
    RETURN_OLD_PART: { type: 'RETURN_OLD_PART' },
    RECORD_AUTOPSY: { type: 'RECORD_AUTOPSY', consistent: true, note: 'ok' },
    QUALITY_CHECK: { type: 'QUALITY_CHECK' },
    RECALL: { type: 'RECALL', reason: 'centre suspended' },
    CANCEL: { type: 'CANCEL', reason: 'customer fixed it' },
  };
  return commands[type];
};

const stateOf = (state: TicketState): TicketSnapshot => {
  if (state === 'ESCALATED') return step(newTicket(), { type: 'ESCALATE' }, plus(T0, 1));
  if (state === 'CANCELLED') return step(newTicket(), { type: 'CANCEL', reason: 'duplicate request' }, plus(T0, 1));
  return journey(state);
};
const lastInstant = (t: TicketSnapshot) =>
  t.closedAt ??
  t.calledBackAt ??
  t.completedAt ??
  t.checkedInAt ??
  t.assignments.at(-1)?.at ??
  t.offers.at(-1)?.offeredAt ??
  t.cancelledAt ??
  t.escalations.at(-1) ??
  t.receivedAt;
const COMMANDS: CommandType[] = [
  'DISPATCH',
  'ACCEPT',
  'REFUSE',
  'ACCEPT_TIMEOUT',
  'ESCALATE',
  'CONTACT',
  'BOOK',
  'ASSIGN',
  'CHECK_IN',
  'COMPLETE',
  'CALLBACK_ATTEMPT',
  'RETURN_OLD_PART',
  'RECORD_AUTOPSY',
  'QUALITY_CHECK',
  'RECALL',
  'CANCEL',
];
const REQUIRED_BUT_ONE = P.requiredSteps.slice(1);

describe('the state check', () => {
  const pairs = TICKET_STATES.flatMap((s) => COMMANDS.map((c) => [s, c] as const));
  it('covers all 176 (state, command) pairs', () => expect(pairs).toHaveLength(11 * 16));

  const illegal = pairs.filter(([s, c]) => !LEGAL[s].includes(c));
  it.each(illegal)('%s refuses %s with INVALID_TRANSITION naming the state', (state, command) => {
    const t = stateOf(state);
    const d = decide(t, sample(command, plus(lastInstant(t), 1)), plus(lastInstant(t), 1), P);
    expect(d).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', state });
    if (!d.ok) expect(d.message).toContain(state);
  });

  const legal = pairs.filter(([s, c]) => LEGAL[s].includes(c));
  it.each(legal)('%s lets %s past the state check', (state, command) => {
    const t = stateOf(state);
    const d = decide(t, sample(command, plus(lastInstant(t), 1)), plus(lastInstant(t), 1), P);
    if (!d.ok) expect(d.message).not.toMatch(/^cannot .* a ticket that is/);
  });

  it('says CLOSED and CANCELLED are final', () => {
    const d = decide(journey('CLOSED'), { type: 'CANCEL', reason: 'x' }, plus(T0, 10_000), P);
    expect(d.ok === false && d.message).toMatch(/CLOSED, which is final/);
  });
});

describe('the happy path', () => {
  it('walks RECEIVED → CLOSED with one event per step, carrying the centre', () => {
    const t = journey('CLOSED');
    expect(t).toMatchObject({ state: 'CLOSED', centreId: 'C-1', callbackResult: 'SATISFIED' });
    expect(currentEngineer(t)).toBe('E-1');
    const d = decide(journey('ASSIGNED'), { type: 'CHECK_IN', actor: 'engineer:E-1' }, plus(T0, 24 * 60 + 30), P);
    expect(d).toMatchObject({
      ok: true,
      patch: { state: 'ON_SITE' },
      events: [
        { type: 'CHECKED_IN', actor: 'engineer:E-1', data: { centreId: 'C-1', engineerId: 'E-1', appointmentNo: 1 } },
      ],
    });
  });
});

describe('dispatch rounds', () => {
  const refuseAll = (n: number, policy = P) => {
    let t = newTicket();
    for (let i = 0; i < n; i++) {
      t = step(t, { type: 'DISPATCH', centreId: `C-${i}` }, plus(T0, i * 10), policy);
      t = step(t, { type: 'REFUSE', reason: 'full' }, plus(T0, i * 10 + 5), policy);
    }
    return t;
  };

  it('counts refusals and timeouts; at maxDispatchAttempts it must escalate instead of dispatching', () => {
    let t = refuseAll(2);
    expect(dispatchAttempts(t)).toBe(2);
    expect(mustEscalate(t, P)).toBe(false);
    t = step(t, { type: 'DISPATCH', centreId: 'C-2' }, plus(T0, 30));
    const timedOut = decide(t, { type: 'ACCEPT_TIMEOUT' }, plus(T0, 61), P);
    expect(timedOut).toMatchObject({
      ok: true,
      events: [{ type: 'ACCEPT_TIMED_OUT', data: { centreId: 'C-2', failedAttempts: 3, mustEscalate: true } }],
    });
    t = applyPatch(t, (timedOut as { patch: object }).patch);
    expect(t.state).toBe('OFFERED');
    expect(mustEscalate(t, P)).toBe(true);
    const again = decide(t, { type: 'DISPATCH', centreId: 'C-3' }, plus(T0, 62), P);
    expect(again).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', state: 'OFFERED' });
    expect(decide(t, { type: 'ESCALATE' }, plus(T0, 62), P)).toMatchObject({ ok: true, patch: { state: 'ESCALATED' } });
  });

  it('takes the limit from the standard', () => {
    const policy = policyWith({ maxDispatchAttempts: 1 });
    expect(mustEscalate(refuseAll(1, policy), policy)).toBe(true);
    expect(mustEscalate(refuseAll(1), P)).toBe(false);
  });

  it('lets an operator dispatch an escalated job to any centre, and starts a new round', () => {
    let t = step(refuseAll(3), { type: 'ESCALATE' }, plus(T0, 40));
    expect(dispatchAttempts(t)).toBe(0);
    t = step(t, { type: 'DISPATCH', centreId: 'C-0', actor: 'operator:op-1' }, plus(T0, 41));
    expect(t.offers.at(-1)).toMatchObject({ centreId: 'C-0', round: 1, outcome: 'PENDING' });
    t = step(t, { type: 'REFUSE', reason: 'still full' }, plus(T0, 42));
    expect(dispatchAttempts(t)).toBe(1);
    expect(triedCentres(t)).toEqual(['C-0']);
  });

  it('refuses to offer the same centre twice in an automatic round', () => {
    const t = refuseAll(1);
    const d = decide(t, { type: 'DISPATCH', centreId: 'C-0' }, plus(T0, 20), P);
    expect(d).toMatchObject({ ok: false, code: 'BAD_USER_INPUT', violations: [{ field: 'centreId' }] });
  });

  it('escalates with attempts left when nobody is eligible, but not over an open offer', () => {
    expect(decide(newTicket(), { type: 'ESCALATE' }, plus(T0, 1), P)).toMatchObject({
      ok: true,
      patch: { state: 'ESCALATED' },
    });
    const d = decide(journey('OFFERED'), { type: 'ESCALATE' }, plus(T0, 2), P);
    expect(d).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', state: 'OFFERED' });
  });

  it('dispatching over an open offer is INVALID_TRANSITION', () => {
    expect(decide(journey('OFFERED'), { type: 'DISPATCH', centreId: 'C-7' }, plus(T0, 2), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'OFFERED',
    });
  });
});

describe('the acceptance deadline (offered at T0+1, acceptMinutes 30)', () => {
  const offered = () => journey('OFFERED');
  const due = plus(T0, 31);

  it('accepts exactly at the deadline, not one minute past', () => {
    expect(decide(offered(), { type: 'ACCEPT' }, due, P)).toMatchObject({
      ok: true,
      patch: { state: 'ACCEPTED', acceptedAt: due },
    });
    const late = decide(offered(), { type: 'ACCEPT' }, plus(due, 1), P);
    expect(late).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', state: 'OFFERED' });
    expect(decide(offered(), { type: 'REFUSE', reason: 'x' }, plus(due, 1), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
  });

  it('times out only after the deadline', () => {
    expect(decide(offered(), { type: 'ACCEPT_TIMEOUT' }, due, P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'OFFERED',
    });
    expect(decide(offered(), { type: 'ACCEPT_TIMEOUT' }, plus(due, 1), P)).toMatchObject({
      ok: true,
      patch: { state: 'OFFERED', centreId: null },
    });
  });

  it('reads acceptMinutes from the standard', () => {
    expect(decide(offered(), { type: 'ACCEPT' }, due, policyWith({ acceptMinutes: 20 }))).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
  });

  it('needs a reason to refuse', () => {
    expect(decide(offered(), { type: 'REFUSE', reason: '  ' }, plus(T0, 5), P)).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      violations: [{ field: 'reason' }],
    });
  });

  it('accepting needs an open offer', () => {
    const refused = step(offered(), { type: 'REFUSE', reason: 'full' }, plus(T0, 5));
    expect(decide(refused, { type: 'ACCEPT' }, plus(T0, 6), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'OFFERED',
    });
  });
});

describe('contact and booking', () => {
  const window = { from: plus(T0, 24 * 60), to: plus(T0, 26 * 60) };

  it('records the first contact once', () => {
    const t = step(journey('ACCEPTED'), { type: 'CONTACT' }, plus(T0, 20));
    expect(t.firstContactAt).toEqual(plus(T0, 20));
    expect(decide(t, { type: 'CONTACT' }, plus(T0, 21), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'ACCEPTED',
    });
  });

  it('booking without a recorded contact records it (nobody books without talking to the customer)', () => {
    const d = decide(journey('ACCEPTED'), { type: 'BOOK', window }, plus(T0, 15), P);
    expect(d).toMatchObject({
      ok: true,
      patch: { state: 'BOOKED', firstContactAt: plus(T0, 15) },
      events: [{ type: 'CONTACTED' }, { type: 'BOOKED', data: { appointmentNo: 1, rebooked: false } }],
    });
  });

  it('refuses a bad window as BAD_USER_INPUT and changes nothing', () => {
    const d = decide(
      journey('ACCEPTED'),
      { type: 'BOOK', window: { from: window.to, to: window.from } },
      plus(T0, 15),
      P,
    );
    expect(d).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      state: 'ACCEPTED',
      violations: [{ field: 'window.to' }],
    });
  });

  it('rebooking an ASSIGNED job keeps the engineer and closes the old appointment', () => {
    const t = step(
      journey('ASSIGNED'),
      { type: 'BOOK', window: { from: plus(T0, 48 * 60), to: plus(T0, 50 * 60) } },
      plus(T0, 60),
    );
    expect(t.state).toBe('ASSIGNED');
    expect(currentEngineer(t)).toBe('E-1');
    expect(t.appointments).toHaveLength(2);
    expect(t.appointments[0]!.closedAt).toEqual(plus(T0, 60));
    expect(currentAppointment(t)).toMatchObject({ no: 2, appointment: { closedAt: null } });
  });

  it('booking the same window again is a no-op', () => {
    expect(decide(journey('BOOKED'), { type: 'BOOK', window }, plus(T0, 40), P)).toEqual({
      ok: true,
      patch: {},
      events: [],
    });
  });
});

describe('assignment', () => {
  it('reassigns before check-in and keeps the history', () => {
    const t = step(journey('ASSIGNED'), { type: 'ASSIGN', engineerId: 'E-2' }, plus(T0, 40));
    expect(t.assignments.map((a) => a.engineerId)).toEqual(['E-1', 'E-2']);
    expect(decide(journey('ASSIGNED'), { type: 'ASSIGN', engineerId: 'E-1' }, plus(T0, 40), P)).toEqual({
      ok: true,
      patch: {},
      events: [],
    });
  });
  it('refuses a malformed engineer id', () => {
    expect(decide(journey('BOOKED'), { type: 'ASSIGN', engineerId: '' }, plus(T0, 40), P)).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      violations: [{ field: 'engineerId' }],
    });
  });
});

describe('completion', () => {
  const onSite = () => journey('ON_SITE');
  const checkIn = plus(T0, 24 * 60 + 30);
  const finished = plus(checkIn, 60);

  it('is reported in time exactly at workFinishedAt + completionReportMinutes, not one minute later', () => {
    const inTime = decide(onSite(), { type: 'COMPLETE', report: report(finished) }, plus(finished, 120), P);
    expect(inTime).toMatchObject({ ok: true, events: [{ type: 'COMPLETED', data: { reportedInTime: true } }] });
    const late = decide(onSite(), { type: 'COMPLETE', report: report(finished) }, plus(finished, 121), P);
    expect(late).toMatchObject({ ok: true, events: [{ type: 'COMPLETED', data: { reportedInTime: false } }] });
  });

  it('accepts a report missing a required step (that is evidence, not bad input)', () => {
    const d = decide(
      onSite(),
      { type: 'COMPLETE', report: report(finished, { checklist: REQUIRED_BUT_ONE }) },
      plus(finished, 10),
      P,
    );
    expect(d.ok).toBe(true);
  });

  it('refuses an unknown step and names it', () => {
    const d = decide(
      onSite(),
      { type: 'COMPLETE', report: report(finished, { checklist: ['DANCE'] }) },
      plus(finished, 10),
      P,
    );
    expect(d).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      state: 'ON_SITE',
      violations: [{ field: 'checklist[0]' }],
    });
  });

  it('flags delight and counts part lines', () => {
    const d = decide(
      onSite(),
      {
        type: 'COMPLETE',
        report: report(finished, {
          delightNote: "fixed the neighbour's plug too",
          parts: [part(), part({ partNumber: 'AC-FAN-1' })],
        }),
      },
      plus(finished, 10),
      P,
    );
    expect(d).toMatchObject({ ok: true, events: [{ data: { delight: true, partLines: 2, engineerId: 'E-1' } }] });
  });
});

describe('callback', () => {
  it('SATISFIED and UNSATISFIED are final at once', () => {
    expect(
      decide(journey('COMPLETED'), { type: 'CALLBACK_ATTEMPT', answer: 'UNSATISFIED' }, plus(T0, 3000), P),
    ).toMatchObject({
      ok: true,
      patch: { state: 'CALLED_BACK', callbackResult: 'UNSATISFIED' },
      events: [{ type: 'CALLBACK_ATTEMPTED' }, { type: 'CALLED_BACK', data: { result: 'UNSATISFIED' } }],
    });
  });

  it('becomes UNREACHABLE at callbackMaxAttempts unanswered calls, not before', () => {
    let t = journey('COMPLETED');
    for (let i = 1; i <= 4; i++) t = step(t, { type: 'CALLBACK_ATTEMPT', answer: 'NO_ANSWER' }, plus(T0, 3000 + i));
    expect(t.state).toBe('COMPLETED');
    t = step(t, { type: 'CALLBACK_ATTEMPT', answer: 'NO_ANSWER' }, plus(T0, 3010));
    expect(t).toMatchObject({ state: 'CALLED_BACK', callbackResult: 'UNREACHABLE' });
    const two = policyWith({ callbackMaxAttempts: 2 });
    t = step(journey('COMPLETED'), { type: 'CALLBACK_ATTEMPT', answer: 'NO_ANSWER' }, plus(T0, 3001), two);
    expect(step(t, { type: 'CALLBACK_ATTEMPT', answer: 'NO_ANSWER' }, plus(T0, 3002), two).callbackResult).toBe(
      'UNREACHABLE',
    );
  });
});

describe('old part, autopsy and quality check', () => {
  const withPart = (until: TicketState) => journey(until, { report: { parts: [part()] } });

  it('closes a job without parts once called back', () => {
    expect(decide(journey('CALLED_BACK'), { type: 'QUALITY_CHECK' }, plus(T0, 5000), P)).toMatchObject({
      ok: true,
      patch: { state: 'CLOSED' },
    });
  });

  it('needs the old part returned and the autopsy recorded, in that order, for a warranty part', () => {
    let t = withPart('CALLED_BACK');
    expect(decide(t, { type: 'QUALITY_CHECK' }, plus(T0, 5000), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'CALLED_BACK',
    });
    expect(decide(t, { type: 'RECORD_AUTOPSY', consistent: true, note: 'x' }, plus(T0, 5000), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'CALLED_BACK',
    });
    t = step(t, { type: 'RETURN_OLD_PART' }, plus(T0, 5000));
    expect(decide(t, { type: 'RETURN_OLD_PART' }, plus(T0, 5001), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
    expect(decide(t, { type: 'QUALITY_CHECK' }, plus(T0, 5001), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
    t = step(t, { type: 'RECORD_AUTOPSY', consistent: false, note: 'part was fine' }, plus(T0, 5002));
    expect(decide(t, { type: 'RECORD_AUTOPSY', consistent: true, note: 'again' }, plus(T0, 5003), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
    expect(decide(t, { type: 'QUALITY_CHECK' }, plus(T0, 5003), P)).toMatchObject({
      ok: true,
      patch: { state: 'CLOSED' },
    });
  });

  it('may return the part before the callback', () => {
    expect(decide(withPart('COMPLETED'), { type: 'RETURN_OLD_PART' }, plus(T0, 3000), P)).toMatchObject({
      ok: true,
      patch: { oldPartReturnedAt: plus(T0, 3000) },
    });
  });

  it('has no old part to return when nothing, or only an out-of-warranty part, was replaced', () => {
    expect(decide(journey('COMPLETED'), { type: 'RETURN_OLD_PART' }, plus(T0, 3000), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'COMPLETED',
    });
    const oow = journey('CALLED_BACK', {
      intake: { purchaseDate: new Date('2024-01-01T00:00:00Z') },
      report: { parts: [part()] },
    });
    expect(oow.warranty).toBe('OUT_OF_WARRANTY');
    expect(decide(oow, { type: 'RETURN_OLD_PART' }, plus(T0, 5000), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
    expect(decide(oow, { type: 'QUALITY_CHECK' }, plus(T0, 5000), P)).toMatchObject({ ok: true });
  });

  it('needs an autopsy note', () => {
    const t = step(withPart('COMPLETED'), { type: 'RETURN_OLD_PART' }, plus(T0, 3000));
    expect(decide(t, { type: 'RECORD_AUTOPSY', consistent: true, note: '' }, plus(T0, 3001), P)).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      violations: [{ field: 'note' }],
    });
  });
});

describe('recall and cancel', () => {
  it('recall takes the job back from its centre, without counting an attempt', () => {
    const t = step(journey('ASSIGNED'), { type: 'RECALL', reason: 'centre suspended' }, plus(T0, 100));
    expect(t).toMatchObject({ state: 'RECEIVED', centreId: null, acceptedAt: null, firstContactAt: null });
    expect(currentAppointment(t)).toBeNull();
    expect(currentEngineer(t)).toBeNull();
    expect(dispatchAttempts(t)).toBe(0);
    expect(triedCentres(t)).toEqual(['C-1']);
    expect(step(t, { type: 'DISPATCH', centreId: 'C-2' }, plus(T0, 101)).state).toBe('OFFERED');
  });

  it('recall withdraws an open offer; with no open offer there is nothing to recall', () => {
    const t = step(journey('OFFERED'), { type: 'RECALL', reason: 'centre eliminated' }, plus(T0, 5));
    expect(t.offers[0]).toMatchObject({ outcome: 'WITHDRAWN' });
    const refused = step(journey('OFFERED'), { type: 'REFUSE', reason: 'full' }, plus(T0, 5));
    expect(decide(refused, { type: 'RECALL', reason: 'x' }, plus(T0, 6), P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'OFFERED',
    });
  });

  it('cancel needs a reason, withdraws the offer and closes the appointment', () => {
    expect(decide(journey('OFFERED'), { type: 'CANCEL', reason: '' }, plus(T0, 5), P)).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      violations: [{ field: 'reason' }],
    });
    expect(step(journey('OFFERED'), { type: 'CANCEL', reason: 'duplicate' }, plus(T0, 5)).offers[0]!.outcome).toBe(
      'WITHDRAWN',
    );
    const t = step(journey('ON_SITE'), { type: 'CANCEL', reason: 'customer refused the repair' }, plus(T0, 2000));
    expect(t).toMatchObject({ state: 'CANCELLED', cancelReason: 'customer refused the repair' });
    expect(t.appointments[0]!.closedAt).toEqual(plus(T0, 2000));
  });
});
