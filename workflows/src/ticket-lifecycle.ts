/**
 * The ticket lifecycle (docs/domain.md §5, "one ticket to the end"): one workflow per ticket, id
 * `ticket-<ticketId>`. The ticket document in the tickets service is the source of truth and the
 * read model, and its rules use the policy of the standard in force at receipt, which the ticket
 * records (the deadlines this workflow waits for come computed in its summary, so it needs no policy
 * of its own); this workflow runs the SLA clocks (§3) and the cross-service steps (dispatch asks the
 * network service, evidence goes to the certification service), and every change to the ticket —
 * its own and the outside world's, which arrive as the `command` update — is one call of the
 * tickets activity `applyTicketCommand`, idempotent by commandId.
 *
 * Command ids:
 * - An outside command uses the caller's `requestId`, so a client retry is idempotent end to end.
 * - The workflow's own commands use `<workflowId>:v<version>:<type>`, the version of the ticket the
 *   decision was taken on (it is sent as expectedVersion too). A replay after a worker crash
 *   re-sends the same id; it needs no counter carried over continueAsNew, and a fresh run of the
 *   workflow for the same ticket (terminated and restarted) can't reuse an id for a different
 *   command, because the ticket's version only grows. A refused command writes nothing, so retrying
 *   a refused id with another decision (another centre) is safe.
 *
 * Commands are applied one at a time (a workflow-local lock): the summary then always is the
 * result of the last command, and a clock never decides on a state a command in flight is changing.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type {
  CertificationActivities,
  NetworkActivities,
  TicketCommandInput,
  TicketEvidence,
  TicketState,
  TicketSummary,
  TicketsActivities,
} from '@starline/common';

/** Who the workflow's own commands and evidence are recorded as. */
export const LIFECYCLE_ACTOR = 'system:lifecycle';

/** History events after which a run hands its state to a fresh one (continueAsNew). */
export const HISTORY_LIMIT = 500;

/**
 * Failures that are answers, not outages: retrying them can't help. The first three are the
 * tickets service's refusals, which an update caller gets back with the same type.
 */
const REFUSALS = ['INVALID_TRANSITION', 'BAD_USER_INPUT', 'CONFLICT'];
const NON_RETRYABLE = [...REFUSALS, 'BadActivityInput', 'NOT_FOUND'];

const options = (taskQueue: string): ActivityOptions => ({
  taskQueue,
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});
const tickets = proxyActivities<TicketsActivities>(options('tickets'));
const network = proxyActivities<NetworkActivities>(options('network'));
const certification = proxyActivities<CertificationActivities>(options('certification'));

export type TicketCommandType = TicketCommandInput['type'];

/**
 * The states each command may start from. A copy of ALLOWED_FROM in the tickets service's rules
 * (services/tickets/src/rules/lifecycle.ts; workflow code can't import a service), kept equal by
 * workflows/test/ticket-lifecycle.test.ts. Only for rejecting cheaply what can never apply: the
 * tickets service's rules have the last word.
 */
export const COMMAND_ALLOWED_FROM: Readonly<Record<TicketCommandType, readonly TicketState[]>> = {
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
  CANCEL: ['RECEIVED', 'OFFERED', 'ESCALATED', 'ACCEPTED', 'BOOKED', 'ASSIGNED', 'ON_SITE'],
};

/** Only the acceptance clock may time an offer out: a caller can't claim it did. */
const CLOCK_ONLY: ReadonlySet<TicketCommandType> = new Set(['ACCEPT_TIMEOUT']);

const FINAL: ReadonlySet<TicketState> = new Set(['CLOSED', 'CANCELLED']);

export interface TicketCommandRequest {
  command: TicketCommandInput;
  /** The ticket version the caller saw; a stale one is a CONFLICT. */
  expectedVersion?: number | null;
  /** The caller's idempotency key, used as the commandId: a retry returns the first outcome. */
  requestId: string;
}

