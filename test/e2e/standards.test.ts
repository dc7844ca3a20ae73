import { beforeAll, describe, expect, it } from 'vitest';
import { gql, tokenFor } from './client.ts';

const VERSION = `id number name status effectiveFrom
  kpis { code weight target floor }
  grading { aMinScore bMinScore minCompletions }
  labourFees { productLine serviceType areaClass feeFen }`;
const CREATE = `mutation($input: CreateStandardDraftInput!) { createStandardDraft(input: $input) { ${VERSION} } }`;
const UPDATE =
  `mutation($id: ID!, $content: StandardContentInput!) { updateStandardDraft(id: $id, content: $content) { ` +
  `${VERSION} } }`;
const DISCARD = 'mutation($id: ID!) { discardStandardDraft(id: $id) }';
const PUBLISH =
  `mutation($id: ID!, $at: DateTime, $key: String) { publishStandardVersion(id: $id, effectiveFrom: $at, ` +
  `idempotencyKey: $key) { ${VERSION} } }`;
const CANCEL = `mutation($id: ID!) { cancelScheduledPublication(id: $id) { ${VERSION} } }`;
const GET = `query($id: ID!) { standardVersion(id: $id) { ${VERSION} history { actor action } } }`;
const COUNT = 'query { standardVersions(first: 1) { totalCount } }';

let admin: string;
let operator: string;

beforeAll(async () => {
  admin = await tokenFor('ADMIN');
  operator = await tokenFor('OPERATOR');
});

async function totalVersions(): Promise<number> {
  const res = await gql(COUNT, {}, { token: admin });
  return res.data!.standardVersions.totalCount as number;
}

async function newDraft(name = 'e2e draft'): Promise<Record<string, any>> {
  const res = await gql(CREATE, { input: { content: { name } } }, { token: operator });
  expect(res.errors).toBeUndefined();
  return res.data!.createStandardDraft;
}

describe('the default standard', () => {
  it('is published on first start with the default numbers of docs/domain.md §3', async () => {
    const res = await gql(
      `{ standardVersions(status: PUBLISHED, first: 100) { edges { node { number kpis { code weight } ` +
        `grading { aMinScore bMinScore minCompletions } } } } }`,
      {},
      { token: admin },
    );
    const first = res.data!.standardVersions.edges.map((e: any) => e.node).find((v: any) => v.number === 1);
    expect(first.grading).toEqual({ aMinScore: 90, bMinScore: 75, minCompletions: 10 });
    expect(Object.fromEntries(first.kpis.map((k: any) => [k.code, k.weight]))).toEqual({
      SATISFACTION_RATE: 30,
      INFORMATION_TIMELINESS: 15,
      DISPATCH_LEFTOVER: 15,
      COMPLAINT_RATE: 20,
      PARTS_MISJUDGEMENT: 10,
      DELIGHT_RATE: 10,
    });
  });
});

describe('who may do what with standards', () => {
  it('lets OPERATOR and ADMIN draft, and no one else', async () => {
    for (const role of ['ADMIN', 'OPERATOR'] as const) {
      const res = await gql(CREATE, { input: { content: { name: `by ${role}` } } }, { token: await tokenFor(role) });
      expect(res.errors, role).toBeUndefined();
      expect(res.data!.createStandardDraft.status).toBe('DRAFT');
    }
    const before = await totalVersions();
    for (const role of ['CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'] as const) {
      const res = await gql(CREATE, { input: { content: { name: `by ${role}` } } }, { token: await tokenFor(role) });
      expect(res.codes, role).toEqual(['FORBIDDEN']);
    }
    expect(await totalVersions()).toBe(before);
  });

  it('lets only ADMIN publish', async () => {
    const draft = await newDraft();
    for (const role of ['OPERATOR', 'CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'] as const) {
      const res = await gql(PUBLISH, { id: draft.id }, { token: await tokenFor(role) });
      expect(res.codes, role).toEqual(['FORBIDDEN']);
    }
    const still = await gql(GET, { id: draft.id }, { token: admin });
    expect(still.data!.standardVersion.status).toBe('DRAFT');
  });

  it('hides drafts from roles that cannot edit them', async () => {
    const draft = await newDraft();
    for (const role of ['CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'] as const) {
      const res = await gql(GET, { id: draft.id }, { token: await tokenFor(role) });
      expect(res.data?.standardVersion ?? null, role).toBeNull();
    }
  });
});

