import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { TASK_QUEUES, createLogger, loadPlatformConfig, serveHealth, servicePort } from '@starline/common';
import { ensureSchedules } from './schedules.ts';

const log = createLogger('workflows');
export const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));

/** The worker that runs workflow code; activities run in each service's own worker. */
export async function startWorkflowWorker(cfg = loadPlatformConfig()): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: cfg.temporalAddress });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  const worker = await Worker.create({
    connection,
    namespace: cfg.temporalNamespace,
    taskQueue: TASK_QUEUES.workflows,
    workflowBundle,
  });
  const client = new Client({ connection: await Connection.connect({ address: cfg.temporalAddress }), namespace: cfg.temporalNamespace });
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
    ready: async () => worker.getState() === 'RUNNING',
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
