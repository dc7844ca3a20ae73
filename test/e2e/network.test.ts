import { beforeAll, describe, expect, it } from 'vitest';
import { gql, tokenFor } from './client.ts';

const CREATE = `mutation($input: CreateServiceCentreInput!, $key: String) {
  createServiceCentre(input: $input, idempotencyKey: $key) { id code level status } }`;
const GET = 'query($id: ID!) { serviceCentre(id: $id) { id code status statusHistory { to reason } } }';
const SUSPEND = 'mutation($id: ID!) { suspendServiceCentre(id: $id, reason: "e2e") { status } }';

const run = `${process.pid}-${Date.now() % 100000}`;
const centre = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  name: `Centre ${code}`,
  tier: 'CORE',
  region: '310000',
  serviceAreas: ['310101'],
  productLines: ['REFRIGERATOR'],
  dailyCapacity: 20,
  contact: { name: 'Li Lei', phone: '13800138000' },
  ...extra,
});

let operator: string;
beforeAll(async () => {
  operator = await tokenFor('OPERATOR');
});

describe('the partner network through the gateway', () => {
  it('lets an operator register a centre, and replays the same key without a second one', async () => {
    const input = centre(`E2E-${run}-A`);
    const key = `e2e-centre-${run}`;
    const first = await gql(CREATE, { input, key }, { token: operator });
    expect(first.errors).toBeUndefined();
    expect(first.data!.createServiceCentre).toMatchObject({ code: input.code, status: 'ONBOARDING', level: 1 });
    const replay = await gql(CREATE, { input, key }, { token: operator });
    expect(replay.data!.createServiceCentre.id).toBe(first.data!.createServiceCentre.id);
    const duplicate = await gql(CREATE, { input }, { token: operator });
    expect(duplicate.codes).toEqual(['CONFLICT']);
  });

  it('refuses bad input and other roles, writing nothing', async () => {
    const code = `E2E-${run}-B`;
    // SPACESHIP is well-formed but no product line of the standard in force (asked of the standards service).
    for (const bad of [
      { dailyCapacity: -1 },
      { region: 'shanghai' },
      { contact: { name: 'x', phone: '12' } },
      { tier: 'UMBRELLA' },
      { productLines: ['SPACESHIP'] },
    ]) {
      const res = await gql(CREATE, { input: centre(code, bad) }, { token: operator });
      expect(res.codes, JSON.stringify(bad)).toEqual(['BAD_USER_INPUT']);
    }
    for (const role of ['CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'] as const) {
      const res = await gql(CREATE, { input: centre(code) }, { token: await tokenFor(role) });
      expect(res.codes, role).toEqual(['FORBIDDEN']);
    }
    const lookup = await gql(
      'query($code: String!) { serviceCentreByCode(code: $code) { id } }',
      { code },
      { token: operator },
    );
    expect(lookup.data?.serviceCentreByCode ?? null).toBeNull();
  });

  it('shows a partner its own centre only, and refuses an illegal transition naming the state', async () => {
    const own = await gql(CREATE, { input: centre(`E2E-${run}-C`) }, { token: operator });
    const other = await gql(CREATE, { input: centre(`E2E-${run}-D`) }, { token: operator });
    const ownId = own.data!.createServiceCentre.id as string;
    const partner = await tokenFor('PARTNER', { centreId: ownId });
    expect((await gql(GET, { id: ownId }, { token: partner })).data!.serviceCentre.id).toBe(ownId);
    expect((await gql(GET, { id: other.data!.createServiceCentre.id }, { token: partner })).codes).toEqual([
      'FORBIDDEN',
    ]);
    const illegal = await gql(SUSPEND, { id: ownId }, { token: operator });
    expect(illegal.codes).toEqual(['INVALID_TRANSITION']);
    expect(illegal.errors![0]!.extensions!['currentState']).toBe('ONBOARDING');
  });

  it('builds the four levels and serves a portal the tree, the filters and the pages', async () => {
    const make = async (suffix: string, extra: Record<string, unknown>) => {
      const res = await gql(CREATE, { input: centre(`E2E-${run}-T${suffix}`, extra) }, { token: operator });
      expect(res.errors, suffix).toBeUndefined();
      return res.data!.createServiceCentre as { id: string; level: number };
    };
    const hq = await make('HQ', { tier: 'FLAGSHIP' });
    const regional = await make('RG', { parentId: hq.id });
    const star1 = await make('S1', { parentId: regional.id, tier: 'STANDARD' });
    const star2 = await make('S2', {
      parentId: regional.id,
      tier: 'STANDARD',
      region: '320000',
      serviceAreas: ['320102'],
      productLines: ['WASHING_MACHINE'],
    });
    const umbrella = await make('U1', { parentId: star1.id, tier: 'UMBRELLA' });
    expect([hq, regional, star1, star2, umbrella].map((c) => c.level)).toEqual([1, 2, 3, 3, 4]);
    // A centre below the umbrella level, and an umbrella store without a star centre, are refused.
    expect(
      (
        await gql(
          CREATE,
          { input: centre(`E2E-${run}-TX`, { parentId: umbrella.id, tier: 'STANDARD' }) },
          { token: operator },
        )
      ).codes,
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      (
        await gql(
          CREATE,
          { input: centre(`E2E-${run}-TY`, { parentId: regional.id, tier: 'UMBRELLA' }) },
          { token: operator },
        )
      ).codes,
    ).toEqual(['BAD_USER_INPUT']);

    const TREE = `query($root: ID!, $depth: Int) { networkTree(rootId: $root, depth: $depth) {
      truncated root { id } nodes { depth parentId centre { id levelName } } } }`;
    const whole = (await gql(TREE, { root: hq.id }, { token: operator })).data!.networkTree;
    expect(whole.truncated).toBe(false);
    expect(whole.nodes.map((n: any) => [n.centre.id, n.depth, n.parentId])).toEqual([
      [hq.id, 0, null],
      [regional.id, 1, hq.id],
      [star1.id, 2, regional.id],
      [star2.id, 2, regional.id],
      [umbrella.id, 3, star1.id],
    ]);
    expect(whole.nodes.map((n: any) => n.centre.levelName)).toEqual([
      'HQ',
      'REGIONAL_TECHNICAL_CENTRE',
      'STAR_SERVICE_CENTRE',
      'STAR_SERVICE_CENTRE',
      'UMBRELLA_OUTLET',
    ]);
    const shallow = (await gql(TREE, { root: hq.id, depth: 1 }, { token: operator })).data!.networkTree;
    expect([shallow.truncated, shallow.nodes.length]).toEqual([true, 2]);
    expect((await gql(TREE, { root: hq.id, depth: 9 }, { token: operator })).codes).toEqual(['BAD_USER_INPUT']);

    const LIST = `query($filter: ServiceCentreFilter, $first: Int, $after: String) { serviceCentres(filter: $filter,
      first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    const ids = async (filter: Record<string, unknown>, token = operator) =>
      (await gql(LIST, { filter, first: 100 }, { token })).data!.serviceCentres.edges.map((e: any) => e.node.id);
    expect(await ids({ parentId: regional.id })).toEqual([star1.id, star2.id]);
    expect(await ids({ parentId: regional.id, region: '320000' })).toEqual([star2.id]);
    expect(await ids({ parentId: regional.id, productLine: 'WASHING_MACHINE' })).toEqual([star2.id]);
    expect(await ids({ parentId: star1.id, tier: 'UMBRELLA', status: 'ONBOARDING' })).toEqual([umbrella.id]);
    expect(await ids({ parentId: regional.id, status: 'ACTIVE' })).toEqual([]);
    const page1 = (await gql(LIST, { filter: { parentId: regional.id }, first: 1 }, { token: operator })).data!
      .serviceCentres;
    expect([page1.totalCount, page1.pageInfo.hasNextPage, page1.edges[0].node.id]).toEqual([2, true, star1.id]);
    const page2 = (
      await gql(
        LIST,
        { filter: { parentId: regional.id }, first: 1, after: page1.pageInfo.endCursor },
        { token: operator },
      )
    ).data!.serviceCentres;
    expect([page2.pageInfo.hasNextPage, page2.edges[0].node.id]).toEqual([false, star2.id]);
    expect((await gql(LIST, { first: 101 }, { token: operator })).codes).toEqual(['BAD_USER_INPUT']);

    // A star centre's partner sees itself and its umbrella store, nothing else of the tree.
    const partner = await tokenFor('PARTNER', { centreId: star1.id });
    expect((await ids({}, partner)).sort()).toEqual([star1.id, umbrella.id].sort());
    expect((await gql(GET, { id: umbrella.id }, { token: partner })).data!.serviceCentre.id).toBe(umbrella.id);
    for (const id of [star2.id, regional.id])
      expect((await gql(GET, { id }, { token: partner })).codes).toEqual(['FORBIDDEN']);
  });

  it("walks the status machine with who, why and evidence, and refuses what is illegal or not an operator's", async () => {
    const id = (await gql(CREATE, { input: centre(`E2E-${run}-S`) }, { token: operator })).data!.createServiceCentre
      .id as string;
    const STEP = (name: string, args = '') =>
      `mutation($id: ID!, $key: String) { ${name}(id: $id${args}, idempotencyKey: $key) { status } }`;
    const step = async (name: string, args = '', key?: string, token = operator) =>
      gql(STEP(name, args), { id, key }, { token });
    expect(
      (await step('suspendServiceCentre', ', reason: "x"', undefined, await tokenFor('PARTNER', { centreId: id })))
        .codes,
    ).toEqual(['FORBIDDEN']);
    expect(
      (await step('activateServiceCentre', ', reason: "contract signed"')).data!.activateServiceCentre.status,
    ).toBe('ACTIVE');
    const suspend = await step(
      'suspendServiceCentre',
      ', reason: "two C grades", evidence: "evaluation:2026-10"',
      `e2e-suspend-${run}`,
    );
    expect(suspend.data!.suspendServiceCentre.status).toBe('SUSPENDED');
    // A replay answers as the first call did; the same step without a key is illegal from SUSPENDED.
    expect(
      (
        await step(
          'suspendServiceCentre',
          ', reason: "two C grades", evidence: "evaluation:2026-10"',
          `e2e-suspend-${run}`,
        )
      ).data,
    ).toEqual(suspend.data);
    const again = await step('suspendServiceCentre', ', reason: "again"');
    expect([again.codes, again.errors![0]!.extensions!['currentState']]).toEqual([['INVALID_TRANSITION'], 'SUSPENDED']);
    expect((await step('reinstateServiceCentre', ', reason: "retrained"')).data!.reinstateServiceCentre.status).toBe(
      'ACTIVE',
    );
    expect(
      (await step('eliminateServiceCentre', ', reason: "three C grades", evidence: "evaluation:2026-12"')).data!
        .eliminateServiceCentre.status,
    ).toBe('ELIMINATED');
    const final = await step('reinstateServiceCentre', ', reason: "please"');
    expect([final.codes, final.errors![0]!.extensions!['currentState']]).toEqual([
      ['INVALID_TRANSITION'],
      'ELIMINATED',
    ]);
    const history = (
      await gql(
        'query($id: ID!) { serviceCentre(id: $id) { statusHistory { from to actor reason evidence } } }',
        { id },
        { token: operator },
      )
    ).data!.serviceCentre.statusHistory;
    expect(history.map((h: any) => [h.from, h.to, h.reason, h.evidence])).toEqual([
      [null, 'ONBOARDING', 'created', null],
      ['ONBOARDING', 'ACTIVE', 'contract signed', null],
      ['ACTIVE', 'SUSPENDED', 'two C grades', 'evaluation:2026-10'],
      ['SUSPENDED', 'ACTIVE', 'retrained', null],
      ['ACTIVE', 'ELIMINATED', 'three C grades', 'evaluation:2026-12'],
    ]);
    expect(new Set(history.slice(1).map((h: any) => h.actor)).size).toBe(1);
  });
});
