import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import type { PublishedStandardRef, StandardsActivities } from '@starline/common';
import { toolPaths } from '../../infra/src/tools.ts';
import { workflowsPath } from '../src/worker.ts';
import { publishStandardAtEffectiveDate } from '../src/workflows.ts';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPaths().temporalTestServer } },
  });
  bundle = await bundleWorkflowCode({ workflowsPath });
});

afterAll(async () => {
  await env?.teardown();
});

/** A stand-in for the standards service's activity: records each call. */
function standardsStub() {
  const calls: { versionId: string; publishedBy: string; at: number }[] = [];
  const activities: Pick<StandardsActivities, 'publishScheduledVersion'> = {
    async publishScheduledVersion(input) {
      calls.push({ ...input, at: Date.now() });
      const ref: PublishedStandardRef = {
        id: input.versionId,
        number: 2,
        status: 'PUBLISHED',
        effectiveFrom: null,
        publishedAt: new Date().toISOString(),
      };
      return ref;
    },
  };
  return { calls, activities };
}

/** The durations of the timers a workflow started, in ms. */
async function timersOf(handle: WorkflowHandle): Promise<number[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? [])
    .map((e) => e.timerStartedEventAttributes?.startToFireTimeout)
    .filter((t) => t != null)
    .map((t) => Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6));
}

async function withWorkers<T>(activities: object, run: () => Promise<T>): Promise<T> {
  const workflows = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'workflows',
    workflowBundle: bundle,
  });
  const standards = await Worker.create({ connection: env.nativeConnection, taskQueue: 'standards', activities });
  return standards.runUntil(workflows.runUntil(run));
}

describe('publishStandardAtEffectiveDate', () => {
  it('publishes through the standards queue only once the effective instant has passed', async () => {
    const stub = standardsStub();
    const start = await env.currentTimeMs();
    const effectiveFrom = new Date(start + 30 * 24 * 3600_000).toISOString();
    const result = await withWorkers(stub.activities, async () => {
      const handle = await env.client.workflow.start(publishStandardAtEffectiveDate, {
        taskQueue: 'workflows',
        workflowId: 'standard-publication-v2',
        args: [{ versionId: 'v2', effectiveFrom, requestedBy: 'admin-1' }],
      });
      return { result: await handle.result(), timers: await timersOf(handle) };
    });
    expect(result.result.status).toBe('PUBLISHED');
    expect(result.timers).toHaveLength(1);
    expect(result.timers[0]).toBeGreaterThan(30 * 24 * 3600_000 - 60_000);
    expect(result.timers[0]).toBeLessThanOrEqual(30 * 24 * 3600_000);
    expect(stub.calls).toHaveLength(1);
    expect(stub.calls[0]).toMatchObject({ versionId: 'v2', publishedBy: 'admin-1' });
    // The time-skipping clock moved at least 30 days before the activity ran.
    expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(Date.parse(effectiveFrom));
  });

  it('publishes at once when the effective instant is already past', async () => {
    const stub = standardsStub();
    const before = await env.currentTimeMs();
    const timers = await withWorkers(stub.activities, async () => {
      const handle = await env.client.workflow.start(publishStandardAtEffectiveDate, {
        taskQueue: 'workflows',
        workflowId: 'standard-publication-v3',
        args: [{ versionId: 'v3', effectiveFrom: new Date(before - 1000).toISOString(), requestedBy: 'admin-1' }],
      });
      await handle.result();
      return timersOf(handle);
    });
    expect(stub.calls).toHaveLength(1);
    expect(timers).toEqual([]);
  });

  it('does not publish when cancelled before the effective instant', async () => {
    const stub = standardsStub();
    const start = await env.currentTimeMs();
    const outcome = await withWorkers(stub.activities, async () => {
      const handle = await env.client.workflow.start(publishStandardAtEffectiveDate, {
        taskQueue: 'workflows',
        workflowId: 'standard-publication-v4',
        args: [
          { versionId: 'v4', effectiveFrom: new Date(start + 7 * 24 * 3600_000).toISOString(), requestedBy: 'admin-1' },
        ],
      });
      await handle.cancel();
      return handle.result().catch((e: unknown) => e);
    });
    expect(outcome).toBeInstanceOf(WorkflowFailedError);
    expect(stub.calls).toHaveLength(0);
  });

  it('retries the publication when the standards service fails for a while', async () => {
    let failures = 2;
    const calls: string[] = [];
    const flaky: Pick<StandardsActivities, 'publishScheduledVersion'> = {
      async publishScheduledVersion(input) {
        calls.push(input.versionId);
        if (failures-- > 0) throw new Error('database unreachable');
        return { id: input.versionId, number: 5, status: 'PUBLISHED', effectiveFrom: null, publishedAt: null };
      },
    };
    const result = await withWorkers(flaky, () =>
      env.client.workflow.execute(publishStandardAtEffectiveDate, {
        taskQueue: 'workflows',
        workflowId: 'standard-publication-v5',
        args: [{ versionId: 'v5', effectiveFrom: new Date(0).toISOString(), requestedBy: 'admin-1' }],
      }),
    );
    expect(result.status).toBe('PUBLISHED');
    expect(calls).toEqual(['v5', 'v5', 'v5']);
  });
});
