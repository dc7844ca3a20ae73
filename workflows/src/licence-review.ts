import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AnnualReviewResult, CertificationActivities, StandardsActivities } from '@starline/common';

const { licencePolicyAt } = proxyActivities<StandardsActivities>({
  taskQueue: 'standards',
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { annualReview } = proxyActivities<CertificationActivities>({
  taskQueue: 'certification',
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export const LICENCE_REVIEW_BATCH = 200;

export interface LicenceReviewInput {
  /** The instant whose ended cycles are reviewed; default: when the Schedule fired (or now). */
  cycleEnd?: string;
}

export interface LicenceReviewSummary {
  cycleEnd: string;
  standardVersionId: string;
  batches: number;
  processed: number;
  rolled: number;
  flagged: number;
}

/**
 * The annual licence review (年审): every unrevoked licence whose cycle ended starts a new one at
 * full points, and engineers whose review failed are flagged. It pages through the certification
 * service in batches; each batch is idempotent per cycle, so a crash or retry at any point
 * resumes without rolling a licence twice. The points come from the standard in force then.
 */
export async function annualLicenceReview(input: LicenceReviewInput = {}): Promise<LicenceReviewSummary> {
  const scheduledAt = workflowInfo().startTime;
  const cycleEnd = input.cycleEnd ?? scheduledAt.toISOString();
  const policy = await licencePolicyAt({ at: cycleEnd });
  const summary: LicenceReviewSummary = {
    cycleEnd,
    standardVersionId: policy.standardVersionId,
    batches: 0,
    processed: 0,
    rolled: 0,
    flagged: 0,
  };
  let after: string | null = null;
  do {
    const batch: AnnualReviewResult = await annualReview({ cycleEnd, batchSize: LICENCE_REVIEW_BATCH, after, policy });
    summary.batches++;
    summary.processed += batch.processed;
    summary.rolled += batch.rolled;
    summary.flagged += batch.flagged;
    after = batch.nextCursor;
  } while (after);
  return summary;
}
