import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import type { NetworkActivities, PublishedStandardRef } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { CONSEQUENCE_ACTOR, createNetworkActivities } from '../src/activities.ts';
import { MONTH, OCTOBER, POLICY, compute, seedNetwork, type Name, type Network } from './evaluation-fixture.ts';
import { Q, expectOk, startHarness, type Harness } from './support.ts';

/**
 * The monthly evaluation's activities against FerretDB, driven as the workflow drives them: a run
 * computed in batches, ranked, re-run, disputed, confirmed and applied. Retries and repeats change
 * nothing (asserted on a full database snapshot); every expected figure is worked out by hand.
 */
let h: Harness;
let acts: NetworkActivities;
let net: Network;
let clock = new Date('2026-12-04T02:00:00Z');
const setClock = (iso: string) => void (clock = new Date(iso));

const STANDARD: PublishedStandardRef = {
  id: 'standard-default',
  number: 1,
  status: 'PUBLISHED',
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  publishedAt: '2026-01-01T00:00:00.000Z',
};

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const card = (name: Name) => h.store.evaluations.scorecard(MONTH, net.ids[name]);
const centre = async (name: Name) =>
  expectOk(await h.run(as.operator(), Q.centre, { id: net.ids[name] })).serviceCentre;

beforeAll(async () => {
  h = await startHarness('network_evaluation', { now: () => clock });
  acts = createNetworkActivities(
    h.store,
    async (id) => (id === STANDARD.id ? STANDARD : null),
    () => clock,
  );
  net = await seedNetwork(h, acts, setClock);
});
afterAll(async () => {
  await h.db.close();
});

