import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { Q, engineerInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

/**
 * Every reference a mutation names is authorised, not only the record it changes (docs/domain.md §1).
 * One row per (mutation, argument naming a centre or an engineer). The PARTNER of centre-A and
 * centre-A's own ENGINEER name centre-B (or centre-B's engineer); HQ names one that does not exist.
 */
let h: Harness;
let engA: { id: string };
let engB: { id: string; number: string };
const MISSING = 'engineer-404';
const CERT = { productLine: 'AIR_CONDITIONER', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' };
const EDITORS = 'requires one of the roles OPERATOR, ADMIN';

const partnerA = () => as.partner('centre-A');
const engineerA = (): Claims => ({ ...as.engineer(engA.id), centreId: 'centre-A' });
const engineersAt = async (centreId: string) =>
  (await h.store.pageEngineers({ centreId }, null, 100)).records.map((e) => e.id).sort();

beforeAll(async () => {
  h = await startHarness('certification_references');
  engA = expectOk(
    await h.run(as.operator(), Q.register, { input: engineerInput({ centreId: 'centre-A' }) }),
  ).registerEngineer;
  engB = expectOk(
    await h.run(as.operator(), Q.register, { input: engineerInput({ centreId: 'centre-B' }) }),
  ).registerEngineer;
  expectOk(await h.run(as.operator(), Q.event, { id: engB.id, code: 'LATE_ARRIVAL', key: 'ticket:B-1' }));
});
afterAll(async () => {
  await h.db.close();
});

/**
 * The request fails with exactly `code`, returns no data, and nothing is written: not the database,
 * not a ledger entry on centre-B's engineer, not an engineer at centre-B.
 */
async function refused(claims: Claims, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const [entries, atB] = [await h.store.countEntries(`${engB.id}:1`), await engineersAt('centre-B')];
  const result = await h.run(claims, source, variables);
  const error = expectError(result, code);
  expect(result.data).toBeNull();
  expect(await h.snapshot()).toBe(before);
  expect(entries).toBe(1);
  expect(await h.store.countEntries(`${engB.id}:1`)).toBe(1);
  expect(await engineersAt('centre-B')).toEqual(atB);
  return error;
}

interface Row {
  name: string;
  source: string;
  /** Variables naming centre-B, or centre-B's engineer. */
  foreign: () => Record<string, unknown>;
  partnerMessage: string;
  engineerMessage: string;
  /** The same call naming a centre or engineer that does not exist, and what HQ is told. */
  missing: () => Record<string, unknown>;
  notFound: { message: string; field?: string };
}

const ENGINEER_NOT_FOUND = { message: 'engineer engineer-404 does not exist' };

const ROWS: Row[] = [
  {
    name: 'registerEngineer input.centreId',
    source: Q.register,
    foreign: () => ({ input: engineerInput({ centreId: 'centre-B' }) }),
    partnerMessage: 'a partner may only register engineers for its own centre',
    engineerMessage: 'requires one of the roles PARTNER, OPERATOR, ADMIN',
    missing: () => ({ input: engineerInput({ centreId: 'centre-404' }) }),
    notFound: { message: 'service centre centre-404 does not exist', field: 'centreId' },
  },
  {
    name: 'certifyEngineer engineerId',
    source: Q.certify,
    foreign: () => ({ id: engB.id, c: CERT }),
    partnerMessage: EDITORS,
    engineerMessage: EDITORS,
    missing: () => ({ id: MISSING, c: CERT }),
    notFound: ENGINEER_NOT_FOUND,
  },
  {
    name: 'recordLicenceEvent engineerId',
    source: Q.event,
    foreign: () => ({ id: engB.id, code: 'OVERCHARGE', key: 'ticket:REF-1' }),
    partnerMessage: EDITORS,
    engineerMessage: EDITORS,
    missing: () => ({ id: MISSING, code: 'OVERCHARGE', key: 'ticket:REF-1' }),
    notFound: ENGINEER_NOT_FOUND,
  },
  {
    name: 'recordExamResult input.engineerId',
    source: Q.exam,
    foreign: () => ({
      input: { engineerId: engB.id, kind: 'JUNIOR', passed: true, score: 90, takenAt: '2026-01-02T00:00:00Z' },
    }),
    partnerMessage: EDITORS,
    engineerMessage: EDITORS,
    missing: () => ({
      input: { engineerId: MISSING, kind: 'JUNIOR', passed: true, score: 90, takenAt: '2026-01-02T00:00:00Z' },
    }),
    notFound: ENGINEER_NOT_FOUND,
  },
  {
    name: 'promoteEngineer engineerId',
    source: Q.promote,
    foreign: () => ({ id: engB.id, to: 'SERVICE_ENGINEER' }),
    partnerMessage: EDITORS,
    engineerMessage: EDITORS,
    missing: () => ({ id: MISSING, to: 'SERVICE_ENGINEER' }),
    notFound: ENGINEER_NOT_FOUND,
  },
  {
    name: 'reinstateLicence engineerId',
    source: Q.reinstate,
    foreign: () => ({ id: engB.id }),
    partnerMessage: EDITORS,
    engineerMessage: EDITORS,
    missing: () => ({ id: MISSING }),
    notFound: ENGINEER_NOT_FOUND,
  },
];

describe('every (mutation, centre or engineer reference)', () => {
  it.each(ROWS)('$name: the PARTNER of centre-A naming centre-B’s is FORBIDDEN and writes nothing', async (row) => {
    expect((await refused(partnerA(), row.source, row.foreign(), 'FORBIDDEN')).message).toBe(row.partnerMessage);
  });

  it.each(ROWS)('$name: centre-A’s ENGINEER naming centre-B’s is FORBIDDEN and writes nothing', async (row) => {
    expect((await refused(engineerA(), row.source, row.foreign(), 'FORBIDDEN')).message).toBe(row.engineerMessage);
  });

  it.each(ROWS)('$name: HQ naming one that does not exist is NOT_FOUND and writes nothing', async (row) => {
    for (const claims of [as.operator(), as.admin()]) {
      const error = await refused(claims, row.source, row.missing(), 'NOT_FOUND');
      expect(error.message).toBe(row.notFound.message);
      expect(error.extensions['field']).toBe(row.notFound.field);
    }
  });

  it('registerEngineer: the PARTNER of centre-A registers at its own centre', async () => {
    const e = expectOk(
      await h.run(partnerA(), Q.register, { input: engineerInput({ centreId: 'centre-A' }) }),
    ).registerEngineer;
    expect(e).toMatchObject({
      centreId: 'centre-A',
      createdBy: 'partner-centre-A',
      licence: { generation: 1, pointsRemaining: 12, status: 'NORMAL' },
    });
  });
});

describe('a replayed idempotency key from another caller scope', () => {
  it('registerEngineer: one integration subject, two centres: the other centre gets FORBIDDEN, not the first result', async () => {
    const forA: Claims = { sub: 'integration-1', roles: ['PARTNER'], centreId: 'centre-A' };
    const forB: Claims = { sub: 'integration-1', roles: ['PARTNER'], centreId: 'centre-B' };
    const vars = { input: engineerInput({ centreId: 'centre-A' }), key: 'replay-register-01' };
    const first = expectOk(await h.run(forA, Q.register, vars)).registerEngineer;
    const error = await refused(forB, Q.register, vars, 'FORBIDDEN');
    expect(error.message).toBe('a partner may only register engineers for its own centre');
    expect(expectOk(await h.run(forA, Q.register, vars)).registerEngineer.id).toBe(first.id);
    // Its own request under the same key is its own, not a CONFLICT with centre-A's.
    const own = { input: engineerInput({ centreId: 'centre-B' }), key: 'replay-register-01' };
    const mine = expectOk(await h.run(forB, Q.register, own)).registerEngineer;
    expect(mine).toMatchObject({ centreId: 'centre-B', createdBy: 'integration-1' });
    expect(mine.id).not.toBe(first.id);
  });

  it('registerEngineer: one HQ subject, two role sets: the second runs on its own (CONFLICT on the number)', async () => {
    const input = engineerInput({ centreId: 'centre-B', number: 'RP-990001' });
    const vars = { input, key: 'replay-register-02' };
    const first = expectOk(await h.run({ sub: 'hq-1', roles: ['OPERATOR'] }, Q.register, vars)).registerEngineer;
    expect(first.centreId).toBe('centre-B');
    const error = await refused({ sub: 'hq-1', roles: ['ADMIN'] }, Q.register, vars, 'CONFLICT');
    expect(error.message).toBe('an engineer with number RP-990001 already exists');
    expect(error.extensions['field']).toBe('number');
  });
});
