export * from './rules/policy.ts';
export * from './rules/licence.ts';
export * from './rules/career.ts';
export * from './rules/dispatch.ts';
export * from './rules/validate.ts';
export type * from './contract.ts';
export { createCertificationActivities } from './activities.ts';
export { startCertification, type RunningCertification } from './main.ts';
