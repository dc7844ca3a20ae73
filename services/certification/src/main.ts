import {
  connectDatabase,
  connectTemporalClient,
  createLogger,
  env,
  inForceCache,
  loadPlatformConfig,
  remoteActivities,
  runServiceProcess,
  stopOnSignals,
  type NetworkActivities,
  type PlatformConfig,
  type ServiceProcess,
  type StandardsActivities,
} from '@starline/common';
import { checkedPolicy, createCertificationActivities } from './activities.ts';
import { buildCertificationSchema } from './schema.ts';
import { createCertificationStore, type CertificationStore } from './store/certification.ts';

export type RunningCertification = ServiceProcess & { store: CertificationStore };

/** Starts the certification subgraph and its activity worker; used by the process entry point and by tests. */
export async function startCertification(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningCertification> {
  const log = createLogger('certification', cfg.logLevel);
  const dbName = env('CERTIFICATION_DB', 'starline_certification');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createCertificationStore(db);
  await store.syncIndexes();
  log.info({ db: dbName }, 'certification database ready');

  // The standard and the centres belong to other services: asked of them through Temporal.
  const client = await connectTemporalClient({ address: cfg.temporalAddress, namespace: cfg.temporalNamespace });
  const standards = remoteActivities<StandardsActivities>(client, 'standards');
  const network = remoteActivities<NetworkActivities>(client, 'network');
  const now = () => new Date();
  const policy = inForceCache(
    async (at) => {
      const answer = await standards.licencePolicyAt({ at: at.toISOString() });
      return { ...checkedPolicy(answer), validUntil: answer.validUntil };
    },
    {
      ttlMs: cfg.standardCacheTtlMs,
      now,
      onStale: (err) => log.warn({ err }, 'standards service unreachable; keeping the licence policy in force'),
    },
  );
  const centre = (centreId: string) => network.centreRef({ centreId });

  const schema = buildCertificationSchema({ store, now, policy, centre });
  const running = await runServiceProcess({
    name: 'certification',
    cfg,
    log,
    db,
    schema,
    activities: createCertificationActivities(store, policy),
    onStop: () => client.connection.close(),
  });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startCertification());
}
