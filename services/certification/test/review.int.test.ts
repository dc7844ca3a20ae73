import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import { as } from '../../../common/test/harness.ts';
import { createCertificationActivities } from '../src/activities.ts';
import type { CertificationActivities } from '../src/contract.ts';
import { cycleEndFrom } from '../src/rules/policy.ts';
import { Q, engineerInput, expectOk, startHarness, type Harness } from './support.ts';
import { DEFAULT_LICENCE_POLICY } from './policy.ts';

let h: Harness;
let acts: CertificationActivities;

const register = async (overrides: Record<string, unknown> = {}) =>
  expectOk(await h.run(as.operator(), Q.register, { input: engineerInput(overrides) })).registerEngineer;
const event = async (id: string, code: string, key: string) =>
  expectOk(await h.run(as.operator(), Q.event, { id, code, key }));

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

beforeAll(async () => {
  h = await startHarness('certification_review');
  acts = createCertificationActivities(h.store, async () => DEFAULT_LICENCE_POLICY);
});
afterAll(async () => {
  await h.db.close();
});

describe('annualReview', () => {
  it('rolls unrevoked licences into a new cycle at full points, flags failures, pages, and a re-run changes nothing', async () => {
    const ok = await register();
    const warned = await register();
    const revoked = await register();
    const failedExam = await register();
    await event(warned.id, 'OVERCHARGE', 'ticket:Y-1');
    await event(revoked.id, 'OVERCHARGE', 'ticket:Y-2');
    await event(revoked.id, 'OVERCHARGE', 'ticket:Y-3');
    expectOk(
      await h.run(as.operator(), Q.exam, {
        input: {
          engineerId: failedExam.id,
          kind: 'ANNUAL_REVIEW',
          passed: false,
          score: 30,
          takenAt: new Date().toISOString(),
        },
      }),
    );

    const cycleEnd = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const runAll = async () => {
      let after: string | null = null;
      const totals = { processed: 0, rolled: 0, flagged: 0, batches: 0 };
      do {
        const r = await acts.annualReview({ cycleEnd, batchSize: 2, after });
        totals.processed += r.processed;
        totals.rolled += r.rolled;
        totals.flagged += r.flagged;
        totals.batches++;
        after = r.nextCursor;
      } while (after);
      return totals;
    };
    const first = await runAll();
    expect(first).toMatchObject({ processed: 4, rolled: 3, flagged: 2 });
    // Pages of 2: two full pages, then an empty one that ends the run.
    expect(first.batches).toBe(3);

    const view = async (id: string) => expectOk(await h.run(as.operator(), Q.engineer, { id })).engineer;
    const w = await view(warned.id);
    expect(w.licence).toMatchObject({ pointsRemaining: 12, status: 'NORMAL' });
    expect(w.licence.ledger).toHaveLength(1);
    expect(w.licence.ledger[0].cycleIndex).toBe(0);
    // The new cycle starts where the old one ended and runs the standard's 12 months.
    expect(w.licence.cycleStart).toBe(warned.licence.cycleEnd);
    expect(w.licence.cycleEnd).toBe(
      cycleEndFrom(new Date(warned.licence.cycleEnd), DEFAULT_LICENCE_POLICY.cycleMonths).toISOString(),
    );
    expect(new Date(w.licence.cycleEnd).getTime()).toBeGreaterThan(new Date(cycleEnd).getTime());
    expect((await view(revoked.id)).licence).toMatchObject({ pointsRemaining: 0, status: 'REVOKED' });
    expect((await view(revoked.id)).reviewFlags.map((f: any) => f.reason)).toEqual(['REVOKED']);
    expect((await view(failedExam.id)).reviewFlags.map((f: any) => f.reason)).toEqual(['FAILED_REVIEW_EXAM']);
    expect((await view(ok.id)).reviewFlags).toEqual([]);

    const before = await h.snapshot();
    expect(await runAll()).toMatchObject({ processed: 4, rolled: 0, flagged: 0 });
    expect(await h.snapshot()).toBe(before);

    // A flag stays with the engineer after a reinstatement issues a new licence.
    expectOk(
      await h.run(as.operator(), Q.exam, {
        input: {
          engineerId: revoked.id,
          kind: 'RETRAINING',
          passed: true,
          score: 90,
          takenAt: new Date().toISOString(),
        },
      }),
    );
    expect(expectOk(await h.run(as.operator(), Q.reinstate, { id: revoked.id })).reinstateLicence.generation).toBe(2);
    expect((await view(revoked.id)).reviewFlags.map((f: any) => f.reason)).toEqual(['REVOKED']);
  });

  it('leaves licences whose cycle has not ended, and refuses bad input', async () => {
    const acts2 = createCertificationActivities(h.store, async () => DEFAULT_LICENCE_POLICY);
    const r = await acts2.annualReview({ cycleEnd: new Date().toISOString(), batchSize: 500 });
    expect(r).toMatchObject({ rolled: 0, flagged: 0, nextCursor: null });
    await failure(acts2.annualReview({ cycleEnd: 'soon', batchSize: 10 }));
    await failure(acts2.annualReview({ cycleEnd: new Date().toISOString(), batchSize: 0 }));
  });

  it('rolls a licence into a cycle under the standard it is given: its numbers from then on', async () => {
    const e = await register();
    await event(e.id, 'PROMISE_BROKEN', 'ticket:Y-9');
    const policy = {
      ...DEFAULT_LICENCE_POLICY,
      pointRules: [...DEFAULT_LICENCE_POLICY.pointRules],
      productLines: [...DEFAULT_LICENCE_POLICY.productLines],
      standardVersionId: 'standard-v15',
      maxPoints: 15,
      warningAtOrBelow: 4,
    };
    let after: string | null = null;
    do
      after = (
        await acts.annualReview({
          cycleEnd: new Date(Date.now() + 400 * 86_400_000).toISOString(),
          batchSize: 500,
          after,
          policy,
        })
      ).nextCursor;
    while (after);
    const licence = expectOk(await h.run(as.operator(), Q.engineer, { id: e.id })).engineer.licence;
    expect(licence).toMatchObject({ maxPoints: 15, pointsRemaining: 15, status: 'NORMAL' });
    expect(licence.ledger).toMatchObject([{ code: 'PROMISE_BROKEN', cycleIndex: 0 }]);
  });
});
