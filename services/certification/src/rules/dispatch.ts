import type { LicenceStatus } from './licence.ts';
import type { LicencePolicy } from './policy.ts';

export interface Certification {
  productLine: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface DispatchQuestion {
  licence: LicenceStatus | null;
  certifications: readonly Certification[];
  productLine: string;
  at: Date;
  jobsToday: number;
  /** The usual daily job cap: the caller's, or else the standard's `usualDailyJobs` (the activity decides). */
  usualDailyCap: number;
}

/** WARNING engineers take at most floor(usualDailyCap × warningDailyCapPercent / 100) jobs a day. */
export function warningCap(usualDailyCap: number, policy: Pick<LicencePolicy, 'warningDailyCapPercent'>): number {
  return Math.floor((usualDailyCap * policy.warningDailyCapPercent) / 100);
}

export function isCertified(certs: readonly Certification[], productLine: string, at: Date): boolean {
  return certs.some((c) => c.productLine === productLine && c.issuedAt <= at && at < c.expiresAt);
}

/** May the engineer take one more job (docs/domain.md §5, step 3)? */
export function mayTakeJob(
  q: DispatchQuestion,
  policy: Pick<LicencePolicy, 'warningDailyCapPercent'>,
): { allowed: boolean; reason: string } {
  if (!q.licence) return { allowed: false, reason: 'the engineer holds no licence' };
  if (q.licence === 'REVOKED') return { allowed: false, reason: 'the licence is REVOKED' };
  if (!isCertified(q.certifications, q.productLine, q.at)) {
    return {
      allowed: false,
      reason: `not certified for ${q.productLine} at ${q.at.toISOString()} (missing or expired)`,
    };
  }
  if (q.jobsToday >= q.usualDailyCap)
    return { allowed: false, reason: `already at the usual daily cap of ${q.usualDailyCap} jobs` };
  if (q.licence === 'WARNING') {
    const cap = warningCap(q.usualDailyCap, policy);
    if (q.jobsToday >= cap)
      return {
        allowed: false,
        reason: `WARNING licence: at most ${cap} jobs a day (${policy.warningDailyCapPercent}% of ${q.usualDailyCap})`,
      };
    return { allowed: true, reason: `WARNING licence: ${q.jobsToday + 1} of at most ${cap} jobs today` };
  }
  return { allowed: true, reason: `licence ${q.licence}, certified for ${q.productLine}` };
}
