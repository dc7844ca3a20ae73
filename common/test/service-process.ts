import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { startTemporal } from '../../infra/src/backends.ts';
import { freePort, type Managed } from '../../infra/src/processes.ts';
import { CLAIMS_HEADER, signClaims, type Claims } from '../src/auth.ts';
import {
  DEV_SIGNING_SECRET,
  SERVICE_PORT_OFFSETS,
  loadPlatformConfig,
  type PlatformConfig,
  type ServiceName,
} from '../src/config.ts';
import type { ServiceProcess } from '../src/service.ts';
import './harness.ts';

export interface ServiceUnderTest {
  /** http://127.0.0.1:<port> of the service's own server. */
  readonly url: string;
  readonly client: Client;
  readonly temporalAddress: string;
  /** POST a GraphQL operation with claims signed as the gateway signs them. */
  gql(
    claims: Claims | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: { data?: any; errors?: { extensions: { code: string } }[] } }>;
}

/**
 * One service process started in-process, as `./starline start` runs it: against the FerretDB of
 * the integration setup, a Temporal dev server of its own and a fresh database; stopped after the file.
 */
export function serviceUnderTest(opts: {
  name: ServiceName;
  /** The variable naming the service's database, pointed at a fresh one here. */
  databaseVariable: string;
  start: (cfg: PlatformConfig) => Promise<ServiceProcess>;
  /**
   * The services this one asks at request time, answered by stand-ins on their task queues (the
   * real services answer in the end-to-end suite); the real workflow code relays the calls.
   */
  neighbours?: Partial<Record<ServiceName, object>>;
}): ServiceUnderTest {
  let dir: string;
  let temporal: { process: Managed; address: string };
  let connection: Connection;
  let client: Client;
  let running: ServiceProcess;
  let url: string;
  let neighbours: { connection: NativeConnection; workers: Worker[]; running: Promise<void>[] } | null = null;

  beforeAll(async () => {
    // Expected activity failures in the tests would otherwise be logged as warnings.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    dir = mkdtempSync(path.join(tmpdir(), `${opts.name}-temporal-`));
    temporal = await startTemporal({ dataDir: dir, logDir: path.join(dir, 'logs') });
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    if (opts.neighbours) neighbours = await startNeighbours(temporal.address, opts.neighbours);
    const port = await freePort();
    process.env[opts.databaseVariable] = `${opts.name}_main_${Date.now()}`;
    running = await opts.start({
      ...loadPlatformConfig(),
      mongodbUri: inject('mongodbUri'),
      temporalAddress: temporal.address,
      portBase: port - SERVICE_PORT_OFFSETS[opts.name],
      logLevel: 'silent',
    });
    url = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    for (const w of neighbours?.workers ?? []) w.shutdown();
    await Promise.all(neighbours?.running ?? []);
    await neighbours?.connection.close();
    await connection?.close();
    await temporal?.process.stop();
    delete process.env[opts.databaseVariable];
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  return {
    get url() {
      return url;
    },
    get client() {
      return client;
    },
    get temporalAddress() {
      return temporal.address;
    },
    async gql(claims, query, variables = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CLAIMS_HEADER]: signClaims(claims, DEV_SIGNING_SECRET) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** The workflow worker (for relayActivity) and a worker per stand-in service. */
async function startNeighbours(address: string, services: Partial<Record<ServiceName, object>>) {
  const connection = await NativeConnection.connect({ address });
  const workflowsPath = fileURLToPath(new URL('../../workflows/src/workflows.ts', import.meta.url));
  const workers = [
    await Worker.create({
      connection,
      taskQueue: 'workflows',
      workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: quiet }),
    }),
    ...(await Promise.all(
      Object.entries(services).map(([taskQueue, activities]) => Worker.create({ connection, taskQueue, activities })),
    )),
  ];
  return { connection, workers, running: workers.map((w) => w.run()) };
}
