import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { createCentreStore } from '../src/store/centres.ts';
import { Q, centreInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

/**
 * HQ ─┬─ REGION-E ─┬─ STAR-A ─┬─ UMB-A1
 *     │            │          └─ UMB-A2
 *     │            └─ STAR-B ─── UMB-B1
 *     └─ REGION-W
 */
let h: Harness;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness('network_access');
  const add = async (code: string, tier: string, parent: string | null, extra: Record<string, unknown> = {}) => {
    const input = centreInput({ code, tier, ...(parent ? { parentId: ids[parent] } : {}), ...extra });
    ids[code] = expectOk(await h.run(as.admin(), Q.create, { input })).createServiceCentre.id;
  };
  await add('HQ', 'FLAGSHIP', null, { region: '110000' });
  await add('REGION-E', 'CORE', 'HQ', { region: '310000' });
  await add('REGION-W', 'CORE', 'HQ', { region: '510100' });
  await add('STAR-A', 'STANDARD', 'REGION-E', { productLines: ['WASHING_MACHINE'] });
  await add('STAR-B', 'FLAGSHIP', 'REGION-E');
  await add('UMB-A1', 'UMBRELLA', 'STAR-A');
  await add('UMB-A2', 'UMBRELLA', 'STAR-A', { productLines: ['WASHING_MACHINE', 'REFRIGERATOR'] });
  await add('UMB-B1', 'UMBRELLA', 'STAR-B');
  expectOk(await h.run(as.admin(), Q.activate, { id: ids['STAR-A'] }));
});
afterAll(async () => {
  await h.db.close();
});

const codes = (page: { edges: { node: { code: string } }[] }) => page.edges.map((e) => e.node.code);
const list = async (claims: Claims, variables: Record<string, unknown> = {}) =>
  expectOk(await h.run(claims, Q.list, variables)).serviceCentres;

describe('whole-network roles', () => {
  it.each([
    ['ADMIN', as.admin()],
    ['OPERATOR', as.operator()],
    ['CALL_CENTRE', as.callCentre()],
    ['FINANCE', as.finance()],
  ] as const)('%s sees every centre', async (_role, claims) => {
    expect(expectOk(await h.run(claims, Q.centre, { id: ids['UMB-B1'] })).serviceCentre.code).toBe('UMB-B1');
    expect(expectOk(await h.run(claims, Q.byCode, { code: 'REGION-W' })).serviceCentreByCode.id).toBe(ids['REGION-W']);
    expect((await list(claims)).totalCount).toBe(8);
  });

  it('an unknown id or code is null', async () => {
    expect(expectOk(await h.run(as.operator(), Q.centre, { id: 'missing' })).serviceCentre).toBeNull();
    expect(expectOk(await h.run(as.operator(), Q.byCode, { code: 'NOPE' })).serviceCentreByCode).toBeNull();
  });

  it('refuses anonymous callers', async () => {
    expectError(await h.run(null, Q.centre, { id: ids['HQ'] }), 'UNAUTHENTICATED');
    expectError(await h.run(null, Q.list, {}), 'UNAUTHENTICATED');
    expectError(await h.run(null, Q.tree, { rootId: ids['HQ'] }), 'UNAUTHENTICATED');
  });
});

