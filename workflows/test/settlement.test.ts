import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ActivityFailure,
  ApplicationFailure,
  Client,
  Connection,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { startTemporal } from '../../infra/src/backends.ts';
import type { Managed } from '../../infra/src/processes.ts';
import { toolPaths } from '../../infra/src/tools.ts';
import { SETTLEMENT_BATCH, SETTLEMENT_PAGE, type SettlementProgress } from '../src/settlement.ts';
import { workflowsPath } from '../src/worker.ts';
import {
  DAY,
  MINUTE,
  MONTH,
  STANDARD,
  centreIds,
  gate,
  settlementServices,
  type SettlementStubs,
} from './settlement-services.ts';

/**
 * monthlySettlement against in-memory stand-ins of the four services (settlement-services.ts): the
 * orchestration, not the rules. Waiting, building across continue-as-new, a lost worker and the due
 * date run on the time-skipping test server; the review's Updates (approve, rebuild) on the dev server
 * in real time, the time-skipping server having left Updates hanging now and then on a loaded machine
 * (as evaluation-review.test.ts).
 */
const STARTER = 'finance-1';
const finance = (sub: string) => ({ sub, roles: ['FINANCE'] });
/** More centres than one run builds (10 pages of SETTLEMENT_PAGE): the build continues as new. */
const MANY = 2_000;

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  bundle = await bundleWorkflowCode({ workflowsPath });
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await pause(20)) if (await ok()) return;
  throw new Error(`never: ${what}`);
}
const progressOf = (handle: WorkflowHandle) => handle.query<SettlementProgress>('progress');
const phase = (handle: WorkflowHandle, want: SettlementProgress['phase']) =>
  until(`phase ${want}`, async () => (await progressOf(handle).catch(() => null))?.phase === want);

/** Workers for the workflow and the four services' stand-ins; `body` runs while they are up. */
async function withWorkers<T>(
  connection: NativeConnection,
  stubs: SettlementStubs,
  body: () => Promise<T>,
  sticky = true,
): Promise<T> {
  // An activity under way when its worker stops finishes and reports (else the server waits out its timeout).
  const common = { connection, shutdownGraceTime: '10 seconds' };
  const workers = await Promise.all([
    // Not sticky (no cached workflows): a worker that stops leaves no task the server waits to hand back to it.
    Worker.create({
      ...common,
      taskQueue: 'workflows',
      workflowBundle: bundle,
      ...(sticky ? {} : { maxCachedWorkflows: 0 }),
    }),
    Worker.create({ ...common, taskQueue: 'standards', activities: stubs.standards }),
    Worker.create({ ...common, taskQueue: 'network', activities: stubs.network }),
    Worker.create({ ...common, taskQueue: 'tickets', activities: stubs.tickets }),
    Worker.create({ ...common, taskQueue: 'settlement', activities: stubs.settlement }),
  ]);
  return workers.reduce<() => Promise<T>>((inner, w) => () => w.runUntil(inner()), body)();
}

