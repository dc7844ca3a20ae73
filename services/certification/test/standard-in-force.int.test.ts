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
  h = await startHarness('certification_in_force', () => new Date(), async () => inForce);
});
afterAll(async () => {
  await h.db.close();
});

describe('mutations use the standard in force, never built-in numbers', () => {
  it('issues, deducts and certifies by the version in force at the time', async () => {
    inForce = published;
    const dishwasher = { productLine: 'DISHWASHER', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' };
    const e = expectOk(await h.run(as.operator(), Q.register, { input: engineerInput({ certifications: [dishwasher] }) })).registerEngineer;
    expect(e.licence).toMatchObject({ maxPoints: 10, pointsRemaining: 10 });
    const entry = expectOk(await h.run(as.operator(), Q.event, { id: e.id, code: 'PROMISE_BROKEN', key: 'ticket:IF-1' })).recordLicenceEvent;
    expect(entry.points).toBe(-5);
    expect(expectOk(await h.run(as.operator(), Q.engineer, { id: e.id })).engineer.licence).toMatchObject({
      pointsRemaining: 5,
      status: 'NORMAL',
      ledger: [{ code: 'PROMISE_BROKEN', standardVersionId: 'standard-v9' }],
    });
    // The same deductions under the default standard: 12 − 5 stays NORMAL there too, but 10 − 5 − 1 is WARNING here.
    expectOk(await h.run(as.operator(), Q.event, { id: e.id, code: 'LATE_ARRIVAL', key: 'ticket:IF-2' }));
    expect(expectOk(await h.run(as.operator(), Q.ledger, { id: e.id })).engineer.licence).toMatchObject({ pointsRemaining: 4, status: 'WARNING' });
  });

  it('follows a change of standard between requests', async () => {
    inForce = DEFAULT_LICENCE_POLICY;
    const e = expectOk(await h.run(as.operator(), Q.register, { input: engineerInput() })).registerEngineer;
    expect(expectOk(await h.run(as.operator(), Q.event, { id: e.id, code: 'PROMISE_BROKEN', key: 'ticket:IF-3' })).recordLicenceEvent.points).toBe(-3);
    inForce = published;
    const other = expectOk(await h.run(as.operator(), Q.register, { input: engineerInput() })).registerEngineer;
    expect(expectOk(await h.run(as.operator(), Q.event, { id: other.id, code: 'PROMISE_BROKEN', key: 'ticket:IF-4' })).recordLicenceEvent.points).toBe(-5);
  });
});