describe('a PARTNER', () => {
  const starA = () => as.partner(ids['STAR-A']);

  it('sees its own centre and its umbrella stores, nothing else', async () => {
    expect(expectOk(await h.run(starA(), Q.centre, { id: ids['STAR-A'] })).serviceCentre.code).toBe('STAR-A');
    expect(expectOk(await h.run(starA(), Q.centre, { id: ids['UMB-A1'] })).serviceCentre.parent).toEqual({
      id: ids['STAR-A'],
      code: 'STAR-A',
    });
    // its own parent is not its business: the field is null, a direct fetch FORBIDDEN
    expect(expectOk(await h.run(starA(), Q.centre, { id: ids['STAR-A'] })).serviceCentre.parent).toBeNull();
    for (const code of ['HQ', 'REGION-E', 'STAR-B', 'UMB-B1']) {
      expectError(await h.run(starA(), Q.centre, { id: ids[code] }), 'FORBIDDEN');
      expectError(await h.run(starA(), Q.byCode, { code }), 'FORBIDDEN');
    }
    // an id that does not exist looks the same as someone else's
    expectError(await h.run(starA(), Q.centre, { id: 'missing' }), 'FORBIDDEN');
    expect(codes(await list(starA()))).toEqual(['STAR-A', 'UMB-A1', 'UMB-A2']);
    expect(codes(await list(starA(), { filter: { productLine: 'REFRIGERATOR' } }))).toEqual(['UMB-A2']);
    expect((await list(starA(), { filter: { tier: 'CORE' } })).totalCount).toBe(0);
  });

  it('an umbrella store sees only itself', async () => {
    const umb = as.partner(ids['UMB-A1']);
    expect(codes(await list(umb))).toEqual(['UMB-A1']);
    expectError(await h.run(umb, Q.centre, { id: ids['STAR-A'] }), 'FORBIDDEN');
    expectError(await h.run(umb, Q.centre, { id: ids['UMB-A2'] }), 'FORBIDDEN');
  });

  it('a regional centre does not see the star centres below it', async () => {
    const region = as.partner(ids['REGION-E']);
    expect(codes(await list(region))).toEqual(['REGION-E']);
    expectError(await h.run(region, Q.centre, { id: ids['STAR-A'] }), 'FORBIDDEN');
    const tree = expectOk(await h.run(region, Q.tree, { rootId: ids['REGION-E'] })).networkTree;
    expect(tree.nodes.map((n: { centre: { code: string } }) => n.centre.code)).toEqual(['REGION-E']);
  });

  it('gets its own subtree, and FORBIDDEN for anyone else’s', async () => {
    const tree = expectOk(await h.run(starA(), Q.tree, { rootId: ids['STAR-A'] })).networkTree;
    expect(tree.nodes.map((n: { centre: { code: string } }) => n.centre.code)).toEqual(['STAR-A', 'UMB-A1', 'UMB-A2']);
    expectError(await h.run(starA(), Q.tree, { rootId: ids['HQ'] }), 'FORBIDDEN');
  });

  it('a partner of a centre that does not exist sees nothing', async () => {
    expect(await list(as.partner('ghost'))).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [],
    });
  });
});

describe('an ENGINEER', () => {
  it('sees its own centre when the token names one', async () => {
    const eng: Claims = { ...as.engineer(), centreId: ids['UMB-A1']! };
    expect(codes(await list(eng))).toEqual(['UMB-A1']);
    expect(expectOk(await h.run(eng, Q.centre, { id: ids['UMB-A1'] })).serviceCentre.code).toBe('UMB-A1');
    expectError(await h.run(eng, Q.centre, { id: ids['STAR-A'] }), 'FORBIDDEN');
  });

  it('sees nothing without a centre', async () => {
    expect((await list(as.engineer())).totalCount).toBe(0);
    expectError(await h.run(as.engineer(), Q.centre, { id: ids['UMB-A1'] }), 'FORBIDDEN');
  });
});

describe('serviceCentres', () => {
  it('filters by region, tier, status, product line and parent', async () => {
    expect(codes(await list(as.operator(), { filter: { region: '510100' } }))).toEqual(['REGION-W']);
    expect(codes(await list(as.operator(), { filter: { tier: 'UMBRELLA' } }))).toEqual(['UMB-A1', 'UMB-A2', 'UMB-B1']);
    expect(codes(await list(as.operator(), { filter: { status: 'ACTIVE' } }))).toEqual(['STAR-A']);
    expect(codes(await list(as.operator(), { filter: { productLine: 'WASHING_MACHINE' } }))).toEqual([
      'STAR-A',
      'UMB-A2',
    ]);
    expect(codes(await list(as.operator(), { filter: { parentId: ids['REGION-E'] } }))).toEqual(['STAR-A', 'STAR-B']);
    expect(codes(await list(as.operator(), { filter: { parentId: ids['REGION-E'], tier: 'FLAGSHIP' } }))).toEqual([
      'STAR-B',
    ]);
  });

  it('pages by code, each centre exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: Awaited<ReturnType<typeof list>> = await list(as.operator(), { first: 3, after });
      expect(page.totalCount).toBe(8);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      seen.push(...codes(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['HQ', 'REGION-E', 'REGION-W', 'STAR-A', 'STAR-B', 'UMB-A1', 'UMB-A2', 'UMB-B1']);
  });

  it('refuses a page size outside 1–100 and a forged cursor', async () => {
    for (const first of [0, -1, 101])
      expect(expectError(await h.run(as.operator(), Q.list, { first }), 'BAD_USER_INPUT').extensions['field']).toBe(
        'first',
      );
    for (const after of ['garbage', Buffer.from('service-centre:lower').toString('base64url'), 'x'.repeat(200)]) {
      expect(expectError(await h.run(as.operator(), Q.list, { after }), 'BAD_USER_INPUT').extensions['field']).toBe(
        'after',
      );
    }
    expect(expectOk(await h.run(as.operator(), Q.list, { first: 100 })).serviceCentres.edges).toHaveLength(8);
  });
});

