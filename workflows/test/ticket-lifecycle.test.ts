import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  DefaultLogger,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type {
  CertificationActivities,
  EligibleCentre,
  NetworkActivities,
  TicketCommandInput,
  TicketEvidence,
  TicketPolicyInput,
  TicketState,
  TicketSummary,
  TicketsActivities,
} from '@starline/common';
import { ALLOWED_FROM } from '../../services/tickets/src/rules/lifecycle.ts';
import { toolPaths } from '../../infra/src/tools.ts';
import { workflowsPath } from '../src/worker.ts';
import { ticketCommandUpdate, ticketLifecycle, ticketSummaryQuery } from '../src/workflows.ts';
import { COMMAND_ALLOWED_FROM, nextStep } from '../src/ticket-lifecycle.ts';

const MIN = 60_000;
const policy: TicketPolicyInput = {
  standardVersionId: 'standard-3',
  slaClocks: {
    acceptMinutes: 30,
    maxDispatchAttempts: 3,
    firstContactMinutes: 30,
    missedAppointmentMinutes: 60,
    completionReportMinutes: 120,
    callbackHours: 24,
    callbackMaxAttempts: 5,
    repeatRepairDays: 90,
    complaintResponseHours: { level1: 2, level2: 8, level3: 24 },
  },
  procedureSteps: ['DIAGNOSE', 'REPAIR', 'TEST_RUN'],
  requiredSteps: ['DIAGNOSE', 'TEST_RUN'],
  productLines: [{ code: 'AIR_CONDITIONER', warrantyMonths: 36 }],
  labourFees: [],
  priceList: [],
};
const clocks = policy.slaClocks;

// ---------------------------------------------------------------------------------------------
// Stand-ins for the four services: a small in-memory ticket model, just enough state for the
// workflow's clocks (offers, rounds, appointments, check-in), and a record of every call.
// ---------------------------------------------------------------------------------------------

interface Offer {
  centreId: string;
  offeredAt: number;
  round: number;
  outcome: 'PENDING' | 'ACCEPTED' | 'REFUSED' | 'TIMED_OUT' | 'WITHDRAWN';
}
interface Model {
  id: string;
  version: number;
  state: TicketState;
  regionCode: string;
  receivedAt: number;
  centreId: string | null;
  engineerId: string | null;
  offers: Offer[];
  escalations: number;
  appointments: { to: number; closed: boolean }[];
  checkedInAt: number | null;
  completedAt: number | null;
  callbackAttempts: number;
}
interface Outcome {
  ticket: TicketSummary;
  evidence: TicketEvidence[];
}

let env: TestWorkflowEnvironment;
const now = () => env.currentTimeMs();
const iso = (ms: number) => new Date(ms).toISOString();
const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

const world = {
  tickets: new Map<string, Model>(),
  /** centre id → grade and capacity, per region. */
  centres: new Map<string, { centreId: string; grade: EligibleCentre['grade']; dailyCapacity: number }[]>(),
  openJobs: new Map<string, number>(),
  outcomes: new Map<string, Outcome>(),
  commands: [] as { ticketId: string; commandId: string; type: string; at: number; replay: boolean }[],
  evidenceAt: [] as { ticketId: string; at: string; calledAt: number }[],
  eligible: [] as { regionCode: string; openJobs: Record<string, number> | undefined }[],
  /** engineer id → why they may not take a job (absent: allowed), and jobs each has on a day. */
  barred: new Map<string, string>(),
  jobsOn: new Map<string, number>(),
  /** Ticket ids whose summary was asked of the tickets service. */
  summaryAsks: [] as string[],
  mayTakeJob: [] as { engineerId: string; productLine: string; at: string; jobsToday: number }[],
  licence: [] as {
    engineerId: string;
    code: string;
    evidenceKey: string;
    recordedBy: string;
    note?: string | null;
    at: number;
  }[],
  /** `<ticketId>:<command type>` → what the command's activity awaits after writing the ticket, before it answers. */
  gates: new Map<string, Promise<void>>(),
};

const round = (t: Model) => t.offers.filter((o) => o.round === t.escalations);
const pending = (t: Model) => t.offers.find((o) => o.outcome === 'PENDING') ?? null;
const failed = (t: Model) => round(t).filter((o) => o.outcome === 'REFUSED' || o.outcome === 'TIMED_OUT').length;
const current = (t: Model) => {
  const last = t.appointments.at(-1);
  return last && !last.closed ? { no: t.appointments.length, ...last } : null;
};

function summaryOf(t: Model): TicketSummary {
  const offer = pending(t);
  const a = current(t);
  return {
    id: t.id,
    version: t.version,
    state: t.state,
    standardVersionId: policy.standardVersionId,
    productLine: 'AIR_CONDITIONER',
    regionCode: t.regionCode,
    receivedAt: iso(t.receivedAt),
    centreId: t.centreId,
    engineerId: t.engineerId,
    acceptBy: offer ? iso(offer.offeredAt + clocks.acceptMinutes * MIN) : null,
    failedAttempts: failed(t),
    mustEscalate:
      (t.state === 'RECEIVED' || t.state === 'OFFERED') && !offer && failed(t) >= clocks.maxDispatchAttempts,
    triedCentres: [...new Set(round(t).map((o) => o.centreId))],
    appointment: a ? { no: a.no, to: iso(a.to), missedAt: iso(a.to + clocks.missedAppointmentMinutes * MIN) } : null,
    checkedInAt: t.checkedInAt === null ? null : iso(t.checkedInAt),
    completedAt: t.completedAt === null ? null : iso(t.completedAt),
    callbackBy: t.completedAt === null ? null : iso(t.completedAt + clocks.callbackHours * 3600_000),
    callbackAttempts: t.callbackAttempts,
  };
}

