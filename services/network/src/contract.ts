/** The activity contract of the `network` task queue lives with the others in @starline/common. */
export type { EligibleCentre, NetworkActivities } from '@starline/common';
