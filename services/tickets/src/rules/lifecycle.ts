import type { Violation } from '@starline/common';
import { event, type TicketEvent } from './events.ts';
import type { TicketPolicy } from './policy.ts';
import { acceptBy, reportBy } from './sla.ts';
import {
  currentAppointment,
  currentEngineer,
  pendingOffer,
  warrantyPartLines,
  type Appointment,
  type AppointmentWindow,
  type CallbackAnswer,
  type Offer,
  type OfferOutcome,
  type TicketSnapshot,
  type TicketState,
} from './ticket.ts';
import {
  LIMITS,
  normalizeCompletion,
  validateAppointmentWindow,
  validateCompletion,
  validateId,
  validateReason,
  type CompletionInput,
} from './validate.ts';

/**
 * The ticket state machine (docs/domain.md §5):
 *
 *   RECEIVED ─dispatch→ OFFERED ─accept→ ACCEPTED ─book→ BOOKED ─assign→ ASSIGNED ─checkIn→ ON_SITE
 *      │                 │  ↑ refuse / acceptTimeout leave it OFFERED with no open offer; dispatch again
 *      └──escalate──→ ESCALATED (attempts exhausted or nobody eligible) ─dispatch (operator)→ OFFERED
 *   ON_SITE ─complete→ COMPLETED ─callbackAttempt (final)→ CALLED_BACK ─qualityCheck→ CLOSED
 *   returnOldPart / recordAutopsy: after COMPLETED, for parts replaced under warranty
 *   recall: OFFERED | ACCEPTED | BOOKED | ASSIGNED → RECEIVED (the centre loses the job, e.g. suspended)
 *   cancel: any state before COMPLETED → CANCELLED
 *
 * `decide` is pure: it returns the patch to apply and the timeline events, or why not.
 */
export type TicketCommand = (
  | { type: 'DISPATCH'; centreId: string }
  | { type: 'ACCEPT' }
  | { type: 'REFUSE'; reason: string }
  | { type: 'ACCEPT_TIMEOUT' }
  | { type: 'ESCALATE' }
  | { type: 'CONTACT' }
  | { type: 'BOOK'; window: AppointmentWindow }
  | { type: 'ASSIGN'; engineerId: string }
  | { type: 'CHECK_IN' }
  | { type: 'COMPLETE'; report: CompletionInput }
  | { type: 'CALLBACK_ATTEMPT'; answer: CallbackAnswer }
  | { type: 'RETURN_OLD_PART' }
  | { type: 'RECORD_AUTOPSY'; consistent: boolean; note: string }
  | { type: 'QUALITY_CHECK' }
  | { type: 'RECALL'; reason: string }
  | { type: 'CANCEL'; reason: string }
) & { actor?: string };
export type CommandType = TicketCommand['type'];

export type TicketPatch = Partial<Omit<TicketSnapshot, 'id'>>;

export type Decision =
  | { ok: true; patch: TicketPatch; events: TicketEvent[] }
  | {
      ok: false;
      code: 'INVALID_TRANSITION' | 'BAD_USER_INPUT';
      message: string;
      state: TicketState;
      violations?: Violation[];
    };

const BEFORE_COMPLETION: readonly TicketState[] = [
  'RECEIVED',
  'OFFERED',
  'ESCALATED',
  'ACCEPTED',
  'BOOKED',
  'ASSIGNED',
  'ON_SITE',
];

/** The states each command may start from; further guards (an open offer, a deadline) are in the handlers. */
export const ALLOWED_FROM: Readonly<Record<CommandType, readonly TicketState[]>> = {
  DISPATCH: ['RECEIVED', 'OFFERED', 'ESCALATED'],
  ACCEPT: ['OFFERED'],
  REFUSE: ['OFFERED'],
  ACCEPT_TIMEOUT: ['OFFERED'],
  ESCALATE: ['RECEIVED', 'OFFERED'],
  CONTACT: ['ACCEPTED'],
  BOOK: ['ACCEPTED', 'BOOKED', 'ASSIGNED'],
  ASSIGN: ['BOOKED', 'ASSIGNED'],
  CHECK_IN: ['ASSIGNED'],
  COMPLETE: ['ON_SITE'],
  CALLBACK_ATTEMPT: ['COMPLETED'],
  RETURN_OLD_PART: ['COMPLETED', 'CALLED_BACK'],
  RECORD_AUTOPSY: ['COMPLETED', 'CALLED_BACK'],
  QUALITY_CHECK: ['CALLED_BACK'],
  RECALL: ['OFFERED', 'ACCEPTED', 'BOOKED', 'ASSIGNED'],
  CANCEL: BEFORE_COMPLETION,
};

