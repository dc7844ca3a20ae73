import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { expect } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import type {
  LeaseOptions,
  TicketCommandInput,
  TicketPolicyInput,
  TicketsActivities,
  TicketSummary,
  TicketEvidence,
} from '@starline/common';
import { snapshotOf, testDatabase } from '../../../common/test/harness.ts';
import { createTicketsActivities } from '../src/activities.ts';
import { receive } from '../src/rules/intake.ts';
import type { IntakeInput } from '../src/rules/validate.ts';
import { createTicketsStore, type TicketRecord, type TicketsStore } from '../src/store/tickets.ts';
import { DEFAULT_TICKET_POLICY } from './fixtures/policy.ts';
import { intakeInput, plus, REQUIRED, T0 } from './fixtures/tickets.ts';

export { DEFAULT_TICKET_POLICY, plus, REQUIRED, T0 };

/** The default standard as a workflow passes it. */
export const POLICY: TicketPolicyInput = DEFAULT_TICKET_POLICY;
export const ACTOR = 'system:lifecycle';

export interface Harness {
  db: Connection;
  store: TicketsStore;
  acts: TicketsActivities;
  /** The activities' clock: set it before each call. */
  clock: { now: Date };
  /** Every document but the write leases, to prove a call wrote nothing. */
  snapshot: () => Promise<string>;
}

export async function startHarness(prefix: string, lease?: LeaseOptions): Promise<Harness> {
  const db = await testDatabase(prefix);
  const store = createTicketsStore(db, lease);
  await store.syncIndexes();
  const clock = { now: T0 };
  const acts = createTicketsActivities(store, () => clock.now);
  return { db, store, acts, clock, snapshot: snapshotOf(db, ['write_leases']) };
}

/** A serial no other test in the database uses, so repeat repairs only happen where a test wants one. */
export const uniqueSerial = (): string => `SN-${randomBytes(5).toString('hex').toUpperCase()}`;
export const uniqueId = (prefix = 'T'): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * A ticket received through the rules (intake.ts `receive`) and stored with insertTicket, as the GraphQL layer will.
 */
export async function receivedTicket(
  h: Harness,
  o: { intake?: Partial<IntakeInput>; at?: Date; id?: string; policy?: TicketPolicyInput } = {},
): Promise<TicketRecord> {
  const at = o.at ?? T0;
  const policy = o.policy ?? POLICY;
  const r = receive(
    o.id ?? uniqueId(),
    intakeInput({ serialNumber: uniqueSerial(), ...o.intake }),
    at,
    policy,
    'call-centre-1',
  );
  if (!r.ok) throw new Error(r.message);
  return (await h.store.insertTicket(r.ticket, { policy, events: r.events, now: at })).ticket;
}

let commandSeq = 0;
export interface ApplyOptions {
  commandId?: string;
  expectedVersion?: number | null;
}

/** applyTicketCommand at `at` (the activities' clock). */
export function apply(
  h: Harness,
  ticketId: string,
  at: Date,
  command: TicketCommandInput,
  o: ApplyOptions = {},
): Promise<{ ticket: TicketSummary; evidence: TicketEvidence[] }> {
  h.clock.now = at;
  return h.acts.applyTicketCommand({
    ticketId,
    commandId: o.commandId ?? `cmd-${++commandSeq}`,
    command,
    expectedVersion: o.expectedVersion ?? null,
  });
}

/** The ApplicationFailure a call failed with. */
export async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

