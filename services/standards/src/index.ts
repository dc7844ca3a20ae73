export * from './rules/content.ts';
export * from './rules/defaults.ts';
export * from './rules/lifecycle.ts';
export * from './rules/validate.ts';
export { createStandardsActivities } from './activities.ts';
export { startStandards, type RunningStandards } from './main.ts';
