import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Activity options of the monthly batch workflows (evaluation, settlement): a minute-long batch on an
 * owner's task queue, retried with backoff, except for the owners' refusals, which no retry changes.
 */
export const REFUSALS = [
  'BadActivityInput',
  'CONFLICT',
  'FORBIDDEN',
  'INVALID_TRANSITION',
  'NOT_FOUND',
  'NoStandardInForce',
  'StandardVersionNotFound',
];

export const batchOptions = (
  taskQueue: string,
  startToCloseTimeout: ActivityOptions['startToCloseTimeout'] = '2 minutes',
): ActivityOptions => ({
  taskQueue,
  startToCloseTimeout,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: REFUSALS,
  },
});