const VERB: Record<CommandType, string> = {
  DISPATCH: 'dispatch',
  ACCEPT: 'accept',
  REFUSE: 'refuse',
  ACCEPT_TIMEOUT: 'time out the offer of',
  ESCALATE: 'escalate',
  CONTACT: 'record the first contact for',
  BOOK: 'book an appointment for',
  ASSIGN: 'assign an engineer to',
  CHECK_IN: 'check in to',
  COMPLETE: 'complete',
  CALLBACK_ATTEMPT: 'record a callback for',
  RETURN_OLD_PART: 'return the old part of',
  RECORD_AUTOPSY: 'record the autopsy of',
  QUALITY_CHECK: 'quality-check',
  RECALL: 'recall',
  CANCEL: 'cancel',
};

const invalid = (t: TicketSnapshot, message: string): Decision => ({
  ok: false,
  code: 'INVALID_TRANSITION',
  message,
  state: t.state,
});
const badInput = (t: TicketSnapshot, violations: Violation[]): Decision => ({
  ok: false,
  code: 'BAD_USER_INPUT',
  message: violations.map((v) => `${v.field}: ${v.message}`).join('; '),
  state: t.state,
  violations,
});
const done = (patch: TicketPatch, events: TicketEvent[]): Decision => ({ ok: true, patch, events });

/** Failed offers (refused or timed out) since the last escalation: each escalation starts a new round. */
export function dispatchAttempts(t: TicketSnapshot): number {
  const round = t.escalations.length;
  return t.offers.filter((o) => o.round === round && (o.outcome === 'REFUSED' || o.outcome === 'TIMED_OUT')).length;
}

/** True when no offer is open and the round's attempts are used up: the job goes to an operator. */
export function mustEscalate(t: TicketSnapshot, policy: TicketPolicy): boolean {
  return (
    (t.state === 'RECEIVED' || t.state === 'OFFERED') &&
    pendingOffer(t) === null &&
    dispatchAttempts(t) >= policy.slaClocks.maxDispatchAttempts
  );
}

/** Centres already offered the job this round: automatic dispatch passes them over for the next one. */
export function triedCentres(t: TicketSnapshot): string[] {
  return [...new Set(t.offers.filter((o) => o.round === t.escalations.length).map((o) => o.centreId))];
}

const closePending = (offers: Offer[], outcome: OfferOutcome, at: Date, reason: string | null = null): Offer[] =>
  offers.map((o) => (o.outcome === 'PENDING' ? { ...o, outcome, answeredAt: at, reason } : o));

const closeAppointment = (appointments: Appointment[], at: Date): Appointment[] =>
  appointments.map((a) => (a.closedAt === null ? { ...a, closedAt: at } : a));

type Handler<K extends CommandType> = (
  t: TicketSnapshot,
  c: Extract<TicketCommand, { type: K }>,
  at: Date,
  policy: TicketPolicy,
) => Decision;

function openOffer(t: TicketSnapshot, at: Date, policy: TicketPolicy, answering: boolean): Offer | Decision {
  const offer = pendingOffer(t);
  if (!offer)
    return invalid(t, `the ticket is OFFERED but no offer is open (the last one was answered); dispatch it again`);
  const due = acceptBy(offer.offeredAt, policy);
  // The deadline instant belongs to the centre: it may answer at it, the timeout only after it.
  if (answering && at.getTime() > due.getTime())
    return invalid(t, `the offer to ${offer.centreId} expired at ${due.toISOString()} (OFFERED)`);
  if (!answering && at.getTime() <= due.getTime())
    return invalid(t, `the offer to ${offer.centreId} is open until ${due.toISOString()} (OFFERED)`);
  return offer;
}

const isDecision = (x: Offer | Decision): x is Decision => 'ok' in x;

const dispatch: Handler<'DISPATCH'> = (t, c, at, policy) => {
  if (t.state === 'OFFERED' && pendingOffer(t))
    return invalid(t, `the ticket is OFFERED to ${pendingOffer(t)!.centreId} and awaits its answer`);
  const manual = t.state === 'ESCALATED';
  const failed = dispatchAttempts(t);
  if (failed >= policy.slaClocks.maxDispatchAttempts) {
    return invalid(
      t,
      `${failed} dispatch attempts failed (the standard allows ${policy.slaClocks.maxDispatchAttempts}); ` +
        `the ticket (${t.state}) must be escalated to an operator`,
    );
  }
  const violations = validateId('centreId', c.centreId);
  // A round never offers the same centre twice. An escalation starts a new round, so an operator may
  // choose any centre, even one that refused before (they may have phoned it).
  if (violations.length === 0 && triedCentres(t).includes(c.centreId)) {
    violations.push({
      field: 'centreId',
      message: `${c.centreId} was already offered this ticket; offer it to the next eligible centre`,
    });
  }
  if (violations.length) return badInput(t, violations);
  const offer: Offer = {
    centreId: c.centreId,
    offeredAt: at,
    round: t.escalations.length,
    outcome: 'PENDING',
    answeredAt: null,
    reason: null,
  };
  return done({ state: 'OFFERED', centreId: c.centreId, offers: [...t.offers, offer] }, [
    event('DISPATCHED', at, { centreId: c.centreId, attempt: failed + 1, manual }, c.actor),
  ]);
};