describe('a run: begin, pages of centres, scorecards, ranking', () => {
  it('begins with the centres ACTIVE or SUSPENDED during the month, by id, with their C grades of the year', async () => {
    const begun = await acts.beginEvaluationRun({
      month: MONTH,
      run: 1,
      standardVersionId: 'standard-default',
      requestedBy: 'operator-1',
    });
    // P, Q, R, S, T, U and X (eliminated on 20 October); not HQ nor V (ONBOARDING), not W (eliminated in September).
    expect(begun).toEqual({ state: 'RUNNING', total: 7 });
    const before = await h.snapshot();
    expect(
      await acts.beginEvaluationRun({
        month: MONTH,
        run: 1,
        standardVersionId: 'standard-default',
        requestedBy: 'operator-1',
      }),
    ).toEqual(begun);
    expect(await h.snapshot()).toBe(before);

    const first = await acts.evaluationCentres({ month: MONTH, after: null, limit: 4 });
    const second = await acts.evaluationCentres({ month: MONTH, after: first.nextCursor, limit: 4 });
    expect(second.nextCursor).toBeNull();
    const all = [...first.centres, ...second.centres];
    const expected = (['P', 'Q', 'R', 'S', 'T', 'U', 'X'] as Name[]).map((n) => net.ids[n]).sort();
    expect(all.map((c) => c.centreId)).toEqual(expected);
    expect(first.nextCursor).toBe(expected[3]);
    const byName = (n: Name) => all.find((c) => c.centreId === net.ids[n])!;
    // S: 2026-03 (the 2025 C is another year); T: 2026-02 and 2026-05.
    expect([byName('S').cGradesBefore, byName('T').cGradesBefore, byName('P').cGradesBefore]).toEqual([1, 2, 0]);
    expect(byName('P')).toEqual({ centreId: net.ids.P, code: net.codes.P, region: '310115', cGradesBefore: 0 });
  });

  it('stores each batch once: a batch sent three times at once, then again, counts its centres once', async () => {
    const page = await acts.evaluationCentres({ month: MONTH, after: null, limit: 3 });
    const nameOf = new Map(Object.entries(net.ids).map(([n, id]) => [id, n as Name]));
    const centres = page.centres.map((c) => {
      const f = OCTOBER[nameOf.get(c.centreId)!]!;
      return {
        centre: c,
        tickets: { centreId: c.centreId, counters: f.counters, leftover: f.leftover },
        credits: {
          centreId: c.centreId,
          qualityInfoAdopted: f.qualityInfoAdopted,
          serviceInnovation: f.serviceInnovation,
        },
      };
    });
    const batch = { month: MONTH, run: 1, policy: POLICY, doneBefore: 0, centres };
    expect(
      await Promise.all([acts.storeScorecards(batch), acts.storeScorecards(batch), acts.storeScorecards(batch)]),
    ).toEqual([{ stored: 3 }, { stored: 3 }, { stored: 3 }]);
    const rec = (await h.store.evaluations.find(MONTH))!;
    expect([rec.state, rec.done, rec.total]).toEqual(['RUNNING', 3, 7]);
    // A worker killed after writing: the retry writes the same documents and the same progress.
    const before = await h.snapshot();
    await acts.storeScorecards(batch);
    expect(await h.snapshot()).toBe(before);
  });

  it('computes and ranks the month: figures, ranks, the award and the penalty cut at N', async () => {
    const { finished } = await compute(acts, net, { run: 1 });
    expect(finished).toEqual({ computedAt: clock.toISOString(), gradeCounts: { A: 2, B: 1, C: 2, ungraded: 2 } });
    const rec = (await h.store.evaluations.find(MONTH))!;
    expect(rec).toMatchObject({
      state: 'PROVISIONAL',
      run: 1,
      done: 7,
      total: 7,
      computedAt: clock,
      standardVersionId: 'standard-default',
      requestedBy: 'operator-1',
    });

    const p = (await card('P'))!;
    expect(p.kpis.map((k) => [k.code, k.numerator, k.denominator, k.score, k.weight, k.noData])).toEqual([
      ['SATISFACTION_RATE', 20, 20, 100, 33.333333, false],
      ['INFORMATION_TIMELINESS', 20, 20, 100, 16.666667, false],
      ['DISPATCH_LEFTOVER', 0, 20, 100, 16.666667, false],
      ['COMPLAINT_RATE', 0, 20, 100, 22.222222, false],
      ['PARTS_MISJUDGEMENT', 0, 0, null, 0, true],
      ['DELIGHT_RATE', 2, 20, 100, 11.111111, false],
    ]);
    expect(p).toMatchObject({
      weightedScore: 100,
      incentivePoints: 2,
      adjustedScore: 102,
      grade: 'A',
      rank: 1,
      awardFen: 200_000,
      penaltyFen: 0,
      consequence: null,
      run: 1,
    });
    expect(await card('Q')).toMatchObject({
      weightedScore: 94.375,
      adjustedScore: 94.375,
      grade: 'A',
      rank: 2,
      awardFen: 0,
    });
    expect((await card('Q'))!.kpis.find((k) => k.code === 'DISPATCH_LEFTOVER')).toMatchObject({
      numerator: 1,
      denominator: 20,
      rate: 0.05,
      score: 62.5,
    });
    expect(await card('R')).toMatchObject({
      adjustedScore: 83.333333,
      grade: 'B',
      rank: 3,
      awardFen: 0,
      penaltyFen: 0,
    });
    expect(await card('T')).toMatchObject({
      adjustedScore: 33.333333,
      grade: 'C',
      rank: 4,
      penaltyFen: 0,
      cGradesBefore: 2,
      consequence: 'ELIMINATED',
      atRisk: true,
    });
    expect(await card('S')).toMatchObject({
      weightedScore: 33.333333,
      incentivePoints: -10,
      adjustedScore: 23.333333,
      grade: 'C',
      rank: 5,
      penaltyFen: 150_000,
      cGradesBefore: 1,
      consequence: 'SUSPENDED',
      atRisk: true,
    });
    expect(await card('U')).toMatchObject({
      adjustedScore: 100,
      grade: null,
      ungradedReason: 'TOO_FEW_COMPLETIONS',
      rank: null,
      awardFen: 0,
    });
    expect(await card('X')).toMatchObject({
      weightedScore: null,
      adjustedScore: null,
      grade: null,
      ungradedReason: 'NOTHING_MEASURED',
      rank: null,
    });
    expect(await card('V')).toBeNull();
    expect(await card('W')).toBeNull();

    // The packed ranking: rank order, the ungraded after.
    const ranking = (await h.store.evaluations.ranking(MONTH))!;
    expect(ranking.run).toBe(1);
    expect(ranking.entries.map(([id, , , grade, rank, award, penalty]) => [id, grade, rank, award, penalty])).toEqual([
      [net.ids.P, 'A', 1, 200_000, 0],
      [net.ids.Q, 'A', 2, 0, 0],
      [net.ids.R, 'B', 3, 0, 0],
      [net.ids.T, 'C', 4, 0, 0],
      [net.ids.S, 'C', 5, 0, 150_000],
      [net.ids.U, null, null, 0, 0],
      [net.ids.X, null, null, 0, 0],
    ]);
  });

  it('finishing again, or beginning the same run again, changes nothing', async () => {
    const before = await h.snapshot();
    setClock('2026-12-04T03:00:00Z');
    expect(await acts.finishEvaluationRun({ month: MONTH, run: 1 })).toEqual({
      computedAt: '2026-12-04T02:00:00.000Z',
      gradeCounts: { A: 2, B: 1, C: 2, ungraded: 2 },
    });
    expect(
      await acts.beginEvaluationRun({ month: MONTH, run: 1, standardVersionId: 'standard-default', requestedBy: 'x' }),
    ).toEqual({ state: 'PROVISIONAL', total: 7 });
    // A workflow started again for the month at run 1 stores nothing over the finished run.
    expect(await acts.storeScorecards({ month: MONTH, run: 1, policy: POLICY, doneBefore: 0, centres: [] })).toEqual({
      stored: 0,
    });
    expect(await h.snapshot()).toBe(before);
    setClock('2026-12-04T02:00:00Z');
  });
});

