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
  type CertificationActivities,
  type PlatformConfig,
  type ServiceProcess,
  type StandardsActivities,
  type TicketsActivities,
} from '@starline/common';
import { createNetworkActivities } from './activities.ts';
import { temporalEvaluationWorkflow } from './graphql/evaluation-workflow.ts';
import { buildNetworkSchema } from './schema.ts';
import { createCentreStore, type CentreStore } from './store/centres.ts';

export type RunningNetwork = ServiceProcess & { store: CentreStore };

/** Starts the network subgraph and its activity worker; used by the process entry point and by tests. */
export async function startNetwork(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningNetwork> {
  const log = createLogger('network', cfg.logLevel);
  const dbName = env('NETWORK_DB', 'starline_network');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createCentreStore(db, {
    onTreeReloadError: (err) => log.warn({ err }, 'network tree reload failed; serving the previous one'),
  });
  await store.syncIndexes();
  await store.tree.warm();
  log.info({ db: dbName }, 'network database ready');

  // The product lines and the evaluation policy are the standard's: asked of the standards service through Temporal.
  const client = await connectTemporalClient({ address: cfg.temporalAddress, namespace: cfg.temporalNamespace });
  const standards = remoteActivities<StandardsActivities>(client, 'standards');
  const now = () => new Date();
  const productLines = inForceCache((at) => standards.productLinesAt({ at: at.toISOString() }), {
    ttlMs: cfg.standardCacheTtlMs,
    now,
    onStale: (err) => log.warn({ err }, 'standards service unreachable; keeping the product lines in force'),
  });

  // The live scorecard: the standard's evaluation policy in force now (kept like the product lines),
  // and the month's facts of the services that own them.
  const evaluationPolicy = inForceCache((at) => standards.evaluationPolicyAt({ at: at.toISOString() }), {
    ttlMs: cfg.standardCacheTtlMs,
    now,
    onStale: (err) => log.warn({ err }, 'standards service unreachable; keeping the evaluation policy in force'),
  });
  const tickets = remoteActivities<TicketsActivities>(client, 'tickets');
  const certification = remoteActivities<CertificationActivities>(client, 'certification');

  const schema = buildNetworkSchema({
    store,
    now,
    productLines,
    evaluationWorkflow: temporalEvaluationWorkflow(client),
    live: {
      policy: evaluationPolicy,
      facts: (input) => tickets.centreMonthFacts(input),
      credits: (input) => certification.centreMonthCredits(input),
    },
  });
  const running = await runServiceProcess({
    name: 'network',
    cfg,
    log,
    db,
    schema,
    // Published versions never change: a version once seen published is not asked about again.
    activities: createNetworkActivities(
      store,
      publishedVersions((versionId) => standards.standardVersion({ versionId })),
    ),
    onStop: () => client.connection.close(),
  });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startNetwork());
}