const accept: Handler<'ACCEPT'> = (t, c, at, policy) => {
  const offer = openOffer(t, at, policy, true);
  if (isDecision(offer)) return offer;
  return done(
    { state: 'ACCEPTED', acceptedAt: at, firstContactAt: null, offers: closePending(t.offers, 'ACCEPTED', at) },
    [event('ACCEPTED', at, { centreId: offer.centreId }, c.actor)],
  );
};

function decline(
  t: TicketSnapshot,
  c: TicketCommand,
  at: Date,
  policy: TicketPolicy,
  outcome: 'REFUSED' | 'TIMED_OUT',
  reason: string | null,
): Decision {
  const offer = openOffer(t, at, policy, outcome === 'REFUSED');
  if (isDecision(offer)) return offer;
  const patch: TicketPatch = { state: 'OFFERED', centreId: null, offers: closePending(t.offers, outcome, at, reason) };
  const failedAttempts = dispatchAttempts({ ...t, ...patch });
  const escalate = failedAttempts >= policy.slaClocks.maxDispatchAttempts;
  const e =
    outcome === 'REFUSED'
      ? event(
          'REFUSED',
          at,
          { centreId: offer.centreId, reason: reason ?? '', failedAttempts, mustEscalate: escalate },
          c.actor,
        )
      : event('ACCEPT_TIMED_OUT', at, { centreId: offer.centreId, failedAttempts, mustEscalate: escalate }, c.actor);
  return done(patch, [e]);
}

const refuse: Handler<'REFUSE'> = (t, c, at, policy) => {
  const violations = validateReason('reason', c.reason);
  if (violations.length) return badInput(t, violations);
  return decline(t, c, at, policy, 'REFUSED', c.reason.trim());
};

const acceptTimeout: Handler<'ACCEPT_TIMEOUT'> = (t, c, at, policy) => decline(t, c, at, policy, 'TIMED_OUT', null);

/** Allowed with attempts left too: when no centre is eligible at all, only an operator can help. */
const escalate: Handler<'ESCALATE'> = (t, c, at) => {
  const offer = pendingOffer(t);
  if (offer)
    return invalid(t, `the ticket is OFFERED to ${offer.centreId}; wait for its answer or timeout before escalating`);
  return done({ state: 'ESCALATED', centreId: null, escalations: [...t.escalations, at] }, [
    event('ESCALATED', at, { failedAttempts: dispatchAttempts(t) }, c.actor),
  ]);
};

const contact: Handler<'CONTACT'> = (t, c, at) => {
  if (t.firstContactAt)
    return invalid(t, `the first contact was already recorded at ${t.firstContactAt.toISOString()} (ACCEPTED)`);
  return done({ firstContactAt: at }, [event('CONTACTED', at, { centreId: t.centreId! }, c.actor)]);
};

/**
 * Books or rebooks the appointment. An appointment can't be booked without talking to the
 * customer, so booking records the first contact when none was. Rebooking an ASSIGNED job keeps
 * its engineer (the centre reassigns separately if the new time needs someone else).
 */
const book: Handler<'BOOK'> = (t, c, at) => {
  const violations = validateAppointmentWindow(c.window, at);
  if (violations.length) return badInput(t, violations);
  const current = currentAppointment(t)?.appointment;
  if (current && current.from.getTime() === c.window.from.getTime() && current.to.getTime() === c.window.to.getTime())
    return done({}, []);
  const centreId = t.centreId!;
  const events: TicketEvent[] = [];
  const patch: TicketPatch = {
    state: t.state === 'ASSIGNED' ? 'ASSIGNED' : 'BOOKED',
    appointments: [
      ...closeAppointment(t.appointments, at),
      { from: c.window.from, to: c.window.to, bookedAt: at, closedAt: null },
    ],
  };
  if (!t.firstContactAt) {
    patch.firstContactAt = at;
    events.push(event('CONTACTED', at, { centreId }, c.actor));
  }
  events.push(
    event(
      'BOOKED',
      at,
      {
        centreId,
        appointmentNo: t.appointments.length + 1,
        from: c.window.from,
        to: c.window.to,
        rebooked: current !== undefined,
      },
      c.actor,
    ),
  );
  return done(patch, events);
};

