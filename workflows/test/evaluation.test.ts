import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CertificationActivities, EvaluationPolicyInput, NetworkActivities, StandardsActivities, TicketsActivities } from '@starline/common';
import { toolPaths } from '../../infra/src/tools.ts';
import { workflowsPath } from '../src/worker.ts';
import { monthBefore, monthLastInstant, type MonthlyEvaluationResult } from '../src/evaluation.ts';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  bundle = await bundleWorkflowCode({ workflowsPath });
});
// A test server each: one test's skipped time and task queues never reach the next.
beforeEach(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: toolPaths().temporalTestServer } } });
});
afterEach(async () => env?.teardown());

const DAY = 86_400_000;
const policy = { standardVersionId: 'standard-9', reviewWindowDays: 3 } as EvaluationPolicyInput;
const CENTRES = ['c1', 'c2', 'c3', 'c4', 'c5'];

/**
 * The four services as stand-ins: centres come two to a page; each call is recorded with the test
 * server's clock, so the review window can be checked in skipped time. `openDisputes` is what the
 * network would count; confirming while one is open is refused as the network refuses it.
 */
function services(opts: { confirmed?: boolean; failStoreOnce?: string } = {}) {
  const calls: { name: string; arg?: unknown; at: number }[] = [];
  const state = { openDisputes: 0, confirmedBy: null as string | null, failed: false };
  const note = async (name: string, arg?: unknown) => void calls.push({ name, arg, at: await env.currentTimeMs() });
  const standards: Pick<StandardsActivities, 'evaluationPolicyAt'> = {
    evaluationPolicyAt: async ({ at }) => (await note('policy', at), { ...policy, validUntil: null }),
  };
  const network: Partial<NetworkActivities> = {
    beginEvaluationRun: async ({ run, requestedBy }) => (await note('begin', { run, requestedBy }), { state: opts.confirmed ? 'CONFIRMED' : 'RUNNING', total: CENTRES.length }),
    evaluationCentres: async ({ after }) => {
      const from = after ? CENTRES.indexOf(after) + 1 : 0;
      const page = CENTRES.slice(from, from + 2);
      const nextCursor = from + 2 < CENTRES.length ? page[page.length - 1]! : null;
      return { centres: page.map((centreId) => ({ centreId, code: centreId.toUpperCase(), region: '310000', cGradesBefore: 0 })), nextCursor };
    },
    storeScorecards: async ({ run, centres, doneBefore }) => {
      const ids = centres.map((c) => c.centre.centreId);
      if (opts.failStoreOnce === ids[0] && !state.failed) {
        state.failed = true;
        throw new Error('network database unreachable');
      }
      await note('store', { run, ids, doneBefore, facts: centres.map((c) => [c.tickets.centreId, c.credits.centreId]) });
      return { stored: ids.length };
    },
    finishEvaluationRun: async ({ run }) => (await note('finish', run), { computedAt: new Date(await env.currentTimeMs()).toISOString(), gradeCounts: { A: 1, B: 2, C: 1, ungraded: 1 } }),
    openDisputes: async () => state.openDisputes,
    confirmEvaluation: async ({ confirmedBy }) => {
      if (state.openDisputes > 0) throw ApplicationFailure.nonRetryable('a dispute is open', 'CONFLICT');
      state.confirmedBy ??= confirmedBy;
      await note('confirm', confirmedBy);
      return { confirmedAt: new Date(await env.currentTimeMs()).toISOString(), confirmedBy: state.confirmedBy };
    },
    applyEvaluationBatch: async ({ after }) => (await note('apply', after), after ? { eliminated: [], nextCursor: null } : { eliminated: ['c3'], nextCursor: 'c3' }),
    completeEvaluation: async () => (await note('complete'), { state: 'CONFIRMED' }),
  };
  const tickets: Pick<TicketsActivities, 'centreMonthFacts' | 'recallCentreJobs'> = {
    centreMonthFacts: async ({ centreIds, asOf }) => (await note('facts', asOf), centreIds.map((centreId) => ({ centreId, counters: {} as never, leftover: 0 }))),
    recallCentreJobs: async ({ centreId, evidence }) => (await note('recall', { centreId, evidence }), { recalled: 2 }),
  };
  const certification: Pick<CertificationActivities, 'centreMonthCredits'> = {
    centreMonthCredits: async ({ centreIds }) => centreIds.map((centreId) => ({ centreId, qualityInfoAdopted: 0, serviceInnovation: 0 })),
  };
  const names = () => calls.map((c) => c.name);
  const of = (name: string) => calls.filter((c) => c.name === name);
  return { standards, network, tickets, certification, calls, state, names, of };
}