describe('bad input changes nothing', () => {
  it('refuses malformed drafts with BAD_USER_INPUT naming the field', async () => {
    const before = await totalVersions();
    const kpis = [
      {
        code: 'SATISFACTION_RATE',
        name: 's',
        formula: 'f',
        direction: 'HIGHER_IS_BETTER',
        target: 0.95,
        floor: 0.8,
        weight: 31,
      },
      {
        code: 'INFORMATION_TIMELINESS',
        name: 's',
        formula: 'f',
        direction: 'HIGHER_IS_BETTER',
        target: 0.98,
        floor: 0.85,
        weight: 15,
      },
      {
        code: 'DISPATCH_LEFTOVER',
        name: 's',
        formula: 'f',
        direction: 'LOWER_IS_BETTER',
        target: 0.02,
        floor: 0.1,
        weight: 15,
      },
      {
        code: 'COMPLAINT_RATE',
        name: 's',
        formula: 'f',
        direction: 'LOWER_IS_BETTER',
        target: 0.01,
        floor: 0.05,
        weight: 20,
      },
      {
        code: 'PARTS_MISJUDGEMENT',
        name: 's',
        formula: 'f',
        direction: 'LOWER_IS_BETTER',
        target: 0.03,
        floor: 0.15,
        weight: 10,
      },
      {
        code: 'DELIGHT_RATE',
        name: 's',
        formula: 'f',
        direction: 'HIGHER_IS_BETTER',
        target: 0.05,
        floor: 0,
        weight: 10,
      },
    ];
    const cases: [string, Record<string, unknown>][] = [
      ['kpis', { kpis }],
      ['grading', { grading: { aMinScore: 70, bMinScore: 75, minCompletions: 10 } }],
      [
        'feeFen',
        { labourFees: [{ productLine: 'REFRIGERATOR', serviceType: 'REPAIR', areaClass: 'URBAN', feeFen: -1 }] },
      ],
      ['name', { name: 'x'.repeat(5000) }],
    ];
    for (const [field, content] of cases) {
      const res = await gql(CREATE, { input: { content } }, { token: operator });
      expect(res.codes, field).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.message, field).toContain(field);
    }
    const wrongType = await gql(
      CREATE,
      { input: { content: { grading: { aMinScore: 'ninety', bMinScore: 75, minCompletions: 10 } } } },
      { token: operator },
    );
    expect(wrongType.codes).toEqual(['BAD_USER_INPUT']);
    const unknownBase = await gql(CREATE, { input: { basedOn: 'no-such-version' } }, { token: operator });
    expect(unknownBase.codes).toEqual(['NOT_FOUND']);
    expect(await totalVersions()).toBe(before);
  });

  it('refuses bad edits, discards and publications and leaves the draft as it was', async () => {
    const draft = await newDraft('kept as is');
    const badEdit = await gql(
      UPDATE,
      { id: draft.id, content: { grading: { aMinScore: 90, bMinScore: 95, minCompletions: 10 } } },
      { token: operator },
    );
    expect(badEdit.codes).toEqual(['BAD_USER_INPUT']);
    expect((await gql(UPDATE, { id: 'nope', content: { name: 'x' } }, { token: operator })).codes).toEqual([
      'NOT_FOUND',
    ]);
    expect((await gql(DISCARD, { id: 'nope' }, { token: operator })).codes).toEqual(['NOT_FOUND']);
    expect((await gql(PUBLISH, { id: draft.id, at: 'yesterday' }, { token: admin })).codes).toEqual(['BAD_USER_INPUT']);
    expect((await gql(PUBLISH, { id: draft.id, at: '2001-01-01T00:00:00Z' }, { token: admin })).codes).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect((await gql(CANCEL, { id: draft.id }, { token: admin })).codes).toEqual(['INVALID_TRANSITION']);
    const after = await gql(GET, { id: draft.id }, { token: admin });
    expect(after.data!.standardVersion).toMatchObject({ status: 'DRAFT', name: 'kept as is', grading: draft.grading });
  });

  it('keeps published versions immutable', async () => {
    const inForce = await gql('{ standardInForce { id } }', {}, { token: admin });
    const id = inForce.data!.standardInForce.id;
    const edit = await gql(UPDATE, { id, content: { name: 'rewrite history' } }, { token: admin });
    expect(edit.codes).toEqual(['INVALID_TRANSITION']);
    expect(edit.errors![0]!.extensions!['currentState']).toBe('PUBLISHED');
    expect((await gql(DISCARD, { id }, { token: admin })).codes).toEqual(['INVALID_TRANSITION']);
  });
});

