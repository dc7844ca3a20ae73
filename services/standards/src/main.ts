import { Client } from '@temporalio/client';
import {
  connectDatabase,
  connectTemporal,
  createLogger,
  env,
  loadPlatformConfig,
  runServiceProcess,
  stopOnSignals,
  tracedClient,
  type PlatformConfig,
  type ServiceProcess,
} from '@starline/common';
import { createStandardsActivities } from './activities.ts';
import { resumeScheduledPublications, temporalPublicationScheduler } from './publication.ts';
import { buildStandardsSchema } from './schema.ts';
import { createStandardStore, type StandardStore } from './store/standards.ts';

export type RunningStandards = ServiceProcess & { store: StandardStore };

/** Starts the standards subgraph and its activity worker; used by the process entry point and by tests. */
export async function startStandards(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningStandards> {
  const log = createLogger('standards', cfg.logLevel);
  const dbName = env('STANDARDS_DB', 'starline_standards');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createStandardStore(db);
  await store.syncIndexes();
  const seeded = await store.ensureDefaultStandard();
  log.info({ db: dbName, defaultVersion: seeded.id }, 'standards database ready');

  const temporal = await connectTemporal(cfg.temporalAddress);
  const client = new Client({ connection: temporal, namespace: cfg.temporalNamespace, interceptors: tracedClient() });

  const publication = temporalPublicationScheduler(client);
  const resumed = await resumeScheduledPublications(store, publication).catch((error: unknown) => {
    log.error({ err: error }, 'could not resume scheduled publications; they resume at the next start');
    return [];
  });
  if (resumed.length > 0) log.info({ versions: resumed }, 'scheduled publications resumed');

  const schema = buildStandardsSchema({ store, publication, now: () => new Date() });
  const running = await runServiceProcess({
    name: 'standards',
    cfg,
    log,
    db,
    schema,
    activities: createStandardsActivities(store),
    onStop: () => temporal.close(),
  });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startStandards());
}
