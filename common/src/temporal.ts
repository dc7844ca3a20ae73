import { NativeConnection, Worker } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
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