describe('a later run', () => {
  it('replaces the scorecards and the ranking; the stale run is refused', async () => {
    setClock('2026-12-05T02:00:00Z');
    // A late callback: R's satisfaction is 19/20 after all → everything at target but leftover… all 100 → A.
    const facts = {
      ...OCTOBER,
      R: { ...OCTOBER.R!, counters: { ...OCTOBER.R!.counters, answeredCallbacks: 20, satisfiedCallbacks: 19 } },
    };
    const { begun, finished } = await compute(acts, net, { run: 2, facts, batch: 5, requestedBy: 'operator-2' });
    expect(begun).toEqual({ state: 'RUNNING', total: 7 });
    expect(finished).toEqual({
      computedAt: '2026-12-05T02:00:00.000Z',
      gradeCounts: { A: 3, B: 0, C: 2, ungraded: 2 },
    });
    expect(await card('R')).toMatchObject({ run: 2, weightedScore: 100, grade: 'A', rank: 2, awardFen: 0 });
    expect(await card('Q')).toMatchObject({ run: 2, rank: 3 });
    expect(await card('P')).toMatchObject({ run: 2, rank: 1, awardFen: 200_000 });
    expect((await h.store.evaluations.ranking(MONTH))!.run).toBe(2);
    expect(await h.store.evaluations.find(MONTH)).toMatchObject({
      run: 2,
      state: 'PROVISIONAL',
      requestedBy: 'operator-2',
      computedAt: clock,
    });

    const before = await h.snapshot();
    const stale = await failure(
      acts.storeScorecards({ month: MONTH, run: 1, policy: POLICY, doneBefore: 0, centres: [] }),
    );
    expect([stale.type, stale.nonRetryable]).toEqual(['StaleRun', true]);
    expect((await failure(acts.finishEvaluationRun({ month: MONTH, run: 1 }))).type).toBe('StaleRun');
    expect(
      (
        await failure(
          acts.beginEvaluationRun({ month: MONTH, run: 1, standardVersionId: 'standard-default', requestedBy: 'x' }),
        )
      ).type,
    ).toBe('StaleRun');
    expect(await h.snapshot()).toBe(before);
  });
});

