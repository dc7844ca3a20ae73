import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '@starline/common';

export const LICENCE_REVIEW_SCHEDULE_ID = 'annual-licence-review';

/**
 * Licence cycles end on different days (a licence's year starts when it is issued), so the
 * review runs every night, China time, and rolls the cycles that ended; a night with none is a
 * cheap no-op. Runs never overlap, and a run missed while the cluster was down is caught up.
 */
export async function ensureSchedules(client: Client): Promise<void> {
  try {
    await client.schedule.create({
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
  } catch (error) {
    // Created by an earlier start or another worker replica: keep it (operators may have paused it).
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
