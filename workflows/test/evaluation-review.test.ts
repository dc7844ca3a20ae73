import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationFailure } from '@temporalio/activity';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startTemporal } from '../../infra/src/backends.ts';
import type { Managed } from '../../infra/src/processes.ts';
import type { MonthlyEvaluationResult } from '../src/evaluation.ts';
import { workflowsPath } from '../src/worker.ts';
import { CENTRES, DAY, evaluationServices } from './evaluation-services.ts';

/**
 * The review phase's Updates and signals (re-run, confirm, disputes), on the dev server in real time
 * with a review window of seconds: the time-skipping test server left Updates hanging now and then
 * on a loaded machine. The window itself, retries and a lost worker are tested there (evaluation.test.ts).
 */
let dir: string;
let temporal: { process: Managed; address: string };
let client: Client;
let connection: NativeConnection;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'starline-evaluation-'));
  temporal = await startTemporal({ dataDir: dir, logDir: path.join(dir, 'logs') });
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  connection = await NativeConnection.connect({ address: temporal.address });
  bundle = await bundleWorkflowCode({ workflowsPath });
}, 120_000);
afterAll(async () => {
  await connection?.close();
  await client?.connection.close();
  await temporal?.process.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SECOND = 1000;
type Stubs = ReturnType<typeof evaluationServices>;

/** Runs `body` with the workflow worker and the four services' stand-ins, each test on task queues of its own. */
async function withWorkers<T>(
  stubs: Stubs,
  body: (start: (id: string) => Promise<WorkflowHandle>) => Promise<T>,
): Promise<T> {
  const workers = await Promise.all([
    Worker.create({ connection, taskQueue: 'workflows', workflowBundle: bundle }),
    Worker.create({ connection, taskQueue: 'standards', activities: stubs.standards }),
    Worker.create({ connection, taskQueue: 'network', activities: stubs.network }),
    Worker.create({ connection, taskQueue: 'tickets', activities: stubs.tickets }),
    Worker.create({ connection, taskQueue: 'certification', activities: stubs.certification }),
  ]);
  const start = (workflowId: string) =>
    client.workflow.start('monthlyEvaluation', {
      taskQueue: 'workflows',
      workflowId,
      args: [{ month: '2026-10', requestedBy: 'operator-1' }],
    });
  return workers.reduce<() => Promise<T>>(
    (inner, w) => () => w.runUntil(inner()),
    () => body(start),
  )();
}

/** A review window of `seconds`, as a fraction of the standard's days. */
const windowOf = (seconds: number) => (seconds * SECOND) / DAY;
const services = (reviewSeconds: number) =>
  evaluationServices(async () => Date.now(), { reviewWindowDays: windowOf(reviewSeconds) });

async function phase(handle: WorkflowHandle, want: string) {
  for (let i = 0; i < 200; i++) {
    if ((await handle.query<{ phase: string }>('progress').catch(() => null))?.phase === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`workflow never reached ${want}`);
}

const updateError = async (p: Promise<unknown>) => {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
};

describe('monthlyEvaluation under review', () => {
  it('an open dispute keeps the window from confirming and an ADMIN’s confirm is refused; settled, the ended window confirms', async () => {
    const stubs = services(1);
    stubs.state.openDisputes = 1;
    const result = await withWorkers(stubs, async (start) => {
      const handle = await start(`evaluation-disputed-${Date.now()}`);
      await phase(handle, 'REVIEW');
      expect((await updateError(handle.executeUpdate('confirm', { args: [{ confirmedBy: 'admin-1' }] }))).type).toBe(
        'CONFLICT',
      );
      // Well past the one-second window: still under review, because the dispute is open.
      await new Promise((r) => setTimeout(r, 2.5 * SECOND));
      expect(stubs.names()).not.toContain('confirm');
      expect((await handle.query<{ phase: string }>('progress')).phase).toBe('REVIEW');
      // The operator rejects it; the network signals; the ended window confirms at once.
      stubs.state.openDisputes = 0;
      await handle.signal('disputesChanged');
      return handle.result() as Promise<MonthlyEvaluationResult>;
    });
    expect(result).toMatchObject({
      state: 'CONFIRMED',
      confirmedBy: 'system:review-window',
      run: 1,
      eliminated: ['c3'],
    });
    expect(stubs.of('confirm')).toHaveLength(1);
  });

  it('an ADMIN confirms before the window ends', async () => {
    const stubs = services(3600);
    await withWorkers(stubs, async (start) => {
      const handle = await start(`evaluation-confirmed-${Date.now()}`);
      await phase(handle, 'REVIEW');
      expect(await handle.executeUpdate('confirm', { args: [{ confirmedBy: 'admin-1' }] })).toMatchObject({
        confirmedBy: 'admin-1',
      });
      expect(await handle.result()).toMatchObject({ state: 'CONFIRMED', confirmedBy: 'admin-1', run: 1 });
    });
    expect(stubs.names().slice(-5)).toEqual(['confirm', 'apply', 'apply', 'recall', 'complete']);
  });

  it('a re-run recomputes every centre as run 2 and restarts the review window', async () => {
    const stubs = services(5);
    const result = await withWorkers(stubs, async (start) => {
      const handle = await start(`evaluation-rerun-${Date.now()}`);
      await phase(handle, 'REVIEW');
      expect(await handle.executeUpdate('rerun', { args: [{ requestedBy: 'operator-2' }] })).toEqual({ run: 2 });
      return handle.result() as Promise<MonthlyEvaluationResult>;
    });
    expect(result).toMatchObject({ run: 2, confirmedBy: 'system:review-window' });
    expect(stubs.of('begin').map((c) => c.arg)).toEqual([
      { run: 1, requestedBy: 'operator-1' },
      { run: 2, requestedBy: 'operator-2' },
    ]);
    expect(
      stubs
        .of('store')
        .flatMap((c) =>
          (c.arg as { run: number; ids: string[] }).ids.map((id) => `${(c.arg as { run: number }).run}:${id}`),
        ),
    ).toEqual([...CENTRES.map((c) => `1:${c}`), ...CENTRES.map((c) => `2:${c}`)]);
    // The window counts from the second run's results, not the first's.
    const [, second] = stubs.of('finish');
    expect(stubs.of('confirm')[0]!.at - second!.at).toBeGreaterThanOrEqual(5 * SECOND);
  });
});