const evidence = (t: Model, code: TicketEvidence['code'], no?: number): TicketEvidence[] =>
  t.engineerId
    ? [
        {
          code,
          engineerId: t.engineerId,
          ticketId: t.id,
          evidenceKey: `ticket:${t.id}:${code}${no === undefined ? '' : `:${no}`}`,
        },
      ]
    : [];

/** The rules, reduced to what these tests exercise. Throws a refusal like the real service. */
function decide(t: Model, c: TicketCommandInput, at: number): TicketEvidence[] {
  if (!ALLOWED_FROM[c.type].includes(t.state))
    throw refuse('INVALID_TRANSITION', `cannot ${c.type} a ticket that is ${t.state}`);
  const offer = pending(t);
  const due = offer ? offer.offeredAt + clocks.acceptMinutes * MIN : 0;
  switch (c.type) {
    case 'DISPATCH':
      if (offer) throw refuse('INVALID_TRANSITION', `offered to ${offer.centreId}`);
      if (failed(t) >= clocks.maxDispatchAttempts) throw refuse('INVALID_TRANSITION', 'must be escalated');
      if (round(t).some((o) => o.centreId === c.centreId))
        throw refuse('BAD_USER_INPUT', `centreId: ${c.centreId} was already offered`);
      t.offers.push({ centreId: c.centreId, offeredAt: at, round: t.escalations, outcome: 'PENDING' });
      Object.assign(t, { state: 'OFFERED', centreId: c.centreId });
      return [];
    case 'ACCEPT':
      if (!offer || at > due) throw refuse('INVALID_TRANSITION', 'no open offer');
      offer.outcome = 'ACCEPTED';
      t.state = 'ACCEPTED';
      return [];
    case 'REFUSE':
    case 'ACCEPT_TIMEOUT':
      if (!offer) throw refuse('INVALID_TRANSITION', 'no open offer');
      if (c.type === 'REFUSE' && !c.reason.trim()) throw refuse('BAD_USER_INPUT', 'reason: must not be blank');
      if (c.type === 'ACCEPT_TIMEOUT' && at <= due)
        throw refuse('INVALID_TRANSITION', `the offer is open until ${iso(due)}`);
      offer.outcome = c.type === 'REFUSE' ? 'REFUSED' : 'TIMED_OUT';
      t.centreId = null;
      return [];
    case 'ESCALATE':
      if (offer) throw refuse('INVALID_TRANSITION', 'wait for the answer');
      t.escalations++;
      Object.assign(t, { state: 'ESCALATED', centreId: null });
      return [];
    case 'BOOK': {
      const to = Date.parse(c.window.to);
      if (!(to > Date.parse(c.window.from))) throw refuse('BAD_USER_INPUT', 'window.to: must be after window.from');
      t.appointments.forEach((a) => (a.closed = true));
      t.appointments.push({ to, closed: false });
      if (t.state === 'ACCEPTED') t.state = 'BOOKED';
      return [];
    }
    case 'ASSIGN':
      Object.assign(t, { state: 'ASSIGNED', engineerId: c.engineerId });
      return [];
    case 'CHECK_IN': {
      Object.assign(t, { state: 'ON_SITE', checkedInAt: at });
      const a = current(t);
      if (!a || at <= a.to) return [];
      return evidence(t, at < a.to + clocks.missedAppointmentMinutes * MIN ? 'LATE_ARRIVAL' : 'PROMISE_BROKEN', a.no);
    }
    case 'COMPLETE':
      Object.assign(t, { state: 'COMPLETED', completedAt: at });
      return policy.requiredSteps.every((s) => c.report.checklist.includes(s))
        ? []
        : evidence(t, 'NON_STANDARD_SERVICE');
    case 'CALLBACK_ATTEMPT':
      t.callbackAttempts++;
      if (c.answer !== 'NO_ANSWER') t.state = 'CALLED_BACK';
      return [];
    case 'QUALITY_CHECK':
      t.state = 'CLOSED';
      return [];
    case 'RECALL':
      t.offers.forEach((o) => o.outcome === 'PENDING' && (o.outcome = 'WITHDRAWN'));
      t.appointments.forEach((a) => (a.closed = true));
      Object.assign(t, { state: 'RECEIVED', centreId: null, engineerId: null });
      return [];
    case 'CANCEL':
      t.appointments.forEach((a) => (a.closed = true));
      t.state = 'CANCELLED';
      return [];
    default:
      throw refuse('BAD_USER_INPUT', `the stub does not know ${c.type}`);
  }
}

function ticketOf(ticketId: string): Model {
  const t = world.tickets.get(ticketId);
  if (!t) throw refuse('NOT_FOUND', `no ticket ${ticketId}`);
  return t;
}