/**
 * Eligibility (licence, certification, WARNING cap) is the certification service's mayTakeJob; the caller asks it
 * first.
 */
const assign: Handler<'ASSIGN'> = (t, c, at) => {
  const violations = validateId('engineerId', c.engineerId);
  if (violations.length) return badInput(t, violations);
  const previous = currentEngineer(t);
  if (t.state === 'ASSIGNED' && previous === c.engineerId) return done({}, []);
  return done({ state: 'ASSIGNED', assignments: [...t.assignments, { engineerId: c.engineerId, at }] }, [
    event('ASSIGNED', at, { centreId: t.centreId!, engineerId: c.engineerId, previousEngineerId: previous }, c.actor),
  ]);
};

const checkIn: Handler<'CHECK_IN'> = (t, c, at) => {
  const appointment = currentAppointment(t);
  return done({ state: 'ON_SITE', checkedInAt: at }, [
    event(
      'CHECKED_IN',
      at,
      {
        centreId: t.centreId!,
        engineerId: currentEngineer(t),
        appointmentNo: appointment?.no ?? t.appointments.length,
      },
      c.actor,
    ),
  ]);
};

const complete: Handler<'COMPLETE'> = (t, c, at, policy) => {
  const violations = validateCompletion(c.report, {
    policy,
    productLine: t.product.productLine,
    serviceType: t.serviceType,
    checkedInAt: t.checkedInAt,
    now: at,
  });
  if (violations.length) return badInput(t, violations);
  const report = normalizeCompletion(c.report);
  const reportedInTime = at.getTime() <= reportBy(report.workFinishedAt, policy).getTime();
  return done({ state: 'COMPLETED', report, completedAt: at }, [
    event(
      'COMPLETED',
      at,
      {
        centreId: t.centreId!,
        engineerId: currentEngineer(t),
        reportedInTime,
        delight: report.delightNote !== null || report.valueAddNote !== null,
        partLines: report.parts.length,
      },
      c.actor,
    ),
  ]);
};

/** SATISFIED / UNSATISFIED are final at once; NO_ANSWER becomes UNREACHABLE at callbackMaxAttempts. */
const callbackAttempt: Handler<'CALLBACK_ATTEMPT'> = (t, c, at, policy) => {
  if (!['SATISFIED', 'UNSATISFIED', 'NO_ANSWER'].includes(c.answer))
    return badInput(t, [{ field: 'answer', message: 'must be SATISFIED, UNSATISFIED or NO_ANSWER' }]);
  const attempts = [...t.callbackAttempts, { at, answer: c.answer }];
  const centreId = t.centreId!;
  const events: TicketEvent[] = [
    event('CALLBACK_ATTEMPTED', at, { centreId, answer: c.answer, attempt: attempts.length }, c.actor),
  ];
  const result =
    c.answer !== 'NO_ANSWER'
      ? c.answer
      : attempts.length >= policy.slaClocks.callbackMaxAttempts
        ? 'UNREACHABLE'
        : null;
  if (!result) return done({ callbackAttempts: attempts }, events);
  events.push(event('CALLED_BACK', at, { centreId, result }, c.actor));
  return done({ state: 'CALLED_BACK', callbackAttempts: attempts, callbackResult: result, calledBackAt: at }, events);
};

const returnOldPart: Handler<'RETURN_OLD_PART'> = (t, c, at) => {
  if (warrantyPartLines(t) === 0)
    return invalid(
      t,
      `no part was replaced under warranty on this ${t.state} ticket, so there is no old part to return`,
    );
  if (t.oldPartReturnedAt)
    return invalid(t, `the old part was already returned at ${t.oldPartReturnedAt.toISOString()} (${t.state})`);
  return done({ oldPartReturnedAt: at }, [event('OLD_PART_RETURNED', at, { centreId: t.centreId! }, c.actor)]);
};

