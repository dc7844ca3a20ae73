/**
 * Dispatch leftover (派单遗留, domain.md §6): a centre's jobs past due and still open at the month's
 * last instant. Judged as of that instant from timestamps, so a late or repeated run counts the same.
 */

/** What the tickets service knows of one of a centre's jobs. */
export interface LeftoverJobFacts {
  acceptedAt: Date | null;
  completedAt: Date | null;
  /** End of the appointment window in force at the instant judged (a later rebooking does not count); null: none. */
  appointmentEndsAt: Date | null;
  /** Acceptance + the standard's first-contact minutes; null only for a job never accepted. */
  firstContactDueAt: Date | null;
}

/**
 * Accepted by `at`, not completed by `at`, and either its appointment window ended before `at`, or
 * it has no appointment and its first-contact deadline passed before `at`. "Before" is strict: a
 * window ending exactly at `at` is not yet missed.
 */
export function isPastDue(job: LeftoverJobFacts, at: Date): boolean {
  const t = at.getTime();
  if (job.acceptedAt === null || job.acceptedAt.getTime() > t) return false;
  if (job.completedAt !== null && job.completedAt.getTime() <= t) return false;
  if (job.appointmentEndsAt !== null) return job.appointmentEndsAt.getTime() < t;
  return job.firstContactDueAt !== null && job.firstContactDueAt.getTime() < t;
}

export function countPastDue(jobs: Iterable<LeftoverJobFacts>, at: Date): number {
  let count = 0;
  for (const job of jobs) if (isPastDue(job, at)) count += 1;
  return count;
}
