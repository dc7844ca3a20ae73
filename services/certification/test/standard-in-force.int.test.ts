import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as } from '../../../common/test/harness.ts';
import type { LicencePolicy } from '../src/rules/policy.ts';
import { DEFAULT_LICENCE_POLICY } from './policy.ts';
import { Q, engineerInput, expectOk, startHarness, type Harness } from './support.ts';

/** A standard an operator published: stricter points, a smaller licence, one more product line. */
const published: LicencePolicy = {
  ...DEFAULT_LICENCE_POLICY,
  standardVersionId: 'standard-v9',
  maxPoints: 10,
  warningAtOrBelow: 4,
  productLines: [...DEFAULT_LICENCE_POLICY.productLines, 'DISHWASHER'],
  pointRules: DEFAULT_LICENCE_POLICY.pointRules.map((r) => (r.code === 'PROMISE_BROKEN' ? { ...r, points: -5 } : r)),
};
let inForce: LicencePolicy = DEFAULT_LICENCE_POLICY;
let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    'certification_in_force',
    () => new Date(),
    async () => inForce,
  );
});
afterAll(async () => {
  await h.db.close();
});

describe('mutations use the standard in force, never built-in numbers', () => {
  it('issues, deducts and certifies by the version in force at the time', async () => {
    inForce = published;
    const dishwasher = {
      productLine: 'DISHWASHER',
      issuedAt: '2026-01-01T00:00:00Z',
      expiresAt: '2030-01-01T00:00:00Z',
    };
    const e = expectOk(
      await h.run(as.operator(), Q.register, { input: engineerInput({ certifications: [dishwasher] }) }),
    ).registerEngineer;
    expect(e.licence).toMatchObject({ maxPoints: 10, pointsRemaining: 10 });
    const entry = expectOk(
      await h.run(as.operator(), Q.event, { id: e.id, code: 'PROMISE_BROKEN', key: 'ticket:IF-1' }),
    ).recordLicenceEvent;
    expect(entry.points).toBe(-5);
    expect(expectOk(await h.run(as.operator(), Q.engineer, { id: e.id })).engineer.licence).toMatchObject({
      pointsRemaining: 5,
      status: 'NORMAL',
      ledger: [{ code: 'PROMISE_BROKEN', standardVersionId: 'standard-v9' }],
    });
    // The same deductions under the default standard: 12 − 5 stays NORMAL there too, but 10 − 5 − 1 is WARNING here.
    expectOk(await h.run(as.operator(), Q.event, { id: e.id, code: 'LATE_ARRIVAL', key: 'ticket:IF-2' }));
    expect(expectOk(await h.run(as.operator(), Q.ledger, { id: e.id })).engineer.licence).toMatchObject({
      pointsRemaining: 4,
      status: 'WARNING',
    });
  });

  it('follows a change of standard between requests', async () => {
    inForce = DEFAULT_LICENCE_POLICY;
    const e = expectOk(await h.run(as.operator(), Q.register, { input: engineerInput() })).registerEngineer;
    expect(
      expectOk(await h.run(as.operator(), Q.event, { id: e.id, code: 'PROMISE_BROKEN', key: 'ticket:IF-3' }))
        .recordLicenceEvent.points,
    ).toBe(-3);
    inForce = published;
    const other = expectOk(await h.run(as.operator(), Q.register, { input: engineerInput() })).registerEngineer;
    expect(
      expectOk(await h.run(as.operator(), Q.event, { id: other.id, code: 'PROMISE_BROKEN', key: 'ticket:IF-4' }))
        .recordLicenceEvent.points,
    ).toBe(-5);
  });

  it('keeps a cycle on the numbers it began under: a later standard neither revives nor revokes a licence, and applies from the next cycle', async () => {
    inForce = DEFAULT_LICENCE_POLICY;
    const revoked = expectOk(await h.run(as.operator(), Q.register, { input: engineerInput() })).registerEngineer;
    const docked = expectOk(await h.run(as.operator(), Q.register, { input: engineerInput() })).registerEngineer;
    for (const [i, code] of ['OVERCHARGE', 'MAJOR_COMPLAINT'].entries())
      expectOk(await h.run(as.operator(), Q.event, { id: revoked.id, code, key: `ticket:TERMS-${i}` }));
    expectOk(await h.run(as.operator(), Q.event, { id: docked.id, code: 'PROMISE_BROKEN', key: 'ticket:TERMS-9' }));
    const licence = async (id: string) => expectOk(await h.run(as.operator(), Q.engineer, { id })).engineer.licence;

    // A bigger licence (15) would lift 12 − 12 to 3; a smaller one (3) would take 12 − 3 to 0.
    for (const maxPoints of [15, 3]) {
      inForce = {
        ...DEFAULT_LICENCE_POLICY,
        standardVersionId: `standard-max-${maxPoints}`,
        maxPoints,
        warningAtOrBelow: Math.min(4, maxPoints - 1),
      };
      expect(await licence(revoked.id)).toMatchObject({ maxPoints: 12, pointsRemaining: 0, status: 'REVOKED' });
      expect(await licence(docked.id)).toMatchObject({ maxPoints: 12, pointsRemaining: 9, status: 'NORMAL' });
    }

    // The next cycle begins under the standard in force then.
    inForce = { ...DEFAULT_LICENCE_POLICY, standardVersionId: 'standard-max-15', maxPoints: 15, warningAtOrBelow: 4 };
    const current = await licence(docked.id);
    const start = new Date(current.cycleEnd);
    expect(await h.store.insertCycle(current.id, 1, start, new Date(start.getTime() + 365 * 86_400_000), inForce)).toBe(
      true,
    );
    expect(await licence(docked.id)).toMatchObject({
      maxPoints: 15,
      pointsRemaining: 15,
      status: 'NORMAL',
      cycleStart: start.toISOString(),
    });
    inForce = DEFAULT_LICENCE_POLICY;
    expect(await licence(docked.id)).toMatchObject({ maxPoints: 15, pointsRemaining: 15 });
  });
});
