import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import { as } from '../../../common/test/harness.ts';
import { createCertificationActivities } from '../src/activities.ts';
import type { CertificationActivities } from '../src/contract.ts';
import { Q, engineerInput, expectOk, startHarness, type Harness } from './support.ts';
import { DEFAULT_LICENCE_POLICY } from './policy.ts';

/**
 * Per-(centre, month) incentive credits (docs/domain.md §6): QUALITY_INFO_ADOPTED and SMALL_IMPROVEMENT
 * ledger credits counted for the engineer's centre in the Asia/Shanghai month they were recorded in,
 * each entry once, and read back by `centreMonthCredits`. Every expected number is counted by hand
 * from the events each test records.
 */

let h: Harness;
let acts: CertificationActivities;
/** The clock both the GraphQL mutations and the activities read. */
let clock = new Date('2026-02-20T02:00:00Z');
const at = (iso: string) => (clock = new Date(iso));

const register = async (centreId: string) =>
  expectOk(await h.run(as.operator(), Q.register, { input: engineerInput({ centreId }) })).registerEngineer as {
    id: string;
  };
const viaGraphql = async (id: string, code: string, key: string) =>
  expectOk(await h.run(as.operator(), Q.event, { id, code, key })).recordLicenceEvent;
const viaActivity = (engineerId: string, code: string, evidenceKey: string) =>
  acts.recordLicenceEvent({ engineerId, code, evidenceKey, recordedBy: 'workflow:test' });
const credits = (month: string, centreIds: string[]) => acts.centreMonthCredits({ month, centreIds });
const zero = (centreId: string) => ({ centreId, qualityInfoAdopted: 0, serviceInnovation: 0 });

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

beforeAll(async () => {
  h = await startHarness('certification_credits', () => clock);
  acts = createCertificationActivities(
    h.store,
    async () => DEFAULT_LICENCE_POLICY,
    () => clock,
  );
});
afterAll(async () => {
  await h.db.close();
});

