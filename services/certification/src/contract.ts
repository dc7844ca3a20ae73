/** The activity contract of the `certification` task queue lives with the others in @starline/common. */
export type { AnnualReviewResult, CertificationActivities, LicencePolicyInput } from '@starline/common';