const ticketsStub: Omit<TicketsActivities, 'centreMonthFacts' | 'recallCentreJobs' | 'unsettledJobs' | 'jobsSettled'> =
  {
    async applyTicketCommand({ ticketId, commandId, command, expectedVersion }) {
      const at = await now();
      const first = world.outcomes.get(commandId);
      world.commands.push({ ticketId, commandId, type: command.type, at, replay: first !== undefined });
      if (first) return first;
      const t = ticketOf(ticketId);
      if (expectedVersion != null && expectedVersion !== t.version)
        throw refuse('CONFLICT', `the ticket is at version ${t.version}`);
      const draft: Model = structuredClone(t);
      let found: TicketEvidence[];
      try {
        found = decide(draft, command, at);
      } catch (error) {
        // Like the service, a refusal carries the ticket's state and version as its details.
        const { type, message } = error as ApplicationFailure;
        throw ApplicationFailure.create({
          type: type ?? undefined,
          message,
          nonRetryable: true,
          details: [{ ticketId, state: t.state, version: t.version }],
        });
      }
      draft.version++;
      world.tickets.set(ticketId, draft);
      const outcome = { ticket: summaryOf(draft), evidence: found };
      world.outcomes.set(commandId, outcome);
      await world.gates.get(`${ticketId}:${command.type}`);
      return outcome;
    },
    async ticketSummary({ ticketId }) {
      world.summaryAsks.push(ticketId);
      return summaryOf(ticketOf(ticketId));
    },
    async evidenceAt({ ticketId, at }) {
      world.evidenceAt.push({ ticketId, at, calledAt: await now() });
      const t = ticketOf(ticketId);
      const a = current(t);
      if (!a || t.checkedInAt !== null || Date.parse(at) < a.to + clocks.missedAppointmentMinutes * MIN) return [];
      return evidence(t, 'PROMISE_BROKEN', a.no);
    },
    async openJobsByCentre({ centreIds }) {
      return Object.fromEntries(centreIds.map((id) => [id, world.openJobs.get(id) ?? 0]));
    },
    async engineerJobsOn({ engineerId }) {
      return world.jobsOn.get(engineerId) ?? 0;
    },
  };

const gradeRank = (g: EligibleCentre['grade']) => (g === null ? 4 : 'ABC'.indexOf(g));
const networkStub: Pick<NetworkActivities, 'eligibleCentres'> = {
  async eligibleCentres({ regionCode, openJobs }) {
    world.eligible.push({ regionCode, openJobs });
    return (world.centres.get(regionCode) ?? [])
      .map((c) => ({
        ...c,
        code: c.centreId,
        openJobs: openJobs?.[c.centreId] ?? 0,
        remaining: c.dailyCapacity - (openJobs?.[c.centreId] ?? 0),
      }))
      .filter((c) => c.remaining > 0)
      .sort(
        (a, b) =>
          gradeRank(a.grade) - gradeRank(b.grade) || a.openJobs / a.dailyCapacity - b.openJobs / b.dailyCapacity,
      );
  },
};

const certificationStub: Pick<CertificationActivities, 'recordLicenceEvent' | 'mayTakeJob'> = {
  async mayTakeJob({ engineerId, productLine, at, jobsToday }) {
    world.mayTakeJob.push({ engineerId, productLine, at, jobsToday });
    const reason = world.barred.get(engineerId);
    return reason ? { allowed: false, reason } : { allowed: true, reason: 'eligible' };
  },
  async recordLicenceEvent(input) {
    world.licence.push({ ...input, at: await now() });
    const created = world.licence.filter((e) => e.evidenceKey === input.evidenceKey).length === 1;
    return { entryId: input.evidenceKey, created, pointsRemaining: 9, status: 'NORMAL' };
  },
};

// ---------------------------------------------------------------------------------------------

let bundle: WorkflowBundleWithSourceMap;
let workers: Worker[] = [];
let running: Promise<void>[] = [];
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPaths().temporalTestServer } },
  });
  bundle = await bundleWorkflowCode({ workflowsPath });
  const workflowBundle = bundle;
  const connection = env.nativeConnection;
  workers = await Promise.all([
    Worker.create({ connection, taskQueue: 'workflows', workflowBundle }),
    Worker.create({ connection, taskQueue: 'tickets', activities: ticketsStub }),
    Worker.create({ connection, taskQueue: 'network', activities: networkStub }),
    Worker.create({ connection, taskQueue: 'certification', activities: certificationStub }),
  ]);
  running = workers.map((w) => w.run());
});
afterAll(async () => {
  workers.forEach((w) => w.shutdown());
  await Promise.all(running);
  await env?.teardown();
});

const actor = 'user:test';
let region = 100000;

/** A new ticket in its own region with these centres, and its running lifecycle. */
async function newTicket(
  centres: { centreId: string; grade: EligibleCentre['grade']; dailyCapacity?: number }[],
  /** fromIntake: started as the tickets service's intake starts it, with the stored ticket. */
  opts: { historyLimit?: number; ticketId?: string; fromIntake?: boolean } = {},
) {
  const ticketId = opts.ticketId ?? `T-${randomUUID().slice(0, 8)}`;
  const regionCode = String(region++);
  world.centres.set(
    regionCode,
    centres.map((c) => ({ dailyCapacity: 10, ...c })),
  );
  const receivedAt = await now();
  world.tickets.set(ticketId, {
    id: ticketId,
    version: 1,
    state: 'RECEIVED',
    regionCode,
    receivedAt,
    centreId: null,
    engineerId: null,
    offers: [],
    escalations: 0,
    appointments: [],
    checkedInAt: null,
    completedAt: null,
    callbackAttempts: 0,
  });
  const carried = opts.fromIntake
    ? { summary: summaryOf(ticketOf(ticketId)), judgedAppointment: 0, recentRequests: [] }
    : undefined;
  const handle = await env.client.workflow.start(ticketLifecycle, {
    taskQueue: 'workflows',
    workflowId: `ticket-${ticketId}`,
    args: [{ ticketId, historyLimit: opts.historyLimit, carried }],
  });
  return { ticketId, handle, receivedAt: iso(receivedAt) };
}

