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
  const centre = await gql(
    CREATE_CENTRE,
    {
      input: {
        code: `E2E-CERT-${run}`,
        name: 'Certification e2e centre',
        tier: 'CORE',
        region: '310000',
        serviceAreas: ['310101'],
        productLines: ['REFRIGERATOR'],
        dailyCapacity: 20,
        contact: { name: 'Han Meimei', phone: '13900139000' },
      },
    },
    { token: operator },
  );
  centreId = centre.data!.createServiceCentre.id;
  const partner = await tokenFor('PARTNER', { centreId });
  const engineer = await gql(
    REGISTER,
    { input: { number: `E${run.replace(/\D/g, '').slice(0, 8)}`, name: 'Wang Wu', centreId } },
    { token: partner },
  );
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
    const licence = await gql(
      'query($id: ID!) { engineer(id: $id) { licence { pointsRemaining } } }',
      { id: engineerId },
      { token: operator },
    );
    expect(licence.data!.engineer.licence.pointsRemaining).toBe(9);
  });

  it('checks references with the services that own them: the centre (network) and the product line (standards)', async () => {
    const unknownCentre = await gql(
      REGISTER,
      { input: { number: `E${run.replace(/\D/g, '').slice(0, 7)}1`, name: 'Li Lei', centreId: 'no-such-centre' } },
      { token: operator },
    );
    expect(unknownCentre.codes).toEqual(['NOT_FOUND']);
    expect(unknownCentre.errors![0]!.extensions).toMatchObject({ field: 'centreId' });
    const certifications = [
      { productLine: 'SPACESHIP', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' },
    ];
    const unknownLine = await gql(
      REGISTER,
      { input: { number: `E${run.replace(/\D/g, '').slice(0, 7)}2`, name: 'Li Lei', centreId, certifications } },
      { token: operator },
    );
    expect(unknownLine.codes).toEqual(['BAD_USER_INPUT']);
    expect(unknownLine.errors![0]!.extensions).toMatchObject({ field: 'certifications[0].productLine' });
    const list = await gql(
      'query($c: ID!) { engineers(filter: { centreId: $c }) { totalCount } }',
      { c: centreId },
      { token: operator },
    );
    expect(list.data!.engineers.totalCount).toBe(1);
  });

  it('refuses unknown codes, other roles and other centres, and lets an engineer see only itself', async () => {
    expect(
      (await gql(RECORD, { id: engineerId, code: 'NOT_A_CODE', key: `k-${run}-1` }, { token: operator })).codes,
    ).toEqual(['BAD_USER_INPUT']);
    for (const role of ['CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'] as const) {
      const res = await gql(
        RECORD,
        { id: engineerId, code: 'LATE_ARRIVAL', key: `k-${run}-${role}` },
        { token: await tokenFor(role) },
      );
      expect(res.codes, role).toEqual(['FORBIDDEN']);
    }
    const otherPartner = await tokenFor('PARTNER', { centreId: 'some-other-centre' });
    expect(
      (await gql(REGISTER, { input: { number: 'E99999999', name: 'X', centreId } }, { token: otherPartner })).codes,
    ).toEqual(['FORBIDDEN']);
    const me = await tokenFor('ENGINEER', { engineerId });
    expect(
      (await gql('query($id: ID!) { engineer(id: $id) { number } }', { id: engineerId }, { token: me })).errors,
    ).toBeUndefined();
    const stranger = await tokenFor('ENGINEER', { engineerId: 'someone-else' });
    expect(
      (await gql('query($id: ID!) { engineer(id: $id) { number } }', { id: engineerId }, { token: stranger })).codes,
    ).toEqual(['FORBIDDEN']);
  });

  const register = async (suffix: string, extra: Record<string, unknown> = {}) => {
    const res = await gql(
      REGISTER,
      { input: { number: `EX-${run.replace(/\D/g, '').slice(0, 8)}${suffix}`, name: 'Zhao Liu', centreId, ...extra } },
      { token: operator },
    );
    expect(res.errors, suffix).toBeUndefined();
    return res.data!.registerEngineer.id as string;
  };
  const EXAM = `mutation($input: ExamResultInput!) { recordExamResult(input: $input) { kind passed } }`;
  const exam = (engineerId: string, kind: string, passed: boolean, token = operator) =>
    gql(
      EXAM,
      { input: { engineerId, kind, passed, score: passed ? 88 : 40, takenAt: new Date().toISOString() } },
      { token },
    );

  it('promotes one step with a passed exam and an EXEMPLARY licence, and says why not otherwise', async () => {
    const id = await register('31');
    const PROMOTE = 'mutation($id: ID!, $to: CareerLevel!) { promoteEngineer(engineerId: $id, to: $to) { level } }';
    const noExam = await gql(PROMOTE, { id, to: 'SERVICE_ENGINEER' }, { token: operator });
    expect([noExam.codes, noExam.errors![0]!.extensions!['currentState']]).toEqual([
      ['INVALID_TRANSITION'],
      'SERVICE_TECHNICIAN',
    ]);
    expect((await exam(id, 'JUNIOR', true, await tokenFor('PARTNER', { centreId }))).codes).toEqual(['FORBIDDEN']);
    expect((await exam(id, 'JUNIOR', true)).data!.recordExamResult).toEqual({ kind: 'JUNIOR', passed: true });
    // Passed, but the licence is NORMAL, not EXEMPLARY.
    expect((await gql(PROMOTE, { id, to: 'SERVICE_ENGINEER' }, { token: operator })).codes).toEqual([
      'INVALID_TRANSITION',
    ]);
    expectNoErrors(await gql(RECORD, { id, code: 'CUSTOMER_DELIGHT', key: `praise:${run}:31` }, { token: operator }));
    expect((await gql(PROMOTE, { id, to: 'SENIOR_ENGINEER' }, { token: operator })).codes).toEqual(['BAD_USER_INPUT']);
    expect(
      (await gql(PROMOTE, { id, to: 'SERVICE_ENGINEER' }, { token: await tokenFor('PARTNER', { centreId }) })).codes,
    ).toEqual(['FORBIDDEN']);
    expect((await gql(PROMOTE, { id, to: 'SERVICE_ENGINEER' }, { token: operator })).data!.promoteEngineer.level).toBe(
      'SERVICE_ENGINEER',
    );
  });

  it('revokes at 0 and reinstates only after a passed RETRAINING exam: a new licence at full points, the old one kept', async () => {
    const id = await register('32');
    for (const [i, code] of ['OVERCHARGE', 'MAJOR_COMPLAINT'].entries())
      expectNoErrors(await gql(RECORD, { id, code, key: `ticket:${run}:32:${i}` }, { token: operator }));
    const REINSTATE =
      'mutation($id: ID!) { reinstateLicence(engineerId: $id) { generation pointsRemaining status maxPoints } }';
    const early = await gql(REINSTATE, { id }, { token: operator });
    expect([early.codes, early.errors![0]!.extensions!['currentState']]).toEqual([['INVALID_TRANSITION'], 'REVOKED']);
    expect((await exam(id, 'RETRAINING', false)).errors).toBeUndefined();
    expect((await gql(REINSTATE, { id }, { token: operator })).codes).toEqual(['INVALID_TRANSITION']);
    expect((await exam(id, 'RETRAINING', true)).errors).toBeUndefined();
    expect((await gql(REINSTATE, { id }, { token: await tokenFor('PARTNER', { centreId }) })).codes).toEqual([
      'FORBIDDEN',
    ]);
    expect((await gql(REINSTATE, { id }, { token: operator })).data!.reinstateLicence).toEqual({
      generation: 2,
      pointsRemaining: 12,
      status: 'NORMAL',
      maxPoints: 12,
    });
    const again = await gql(REINSTATE, { id }, { token: operator });
    expect([again.codes, again.errors![0]!.extensions!['currentState']]).toEqual([['INVALID_TRANSITION'], 'NORMAL']);
    const history = (
      await gql(
        'query($id: ID!) { engineer(id: $id) { licenceHistory { generation status archivedAt } } }',
        { id },
        { token: operator },
      )
    ).data!.engineer.licenceHistory;
    expect(history.map((l: any) => [l.generation, l.status, l.archivedAt !== null])).toEqual([
      [2, 'NORMAL', false],
      [1, 'REVOKED', true],
    ]);
  });

  it('certifies a product line of the standard, and refuses a duplicate number, writing nothing', async () => {
    const id = await register('33');
    const CERTIFY =
      `mutation($id: ID!, $c: CertificationInput!) { certifyEngineer(engineerId: $id, certification: $c) { ` +
      `certifications { productLine expiresAt } } }`;
    const line = (productLine: string) => ({
      productLine,
      issuedAt: '2026-01-01T00:00:00Z',
      expiresAt: '2029-01-01T00:00:00Z',
    });
    const certified = await gql(CERTIFY, { id, c: line('WASHING_MACHINE') }, { token: operator });
    expect(certified.data!.certifyEngineer.certifications).toEqual([
      { productLine: 'WASHING_MACHINE', expiresAt: '2029-01-01T00:00:00.000Z' },
    ]);
    expect((await gql(CERTIFY, { id, c: line('SPACESHIP') }, { token: operator })).codes).toEqual(['BAD_USER_INPUT']);
    expect(
      (await gql(CERTIFY, { id, c: line('WASHING_MACHINE') }, { token: await tokenFor('PARTNER', { centreId }) }))
        .codes,
    ).toEqual(['FORBIDDEN']);
    const number = `EX-${run.replace(/\D/g, '').slice(0, 8)}33`;
    expect((await gql(REGISTER, { input: { number, name: 'Copy', centreId } }, { token: operator })).codes).toEqual([
      'CONFLICT',
    ]);
    const list = await gql(
      'query($c: ID!) { engineers(filter: { centreId: $c }, first: 100) { edges { node { number } } } }',
      { c: centreId },
      { token: operator },
    );
    expect(list.data!.engineers.edges.filter((e: any) => e.node.number === number)).toHaveLength(1);
  });

  it("lets an engineer read its own licence, ledger and centre, and nobody else's ledger", async () => {
    const LEDGER =
      'query($id: ID!) { engineer(id: $id) { centreId centre { id code } licence { pointsRemaining ledger { ' +
      'code points evidenceKey } } } }';
    const withCentre = await gql(
      LEDGER,
      { id: engineerId },
      { token: await tokenFor('ENGINEER', { engineerId, centreId }) },
    );
    expect(withCentre.errors).toBeUndefined();
    expect(withCentre.data!.engineer).toMatchObject({
      centreId,
      centre: { id: centreId, code: `E2E-CERT-${run}` },
      licence: { pointsRemaining: 9 },
    });
    expect(withCentre.data!.engineer.licence.ledger).toEqual([
      { code: 'PROMISE_BROKEN', points: -3, evidenceKey: `ticket:T-${run}:PROMISE_BROKEN` },
    ]);
    // A token that names no centre still reads the engineer; the centre it may not see is null.
    const noCentre = await gql(LEDGER, { id: engineerId }, { token: await tokenFor('ENGINEER', { engineerId }) });
    expect(noCentre.errors).toBeUndefined();
    expect(noCentre.data!.engineer).toMatchObject({ centreId, centre: null, licence: { pointsRemaining: 9 } });
    const other = await register('34');
    const stranger = await gql(LEDGER, { id: other }, { token: await tokenFor('ENGINEER', { engineerId, centreId }) });
    expect([stranger.codes, stranger.data?.engineer ?? null]).toEqual([['FORBIDDEN'], null]);
  });
});

function expectNoErrors(res: { errors?: unknown }) {
  expect(res.errors).toBeUndefined();
}
