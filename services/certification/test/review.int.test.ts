import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import { as } from '../../../common/test/harness.ts';
import { createCertificationActivities } from '../src/activities.ts';
import type { CertificationActivities } from '../src/contract.ts';
import { Q, engineerInput, expectOk, startHarness, type Harness } from './support.ts';
import { DEFAULT_LICENCE_POLICY } from './policy.ts';

let h: Harness;
let acts: CertificationActivities;

const register = async (overrides: Record<string, unknown> = {}) =>
  expectOk(await h.run(as.operator(), Q.register, { input: engineerInput(overrides) })).registerEngineer;
const event = async (id: string, code: string, key: string) => expectOk(await h.run(as.operator(), Q.event, { id, code, key }));

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(() => null, (e: unknown) => e);
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
    expectOk(await h.run(as.operator(), Q.exam, { input: { engineerId: failedExam.id, kind: 'ANNUAL_REVIEW', passed: false, score: 30, takenAt: new Date().toISOString() } }));

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
    expect(first.batches).toBeGreaterThanOrEqual(2);

    const view = async (id: string) => expectOk(await h.run(as.operator(), Q.engineer, { id })).engineer;
    const w = await view(warned.id);
    expect(w.licence).toMatchObject({ pointsRemaining: 12, status: 'NORMAL' });
    expect(w.licence.ledger).toHaveLength(1);
    expect(w.licence.ledger[0].cycleIndex).toBe(0);
    expect(new Date(w.licence.cycleEnd).getTime()).toBeGreaterThan(new Date(cycleEnd).getTime());
    expect((await view(revoked.id)).licence).toMatchObject({ pointsRemaining: 0, status: 'REVOKED' });
    expect((await view(revoked.id)).reviewFlags.map((f: any) => f.reason)).toEqual(['REVOKED']);
    expect((await view(failedExam.id)).reviewFlags.map((f: any) => f.reason)).toEqual(['FAILED_REVIEW_EXAM']);
    expect((await view(ok.id)).reviewFlags).toEqual([]);

    const before = await h.snapshot();
    expect(await runAll()).toMatchObject({ processed: 4, rolled: 0, flagged: 0 });
    expect(await h.snapshot()).toBe(before);
  });

  it('leaves licences whose cycle has not ended, and refuses bad input', async () => {
    const acts2 = createCertificationActivities(h.store, async () => DEFAULT_LICENCE_POLICY);
    const r = await acts2.annualReview({ cycleEnd: new Date().toISOString(), batchSize: 500 });
    expect(r).toMatchObject({ rolled: 0, flagged: 0, nextCursor: null });
    await failure(acts2.annualReview({ cycleEnd: 'soon', batchSize: 10 }));
    await failure(acts2.annualReview({ cycleEnd: new Date().toISOString(), batchSize: 0 }));
  });
});
