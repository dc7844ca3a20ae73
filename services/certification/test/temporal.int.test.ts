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
import { startCertification, type RunningCertification } from '../src/main.ts';
import { engineerInput } from './support.ts';

let dir: string;
let temporal: { process: Managed; address: string };
let connection: Connection;
let client: Client;
let certification: RunningCertification;
let url: string;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  dir = mkdtempSync(path.join(tmpdir(), 'certification-temporal-'));
  temporal = await startTemporal({ dataDir: dir, logDir: path.join(dir, 'logs') });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  const port = await freePort();
  process.env['CERTIFICATION_DB'] = `certification_main_${Date.now()}`;
  certification = await startCertification({
    ...loadPlatformConfig(),
    mongodbUri: inject('mongodbUri'),
    temporalAddress: temporal.address,
    portBase: port - 103,
    logLevel: 'silent',
  });
  url = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await certification?.stop();
  await connection?.close();
  await temporal?.process.stop();
  delete process.env['CERTIFICATION_DB'];
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

describe('the certification process', () => {
  it('reports health and readiness, serves signed callers and refuses unsigned ones', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready', service: 'certification' });
    const { body } = await gql(as.operator(), '{ engineers { totalCount } }');
    expect(body.data.engineers.totalCount).toBe(0);
    const unsigned = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ engineers { totalCount } }' }) });
    expect(unsigned.status).toBe(401);
  });

  it('runs the activities on the certification task queue; retried calls apply once', async () => {
    const created = await gql(as.operator(), 'mutation ($i: RegisterEngineerInput!) { registerEngineer(input: $i) { id } }', { i: engineerInput() });
    const engineerId = created.body.data.registerEngineer.id as string;
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./fixtures/activity-driver.workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const driverConnection = await NativeConnection.connect({ address: temporal.address });
    const driver = await Worker.create({ connection: driverConnection, taskQueue: 'certification-test-driver', workflowBundle });
    const result = await driver.runUntil(() =>
      client.workflow.execute('driveCertificationActivities', {
        taskQueue: 'certification-test-driver',
        workflowId: `drive-certification-${engineerId}`,
        args: [{ engineerId, at: new Date().toISOString(), cycleEnd: new Date(Date.now() + 400 * 86_400_000).toISOString() }],
      }),
    );
    await driverConnection.close();
    expect(result).toMatchObject({
      first: { created: true, pointsRemaining: 6, status: 'WARNING' },
      second: { created: false, pointsRemaining: 6 },
      withinCap: { allowed: true },
      overCap: { allowed: false },
      review: { processed: 1, rolled: 1, nextCursor: null },
      reviewAgain: { processed: 1, rolled: 0, flagged: 0 },
    });
    const { body } = await gql(as.engineer(engineerId), 'query ($id: ID!) { engineer(id: $id) { licence { pointsRemaining status ledger { code } } } }', { id: engineerId });
    expect(body.data.engineer.licence).toEqual({ pointsRemaining: 12, status: 'NORMAL', ledger: [{ code: 'OVERCHARGE' }] });
  }, 60_000);
});
