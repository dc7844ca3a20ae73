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
import { createCertificationActivities } from './activities.ts';
import { buildCertificationSchema } from './schema.ts';
import { DEFAULT_LICENCE_POLICY } from './rules/policy.ts';
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

  const schema = buildCertificationSchema({ store, now: () => new Date(), policy: DEFAULT_LICENCE_POLICY });
  const running = await runServiceProcess({ name: 'certification', cfg, log, db, schema, activities: createCertificationActivities(store) });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startCertification());
}
