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
  type CertificationActivities,
  type NetworkActivities,
  type PlatformConfig,
  type ServiceProcess,
  type StandardsActivities,
  type TicketPolicyInput,
} from '@starline/common';
import { createTicketsActivities } from './activities.ts';
import { checkedTicketPolicy } from './commands.ts';
import { deliverOwedEvidence } from './graphql/complaints.ts';
import type { TicketsDeps } from './graphql/deps.ts';
import { temporalLifecycle } from './graphql/lifecycle.ts';
import { buildTicketsSchema } from './schema.ts';
import { createTicketsStore, type TicketsStore } from './store/tickets.ts';

export type RunningTickets = ServiceProcess & { store: TicketsStore };

/** How often the service retries licence evidence that complaints still owe. */
const COMPLAINT_SWEEP_MS = 60_000;

/** Starts the tickets subgraph and the `tickets` activity worker; used by the process entry point and by tests. */
export async function startTickets(cfg: PlatformConfig = loadPlatformConfig()): Promise<RunningTickets> {
  const log = createLogger('tickets', cfg.logLevel);
  const dbName = env('TICKETS_DB', 'starline_tickets');
  const db = await connectDatabase(cfg.mongodbUri, dbName);
  const store = createTicketsStore(db);
  await store.syncIndexes();
  log.info({ db: dbName }, 'tickets database ready');

  // The standard and the centres belong to other services: asked of them through Temporal.
  const client = await connectTemporalClient({ address: cfg.temporalAddress, namespace: cfg.temporalNamespace });
  const standards = remoteActivities<StandardsActivities>(client, 'standards');
  const network = remoteActivities<NetworkActivities>(client, 'network');
  // A resolved complaint's MAJOR_COMPLAINT goes to the licence through certification's activity (idempotent by evidence
  // key).
  const certification = remoteActivities<CertificationActivities>(client, 'certification');
  const now = () => new Date();
  const inForce = inForceCache(
    async (at) => {
      const { validUntil, ...policy } = await standards.ticketPolicyAt({ at: at.toISOString() });
      return { policy: checkedTicketPolicy(policy) as unknown as TicketPolicyInput, validUntil };
    },
    {
      ttlMs: cfg.standardCacheTtlMs,
      now,
      onStale: (err) => log.warn({ err }, 'standards service unreachable; keeping the ticket policy in force'),
    },
  );

  // The lifecycle workflows: the mutations' way to a ticket, and the evaluation's recalls (recallCentreJobs).
  const lifecycle = temporalLifecycle(client);
  const deps: TicketsDeps = {
    store,
    now,
    ticketPolicy: async () => (await inForce()).policy,
    centre: (centreId) => network.centreRef({ centreId }),
    engineer: (engineerId) => certification.engineerRef({ engineerId }),
    lifecycle,
    recordLicenceEvent: (input) => certification.recordLicenceEvent(input),
  };
  const schema = buildTicketsSchema(deps);
  // Licence evidence that complaints still owe after a certification outage: retried here, not only on their next read.
  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    deliverOwedEvidence(deps, log)
      .catch((err: unknown) => log.warn({ err }, 'complaint evidence sweep failed; next round retries'))
      .finally(() => (sweeping = false));
  }, COMPLAINT_SWEEP_MS);
  sweep.unref();
  const running = await runServiceProcess({
    name: 'tickets',
    cfg,
    log,
    db,
    schema,
    activities: createTicketsActivities(store, now, lifecycle),
    onStop: async () => {
      clearInterval(sweep);
      await client.connection.close();
    },
  });
  return { ...running, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  stopOnSignals(await startTickets());
}
