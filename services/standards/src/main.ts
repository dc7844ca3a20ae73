import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
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
import { createStandardsActivities } from './activities.ts';
import { resumeScheduledPublications, temporalPublicationScheduler } from './publication.ts';
import { buildStandardsSchema } from './schema.ts';
import { createStandardStore, type StandardStore } from './store/standards.ts';

export interface RunningStandards {
  server: Server;
  worker: Worker;
  store: StandardStore;
  /** Settles when the activity worker stops (after stop(), or on a fatal worker error). */
  workerStopped: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the standards subgraph and its activity worker; used by the process entry point and by tests. */
export async function startStandards(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningStandards> {
  const log = createLogger('standards', cfg.logLevel);
  const dbName = env('STANDARDS_DB', 'starline_standards');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createStandardStore(db);
  await store.syncIndexes();
  const seeded = await store.ensureDefaultStandard();
  log.info({ db: dbName, defaultVersion: seeded.id }, 'standards database ready');

  const temporal = await Connection.connect({ address: cfg.temporalAddress });
  const client = new Client({ connection: temporal, namespace: cfg.temporalNamespace });
  const worker = await createActivityWorker({
    address: cfg.temporalAddress,
    namespace: cfg.temporalNamespace,
    taskQueue: TASK_QUEUES.standards,
    activities: createStandardsActivities(store),
    log,
  });
  const workerStopped = worker.run();
  workerStopped.catch((error: unknown) => log.error({ err: error }, 'standards activity worker failed'));

  const publication = temporalPublicationScheduler(client);
  const resumed = await resumeScheduledPublications(store, publication).catch((error: unknown) => {
    log.error({ err: error }, 'could not resume scheduled publications; they resume at the next start');
    return [];
  });
  if (resumed.length > 0) log.info({ versions: resumed }, 'scheduled publications resumed');

  const schema = buildStandardsSchema({ store, publication, now: () => new Date() });
  const server = await serveSubgraph({
    name: 'standards',
    schema,
    port: servicePort(cfg, 'standards'),
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
      await temporal.close();
      await db.close();
      log.info('standards stopped');
    })());
  return { server, worker, store, workerStopped, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startStandards();
  const shutdown = () => void running.stop().then(() => process.exit(0));
  // `on`, not `once`: Temporal's runtime signals the process again after stopping its workers,
  // and without a listener that second signal would kill us before the database is closed.
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A worker that dies on its own leaves workflows unable to publish: stop so a supervisor restarts us.
  running.workerStopped.catch(() => void running.stop().then(() => process.exit(1)));
}
