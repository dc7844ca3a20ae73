export * from './rules/status.ts';
export * from './rules/validate.ts';
export * from './rules/tree.ts';
export * from './rules/eligibility.ts';
export type * from './contract.ts';
export { createNetworkActivities } from './activities.ts';
export { startNetwork, type RunningNetwork } from './main.ts';
