import { beforeAll, describe, expect, it } from 'vitest';
import { gql, tokenFor } from './client.ts';

const run = `${process.pid}-${Date.now() % 100000}`;
const CREATE_CENTRE = 'mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }';
const REGISTER = 'mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id number } }';
const RECORD = `mutation($id: ID!, $code: String!, $key: String!) {
  recordLicenceEvent(engineerId: $id, code: $code, evidenceKey: $key) { code points evidenceKey } }`;

let operator: string;
let centreId: string;
let engineerId: string;

beforeAll(async () => {
  operator = await tokenFor('OPERATOR');
  const centre = await gql(CREATE_CENTRE, {
    input: {
      code: `E2E-CERT-${run}`, name: 'Certification e2e centre', tier: 'CORE', region: '310000', serviceAreas: ['310101'],
      productLines: ['REFRIGERATOR'], dailyCapacity: 20, contact: { name: 'Han Meimei', phone: '13900139000' },
    },
  }, { token: operator });
  centreId = centre.data!.createServiceCentre.id;
  const partner = await tokenFor('PARTNER', { centreId });
  const engineer = await gql(REGISTER, { input: { number: `E${run.replace(/\D/g, '').slice(0, 8)}`, name: 'Wang Wu', centreId } }, { token: partner });
  expect(engineer.errors).toBeUndefined();
  engineerId = engineer.data!.registerEngineer.id;
});

describe('engineers and licences through the gateway', () => {
  it('joins the two subgraphs: an engineer’s centre and a centre’s engineers', async () => {
    const res = await gql(
      `query($id: ID!, $centre: ID!) {
        engineer(id: $id) { number centre { id code status } licence { pointsRemaining status } }
        serviceCentre(id: $centre) { code engineers(first: 10) { edges { node { id } } } }
      }`,
      { id: engineerId, centre: centreId },
      { token: operator },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.engineer.centre).toMatchObject({ id: centreId, status: 'ONBOARDING' });
    expect(res.data!.engineer.licence).toEqual({ pointsRemaining: 12, status: 'NORMAL' });
    expect(res.data!.serviceCentre.engineers.edges.map((e: any) => e.node.id)).toEqual([engineerId]);
  });

  it('deducts a violation once per evidence key, with the points from the catalogue', async () => {
    const key = `ticket:T-${run}:PROMISE_BROKEN`;
    const first = await gql(RECORD, { id: engineerId, code: 'PROMISE_BROKEN', key }, { token: operator });
    expect(first.data!.recordLicenceEvent).toMatchObject({ code: 'PROMISE_BROKEN', points: -3 });
    const replay = await gql(RECORD, { id: engineerId, code: 'PROMISE_BROKEN', key }, { token: operator });
    expect(replay.data!.recordLicenceEvent).toEqual(first.data!.recordLicenceEvent);
    const licence = await gql('query($id: ID!) { engineer(id: $id) { licence { pointsRemaining } } }', { id: engineerId }, { token: operator });
    expect(licence.data!.engineer.licence.pointsRemaining).toBe(9);
  });

  it('checks references with the services that own them: the centre (network) and the product line (standards)', async () => {
    const unknownCentre = await gql(REGISTER, { input: { number: `E${run.replace(/\D/g, '').slice(0, 7)}1`, name: 'Li Lei', centreId: 'no-such-centre' } }, { token: operator });
    expect(unknownCentre.codes).toEqual(['NOT_FOUND']);
    expect(unknownCentre.errors![0]!.extensions).toMatchObject({ field: 'centreId' });
    const certifications = [{ productLine: 'SPACESHIP', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' }];
    const unknownLine = await gql(REGISTER, { input: { number: `E${run.replace(/\D/g, '').slice(0, 7)}2`, name: 'Li Lei', centreId, certifications } }, { token: operator });
    expect(unknownLine.codes).toEqual(['BAD_USER_INPUT']);
    expect(unknownLine.errors![0]!.extensions).toMatchObject({ field: 'certifications[0].productLine' });
    const list = await gql('query($c: ID!) { engineers(filter: { centreId: $c }) { totalCount } }', { c: centreId }, { token: operator });
    expect(list.data!.engineers.totalCount).toBe(1);
  });

  it('refuses unknown codes, other roles and other centres, and lets an engineer see only itself', async () => {
    expect((await gql(RECORD, { id: engineerId, code: 'NOT_A_CODE', key: `k-${run}-1` }, { token: operator })).codes).toEqual(['BAD_USER_INPUT']);
    for (const role of ['CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'] as const) {
      const res = await gql(RECORD, { id: engineerId, code: 'LATE_ARRIVAL', key: `k-${run}-${role}` }, { token: await tokenFor(role) });
      expect(res.codes, role).toEqual(['FORBIDDEN']);
    }
    const otherPartner = await tokenFor('PARTNER', { centreId: 'some-other-centre' });
    expect((await gql(REGISTER, { input: { number: 'E99999999', name: 'X', centreId } }, { token: otherPartner })).codes).toEqual(['FORBIDDEN']);
    const me = await tokenFor('ENGINEER', { engineerId });
    expect((await gql('query($id: ID!) { engineer(id: $id) { number } }', { id: engineerId }, { token: me })).errors).toBeUndefined();
    const stranger = await tokenFor('ENGINEER', { engineerId: 'someone-else' });
    expect((await gql('query($id: ID!) { engineer(id: $id) { number } }', { id: engineerId }, { token: stranger })).codes).toEqual(['FORBIDDEN']);
  });
});
