import {
  connectDatabase,
  createLogger,
  env,
  loadPlatformConfig,
  runServiceProcess,
  stopOnSignals,
  type PlatformConfig,
  type ServiceProcess,
} from '@starline/common';
import { createNetworkActivities } from './activities.ts';
import { buildNetworkSchema } from './schema.ts';
import { createCentreStore, type CentreStore } from './store/centres.ts';

export type RunningNetwork = ServiceProcess & { store: CentreStore };

/** Starts the network subgraph and its activity worker; used by the process entry point and by tests. */
export async function startNetwork(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningNetwork> {
  const log = createLogger('network', cfg.logLevel);
  const dbName = env('NETWORK_DB', 'starline_network');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createCentreStore(db);
  await store.syncIndexes();
  log.info({ db: dbName }, 'network database ready');

  const schema = buildNetworkSchema({ store, now: () => new Date() });
  const running = await runServiceProcess({ name: 'network', cfg, log, db, schema, activities: createNetworkActivities(store) });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startNetwork());
}
