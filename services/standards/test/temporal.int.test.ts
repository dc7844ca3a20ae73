import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { as } from '../../../common/test/harness.ts';
import { startStandards } from '../src/main.ts';
import { serviceUnderTest } from '../../../common/test/service-process.ts';
import { PUBLICATION_WORKFLOW_TYPE, publicationWorkflowId, temporalPublicationScheduler } from '../src/publication.ts';
import { DEFAULT_STANDARD_ID } from '../src/store/standards.ts';

const svc = serviceUnderTest({ name: 'standards', databaseVariable: 'STANDARDS_DB', start: startStandards });
const gql = svc.gql;

describe('the standards process', () => {
  it('reports health and readiness', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    const ready = await fetch(`${svc.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', service: 'standards' });
  });

  it('serves the contract to gateway-signed callers and refuses unsigned ones', async () => {
    const { body } = await gql(as.finance(), '{ standardInForce { id number status } }');
    expect(body.data.standardInForce).toEqual({ id: DEFAULT_STANDARD_ID, number: 1, status: 'PUBLISHED' });
    const unsigned = await fetch(`${svc.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ standardInForce { id } }' }),
    });
    expect(unsigned.status).toBe(401);
  });

  it('reports BAD_USER_INPUT for a garbage DateTime over HTTP', async () => {
    const { body } = await gql(as.admin(), 'query ($at: DateTime) { standardInForce(at: $at) { id } }', {
      at: 'yesterday-ish',
    });
    expect(body.errors?.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('schedules a publication as a Temporal workflow and cancels it', async () => {
    const created = await gql(as.operator(), 'mutation { createStandardDraft(input: {}) { id } }');
    const id = created.body.data.createStandardDraft.id as string;
    const at = new Date(Date.now() + 3600_000).toISOString();
    const published = await gql(
      as.admin(),
      'mutation ($id: ID!, $at: DateTime) { publishStandardVersion(id: $id, effectiveFrom: $at) { status } }',
      { id, at },
    );
    expect(published.body.data.publishStandardVersion.status).toBe('SCHEDULED');

    const handle = svc.client.workflow.getHandle(publicationWorkflowId(id));
    const description = await handle.describe();
    expect(description).toMatchObject({
      type: PUBLICATION_WORKFLOW_TYPE,
      taskQueue: 'workflows',
      status: { name: 'RUNNING' },
    });
    const history = await handle.fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(input.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      { versionId: id, effectiveFrom: at, requestedBy: 'admin-1' },
    ]);

    const cancelled = await gql(as.admin(), 'mutation ($id: ID!) { cancelScheduledPublication(id: $id) { status } }', {
      id,
    });
    expect(cancelled.body.data.cancelScheduledPublication.status).toBe('DRAFT');
    const after = await handle.fetchHistory();
    expect(after.events!.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
  });

  it('replaces a stale workflow of the same version and ignores cancelling one that never started', async () => {
    const port = temporalPublicationScheduler(svc.client);
    const at = new Date(Date.now() + 7200_000);
    await port.schedulePublication('stale-version', at, 'admin-1');
    const first = await svc.client.workflow.getHandle(publicationWorkflowId('stale-version')).describe();
    await port.schedulePublication('stale-version', at, 'admin-1');
    const second = await svc.client.workflow.getHandle(publicationWorkflowId('stale-version')).describe();
    expect(second.runId).not.toBe(first.runId);
    const old = await svc.client.workflow.getHandle(publicationWorkflowId('stale-version'), first.runId).describe();
    expect(old.status.name).toBe('TERMINATED');
    await expect(port.cancelPublication('never-scheduled')).resolves.toBeUndefined();
  });

  it('runs the publishScheduledVersion activity on the standards task queue', async () => {
    const created = await gql(as.operator(), 'mutation { createStandardDraft(input: {}) { id } }');
    const id = created.body.data.createStandardDraft.id as string;
    const at = new Date(Date.now() + 2 * 3600_000).toISOString();
    await gql(
      as.admin(),
      'mutation ($id: ID!, $at: DateTime) { publishStandardVersion(id: $id, effectiveFrom: $at) { status } }',
      { id, at },
    );

    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./fixtures/activity-driver.workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const driverConnection = await NativeConnection.connect({ address: svc.temporalAddress });
    const driver = await Worker.create({
      connection: driverConnection,
      taskQueue: 'standards-test-driver',
      workflowBundle,
    });
    await driver.runUntil(async () => {
      const ref = await svc.client.workflow.execute('driveStandardsActivity', {
        taskQueue: 'standards-test-driver',
        workflowId: `drive-${id}`,
        args: [{ versionId: id, publishedBy: 'admin-1' }],
      });
      expect(ref).toMatchObject({ id, status: 'PUBLISHED', effectiveFrom: at });

      const cancelledDraft = await gql(as.operator(), 'mutation { createStandardDraft(input: {}) { id } }');
      const draftId = cancelledDraft.body.data.createStandardDraft.id as string;
      const failure = await svc.client.workflow
        .execute('driveStandardsActivity', {
          taskQueue: 'standards-test-driver',
          workflowId: `drive-${draftId}`,
          args: [{ versionId: draftId, publishedBy: 'admin-1' }],
        })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause?.cause).toMatchObject({
        type: 'StandardPublicationCancelled',
        nonRetryable: true,
      });
    });
    await driverConnection.close();
    const { body } = await gql(as.partner(), 'query ($id: ID!) { standardVersion(id: $id) { status publishedBy } }', {
      id,
    });
    expect(body.data.standardVersion).toEqual({ status: 'PUBLISHED', publishedBy: 'admin-1' });
  }, 60_000);
});