/** The runs of a workflow, first to last, following continue-as-new, with their history lengths. */
async function runsOf(client: Client, workflowId: string, firstRunId: string) {
  const runs: { runId: string; events: number }[] = [];
  for (let runId: string | null | undefined = firstRunId; runId;) {
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const events = history.events ?? [];
    runs.push({ runId, events: events.length });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return runs;
}

/** Every centre's jobs asked once, in batches (a page's batches are read side by side, so in any order). */
function expectJobsAskedOnce(stubs: SettlementStubs) {
  const batches = stubs.of('unsettledJobs').map((c) => c.arg as string[]);
  expect(batches).toHaveLength(Math.ceil(stubs.ids.length / SETTLEMENT_BATCH));
  expect(batches.flat().sort()).toEqual([...stubs.ids].sort());
}

/** Every centre built, each in one batch call, in order; its unsettled jobs asked once; the awards paged once through. */
function expectBuiltOnce(stubs: SettlementStubs) {
  const ids = stubs.ids;
  expect(stubs.of('buildStatements').flatMap((c) => c.arg as string[])).toEqual(ids);
  expectJobsAskedOnce(stubs);
  const cursors = [null, ...ids.filter((_, i) => (i + 1) % SETTLEMENT_PAGE === 0 && i + 1 < ids.length)];
  expect(stubs.of('evaluationAwards').map((c) => c.arg)).toEqual(
    cursors.map((after) => ({ after, limit: SETTLEMENT_PAGE })),
  );
  expect([...stubs.state.builds.values()].every((n) => n === 1)).toBe(true);
}

/** The build was finished after its last batch, and nothing was built after that. */
function expectFinishedAfterBuild(stubs: SettlementStubs) {
  const names = stubs.names();
  expect(names).toContain('finishBuild');
  expect(names.indexOf('finishBuild')).toBeGreaterThan(names.lastIndexOf('buildStatements'));
  expect(stubs.state.run?.state).toBe('IN_REVIEW');
  expect(stubs.state.statements.size).toBe(stubs.ids.length);
}

describe('monthlySettlement (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  // A test server each: one test's skipped time and task queues never reach the next.
  beforeEach(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: toolPaths().temporalTestServer } },
    });
  });
  afterEach(async () => env?.teardown());

  const services = (opts: Parameters<typeof settlementServices>[1] = {}) =>
    settlementServices(() => env.currentTimeMs(), opts);
  const run = <T>(stubs: SettlementStubs, body: () => Promise<T>, sticky = true) =>
    withWorkers(env.nativeConnection, stubs, body, sticky);
  const start = (workflowId: string) =>
    env.client.workflow.start('monthlySettlement', {
      taskQueue: 'workflows',
      workflowId,
      args: [{ month: MONTH, startedBy: STARTER }],
    });
  /**
   * Until the review's run is up and waiting for its approval or due date (a timer set after
   * finishBuild). Read from the history, not by query: a query that lands on a continue-as-new hangs on
   * the time-skipping server, so queries here are sent only while no run can be handing over.
   */
  const reviewing = (handle: WorkflowHandle) =>
    until('the review waiting for approval', async () => {
      const { runId } = await handle.describe();
      const events = (await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
      const finish = events.findIndex(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'finishBuild',
      );
      return finish >= 0 && events.slice(finish).some((e) => e.timerStartedEventAttributes);
    });

  it('waits while the evaluation is PROVISIONAL, looking again every 10 minutes, and builds once it is CONFIRMED', async () => {
    const stubs = services({ evaluation: 'PROVISIONAL', centres: 60 });
    let t0 = 0;
    await run(stubs, async () => {
      const handle = await start('settlement-wait');
      await phase(handle, 'WAITING_FOR_EVALUATION');
      await until('first look at the evaluation', () => stubs.of('evaluationOf').length === 1);
      t0 = stubs.of('evaluationOf')[0]!.at;
      stubs.state.confirmAt = t0 + 25 * MINUTE;
      await env.sleep(25 * MINUTE);
      expect(stubs.of('evaluationOf')).toHaveLength(3);
      expect(await progressOf(handle)).toEqual({ month: MONTH, phase: 'WAITING_FOR_EVALUATION', done: 0 });
      expect(stubs.names()).not.toContain('beginBuild');
      await env.sleep(10 * MINUTE);
      await reviewing(handle);
      expect(await progressOf(handle)).toEqual({ month: MONTH, phase: 'IN_REVIEW', done: 60 });
    });
    // Looked at 0, 10, 20 and 30 minutes; confirmed (at 25) by the fourth look.
    expect(stubs.of('evaluationOf').map((c) => Math.round((c.at - t0) / MINUTE))).toEqual([0, 10, 20, 30]);
    expect(stubs.names().slice(0, 7)).toEqual([
      'openSettlement',
      'evaluationOf',
      'evaluationOf',
      'evaluationOf',
      'evaluationOf',
      'settlementPolicyOf',
      'beginBuild',
    ]);
    expect(stubs.of('openSettlement').map((c) => c.arg)).toEqual([{ month: MONTH, startedBy: STARTER }]);
    expect(stubs.of('settlementPolicyOf').map((c) => c.arg)).toEqual([STANDARD]);
    expect(stubs.of('beginBuild').map((c) => c.arg)).toEqual([
      { month: MONTH, standardVersionId: STANDARD, total: 60 },
    ]);
    expectBuiltOnce(stubs);
    expectFinishedAfterBuild(stubs);
  });

  it('stops waiting at once when signalled that the evaluation was confirmed, and shows its progress while building', async () => {
    const stubs = services({ evaluation: 'PROVISIONAL', centres: 60 });
    const building = gate();
    stubs.state.buildGate = building.opened;
    await run(stubs, async () => {
      const handle = await start('settlement-signalled');
      await phase(handle, 'WAITING_FOR_EVALUATION');
      await until('first look at the evaluation', () => stubs.of('evaluationOf').length === 1);
      stubs.state.evaluation = 'CONFIRMED';
      await handle.signal('evaluationConfirmed');
      await phase(handle, 'BUILDING');
      expect(await progressOf(handle)).toEqual({ month: MONTH, phase: 'BUILDING', done: 0 });
      building.open();
      await reviewing(handle);
      expect(await progressOf(handle)).toEqual({ month: MONTH, phase: 'IN_REVIEW', done: 60 });
    });
    const [first, second] = stubs.of('evaluationOf');
    expect(stubs.of('evaluationOf')).toHaveLength(2);
    expect(second!.at - first!.at).toBeLessThan(10 * MINUTE);
    expect(stubs.of('settlementPolicyOf').map((c) => c.arg)).toEqual([STANDARD]);
    expectBuiltOnce(stubs);
    expectFinishedAfterBuild(stubs);
  });

  it(
    `builds ${MANY} centres in batches of ${SETTLEMENT_BATCH}, continuing as new to keep each run's history ` + `short`,
    async () => {
      const stubs = services({ centres: MANY });
      const handle = await run(stubs, async () => {
        const h = await start('settlement-many');
        await reviewing(h);
        expect(await progressOf(h)).toEqual({ month: MONTH, phase: 'IN_REVIEW', done: MANY });
        return h;
      });
      expectBuiltOnce(stubs);
      expectFinishedAfterBuild(stubs);
      expect(stubs.of('buildStatements').every((c) => (c.arg as string[]).length === SETTLEMENT_BATCH)).toBe(true);
      // 20 pages at 10 a run: the build's two runs, then the review's.
      const runs = await runsOf(env.client, 'settlement-many', handle.firstExecutionRunId);
      expect(runs.length).toBe(3);
      expect((await handle.describe()).runId).toBe(runs.at(-1)!.runId);
      expect(runs.at(-1)!.runId).not.toBe(handle.firstExecutionRunId);
      for (const r of runs) expect(r.events).toBeLessThan(1_000);
    },
  );

  it('survives losing its workflow worker mid-build and a batch failing after it was written: every centre built, each job claimed once', async () => {
    const stubs = services({ centres: MANY });
    const build = stubs.settlement.buildStatements;
    // The workflow worker is lost while the batch at centre 250 is being built ...
    const held = gate();
    const released = gate();
    // ... and, in the build's second run, the service stores the batch at centre 1,200, then fails before answering:
    // the retry builds it again.
    let failed = false;
    stubs.settlement.buildStatements = async (input) => {
      const first = input.centres[0]!.award.centreId;
      if (first === stubs.ids[250]) {
        held.open();
        await released.opened;
      }
      const answer = await build(input);
      if (!failed && first === stubs.ids[1_200]) {
        failed = true;
        throw new Error('settlement database connection reset');
      }
      return answer;
    };
    const common = { connection: env.nativeConnection, shutdownGraceTime: '10 seconds' };
    const activityWorkers = await Promise.all([
      Worker.create({ ...common, taskQueue: 'standards', activities: stubs.standards }),
      Worker.create({ ...common, taskQueue: 'network', activities: stubs.network }),
      Worker.create({ ...common, taskQueue: 'tickets', activities: stubs.tickets }),
      Worker.create({ ...common, taskQueue: 'settlement', activities: stubs.settlement }),
    ]);
    const activitiesRunning = Promise.all(activityWorkers.map((w) => w.run()));
    // The lost worker caches no workflow: the next task goes to the shared queue, not to its sticky one.
    const workflowWorker = (sticky: boolean) =>
      Worker.create({
        ...common,
        taskQueue: 'workflows',
        workflowBundle: bundle,
        ...(sticky ? {} : { maxCachedWorkflows: 0 }),
      });
    try {
      const lost = await workflowWorker(false);
      const lostRunning = lost.run();
      const handle = await start('settlement-crash');
      await held.opened;
      lost.shutdown();
      await lostRunning;
      const builtBeforeCrash = stubs.of('buildStatements').length;
      expect(builtBeforeCrash).toBe(10);
      released.open();
      const next = await workflowWorker(true);
      await next.runUntil(reviewing(handle));
      expect(await runsOf(env.client, 'settlement-crash', handle.firstExecutionRunId)).toHaveLength(3);
    } finally {
      released.open();
      for (const w of activityWorkers) w.shutdown();
      await activitiesRunning;
    }
    expect(failed).toBe(true);
    // Exactly the evaluation's centres, each with one statement; only the failed batch was built twice.
    expect([...stubs.state.builds.keys()].sort()).toEqual(stubs.ids);
    const twice = [...stubs.state.builds].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice).toEqual(stubs.ids.slice(1_200, 1_200 + SETTLEMENT_BATCH));
    expect([...stubs.state.builds.values()].every((n) => n <= 2)).toBe(true);
    // Each centre's jobs asked once, the awards paged through once: the new worker carried on from the history.
    expectJobsAskedOnce(stubs);
    expect(stubs.of('evaluationAwards')).toHaveLength(MANY / SETTLEMENT_PAGE);
    // Every job on one statement, its own centre's.
    const claimed = [...stubs.state.statements.values()].flatMap((s) =>
      s.ticketIds.map((t) => [t, s.centreId] as const),
    );
    expect(claimed.every(([t, centre]) => t.startsWith(`${centre}-`))).toBe(true);
    expect(new Set(claimed.map(([t]) => t)).size).toBe(claimed.length);
    expect(claimed).toHaveLength((MANY / 25) * 2);
    expectFinishedAfterBuild(stubs);
  });

  it('flags the run overdue once when the due date passes; an approval after that still completes it, reading payees 1,000 at a time', async () => {
    // Over 1,000 payable centres (kept off the dev server, where building them takes long).
    const stubs = services({ centres: 1_050, dueInMs: 3 * DAY });
    const result = await run(stubs, async () => {
      const handle = await start('settlement-overdue');
      await reviewing(handle);
      await env.sleep(2 * DAY);
      expect(stubs.names()).not.toContain('flagOverdue');
      await env.sleep(DAY + MINUTE);
      await until('flagged overdue', () => stubs.of('flagOverdue').length > 0);
      expect(stubs.state.run?.overdue).toBe(true);
      expect(await handle.executeUpdate('approve', { args: [finance('finance-2')] })).toMatchObject({
        sha256: 'f00d',
      });
      return handle.result();
    });
    expect(result).toEqual({ month: MONTH, state: 'APPROVED', approvedBy: 'finance-2' });
    expect(stubs.of('flagOverdue')).toHaveLength(1);
    const dueAt = Date.parse(stubs.state.run!.dueAt!);
    expect(stubs.of('flagOverdue')[0]!.at - dueAt).toBeGreaterThanOrEqual(0);
    expect(stubs.of('flagOverdue')[0]!.at - dueAt).toBeLessThan(MINUTE);
    expectPaid(stubs, ['finance-2']);
  });
});

