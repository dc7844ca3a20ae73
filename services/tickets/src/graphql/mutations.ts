import { createHash, randomUUID } from 'node:crypto';
import {
  DomainError,
  IDEMPOTENCY_KEY_PATTERN,
  badInput,
  callerScope,
  conflict,
  forbidden,
  hasRole,
  notFound,
  requireRole,
  throwIfInvalid,
  withIdempotency,
  type Claims,
  type RequestContext,
  type TicketCommandInput,
  type Violation,
} from '@starline/common';
import { toTicketCommand } from '../commands.ts';
import { receive } from '../rules/intake.ts';
import { decide, type Decision } from '../rules/lifecycle.ts';
import type { TicketPolicy } from '../rules/policy.ts';
import type { CallbackAnswer } from '../rules/ticket.ts';
import { ID_PATTERN, type IntakeInput } from '../rules/validate.ts';
import { snapshotOf, type TicketRecord } from '../store/tickets.ts';
import { summaryOf } from '../summary.ts';
import {
  STEP_ROLES,
  canSee,
  forbiddenTicket,
  requireAssignable,
  requireDispatchable,
  requireStep,
  seesAll,
  type Step,
} from './access.ts';
import type { TicketsDeps } from './deps.ts';
import { checkId, holderOf } from './queries.ts';
import { ticketView, type TicketView } from './view.ts';

type Key = string | null | undefined;

