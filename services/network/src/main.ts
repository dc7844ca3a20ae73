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
import { createNetworkActivities } from './activities.ts';
import { buildNetworkSchema } from './schema.ts';
import { createCentreStore, type CentreStore } from './store/centres.ts';

export interface RunningNetwork {
  server: Server;
  worker: Worker;
  store: CentreStore;
  /** Settles when the activity worker stops (after stop(), or on a fatal worker error). */
  workerStopped: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the network subgraph and its activity worker; used by the process entry point and by tests. */
export async function startNetwork(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningNetwork> {
  const log = createLogger('network', cfg.logLevel);
  const dbName = env('NETWORK_DB', 'starline_network');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createCentreStore(db);
  await store.syncIndexes();
  log.info({ db: dbName }, 'network database ready');

  const worker = await createActivityWorker({
    address: cfg.temporalAddress,
    namespace: cfg.temporalNamespace,
    taskQueue: TASK_QUEUES.network,
    activities: createNetworkActivities(store),
    log,
  });
  const workerStopped = worker.run();
  workerStopped.catch((error: unknown) => log.error({ err: error }, 'network activity worker failed'));

  const schema = buildNetworkSchema({ store, now: () => new Date() });
  const server = await serveSubgraph({
    name: 'network',
    schema,
    port: servicePort(cfg, 'network'),
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
      log.info('network stopped');
    })());
  return { server, worker, store, workerStopped, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startNetwork();
  const shutdown = () => void running.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A dead worker leaves workflows unable to dispatch or grade: stop so a supervisor restarts us.
  running.workerStopped.catch(() => void running.stop().then(() => process.exit(1)));
}
