import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import {
  ConfigError,
  TASK_QUEUES,
  asBool,
  checkDependencies,
  createLogger,
  env,
  initTelemetry,
  installTemporalMetrics,
  loadPlatformConfig,
  serveHealth,
  servicePort,
  temporalUp,
  tracedClient,
  type PlatformConfig,
} from '@starline/common';
import { ensureSchedules } from './schedules.ts';

const log = createLogger('workflows');
/** The platform's workflows: what the worker bundles. */
export const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
/** The platform's workflows and the benchmarks' own (a no-op baseline): for benchmark stacks only. */
export const benchWorkflowsPath = fileURLToPath(new URL('./bench-workflows.ts', import.meta.url));

/**
 * Workflow-side OpenTelemetry interceptors, bundled with the workflows: spans for each workflow, its activities and
 * child calls.
 */
const tracingInterceptors = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/** STARLINE_BENCH_WORKFLOWS=true bundles the benchmarks' workflows too; never in production. */
export function bundledWorkflowsPath(cfg: Pick<PlatformConfig, 'environment'>): string {
  const bench = env('STARLINE_BENCH_WORKFLOWS', false, asBool);
  if (bench && cfg.environment === 'production')
    throw new ConfigError('STARLINE_BENCH_WORKFLOWS is for benchmark stacks only, not production');
  return bench ? benchWorkflowsPath : workflowsPath;
}

/** The worker that runs workflow code; activities run in each service's own worker. */
export async function startWorkflowWorker(cfg = loadPlatformConfig()): Promise<Worker> {
  await installTemporalMetrics();
  const connection = await NativeConnection.connect({ address: cfg.temporalAddress });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: bundledWorkflowsPath(cfg),
    workflowInterceptorModules: [tracingInterceptors],
    logger: quietBundlerLogger,
  });
  // Workflow code cannot export spans itself (it is sandboxed): it hands them to this sink.
  const otel = initTelemetry('workflows');
  const worker = await Worker.create({
    connection,
    namespace: cfg.temporalNamespace,
    taskQueue: TASK_QUEUES.workflows,
    workflowBundle,
    sinks: { exporter: makeWorkflowExporter(otel.spanProcessor, otel.resource) },
  });
  const client = new Client({
    connection: await Connection.connect({ address: cfg.temporalAddress }),
    namespace: cfg.temporalNamespace,
    interceptors: tracedClient(),
  });
  await ensureSchedules(client);
  await client.connection.close();
  log.info({ taskQueue: TASK_QUEUES.workflows }, 'workflow worker ready; schedules in place');
  return worker;
}

const quietBundlerLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => log.warn(message),
  error: (message: string) => log.error(message),
  log: () => {},
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = loadPlatformConfig();
  const worker = await startWorkflowWorker(cfg);
  const health = await serveHealth({
    name: 'workflows',
    port: servicePort(cfg, 'workflows'),
    host: cfg.host,
    ready: () =>
      checkDependencies({ temporal: () => temporalUp(worker), worker: async () => worker.getState() === 'RUNNING' }),
  });
  // `on`, not `once`: Temporal's runtime re-raises the signal while the worker drains, and a
  // second default-handled SIGTERM would kill the process before it finished.
  const stop = () => {
    if (worker.getState() !== 'RUNNING') return;
    health.close();
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await worker.run();
  log.info('workflow worker stopped');
  process.exit(0);
}