/**
 * Each approval read the payable centres and their payees (1,000 a call); the last was approved; then
 * every statement's settled jobs were read 200 at a time and each statement with jobs took them off its
 * centre's list.
 */
function expectPaid(stubs: SettlementStubs, approvers: string[]) {
  const centres = stubs.state.statements.size;
  const pages = Array.from({ length: Math.ceil(centres / 1_000) }, (_, i) => Math.min(1_000, centres - i * 1_000));
  expect(stubs.of('payableCentres')).toHaveLength(approvers.length);
  expect(stubs.of('payeesOf').map((c) => c.arg)).toEqual(approvers.flatMap(() => pages));
  expect(stubs.of('approveSettlement').map((c) => c.arg)).toEqual(approvers.map((sub) => ({ sub, payees: centres })));
  expect(stubs.state.run).toMatchObject({ state: 'APPROVED', approvedBy: approvers.at(-1) });
  const statementIds = [...stubs.state.statements.values()].map((s) => s.id).sort();
  expect(stubs.of('settledJobs').map((c) => c.arg)).toEqual(
    [null, ...statementIds.filter((_, i) => (i + 1) % 200 === 0 && i + 1 < statementIds.length)].map((after) => ({
      after,
      limit: 200,
    })),
  );
  const withJobs = [...stubs.state.statements.values()]
    .filter((s) => s.ticketIds.length > 0)
    .sort((a, b) => a.id.localeCompare(b.id));
  expect(withJobs.length).toBeGreaterThan(0);
  expect(stubs.of('jobsSettled').map((c) => c.arg)).toEqual(
    withJobs.map((s) => ({ centreId: s.centreId, ticketIds: s.ticketIds, statementId: s.id })),
  );
  expect([...stubs.state.unsettled.values()].every((jobs) => jobs.length === 0)).toBe(true);
  expect(stubs.names().indexOf('settledJobs')).toBeGreaterThan(stubs.names().lastIndexOf('approveSettlement'));
}