async function workers(stubs: ReturnType<typeof services>, sticky: boolean) {
  // An activity under way when its worker stops finishes and reports (else the test server waits out its timeout).
  const common = { connection: env.nativeConnection, shutdownGraceTime: '10 seconds' };
  return Promise.all([
    // Not sticky (no cached workflows): a worker that stops leaves no task the server waits to hand back to it.
    Worker.create({ ...common, taskQueue: 'workflows', workflowBundle: bundle, ...(sticky ? {} : { maxCachedWorkflows: 0 }) }),
    Worker.create({ ...common, taskQueue: 'standards', activities: stubs.standards }),
    Worker.create({ ...common, taskQueue: 'network', activities: stubs.network }),
    Worker.create({ ...common, taskQueue: 'tickets', activities: stubs.tickets }),
    Worker.create({ ...common, taskQueue: 'certification', activities: stubs.certification }),
  ]);
}

/** Runs `body` with all five workers up; they stop when it ends. */
async function withWorkers<T>(stubs: ReturnType<typeof services>, body: () => Promise<T>, sticky = true): Promise<T> {
  const ws = await workers(stubs, sticky);
  return ws.reduce<() => Promise<T>>((inner, w) => () => w.runUntil(inner()), body)();
}

const start = (workflowId: string, month = '2026-10') =>
  env.client.workflow.start('monthlyEvaluation', { taskQueue: 'workflows', workflowId, args: [{ month, requestedBy: 'operator-1' }] });

const updateError = async (p: Promise<unknown>) => {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
};

/** Waits (in real time, the test server's clock standing still) until the workflow's progress shows `phase`. */
async function phase(handle: Awaited<ReturnType<typeof start>>, want: string) {
  for (let i = 0; i < 200; i++) {
    const p = await handle.query<{ phase: string }>('progress').catch(() => null);
    if (p?.phase === want) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`workflow never reached ${want}`);
}

describe('month helpers of the workflow', () => {
  it('end a month at its last Shanghai millisecond and find the month before an instant in Shanghai', () => {
    expect(monthLastInstant('2026-10')).toBe('2026-10-31T15:59:59.999Z');
    expect(monthLastInstant('2026-12')).toBe('2026-12-31T15:59:59.999Z');
    // 1 Nov 02:00 Shanghai is 31 Oct 18:00 UTC: the month before is October.
    expect(monthBefore(new Date('2026-10-31T18:00:00Z'))).toBe('2026-10');
    expect(monthBefore(new Date('2027-01-01T01:00:00Z'))).toBe('2026-12');
    expect(monthBefore(new Date('2026-12-31T15:59:59Z'))).toBe('2026-11');
  });
});

