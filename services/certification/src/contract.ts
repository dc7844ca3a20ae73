/**
 * The activity contract of the `certification` task queue (to move to common/src/activities.ts).
 * Workflows import these types only.
 */
export interface LicencePolicyInput {
  standardVersionId: string;
  maxPoints: number;
  warningAtOrBelow: number;
  cycleMonths: number;
  warningDailyCapPercent: number;
  pointRules: { code: string; kind: 'VIOLATION' | 'CREDIT'; points: number }[];
}

export interface AnnualReviewResult {
  /** Licences looked at in this batch. */
  processed: number;
  /** Licences moved into a new cycle at full points by this call (0 on a re-run). */
  rolled: number;
  /** Engineers newly flagged by this call (0 on a re-run). */
  flagged: number;
  /** Pass as `after` for the next batch; null when done. */
  nextCursor: string | null;
}

export interface CertificationActivities {
  /**
   * Annual review (年审) for cycles ending at or before `cycleEnd` (ISO instant). Pages through the
   * active licences (`batchSize` 1–500, after the cursor `after`): every unrevoked licence whose
   * current cycle ended rolls into new cycles at full points until its cycle contains `cycleEnd`;
   * engineers whose review failed (a REVOKED licence, or a failed ANNUAL_REVIEW exam in the cycle)
   * are flagged once per cycle. Idempotent: a re-run changes nothing.
   */
  annualReview(input: { cycleEnd: string; batchSize: number; after?: string | null; policy?: LicencePolicyInput }): Promise<AnnualReviewResult>;

  /**
   * May the engineer take one more job at `at`? Licence not REVOKED; certified for the product line
   * and not expired at `at`; `jobsToday` below `usualDailyCap`, and for WARNING below
   * floor(usualDailyCap × warningDailyCapPercent / 100). Reads only.
   */
  mayTakeJob(input: {
    engineerId: string;
    productLine: string;
    at: string;
    jobsToday: number;
    usualDailyCap: number;
    policy?: LicencePolicyInput;
  }): Promise<{ allowed: boolean; reason: string }>;

  /**
   * Appends a violation or credit for evidence (a job, complaint, audit). Idempotent by
   * (licence, evidenceKey): a repeat returns the first entry with `created: false`.
   */
  recordLicenceEvent(input: {
    engineerId: string;
    code: string;
    evidenceKey: string;
    note?: string | null;
    recordedBy: string;
    policy?: LicencePolicyInput;
  }): Promise<{ entryId: string; created: boolean; pointsRemaining: number; status: 'EXEMPLARY' | 'NORMAL' | 'WARNING' | 'REVOKED' }>;
}
