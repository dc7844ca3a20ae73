import type { Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import {
  TASK_QUEUES,
  connectDatabase,
  createActivityWorker,
  createLogger,
  env,
  loadPlatformConfig,
  serveSubgraph,
  servicePort,
  type PlatformConfig,
} from '@starline/common';
import { createCertificationActivities } from './activities.ts';
import { buildCertificationSchema } from './schema.ts';
import { DEFAULT_LICENCE_POLICY } from './rules/policy.ts';
import { createCertificationStore, type CertificationStore } from './store/certification.ts';

export interface RunningCertification {
  server: Server;
  worker: Worker;
  store: CertificationStore;
  /** Settles when the activity worker stops (after stop(), or on a fatal worker error). */
  workerStopped: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the certification subgraph and its activity worker; used by the process entry point and by tests. */
export async function startCertification(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningCertification> {
  const log = createLogger('certification', cfg.logLevel);
  const dbName = env('CERTIFICATION_DB', 'starline_certification');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createCertificationStore(db);
  await store.syncIndexes();
  log.info({ db: dbName }, 'certification database ready');

  const worker = await createActivityWorker({
    address: cfg.temporalAddress,
    namespace: cfg.temporalNamespace,
    taskQueue: TASK_QUEUES.certification,
    activities: createCertificationActivities(store),
    log,
  });
  const workerStopped = worker.run();
  workerStopped.catch((error: unknown) => log.error({ err: error }, 'certification activity worker failed'));

  const schema = buildCertificationSchema({ store, now: () => new Date(), policy: DEFAULT_LICENCE_POLICY });
  const server = await serveSubgraph({
    name: 'certification',
    schema,
    port: servicePort(cfg, 'certification'),
    host: cfg.host,
    log,
    signingSecret: cfg.signingSecret,
    allowDirectAccess: cfg.allowDirectSubgraphAccess,
    devMode: cfg.devMode,
    ready: async () => {
      await db.db?.admin().command({ ping: 1 });
      return worker.getState() === 'RUNNING';
    },
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerStopped.catch(() => undefined);
      await worker.connection?.close();
      await db.close();
      log.info('certification stopped');
    })());
  return { server, worker, store, workerStopped, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startCertification();
  const shutdown = () => void running.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A dead worker leaves workflows unable to check dispatch eligibility or run the annual review: stop so a supervisor restarts us.
  running.workerStopped.catch(() => void running.stop().then(() => process.exit(1)));
}
