import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { Q, centreInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

let h: Harness;
let hq: { id: string; code: string };
let region: { id: string };
let star: { id: string };

const create = async (input: Record<string, unknown>, claims: Claims = as.operator()) =>
  expectOk(await h.run(claims, Q.create, { input })).createServiceCentre;

beforeAll(async () => {
  h = await startHarness('network_mutations');
  hq = await create(centreInput({ tier: 'FLAGSHIP', code: 'HQ' }));
  region = await create(centreInput({ tier: 'CORE', parentId: hq.id }));
  star = await create(centreInput({ tier: 'STANDARD', parentId: region.id }));
});
afterAll(async () => {
  await h.db.close();
});

/** The request fails with `code` and the database is byte-for-byte unchanged. */
async function refused(claims: Claims | null, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const error = expectError(await h.run(claims, source, variables), code);
  expect(await h.snapshot()).toBe(before);
  return error;
}

/** Refused by the schema's own type checks (the server maps these to BAD_USER_INPUT), writing nothing. */
async function refusedBySchema(claims: Claims | null, source: string, variables: Record<string, unknown>) {
  const before = await h.snapshot();
  const result = await h.run(claims, source, variables);
  expect(result.errors).toHaveLength(1);
  expect(result.data).toBeNull();
  expect(await h.snapshot()).toBe(before);
}

describe('createServiceCentre', () => {
  it('creates an ONBOARDING centre at the level its parent implies', async () => {
    const umbrella = await create(
      centreInput({
        tier: 'UMBRELLA',
        parentId: star.id,
        starRating: null,
        contact: { name: 'Wang', phone: '021-12345678' },
      }),
    );
    expect(umbrella).toMatchObject({
      tier: 'UMBRELLA',
      level: 4,
      levelName: 'UMBRELLA_OUTLET',
      parentId: star.id,
      parent: { id: star.id },
      status: 'ONBOARDING',
      starRating: null,
      contact: { name: 'Wang', phone: '021-12345678', email: null },
      createdBy: 'operator-1',
      grades: [],
    });
    expect(umbrella.statusHistory).toEqual([
      { from: null, to: 'ONBOARDING', at: umbrella.createdAt, actor: 'operator-1', reason: 'created', evidence: null },
    ]);
    const root = expectOk(await h.run(as.admin(), Q.centre, { id: hq.id })).serviceCentre;
    expect(root).toMatchObject({ level: 1, levelName: 'HQ', parentId: null, parent: null });
  });

  it.each([
    ['code', { code: 'lower-case' }],
    ['name', { name: '' }],
    ['region', { region: '3101' }],
    ['serviceAreas', { serviceAreas: [] }],
    ['serviceAreas[0]', { serviceAreas: ['ABCDEF'] }],
    ['productLines[0]', { productLines: ['air-con'] }],
    ['dailyCapacity', { dailyCapacity: -1 }],
    ['dailyCapacity', { dailyCapacity: 1_000_000 }],
    ['starRating', { starRating: 6 }],
    ['starRating', { starRating: 0 }],
    ['contact.phone', { contact: { name: 'x', phone: '12345' } }],
    ['contact.email', { contact: { name: 'x', phone: '13800138000', email: 'not-mail' } }],
  ])('refuses a malformed %s and writes nothing', async (field, overrides) => {
    const error = await refused(as.operator(), Q.create, { input: centreInput(overrides) }, 'BAD_USER_INPUT');
    expect(error.extensions['field']).toBe(field);
    expect(error.message).toContain(field);
  });

  it('refuses a product line the standard in force does not have, on create and on update', async () => {
    const error = await refused(
      as.operator(),
      Q.create,
      { input: centreInput({ productLines: ['AIR_CONDITIONER', 'SPACESHIP'] }) },
      'BAD_USER_INPUT',
    );
    expect(error.extensions['field']).toBe('productLines[1]');
    expect(error.message).toContain('standard-default');
    const centre = await create(centreInput());
    const update = await refused(
      as.operator(),
      Q.update,
      { id: centre.id, input: { productLines: ['SPACESHIP'] } },
      'BAD_USER_INPUT',
    );
    expect(update.extensions['field']).toBe('productLines[0]');
  });

  it('refuses a value of the wrong type at the schema', async () => {
    await refusedBySchema(as.operator(), Q.create, { input: centreInput({ tier: 'GOLD' }) });
    await refusedBySchema(as.operator(), Q.create, { input: centreInput({ dailyCapacity: 'many' }) });
    await refusedBySchema(as.operator(), Q.create, { input: centreInput({ dailyCapacity: 2 ** 40 }) });
  });

  it('refuses a duplicate code with CONFLICT', async () => {
    const error = await refused(as.operator(), Q.create, { input: centreInput({ code: 'HQ' }) }, 'CONFLICT');
    expect(error.message).toMatch(/HQ already exists/);
  });

  it('refuses an unknown parent with NOT_FOUND', async () => {
    await refused(as.operator(), Q.create, { input: centreInput({ parentId: 'nope' }) }, 'NOT_FOUND');
  });

  it('places UMBRELLA centres under star centres only, and nothing else at level 4', async () => {
    expect(
      (await refused(as.operator(), Q.create, { input: centreInput({ tier: 'UMBRELLA' }) }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('parentId');
    await refused(
      as.operator(),
      Q.create,
      { input: centreInput({ tier: 'UMBRELLA', parentId: region.id }) },
      'BAD_USER_INPUT',
    );
    await refused(
      as.operator(),
      Q.create,
      { input: centreInput({ tier: 'STANDARD', parentId: star.id }) },
      'BAD_USER_INPUT',
    );
  });

  it.each([
    ['CALL_CENTRE', as.callCentre(), 'FORBIDDEN'],
    ['FINANCE', as.finance(), 'FORBIDDEN'],
    ['PARTNER', as.partner(), 'FORBIDDEN'],
    ['ENGINEER', as.engineer(), 'FORBIDDEN'],
    ['anonymous', null, 'UNAUTHENTICATED'],
  ] as const)('refuses %s', async (_role, claims, code) => {
    await refused(claims, Q.create, { input: centreInput() }, code);
  });

  it('replays an idempotency key: one centre, the same answer; a different payload is a CONFLICT', async () => {
    const input = centreInput();
    const first = expectOk(await h.run(as.operator(), Q.create, { input, key: 'create-key-0001' })).createServiceCentre;
    const before = await h.snapshot();
    const again = expectOk(await h.run(as.operator(), Q.create, { input, key: 'create-key-0001' })).createServiceCentre;
    expect(again).toEqual(first);
    expect(await h.snapshot()).toBe(before);
    await refused(as.operator(), Q.create, { input: { ...input, name: 'other' }, key: 'create-key-0001' }, 'CONFLICT');
    await refused(as.operator(), Q.create, { input: centreInput(), key: 'bad key!' }, 'BAD_USER_INPUT');
  });

  it('frees a key whose request failed', async () => {
    const input = centreInput({ parentId: 'missing' });
    await refused(as.operator(), Q.create, { input, key: 'create-key-0002' }, 'NOT_FOUND');
    expectOk(await h.run(as.operator(), Q.create, { input: { ...input, parentId: hq.id }, key: 'create-key-0002' }));
  });
});

describe('updateServiceCentre', () => {
  it('changes the given fields only', async () => {
    const c = await create(centreInput({ parentId: hq.id }));
    const updated = expectOk(
      await h.run(as.admin(), Q.update, { id: c.id, input: { name: 'Renamed', dailyCapacity: 55, starRating: null } }),
    ).updateServiceCentre;
    expect(updated).toMatchObject({
      name: 'Renamed',
      dailyCapacity: 55,
      starRating: null,
      code: c.code,
      region: c.region,
      level: 2,
    });
  });

  it.each([
    ['name', { name: null }],
    ['dailyCapacity', { dailyCapacity: -3 }],
    ['serviceAreas[0]', { serviceAreas: ['1'] }],
    ['contact.phone', { contact: { name: 'x', phone: 'x' } }],
    ['starRating', { starRating: 9 }],
  ])('refuses a malformed %s and writes nothing', async (field, input) => {
    const error = await refused(as.operator(), Q.update, { id: star.id, input }, 'BAD_USER_INPUT');
    expect(error.extensions['field']).toBe(field);
  });

  it('refuses an unknown centre or parent with NOT_FOUND, and the code is not an input', async () => {
    await refused(as.operator(), Q.update, { id: 'missing', input: { name: 'x' } }, 'NOT_FOUND');
    await refused(as.operator(), Q.update, { id: star.id, input: { parentId: 'missing' } }, 'NOT_FOUND');
    await refusedBySchema(as.operator(), Q.update, { id: star.id, input: { code: 'NEW' } });
  });

  it('refuses cycles with BAD_USER_INPUT', async () => {
    const error = await refused(as.operator(), Q.update, { id: hq.id, input: { parentId: star.id } }, 'BAD_USER_INPUT');
    expect(error.message).toMatch(/own ancestor/);
    await refused(as.operator(), Q.update, { id: hq.id, input: { parentId: hq.id } }, 'BAD_USER_INPUT');
  });

  it('moves a subtree, re-levelling the descendants, and refuses moves that break the levels', async () => {
    const r2 = await create(centreInput({ tier: 'CORE', parentId: hq.id }));
    const s = await create(centreInput({ parentId: r2.id }));
    const u = await create(centreInput({ tier: 'UMBRELLA', parentId: s.id }));
    // the star centre to another region: levels unchanged
    expectOk(await h.run(as.operator(), Q.update, { id: s.id, input: { parentId: region.id } }));
    // the region to the root: its star centre would become level 2 and the umbrella level 3
    await refused(as.operator(), Q.update, { id: region.id, input: { parentId: null } }, 'BAD_USER_INPUT');
    // a star centre (with no umbrella stores) under HQ becomes a regional centre
    const lone = await create(centreInput({ parentId: r2.id }));
    expect(
      expectOk(await h.run(as.operator(), Q.update, { id: lone.id, input: { parentId: hq.id } })).updateServiceCentre,
    ).toMatchObject({ level: 2, levelName: 'REGIONAL_TECHNICAL_CENTRE', parentId: hq.id });
    expect(expectOk(await h.run(as.operator(), Q.centre, { id: u.id })).serviceCentre).toMatchObject({
      level: 4,
      parent: { id: s.id },
    });
  });

  it.each([
    ['CALL_CENTRE', as.callCentre(), 'FORBIDDEN'],
    ['FINANCE', as.finance(), 'FORBIDDEN'],
    ['PARTNER (own centre)', as.partner('x'), 'FORBIDDEN'],
    ['ENGINEER', as.engineer(), 'FORBIDDEN'],
    ['anonymous', null, 'UNAUTHENTICATED'],
  ] as const)('refuses %s', async (_role, claims, code) => {
    await refused(claims, Q.update, { id: star.id, input: { name: 'hijack' } }, code);
  });

  it('replays an idempotency key without writing', async () => {
    const c = await create(centreInput());
    const first = expectOk(
      await h.run(as.operator(), Q.update, { id: c.id, input: { dailyCapacity: 7 }, key: 'update-key-01' }),
    ).updateServiceCentre;
    const before = await h.snapshot();
    expect(
      expectOk(await h.run(as.operator(), Q.update, { id: c.id, input: { dailyCapacity: 7 }, key: 'update-key-01' }))
        .updateServiceCentre,
    ).toEqual(first);
    expect(await h.snapshot()).toBe(before);
    await refused(as.operator(), Q.update, { id: c.id, input: { dailyCapacity: 8 }, key: 'update-key-01' }, 'CONFLICT');
  });
});

describe('status changes', () => {
  it('walks ONBOARDING → ACTIVE → SUSPENDED → ACTIVE → ELIMINATED, recording who, why and evidence', async () => {
    const c = await create(centreInput());
    expect(expectOk(await h.run(as.operator(), Q.activate, { id: c.id })).activateServiceCentre.status).toBe('ACTIVE');
    expect(
      expectOk(
        await h.run(as.operator(), Q.suspend, {
          id: c.id,
          reason: 'second C grade',
          evidence: `evaluation:2026-10:${c.id}`,
        }),
      ).suspendServiceCentre.status,
    ).toBe('SUSPENDED');
    expect(
      expectOk(await h.run(as.admin(), Q.reinstate, { id: c.id, reason: 'rectification done' })).reinstateServiceCentre
        .status,
    ).toBe('ACTIVE');
    const final = expectOk(
      await h.run(as.admin(), Q.change, { id: c.id, to: 'ELIMINATED', reason: 'fraud', evidence: 'audit:2026-11:42' }),
    ).changeCentreStatus;
    expect(final.statusHistory).toEqual([
      { from: null, to: 'ONBOARDING', actor: 'operator-1', reason: 'created', evidence: null },
      { from: 'ONBOARDING', to: 'ACTIVE', actor: 'operator-1', reason: null, evidence: null },
      {
        from: 'ACTIVE',
        to: 'SUSPENDED',
        actor: 'operator-1',
        reason: 'second C grade',
        evidence: `evaluation:2026-10:${c.id}`,
      },
      { from: 'SUSPENDED', to: 'ACTIVE', actor: 'admin-1', reason: 'rectification done', evidence: null },
      { from: 'ACTIVE', to: 'ELIMINATED', actor: 'admin-1', reason: 'fraud', evidence: 'audit:2026-11:42' },
    ]);
    // final: nothing moves it, and it cannot be edited
    for (const [source, vars] of [
      [Q.activate, { id: c.id }],
      [Q.reinstate, { id: c.id, reason: 'please' }],
      [Q.change, { id: c.id, to: 'ACTIVE', reason: 'please' }],
      [Q.update, { id: c.id, input: { name: 'x' } }],
    ] as const) {
      expect((await refused(as.admin(), source, vars, 'INVALID_TRANSITION')).extensions['currentState']).toBe(
        'ELIMINATED',
      );
    }
  });

  it('refuses illegal transitions with INVALID_TRANSITION and the current state', async () => {
    const c = await create(centreInput());
    expect(
      (await refused(as.operator(), Q.suspend, { id: c.id, reason: 'x' }, 'INVALID_TRANSITION')).extensions[
        'currentState'
      ],
    ).toBe('ONBOARDING');
    expect(
      (await refused(as.operator(), Q.reinstate, { id: c.id, reason: 'x' }, 'INVALID_TRANSITION')).extensions[
        'currentState'
      ],
    ).toBe('ONBOARDING');
    expect(
      (
        await refused(
          as.operator(),
          Q.eliminate,
          { id: c.id, reason: 'x', evidence: 'audit:1:2' },
          'INVALID_TRANSITION',
        )
      ).extensions['currentState'],
    ).toBe('ONBOARDING');
    await refused(as.operator(), Q.change, { id: c.id, to: 'ONBOARDING' }, 'INVALID_TRANSITION');
    expectOk(await h.run(as.operator(), Q.activate, { id: c.id }));
    expect(
      (await refused(as.operator(), Q.activate, { id: c.id }, 'INVALID_TRANSITION')).extensions['currentState'],
    ).toBe('ACTIVE');
    expect(
      (await refused(as.operator(), Q.reinstate, { id: c.id, reason: 'x' }, 'INVALID_TRANSITION')).extensions[
        'currentState'
      ],
    ).toBe('ACTIVE');
  });

  it('requires a reason and evidence where the change needs them', async () => {
    const c = await create(centreInput());
    expectOk(await h.run(as.operator(), Q.activate, { id: c.id }));
    expect(
      (await refused(as.operator(), Q.suspend, { id: c.id, reason: ' ' }, 'BAD_USER_INPUT')).extensions['field'],
    ).toBe('reason');
    expect(
      (await refused(as.operator(), Q.eliminate, { id: c.id, reason: 'x', evidence: '' }, 'BAD_USER_INPUT')).extensions[
        'field'
      ],
    ).toBe('evidence');
    expect(
      (await refused(as.operator(), Q.change, { id: c.id, to: 'ELIMINATED', reason: 'x' }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('evidence');
    expect(
      (await refused(as.operator(), Q.suspend, { id: c.id, reason: 'x'.repeat(501) }, 'BAD_USER_INPUT')).extensions[
        'field'
      ],
    ).toBe('reason');
    expect(
      (
        await refused(
          as.operator(),
          Q.suspend,
          { id: c.id, reason: 'x', evidence: 'has spaces in it' },
          'BAD_USER_INPUT',
        )
      ).extensions['field'],
    ).toBe('evidence');
    await refused(as.operator(), Q.activate, { id: 'missing' }, 'NOT_FOUND');
  });

  it.each([
    ['CALL_CENTRE', as.callCentre(), 'FORBIDDEN'],
    ['FINANCE', as.finance(), 'FORBIDDEN'],
    ['PARTNER', as.partner(), 'FORBIDDEN'],
    ['ENGINEER', as.engineer(), 'FORBIDDEN'],
    ['anonymous', null, 'UNAUTHENTICATED'],
  ] as const)('refuses %s every status change', async (_role, claims, code) => {
    const c = await create(centreInput());
    for (const [source, vars] of [
      [Q.activate, { id: c.id }],
      [Q.change, { id: c.id, to: 'ACTIVE' }],
      [Q.suspend, { id: c.id, reason: 'x' }],
      [Q.reinstate, { id: c.id, reason: 'x' }],
      [Q.eliminate, { id: c.id, reason: 'x', evidence: 'audit:1:2' }],
    ] as const) {
      await refused(claims, source, vars, code);
    }
  });

  it('replays an idempotency key: one history entry', async () => {
    const c = await create(centreInput());
    expectOk(await h.run(as.operator(), Q.activate, { id: c.id, key: 'activate-key-1' }));
    const before = await h.snapshot();
    expect(
      expectOk(await h.run(as.operator(), Q.activate, { id: c.id, key: 'activate-key-1' })).activateServiceCentre
        .status,
    ).toBe('ACTIVE');
    expect(await h.snapshot()).toBe(before);
    await refused(as.operator(), Q.activate, { id: c.id, reason: 'different', key: 'activate-key-1' }, 'CONFLICT');
  });

  it.each([
    ['activations', 'ONBOARDING', Q.activate, {}],
    ['suspensions', 'ACTIVE', Q.suspend, { reason: 'race' }],
    ['reinstatements', 'SUSPENDED', Q.reinstate, { reason: 'race' }],
    ['eliminations', 'ACTIVE', Q.eliminate, { reason: 'race', evidence: 'audit:race:1' }],
  ] as const)('two concurrent %s of the same centre: exactly one wins', async (_what, from, source, extra) => {
    for (let round = 0; round < 3; round++) {
      const c = await create(centreInput());
      if (from !== 'ONBOARDING') expectOk(await h.run(as.operator(), Q.activate, { id: c.id }));
      if (from === 'SUSPENDED') expectOk(await h.run(as.operator(), Q.suspend, { id: c.id, reason: 'setup' }));
      const before = expectOk(await h.run(as.admin(), Q.centre, { id: c.id })).serviceCentre.statusHistory.length;
      const results = await Promise.all([
        h.run(as.operator(), source, { id: c.id, ...extra }),
        h.run(as.admin(), source, { id: c.id, ...extra }),
      ]);
      expect(results.map((r) => r.errors[0]?.code ?? 'OK').sort()).toEqual(['INVALID_TRANSITION', 'OK']);
      const after = expectOk(await h.run(as.admin(), Q.centre, { id: c.id })).serviceCentre;
      expect(after.statusHistory).toHaveLength(before + 1);
    }
  });

  it('a suspension racing an elimination: they apply one after the other, never from the same state', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await create(centreInput());
      expectOk(await h.run(as.operator(), Q.activate, { id: c.id }));
      const [suspend, eliminate] = await Promise.all([
        h.run(as.operator(), Q.suspend, { id: c.id, reason: 'race' }),
        h.run(as.admin(), Q.eliminate, { id: c.id, reason: 'race', evidence: 'audit:race:2' }),
      ]);
      expect(eliminate.errors).toEqual([]);
      const history = expectOk(await h.run(as.admin(), Q.centre, { id: c.id })).serviceCentre.statusHistory.map(
        (e: { from: string; to: string }) => `${e.from}>${e.to}`,
      );
      if (suspend.errors.length === 0) expect(history.slice(2)).toEqual(['ACTIVE>SUSPENDED', 'SUSPENDED>ELIMINATED']);
      else {
        expect(suspend.errors[0]!.code).toBe('INVALID_TRANSITION');
        expect(history.slice(2)).toEqual(['ACTIVE>ELIMINATED']);
      }
    }
  });

  it('two concurrent identical suspensions: one history entry', async () => {
    const c = await create(centreInput());
    expectOk(await h.run(as.operator(), Q.activate, { id: c.id }));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.run(as.operator(), Q.suspend, { id: c.id, reason: 'race' })),
    );
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    const after = expectOk(await h.run(as.admin(), Q.centre, { id: c.id })).serviceCentre;
    expect(after.statusHistory.filter((e: { to: string }) => e.to === 'SUSPENDED')).toHaveLength(1);
  });

  it('two concurrent creations with the same code: one centre, one CONFLICT', async () => {
    const input = centreInput();
    const results = await Promise.all([
      h.run(as.operator(), Q.create, { input }),
      h.run(as.admin(), Q.create, { input }),
    ]);
    expect(results.map((r) => r.errors[0]?.code ?? 'OK').sort()).toEqual(['CONFLICT', 'OK']);
    expect(await h.db.db!.collection('service_centres').countDocuments({ code: input['code'] })).toBe(1);
  });

  it('two concurrent moves that together would close a cycle: only one lands', async () => {
    const a = await create(centreInput({ tier: 'CORE' }));
    const b = await create(centreInput({ tier: 'CORE' }));
    const results = await Promise.all([
      h.run(as.operator(), Q.update, { id: a.id, input: { parentId: b.id } }),
      h.run(as.admin(), Q.update, { id: b.id, input: { parentId: a.id } }),
    ]);
    expect(results.map((r) => r.errors[0]?.code ?? 'OK').sort()).toEqual(['BAD_USER_INPUT', 'OK']);
    const [ra, rb] = await Promise.all(
      [a, b].map(async (c) => expectOk(await h.run(as.admin(), Q.centre, { id: c.id })).serviceCentre),
    );
    expect([ra.parentId === b.id, rb.parentId === a.id].filter(Boolean)).toHaveLength(1);
    expect([ra.level, rb.level].sort()).toEqual([1, 2]);
  });
});
