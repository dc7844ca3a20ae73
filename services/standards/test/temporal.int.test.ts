import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { CLAIMS_HEADER, DEV_SIGNING_SECRET, loadPlatformConfig, signClaims, type Claims } from '@starline/common';
import { startTemporal } from '../../../infra/src/backends.ts';
import { freePort } from '../../../infra/src/processes.ts';
import type { Managed } from '../../../infra/src/processes.ts';
import { as } from '../../../common/test/harness.ts';
import { startStandards, type RunningStandards } from '../src/main.ts';
import { PUBLICATION_WORKFLOW_TYPE, publicationWorkflowId, temporalPublicationScheduler } from '../src/publication.ts';
import { DEFAULT_STANDARD_ID } from '../src/store/standards.ts';

let dir: string;
let temporal: { process: Managed; address: string };
let connection: Connection;
let client: Client;
let standards: RunningStandards;
let url: string;

beforeAll(async () => {
  // The expected activity failure below would otherwise be logged as a warning.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  dir = mkdtempSync(path.join(tmpdir(), 'standards-temporal-'));
  temporal = await startTemporal({ dataDir: dir, logDir: path.join(dir, 'logs') });
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  const port = await freePort();
  process.env['STANDARDS_DB'] = `standards_main_${Date.now()}`;
  process.env['LOG_LEVEL'] = 'silent';
  const base = loadPlatformConfig();
  standards = await startStandards({
    ...base,
    mongodbUri: inject('mongodbUri'),
    temporalAddress: temporal.address,
    portBase: port - 101,
    logLevel: 'silent',
  });
  url = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await standards?.stop();
  await connection?.close();
  await temporal?.process.stop();
  delete process.env['STANDARDS_DB'];
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

describe('the standards process', () => {
  it('reports health and readiness', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', service: 'standards' });
  });

  it('serves the contract to gateway-signed callers and refuses unsigned ones', async () => {
    const { body } = await gql(as.finance(), '{ standardInForce { id number status } }');
    expect(body.data.standardInForce).toEqual({ id: DEFAULT_STANDARD_ID, number: 1, status: 'PUBLISHED' });
    const unsigned = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ standardInForce { id } }' }),
    });
    expect(unsigned.status).toBe(401);
  });

  it('reports BAD_USER_INPUT for a garbage DateTime over HTTP', async () => {
    const { body } = await gql(as.admin(), 'query ($at: DateTime) { standardInForce(at: $at) { id } }', { at: 'yesterday-ish' });
    expect(body.errors?.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('schedules a publication as a Temporal workflow and cancels it', async () => {
    const created = await gql(as.operator(), 'mutation { createStandardDraft(input: {}) { id } }');
    const id = created.body.data.createStandardDraft.id as string;
    const at = new Date(Date.now() + 3600_000).toISOString();
    const published = await gql(as.admin(), 'mutation ($id: ID!, $at: DateTime) { publishStandardVersion(id: $id, effectiveFrom: $at) { status } }', { id, at });
    expect(published.body.data.publishStandardVersion.status).toBe('SCHEDULED');

    const handle = client.workflow.getHandle(publicationWorkflowId(id));
    const description = await handle.describe();
    expect(description).toMatchObject({ type: PUBLICATION_WORKFLOW_TYPE, taskQueue: 'workflows', status: { name: 'RUNNING' } });
    const history = await handle.fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(input.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ versionId: id, effectiveFrom: at, requestedBy: 'admin-1' }]);

    const cancelled = await gql(as.admin(), 'mutation ($id: ID!) { cancelScheduledPublication(id: $id) { status } }', { id });
    expect(cancelled.body.data.cancelScheduledPublication.status).toBe('DRAFT');
    const after = await handle.fetchHistory();
    expect(after.events!.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
  });

  it('replaces a stale workflow of the same version and ignores cancelling one that never started', async () => {
    const port = temporalPublicationScheduler(client);
    const at = new Date(Date.now() + 7200_000);
    await port.schedulePublication('stale-version', at, 'admin-1');
    const first = await client.workflow.getHandle(publicationWorkflowId('stale-version')).describe();
    await port.schedulePublication('stale-version', at, 'admin-1');
    const second = await client.workflow.getHandle(publicationWorkflowId('stale-version')).describe();
    expect(second.runId).not.toBe(first.runId);
    const old = await client.workflow.getHandle(publicationWorkflowId('stale-version'), first.runId).describe();
    expect(old.status.name).toBe('TERMINATED');
    await expect(port.cancelPublication('never-scheduled')).resolves.toBeUndefined();
  });

  it('runs the publishScheduledVersion activity on the standards task queue', async () => {
    const created = await gql(as.operator(), 'mutation { createStandardDraft(input: {}) { id } }');
    const id = created.body.data.createStandardDraft.id as string;
    const at = new Date(Date.now() + 2 * 3600_000).toISOString();
    await gql(as.admin(), 'mutation ($id: ID!, $at: DateTime) { publishStandardVersion(id: $id, effectiveFrom: $at) { status } }', { id, at });

    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./fixtures/activity-driver.workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const driverConnection = await NativeConnection.connect({ address: temporal.address });
    const driver = await Worker.create({ connection: driverConnection, taskQueue: 'standards-test-driver', workflowBundle });
    await driver.runUntil(async () => {
      const ref = await client.workflow.execute('driveStandardsActivity', {
        taskQueue: 'standards-test-driver',
        workflowId: `drive-${id}`,
        args: [{ versionId: id, publishedBy: 'admin-1' }],
      });
      expect(ref).toMatchObject({ id, status: 'PUBLISHED', effectiveFrom: at });

      const cancelledDraft = await gql(as.operator(), 'mutation { createStandardDraft(input: {}) { id } }');
      const draftId = cancelledDraft.body.data.createStandardDraft.id as string;
      const failure = await client.workflow
        .execute('driveStandardsActivity', { taskQueue: 'standards-test-driver', workflowId: `drive-${draftId}`, args: [{ versionId: draftId, publishedBy: 'admin-1' }] })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause?.cause).toMatchObject({ type: 'StandardPublicationCancelled', nonRetryable: true });
    });
    await driverConnection.close();
    const { body } = await gql(as.partner(), 'query ($id: ID!) { standardVersion(id: $id) { status publishedBy } }', { id });
    expect(body.data.standardVersion).toEqual({ status: 'PUBLISHED', publishedBy: 'admin-1' });
  }, 60_000);
});