describe('confirmation', () => {
  it('is refused while a dispute is open; the first confirmation wins', async () => {
    expect(await acts.openDisputes({ month: MONTH })).toBe(0);
    const opened = await h.run(
      as.partner(net.ids.R),
      `mutation { disputeScorecard(month: "${MONTH}", reason: "the late callback was satisfied") { id state } }`,
    );
    const dispute = expectOk(opened).disputeScorecard;
    expect(dispute.state).toBe('OPEN');
    expect(await acts.openDisputes({ month: MONTH })).toBe(1);

    const before = await h.snapshot();
    const refused = await failure(acts.confirmEvaluation({ month: MONTH, confirmedBy: 'admin-1' }));
    expect([refused.type, refused.nonRetryable]).toEqual(['CONFLICT', true]);
    expect(await h.snapshot()).toBe(before);
    // Grades are applied only on confirmation; awards only once confirmed.
    expect((await failure(acts.applyEvaluationBatch({ month: MONTH, after: null, limit: 3 }))).type).toBe(
      'INVALID_TRANSITION',
    );
    expect((await failure(acts.completeEvaluation({ month: MONTH }))).type).toBe('INVALID_TRANSITION');
    expect((await failure(acts.evaluationAwards({ month: MONTH, after: null, limit: 10 }))).type).toBe('NOT_FOUND');

    expectOk(
      await h.run(
        as.operator(),
        `mutation ($id: ID!) { rejectDispute(id: $id, reason: "the callback was on 3 November") { state } }`,
        { id: dispute.id },
      ),
    );
    expect(await acts.openDisputes({ month: MONTH })).toBe(0);
    setClock('2026-12-08T02:00:00Z');
    expect(await acts.confirmEvaluation({ month: MONTH, confirmedBy: 'system:review-window' })).toEqual({
      confirmedAt: '2026-12-08T02:00:00.000Z',
      confirmedBy: 'system:review-window',
    });
    const confirmed = await h.snapshot();
    expect(await acts.confirmEvaluation({ month: MONTH, confirmedBy: 'admin-1' })).toEqual({
      confirmedAt: '2026-12-08T02:00:00.000Z',
      confirmedBy: 'system:review-window',
    });
    expect(await h.store.evaluations.find(MONTH)).toMatchObject({ state: 'CONFIRMING', done: 0, total: 7 });
    expect(await h.snapshot()).toBe(confirmed);
  });

  it('applies grades and consequences once: S suspended at its 2nd C, T eliminated at its 3rd, with the evaluation as evidence', async () => {
    const sorted = (['P', 'Q', 'R', 'S', 'T', 'U', 'X'] as Name[]).map((n) => net.ids[n]).sort();
    const pages: { eliminated: string[]; nextCursor: string | null }[] = [];
    let after: string | null = null;
    do {
      const page: { eliminated: string[]; nextCursor: string | null } = await acts.applyEvaluationBatch({
        month: MONTH,
        after,
        limit: 3,
      });
      pages.push(page);
      after = page.nextCursor;
    } while (after);
    expect(pages.map((p) => p.nextCursor)).toEqual([sorted[2], sorted[5], null]);
    expect(pages.flatMap((p) => p.eliminated)).toEqual([net.ids.T]);
    expect(await h.store.evaluations.find(MONTH)).toMatchObject({ state: 'CONFIRMING', done: 7 });

    // Grades recorded as recordGrade would (evaluation-2026-10, the adjusted score), the ungraded none.
    const grades = async (n: Name) => (await centre(n)).grades.filter((g: { month: string }) => g.month === MONTH);
    expect(await grades('P')).toEqual([{ month: MONTH, grade: 'A', score: 102 }]);
    expect(await grades('R')).toEqual([{ month: MONTH, grade: 'A', score: 100 }]);
    expect(await grades('S')).toEqual([{ month: MONTH, grade: 'C', score: 23.333333 }]);
    expect(await grades('U')).toEqual([]);
    expect(await h.store.findGrade(net.ids.T, MONTH)).toMatchObject({
      grade: 'C',
      evaluationId: 'evaluation-2026-10',
      standardVersionId: 'standard-default',
    });

    const s = await centre('S');
    const t = await centre('T');
    expect([s.status, t.status]).toEqual(['SUSPENDED', 'ELIMINATED']);
    expect(s.statusHistory.at(-1)).toMatchObject({
      from: 'ACTIVE',
      to: 'SUSPENDED',
      actor: CONSEQUENCE_ACTOR,
      reason: '2nd C grade of 2026 (monthly evaluation 2026-10)',
      evidence: 'evaluation:2026-10',
    });
    expect(t.statusHistory.at(-1)).toMatchObject({
      from: 'ACTIVE',
      to: 'ELIMINATED',
      actor: CONSEQUENCE_ACTOR,
      reason: '3rd C grade of 2026 (monthly evaluation 2026-10)',
      evidence: 'evaluation:2026-10',
    });
    expect((await centre('P')).status).toBe('ACTIVE');

    // A batch retried (the worker died before answering): the eliminated centre is named again, nothing is applied
    // twice.
    const before = await h.snapshot();
    const again = await Promise.all([
      acts.applyEvaluationBatch({ month: MONTH, after: null, limit: 3 }),
      acts.applyEvaluationBatch({ month: MONTH, after: sorted[2]!, limit: 3 }),
      acts.applyEvaluationBatch({ month: MONTH, after: sorted[5]!, limit: 3 }),
    ]);
    expect(again.flatMap((p) => p.eliminated)).toEqual([net.ids.T]);
    expect(await h.snapshot()).toBe(before);
    expect(
      (await centre('T')).statusHistory.filter((e: { evidence: string | null }) => e.evidence === 'evaluation:2026-10'),
    ).toHaveLength(1);
  });

  it('completes: CONFIRMED, promotion candidates stored, awards for settlement; a confirmed month never changes', async () => {
    setClock('2026-12-08T02:05:00Z');
    expect(await acts.completeEvaluation({ month: MONTH })).toEqual({ state: 'CONFIRMED' });
    const confirmed = await h.snapshot();
    expect(await acts.completeEvaluation({ month: MONTH })).toEqual({ state: 'CONFIRMED' });
    expect(await h.store.evaluations.find(MONTH)).toMatchObject({
      state: 'CONFIRMED',
      completedAt: clock,
      done: 7,
      confirmedBy: 'system:review-window',
    });
    // P: A in August, September and October. Q's run is only two months; R has no September grade.
    expect((await h.store.evaluations.promotions(MONTH))!.entries).toEqual([
      [net.ids.P, net.codes.P, '310115', ['2026-08', '2026-09', '2026-10']],
    ]);

    const first = await acts.evaluationAwards({ month: MONTH, after: null, limit: 4 });
    const rest = await acts.evaluationAwards({ month: MONTH, after: first.nextCursor, limit: 4 });
    expect(rest.nextCursor).toBeNull();
    const awards = [...first.awards, ...rest.awards];
    expect(awards.map((a) => a.centreId)).toEqual(
      (['P', 'Q', 'R', 'S', 'T', 'U', 'X'] as Name[]).map((n) => net.ids[n]).sort(),
    );
    expect(awards.find((a) => a.centreId === net.ids.P)).toEqual({
      centreId: net.ids.P,
      month: MONTH,
      grade: 'A',
      rank: 1,
      awardFen: 200_000,
      penaltyFen: 0,
    });
    expect(awards.find((a) => a.centreId === net.ids.S)).toEqual({
      centreId: net.ids.S,
      month: MONTH,
      grade: 'C',
      rank: 5,
      awardFen: 0,
      penaltyFen: 150_000,
    });
    expect(awards.find((a) => a.centreId === net.ids.U)).toEqual({
      centreId: net.ids.U,
      month: MONTH,
      grade: null,
      rank: null,
      awardFen: 0,
      penaltyFen: 0,
    });

    // Running it again (a new run, a late confirmation) leaves the confirmed month as it is.
    expect(
      await acts.beginEvaluationRun({
        month: MONTH,
        run: 3,
        standardVersionId: 'standard-default',
        requestedBy: 'operator-1',
      }),
    ).toEqual({ state: 'CONFIRMED', total: 7 });
    expect(await acts.confirmEvaluation({ month: MONTH, confirmedBy: 'admin-1' })).toMatchObject({
      confirmedBy: 'system:review-window',
    });
    expect(await h.snapshot()).toBe(confirmed);
  });
});

