import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import { as } from '../../../common/test/harness.ts';
import { createCertificationActivities } from '../src/activities.ts';
import { createCertificationStore } from '../src/store/certification.ts';
import type { CertificationActivities, LicencePolicyInput } from '../src/contract.ts';
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
  h = await startHarness('certification_activities');
  acts = createCertificationActivities(h.store, async () => DEFAULT_LICENCE_POLICY);
});
afterAll(async () => {
  await h.db.close();
});

describe('mayTakeJob', () => {
  const ask = (engineerId: string, over: Partial<Parameters<CertificationActivities['mayTakeJob']>[0]> = {}) =>
    acts.mayTakeJob({
      engineerId,
      centreId: 'centre-1',
      productLine: 'AIR_CONDITIONER',
      at: new Date().toISOString(),
      jobsToday: 0,
      usualDailyCap: 8,
      ...over,
    });

  it('allows a certified engineer; refuses another product line or an expired certification', async () => {
    const e = await register();
    expect((await ask(e.id)).allowed).toBe(true);
    expect((await ask(e.id, { productLine: 'WASHER' })).allowed).toBe(false);
    expect((await ask(e.id, { at: '2031-01-01T00:00:00Z' })).allowed).toBe(false);
  });

  it('caps WARNING engineers at half the usual jobs and refuses REVOKED ones', async () => {
    const e = await register();
    await event(e.id, 'OVERCHARGE', 'ticket:W-1');
    expect((await ask(e.id, { jobsToday: 3 })).allowed).toBe(true);
    expect(await ask(e.id, { jobsToday: 4 })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('WARNING'),
    });
    await event(e.id, 'MAJOR_COMPLAINT', 'ticket:W-2');
    expect(await ask(e.id)).toMatchObject({ allowed: false, reason: expect.stringContaining('REVOKED') });
  });

  it('refuses a job of another centre than the engineer’s, and engineerRef names the engineer’s centre', async () => {
    const e = await register({ centreId: 'centre-2' });
    expect(await ask(e.id, { centreId: 'centre-1' })).toEqual({
      allowed: false,
      reason: `engineer ${e.id} works for another centre than the job's`,
    });
    expect((await ask(e.id, { centreId: 'centre-2' })).allowed).toBe(true);
    expect(await acts.engineerRef({ engineerId: e.id })).toEqual({ id: e.id, centreId: 'centre-2' });
    expect(await acts.engineerRef({ engineerId: 'no-such-engineer' })).toBeNull();
    expect((await failure(acts.engineerRef({ engineerId: 'not an id' }))).nonRetryable).toBe(true);
    expect((await failure(ask(e.id, { centreId: '' }))).nonRetryable).toBe(true);
  });

  it('answers not allowed for an unknown engineer and refuses bad input non-retryably', async () => {
    expect((await ask('missing')).allowed).toBe(false);
    expect((await failure(ask('missing', { productLine: 'ac' }))).nonRetryable).toBe(true);
    await failure(ask('x', { at: 'yesterday' }));
    await failure(ask('x', { jobsToday: -1 }));
    await failure(ask('x', { usualDailyCap: 2.5 }));
  });

  it('without usualDailyCap caps by the usual daily jobs of the policy (given, else in force)', async () => {
    const e = await register();
    const policy = {
      ...DEFAULT_LICENCE_POLICY,
      pointRules: [...DEFAULT_LICENCE_POLICY.pointRules],
      productLines: [...DEFAULT_LICENCE_POLICY.productLines],
      usualDailyJobs: 6,
    };
    const askDefault = (jobsToday: number, p?: typeof policy) =>
      acts.mayTakeJob({
        engineerId: e.id,
        centreId: 'centre-1',
        productLine: 'AIR_CONDITIONER',
        at: new Date().toISOString(),
        jobsToday,
        ...(p ? { policy: p } : {}),
      });
    // NORMAL: the standard in force says 8 a day, the policy given 6.
    expect((await askDefault(7)).allowed).toBe(true);
    expect(await askDefault(8)).toMatchObject({ allowed: false, reason: expect.stringContaining('cap of 8') });
    expect((await askDefault(5, policy)).allowed).toBe(true);
    expect(await askDefault(6, policy)).toMatchObject({ allowed: false, reason: expect.stringContaining('cap of 6') });
    // WARNING: half of 6 is 3.
    await event(e.id, 'OVERCHARGE', 'ticket:U-1');
    expect(await askDefault(2, policy)).toMatchObject({
      allowed: true,
      reason: expect.stringContaining('of at most 3'),
    });
    expect(await askDefault(3, policy)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('at most 3 jobs a day (50% of 6)'),
    });
    expect((await askDefault(3)).allowed).toBe(true);
    expect((await askDefault(4)).allowed).toBe(false);
    // A cap the caller gives still wins over the policy's.
    expect((await ask(e.id, { jobsToday: 4, usualDailyCap: 10, policy })).allowed).toBe(true);
  });
});