describe('networkTree', () => {
  it('returns the subtree breadth-first with parentId, level and depth', async () => {
    const tree = expectOk(await h.run(as.operator(), Q.tree, { rootId: ids['HQ'] })).networkTree;
    expect(tree.truncated).toBe(false);
    expect(tree.root.code).toBe('HQ');
    expect(
      tree.nodes.map((n: any) => [
        n.centre.code,
        n.depth,
        n.centre.level,
        n.parentId === null ? null : n.parentId === ids['STAR-A'] ? 'STAR-A' : '…',
      ]),
    ).toEqual([
      ['HQ', 0, 1, null],
      ['REGION-E', 1, 2, '…'],
      ['REGION-W', 1, 2, '…'],
      ['STAR-A', 2, 3, '…'],
      ['STAR-B', 2, 3, '…'],
      ['UMB-A1', 3, 4, 'STAR-A'],
      ['UMB-A2', 3, 4, 'STAR-A'],
      ['UMB-B1', 3, 4, '…'],
    ]);
    expect(tree.nodes.at(-1).centre.levelName).toBe('UMBRELLA_OUTLET');
  });

  it('cuts at the requested depth and says so', async () => {
    const tree = expectOk(await h.run(as.operator(), Q.tree, { rootId: ids['HQ'], depth: 1 })).networkTree;
    expect(tree.nodes.map((n: any) => n.centre.code)).toEqual(['HQ', 'REGION-E', 'REGION-W']);
    expect(tree.truncated).toBe(true);
    const leaf = expectOk(await h.run(as.operator(), Q.tree, { rootId: ids['UMB-A1'], depth: 0 })).networkTree;
    expect(leaf).toMatchObject({ truncated: false, nodes: [{ depth: 0 }] });
  });

  it('refuses a depth outside 0–3 and an unknown root', async () => {
    expectError(await h.run(as.operator(), Q.tree, { rootId: ids['HQ'], depth: 4 }), 'BAD_USER_INPUT');
    expectError(await h.run(as.operator(), Q.tree, { rootId: ids['HQ'], depth: -1 }), 'BAD_USER_INPUT');
    expectError(await h.run(as.operator(), Q.tree, { rootId: 'missing' }), 'NOT_FOUND');
  });

  it("is served from memory, and another process's change reaches it after its check", async () => {
    // A second network process on the same database, which checks for other writers on every read.
    const other = createCentreStore(h.db, { treeCheckEveryMs: 0 });
    const before = await other.tree.children([ids['REGION-W']!], 10);
    expect(before).toEqual([]);
    const created = expectOk(
      await h.run(as.admin(), Q.create, {
        input: centreInput({ code: 'STAR-W', tier: 'STANDARD', parentId: ids['REGION-W'] }),
      }),
    );
    // This process sees its own write at once.
    const mine = expectOk(await h.run(as.operator(), Q.tree, { rootId: ids['REGION-W'] })).networkTree;
    expect(mine.nodes.map((n: any) => n.centre.code)).toEqual(['REGION-W', 'STAR-W']);
    // The other one answers from what it had, notices the write count moved, and reloads.
    await other.tree.children([ids['REGION-W']!], 10);
    await other.tree.settled();
    expect((await other.tree.children([ids['REGION-W']!], 10)).map((c) => c.id)).toEqual([
      created.createServiceCentre.id,
    ]);
  });
});

describe('federation', () => {
  const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceCentre { id code } } }`;
  it('resolves references the caller may see, null otherwise', async () => {
    const r = [
      { __typename: 'ServiceCentre', id: ids['UMB-A1'] },
      { __typename: 'ServiceCentre', id: ids['STAR-B'] },
    ];
    expect(expectOk(await h.run(as.operator(), ENTITIES, { r }))._entities).toEqual([
      { id: ids['UMB-A1'], code: 'UMB-A1' },
      { id: ids['STAR-B'], code: 'STAR-B' },
    ]);
    expect(expectOk(await h.run(as.partner(ids['STAR-A']), ENTITIES, { r }))._entities).toEqual([
      { id: ids['UMB-A1'], code: 'UMB-A1' },
      null,
    ]);
  });
});
