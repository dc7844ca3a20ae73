import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { CentreRef, NetworkActivities, StandardsActivities } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { startCertification } from '../src/main.ts';
import { serviceUnderTest } from '../../../common/test/service-process.ts';
import { DEFAULT_LICENCE_POLICY } from './policy.ts';
import { engineerInput } from './support.ts';

/** The network's centres, as its stand-in tells them. */
const SERVES = { serviceAreas: ['310115'], productLines: ['AIR_CONDITIONER'] };
const centres = new Map<string, CentreRef>([
  ['centre-1', { id: 'centre-1', code: 'C1', status: 'ACTIVE', tier: 'STANDARD', ...SERVES }],
]);
const standards: Pick<StandardsActivities, 'licencePolicyAt'> = {
  licencePolicyAt: async () => ({
    ...DEFAULT_LICENCE_POLICY,
    pointRules: [...DEFAULT_LICENCE_POLICY.pointRules],
    productLines: [...DEFAULT_LICENCE_POLICY.productLines],
    validUntil: null,
  }),
};
const network: Pick<NetworkActivities, 'centreRef'> = {
  centreRef: async ({ centreId }) => centres.get(centreId) ?? null,
};

const svc = serviceUnderTest({
  name: 'certification',
  databaseVariable: 'CERTIFICATION_DB',
  start: startCertification,
  neighbours: { standards, network },
});
const gql = svc.gql;

describe('the certification process', () => {
  it('reports health and readiness, serves signed callers and refuses unsigned ones', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    const ready = await fetch(`${svc.url}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready', service: 'certification' });
    const { body } = await gql(as.operator(), '{ engineers { totalCount } }');
    expect(body.data.engineers.totalCount).toBe(0);
    const unsigned = await fetch(`${svc.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ engineers { totalCount } }' }),
    });
    expect(unsigned.status).toBe(401);
  });

  it('asks the network service, through Temporal, whether the centre exists', async () => {
    const REGISTER = 'mutation ($i: RegisterEngineerInput!) { registerEngineer(input: $i) { id centreId } }';
    const missing = await gql(as.operator(), REGISTER, { i: engineerInput({ centreId: 'centre-404' }) });
    expect(missing.body.errors?.map((e) => e.extensions.code)).toEqual(['NOT_FOUND']);
    centres.set('centre-404', { id: 'centre-404', code: 'C404', status: 'ACTIVE', tier: 'UMBRELLA', ...SERVES });
    const found = await gql(as.operator(), REGISTER, { i: engineerInput({ centreId: 'centre-404' }) });
    expect(found.body.data.registerEngineer.centreId).toBe('centre-404');
  }, 30_000);

  it('runs the activities on the certification task queue; retried calls apply once', async () => {
    const created = await gql(
      as.operator(),
      'mutation ($i: RegisterEngineerInput!) { registerEngineer(input: $i) { id } }',
      { i: engineerInput() },
    );
    const engineerId = created.body.data.registerEngineer.id as string;
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./fixtures/activity-driver.workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const driverConnection = await NativeConnection.connect({ address: svc.temporalAddress });
    const driver = await Worker.create({
      connection: driverConnection,
      taskQueue: 'certification-test-driver',
      workflowBundle,
    });
    const result = await driver.runUntil(() =>
      svc.client.workflow.execute('driveCertificationActivities', {
        taskQueue: 'certification-test-driver',
        workflowId: `drive-certification-${engineerId}`,
        args: [
          { engineerId, at: new Date().toISOString(), cycleEnd: new Date(Date.now() + 400 * 86_400_000).toISOString() },
        ],
      }),
    );
    await driverConnection.close();
    expect(result).toMatchObject({
      first: { created: true, pointsRemaining: 6, status: 'WARNING' },
      second: { created: false, pointsRemaining: 6 },
      withinCap: { allowed: true },
      overCap: { allowed: false, reason: expect.stringContaining('at most 4 jobs a day (50% of 8)') },
      // Both engineers registered in this file have a cycle ending before cycleEnd.
      review: { processed: 2, rolled: 2, nextCursor: null },
      reviewAgain: { processed: 2, rolled: 0, flagged: 0 },
    });
    const { body } = await gql(
      as.engineer(engineerId),
      'query ($id: ID!) { engineer(id: $id) { licence { pointsRemaining status ledger { code } } } }',
      { id: engineerId },
    );
    expect(body.data.engineer.licence).toEqual({
      pointsRemaining: 12,
      status: 'NORMAL',
      ledger: [{ code: 'OVERCHARGE' }],
    });
  }, 60_000);
});