describe('recordLicenceEvent activity', () => {
  it('is idempotent by evidence and uses the policy passed in', async () => {
    const e = await register();
    const policy = {
      standardVersionId: 'std-v7',
      maxPoints: 12,
      warningAtOrBelow: 6,
      cycleMonths: 12,
      warningDailyCapPercent: 50,
      usualDailyJobs: 8,
      productLines: ['AIR_CONDITIONER'],
      pointRules: [{ code: 'PROMISE_BROKEN', kind: 'VIOLATION' as const, points: -4 }],
    };
    const first = await acts.recordLicenceEvent({
      engineerId: e.id,
      code: 'PROMISE_BROKEN',
      evidenceKey: 'ticket:V-1',
      recordedBy: 'system:sla',
      policy,
    });
    expect(first).toMatchObject({ created: true, pointsRemaining: 8, status: 'NORMAL' });
    const again = await acts.recordLicenceEvent({
      engineerId: e.id,
      code: 'PROMISE_BROKEN',
      evidenceKey: 'ticket:V-1',
      recordedBy: 'system:sla',
      policy,
    });
    expect(again).toMatchObject({ created: false, entryId: first.entryId, pointsRemaining: 8 });
    const entry = (await h.store.entriesOf(`${e.id}:1`))[0];
    expect(entry).toMatchObject({ points: -4, standardVersionId: 'std-v7' });
    const f = await failure(
      acts.recordLicenceEvent({ engineerId: e.id, code: 'UNKNOWN', evidenceKey: 'ticket:V-2', recordedBy: 'x' }),
    );
    expect(f.type).toBe('BAD_USER_INPUT');
  });
});

describe('policy input', () => {
  it('refuses a malformed policy non-retryably', async () => {
    const e = await register();
    const base = {
      standardVersionId: 'v',
      maxPoints: 12,
      warningAtOrBelow: 6,
      cycleMonths: 12,
      warningDailyCapPercent: 50,
      usualDailyJobs: 8,
      pointRules: [],
      productLines: ['AIR_CONDITIONER'],
    };
    for (const policy of [
      { ...base, maxPoints: 0 },
      { ...base, warningAtOrBelow: 12 },
      { ...base, warningDailyCapPercent: 101 },
      { ...base, usualDailyJobs: 0 },
      { ...base, usualDailyJobs: 51 },
      { ...base, usualDailyJobs: 7.5 },
      { ...base, pointRules: [{ code: 'X', kind: 'VIOLATION' as const, points: 2 }] },
      { ...base, pointRules: [{ code: 'X', kind: 'VIOLATION' as const, points: -1.5 }] },
      { ...base, pointRules: [{ code: 'Y', kind: 'CREDIT' as const, points: 0.5 }] },
      { ...base, productLines: ['not a code'] },
    ]) {
      const f = await failure(
        acts.mayTakeJob({
          engineerId: e.id,
          centreId: 'centre-1',
          productLine: 'AIR_CONDITIONER',
          at: new Date().toISOString(),
          jobsToday: 0,
          usualDailyCap: 8,
          policy,
        }),
      );
      expect(f.nonRetryable).toBe(true);
    }
  });

  it('refuses a policy whose usualDailyJobs is malformed or missing, even when no cap is given, naming it', async () => {
    const e = await register();
    const { usualDailyJobs: _usual, ...withoutUsual } = {
      ...DEFAULT_LICENCE_POLICY,
      pointRules: [],
      productLines: ['AIR_CONDITIONER'],
    };
    for (const policy of [
      { ...withoutUsual, usualDailyJobs: 0 },
      { ...withoutUsual, usualDailyJobs: '8' as unknown as number },
      withoutUsual as unknown as LicencePolicyInput,
    ]) {
      const f = await failure(
        acts.mayTakeJob({
          engineerId: e.id,
          centreId: 'centre-1',
          productLine: 'AIR_CONDITIONER',
          at: new Date().toISOString(),
          jobsToday: 0,
          policy,
        }),
      );
      expect(f).toMatchObject({
        nonRetryable: true,
        type: 'BadActivityInput',
        message: expect.stringContaining('usualDailyJobs must be 1–50'),
      });
    }
  });
});

