import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { TASK_QUEUES } from '@starline/common';

export const LICENCE_REVIEW_SCHEDULE_ID = 'annual-licence-review';
export const MONTHLY_EVALUATION_SCHEDULE_ID = 'monthly-evaluation';

/**
 * Licence cycles end on different days (a licence's year starts when it is issued), so the
 * review runs every night, China time, and rolls the cycles that ended; a night with none is a
 * cheap no-op. Runs never overlap, and a run missed while the cluster was down is caught up.
 */
export async function ensureSchedules(client: Client): Promise<void> {
  await ensure(client, {
    scheduleId: LICENCE_REVIEW_SCHEDULE_ID,
    spec: { calendars: [{ hour: 0, minute: 30, comment: 'nightly licence review' }], timezone: 'Asia/Shanghai' },
    action: {
      type: 'startWorkflow',
      workflowType: 'annualLicenceReview',
      workflowId: 'annual-licence-review',
      taskQueue: TASK_QUEUES.workflows,
      args: [{}],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  });
  // The 1st of each month, 02:00 China time, for the month before (docs/domain.md §6); the starter names
  // the month's own workflow `evaluation-YYYY-MM`, so a run an operator started by hand is not repeated.
  await ensure(client, {
    scheduleId: MONTHLY_EVALUATION_SCHEDULE_ID,
    spec: {
      calendars: [{ dayOfMonth: 1, hour: 2, minute: 0, comment: 'monthly centre evaluation' }],
      timezone: 'Asia/Shanghai',
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledMonthlyEvaluation',
      workflowId: 'scheduled-monthly-evaluation',
      taskQueue: TASK_QUEUES.workflows,
      args: [],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '3 days' },
  });
}

async function ensure(client: Client, options: ScheduleOptions): Promise<void> {
  try {
    await client.schedule.create(options);
  } catch (error) {
    // Created by an earlier start or another worker replica: keep it (operators may have paused it).
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
