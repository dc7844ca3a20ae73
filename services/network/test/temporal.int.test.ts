import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { StandardsActivities } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { startNetwork } from '../src/main.ts';
import { serviceUnderTest } from '../../../common/test/service-process.ts';
import { STANDARD_PRODUCT_LINES, centreInput } from './support.ts';

const standards: Pick<StandardsActivities, 'productLinesAt' | 'standardVersion'> = {
  productLinesAt: async () => ({ ...STANDARD_PRODUCT_LINES, validUntil: null }),
  standardVersion: async ({ versionId }) =>
    versionId === STANDARD_PRODUCT_LINES.standardVersionId
      ? {
          id: versionId,
          number: 1,
          status: 'PUBLISHED',
          effectiveFrom: '2026-01-01T00:00:00.000Z',
          publishedAt: '2026-01-01T00:00:00.000Z',
        }
      : null,
};
const svc = serviceUnderTest({
  name: 'network',
  databaseVariable: 'NETWORK_DB',
  start: startNetwork,
  neighbours: { standards },
});
const gql = svc.gql;

describe('the network process', () => {
  it('reports health and readiness', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    const ready = await fetch(`${svc.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', service: 'network' });
  });

  it('serves gateway-signed callers, masks schema errors as BAD_USER_INPUT and refuses unsigned ones', async () => {
    const { body } = await gql(as.finance(), '{ serviceCentres { totalCount } }');
    expect(body.data.serviceCentres.totalCount).toBe(0);
    const bad = await gql(
      as.admin(),
      'mutation ($i: CreateServiceCentreInput!) { createServiceCentre(input: $i) { id } }',
      { i: centreInput({ tier: 'GOLD' }) },
    );
    expect(bad.body.errors?.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    const unsigned = await fetch(`${svc.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serviceCentres { totalCount } }' }),
    });
    expect(unsigned.status).toBe(401);
  });

  it('runs the activities on the network task queue; retried calls apply once', async () => {
    const input = centreInput({ serviceAreas: ['330106'], productLines: ['WATER_HEATER'] });
    const created = await gql(
      as.admin(),
      'mutation ($i: CreateServiceCentreInput!) { createServiceCentre(input: $i) { id } }',
      { i: input },
    );
    const centreId = created.body.data.createServiceCentre.id as string;
    await gql(as.admin(), 'mutation ($id: ID!) { activateServiceCentre(id: $id) { status } }', { id: centreId });

    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./fixtures/activity-driver.workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const driverConnection = await NativeConnection.connect({ address: svc.temporalAddress });
    const driver = await Worker.create({
      connection: driverConnection,
      taskQueue: 'network-test-driver',
      workflowBundle,
    });
    const result = await driver.runUntil(() =>
      svc.client.workflow.execute('driveNetworkActivities', {
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
    const { body } = await gql(
      as.partner(centreId),
      'query ($id: ID!) { serviceCentre(id: $id) { status grades { month grade } } }',
      { id: centreId },
    );
    expect(body.data.serviceCentre).toEqual({ status: 'SUSPENDED', grades: [{ month: '2026-10', grade: 'A' }] });
  }, 60_000);
});
