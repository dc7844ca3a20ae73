export type { SettlementActivities } from '@starline/common';
export { createSettlementActivities } from './activities.ts';
export { startSettlement, type RunningSettlement } from './main.ts';
