/**
 * Workflow code: deterministic, no I/O. Each step that touches data is an activity on the task
 * queue of the service that owns the data. Import only activity *types* here.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { PublishedStandardRef, StandardsActivities } from '@starline/common';

const standards = proxyActivities<StandardsActivities>({
  taskQueue: 'standards',
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface PublishStandardInput {
  versionId: string;
  /** ISO instant from which the version is in force. */
  effectiveFrom: string;
  requestedBy: string;
}

/**
 * Puts a scheduled standard version in force at its effective instant. Cancelling the workflow
 * before then (an admin withdrawing the publication) ends it without publishing.
 */
export async function publishStandardAtEffectiveDate(input: PublishStandardInput): Promise<PublishedStandardRef> {
  const wait = Date.parse(input.effectiveFrom) - Date.now();
  if (wait > 0) await sleep(wait);
  return standards.publishScheduledVersion({ versionId: input.versionId, publishedBy: input.requestedBy });
}

export { annualLicenceReview } from './licence-review.ts';
export { monthlyEvaluation, scheduledMonthlyEvaluation } from './evaluation.ts';
export { monthlySettlement } from './settlement.ts';
export { relayActivity } from './relay.ts';
export {
  ticketLifecycle,
  ticketCommandUpdate,
  ticketSummaryQuery,
  TICKET_WORKFLOW_PREFIX,
  type TicketCommandRequest,
  type TicketLifecycleInput,
} from './ticket-lifecycle.ts';
