import { NativeConnection, Worker } from '@temporalio/worker';
import {
  ApplicationFailure,
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { DomainError } from './errors.ts';
import type { Logger } from './log.ts';
import { installTemporalMetrics } from './metrics.ts';

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
  await installTemporalMetrics();
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    interceptors: { activity: tracedActivities },
  });
  opts.log.info({ taskQueue: opts.taskQueue }, 'activity worker ready');
  return worker;
}

/** Each activity runs in a span continuing the trace of the workflow (and request) that called it. */
export const tracedActivities: ActivityInterceptorsFactory[] = [
  (ctx) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  }),
];

/** Client interceptors that carry the caller's trace into every workflow it starts, signals or updates. */
export const tracedClient = () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] });

/**
 * A connection for request-time calls: a call to a Temporal that is down is retried for about half
 * a second (4 attempts, not the SDK's default 10 over ~10 s), then fails, and the client is told
 * UNAVAILABLE `temporal` well within the gateway's timeout. The gRPC channel reconnects by itself.
 */
export function connectTemporal(address: string): Promise<Connection> {
  return Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
  });
}

/** A Temporal client for a service that starts workflows (e.g. request-time reads of another service). */
export async function connectTemporalClient(opts: { address: string; namespace: string }): Promise<Client> {
  return new Client({
    connection: await connectTemporal(opts.address),
    namespace: opts.namespace,
    interceptors: tracedClient(),
  });
}

/**
 * Runs an activity's work so that a client error of the shared core (a DomainError) fails it for
 * good, typed by its code, as retrying can't change the answer; a busy lease (CONFLICT) is retried.
 */
export async function asActivity<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code !== 'CONFLICT')
      throw ApplicationFailure.nonRetryable(error.message, error.code);
    throw error;
  }
}