describe('centreMonthCredits', () => {
  it('counts each centre’s credits per Shanghai month, through GraphQL and the activity, each entry once', async () => {
    at('2026-02-20T02:00:00Z');
    const a1 = await register('centre-A');
    const a2 = await register('centre-A');
    const b1 = await register('centre-B');

    at('2026-03-10T04:00:00Z');
    await viaGraphql(a1.id, 'QUALITY_INFO_ADOPTED', 'quality:Q-101'); //   A March quality 1
    await viaActivity(a1.id, 'SMALL_IMPROVEMENT', 'improvement:I-201'); // A March innovation 1
    await viaActivity(a2.id, 'QUALITY_INFO_ADOPTED', 'quality:Q-102'); //  A March quality 2
    await viaGraphql(a2.id, 'PROMISE_BROKEN', 'ticket:T-301'); //          a violation: not an incentive
    await viaGraphql(a2.id, 'CUSTOMER_DELIGHT', 'ticket:T-302'); //        a credit, but not one of the two
    await viaGraphql(b1.id, 'SMALL_IMPROVEMENT', 'improvement:I-202'); //  B March innovation 1
    await viaActivity(b1.id, 'SMALL_IMPROVEMENT', 'improvement:I-203'); // B March innovation 2

    at('2026-03-31T15:59:59Z'); // 23:59:59 on 31 March in Shanghai
    await viaGraphql(a2.id, 'SMALL_IMPROVEMENT', 'improvement:I-204'); //  A March innovation 2

    at('2026-03-31T16:00:00Z'); // 00:00 on 1 April in Shanghai
    await viaActivity(a1.id, 'QUALITY_INFO_ADOPTED', 'quality:Q-103'); //  A April quality 1
    // Replays in April: the first entries come back and nothing is counted again (nor moved to April).
    const replayed = await viaGraphql(a1.id, 'QUALITY_INFO_ADOPTED', 'quality:Q-101');
    expect(replayed.recordedAt).toBe('2026-03-10T04:00:00.000Z');
    expect(await viaActivity(a2.id, 'QUALITY_INFO_ADOPTED', 'quality:Q-102')).toMatchObject({ created: false });
    // The same evidence under another code is the first entry (a SMALL_IMPROVEMENT, counted already).
    expect(await viaGraphql(b1.id, 'QUALITY_INFO_ADOPTED', 'improvement:I-202')).toMatchObject({
      code: 'SMALL_IMPROVEMENT',
    });

    at('2026-04-15T09:00:00Z');
    await viaGraphql(b1.id, 'QUALITY_INFO_ADOPTED', 'quality:Q-104'); //   B April quality 1
    await viaActivity(b1.id, 'MAJOR_COMPLAINT', 'complaint:C-1'); //       a violation: not an incentive
    await viaActivity(b1.id, 'QUALITY_INFO_ADOPTED', 'quality:Q-104'); //  replay: nothing

    // In the order asked, a centre with none (centre-7) as zeros, no centre's credits in another's.
    expect(await credits('2026-03', ['centre-B', 'centre-7', 'centre-A'])).toEqual([
      { centreId: 'centre-B', qualityInfoAdopted: 0, serviceInnovation: 2 },
      zero('centre-7'),
      { centreId: 'centre-A', qualityInfoAdopted: 2, serviceInnovation: 2 },
    ]);
    expect(await credits('2026-04', ['centre-A', 'centre-B'])).toEqual([
      { centreId: 'centre-A', qualityInfoAdopted: 1, serviceInnovation: 0 },
      { centreId: 'centre-B', qualityInfoAdopted: 1, serviceInnovation: 0 },
    ]);
    expect(await credits('2026-02', ['centre-A', 'centre-B'])).toEqual([zero('centre-A'), zero('centre-B')]);
    // A centre asked twice is answered twice.
    expect(await credits('2026-04', ['centre-A', 'centre-A'])).toEqual([
      { centreId: 'centre-A', qualityInfoAdopted: 1, serviceInnovation: 0 },
      { centreId: 'centre-A', qualityInfoAdopted: 1, serviceInnovation: 0 },
    ]);

    // ServiceCentre.creditsSoFar (what the gateway fetches for the network's live scorecard): the month
    // of the clock so far, all centres of a request in one read; nothing for a caller who may not see them.
    const SO_FAR =
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ServiceCentre { creditsSoFar { ` +
      `month qualityInfoAdopted serviceInnovation } } } }`;
    const reps = ['centre-A', 'centre-B', 'centre-7'].map((id) => ({ __typename: 'ServiceCentre', id }));
    expect(expectOk(await h.run(as.finance(), SO_FAR, { reps }))._entities.map((c: any) => c.creditsSoFar)).toEqual([
      { month: '2026-04', qualityInfoAdopted: 1, serviceInnovation: 0 },
      { month: '2026-04', qualityInfoAdopted: 1, serviceInnovation: 0 },
      { month: '2026-04', qualityInfoAdopted: 0, serviceInnovation: 0 },
    ]);
    expect(
      expectOk(await h.run(as.partner('centre-B'), SO_FAR, { reps }))._entities.map((c: any) => c.creditsSoFar),
    ).toEqual([null, { month: '2026-04', qualityInfoAdopted: 1, serviceInnovation: 0 }, null]);
    expect(expectOk(await h.run(as.engineer(), SO_FAR, { reps }))._entities.map((c: any) => c.creditsSoFar)).toEqual([
      null,
      null,
      null,
    ]);

    // The document keeps the entry ids it counted.
    const doc = await h.db.collection('centre_month_credits').findOne({ _id: 'centre-A|2026-03' as never });
    expect(JSON.parse(doc!['counted'] as string)).toEqual([
      [`${a1.id}:1|quality:Q-101`, 'QUALITY_INFO_ADOPTED'],
      [`${a1.id}:1|improvement:I-201`, 'SMALL_IMPROVEMENT'],
      [`${a2.id}:1|quality:Q-102`, 'QUALITY_INFO_ADOPTED'],
      [`${a2.id}:1|improvement:I-204`, 'SMALL_IMPROVEMENT'],
    ]);
  });

  it('loses no count when many engineers of a centre record credits at once, and counts concurrent replays once', async () => {
    at('2026-05-01T01:00:00Z');
    const team = await Promise.all([1, 2, 3, 4].map(() => register('centre-8')));
    at('2026-05-12T06:00:00Z');
    // Each engineer: one quality and one innovation credit, each call sent 5 times at once → 40 calls.
    await Promise.all(
      team.flatMap((e, i) =>
        Array.from({ length: 5 }, (_, copy) => [
          copy % 2 === 0
            ? viaActivity(e.id, 'QUALITY_INFO_ADOPTED', `quality:P-${i}`)
            : viaGraphql(e.id, 'QUALITY_INFO_ADOPTED', `quality:P-${i}`),
          viaActivity(e.id, 'SMALL_IMPROVEMENT', `improvement:P-${i}`),
        ]).flat(),
      ),
    );
    expect(await credits('2026-05', ['centre-8'])).toEqual([
      { centreId: 'centre-8', qualityInfoAdopted: 4, serviceInnovation: 4 },
    ]);

    // The count itself, 30 entries of one centre-month at once (FerretDB applies no update atomically:
    // without the lease, concurrent read-modify-writes lose counts), each also counted a second time.
    const recordedAt = new Date('2026-05-20T00:00:00Z');
    const entries = Array.from({ length: 30 }, (_, i) => ({
      id: `engineer-${i}:1|audit:S-${i}`,
      centreId: 'centre-B',
      kind: 'CREDIT' as const,
      recordedAt,
      code: i < 10 ? 'QUALITY_INFO_ADOPTED' : 'SMALL_IMPROVEMENT',
    }));
    const counted = await Promise.all([...entries, ...entries].map((entry) => h.store.countCredit(entry)));
    expect(counted.filter(Boolean)).toHaveLength(30);
    expect(await credits('2026-05', ['centre-B'])).toEqual([
      { centreId: 'centre-B', qualityInfoAdopted: 10, serviceInnovation: 20 },
    ]);
  });

  it('counts on a replay an entry whose call died between the insert and the count, in the month it was recorded', async () => {
    at('2026-06-05T03:00:00Z');
    const e = await register('centre-2');
    // As appendUnderLease leaves it when the process dies right after the ledger insert.
    await h.store.appendEntry({
      licenceId: `${e.id}:1`,
      engineerId: e.id,
      centreId: 'centre-2',
      cycleIndex: 0,
      code: 'SMALL_IMPROVEMENT',
      kind: 'CREDIT',
      points: 2,
      evidenceKey: 'improvement:X-1',
      recordedBy: 'workflow:test',
      recordedAt: clock,
      note: null,
      standardVersionId: 'default',
    });
    expect(await credits('2026-06', ['centre-2'])).toEqual([zero('centre-2')]);

    at('2026-07-02T03:00:00Z');
    expect(await viaActivity(e.id, 'SMALL_IMPROVEMENT', 'improvement:X-1')).toMatchObject({
      created: false,
      pointsRemaining: 12,
      status: 'EXEMPLARY',
    });
    expect(await credits('2026-06', ['centre-2'])).toEqual([
      { centreId: 'centre-2', qualityInfoAdopted: 0, serviceInnovation: 1 },
    ]);
    expect(await credits('2026-07', ['centre-2'])).toEqual([zero('centre-2')]);
    // Once counted, a further replay writes nothing at all.
    const before = await h.snapshot();
    await viaGraphql(e.id, 'SMALL_IMPROVEMENT', 'improvement:X-1');
    expect(await h.snapshot()).toBe(before);
    expect(await credits('2026-06', ['centre-2'])).toEqual([
      { centreId: 'centre-2', qualityInfoAdopted: 0, serviceInnovation: 1 },
    ]);
  });

  it('does not count on a replay an entry recorded before credits were counted (it names no centre)', async () => {
    at('2026-06-20T03:00:00Z');
    const e = await register('centre-7');
    await h.store.appendEntry({
      licenceId: `${e.id}:1`,
      engineerId: e.id,
      cycleIndex: 0,
      code: 'QUALITY_INFO_ADOPTED',
      kind: 'CREDIT',
      points: 1,
      evidenceKey: 'quality:OLD-1',
      recordedBy: 'operator-1',
      recordedAt: clock,
      note: null,
      standardVersionId: 'default',
    });
    await viaGraphql(e.id, 'QUALITY_INFO_ADOPTED', 'quality:OLD-1');
    expect(await credits('2026-06', ['centre-7'])).toEqual([zero('centre-7')]);
  });

  it('counts a revoked engineer’s credits, and not again when the evidence is replayed after a reinstatement', async () => {
    at('2026-08-03T02:00:00Z');
    const r = await register('centre-1');
    await viaGraphql(r.id, 'OVERCHARGE', 'ticket:R-1');
    await viaGraphql(r.id, 'MAJOR_COMPLAINT', 'ticket:R-2'); // 12 − 6 − 6 = 0: REVOKED
    at('2026-08-04T02:00:00Z');
    expect(await viaActivity(r.id, 'QUALITY_INFO_ADOPTED', 'quality:R-3')).toMatchObject({
      created: true,
      pointsRemaining: 0,
      status: 'REVOKED',
    });
    at('2026-08-10T02:00:00Z');
    expectOk(
      await h.run(as.operator(), Q.exam, {
        input: { engineerId: r.id, kind: 'RETRAINING', passed: true, score: 80, takenAt: '2026-08-09T02:00:00Z' },
      }),
    );
    expect(expectOk(await h.run(as.operator(), Q.reinstate, { id: r.id })).reinstateLicence).toMatchObject({
      generation: 2,
    });
    // Filed on generation 1: the replay returns it, and counts nothing on generation 2.
    expect(await viaActivity(r.id, 'QUALITY_INFO_ADOPTED', 'quality:R-3')).toMatchObject({
      entryId: `${r.id}:1|quality:R-3`,
      created: false,
    });
    await viaGraphql(r.id, 'SMALL_IMPROVEMENT', 'improvement:R-4');
    expect(await credits('2026-08', ['centre-1'])).toEqual([
      { centreId: 'centre-1', qualityInfoAdopted: 1, serviceInnovation: 1 },
    ]);
  });

  it('refuses malformed input non-retryably', async () => {
    for (const input of [
      { month: '2026-13', centreIds: ['centre-1'] },
      { month: '2026-3', centreIds: ['centre-1'] },
      { month: '2026-03-01', centreIds: ['centre-1'] },
      { month: 202603 as unknown as string, centreIds: ['centre-1'] },
      { month: '2026-03', centreIds: [] },
      { month: '2026-03', centreIds: Array.from({ length: 1001 }, (_, i) => `centre-${i}`) },
      { month: '2026-03', centreIds: ['centre-1', 'not a centre'] },
      { month: '2026-03', centreIds: ['centre-1|2026-03'] },
      { month: '2026-03', centreIds: 'centre-1' as unknown as string[] },
    ]) {
      const error = await failure(acts.centreMonthCredits(input));
      expect(error.nonRetryable).toBe(true);
      expect(error.type).toBe('BadActivityInput');
    }
    // 1,000 centres is the most one call takes.
    const many = Array.from({ length: 1000 }, (_, i) => `centre-${i}`);
    expect(await credits('2026-03', many)).toEqual(many.map(zero));
  });
});