export const cmd = {
  dispatch: (centreId = 'C-1'): TicketCommandInput => ({ type: 'DISPATCH', centreId, actor: ACTOR }),
  accept: (): TicketCommandInput => ({ type: 'ACCEPT', actor: 'partner-C-1' }),
  refuse: (reason = 'no engineer free'): TicketCommandInput => ({ type: 'REFUSE', reason, actor: 'partner-C-1' }),
  contact: (): TicketCommandInput => ({ type: 'CONTACT', actor: 'partner-C-1' }),
  book: (from: Date, to: Date): TicketCommandInput => ({
    type: 'BOOK',
    window: { from: from.toISOString(), to: to.toISOString() },
    actor: 'partner-C-1',
  }),
  assign: (engineerId = 'E-1'): TicketCommandInput => ({ type: 'ASSIGN', engineerId, actor: 'partner-C-1' }),
  checkIn: (): TicketCommandInput => ({ type: 'CHECK_IN', actor: 'engineer-E-1' }),
  complete: (
    workFinishedAt: Date,
    over: Partial<Extract<TicketCommandInput, { type: 'COMPLETE' }>['report']> = {},
  ): TicketCommandInput => ({
    type: 'COMPLETE',
    actor: 'engineer-E-1',
    report: {
      workFinishedAt: workFinishedAt.toISOString(),
      checklist: [...REQUIRED, 'DIAGNOSE', 'REPAIR'],
      faultCode: 'E1',
      parts: [],
      charges: [],
      ...over,
    },
  }),
  callback: (answer: 'SATISFIED' | 'UNSATISFIED' | 'NO_ANSWER'): TicketCommandInput => ({
    type: 'CALLBACK_ATTEMPT',
    answer,
    actor: 'agent-1',
  }),
  qualityCheck: (): TicketCommandInput => ({ type: 'QUALITY_CHECK', actor: 'operator-1' }),
};

/** The instants of the standard journey starting at `start` (as in fixtures/tickets.ts `journey`). */
export function timesFrom(start: Date, checkInAfterFromMinutes = 30) {
  const from = plus(start, 24 * 60);
  const to = plus(start, 26 * 60);
  const checkIn = plus(from, checkInAfterFromMinutes);
  const finished = plus(checkIn, 60);
  const completed = plus(finished, 30);
  return {
    dispatch: plus(start, 1),
    accept: plus(start, 10),
    contact: plus(start, 20),
    book: plus(start, 25),
    assign: plus(start, 30),
    from,
    to,
    missedAt: plus(to, 120),
    checkIn,
    finished,
    completed,
    callback: plus(completed, 60),
    qualityCheck: plus(completed, 49 * 60),
  };
}

export type Stage = 'OFFERED' | 'ACCEPTED' | 'BOOKED' | 'ASSIGNED' | 'ON_SITE' | 'COMPLETED' | 'CALLED_BACK' | 'CLOSED';

/**
 * Drives a received ticket through applyTicketCommand up to `until` (the standard journey, no
 * parts), returning each step's outcome.
 */
export async function drive(
  h: Harness,
  t: TicketRecord,
  until: Stage,
  o: {
    engineerId?: string;
    centreId?: string;
    checkInAfterFromMinutes?: number;
    report?: Parameters<typeof cmd.complete>[1];
    callback?: 'SATISFIED' | 'UNSATISFIED';
  } = {},
): Promise<{ ticket: TicketSummary; evidence: TicketEvidence[] }[]> {
  const at = timesFrom(t.receivedAt, o.checkInAfterFromMinutes);
  const steps: [Stage, Date, TicketCommandInput][] = [
    ['OFFERED', at.dispatch, cmd.dispatch(o.centreId)],
    ['ACCEPTED', at.accept, cmd.accept()],
    ['ACCEPTED', at.contact, cmd.contact()],
    ['BOOKED', at.book, cmd.book(at.from, at.to)],
    ['ASSIGNED', at.assign, cmd.assign(o.engineerId)],
    ['ON_SITE', at.checkIn, cmd.checkIn()],
    ['COMPLETED', at.completed, cmd.complete(at.finished, o.report)],
    ['CALLED_BACK', at.callback, cmd.callback(o.callback ?? 'SATISFIED')],
    ['CLOSED', at.qualityCheck, cmd.qualityCheck()],
  ];
  const outcomes = [];
  const last = steps.map(([s]) => s).lastIndexOf(until);
  for (const [, when, command] of steps.slice(0, last + 1)) outcomes.push(await apply(h, t.id, when, command));
  return outcomes;
}
