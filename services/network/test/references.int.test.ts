import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { Q, centreInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

/**
 * Every reference a mutation names is authorised, not only the record it changes (docs/domain.md §1).
 * One row per (mutation, argument naming a centre). A partner of STAR-A names STAR-B's record;
 * HQ names a record that does not exist.
 *
 * HQ ─┬─ REGION ─┬─ STAR-A ── UMB-A
 *     │          └─ STAR-B ── UMB-B
 *     └─ GONE (ELIMINATED)
 */
let h: Harness;
const ids: Record<string, string> = {};
const MISSING = 'centre-404';

beforeAll(async () => {
  h = await startHarness('network_references');
  const add = async (code: string, tier: string, parent: string | null) => {
    const input = centreInput({ code, tier, ...(parent ? { parentId: ids[parent] } : {}) });
    ids[code] = expectOk(await h.run(as.admin(), Q.create, { input })).createServiceCentre.id;
  };
  await add('HQ', 'FLAGSHIP', null);
  await add('REGION', 'CORE', 'HQ');
  await add('GONE', 'CORE', 'HQ');
  await add('STAR-A', 'STANDARD', 'REGION');
  await add('STAR-B', 'STANDARD', 'REGION');
  await add('UMB-A', 'UMBRELLA', 'STAR-A');
  await add('UMB-B', 'UMBRELLA', 'STAR-B');
  for (const code of ['STAR-A', 'STAR-B', 'GONE']) expectOk(await h.run(as.admin(), Q.activate, { id: ids[code] }));
  expectOk(await h.run(as.admin(), Q.eliminate, { id: ids['GONE'], reason: 'closed', evidence: 'audit:2026-01:gone' }));
});
afterAll(async () => {
  await h.db.close();
});

/** The request fails with exactly `code`, returns no data, and the database is unchanged. */
async function refused(claims: Claims, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const result = await h.run(claims, source, variables);
  const error = expectError(result, code);
  expect(result.data).toBeNull();
  expect(await h.snapshot()).toBe(before);
  return error;
}

interface Row {
  name: string;
  source: string;
  /** Variables naming STAR-B's record (or hanging something under it). */
  foreign: () => Record<string, unknown>;
  /** The same call naming a centre that does not exist. */
  missing: () => Record<string, unknown>;
  notFound: string;
}

const ROWS: Row[] = [
  {
    name: 'createServiceCentre input.parentId',
    source: Q.create,
    foreign: () => ({ input: centreInput({ tier: 'UMBRELLA', parentId: ids['STAR-B'] }) }),
    missing: () => ({ input: centreInput({ tier: 'UMBRELLA', parentId: MISSING }) }),
    notFound: 'parent centre centre-404 does not exist',
  },
  {
    name: 'updateServiceCentre id',
    source: Q.update,
    foreign: () => ({ id: ids['STAR-B'], input: { name: 'hijacked' } }),
    missing: () => ({ id: MISSING, input: { name: 'x' } }),
    notFound: 'service centre centre-404 does not exist',
  },
  {
    name: 'updateServiceCentre input.parentId',
    source: Q.update,
    foreign: () => ({ id: ids['UMB-A'], input: { parentId: ids['STAR-B'] } }),
    missing: () => ({ id: ids['UMB-A'], input: { parentId: MISSING } }),
    notFound: 'parent centre centre-404 does not exist',
  },
  {
    name: 'changeCentreStatus id',
    source: Q.change,
    foreign: () => ({ id: ids['STAR-B'], to: 'SUSPENDED', reason: 'x' }),
    missing: () => ({ id: MISSING, to: 'SUSPENDED', reason: 'x' }),
    notFound: 'service centre centre-404 does not exist',
  },
  {
    name: 'activateServiceCentre id',
    source: Q.activate,
    foreign: () => ({ id: ids['UMB-B'] }),
    missing: () => ({ id: MISSING }),
    notFound: 'service centre centre-404 does not exist',
  },
  {
    name: 'suspendServiceCentre id',
    source: Q.suspend,
    foreign: () => ({ id: ids['STAR-B'], reason: 'x' }),
    missing: () => ({ id: MISSING, reason: 'x' }),
    notFound: 'service centre centre-404 does not exist',
  },
  {
    name: 'reinstateServiceCentre id',
    source: Q.reinstate,
    foreign: () => ({ id: ids['STAR-B'], reason: 'x' }),
    missing: () => ({ id: MISSING, reason: 'x' }),
    notFound: 'service centre centre-404 does not exist',
  },
  {
    name: 'eliminateServiceCentre id',
    source: Q.eliminate,
    foreign: () => ({ id: ids['STAR-B'], reason: 'x', evidence: 'audit:1:2' }),
    missing: () => ({ id: MISSING, reason: 'x', evidence: 'audit:1:2' }),
    notFound: 'service centre centre-404 does not exist',
  },
];

describe('every (mutation, centre reference)', () => {
  it.each(ROWS)('$name: a PARTNER of STAR-A naming STAR-B’s record is FORBIDDEN and writes nothing', async (row) => {
    const error = await refused(as.partner(ids['STAR-A']), row.source, row.foreign(), 'FORBIDDEN');
    expect(error.message).toBe('requires one of the roles OPERATOR, ADMIN');
  });

  it.each(ROWS)('$name: HQ naming a centre that does not exist is NOT_FOUND and writes nothing', async (row) => {
    for (const claims of [as.operator(), as.admin()]) {
      expect((await refused(claims, row.source, row.missing(), 'NOT_FOUND')).message).toBe(row.notFound);
    }
  });

  it.each([
    [
      'createServiceCentre input.parentId',
      Q.create,
      () => ({ input: centreInput({ code: 'UNDER-GONE', parentId: ids['GONE'] }) }),
    ],
    ['updateServiceCentre input.parentId', Q.update, () => ({ id: ids['STAR-A'], input: { parentId: ids['GONE'] } })],
  ] as const)(
    '%s: an ELIMINATED parent is BAD_USER_INPUT on parentId and writes nothing',
    async (_name, source, vars) => {
      const error = await refused(as.operator(), source, vars(), 'BAD_USER_INPUT');
      expect(error.extensions['field']).toBe('parentId');
      expect(error.message).toBe('parentId: centre GONE is ELIMINATED and takes no new centres');
    },
  );
});

describe('a replayed idempotency key from another caller scope', () => {
  // One subject, two role sets: each is its own scope, so the second never gets the first's result.
  const asOperator: Claims = { sub: 'hq-1', roles: ['OPERATOR'] };
  const asAdmin: Claims = { sub: 'hq-1', roles: ['ADMIN'] };

  it('createServiceCentre: runs again for the other scope (CONFLICT on the code), writing nothing', async () => {
    const input = centreInput({ code: 'REPLAY-1', parentId: ids['REGION'] });
    const first = expectOk(await h.run(asOperator, Q.create, { input, key: 'replay-create-01' })).createServiceCentre;
    expect(expectOk(await h.run(asOperator, Q.create, { input, key: 'replay-create-01' })).createServiceCentre).toEqual(
      first,
    );
    const error = await refused(asAdmin, Q.create, { input, key: 'replay-create-01' }, 'CONFLICT');
    expect(error.message).toBe('a service centre with code REPLAY-1 already exists');
  });

  it('suspendServiceCentre: runs again for the other scope (INVALID_TRANSITION), writing nothing', async () => {
    const c = expectOk(
      await h.run(as.admin(), Q.create, { input: centreInput({ parentId: ids['REGION'] }) }),
    ).createServiceCentre;
    expectOk(await h.run(as.admin(), Q.activate, { id: c.id }));
    const vars = { id: c.id, reason: 'audit', key: 'replay-suspend-01' };
    expect(expectOk(await h.run(asOperator, Q.suspend, vars)).suspendServiceCentre).toEqual({
      id: c.id,
      status: 'SUSPENDED',
    });
    const error = await refused(asAdmin, Q.suspend, vars, 'INVALID_TRANSITION');
    expect(error.extensions['currentState']).toBe('SUSPENDED');
    // A PARTNER under the same subject gets neither the result nor a run.
    await refused({ sub: 'hq-1', roles: ['PARTNER'], centreId: ids['STAR-A']! }, Q.suspend, vars, 'FORBIDDEN');
  });
});