describe('monthlySettlement under review (dev server)', () => {
  let dir: string;
  let temporal: { process: Managed; address: string };
  let client: Client;
  let connection: NativeConnection;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'starline-settlement-'));
    temporal = await startTemporal({ dataDir: dir, logDir: path.join(dir, 'logs') });
    client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    connection = await NativeConnection.connect({ address: temporal.address });
  }, 120_000);
  afterAll(async () => {
    await connection?.close();
    await client?.connection.close();
    await temporal?.process.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const services = (opts: Parameters<typeof settlementServices>[1] = {}) =>
    settlementServices(async () => Date.now(), opts);
  /**
   * Each test its own month's workflow; one left open is terminated, so no timer of it reaches the
   * next test's stand-ins (the activities' task queues are the same for all).
   */
  async function review<T>(stubs: SettlementStubs, body: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    return withWorkers(connection, stubs, async () => {
      const handle = await client.workflow.start('monthlySettlement', {
        taskQueue: 'workflows',
        workflowId: `settlement-${MONTH}-${Date.now()}`,
        args: [{ month: MONTH, startedBy: STARTER }],
      });
      try {
        return await body(handle);
      } finally {
        await handle.terminate('test over').catch(() => undefined);
      }
    });
  }
  const approve = (handle: WorkflowHandle, approver: { sub: string; roles: string[] }) =>
    handle.executeUpdate<{ approvedAt: string; sha256: string }, [typeof approver]>('approve', { args: [approver] });
  const rebuild = (handle: WorkflowHandle, centreId: string, by = 'finance-2') =>
    handle.executeUpdate<{ version: number }, [{ statementId: string; centreId: string; by: string }]>('rebuild', {
      args: [{ statementId: `${MONTH}:${centreId}`, centreId, by }],
    });
  /**
   * The failure an Update ended with: its validator's refusal, or the handler's (an activity's refusal as its cause).
   */
  const refusal = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (error as WorkflowUpdateFailedError).cause;
    return (cause instanceof ActivityFailure ? cause.cause : cause) as ApplicationFailure;
  };

  it('refuses approval and rebuilding (CONFLICT) while waiting for the evaluation and while building', async () => {
    const stubs = services({ evaluation: 'PROVISIONAL' });
    const building = gate();
    stubs.state.buildGate = building.opened;
    await review(stubs, async (handle) => {
      await phase(handle, 'WAITING_FOR_EVALUATION');
      expect((await refusal(approve(handle, finance('finance-2')))).type).toBe('CONFLICT');
      expect((await refusal(rebuild(handle, stubs.ids[0]!))).type).toBe('CONFLICT');
      stubs.state.evaluation = 'CONFIRMED';
      await handle.signal('evaluationConfirmed');
      await phase(handle, 'BUILDING');
      expect((await refusal(approve(handle, finance('finance-2')))).type).toBe('CONFLICT');
      expect((await refusal(rebuild(handle, stubs.ids[0]!))).type).toBe('CONFLICT');
      building.open();
      await phase(handle, 'IN_REVIEW');
    });
    expect(stubs.names()).not.toContain('payableCentres');
    expect(stubs.names()).not.toContain('rebuildStatement');
    expect(stubs.of('unsettledJobs').flatMap((c) => c.arg as string[])).toEqual(stubs.ids);
  });

  it('four eyes: refuses the starter, a non-FINANCE user and an adjuster; a statement is rebuilt; the service’s refusal fails the approval and the review goes on; another FINANCE user approves', async () => {
    const stubs = services({ centres: 60 });
    const building = gate();
    stubs.state.buildGate = building.opened;
    const settling = gate();
    stubs.state.settleGate = settling.opened;
    const result = await review(stubs, async (handle) => {
      // An adjustment's author signalled to the build's run is still known to the review's, which it continued as new
      // into
      // (as one signalled just as the build finished, before the hand-over, must be).
      await phase(handle, 'BUILDING');
      await handle.signal('adjusted', { by: 'finance-3' });
      building.open();
      await phase(handle, 'IN_REVIEW');
      await handle.signal('adjusted', { by: 'finance-5' });

      const refused = async (approver: { sub: string; roles: string[] }) => {
        const failure = await refusal(approve(handle, approver));
        expect(failure.type).toBe('FORBIDDEN');
        return failure.message;
      };
      expect(await refused(finance(STARTER))).toMatch(/started this settlement/);
      expect(await refused({ sub: 'operator-1', roles: ['OPERATOR', 'ADMIN'] })).toMatch(/only FINANCE/);
      expect(await refused(finance('finance-3'))).toMatch(/adjusted statements/);
      expect(await refused(finance('finance-5'))).toMatch(/adjusted statements/);
      expect(stubs.names()).not.toContain('payableCentres');

      // The centre's jobs changed since the build: the statement is rebuilt from them as they are now.
      const centre = stubs.ids[1]!;
      const late = { ...stubs.state.unsettled.get(stubs.ids[0]!)![0]!, ticketId: `${centre}-late`, number: 'N-late' };
      stubs.state.unsettled.set(centre, [late]);
      const asked = stubs.of('unsettledJobs').length;
      expect(await rebuild(handle, centre, 'finance-3')).toEqual({ version: 2 });
      expect(
        stubs
          .of('unsettledJobs')
          .slice(asked)
          .map((c) => c.arg),
      ).toEqual([[centre]]);
      expect(stubs.of('rebuildStatement').map((c) => c.arg)).toEqual([
        { statementId: `${MONTH}:${centre}`, ticketIds: [`${centre}-late`], by: 'finance-3' },
      ]);

      // The service refuses (it knows of an adjustment the workflow was never told of): the Update fails, the review
      // goes on.
      stubs.state.refuseApprovals = 1;
      const failure = await refusal(approve(handle, finance('finance-2')));
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe('FORBIDDEN');
      expect((await progressOf(handle)).phase).toBe('IN_REVIEW');
      expect(stubs.state.run?.state).toBe('IN_REVIEW');

      expect(await approve(handle, finance('finance-4'))).toMatchObject({ sha256: 'f00d' });
      // Approved, still taking the paid jobs off the centres' lists: nothing more is approved or rebuilt.
      await phase(handle, 'APPROVED');
      expect((await refusal(approve(handle, finance('finance-6')))).type).toBe('INVALID_TRANSITION');
      expect((await refusal(rebuild(handle, centre))).type).toBe('INVALID_TRANSITION');
      settling.open();
      return handle.result();
    });
    expect(result).toEqual({ month: MONTH, state: 'APPROVED', approvedBy: 'finance-4' });

    expectPaid(stubs, ['finance-2', 'finance-4']);
    // The rebuilt statement's new job among those taken off its centre's list.
    expect(stubs.of('jobsSettled').map((c) => c.arg)).toContainEqual({
      centreId: stubs.ids[1],
      ticketIds: [`${stubs.ids[1]}-late`],
      statementId: `${MONTH}:${stubs.ids[1]}`,
    });
    // Approved long before it was due.
    expect(stubs.names()).not.toContain('flagOverdue');
  });
});

// The ids the stand-ins give centres sort as numbered (cursors rely on it).
it('centre ids sort as numbered', () => {
  const ids = centreIds(1_050);
  expect([...ids].sort()).toEqual(ids);
});
