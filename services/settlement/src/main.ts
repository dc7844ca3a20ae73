import {
  connectDatabase,
  connectTemporalClient,
  createLogger,
  env,
  loadPlatformConfig,
  runServiceProcess,
  stopOnSignals,
  type PlatformConfig,
  type ServiceProcess,
} from '@starline/common';
import { createSettlementActivities } from './activities.ts';
import { temporalSettlementWorkflow } from './graphql/settlement-workflow.ts';
import { buildSettlementSchema } from './schema.ts';
import { createSettlementStore, type SettlementStore } from './store/settlement.ts';

export type RunningSettlement = ServiceProcess & { store: SettlementStore };

/** Starts the settlement subgraph and its activity worker; used by the process entry point and by tests. */
export async function startSettlement(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningSettlement> {
  const log = createLogger('settlement', cfg.logLevel);
  const dbName = env('SETTLEMENT_DB', 'starline_settlement');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createSettlementStore(db);
  await store.syncIndexes();
  log.info({ db: dbName }, 'settlement database ready');

  const client = await connectTemporalClient({ address: cfg.temporalAddress, namespace: cfg.temporalNamespace });
  const now = () => new Date();
  const schema = buildSettlementSchema({ store, now, workflow: temporalSettlementWorkflow(client) });
  const running = await runServiceProcess({
    name: 'settlement',
    cfg,
    log,
    db,
    schema,
    activities: createSettlementActivities(store, now),
    onStop: () => client.connection.close(),
  });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startSettlement());
}
