import { proxyActivities } from '@temporalio/workflow';

export interface RelayInput {
  taskQueue: string;
  activity: string;
  args: unknown[];
}

/**
 * Runs one activity on another service's task queue for a service that needs the answer while it
 * serves a request (does this centre exist? which standard is in force?). Services never read each
 * other's databases: the read stays on the owner's worker, with Temporal's retries in between.
 * Started through `remoteActivities` (common/src/remote.ts).
 */
export async function relayActivity(input: RelayInput): Promise<unknown> {
  const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: '10 seconds',
    // A caller is waiting: retry briefly, then let it answer with an error instead of hanging.
    retry: { initialInterval: '200 milliseconds', maximumInterval: '2 seconds', maximumAttempts: 3 },
  });
  const activity = activities[input.activity];
  if (!activity) throw new Error(`no activity ${input.activity}`);
  return activity(...input.args);
}