describe('exam results, keyed per engineer', () => {
  const exam = (engineerId: string, kind: 'JUNIOR' | 'RETRAINING', takenAt: Date) => ({
    engineerId,
    kind,
    passed: true,
    score: 80,
    takenAt,
    recordedBy: 'operator-1',
    recordedAt: new Date(),
  });

  it("files each exam as the engineer's next number, concurrent ones too, and reads them by when they were taken", async () => {
    const e = await register();
    const day = (n: number) => new Date(Date.UTC(2026, 5, n));
    const first = await h.store.insertExam(exam(e.id, 'JUNIOR', day(10)));
    expect(first.id).toBe(`${e.id}/1`);
    const rest = await Promise.all([5, 1, 7, 3, 9].map((d) => h.store.insertExam(exam(e.id, 'RETRAINING', day(d)))));
    expect(rest.map((x) => x.id).sort()).toEqual([2, 3, 4, 5, 6].map((n) => `${e.id}/${n}`));
    const read = await h.store.examsOf(e.id);
    expect(read.map((x) => x.takenAt.getUTCDate())).toEqual([1, 3, 5, 7, 9, 10]);
    expect(await h.store.examsOf('no-such-engineer')).toEqual([]);
  });

  it('still reads exams stored before keyed ids, beside the keyed ones', async () => {
    const e = await register();
    await h.db.collection('exam_results').insertOne({
      _id: 'legacy-exam-1' as never,
      engineerId: e.id,
      kind: 'JUNIOR',
      passed: true,
      score: 70,
      takenAt: new Date(Date.UTC(2025, 0, 1)),
      recordedBy: 'operator-1',
      recordedAt: new Date(Date.UTC(2025, 0, 1)),
    });
    const store = createCertificationStore(h.db);
    await store.insertExam(exam(e.id, 'RETRAINING', new Date(Date.UTC(2026, 0, 1))));
    expect((await store.examsOf(e.id)).map((x) => x.id)).toEqual(['legacy-exam-1', `${e.id}/1`]);
  });
});

describe('finding the current cycle', () => {
  it('starts at the hint a new cycle raises, and finds the last cycle whatever the hint says', async () => {
    const e = await register();
    const licence = (await h.store.activeLicence(e.id))!;
    expect(licence.cycleHint).toBe(0);
    const day = (n: number) => new Date(Date.UTC(2027, 0, 1 + n));
    expect(await h.store.insertCycle(licence.id, 1, day(0), day(1), DEFAULT_LICENCE_POLICY)).toBe(true);
    expect(await h.store.insertCycle(licence.id, 2, day(1), day(2), DEFAULT_LICENCE_POLICY)).toBe(true);
    // A retried roll finds the cycle there and still raises the hint.
    await h.db.collection('licences').updateOne({ _id: licence.id as never }, { $set: { cycleHint: 1 } });
    expect(await h.store.insertCycle(licence.id, 2, day(1), day(2), DEFAULT_LICENCE_POLICY)).toBe(false);
    const raised = (await h.store.activeLicence(e.id))!;
    expect(raised.cycleHint).toBe(2);
    expect((await h.store.currentCycle(raised))!.index).toBe(2);
    // Behind: searches on from it. Past the last (never written so, but a wrong hint must not hide cycles): from the
    // first.
    for (const cycleHint of [0, 1, 7]) expect((await h.store.currentCycle({ ...raised, cycleHint }))!.index).toBe(2);
  });

  it("reads many engineers' licences and cycles in one batch, each its own, as one at a time would", async () => {
    const [one, three] = [await register(), await register()];
    const day = (n: number) => new Date(Date.UTC(2027, 0, 1 + n));
    for (const generation of [2, 3])
      expect(await h.store.issueLicence(three.id, generation, day(0), day(365), DEFAULT_LICENCE_POLICY)).toBe(true);
    const first = (await h.store.activeLicence(one.id))!;
    for (const index of [1, 2, 3])
      expect(await h.store.insertCycle(first.id, index, day(index), day(index + 1), DEFAULT_LICENCE_POLICY)).toBe(true);

    const licences = await h.store.activeLicences([one.id, three.id, one.id, 'no-such-engineer']);
    expect([...licences.keys()].sort()).toEqual([one.id, three.id].sort());
    expect(licences.get(one.id)!.generation).toBe(1);
    expect(licences.get(three.id)!.generation).toBe(3);

    const newest = licences.get(three.id)!;
    const cycles = await h.store.currentCycles([
      { ...first, cycleHint: 0 },
      newest,
      { id: 'no-such-licence', cycleHint: 0 },
    ]);
    expect(cycles.get(first.id)!.index).toBe(3);
    expect(cycles.get(newest.id)!.index).toBe(0);
    expect(cycles.has('no-such-licence')).toBe(false);
    // Every generation, newest first, across more than one probe of four.
    const six = await register();
    for (const generation of [2, 3, 4, 5, 6])
      expect(await h.store.issueLicence(six.id, generation, day(0), day(365), DEFAULT_LICENCE_POLICY)).toBe(true);
    expect((await h.store.licencesOf(six.id)).map((l) => l.generation)).toEqual([6, 5, 4, 3, 2, 1]);
    expect((await h.store.licencesOf(three.id)).map((l) => l.generation)).toEqual([3, 2, 1]);
    expect(await h.store.licencesOf('no-such-engineer')).toEqual([]);
    // A wrong hint on one licence does not disturb the others in its batch.
    const mixed = await h.store.currentCycles([{ ...first, cycleHint: 9 }, newest]);
    expect([mixed.get(first.id)!.index, mixed.get(newest.id)!.index]).toEqual([3, 0]);
  });
});