/** The autopsy (质改尸检) examines the returned part, so it needs the part back first. */
const recordAutopsy: Handler<'RECORD_AUTOPSY'> = (t, c, at) => {
  const partLines = warrantyPartLines(t);
  if (partLines === 0)
    return invalid(t, `no part was replaced under warranty on this ${t.state} ticket, so there is nothing to autopsy`);
  if (!t.oldPartReturnedAt)
    return invalid(t, `the old part has not been returned yet (${t.state}); the autopsy examines it`);
  if (t.autopsy) return invalid(t, `the autopsy was already recorded at ${t.autopsy.at.toISOString()} (${t.state})`);
  const violations = validateReason('note', c.note, LIMITS.textMax);
  if (typeof c.consistent !== 'boolean') violations.unshift({ field: 'consistent', message: 'must be true or false' });
  if (violations.length) return badInput(t, violations);
  return done({ autopsy: { consistent: c.consistent, note: c.note.trim(), at } }, [
    event('AUTOPSY_RECORDED', at, { centreId: t.centreId!, consistent: c.consistent, partLines }, c.actor),
  ]);
};

const qualityCheck: Handler<'QUALITY_CHECK'> = (t, c, at) => {
  if (warrantyPartLines(t) > 0) {
    if (!t.oldPartReturnedAt)
      return invalid(
        t,
        'a part was replaced under warranty: the old part must be returned before the quality check (CALLED_BACK)',
      );
    if (!t.autopsy)
      return invalid(
        t,
        'a part was replaced under warranty: its autopsy must be recorded before the quality check (CALLED_BACK)',
      );
  }
  return done({ state: 'CLOSED', closedAt: at }, [event('CLOSED', at, { centreId: t.centreId! }, c.actor)]);
};

/**
 * Takes the job back from its centre (suspended or eliminated centres get no work, docs/domain.md §2)
 * so it can be dispatched again. Not once the engineer is on site: that visit is finished first.
 */
const recall: Handler<'RECALL'> = (t, c, at) => {
  if (t.state === 'OFFERED' && !pendingOffer(t))
    return invalid(t, 'no centre holds the ticket (OFFERED with no open offer); dispatch or escalate it instead');
  const violations = validateReason('reason', c.reason);
  if (violations.length) return badInput(t, violations);
  const centreId = t.centreId!;
  const patch: TicketPatch = {
    state: 'RECEIVED',
    centreId: null,
    acceptedAt: null,
    firstContactAt: null,
    offers: closePending(t.offers, 'WITHDRAWN', at, c.reason.trim()),
    appointments: closeAppointment(t.appointments, at),
  };
  if (currentEngineer(t) !== null) patch.assignments = [...t.assignments, { engineerId: null, at }];
  return done(patch, [event('RECALLED', at, { centreId, reason: c.reason.trim() }, c.actor)]);
};

const cancel: Handler<'CANCEL'> = (t, c, at) => {
  const violations = validateReason('reason', c.reason);
  if (violations.length) return badInput(t, violations);
  const reason = c.reason.trim();
  return done(
    {
      state: 'CANCELLED',
      cancelledAt: at,
      cancelReason: reason,
      offers: closePending(t.offers, 'WITHDRAWN', at, reason),
      appointments: closeAppointment(t.appointments, at),
    },
    [event('CANCELLED', at, { centreId: t.centreId, reason, from: t.state }, c.actor)],
  );
};

const HANDLERS: { [K in CommandType]: Handler<K> } = {
  DISPATCH: dispatch,
  ACCEPT: accept,
  REFUSE: refuse,
  ACCEPT_TIMEOUT: acceptTimeout,
  ESCALATE: escalate,
  CONTACT: contact,
  BOOK: book,
  ASSIGN: assign,
  CHECK_IN: checkIn,
  COMPLETE: complete,
  CALLBACK_ATTEMPT: callbackAttempt,
  RETURN_OLD_PART: returnOldPart,
  RECORD_AUTOPSY: recordAutopsy,
  QUALITY_CHECK: qualityCheck,
  RECALL: recall,
  CANCEL: cancel,
};

/**
 * What `command` at `at` does to the ticket under the standard in force. The state check comes
 * first: a command the state doesn't allow is INVALID_TRANSITION whatever its input.
 */
export function decide(t: TicketSnapshot, command: TicketCommand, at: Date, policy: TicketPolicy): Decision {
  const from = ALLOWED_FROM[command.type];
  if (!from.includes(t.state)) {
    const final = t.state === 'CLOSED' || t.state === 'CANCELLED' ? `, which is final` : '';
    return invalid(
      t,
      `cannot ${VERB[command.type]} a ticket that is ${t.state}${final} (allowed when ${from.join(' or ')})`,
    );
  }
  return (HANDLERS[command.type] as Handler<CommandType>)(t, command as never, at, policy);
}

/** The ticket after a successful decision (the store applies the same patch as a $set). */
export const applyPatch = (t: TicketSnapshot, patch: TicketPatch): TicketSnapshot => ({ ...t, ...patch });
