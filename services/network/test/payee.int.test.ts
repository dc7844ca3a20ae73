import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { Q, centreInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

/**
 * Payee details on a centre (docs/domain.md §7): set by OPERATOR/ADMIN with a reason and kept in a
 * history; read by OPERATOR, ADMIN, FINANCE and the centre's own PARTNER; FORBIDDEN to anyone else.
 *
 * HQ ── REGION ─┬─ STAR-A ── UMB-A
 *               ├─ STAR-B
 *               └─ GONE (ELIMINATED)
 */
let h: Harness;
const ids: Record<string, string> = {};

const PAYEE_FIELDS = /* GraphQL */ `
  fragment P on ServiceCentre {
    id
    updatedAt
    payee {
      accountName
      bank
      accountNumber
      updatedAt
      updatedBy
    }
    payeeHistory {
      at
      actor
      reason
      from {
        accountName
        bank
        maskedAccountNumber
      }
      to {
        accountName
        bank
        maskedAccountNumber
      }
    }
  }
`;
const P = {
  read: `query ($id: ID!) { serviceCentre(id: $id) { ...P } } ${PAYEE_FIELDS}`,
  readPayee: `query ($id: ID!) { serviceCentre(id: $id) { id code payee { accountNumber } } }`,
  readHistory: `query ($id: ID!) { serviceCentre(id: $id) { id code payeeHistory { actor } } }`,
  set: `mutation ($id: ID!, $input: CentrePayeeInput!, $reason: String!, $key: String) {
    setCentrePayee(id: $id, input: $input, reason: $reason, idempotencyKey: $key) { ...P } } ${PAYEE_FIELDS}`,
};

const ICBC = {
  accountName: ' 上海浦东家电服务有限公司 ',
  bank: '中国工商银行上海张江支行',
  accountNumber: '6222 0212 3456 7890',
};
const CCB = {
  accountName: '上海浦东家电服务有限公司',
  bank: '中国建设银行上海浦东分行',
  accountNumber: '31050161393600001234',
};

const set = async (
  claims: Claims,
  id: string,
  input: Record<string, unknown>,
  reason = 'bank letter of 2026-11-02',
  key?: string,
) => expectOk(await h.run(claims, P.set, { id, input, reason, ...(key ? { key } : {}) })).setCentrePayee;

/** The request fails with exactly `code`, and the database is byte-for-byte unchanged. */
async function refused(claims: Claims | null, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const result = await h.run(claims, source, variables);
  const error = expectError(result, code);
  expect(result.data).toBeNull();
  expect(await h.snapshot()).toBe(before);
  return error;
}

beforeAll(async () => {
  h = await startHarness('network_payee');
  const add = async (code: string, tier: string, parent: string | null) => {
    const input = centreInput({ code, tier, ...(parent ? { parentId: ids[parent] } : {}) });
    ids[code] = expectOk(await h.run(as.admin(), Q.create, { input })).createServiceCentre.id;
  };
  await add('HQ', 'FLAGSHIP', null);
  await add('REGION', 'CORE', 'HQ');
  await add('STAR-A', 'STANDARD', 'REGION');
  await add('STAR-B', 'STANDARD', 'REGION');
  await add('GONE', 'STANDARD', 'REGION');
  await add('UMB-A', 'UMBRELLA', 'STAR-A');
  for (const code of ['STAR-A', 'STAR-B', 'GONE', 'UMB-A'])
    expectOk(await h.run(as.admin(), Q.activate, { id: ids[code] }));
  await set(as.operator(), ids['STAR-A']!, ICBC, 'first details');
  await set(as.operator(), ids['STAR-B']!, { ...CCB, accountName: 'STAR-B Ltd' }, 'first details');
  await set(as.operator(), ids['UMB-A']!, { ...CCB, accountName: 'UMB-A Ltd' }, 'first details');
  await set(as.operator(), ids['GONE']!, { ...CCB, accountName: 'GONE Ltd' }, 'first details');
  expectOk(await h.run(as.admin(), Q.eliminate, { id: ids['GONE'], reason: 'closed', evidence: 'audit:2026-11:gone' }));
});
afterAll(async () => {
  await h.db.close();
});

describe('setCentrePayee and reading it back', () => {
  it('sets the details (trimmed, spaces out of the number), then changes them, each change in the history, masked', async () => {
    const id = expectOk(await h.run(as.admin(), Q.create, { input: centreInput({ parentId: ids['REGION'] }) }))
      .createServiceCentre.id as string;
    const fresh = expectOk(await h.run(as.finance(), P.read, { id })).serviceCentre;
    expect(fresh).toMatchObject({ payee: null, payeeHistory: [] });

    const first = await set(as.operator(), id, ICBC, '  opening documents  ');
    expect(first.payee).toEqual({
      accountName: '上海浦东家电服务有限公司',
      bank: '中国工商银行上海张江支行',
      accountNumber: '6222021234567890',
      updatedAt: first.updatedAt,
      updatedBy: 'operator-1',
    });
    expect(first.payeeHistory).toEqual([
      {
        at: first.updatedAt,
        actor: 'operator-1',
        reason: 'opening documents',
        from: null,
        to: {
          accountName: '上海浦东家电服务有限公司',
          bank: '中国工商银行上海张江支行',
          maskedAccountNumber: '************7890',
        },
      },
    ]);

    const second = await set(as.admin(), id, CCB, 'moved to CCB (letter 2026-11-20)');
    expect(second.payee).toEqual({ ...CCB, updatedAt: second.updatedAt, updatedBy: 'admin-1' });
    expect(second.updatedAt > first.updatedAt).toBe(true);
    expect(second.payeeHistory).toEqual([
      first.payeeHistory[0],
      {
        at: second.updatedAt,
        actor: 'admin-1',
        reason: 'moved to CCB (letter 2026-11-20)',
        from: {
          accountName: '上海浦东家电服务有限公司',
          bank: '中国工商银行上海张江支行',
          maskedAccountNumber: '************7890',
        },
        to: {
          accountName: '上海浦东家电服务有限公司',
          bank: '中国建设银行上海浦东分行',
          maskedAccountNumber: '****************1234',
        },
      },
    ]);
    // Every reader who may see it reads the same.
    for (const claims of [as.operator(), as.admin(), as.finance()]) {
      expect(expectOk(await h.run(claims, P.read, { id })).serviceCentre).toEqual(second);
    }
    // The full number is in the current details only, never in the history.
    expect(JSON.stringify(second.payeeHistory)).not.toContain('6222021234567890');
    expect(JSON.stringify(second.payeeHistory)).not.toContain(CCB.accountNumber);
  });

  it('the same details again (however spaced) change nothing and add no history', async () => {
    const before = await h.snapshot();
    const again = await set(
      as.admin(),
      ids['STAR-A']!,
      { ...ICBC, accountName: '上海浦东家电服务有限公司', accountNumber: '6222021234567890' },
      'checked again',
    );
    expect(again.payeeHistory).toHaveLength(1);
    expect(await h.snapshot()).toBe(before);
  });

  it('two concurrent changes of one centre both land, one after the other', async () => {
    const id = expectOk(await h.run(as.admin(), Q.create, { input: centreInput({ parentId: ids['REGION'] }) }))
      .createServiceCentre.id as string;
    const results = await Promise.all([
      h.run(as.operator(), P.set, { id, input: ICBC, reason: 'one' }),
      h.run(as.admin(), P.set, { id, input: CCB, reason: 'two' }),
    ]);
    for (const r of results) expect(r.errors).toEqual([]);
    const after = expectOk(await h.run(as.admin(), P.read, { id })).serviceCentre;
    expect(after.payeeHistory).toHaveLength(2);
    const [a, b] = after.payeeHistory;
    expect(a.from).toBeNull();
    expect(b.from).toEqual(a.to);
    expect(after.payee.accountNumber.endsWith(b.to.maskedAccountNumber.slice(-4))).toBe(true);
  });

  it('reaches a centre through _entities (how another subgraph asks) with the same rules', async () => {
    const source =
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceCentre { id payee { accountNumber ` +
      `} } } }`;
    const r = [{ __typename: 'ServiceCentre', id: ids['STAR-A'] }];
    expect(expectOk(await h.run(as.finance(), source, { r }))._entities).toEqual([
      { id: ids['STAR-A'], payee: { accountNumber: '6222021234567890' } },
    ]);
    const partner = await h.run(as.partner(ids['UMB-A']), source, { r });
    expect(partner.errors).toEqual([]);
    expect(partner.data!['_entities']).toEqual([null]);
  });
});

describe('who reads the payee details', () => {
  it('a PARTNER reads its own centre’s', async () => {
    const own = expectOk(await h.run(as.partner(ids['STAR-A']), P.read, { id: ids['STAR-A'] })).serviceCentre;
    expect(own.payee).toMatchObject({
      accountName: '上海浦东家电服务有限公司',
      accountNumber: '6222021234567890',
      updatedBy: 'operator-1',
    });
    expect(own.payeeHistory).toHaveLength(1);
    // The umbrella store's own partner reads the umbrella store's.
    expect(
      expectOk(await h.run(as.partner(ids['UMB-A']), P.readPayee, { id: ids['UMB-A'] })).serviceCentre.payee,
    ).toEqual({ accountNumber: CCB.accountNumber });
  });

  it('a PARTNER may not read its umbrella store’s (the centre yes, the payee FORBIDDEN) nor another centre’s', async () => {
    const partner = as.partner(ids['STAR-A']);
    expect(expectOk(await h.run(partner, Q.byCode, { code: 'UMB-A' })).serviceCentreByCode.id).toBe(ids['UMB-A']);
    const payee = await h.run(partner, P.readPayee, { id: ids['UMB-A'] });
    expect(expectError(payee, 'FORBIDDEN').message).toBe("you may only see your own centre's payee details");
    expect(payee.data).toEqual({ serviceCentre: { id: ids['UMB-A'], code: 'UMB-A', payee: null } });
    // The history is a non-null list: refused, it takes the centre with it.
    const history = await h.run(partner, P.readHistory, { id: ids['UMB-A'] });
    expectError(history, 'FORBIDDEN');
    expect(history.data).toEqual({ serviceCentre: null });
    // Another centre is not visible at all.
    expectError(await h.run(partner, P.readPayee, { id: ids['STAR-B'] }), 'FORBIDDEN');
    // A list: its own centre's payee, FORBIDDEN (null) for its umbrella store's.
    const list = await h.run(partner, `{ serviceCentres { edges { node { code payee { accountNumber } } } } }`);
    expect(list.errors.map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect(list.data!['serviceCentres'].edges.map((e: { node: unknown }) => e.node)).toEqual([
      { code: 'STAR-A', payee: { accountNumber: '6222021234567890' } },
      { code: 'UMB-A', payee: null },
    ]);
  });

  it.each([
    ['CALL_CENTRE', () => as.callCentre()],
    [
      'ENGINEER of the centre',
      (): Claims => ({ sub: 'eng-1', roles: ['ENGINEER'], engineerId: 'engineer-1', centreId: ids['STAR-A']! }),
    ],
  ] as const)('%s sees the centre but not its payee details (FORBIDDEN)', async (_role, claims) => {
    expect(expectOk(await h.run(claims(), Q.centre, { id: ids['STAR-A'] })).serviceCentre.code).toBe('STAR-A');
    const payee = await h.run(claims(), P.readPayee, { id: ids['STAR-A'] });
    expect(expectError(payee, 'FORBIDDEN').message).toBe('requires one of the roles OPERATOR, ADMIN, FINANCE, PARTNER');
    expect(payee.data).toEqual({ serviceCentre: { id: ids['STAR-A'], code: 'STAR-A', payee: null } });
    expectError(await h.run(claims(), P.readHistory, { id: ids['STAR-A'] }), 'FORBIDDEN');
  });

  it('anonymous callers are UNAUTHENTICATED', async () => {
    expectError(await h.run(null, P.readPayee, { id: ids['STAR-A'] }), 'UNAUTHENTICATED');
  });
});

describe('setCentrePayee refusals write nothing', () => {
  it.each<[string, () => Claims | null, string]>([
    ['CALL_CENTRE', () => as.callCentre(), 'FORBIDDEN'],
    ['FINANCE', () => as.finance(), 'FORBIDDEN'],
    ['PARTNER (own centre)', () => as.partner(ids['STAR-A']), 'FORBIDDEN'],
    ['ENGINEER', () => as.engineer(), 'FORBIDDEN'],
    ['anonymous', () => null, 'UNAUTHENTICATED'],
  ])('refuses %s', async (_role, claims, code) => {
    const error = await refused(claims(), P.set, { id: ids['STAR-A'], input: CCB, reason: 'hijack' }, code);
    if (code === 'FORBIDDEN') expect(error.message).toBe('requires one of the roles OPERATOR, ADMIN');
  });

  it.each([
    ['accountName', { input: { ...CCB, accountName: '  ' } }],
    ['accountName', { input: { ...CCB, accountName: 'x'.repeat(101) } }],
    ['accountName', { input: { ...CCB, accountName: 'Acme\u0007Ltd' } }],
    ['bank', { input: { ...CCB, bank: '' } }],
    ['bank', { input: { ...CCB, bank: 'b'.repeat(101) } }],
    ['accountNumber', { input: { ...CCB, accountNumber: '1234567' } }],
    ['accountNumber', { input: { ...CCB, accountNumber: '1'.repeat(31) } }],
    ['accountNumber', { input: { ...CCB, accountNumber: '6222-0212-3456-7890' } }],
    ['accountNumber', { input: { ...CCB, accountNumber: '' } }],
    ['reason', { reason: ' ' }],
    ['reason', { reason: 'r'.repeat(501) }],
  ])('refuses a malformed %s with BAD_USER_INPUT naming it', async (field, vars) => {
    for (const claims of [as.operator(), as.admin()]) {
      const error = await refused(
        claims,
        P.set,
        { id: ids['STAR-A'], input: CCB, reason: 'x', ...vars },
        'BAD_USER_INPUT',
      );
      expect(error.extensions['field']).toBe(field);
      expect(error.message).toContain(`${field}: `);
    }
  });

  it('names every malformed field at once, before looking the centre up', async () => {
    const error = await refused(
      as.operator(),
      P.set,
      { id: 'centre-404', input: { accountName: '', bank: '', accountNumber: 'x' }, reason: '' },
      'BAD_USER_INPUT',
    );
    expect((error.extensions['violations'] as { field: string }[]).map((v) => v.field)).toEqual([
      'accountName',
      'bank',
      'accountNumber',
      'reason',
    ]);
  });

  it('refuses a missing field or reason at the schema', async () => {
    for (const vars of [
      { input: { accountName: 'x', bank: 'y' }, reason: 'x' },
      { input: CCB },
      { input: { ...CCB, accountNumber: 62220212 }, reason: 'x' },
    ]) {
      const before = await h.snapshot();
      const result = await h.run(as.operator(), P.set, { id: ids['STAR-A'], ...vars });
      expect(result.errors).toHaveLength(1);
      expect(result.data).toBeNull();
      expect(await h.snapshot()).toBe(before);
    }
  });

  it('an unknown centre is NOT_FOUND', async () => {
    const error = await refused(as.operator(), P.set, { id: 'centre-404', input: CCB, reason: 'x' }, 'NOT_FOUND');
    expect(error.message).toBe('service centre centre-404 does not exist');
  });

  it('an ELIMINATED centre is final: INVALID_TRANSITION, its details unchanged', async () => {
    const error = await refused(
      as.admin(),
      P.set,
      { id: ids['GONE'], input: ICBC, reason: 'final payout account' },
      'INVALID_TRANSITION',
    );
    expect(error.extensions['currentState']).toBe('ELIMINATED');
    // Still readable, for its last settlement.
    expect(expectOk(await h.run(as.finance(), P.readPayee, { id: ids['GONE'] })).serviceCentre.payee).toEqual({
      accountNumber: CCB.accountNumber,
    });
  });
});

describe('idempotency keys', () => {
  it('a replay returns the first result and writes nothing; the key with another payload is CONFLICT', async () => {
    const id = expectOk(await h.run(as.admin(), Q.create, { input: centreInput({ parentId: ids['REGION'] }) }))
      .createServiceCentre.id as string;
    const first = await set(as.operator(), id, ICBC, 'opening', 'payee-key-0001');
    const before = await h.snapshot();
    expect(await set(as.operator(), id, ICBC, 'opening', 'payee-key-0001')).toEqual(first);
    expect(await h.snapshot()).toBe(before);
    for (const vars of [
      { input: CCB, reason: 'opening' },
      { input: ICBC, reason: 'another reason' },
      { input: { ...ICBC, accountNumber: '6222021234567890' }, reason: 'opening' },
    ]) {
      const error = await refused(as.operator(), P.set, { id, ...vars, key: 'payee-key-0001' }, 'CONFLICT');
      expect(error.message).toBe('this idempotencyKey was already used with a different request');
    }
    await refused(as.operator(), P.set, { id, input: CCB, reason: 'x', key: 'bad key!' }, 'BAD_USER_INPUT');
  });

  it('frees a key whose request failed', async () => {
    await refused(
      as.operator(),
      P.set,
      { id: ids['GONE'], input: CCB, reason: 'x', key: 'payee-key-0002' },
      'INVALID_TRANSITION',
    );
    expect(
      (await set(as.operator(), ids['STAR-B']!, { ...CCB, bank: 'Bank of Shanghai' }, 'x', 'payee-key-0002')).payee
        .bank,
    ).toBe('Bank of Shanghai');
  });

  it('the same key from another caller scope runs on its own (never the first caller’s replay)', async () => {
    const id = expectOk(await h.run(as.admin(), Q.create, { input: centreInput({ parentId: ids['REGION'] }) }))
      .createServiceCentre.id as string;
    await set({ sub: 'hq-1', roles: ['OPERATOR'] }, id, ICBC, 'opening', 'payee-key-0003');
    const other = await set({ sub: 'hq-1', roles: ['ADMIN'] }, id, CCB, 'other', 'payee-key-0003');
    expect(other.payee).toMatchObject({ accountNumber: CCB.accountNumber, updatedBy: 'hq-1' });
    expect(other.payeeHistory).toHaveLength(2);
  });
});