/** The most updates one pushJobUpdates call may carry. */
export const PUSH_MAX = 100;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The workflow update id (and the ticket's commandId) of a mutation: derived from the caller's
 * idempotency key, so a retry after a lost answer — even one whose key record was freed by a
 * failure — reaches the command already applied and gets its first outcome; random without a key.
 */
export const requestIdOf = (claims: Claims, operation: string, key: Key) =>
  key ? `gql:${sha(`${callerScope(claims)}|${operation}|${key}`).slice(0, 40)}` : `gql:${randomUUID()}`;

/** Input paths of the rules' field names: a completion's fields are under `report`. */
const FIELD_PREFIX: Partial<Record<TicketCommandInput['type'], string>> = { COMPLETE: 'report.' };

function withPrefix(prefix: string, violations: readonly Violation[]): Violation[] {
  return violations.map((v) => ({ field: `${prefix}${v.field}`, message: v.message }));
}

/** A refusal of the rules (the dry run here, or the activity's) as the error a client can act on. */
function refusal(d: Extract<Decision, { ok: false }>, t: TicketRecord, prefix: string): DomainError {
  if (d.code === 'BAD_USER_INPUT') {
    const violations = withPrefix(prefix, d.violations ?? []);
    const message = violations.length ? violations.map((v) => `${v.field}: ${v.message}`).join('; ') : d.message;
    return new DomainError('BAD_USER_INPUT', message, {
      field: violations[0]?.field,
      violations,
      currentState: d.state,
      currentVersion: t.version,
    });
  }
  return new DomainError('INVALID_TRANSITION', d.message, { currentState: d.state, currentVersion: t.version });
}

/**
 * The lifecycle's refusal, completed with what a client needs to decide again: the field path of a
 * validation error, and the ticket's current state and version for CONFLICT and INVALID_TRANSITION
 * (the workflow's cheap pre-checks don't carry them).
 */
async function completed(deps: TicketsDeps, ticketId: string, error: unknown, prefix: string): Promise<unknown> {
  if (!(error instanceof DomainError)) return error;
  const ext = { ...error.extensions } as Record<string, unknown>;
  if (error.code === 'BAD_USER_INPUT' && Array.isArray(ext['violations'])) {
    const violations = withPrefix(prefix, ext['violations'] as Violation[]);
    ext['violations'] = violations;
    ext['field'] ??= violations[0]?.field;
  }
  if (
    (error.code === 'CONFLICT' || error.code === 'INVALID_TRANSITION') &&
    (ext['currentState'] === undefined || ext['currentVersion'] === undefined)
  ) {
    const t = await deps.store.findTicket(ticketId);
    if (t) {
      ext['currentState'] ??= t.state;
      ext['currentVersion'] ??= t.version;
    }
  }
  const { code, ...extra } = ext;
  return new DomainError(code as DomainError['code'], error.message, extra);
}

export interface CommandCall {
  /** The mutation's name: idempotency keys are scoped by it. */
  operation: string;
  step: Step;
  id: string;
  version: number;
  key: Key;
  command: (actor: string) => TicketCommandInput;
  /** Authorises the other records the step names (an engineer, a centre), once the caller is known to hold the job. */
  references?: (claims: Claims, t: TicketRecord) => Promise<void>;
}

/**
 * One step of a ticket, sent through its lifecycle workflow. In order, and nothing is written
 * before the last: the caller's role may send the step at all; the id is well-formed; the ticket
 * exists (a partner or engineer asking for one that doesn't is FORBIDDEN, so ids can't be probed);
 * then, under the idempotency key (a replay returns the first result, if the caller may still see
 * the ticket): the caller holds the job, every other record it names is authorised, the version is current (CONFLICT
 * with the current state and version), and a dry run of the rules
 * on the ticket as stored accepts it (INVALID_TRANSITION naming the state, BAD_USER_INPUT naming the
 * field) — so a refusal costs no workflow round trip. The lifecycle then applies it; its answer is
 * the one that counts (the ticket may have moved meanwhile), and the mutation returns the ticket.
 */
export async function runCommand(deps: TicketsDeps, ctx: RequestContext, call: CommandCall): Promise<TicketView> {
  const claims = requireRole(ctx.claims, ...STEP_ROLES[call.step]);
  checkId('id', call.id);
  if (!Number.isInteger(call.version) || call.version < 1) throw badInput('version', 'must be a whole number from 1');
  if (call.key != null && !IDEMPOTENCY_KEY_PATTERN.test(call.key))
    throw badInput('idempotencyKey', 'must be 8–128 letters, digits or . _ : -');
  const t = await deps.store.findTicket(call.id);
  if (!t) {
    if (seesAll(claims)) throw notFound('ticket', call.id);
    throw forbiddenTicket();
  }
  const command = call.command(claims.sub);
  const requestId = requestIdOf(claims, call.operation, call.key);
  const prefix = FIELD_PREFIX[command.type] ?? '';
  const { actor: _actor, ...payload } = command;
  return withIdempotency(
    deps.store.idempotency,
    // Resumable: the command's id derives from the key, so running it again applies it at most once.
    {
      key: call.key,
      operation: call.operation,
      caller: claims,
      payload: { id: call.id, version: call.version, command: payload },
      resumable: true,
      mayReplay: (v: TicketView) => canSee(claims, holderOf(v)),
    },
    async () => {
      // Judged on the ticket as read above: the checks only spare a doomed round trip, and the
      // lifecycle's activity judges again on the ticket as it is then.
      // A retry of a command the ticket already applied goes straight to its first outcome.
      if (!t.appliedCommands.some((c) => c.commandId === requestId)) {
        requireStep(claims, call.step, holderOf(t));
        await call.references?.(claims, t);
        if (call.version !== t.version) {
          throw conflict(
            `ticket ${t.id} is at version ${t.version} (${t.state}), not ${call.version}; reload it and decide again`,
            {
              currentVersion: t.version,
              currentState: t.state,
            },
          );
        }
        const d = decide(snapshotOf(t), toTicketCommand(command), deps.now(), t.policy as TicketPolicy);
        if (!d.ok) throw refusal(d, t, prefix);
      }
      try {
        await deps.lifecycle.command(call.id, command, { expectedVersion: call.version, requestId });
      } catch (error) {
        throw await completed(deps, call.id, error, prefix);
      }
      const after = await deps.store.findTicket(call.id);
      if (!after) throw notFound('ticket', call.id);
      ctx.log.info({ ticketId: call.id, command: command.type, version: after.version }, 'ticket command applied');
      return ticketView(after);
    },
  );
}

const iso = (d: Date) => d.toISOString();

export interface WindowInput {
  from: Date;
  to: Date;
}
/** The contract's completion report as GraphQL hands it over: the same fields, the instant a Date. */
export type ReportInput = Omit<Extract<TicketCommandInput, { type: 'COMPLETE' }>['report'], 'workFinishedAt'> & {
  workFinishedAt: Date;
};

export const reportCommand = (r: ReportInput) => ({
  workFinishedAt: iso(r.workFinishedAt),
  checklist: r.checklist,
  faultCode: r.faultCode ?? null,
  parts: r.parts ?? [],
  charges: r.charges ?? [],
  delightNote: r.delightNote ?? null,
  valueAddNote: r.valueAddNote ?? null,
  notes: r.notes ?? null,
});

/** The single-step mutations: name → step and the contract command built from its arguments. */
export const STEPS = {
  dispatchTicket: {
    step: 'DISPATCH',
    command: (a: { centreId: string }) => ({ type: 'DISPATCH', centreId: a.centreId }),
  },
  acceptJob: { step: 'ACCEPT', command: () => ({ type: 'ACCEPT' }) },
  refuseJob: { step: 'REFUSE', command: (a: { reason: string }) => ({ type: 'REFUSE', reason: a.reason }) },
  recordContact: { step: 'CONTACT', command: () => ({ type: 'CONTACT' }) },
  bookAppointment: {
    step: 'BOOK',
    command: (a: { window: WindowInput }) => ({
      type: 'BOOK',
      window: { from: iso(a.window.from), to: iso(a.window.to) },
    }),
  },
  assignEngineer: {
    step: 'ASSIGN',
    command: (a: { engineerId: string }) => ({ type: 'ASSIGN', engineerId: a.engineerId }),
  },
  checkIn: { step: 'CHECK_IN', command: () => ({ type: 'CHECK_IN' }) },
  completeJob: {
    step: 'COMPLETE',
    command: (a: { report: ReportInput }) => ({ type: 'COMPLETE', report: reportCommand(a.report) }),
  },
  recordCallback: {
    step: 'CALLBACK_ATTEMPT',
    command: (a: { answer: CallbackAnswer }) => ({ type: 'CALLBACK_ATTEMPT', answer: a.answer }),
  },
  returnOldPart: { step: 'RETURN_OLD_PART', command: () => ({ type: 'RETURN_OLD_PART' }) },
  recordAutopsy: {
    step: 'RECORD_AUTOPSY',
    command: (a: { consistent: boolean; note: string }) => ({
      type: 'RECORD_AUTOPSY',
      consistent: a.consistent,
      note: a.note,
    }),
  },
  qualityCheck: { step: 'QUALITY_CHECK', command: () => ({ type: 'QUALITY_CHECK' }) },
  cancelTicket: { step: 'CANCEL', command: (a: { reason: string }) => ({ type: 'CANCEL', reason: a.reason }) },
} as const satisfies Record<string, { step: Step; command: (a: never) => Omit<TicketCommandInput, 'actor'> }>;

export type StepName = keyof typeof STEPS;
export type StepArgs = { id: string; version: number; idempotencyKey?: string | null } & Record<string, unknown>;

/** The records besides the ticket that a step names, checked with their owners (access.ts says who may name what). */
function referencesOf(deps: TicketsDeps, name: StepName, args: StepArgs): CommandCall['references'] {
  if (name === 'dispatchTicket') {
    const centreId = args['centreId'] as string;
    return async (claims, t) =>
      requireDispatchable(
        claims,
        { regionCode: t.customer.regionCode, productLine: t.product.productLine },
        centreId,
        await deps.centre(centreId),
      );
  }
  if (name === 'assignEngineer') {
    const engineerId = args['engineerId'] as string;
    return async (claims, t) => requireAssignable(claims, holderOf(t), engineerId, await deps.engineer(engineerId));
  }
  return undefined;
}

export async function step(
  deps: TicketsDeps,
  ctx: RequestContext,
  name: StepName,
  args: StepArgs,
): Promise<TicketView> {
  const def = STEPS[name];
  requireRole(ctx.claims, ...STEP_ROLES[def.step]);
  if (name === 'dispatchTicket' && !ID_PATTERN.test(args['centreId'] as string))
    throw badInput('centreId', 'is not a service centre id');
  if (name === 'assignEngineer' && !ID_PATTERN.test(args['engineerId'] as string))
    throw badInput('engineerId', 'is not an engineer id');
  return runCommand(deps, ctx, {
    operation: name,
    step: def.step,
    id: args.id,
    version: args.version,
    key: args.idempotencyKey,
    command: (actor) => ({ ...(def.command as (a: unknown) => object)(args), actor }) as TicketCommandInput,
    references: referencesOf(deps, name, args),
  });
}

/**
 * Intake (CALL_CENTRE, OPERATOR, ADMIN): validated against the standard in force now (product line,
 * warranty), stored at version 1, and its lifecycle workflow started — which dispatches it. With an
 * idempotency key the ticket id is derived from it, so a retry after a lost answer finds the ticket
 * it created instead of creating a second.
 *
 * A PARTNER receives a walk-in at its own centre (the token's centreId): the job is that centre's
 * at once, ACCEPTED with the first contact made, and the lifecycle dispatches nothing. Only an
 * ACTIVE centre takes new jobs (a suspended one is under rectification), so the network is asked.
 */
export async function receiveTicket(
  deps: TicketsDeps,
  ctx: RequestContext,
  input: IntakeInput,
  key: Key,
): Promise<TicketView> {
  const claims = requireRole(ctx.claims, 'CALL_CENTRE', 'OPERATOR', 'ADMIN', 'PARTNER');
  const walkIn = !hasRole(claims, 'CALL_CENTRE', 'OPERATOR', 'ADMIN');
  if (walkIn && !claims.centreId)
    throw forbidden('a partner receives walk-ins only for its own centre, and this token names none');
  if (key != null && !IDEMPOTENCY_KEY_PATTERN.test(key))
    throw badInput('idempotencyKey', 'must be 8–128 letters, digits or . _ : -');
  const at = deps.now();
  const policy = await deps.ticketPolicy();
  const id = key ? `T-${sha(`${callerScope(claims)}|receiveTicket|${key}`).slice(0, 32)}` : `T-${randomUUID()}`;
  const r = receive(
    id,
    input,
    at,
    policy as TicketPolicy,
    claims.sub,
    walkIn ? { centreId: claims.centreId! } : undefined,
  );
  if (!r.ok) {
    throwIfInvalid(withPrefix('input.', r.violations));
    throw badInput('input', r.message);
  }
  if (walkIn) {
    const centre = await deps.centre(claims.centreId!);
    if (!centre) throw forbidden(`service centre ${claims.centreId} does not exist`);
    if (centre.status !== 'ACTIVE') throw forbidden(`centre ${centre.code} is ${centre.status} and takes no new jobs`);
  }
  // Resumable: the ticket id derives from the key, and inserting the ticket and starting its lifecycle are idempotent.
  const call = {
    key,
    operation: 'receiveTicket',
    caller: claims,
    payload: input,
    resumable: true,
    mayReplay: (v: TicketView) => canSee(claims, holderOf(v)),
  };
  return withIdempotency(deps.store.idempotency, call, async () => {
    const { ticket, created } = await deps.store.insertTicket(r.ticket, { policy, events: r.events, now: at });
    await deps.lifecycle.start(summaryOf(ticket, ticket.policy as TicketPolicy));
    if (created) ctx.log.info({ ticketId: ticket.id, number: ticket.ticketNumber }, 'ticket received');
    return ticketView(ticket);
  });
}

export type JobAction = 'ACCEPT' | 'REFUSE' | 'CONTACT' | 'BOOK' | 'ASSIGN' | 'CHECK_IN' | 'COMPLETE';

export interface JobUpdateInput {
  idempotencyKey: string;
  ticketId: string;
  version: number;
  action: JobAction;
  reason?: string | null;
  window?: WindowInput | null;
  engineerId?: string | null;
  report?: ReportInput | null;
}

/** Each pushed action is the single mutation of the same name: same checks, same idempotency scope. */
const PUSHED: Record<JobAction, StepName> = {
  ACCEPT: 'acceptJob',
  REFUSE: 'refuseJob',
  CONTACT: 'recordContact',
  BOOK: 'bookAppointment',
  ASSIGN: 'assignEngineer',
  CHECK_IN: 'checkIn',
  COMPLETE: 'completeJob',
};
const NEEDS: Partial<Record<JobAction, keyof JobUpdateInput>> = {
  REFUSE: 'reason',
  BOOK: 'window',
  ASSIGN: 'engineerId',
  COMPLETE: 'report',
};

/**
 * Partner push: the updates in order, each exactly as its single mutation (so a key replayed through
 * either returns the same first result), each with its own outcome. A refused update — bad input,
 * another centre's ticket, a stale version, an illegal step — fails alone.
 */
export async function pushJobUpdates(deps: TicketsDeps, ctx: RequestContext, updates: JobUpdateInput[]) {
  requireRole(ctx.claims, 'PARTNER', 'OPERATOR', 'ADMIN');
  if (updates.length < 1 || updates.length > PUSH_MAX) throw badInput('updates', `must hold 1 to ${PUSH_MAX} updates`);
  const results = [];
  for (const [index, u] of updates.entries()) {
    const base = { index, idempotencyKey: u.idempotencyKey, ticketId: u.ticketId };
    try {
      const needed = NEEDS[u.action];
      if (needed && u[needed] == null) throw badInput(`updates[${index}].${needed}`, `is required for ${u.action}`);
      const ticket = await step(deps, ctx, PUSHED[u.action], {
        id: u.ticketId,
        version: u.version,
        idempotencyKey: u.idempotencyKey,
        reason: u.reason,
        window: u.window,
        engineerId: u.engineerId,
        report: u.report,
      });
      results.push({ ...base, ok: true, ticket, error: null });
    } catch (error) {
      if (!(error instanceof DomainError)) {
        ctx.log.error({ err: error, ticketId: u.ticketId, index }, 'pushed job update failed');
        results.push({
          ...base,
          ok: false,
          ticket: null,
          error: { code: 'INTERNAL', message: 'internal error', field: null, currentState: null, currentVersion: null },
        });
        continue;
      }
      const ext = error.extensions as Record<string, unknown>;
      results.push({
        ...base,
        ok: false,
        ticket: null,
        error: {
          code: error.code,
          message: error.message,
          field: ext['field'] ?? null,
          currentState: ext['currentState'] ?? null,
          currentVersion: ext['currentVersion'] ?? null,
        },
      });
    }
  }
  return results;
}