type Handle = WorkflowHandle<typeof ticketLifecycle>;
const send = (
  handle: Handle,
  command: TicketCommandInput,
  requestId: string = randomUUID(),
  expectedVersion?: number,
) => handle.executeUpdate(ticketCommandUpdate, { args: [{ command, requestId, expectedVersion }] });

/** Polls (in real time) until the check holds; the workflow and its stubs run asynchronously. */
async function eventually<T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > until) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const summary = (handle: Handle) => handle.query(ticketSummaryQuery);
const offeredTo = (handle: Handle, centreId: string): Promise<TicketSummary> =>
  eventually(
    () => summary(handle).catch(() => null),
    (s) => s?.state === 'OFFERED' && s.centreId === centreId && s.acceptBy !== null,
  ).then((s) => s!);
const commandsOf = (ticketId: string) => world.commands.filter((c) => c.ticketId === ticketId);
const licenceOf = (ticketId: string) => world.licence.filter((e) => e.evidenceKey.startsWith(`ticket:${ticketId}:`));

async function updateFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

const workflowOf = (ticketId: string, runId?: string) => env.client.workflow.getHandle(`ticket-${ticketId}`, runId);

/** Waits until the ticket's current run has no workflow or activity task outstanding. */
async function quiet(ticketId: string): Promise<void> {
  await eventually(
    async () => {
      const events = (await workflowOf(ticketId).fetchHistory()).events ?? [];
      let open = 0;
      for (const e of events) {
        if (e.workflowTaskScheduledEventAttributes || e.activityTaskScheduledEventAttributes) open++;
        if (
          e.workflowTaskCompletedEventAttributes ||
          e.workflowTaskFailedEventAttributes ||
          e.workflowTaskTimedOutEventAttributes
        )
          open--;
        if (
          e.activityTaskCompletedEventAttributes ||
          e.activityTaskFailedEventAttributes ||
          e.activityTaskTimedOutEventAttributes ||
          e.activityTaskCanceledEventAttributes
        )
          open--;
      }
      return open;
    },
    (open) => open === 0,
  );
}

