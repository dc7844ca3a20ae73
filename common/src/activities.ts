/**
 * The activity contracts of each service's task queue. Workflows import these types only
 * (never a service's code), and each service implements its own interface.
 */
export interface PublishedStandardRef {
  id: string;
  number: number;
  status: 'DRAFT' | 'SCHEDULED' | 'PUBLISHED';
  effectiveFrom: string | null;
  publishedAt: string | null;
}

export interface StandardsActivities {
  /** Put a SCHEDULED version in force. Idempotent: publishing a published version returns it. */
  publishScheduledVersion(input: { versionId: string; publishedBy: string }): Promise<PublishedStandardRef>;
}

export interface EligibleCentre {
  centreId: string;
  code: string;
  /** Latest grade from a month before `at`'s (Asia/Shanghai) month; null when ungraded. */
  grade: 'A' | 'B' | 'C' | null;
  dailyCapacity: number;
  openJobs: number;
  /** dailyCapacity − openJobs, always > 0 here. */
  remaining: number;
}

export interface NetworkActivities {
  /**
   * ACTIVE centres covering `regionCode` (6-digit) and `productLine` with room today, best grade
   * first (A, B, C, ungraded), then lowest load (openJobs ÷ dailyCapacity). `openJobs` maps centre id
   * → jobs it holds open today, as the tickets service counts them; centres left out count as 0.
   * `at` is an ISO instant. Reads only.
   */
  eligibleCentres(input: {
    regionCode: string;
    productLine: string;
    at: string;
    openJobs?: Record<string, number>;
  }): Promise<EligibleCentre[]>;

  /**
   * The centre's grade for one month. Idempotent per (centre, month): a repeat with the same values
   * changes nothing (`changed: false`); a re-run of the evaluation with new values replaces it.
   */
  recordGrade(input: {
    centreId: string;
    month: string;
    grade: 'A' | 'B' | 'C';
    score: number;
    standardVersionId: string;
    evaluationId: string;
  }): Promise<{ centreId: string; month: string; changed: boolean }>;

  /**
   * Suspension or elimination decided by the evaluation. Idempotent by `evidence`: once a change
   * with that evidence is in the history, a repeat returns `applied: false`. A centre already in
   * (or beyond) the target status is left alone. An illegal transition (e.g. ONBOARDING) fails
   * non-retryably with type `InvalidTransition`.
   */
  applyStatusConsequence(input: {
    centreId: string;
    to: 'SUSPENDED' | 'ELIMINATED';
    reason: string;
    evidence: string;
  }): Promise<{ centreId: string; status: 'ONBOARDING' | 'ACTIVE' | 'SUSPENDED' | 'ELIMINATED'; applied: boolean }>;
}
