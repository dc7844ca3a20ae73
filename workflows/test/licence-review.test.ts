import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type {
  AnnualReviewResult,
  CertificationActivities,
  LicencePolicyInput,
  StandardsActivities,
} from '@starline/common';
import { toolPaths } from '../../infra/src/tools.ts';
import { workflowsPath } from '../src/worker.ts';
import { annualLicenceReview } from '../src/workflows.ts';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPaths().temporalTestServer } },
  });
  bundle = await bundleWorkflowCode({ workflowsPath });
});
afterAll(async () => env?.teardown());

const policy: LicencePolicyInput = {
  standardVersionId: 'standard-7',
  maxPoints: 12,
  warningAtOrBelow: 6,
  cycleMonths: 12,
  warningDailyCapPercent: 50,
  usualDailyJobs: 8,
  productLines: ['AIR_CONDITIONER'],
  pointRules: [{ code: 'PROMISE_BROKEN', kind: 'VIOLATION', points: -3 }],
};

/** Stand-ins for the two services: three batches of licences, and a record of every call. */
function services(opts: { failOnceAt?: string } = {}) {
  const pages: Record<string, AnnualReviewResult> = {
    start: { processed: 200, rolled: 190, flagged: 2, nextCursor: 'c1' },
    c1: { processed: 200, rolled: 195, flagged: 1, nextCursor: 'c2' },
    c2: { processed: 37, rolled: 30, flagged: 0, nextCursor: null },
  };
  const calls: { after: string; cycleEnd: string; policyVersion: string | undefined }[] = [];
  let failed = false;
  const standards: Pick<StandardsActivities, 'licencePolicyAt'> = {
    licencePolicyAt: async () => ({ ...policy, validUntil: null }),
  };
  const certification: Pick<CertificationActivities, 'annualReview'> = {
    async annualReview(input) {
      const after = input.after ?? 'start';
      calls.push({ after, cycleEnd: input.cycleEnd, policyVersion: input.policy?.standardVersionId });
      if (after === opts.failOnceAt && !failed) {
        failed = true;
        throw new Error('certification database unreachable');
      }
      return pages[after]!;
    },
  };
  return { standards, certification, calls };
}

async function run(stubs: ReturnType<typeof services>, workflowId: string, cycleEnd?: string) {
  const workers = await Promise.all([
    Worker.create({ connection: env.nativeConnection, taskQueue: 'workflows', workflowBundle: bundle }),
    Worker.create({ connection: env.nativeConnection, taskQueue: 'standards', activities: stubs.standards }),
    Worker.create({ connection: env.nativeConnection, taskQueue: 'certification', activities: stubs.certification }),
  ]);
  const [w, s, c] = workers;
  return c!.runUntil(
    s!.runUntil(
      w!.runUntil(
        env.client.workflow.execute(annualLicenceReview, {
          taskQueue: 'workflows',
          workflowId,
          args: [cycleEnd ? { cycleEnd } : {}],
        }),
      ),
    ),
  );
}

describe('annualLicenceReview', () => {
  it('pages through every licence with the policy of the standard in force, and sums the batches', async () => {
    const stubs = services();
    const summary = await run(stubs, 'review-1', '2026-12-31T16:00:00.000Z');
    expect(summary).toEqual({
      cycleEnd: '2026-12-31T16:00:00.000Z',
      standardVersionId: 'standard-7',
      batches: 3,
      processed: 437,
      rolled: 415,
      flagged: 3,
    });
    expect(stubs.calls.map((c) => c.after)).toEqual(['start', 'c1', 'c2']);
    expect(new Set(stubs.calls.map((c) => `${c.cycleEnd}|${c.policyVersion}`))).toEqual(
      new Set(['2026-12-31T16:00:00.000Z|standard-7']),
    );
  });

  it('resumes at the batch that failed, not from the start', async () => {
    const stubs = services({ failOnceAt: 'c1' });
    const summary = await run(stubs, 'review-2', '2026-12-31T16:00:00.000Z');
    expect(stubs.calls.map((c) => c.after)).toEqual(['start', 'c1', 'c1', 'c2']);
    expect(summary.processed).toBe(437);
  });

  it('reviews the cycles that ended by the time it started when no instant is given', async () => {
    const stubs = services();
    const summary = await run(stubs, 'review-3');
    const started = (await env.client.workflow.getHandle('review-3').describe()).startTime;
    expect(summary.cycleEnd).toBe(started.toISOString());
    expect(new Set(stubs.calls.map((c) => c.cycleEnd))).toEqual(new Set([started.toISOString()]));
  });

  it('survives the loss of its worker mid-review: a new worker replays the done batches without calling them again', async () => {
    const stubs = services();
    let reachedC1!: () => void;
    const atC1 = new Promise<void>((resolve) => (reachedC1 = resolve));
    let releaseC1!: () => void;
    const c1Released = new Promise<void>((resolve) => (releaseC1 = resolve));
    const review = stubs.certification.annualReview;
    stubs.certification.annualReview = async (input) => {
      if (input.after === 'c1') {
        reachedC1();
        await c1Released;
      }
      return review(input);
    };
    // No workflow cache: the next task goes to the shared queue, not to the lost worker's sticky one.
    const workflowWorker = () =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'workflows',
        workflowBundle: bundle,
        maxCachedWorkflows: 0,
      });
    const [s, c] = await Promise.all([
      Worker.create({ connection: env.nativeConnection, taskQueue: 'standards', activities: stubs.standards }),
      Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'certification',
        activities: stubs.certification,
      }),
    ]);
    const activityWorkers = Promise.all([s.run(), c.run()]);
    const first = await workflowWorker();
    const firstRun = first.run();
    const handle = await env.client.workflow.start(annualLicenceReview, {
      taskQueue: 'workflows',
      workflowId: 'review-4',
      args: [{ cycleEnd: '2026-12-31T16:00:00.000Z' }],
    });
    await atC1;
    first.shutdown();
    await firstRun;
    releaseC1();
    const second = await workflowWorker();
    const summary = await second.runUntil(handle.result());
    s.shutdown();
    c.shutdown();
    await activityWorkers;
    expect(summary).toMatchObject({ batches: 3, processed: 437, rolled: 415, flagged: 3 });
    expect(stubs.calls.map((x) => x.after)).toEqual(['start', 'c1', 'c2']);
  });
});
