import { NativeConnection, Worker } from '@temporalio/worker';
import { ApplicationFailure, Client, Connection } from '@temporalio/client';
import { DomainError } from './errors.ts';
import type { Logger } from './log.ts';

/** Task queues: each service runs the activities for its own data on a queue named after it. */
export const TASK_QUEUES = {
  workflows: 'workflows',
  standards: 'standards',
  network: 'network',
  certification: 'certification',
  tickets: 'tickets',
  settlement: 'settlement',
} as const;

export interface ActivityWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  activities: object;
  log: Logger;
}

/** Connects and creates the worker for a service's activities; the caller runs and shuts it down. */
export async function createActivityWorker(opts: ActivityWorkerOptions): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
  });
  opts.log.info({ taskQueue: opts.taskQueue }, 'activity worker ready');
  return worker;
}

/** A Temporal client for a service that starts workflows (e.g. request-time reads of another service). */
export async function connectTemporalClient(opts: { address: string; namespace: string }): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: opts.address }), namespace: opts.namespace });
}

/**
 * Runs an activity's work so that a client error of the shared core (a DomainError) fails it for
 * good, typed by its code, as retrying can't change the answer; a busy lease (CONFLICT) is retried.
 */
export async function asActivity<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code !== 'CONFLICT') throw ApplicationFailure.nonRetryable(error.message, error.code);
    throw error;
  }
}