describe('malformed input', () => {
  it('fails non-retryably as BadActivityInput and writes nothing', async () => {
    const before = await h.snapshot();
    const centre = { centreId: net.ids.P, code: net.codes.P, region: '310115', cGradesBefore: 0 };
    const f = OCTOBER.P!;
    const entry = {
      centre,
      tickets: { centreId: net.ids.P, counters: f.counters, leftover: 0 },
      credits: { centreId: net.ids.P, qualityInfoAdopted: 0, serviceInnovation: 0 },
    };
    const calls: Promise<unknown>[] = [
      acts.beginEvaluationRun({ month: '2026-13', run: 1, standardVersionId: 's', requestedBy: 'x' }),
      acts.beginEvaluationRun({ month: '2026-09', run: 0, standardVersionId: 's', requestedBy: 'x' }),
      acts.beginEvaluationRun({ month: '2026-09', run: 1, standardVersionId: '', requestedBy: 'x' }),
      // December 2026 is not over on 8 December.
      acts.beginEvaluationRun({ month: '2026-12', run: 1, standardVersionId: 's', requestedBy: 'x' }),
      acts.evaluationCentres({ month: MONTH, after: null, limit: 0 }),
      acts.evaluationCentres({ month: MONTH, after: null, limit: 1001 }),
      acts.evaluationCentres({ month: 'October', after: null, limit: 10 }),
      acts.storeScorecards({ month: MONTH, run: 2, policy: { ...POLICY, kpis: [] }, doneBefore: 0, centres: [] }),
      acts.storeScorecards({ month: MONTH, run: 2, policy: POLICY, doneBefore: -1, centres: [] }),
      acts.storeScorecards({
        month: MONTH,
        run: 2,
        policy: POLICY,
        doneBefore: 0,
        centres: [{ ...entry, tickets: { ...entry.tickets, centreId: net.ids.Q } }],
      }),
      acts.storeScorecards({
        month: MONTH,
        run: 2,
        policy: POLICY,
        doneBefore: 0,
        centres: [{ ...entry, tickets: { ...entry.tickets, counters: { ...f.counters, completions: -1 } } }],
      }),
      acts.storeScorecards({
        month: MONTH,
        run: 2,
        policy: POLICY,
        doneBefore: 0,
        centres: [{ ...entry, tickets: { ...entry.tickets, counters: {} as typeof f.counters } }],
      }),
      acts.storeScorecards({ month: MONTH, run: 2, policy: POLICY, doneBefore: 0, centres: [entry, entry] }),
      acts.applyEvaluationBatch({ month: MONTH, after: '', limit: 5 }),
      acts.evaluationAwards({ month: MONTH, after: null, limit: 0 }),
      acts.confirmEvaluation({ month: MONTH, confirmedBy: '' }),
      acts.openDisputes({ month: '2026-1' }),
    ];
    for (const call of calls) {
      const f = await failure(call);
      expect([f.type, f.nonRetryable]).toEqual(['BadActivityInput', true]);
    }
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses a batch that does not fit its run: a centre not in it, more centres than it has, another standard', async () => {
    setClock('2026-12-08T03:00:00Z');
    const month = '2026-11';
    expect(
      await acts.beginEvaluationRun({
        month,
        run: 1,
        standardVersionId: 'standard-default',
        requestedBy: 'operator-1',
      }),
    ).toEqual({ state: 'RUNNING', total: 6 });
    const before = await h.snapshot();
    const entry = (n: Name) => ({
      centre: { centreId: net.ids[n], code: net.codes[n], region: '330106', cGradesBefore: 0 },
      tickets: { centreId: net.ids[n], counters: OCTOBER.R!.counters, leftover: 0 },
      credits: { centreId: net.ids[n], qualityInfoAdopted: 0, serviceInnovation: 0 },
    });
    for (const call of [
      // X was eliminated in October: November does not evaluate it.
      acts.storeScorecards({ month, run: 1, policy: POLICY, doneBefore: 0, centres: [entry('X')] }),
      acts.storeScorecards({ month, run: 1, policy: POLICY, doneBefore: 6, centres: [entry('R')] }),
      acts.storeScorecards({
        month,
        run: 1,
        policy: { ...POLICY, standardVersionId: 'standard-2' },
        doneBefore: 0,
        centres: [entry('R')],
      }),
      acts.storeScorecards({ month, run: 2, policy: POLICY, doneBefore: 0, centres: [entry('R')] }),
    ]) {
      expect((await failure(call)).type).toBe('BadActivityInput');
    }
    // Not every scorecard stored: the run cannot be ranked.
    expect((await failure(acts.finishEvaluationRun({ month, run: 1 }))).type).toBe('IncompleteRun');
    expect(await h.snapshot()).toBe(before);
  });
});