/** A GraphQL mutation's way in: accept, refuse, book, assign, check in, complete, callback, … */
export const ticketCommandUpdate = defineUpdate<TicketSummary, [TicketCommandRequest]>('command');
/** The ticket as the workflow last saw it (after the last command it applied). */
export const ticketSummaryQuery = defineQuery<TicketSummary>('summary');

/** State handed from one run to the next by continueAsNew, and by intake to the first run. */
export interface TicketLifecycleCarried {
  summary: TicketSummary;
  /** Appointments up to this number have been judged by the missed-appointment clock. */
  judgedAppointment: number;
  /** requestIds of commands applied lately: their retries pass validation whatever the state now. */
  recentRequests: string[];
}

export interface TicketLifecycleInput {
  ticketId: string;
  /** History length after which to continue as new; default HISTORY_LIMIT (tests set it low). */
  historyLimit?: number;
  /**
   * Set by continueAsNew, and by intake, which has just stored the ticket: the run then dispatches
   * at once. Without it the run first asks the tickets service for the ticket.
   */
  carried?: TicketLifecycleCarried;
}

/** The workflow id is this prefix + the ticket id: one lifecycle per ticket. (A constant, not a function: every
 * function exported from workflows.ts becomes a workflow type.) */
export const TICKET_WORKFLOW_PREFIX = 'ticket-';

/** How many requestIds the workflow remembers: enough for any client's retry window. */
const RECENT_REQUESTS = 100;
/** The deadline instant belongs to the centre (the rules time an offer out only after it); allow for clock skew. */
const CLOCK_GRACE_MS = 1000;
/** After a refused clock command the workflow waits this long (doubling, up to the max) before trying again. */
const BACKOFF_MS = 1000;
const BACKOFF_MAX_MS = 10 * 60_000;

/** What the workflow does next for a ticket in this state: pure, so each branch is easy to check. */
export type LifecycleStep =
  | { kind: 'done' }
  | { kind: 'escalate' }
  | { kind: 'dispatch' }
  /** Wait for a change (an update), or until `until` when a clock runs, then act on it. */
  | { kind: 'wait'; until: null }
  | { kind: 'wait'; until: string; clock: 'ACCEPT' | 'APPOINTMENT'; appointmentNo?: number };

export function nextStep(t: TicketSummary, judgedAppointment: number): LifecycleStep {
  if (FINAL.has(t.state)) return { kind: 'done' };
  if (t.state === 'RECEIVED' || (t.state === 'OFFERED' && t.acceptBy === null))
    return { kind: t.mustEscalate ? 'escalate' : 'dispatch' };
  if (t.state === 'OFFERED') return { kind: 'wait', until: t.acceptBy!, clock: 'ACCEPT' };
  const a = t.appointment;
  if ((t.state === 'BOOKED' || t.state === 'ASSIGNED') && a && t.checkedInAt === null && a.no > judgedAppointment) {
    return { kind: 'wait', until: a.missedAt, clock: 'APPOINTMENT', appointmentNo: a.no };
  }
  // ESCALATED (an operator dispatches), ACCEPTED … ON_SITE without a running clock, COMPLETED and
  // CALLED_BACK (the call centre and the warehouse report through updates): nothing to time.
  return { kind: 'wait', until: null };
}

type Applied = { ok: true; ticket: TicketSummary; evidence: TicketEvidence[] };
/** `details` are the refusal's own (the ticket's state, version, violations), passed on to the caller. */
type Refused = { ok: false; type: string; message: string; details?: unknown[] };

/** The failure type, message and details of a failed activity, when its failure is an ApplicationFailure. */
function activityRefusal(error: unknown): Refused | null {
  if (!(error instanceof ActivityFailure)) return null;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure)
    return { ok: false, type: cause.type ?? 'INTERNAL', message: cause.message, details: cause.details ?? undefined };
  return { ok: false, type: 'INTERNAL', message: cause?.message ?? error.message };
}

