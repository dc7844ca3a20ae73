import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { toolPaths } from '../../infra/src/tools.ts';
import { workflowsPath } from '../src/worker.ts';
import { monthBefore, monthLastInstant, type MonthlyEvaluationResult } from '../src/evaluation.ts';
import { CENTRES, DAY, evaluationServices } from './evaluation-services.ts';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  bundle = await bundleWorkflowCode({ workflowsPath });
});
// A test server each: one test's skipped time and task queues never reach the next.
beforeEach(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPaths().temporalTestServer } },
  });
});
afterEach(async () => env?.teardown());

const services = (opts: Parameters<typeof evaluationServices>[1] = {}) =>
  evaluationServices(() => env.currentTimeMs(), opts);

async function workers(stubs: ReturnType<typeof services>, sticky: boolean) {
  // An activity under way when its worker stops finishes and reports (else the test server waits out its timeout).
  const common = { connection: env.nativeConnection, shutdownGraceTime: '10 seconds' };
  return Promise.all([
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
    Worker.create({ ...common, taskQueue: 'certification', activities: stubs.certification }),
  ]);
}

/** Runs `body` with all five workers up; they stop when it ends. */
async function withWorkers<T>(stubs: ReturnType<typeof services>, body: () => Promise<T>, sticky = true): Promise<T> {
  const ws = await workers(stubs, sticky);
  return ws.reduce<() => Promise<T>>((inner, w) => () => w.runUntil(inner()), body)();
}

const start = (workflowId: string, month = '2026-10') =>
  env.client.workflow.start('monthlyEvaluation', {
    taskQueue: 'workflows',
    workflowId,
    args: [{ month, requestedBy: 'operator-1' }],
  });

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
    expect(result).toEqual<MonthlyEvaluationResult>({
      month: '2026-10',
      state: 'CONFIRMED',
      run: 1,
      confirmedBy: 'system:review-window',
      eliminated: ['c3'],
    });
    expect(stubs.of('policy').map((c) => c.arg)).toEqual(['2026-10-31T15:59:59.999Z']);
    expect(stubs.of('facts').map((c) => c.arg)).toEqual([
      '2026-10-31T15:59:59.999Z',
      '2026-10-31T15:59:59.999Z',
      '2026-10-31T15:59:59.999Z',
    ]);
    expect(stubs.of('store').map((c) => c.arg)).toEqual([
      {
        run: 1,
        ids: ['c1', 'c2'],
        doneBefore: 0,
        facts: [
          ['c1', 'c1'],
          ['c2', 'c2'],
        ],
      },
      {
        run: 1,
        ids: ['c3', 'c4'],
        doneBefore: 2,
        facts: [
          ['c3', 'c3'],
          ['c4', 'c4'],
        ],
      },
      { run: 1, ids: ['c5'], doneBefore: 4, facts: [['c5', 'c5']] },
    ]);
    expect(stubs.names()).toEqual([
      'policy',
      'begin',
      'facts',
      'store',
      'facts',
      'store',
      'facts',
      'store',
      'finish',
      'confirm',
      'apply',
      'apply',
      'recall',
      'complete',
    ]);
    const [finished, confirmed] = [stubs.of('finish')[0]!.at, stubs.of('confirm')[0]!.at];
    expect(confirmed - finished).toBeGreaterThanOrEqual(3 * DAY);
    expect(confirmed - finished).toBeLessThan(3 * DAY + 60_000);
    expect(stubs.of('recall').map((c) => c.arg)).toEqual([{ centreId: 'c3', evidence: 'evaluation:2026-10' }]);
  });

  it('resumes at the batch that failed and counts every centre once', async () => {
    const stubs = services({ failStoreOnce: 'c3' });
    await withWorkers(stubs, async () => (await start('evaluation-retry')).result());
    expect(stubs.of('store').map((c) => (c.arg as { ids: string[] }).ids)).toEqual([
      ['c1', 'c2'],
      ['c3', 'c4'],
      ['c5'],
    ]);
  });

  it('survives losing its worker mid-run: a new worker carries on from the history, every centre stored once', async () => {
    const stubs = services();
    const handle = await withWorkers(
      stubs,
      async () => {
        const h = await start('evaluation-crash');
        for (let i = 0; i < 200 && stubs.of('store').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        return h;
      },
      false,
    );
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