describe('monthlyEvaluation', () => {
  it('scores every centre once, waits out the review window, then confirms and applies the consequences once', async () => {
    const stubs = services();
    const result = await withWorkers(stubs, async () => (await start('evaluation-window')).result());
    expect(result).toEqual<MonthlyEvaluationResult>({ month: '2026-10', state: 'CONFIRMED', run: 1, confirmedBy: 'system:review-window', eliminated: ['c3'] });
    expect(stubs.of('policy').map((c) => c.arg)).toEqual(['2026-10-31T15:59:59.999Z']);
    expect(stubs.of('facts').map((c) => c.arg)).toEqual(['2026-10-31T15:59:59.999Z', '2026-10-31T15:59:59.999Z', '2026-10-31T15:59:59.999Z']);
    expect(stubs.of('store').map((c) => c.arg)).toEqual([
      { run: 1, ids: ['c1', 'c2'], doneBefore: 0, facts: [['c1', 'c1'], ['c2', 'c2']] },
      { run: 1, ids: ['c3', 'c4'], doneBefore: 2, facts: [['c3', 'c3'], ['c4', 'c4']] },
      { run: 1, ids: ['c5'], doneBefore: 4, facts: [['c5', 'c5']] },
    ]);
    expect(stubs.names()).toEqual(['policy', 'begin', 'facts', 'store', 'facts', 'store', 'facts', 'store', 'finish', 'confirm', 'apply', 'apply', 'recall', 'complete']);
    const [finished, confirmed] = [stubs.of('finish')[0]!.at, stubs.of('confirm')[0]!.at];
    expect(confirmed - finished).toBeGreaterThanOrEqual(3 * DAY);
    expect(confirmed - finished).toBeLessThan(3 * DAY + 60_000);
    expect(stubs.of('recall').map((c) => c.arg)).toEqual([{ centreId: 'c3', evidence: 'evaluation:2026-10' }]);
  });

  it('an open dispute keeps the window from confirming; an ADMIN’s confirm is refused until it is settled', async () => {
    const stubs = services();
    stubs.state.openDisputes = 1;
    const result = await withWorkers(stubs, async () => {
      const handle = await start('evaluation-disputed');
      await phase(handle, 'REVIEW');
      const refused = await updateError(handle.executeUpdate('confirm', { args: [{ confirmedBy: 'admin-1' }] }));
      expect(refused.type).toBe('CONFLICT');
      // Well past the review window: still waiting, because the dispute is open.
      await env.sleep(5 * DAY);
      expect(stubs.names()).not.toContain('confirm');
      expect((await handle.query<{ phase: string }>('progress')).phase).toBe('REVIEW');
      // The operator rejects the dispute; the network signals; the ended window confirms at once.
      stubs.state.openDisputes = 0;
      await handle.signal('disputesChanged');
      return handle.result();
    });
    expect(result).toMatchObject({ state: 'CONFIRMED', confirmedBy: 'system:review-window', run: 1 });
    expect(stubs.of('confirm')).toHaveLength(1);
  });

  it('an ADMIN confirms before the window ends', async () => {
    const stubs = services();
    await withWorkers(stubs, async () => {
      const handle = await start('evaluation-confirmed');
      await phase(handle, 'REVIEW');
      const answer = await handle.executeUpdate('confirm', { args: [{ confirmedBy: 'admin-1' }] });
      expect(answer).toMatchObject({ confirmedBy: 'admin-1' });
      const result = (await handle.result()) as MonthlyEvaluationResult;
      expect(result).toMatchObject({ confirmedBy: 'admin-1', run: 1 });
    });
    const finished = stubs.of('finish')[0]!.at;
    expect(stubs.of('confirm')[0]!.at - finished).toBeLessThan(DAY);
  });

  it('a re-run recomputes every centre as run 2 and restarts the review window', async () => {
    const stubs = services();
    const result = await withWorkers(stubs, async () => {
      const handle = await start('evaluation-rerun');
      await phase(handle, 'REVIEW');
      await env.sleep(2 * DAY);
      expect(await handle.executeUpdate('rerun', { args: [{ requestedBy: 'operator-2' }] })).toEqual({ run: 2 });
      return handle.result();
    });
    expect(result).toMatchObject({ run: 2, confirmedBy: 'system:review-window' });
    expect(stubs.of('begin').map((c) => c.arg)).toEqual([{ run: 1, requestedBy: 'operator-1' }, { run: 2, requestedBy: 'operator-2' }]);
    expect(stubs.of('store').map((c) => (c.arg as { run: number; ids: string[] }).ids.map((id) => `${(c.arg as { run: number }).run}:${id}`)).flat()).toEqual([
      '1:c1', '1:c2', '1:c3', '1:c4', '1:c5', '2:c1', '2:c2', '2:c3', '2:c4', '2:c5',
    ]);
    const [, secondFinish] = stubs.of('finish');
    expect(stubs.of('confirm')[0]!.at - secondFinish!.at).toBeGreaterThanOrEqual(3 * DAY);
  });

  it('resumes at the batch that failed and counts every centre once', async () => {
    const stubs = services({ failStoreOnce: 'c3' });
    await withWorkers(stubs, async () => (await start('evaluation-retry')).result());
    expect(stubs.of('store').map((c) => (c.arg as { ids: string[] }).ids)).toEqual([['c1', 'c2'], ['c3', 'c4'], ['c5']]);
  });

  it('survives losing its worker mid-run: a new worker carries on from the history, every centre stored once', async () => {
    const stubs = services();
    const handle = await withWorkers(stubs, async () => {
      const h = await start('evaluation-crash');
      for (let i = 0; i < 200 && stubs.of('store').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      return h;
    }, false);
    expect(stubs.of('store').length).toBeGreaterThanOrEqual(1);
    await withWorkers(stubs, () => handle.result(), false);
    expect(stubs.of('store').flatMap((c) => (c.arg as { ids: string[] }).ids)).toEqual(CENTRES);
    expect(stubs.of('complete')).toHaveLength(1);
  });

  it('a month already confirmed changes nothing when started again', async () => {
    const stubs = services({ confirmed: true });
    const result = await withWorkers(stubs, async () => (await start('evaluation-again')).result());
    expect(result).toEqual({ month: '2026-10', state: 'CONFIRMED', run: 1, confirmedBy: null, eliminated: [] });
    expect(stubs.names()).toEqual(['policy', 'begin']);
  });
});
