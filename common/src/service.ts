import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import type { Worker } from '@temporalio/worker';
import { servicePort, type PlatformConfig, type ServiceName } from './config.ts';
import { checkDependencies } from './dependencies.ts';
import type { Logger } from './log.ts';
import { serveSubgraph } from './subgraph.ts';
import { TASK_QUEUES, createActivityWorker } from './temporal.ts';

/** A running service process: its subgraph and the activity worker for its own task queue. */
export interface ServiceProcess {
  server: Server;
  worker: Worker;
  /** Settles when the activity worker stops (after stop(), or on a fatal worker error). */
  workerStopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a service's activity worker, then its subgraph (ready once the database answers and the
 * worker runs). stop() closes them in reverse order, then runs `onStop` (the database, clients).
 */
export async function runServiceProcess(opts: {
  name: ServiceName;
  cfg: PlatformConfig;
  log: Logger;
  db: Connection;
  schema: GraphQLSchema;
  activities: object;
  onStop?: () => Promise<void>;
}): Promise<ServiceProcess> {
  const { name, cfg, log, db } = opts;
  const worker = await createActivityWorker({
    address: cfg.temporalAddress,
    namespace: cfg.temporalNamespace,
    taskQueue: TASK_QUEUES[name],
    activities: opts.activities,
    log,
  });
  const workerStopped = worker.run();
  workerStopped.catch((error: unknown) => log.error({ err: error }, `${name} activity worker failed`));

  const server = await serveSubgraph({
    name,
    schema: opts.schema,
    port: servicePort(cfg, name),
    host: cfg.host,
    log,
    signingSecret: cfg.signingSecret,
    allowDirectAccess: cfg.allowDirectSubgraphAccess,
    devMode: cfg.devMode,
    // Each dependency on its own, so an operator sees which one is down.
    ready: () =>
      checkDependencies({
        database: async () => Boolean(await db.db?.admin().command({ ping: 1 })),
        temporal: () => temporalUp(worker),
        worker: async () => worker.getState() === 'RUNNING',
      }),
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerStopped.catch(() => undefined);
      await worker.connection?.close();
      await opts.onStop?.();
      await db.close();
      log.info(`${name} stopped`);
    })());
  return { server, worker, workerStopped, stop };
}

/** Whether the Temporal frontend answers on the worker's connection. */
export async function temporalUp(worker: Worker): Promise<boolean> {
  const connection = worker.connection;
  if (!connection) return false;
  await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}));
  return true;
}

/** A service's process entry point: run until SIGINT/SIGTERM, and exit 1 if the worker dies. */
export function stopOnSignals(running: ServiceProcess): void {
  const shutdown = () => void running.stop().then(() => process.exit(0));
  // `on`, not `once`: Temporal's runtime signals the process again after stopping its workers,
  // and without a listener that second signal would kill us before the database is closed.
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A dead worker leaves workflows unable to reach this service's data: stop so a supervisor restarts us.
  running.workerStopped.catch(() => void running.stop().then(() => process.exit(1)));
}