/** The run ids of the ticket's lifecycle, newest first, following continueAsNew back to the first. */
async function runsOf(ticketId: string): Promise<string[]> {
  const runs: string[] = [];
  let runId: string | undefined = (await workflowOf(ticketId).describe()).runId;
  while (runId) {
    runs.push(runId);
    const history = await workflowOf(ticketId, runId).fetchHistory();
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

/** Drives a fresh ticket to ASSIGNED with an appointment ending `endsInMin` minutes from now. */
async function assigned(endsInMin: number) {
  const t = await newTicket([{ centreId: 'C1', grade: 'A' }]);
  await offeredTo(t.handle, 'C1');
  await send(t.handle, { type: 'ACCEPT', actor });
  const at = await now();
  await send(t.handle, {
    type: 'BOOK',
    window: { from: iso(at + (endsInMin - 120) * MIN), to: iso(at + endsInMin * MIN) },
    actor,
  });
  const s = await send(t.handle, { type: 'ASSIGN', engineerId: 'E1', actor });
  return { ...t, appointment: s.appointment! };
}

describe('the lifecycle table', () => {
  it('allows each command from the same states as the tickets service rules', () => {
    expect(COMMAND_ALLOWED_FROM).toEqual(ALLOWED_FROM);
  });

  it('decides the next step from the summary alone', () => {
    const base = summaryOf({
      id: 'T',
      version: 1,
      state: 'RECEIVED',
      regionCode: '1',
      receivedAt: 0,
      centreId: null,
      engineerId: null,
      offers: [],
      escalations: 0,
      appointments: [],
      checkedInAt: null,
      completedAt: null,
      callbackAttempts: 0,
    });
    expect(nextStep(base, 0)).toEqual({ kind: 'dispatch' });
    expect(nextStep({ ...base, state: 'OFFERED', mustEscalate: true }, 0)).toEqual({ kind: 'escalate' });
    expect(nextStep({ ...base, state: 'OFFERED', acceptBy: 'X' }, 0)).toEqual({
      kind: 'wait',
      until: 'X',
      clock: 'ACCEPT',
    });
    const appointment = { no: 2, to: 'A', missedAt: 'M' };
    expect(nextStep({ ...base, state: 'ASSIGNED', appointment }, 1)).toEqual({
      kind: 'wait',
      until: 'M',
      clock: 'APPOINTMENT',
      appointmentNo: 2,
    });
    expect(nextStep({ ...base, state: 'ASSIGNED', appointment }, 2)).toEqual({ kind: 'wait', until: null });
    expect(nextStep({ ...base, state: 'ESCALATED' }, 0)).toEqual({ kind: 'wait', until: null });
    expect(nextStep({ ...base, state: 'CANCELLED' }, 0)).toEqual({ kind: 'done' });
  });
});

describe('ticketLifecycle', () => {
  it('offers the job to the best eligible centre: better grade first, then lower load', async () => {
    world.openJobs.set('C-busy', 8);
    world.openJobs.set('C-free', 1);
    const { ticketId, handle } = await newTicket([
      { centreId: 'C-grade-b', grade: 'B' },
      { centreId: 'C-busy', grade: 'A' },
      { centreId: 'C-free', grade: 'A' },
    ]);
    const s = await offeredTo(handle, 'C-free');
    expect(s.triedCentres).toEqual(['C-free']);
    expect(world.eligible.filter((e) => e.openJobs !== undefined).at(-1)?.openJobs).toEqual({
      'C-grade-b': 0,
      'C-busy': 8,
      'C-free': 1,
    });
    expect(commandsOf(ticketId).map((c) => c.commandId)).toEqual([`ticket-${ticketId}:v1:DISPATCH`]);
  });

  it('started by intake with the stored ticket, dispatches without asking the tickets service for it first', async () => {
    const { ticketId, handle } = await newTicket([{ centreId: 'C1', grade: 'A' }], { fromIntake: true });
    await offeredTo(handle, 'C1');
    expect(world.summaryAsks).not.toContain(ticketId);
    const scheduled = async (h: Handle) =>
      ((await h.fetchHistory()).events ?? []).flatMap(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
      );
    expect(await scheduled(handle)).toEqual([
      'eligibleCentres',
      'openJobsByCentre',
      'eligibleCentres',
      'applyTicketCommand',
    ]);
    // Started without it (a lifecycle restarted by hand), it asks.
    const other = await newTicket([{ centreId: 'C1', grade: 'A' }]);
    await offeredTo(other.handle, 'C1');
    expect(world.summaryAsks).toContain(other.ticketId);
    expect(await scheduled(other.handle)).toEqual([
      'ticketSummary',
      'eligibleCentres',
      'openJobsByCentre',
      'eligibleCentres',
      'applyTicketCommand',
    ]);
  });

  it('re-dispatches to the next centre when the offer is not accepted in time', async () => {
    const { ticketId, handle } = await newTicket([
      { centreId: 'C1', grade: 'A' },
      { centreId: 'C2', grade: 'B' },
    ]);
    const offer = await offeredTo(handle, 'C1');
    await env.sleep((clocks.acceptMinutes - 1) * MIN);
    expect((await summary(handle)).centreId).toBe('C1');
    await env.sleep(2 * MIN);
    const next = await offeredTo(handle, 'C2');
    expect(next.triedCentres).toEqual(['C1', 'C2']);
    const timeout = commandsOf(ticketId).find((c) => c.type === 'ACCEPT_TIMEOUT')!;
    expect(timeout.commandId).toBe(`ticket-${ticketId}:v2:ACCEPT_TIMEOUT`);
    expect(timeout.at).toBeGreaterThan(Date.parse(offer.acceptBy!));
    expect(commandsOf(ticketId).map((c) => c.type)).toEqual(['DISPATCH', 'ACCEPT_TIMEOUT', 'DISPATCH']);
  });

  it(`escalates after ${clocks.maxDispatchAttempts} failed offers and waits for an operator's dispatch`, async () => {
    const centres = ['C1', 'C2', 'C3', 'C4'].map((centreId) => ({ centreId, grade: 'A' as const }));
    const { ticketId, handle } = await newTicket(centres);
    await offeredTo(handle, 'C1');
    await env.sleep((clocks.acceptMinutes + 1) * MIN);
    await offeredTo(handle, 'C2');
    await send(handle, { type: 'REFUSE', reason: 'no engineer free', actor: 'partner:C2' });
    await offeredTo(handle, 'C3');
    await env.sleep((clocks.acceptMinutes + 1) * MIN);
    const escalated = await eventually(
      () => summary(handle),
      (s) => s.state === 'ESCALATED',
    );
    expect(escalated.centreId).toBeNull();
    // Nothing happens until an operator acts, however long it takes.
    await env.sleep(24 * 60 * MIN);
    expect((await summary(handle)).state).toBe('ESCALATED');
    expect(commandsOf(ticketId).map((c) => c.type)).toEqual([
      'DISPATCH',
      'ACCEPT_TIMEOUT',
      'DISPATCH',
      'REFUSE',
      'DISPATCH',
      'ACCEPT_TIMEOUT',
      'ESCALATE',
    ]);
    // A new round: the operator may pick a centre that failed before (they may have phoned it).
    const manual = await send(handle, { type: 'DISPATCH', centreId: 'C1', actor: 'operator:o1' });
    expect(manual).toMatchObject({ state: 'OFFERED', centreId: 'C1', triedCentres: ['C1'] });
    expect((await send(handle, { type: 'ACCEPT', actor: 'partner:C1' })).state).toBe('ACCEPTED');
  });

  it('escalates at once when no centre is eligible', async () => {
    const { ticketId, handle } = await newTicket([{ centreId: 'C-full', grade: 'A', dailyCapacity: 0 }]);
    await eventually(
      () => summary(handle).catch(() => null),
      (s) => s?.state === 'ESCALATED',
    );
    expect(commandsOf(ticketId).map((c) => c.type)).toEqual(['ESCALATE']);
  });

  it('records PROMISE_BROKEN once, at the missed instant, when nobody checked in', async () => {
    const { ticketId, handle, appointment } = await assigned(180);
    const missedAt = Date.parse(appointment.missedAt);
    await env.sleep(missedAt - (await now()) - MIN);
    expect(world.evidenceAt.filter((e) => e.ticketId === ticketId)).toEqual([]);
    await env.sleep(2 * MIN);
    await eventually(
      () => licenceOf(ticketId),
      (l) => l.length > 0,
    );
    const asked = world.evidenceAt.filter((e) => e.ticketId === ticketId);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.at).toBe(appointment.missedAt);
    expect(asked[0]!.calledAt).toBeGreaterThanOrEqual(missedAt);
    await env.sleep(6 * 60 * MIN);
    expect(licenceOf(ticketId)).toEqual([
      expect.objectContaining({
        engineerId: 'E1',
        code: 'PROMISE_BROKEN',
        evidenceKey: `ticket:${ticketId}:PROMISE_BROKEN:1`,
        recordedBy: 'system:lifecycle',
        note: `ticket ${ticketId}`,
      }),
    ]);
    expect(world.evidenceAt.filter((e) => e.ticketId === ticketId)).toHaveLength(1);
    expect((await summary(handle)).state).toBe('ASSIGNED');
  });

  it('records nothing when the engineer checked in on time', async () => {
    const { ticketId, handle } = await assigned(180);
    await env.sleep(100 * MIN);
    expect((await send(handle, { type: 'CHECK_IN', actor: 'engineer:E1' })).state).toBe('ON_SITE');
    await env.sleep(24 * 60 * MIN);
    expect(world.evidenceAt.filter((e) => e.ticketId === ticketId)).toEqual([]);
    expect(licenceOf(ticketId)).toEqual([]);
  });

  it('follows a rebooking: the clock runs to the appointment in force', async () => {
    const { ticketId, handle, appointment } = await assigned(180);
    const at = await now();
    const rebooked = await send(handle, {
      type: 'BOOK',
      window: { from: iso(at + 8 * 60 * MIN), to: iso(at + 10 * 60 * MIN) },
      actor: 'partner:C1',
    });
    expect(rebooked.appointment!.no).toBe(2);
    await env.sleep(Date.parse(appointment.missedAt) - at + 30 * MIN);
    expect(world.evidenceAt.filter((e) => e.ticketId === ticketId)).toEqual([]);
    await env.sleep(Date.parse(rebooked.appointment!.missedAt) - (await now()) + MIN);
    const recorded = await eventually(
      () => licenceOf(ticketId),
      (l) => l.length > 0,
    );
    expect(recorded.map((e) => e.evidenceKey)).toEqual([`ticket:${ticketId}:PROMISE_BROKEN:2`]);
    expect(world.evidenceAt.filter((e) => e.ticketId === ticketId).map((e) => e.at)).toEqual([
      rebooked.appointment!.missedAt,
    ]);
  });

  it('records the evidence a command returns, then runs to CLOSED', async () => {
    const { ticketId, handle } = await assigned(60);
    await env.sleep(90 * MIN); // past the window's end, before the missed instant
    const onSite = await send(handle, { type: 'CHECK_IN', actor: 'engineer:E1' });
    expect(onSite.state).toBe('ON_SITE');
    expect(licenceOf(ticketId).map((e) => e.code)).toEqual(['LATE_ARRIVAL']);
    const report = { workFinishedAt: iso(await now()), checklist: ['DIAGNOSE'] };
    await send(handle, { type: 'COMPLETE', report, actor: 'engineer:E1' });
    expect(licenceOf(ticketId).map((e) => [e.code, e.engineerId, e.evidenceKey])).toEqual([
      ['LATE_ARRIVAL', 'E1', `ticket:${ticketId}:LATE_ARRIVAL:1`],
      ['NON_STANDARD_SERVICE', 'E1', `ticket:${ticketId}:NON_STANDARD_SERVICE`],
    ]);
    await send(handle, { type: 'CALLBACK_ATTEMPT', answer: 'SATISFIED', actor: 'agent:a1' });
    await send(handle, { type: 'QUALITY_CHECK', actor: 'operator:o1' });
    const final = await handle.result();
    expect(final.state).toBe('CLOSED');
    expect(world.evidenceAt.filter((e) => e.ticketId === ticketId)).toEqual([]);
  });

  it('assigns only an engineer the certification service allows, judged on the appointment day', async () => {
    world.barred.set('E-revoked', 'the licence is REVOKED');
    world.jobsOn.set('E-busy', 3);
    const { ticketId, handle } = await newTicket([{ centreId: 'C1', grade: 'A' }]);
    await offeredTo(handle, 'C1');
    await send(handle, { type: 'ACCEPT', actor });
    const at = await now();
    const booked = await send(handle, {
      type: 'BOOK',
      window: { from: iso(at + 20 * 60 * MIN), to: iso(at + 22 * 60 * MIN) },
      actor,
    });
    const asked = world.mayTakeJob.length;
    const refused = await updateFailure(send(handle, { type: 'ASSIGN', engineerId: 'E-revoked', actor }));
    expect(refused.type).toBe('BAD_USER_INPUT');
    expect(refused.message).toBe('engineerId: E-revoked may not take this job: the licence is REVOKED');
    expect(refused.details).toEqual([
      {
        state: 'BOOKED',
        version: booked.version,
        violations: [{ field: 'engineerId', message: 'the licence is REVOKED' }],
      },
    ]);
    expect(commandsOf(ticketId).map((c) => c.type)).toEqual(['DISPATCH', 'ACCEPT', 'BOOK']);
    expect(await send(handle, { type: 'ASSIGN', engineerId: 'E-busy', actor }, 'req-assign-busy')).toMatchObject({
      state: 'ASSIGNED',
      engineerId: 'E-busy',
    });
    expect(world.mayTakeJob.slice(asked)).toEqual([
      { engineerId: 'E-revoked', productLine: 'AIR_CONDITIONER', at: booked.appointment!.to, jobsToday: 0 },
      { engineerId: 'E-busy', productLine: 'AIR_CONDITIONER', at: booked.appointment!.to, jobsToday: 3 },
    ]);
    // Neither a retry nor the same engineer again is asked twice: the job would count against itself.
    await send(handle, { type: 'ASSIGN', engineerId: 'E-busy', actor }, 'req-assign-busy');
    await send(handle, { type: 'ASSIGN', engineerId: 'E-busy', actor });
    expect(world.mayTakeJob).toHaveLength(asked + 2);
    expect((await updateFailure(send(handle, { type: 'ASSIGN', engineerId: ' ', actor }))).type).toBe('BAD_USER_INPUT');
  });

  it('rejects a command the state never allows without calling the tickets service', async () => {
    const { ticketId, handle } = await newTicket([{ centreId: 'C1', grade: 'A' }]);
    const offered = await offeredTo(handle, 'C1');
    const before = commandsOf(ticketId).length;
    const illegal = await updateFailure(send(handle, { type: 'CHECK_IN', actor: 'engineer:E1' }));
    expect(illegal.type).toBe('INVALID_TRANSITION');
    expect(illegal.message).toBe('cannot CHECK_IN a ticket that is OFFERED (allowed when ASSIGNED)');
    expect((await updateFailure(send(handle, { type: 'ACCEPT_TIMEOUT', actor: 'partner:C1' }))).type).toBe(
      'INVALID_TRANSITION',
    );
    expect((await updateFailure(send(handle, { type: 'NOPE', actor } as unknown as TicketCommandInput))).type).toBe(
      'BAD_USER_INPUT',
    );
    expect((await updateFailure(send(handle, { type: 'ACCEPT', actor }, ''))).type).toBe('BAD_USER_INPUT');
    expect((await updateFailure(send(handle, { type: 'ACCEPT', actor }, randomUUID(), offered.version - 1))).type).toBe(
      'CONFLICT',
    );
    expect(commandsOf(ticketId)).toHaveLength(before);
    // Rejected in validation: nothing of them entered the history.
    const { events } = await handle.fetchHistory();
    expect((events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toEqual([]);
  });

  it("hands the tickets service's refusal to the caller with its type, and keeps running", async () => {
    const { ticketId, handle } = await newTicket([{ centreId: 'C1', grade: 'A' }]);
    const offered = await offeredTo(handle, 'C1');
    const blank = await updateFailure(send(handle, { type: 'REFUSE', reason: '  ', actor: 'partner:C1' }));
    expect(blank.type).toBe('BAD_USER_INPUT');
    expect(blank.message).toBe('reason: must not be blank');
    expect(blank.details).toEqual([{ ticketId, state: 'OFFERED', version: offered.version }]);
    const stale = await updateFailure(
      send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, randomUUID(), offered.version + 5),
    );
    expect(stale.type).toBe('CONFLICT');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await summary(handle)).version).toBe(offered.version);
    expect((await send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, randomUUID(), offered.version)).state).toBe(
      'ACCEPTED',
    );
    expect(commandsOf(ticketId).map((c) => c.type)).toEqual(['DISPATCH', 'REFUSE', 'ACCEPT', 'ACCEPT']);
  });

  it('ends when the ticket is cancelled, with the final summary', async () => {
    const { handle } = await newTicket([{ centreId: 'C1', grade: 'A' }]);
    await offeredTo(handle, 'C1');
    await send(handle, { type: 'CANCEL', reason: 'customer fixed it', actor: 'agent:a1' });
    const final = await handle.result();
    expect(final.state).toBe('CANCELLED');
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('takes a command sent on a version its own command in flight has already written', async () => {
    // The tickets service writes the ticket (and the partner's feed) before the workflow hears back;
    // a partner who saw OFFERED v2 in that moment must not be refused because the workflow still holds RECEIVED.
    const ticketId = `T-${randomUUID().slice(0, 8)}`;
    let open!: () => void;
    world.gates.set(`${ticketId}:DISPATCH`, new Promise<void>((r) => (open = r)));
    const { handle } = await newTicket([{ centreId: 'C1', grade: 'A' }], { ticketId });
    const written = await eventually(
      () => world.tickets.get(ticketId)!,
      (t) => t.state === 'OFFERED',
    );
    expect(written.version).toBe(2);
    let settled = false;
    const accept = send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, randomUUID(), 2).finally(
      () => (settled = true),
    );
    accept.catch(() => undefined);
    // The update is either refused at once (the bug) or accepted into the history to wait for the dispatch.
    await eventually(
      async () =>
        settled ||
        ((await handle.fetchHistory()).events ?? []).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes),
      Boolean,
    );
    open();
    expect(await accept).toMatchObject({ state: 'ACCEPTED', version: 3, centreId: 'C1' });
    expect(commandsOf(ticketId).map((c) => c.type)).toEqual(['DISPATCH', 'ACCEPT']);
  });

  it('answers a retried request with its first outcome and applies it once', async () => {
    const { ticketId, handle } = await newTicket([{ centreId: 'C1', grade: 'A' }]);
    await offeredTo(handle, 'C1');
    const first = await send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, 'req-accept-1');
    expect(await send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, 'req-accept-1')).toEqual(first);
    const at = await now();
    const booked = await send(handle, {
      type: 'BOOK',
      window: { from: iso(at + 60 * MIN), to: iso(at + 180 * MIN) },
      actor: 'partner:C1',
    });
    // Still the first outcome after the ticket moved on, and the summary stays the newest.
    expect(await send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, 'req-accept-1')).toEqual(first);
    expect(await summary(handle)).toEqual(booked);
    const accepts = commandsOf(ticketId).filter((c) => c.commandId === 'req-accept-1');
    expect(accepts.map((c) => c.replay)).toEqual([false, true, true]);
  });

  it('re-dispatches a job its centre lost (recall), skipping the centre', async () => {
    const { ticketId, handle } = await newTicket([
      { centreId: 'C1', grade: 'A' },
      { centreId: 'C2', grade: 'B' },
    ]);
    await offeredTo(handle, 'C1');
    await send(handle, { type: 'ACCEPT', actor: 'partner:C1' });
    await send(handle, { type: 'RECALL', reason: 'centre suspended', actor: 'system:network' });
    await offeredTo(handle, 'C2');
    expect(commandsOf(ticketId).map((c) => c.type)).toEqual(['DISPATCH', 'ACCEPT', 'RECALL', 'DISPATCH']);
  });

  it('continues as new when its history grows, carrying the ticket and its clocks', async () => {
    const { ticketId, handle } = await newTicket([{ centreId: 'C1', grade: 'A' }], { historyLimit: 30 });
    // Its own dispatch (five activities) takes the first run past 30 events: it hands over at once.
    await eventually(
      () => handle.describe(),
      (d) => d.runId !== handle.firstExecutionRunId,
    );
    // Every call below waits for a quiet run first: the time-skipping test server can lose a query
    // or update that reaches a run while it continues as new, and then hangs.
    const calmly = async <T>(call: () => Promise<T>): Promise<T> => (await quiet(ticketId), call());
    expect(ticketOf(ticketId)).toMatchObject({ state: 'OFFERED', centreId: 'C1' });
    await calmly(() => send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, 'req-can-accept'));
    const at = await now();
    await calmly(() =>
      send(handle, {
        type: 'BOOK',
        window: { from: iso(at + 60 * MIN), to: iso(at + 180 * MIN) },
        actor: 'partner:C1',
      }),
    );
    await calmly(() =>
      send(handle, {
        type: 'BOOK',
        window: { from: iso(at + 70 * MIN), to: iso(at + 190 * MIN) },
        actor: 'partner:C1',
      }),
    );
    const s = await calmly(() => send(handle, { type: 'ASSIGN', engineerId: 'E1', actor: 'partner:C1' }));
    // The four commands (11+ events each) took the second run past 30 too: it handed over again.
    expect((await calmly(() => runsOf(ticketId))).length).toBeGreaterThanOrEqual(3);
    // The latest run knows the ticket, the requests answered before it and the appointment clock.
    expect(await calmly(() => summary(handle))).toEqual(s);
    expect(await calmly(() => send(handle, { type: 'ACCEPT', actor: 'partner:C1' }, 'req-can-accept'))).toMatchObject({
      state: 'ACCEPTED',
    });
    await calmly(async () => env.sleep(Date.parse(s.appointment!.missedAt) - (await now()) + MIN));
    await eventually(
      () => licenceOf(ticketId),
      (l) => l.length === 1,
    );
    expect(licenceOf(ticketId)[0]).toMatchObject({
      code: 'PROMISE_BROKEN',
      evidenceKey: `ticket:${ticketId}:PROMISE_BROKEN:2`,
    });
    await calmly(() => send(handle, { type: 'CANCEL', reason: 'customer moved', actor }));
    expect((await handle.result()).state).toBe('CANCELLED');
  });

  it('replays its own history deterministically', async () => {
    const { handle } = await newTicket([
      { centreId: 'C1', grade: 'A' },
      { centreId: 'C2', grade: 'A' },
    ]);
    await offeredTo(handle, 'C1');
    await env.sleep((clocks.acceptMinutes + 1) * MIN);
    await offeredTo(handle, 'C2');
    await send(handle, { type: 'ACCEPT', actor: 'partner:C2' });
    await send(handle, { type: 'CANCEL', reason: 'duplicate request', actor });
    await handle.result();
    await Worker.runReplayHistory({ workflowBundle: bundle }, await handle.fetchHistory(), handle.workflowId);
  });
});