describe('publication', () => {
  it('replays a publication key without publishing twice', async () => {
    const draft = await newDraft('published now');
    const key = `e2e-publish-${draft.id}`;
    const first = await gql(PUBLISH, { id: draft.id, key }, { token: admin });
    expect(first.errors).toBeUndefined();
    expect(first.data!.publishStandardVersion.status).toBe('PUBLISHED');
    const replay = await gql(PUBLISH, { id: draft.id, key }, { token: admin });
    expect(replay.data!.publishStandardVersion).toEqual(first.data!.publishStandardVersion);
    const history = await gql(GET, { id: draft.id }, { token: admin });
    expect(history.data!.standardVersion.history.filter((h: any) => /publish/i.test(h.action))).toHaveLength(1);
    const noKey = await gql(PUBLISH, { id: draft.id }, { token: admin });
    expect(noKey.codes).toEqual(['INVALID_TRANSITION']);
  });

  it('puts a scheduled version in force at its effective instant, through the workflow', async () => {
    const draft = await newDraft('scheduled');
    // Beyond the 5 s within which the service publishes at once.
    const at = new Date(Date.now() + 8_000).toISOString();
    const scheduled = await gql(PUBLISH, { id: draft.id, at }, { token: admin });
    expect(scheduled.errors).toBeUndefined();
    expect(scheduled.data!.publishStandardVersion.status).toBe('SCHEDULED');
    const edit = await gql(UPDATE, { id: draft.id, content: { name: 'too late' } }, { token: operator });
    expect(edit.codes).toEqual(['INVALID_TRANSITION']);

    let status = 'SCHEDULED';
    for (let i = 0; i < 100 && status !== 'PUBLISHED'; i++) {
      await new Promise((r) => setTimeout(r, 300));
      status = (await gql(GET, { id: draft.id }, { token: admin })).data!.standardVersion.status;
    }
    expect(status).toBe('PUBLISHED');
    const inForce = await gql('{ standardInForce { id effectiveFrom } }', {}, { token: await tokenFor('PARTNER') });
    expect(inForce.data!.standardInForce).toEqual({ id: draft.id, effectiveFrom: new Date(at).toISOString() });
    const before = await gql(
      `query($at: DateTime) { standardInForce(at: $at) { id } }`,
      { at: new Date(Date.parse(at) - 1).toISOString() },
      { token: admin },
    );
    expect(before.data!.standardInForce.id).not.toBe(draft.id);
  });

  it('lets an admin cancel a scheduled publication, which never happens', async () => {
    const draft = await newDraft('withdrawn');
    const at = new Date(Date.now() + 3 * 24 * 3600_000).toISOString();
    expect((await gql(PUBLISH, { id: draft.id, at }, { token: admin })).data!.publishStandardVersion.status).toBe(
      'SCHEDULED',
    );
    expect((await gql(CANCEL, { id: draft.id }, { token: operator })).codes).toEqual(['FORBIDDEN']);
    const cancelled = await gql(CANCEL, { id: draft.id }, { token: admin });
    expect(cancelled.data!.cancelScheduledPublication.status).toBe('DRAFT');
    expect(cancelled.data!.cancelScheduledPublication.effectiveFrom).toBeNull();
    // Discarding it is now allowed, and it is gone.
    expect((await gql(DISCARD, { id: draft.id }, { token: operator })).data!.discardStandardDraft).toBe(draft.id);
    expect((await gql(GET, { id: draft.id }, { token: admin })).data!.standardVersion).toBeNull();
  });
});

/**
 * In this file rather than certification's: publications here must not race another file's, and
 * tests in one file run in order. The e2e stack keeps the standard in force for 200 ms only.
 */
describe('other services follow the standard in force', () => {
  it('certification deducts by the points of a version published a moment ago', async () => {
    const inForce = await gql('{ standardInForce { pointRules { code kind points label } } }', {}, { token: admin });
    const pointRules = inForce.data!.standardInForce.pointRules.map((r: any) =>
      r.code === 'SMALL_IMPROVEMENT' ? { ...r, points: 3 } : r,
    );
    const draft = await gql(
      CREATE,
      { input: { content: { name: 'bigger improvement credit', pointRules } } },
      { token: operator },
    );
    const published = await gql(PUBLISH, { id: draft.data!.createStandardDraft.id }, { token: admin });
    expect(published.data!.publishStandardVersion.status).toBe('PUBLISHED');

    const suffix = `${process.pid % 1000}${Date.now() % 100000}`;
    const centre = await gql(
      'mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }',
      {
        input: {
          code: `E2E-STD-${suffix}`,
          name: 'Standards e2e centre',
          tier: 'STANDARD',
          region: '370200',
          serviceAreas: ['370202'],
          productLines: ['WASHING_MACHINE'],
          dailyCapacity: 10,
          contact: { name: 'Zhao Liu', phone: '13700137000' },
        },
      },
      { token: operator },
    );
    const engineer = await gql(
      'mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id } }',
      {
        input: { number: `S${suffix}`.slice(0, 11), name: 'Sun Qi', centreId: centre.data!.createServiceCentre.id },
      },
      { token: operator },
    );
    expect(engineer.errors).toBeUndefined();
    const record = (key: string) =>
      gql(
        'mutation($id: ID!, $key: String!) { recordLicenceEvent(engineerId: $id, code: "SMALL_IMPROVEMENT", ' +
          'evidenceKey: $key) { points standardVersionId } }',
        { id: engineer.data!.registerEngineer.id, key },
        { token: operator },
      );
    await new Promise((r) => setTimeout(r, 300));
    const entry = await record(`audit:e2e-${suffix}`);
    expect(entry.data!.recordLicenceEvent).toEqual({
      points: 3,
      standardVersionId: draft.data!.createStandardDraft.id,
    });
  });
});
