import {
  connectDatabase,
  connectTemporalClient,
  inForceCache,
  publishedVersions,
  remoteActivities,
  createLogger,
  env,
  loadPlatformConfig,
  runServiceProcess,
  stopOnSignals,
  type PlatformConfig,
  type ServiceProcess,
  type StandardsActivities,
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
  const store = createCentreStore(db, { onTreeReloadError: (err) => log.warn({ err }, 'network tree reload failed; serving the previous one') });
  await store.syncIndexes();
  await store.tree.warm();
  log.info({ db: dbName }, 'network database ready');

  // The product lines are the standard's: asked of the standards service through Temporal.
  const client = await connectTemporalClient({ address: cfg.temporalAddress, namespace: cfg.temporalNamespace });
  const standards = remoteActivities<StandardsActivities>(client, 'standards');
  const now = () => new Date();
  const productLines = inForceCache((at) => standards.productLinesAt({ at: at.toISOString() }), {
    ttlMs: cfg.standardCacheTtlMs,
    now,
    onStale: (err) => log.warn({ err }, 'standards service unreachable; keeping the product lines in force'),
  });

  const schema = buildNetworkSchema({ store, now, productLines });
  const running = await runServiceProcess({
    name: 'network',
    cfg,
    log,
    db,
    schema,
    // Published versions never change: a version once seen published is not asked about again.
    activities: createNetworkActivities(store, publishedVersions((versionId) => standards.standardVersion({ versionId }))),
    onStop: () => client.connection.close(),
  });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startNetwork());
}
