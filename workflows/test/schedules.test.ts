import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { Worker, bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import type { AnnualReviewResult, LicencePolicyInput } from '@starline/common';
import { startTemporal } from '../../infra/src/backends.ts';
import type { Managed } from '../../infra/src/processes.ts';
import { monthBefore } from '../src/evaluation.ts';
import { LICENCE_REVIEW_SCHEDULE_ID, MONTHLY_EVALUATION_SCHEDULE_ID, ensureSchedules } from '../src/schedules.ts';
import { workflowsPath } from '../src/worker.ts';

// Schedules exist only on a real server (the time-skipping one has none): the dev server here.
let dir: string;
let temporal: { process: Managed; address: string };
let client: Client;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'starline-schedules-'));
  temporal = await startTemporal({ dataDir: dir, logDir: path.join(dir, 'logs') });
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
}, 120_000);
afterAll(async () => {
  await client?.connection.close();
  await temporal?.process.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the licence review schedule', () => {
  it('is created once, nightly at 00:30 China time, whoever starts first', async () => {
    await Promise.all([ensureSchedules(client), ensureSchedules(client)]);
    await ensureSchedules(client);
    const schedules: string[] = [];
    for await (const s of client.schedule.list()) schedules.push(s.scheduleId);
    expect(schedules.filter((id) => id === LICENCE_REVIEW_SCHEDULE_ID)).toHaveLength(1);
    const description = await client.schedule.getHandle(LICENCE_REVIEW_SCHEDULE_ID).describe();
    expect(description.spec.timezone).toBe('Asia/Shanghai');
    expect(description.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 0, end: 0, step: 1 }],
      minute: [{ start: 30, end: 30, step: 1 }],
    });
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'annualLicenceReview',
      taskQueue: 'workflows',
    });
  });

  it('starts the review workflow when it fires', async () => {
    await ensureSchedules(client);
    const connection = await NativeConnection.connect({ address: temporal.address });
    const policy: LicencePolicyInput = {
      standardVersionId: 's1',
      maxPoints: 12,
      warningAtOrBelow: 6,
      cycleMonths: 12,
      warningDailyCapPercent: 50,
      usualDailyJobs: 8,
      pointRules: [],
      productLines: [],
    };
    const reviewed: string[] = [];
    const workers = [
      await Worker.create({
        connection,
        taskQueue: 'workflows',
        workflowBundle: await bundleWorkflowCode({ workflowsPath }),
      }),
      await Worker.create({ connection, taskQueue: 'standards', activities: { licencePolicyAt: async () => policy } }),
      await Worker.create({
        connection,
        taskQueue: 'certification',
        activities: {
          annualReview: async ({ cycleEnd }: { cycleEnd: string }): Promise<AnnualReviewResult> => {
            reviewed.push(cycleEnd);
            return { processed: 0, rolled: 0, flagged: 0, nextCursor: null };
          },
        },
      }),
    ];
    const running = workers.map((w) => w.run());
    try {
      await client.schedule.getHandle(LICENCE_REVIEW_SCHEDULE_ID).trigger();
      for (let i = 0; i < 100 && reviewed.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(reviewed).toHaveLength(1);
    } finally {
      workers.forEach((w) => w.shutdown());
      await Promise.all(running);
      await connection.close();
    }
  });
});

describe('the monthly evaluation schedule', () => {
  it('fires on the 1st at 02:00 China time and starts the evaluation of the month before as evaluation-YYYY-MM, once', async () => {
    await Promise.all([ensureSchedules(client), ensureSchedules(client)]);
    const description = await client.schedule.getHandle(MONTHLY_EVALUATION_SCHEDULE_ID).describe();
    expect(description.spec.timezone).toBe('Asia/Shanghai');
    expect(description.spec.calendars?.[0]).toMatchObject({
      dayOfMonth: [{ start: 1, end: 1, step: 1 }],
      hour: [{ start: 2, end: 2, step: 1 }],
      minute: [{ start: 0, end: 0, step: 1 }],
    });
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'scheduledMonthlyEvaluation',
      taskQueue: 'workflows',
    });

    const connection = await NativeConnection.connect({ address: temporal.address });
    const begun: string[] = [];
    const workers = [
      await Worker.create({
        connection,
        taskQueue: 'workflows',
        workflowBundle: await bundleWorkflowCode({ workflowsPath }),
      }),
      await Worker.create({
        connection,
        taskQueue: 'standards',
        activities: { evaluationPolicyAt: async () => ({ standardVersionId: 's1', reviewWindowDays: 3 }) },
      }),
      // The month turns out confirmed already, so the evaluation ends at once without further stand-ins.
      await Worker.create({
        connection,
        taskQueue: 'network',
        activities: {
          beginEvaluationRun: async ({ month }: { month: string }) => (
            begun.push(month),
            { state: 'CONFIRMED', total: 0 }
          ),
        },
      }),
    ];
    const running = workers.map((w) => w.run());
    try {
      const month = monthBefore(new Date());
      await client.schedule.getHandle(MONTHLY_EVALUATION_SCHEDULE_ID).trigger();
      for (let i = 0; i < 100 && begun.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(begun).toEqual([month]);
      expect(await client.workflow.getHandle(`evaluation-${month}`).result()).toMatchObject({
        month,
        state: 'CONFIRMED',
      });
      // Fired again for the same month: the month's evaluation is not started a second time.
      await client.schedule.getHandle(MONTHLY_EVALUATION_SCHEDULE_ID).trigger();
      await new Promise((r) => setTimeout(r, 1500));
      expect(begun).toEqual([month]);
    } finally {
      workers.forEach((w) => w.shutdown());
      await Promise.all(running);
      await connection.close();
    }
  });
});