const isCommandType = (type: unknown): type is TicketCommandType =>
  typeof type === 'string' && Object.hasOwn(COMMAND_ALLOWED_FROM, type);

const rejection = (type: string, message: string, details?: unknown[]) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details });

export async function ticketLifecycle(input: TicketLifecycleInput): Promise<TicketSummary> {
  const { ticketId } = input;
  const { workflowId } = workflowInfo();
  const historyLimit = input.historyLimit ?? HISTORY_LIMIT;
  let summary: TicketSummary | undefined = input.carried?.summary;
  let judgedAppointment = input.carried?.judgedAppointment ?? 0;
  const recentRequests = [...(input.carried?.recentRequests ?? [])];
  let busy = false;

  /** Runs `fn` with no other ticket command in flight. */
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  /** Keeps the newest summary: a replayed command's first outcome may be older than what we hold. */
  function adopt(ticket: TicketSummary): void {
    if (!summary || ticket.version >= summary.version) summary = ticket;
  }

  async function apply(
    commandId: string,
    command: TicketCommandInput,
    expectedVersion: number | null,
  ): Promise<Applied | Refused> {
    try {
      const { ticket, evidence } = await tickets.applyTicketCommand({ ticketId, commandId, command, expectedVersion });
      adopt(ticket);
      return { ok: true, ticket, evidence };
    } catch (error) {
      const refused = activityRefusal(error);
      if (refused) return refused;
      throw error;
    }
  }

  /**
   * ASSIGN (§5 step 3): the engineer must be allowed one more job on the appointment's day — licence
   * not REVOKED, certified for the product line, under the daily cap (halved for WARNING). The
   * certification service judges; the tickets service counts the day's jobs. Asked under the lock,
   * so the appointment judged is the one the assignment applies to. Re-assigning the engineer who
   * holds the job changes nothing, so it isn't asked (the job would count against itself).
   */
  async function engineerRefusal(engineerId: string): Promise<Refused | null> {
    const t = summary!;
    // Not assignable now (the ticket moved on since validation): the rules refuse it, with their message.
    if (!COMMAND_ALLOWED_FROM.ASSIGN.includes(t.state)) return null;
    if (t.state === 'ASSIGNED' && t.engineerId === engineerId) return null;
    // The day the engineer does the job, and the instant their licence and certification must hold at.
    const at = t.appointment?.to ?? new Date().toISOString();
    try {
      const jobsToday = await tickets.engineerJobsOn({ engineerId, at });
      const { allowed, reason } = await certification.mayTakeJob({
        engineerId,
        centreId: t.centreId!,
        productLine: t.productLine,
        at,
        jobsToday,
      });
      if (allowed) return null;
      const message = `engineerId: ${engineerId} may not take this job: ${reason}`;
      return {
        ok: false,
        type: 'BAD_USER_INPUT',
        message,
        details: [{ state: t.state, version: t.version, violations: [{ field: 'engineerId', message: reason }] }],
      };
    } catch (error) {
      const refused = activityRefusal(error);
      if (refused) return refused;
      throw error;
    }
  }

  /**
   * Each piece of evidence goes to the engineer's licence. Certification records it once per
   * evidenceKey, so sending it again (a replayed command) is harmless. Evidence it rejects for
   * good (an unknown engineer) is logged, not fatal: the ticket's own change has happened.
   */
  async function record(evidence: TicketEvidence[]): Promise<void> {
    for (const e of evidence) {
      try {
        await certification.recordLicenceEvent({
          engineerId: e.engineerId,
          code: e.code,
          evidenceKey: e.evidenceKey,
          recordedBy: LIFECYCLE_ACTOR,
          note: `ticket ${ticketId}`,
        });
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        log.error('licence evidence not recorded', {
          ticketId,
          evidenceKey: e.evidenceKey,
          error: activityRefusal(error)?.message,
        });
      }
    }
  }

  setHandler(ticketSummaryQuery, () => {
    if (!summary) throw rejection('NOT_READY', `the lifecycle of ticket ${ticketId} is still loading it`);
    return summary;
  });

  setHandler(
    ticketCommandUpdate,
    async ({ command, expectedVersion, requestId }) => {
      await condition(() => summary !== undefined);
      // A retry of an applied ASSIGN is answered with its first outcome: not asked again (the job now counts).
      const check = command.type === 'ASSIGN' && !recentRequests.includes(requestId) ? command.engineerId : null;
      const outcome = await exclusive(async () => {
        const refused = check === null ? null : await engineerRefusal(check);
        return refused ?? apply(requestId, command, expectedVersion ?? null);
      });
      if (!outcome.ok) throw rejection(outcome.type, outcome.message, outcome.details);
      if (!recentRequests.includes(requestId)) recentRequests.push(requestId);
      if (recentRequests.length > RECENT_REQUESTS) recentRequests.splice(0, recentRequests.length - RECENT_REQUESTS);
      // Recorded before answering, so a caller who sees the answer sees the points too; outside the
      // lock, so a slow certification service delays this caller only.
      await record(outcome.evidence);
      return outcome.ticket;
    },
    {
      // Cheap refusals from the state we hold, before anything enters the history.
      validator: (request) => {
        const { command, expectedVersion, requestId } = request ?? ({} as Partial<TicketCommandRequest>);
        if (typeof requestId !== 'string' || requestId.trim() === '' || requestId.length > 200) {
          throw rejection('BAD_USER_INPUT', 'requestId: must be a non-empty string of at most 200 characters');
        }
        const type = command?.type;
        if (!isCommandType(type)) {
          throw rejection('BAD_USER_INPUT', `command.type: unknown command ${String(type)}`);
        }
        if (typeof command.actor !== 'string' || command.actor.trim() === '')
          throw rejection('BAD_USER_INPUT', 'command.actor: must name who asks');
        // Checked here because ASSIGN asks the certification service about this id before the rules see it.
        if (type === 'ASSIGN' && (typeof command.engineerId !== 'string' || command.engineerId.trim() === '')) {
          throw rejection('BAD_USER_INPUT', 'command.engineerId: must name the engineer');
        }
        if (expectedVersion != null && !Number.isInteger(expectedVersion))
          throw rejection('BAD_USER_INPUT', 'expectedVersion: must be an integer');
        if (CLOCK_ONLY.has(type))
          throw rejection('INVALID_TRANSITION', `${type} is decided by the ticket's clock, not requested`);
        // A retry of an applied command: the activity answers it with the first outcome.
        if (recentRequests.includes(requestId) || !summary) return;
        // A command in flight (ours or a caller's) may already have changed the ticket: its activity
        // writes the ticket, and the partner's feed, before the workflow hears back. The caller may
        // have seen that newer version, so what we hold can't judge it: the activity will.
        if (busy) return;
        const from = COMMAND_ALLOWED_FROM[type];
        if (!from.includes(summary.state)) {
          const final = FINAL.has(summary.state) ? ', which is final' : '';
          throw rejection(
            'INVALID_TRANSITION',
            `cannot ${type} a ticket that is ${summary.state}${final} (allowed when ${from.join(' or ')})`,
          );
        }
        // Versions only grow, so an older one is stale for sure; a newer one is the activity's to judge.
        if (expectedVersion != null && expectedVersion < summary.version) {
          throw rejection(
            'CONFLICT',
            `the ticket is at version ${summary.version} (${summary.state}), not ${expectedVersion}; reload it`,
          );
        }
      },
    },
  );

  /**
   * Time to hand over to a fresh run. Waits wake on it too, so refused updates alone can't grow one run's history
   * unbounded.
   */
  const historyFull = () => {
    const info = workflowInfo();
    return info.historyLength >= historyLimit || info.continueAsNewSuggested;
  };

  if (!summary) adopt(await tickets.ticketSummary({ ticketId }));
  let refusals = 0;

  /**
   * The workflow's own command, decided on version `v` of the ticket. 'stale' when a command
   * changed the ticket meanwhile (the caller decides again on the new state).
   */
  async function system(command: TicketCommandInput, v: number): Promise<'applied' | 'stale' | 'refused'> {
    const outcome = await exclusive(async () =>
      summary!.version === v ? apply(`${workflowId}:v${v}:${command.type}`, command, v) : null,
    );
    if (outcome === null) return 'stale';
    if (!outcome.ok) {
      // The ticket moved on outside our view, or the rules see it differently (e.g. clock skew):
      // reload it, and if nothing changed wait a little before deciding again (no hot loop).
      log.warn('lifecycle command refused', {
        ticketId,
        command: command.type,
        type: outcome.type,
        message: outcome.message,
      });
      adopt(await tickets.ticketSummary({ ticketId }));
      if (summary!.version === v)
        await condition(() => summary!.version !== v, Math.min(BACKOFF_MS * 2 ** refusals++, BACKOFF_MAX_MS));
      return 'refused';
    }
    refusals = 0;
    await record(outcome.evidence);
    return 'applied';
  }

  /** Dispatch (§5 step 2): the best eligible centre not yet tried this round; nobody → an operator. */
  async function dispatch(v: number): Promise<void> {
    const t = summary!;
    const where = { regionCode: t.regionCode, productLine: t.productLine, at: new Date().toISOString() };
    const candidates = await network.eligibleCentres(where);
    let centreId: string | null = null;
    if (candidates.length > 0) {
      // The network ranks by grade, then load; the load is the tickets service's count.
      const openJobs = await tickets.openJobsByCentre({ centreIds: candidates.map((c) => c.centreId) });
      const ranked = await network.eligibleCentres({ ...where, openJobs });
      centreId = ranked.find((c) => !summary!.triedCentres.includes(c.centreId))?.centreId ?? null;
    }
    await system(
      centreId ? { type: 'DISPATCH', centreId, actor: LIFECYCLE_ACTOR } : { type: 'ESCALATE', actor: LIFECYCLE_ACTOR },
      v,
    );
  }

  /** The appointment's promise fell due with nobody on site: whatever evidence the rules see then. */
  async function judgeAppointment(v: number, no: number, missedAt: string): Promise<void> {
    // Under the lock, so a check-in in flight is either fully in or not at all.
    const evidence = await exclusive(async () =>
      summary!.version === v ? tickets.evidenceAt({ ticketId, at: missedAt }) : null,
    );
    if (evidence === null) return;
    judgedAppointment = no;
    await record(evidence);
  }

  for (;;) {
    const t = summary!;
    const step = nextStep(t, judgedAppointment);
    if (step.kind === 'done') break;
    if (historyFull()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof ticketLifecycle>({
        ticketId,
        historyLimit: input.historyLimit,
        carried: { summary: summary!, judgedAppointment, recentRequests },
      });
    }
    const v = t.version;
    if (step.kind === 'escalate') {
      await system({ type: 'ESCALATE', actor: LIFECYCLE_ACTOR }, v);
    } else if (step.kind === 'dispatch') {
      await dispatch(v);
    } else if (step.until === null) {
      await condition(() => summary!.version !== v || historyFull());
    } else {
      const grace = step.clock === 'ACCEPT' ? CLOCK_GRACE_MS : 0;
      const ms = Date.parse(step.until) + grace - Date.now();
      const changed = ms > 0 ? await condition(() => summary!.version !== v || historyFull(), ms) : false;
      if (changed) continue;
      if (step.clock === 'ACCEPT') await system({ type: 'ACCEPT_TIMEOUT', actor: LIFECYCLE_ACTOR }, v);
      else await judgeAppointment(v, step.appointmentNo!, step.until);
    }
  }
  // Let a command that ended the ticket (a cancel) finish recording and answer its caller.
  await condition(allHandlersFinished);
  return summary!;
}
