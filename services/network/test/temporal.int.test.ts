import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { CLAIMS_HEADER, DEV_SIGNING_SECRET, loadPlatformConfig, signClaims, type Claims } from '@starline/common';
import { startTemporal } from '../../../infra/src/backends.ts';
import { freePort, type Managed } from '../../../infra/src/processes.ts';
import { as } from '../../../common/test/harness.ts';
import { startNetwork, type RunningNetwork } from '../src/main.ts';
import { centreInput } from './support.ts';

let dir: string;
let temporal: { process: Managed; address: string };
let connection: Connection;
let client: Client;
let network: RunningNetwork;
let url: string;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  dir = mkdtempSync(path.join(tmpdir(), 'network-temporal-'));
  temporal = await startTemporal({ dataDir: dir, logDir: path.join(dir, 'logs') });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  const port = await freePort();
  process.env['NETWORK_DB'] = `network_main_${Date.now()}`;
  network = await startNetwork({
    ...loadPlatformConfig(),
    mongodbUri: inject('mongodbUri'),
    temporalAddress: temporal.address,
    portBase: port - 102,
    logLevel: 'silent',
  });
  url = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await network?.stop();
  await connection?.close();
  await temporal?.process.stop();
  delete process.env['NETWORK_DB'];
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const gql = async (claims: Claims | null, query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CLAIMS_HEADER]: signClaims(claims, DEV_SIGNING_SECRET) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { extensions: { code: string } }[] } };
};

describe('the network process', () => {
  it('reports health and readiness', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', service: 'network' });
  });

  it('serves gateway-signed callers, masks schema errors as BAD_USER_INPUT and refuses unsigned ones', async () => {
    const { body } = await gql(as.finance(), '{ serviceCentres { totalCount } }');
    expect(body.data.serviceCentres.totalCount).toBe(0);
    const bad = await gql(as.admin(), 'mutation ($i: CreateServiceCentreInput!) { createServiceCentre(input: $i) { id } }', { i: centreInput({ tier: 'GOLD' }) });
    expect(bad.body.errors?.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    const unsigned = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ serviceCentres { totalCount } }' }) });
    expect(unsigned.status).toBe(401);
  });

  it('runs the activities on the network task queue; retried calls apply once', async () => {
    const input = centreInput({ serviceAreas: ['330106'], productLines: ['WATER_HEATER'] });
    const created = await gql(as.admin(), 'mutation ($i: CreateServiceCentreInput!) { createServiceCentre(input: $i) { id } }', { i: input });
    const centreId = created.body.data.createServiceCentre.id as string;
    await gql(as.admin(), 'mutation ($id: ID!) { activateServiceCentre(id: $id) { status } }', { id: centreId });

    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./fixtures/activity-driver.workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const driverConnection = await NativeConnection.connect({ address: temporal.address });
    const driver = await Worker.create({ connection: driverConnection, taskQueue: 'network-test-driver', workflowBundle });
    const result = await driver.runUntil(() =>
      client.workflow.execute('driveNetworkActivities', {
        taskQueue: 'network-test-driver',
        workflowId: `drive-network-${centreId}`,
        args: [{ centreId, regionCode: '330106', productLine: 'WATER_HEATER', at: '2026-11-05T00:00:00Z' }],
      }),
    );
    await driverConnection.close();
    expect(result).toMatchObject({
      firstGrade: { changed: true },
      secondGrade: { changed: false },
      eligible: [{ centreId, grade: 'A', remaining: 20 }],
      firstConsequence: { status: 'SUSPENDED', applied: true },
      secondConsequence: { status: 'SUSPENDED', applied: false },
      afterSuspension: [],
    });
    const { body } = await gql(as.partner(centreId), 'query ($id: ID!) { serviceCentre(id: $id) { status grades { month grade } } }', { id: centreId });
    expect(body.data.serviceCentre).toEqual({ status: 'SUSPENDED', grades: [{ month: '2026-10', grade: 'A' }] });
  }, 60_000);
});
