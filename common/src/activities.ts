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
