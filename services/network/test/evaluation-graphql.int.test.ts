import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Claims, NetworkActivities, PublishedStandardRef } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { createNetworkActivities } from '../src/activities.ts';
import { MONTH, compute, seedNetwork, type Name, type Network } from './evaluation-fixture.ts';
import { Q, ZERO_COUNTERS, centreInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

/**
 * The evaluation's GraphQL API against FerretDB, with the workflow an in-process fake that does what
 * monthlyEvaluation does with the same activities (so a refusal comes back as a Temporal Update
 * failure, as it would). Access by role, bad input, replays, and nothing written on a refusal.
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

const partner = (n: Name) => as.partner(net.ids[n]);

const EVALUATION = `query ($month: String!) { monthlyEvaluation(month: $month) {
  month state run standardVersionId requestedBy progress { done total } gradeCounts { A B C ungraded }
  startedAt computedAt reviewEndsAt confirmedAt confirmedBy completedAt } }`;
const RESULTS = `query ($month: String!, $first: Int, $after: String, $grade: ScorecardGradeFilter, $region: String) {
  monthlyEvaluation(month: $month) { results(first: $first, after: $after, grade: $grade, region: $region) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { centreId code grade rank awardFen penaltyFen } }
    } } }`;
const CARD = `centreId centre { id } code region month live standardVersionId run asOf
  kpis { code numerator denominator rate score weight definedWeight noData }
  weightedScore incentives { kind count points } incentivePoints adjustedScore completions grade ungradedReason
  rank awardFen penaltyFen cGradesBefore consequence atRiskOfSuspension`;
const SCORECARDS =
  `query ($id: ID!, $last: Int) { serviceCentre(id: $id) { id scorecards(last: $last) { month grade rank ` +
  `awardFen run } } }`;
const DISPUTES = `query ($month: String!, $state: DisputeState) { monthlyEvaluation(month: $month) { disputes(state:
  $state) {
  id month centreId centre { id } run reason state openedBy decidedBy decisionReason } } }`;
/**
 * ServiceCentre.liveScorecard as the gateway asks it: the centre's reference with the month so far the other subgraphs
 * gave.
 */
const LIVE =
  `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ServiceCentre { liveScorecard { ` +
  `${CARD} } } } }`;
const TICKETS_SO_FAR = { month: '2026-12', asOf: '2026-12-04T02:00:00.000Z', leftover: 0, ...ZERO_COUNTERS };
const NO_CREDITS = { month: '2026-12', qualityInfoAdopted: 0, serviceInnovation: 0 };
const liveOf = (id: string, ticketsSoFar: object = TICKETS_SO_FAR, creditsSoFar: object = NO_CREDITS) => ({
  reps: [{ __typename: 'ServiceCentre', id, ticketsSoFar, creditsSoFar }],
});
const AT_RISK = `{ centresAtRisk { centreId live grade adjustedScore cGradesBefore consequence atRiskOfSuspension } }`;
const PROMOTION =
  `query ($month: String!) { promotionCandidates(month: ` + `$month) { centreId code region months centre { id } } }`;
const M = {
  run:
    `mutation ($month: String!, $key: String) { runMonthlyEvaluation(month: $month, idempotencyKey: $key) { ` +
    `month state run progress { done total } } }`,
  rerun:
    `mutation ($month: String!, $key: String) { rerunMonthlyEvaluation(month: $month, idempotencyKey: $key) { ` +
    `month state run } }`,
  confirm:
    `mutation ($month: String!, $key: String) { confirmMonthlyEvaluation(month: $month, idempotencyKey: $key) ` +
    `{ month state confirmedBy } }`,
  dispute:
    `mutation ($month: String!, $reason: String!, $key: String) { disputeScorecard(month: $month, reason: ` +
    `$reason, idempotencyKey: $key) { id month centreId run reason state openedBy } }`,
  uphold:
    `mutation ($id: ID!, $reason: String!, $key: String) { upholdDispute(id: $id, reason: $reason, ` +
    `idempotencyKey: $key) { id state decidedBy decisionReason } }`,
  reject:
    `mutation ($id: ID!, $reason: String!, $key: String) { rejectDispute(id: $id, reason: $reason, ` +
    `idempotencyKey: $key) { id state decidedBy decisionReason } }`,
};

/** The request fails with `code`, the database is byte-for-byte unchanged and the workflow was not asked. */
async function refused(claims: Claims | null, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const calls = h.workflow.calls.length;
  const error = expectError(await h.run(claims, source, variables), code);
  expect(await h.snapshot()).toBe(before);
  expect(h.workflow.calls.slice(calls).filter((c) => c.kind !== 'confirm' && c.kind !== 'rerun')).toEqual([]);
  return error;
}

/** An activity's refusal as the workflow's Update would fail with it. */
async function asUpdate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApplicationFailure) throw new WorkflowUpdateFailedError('Workflow Update failed', error);
    throw error;
  }
}

/** What monthlyEvaluation does on `confirm`: refuse while a dispute is open, else confirm and apply, once. */
const confirmLikeTheWorkflow = async (month: string, { confirmedBy }: { confirmedBy: string }) => {
  await asUpdate(async () => {
    if ((await acts.openDisputes({ month })) > 0)
      throw ApplicationFailure.nonRetryable(`a dispute of ${month} is open; uphold or reject it first`, 'CONFLICT');
    await acts.confirmEvaluation({ month, confirmedBy });
  });
  let after: string | null = null;
  do after = (await acts.applyEvaluationBatch({ month, after, limit: 4 })).nextCursor;
  while (after);
  await acts.completeEvaluation({ month });
};

beforeAll(async () => {
  h = await startHarness('network_evaluation_api', { now: () => clock });
  acts = createNetworkActivities(
    h.store,
    async (id) => (id === STANDARD.id ? STANDARD : null),
    () => clock,
  );
  net = await seedNetwork(h, acts, setClock);
  await compute(acts, net, { run: 1 });
  h.workflow.on('confirm', confirmLikeTheWorkflow);
});
afterAll(async () => {
  await h.db.close();
});

describe('reading a provisional month', () => {
  it('shows the evaluation: state, progress, grade counts, the review window', async () => {
    expect(expectOk(await h.run(as.admin(), EVALUATION, { month: MONTH })).monthlyEvaluation).toEqual({
      month: MONTH,
      state: 'PROVISIONAL',
      run: 1,
      standardVersionId: 'standard-default',
      requestedBy: 'operator-1',
      progress: { done: 7, total: 7 },
      gradeCounts: { A: 2, B: 1, C: 2, ungraded: 2 },
      startedAt: '2026-12-04T02:00:00.000Z',
      computedAt: '2026-12-04T02:00:00.000Z',
      // The default standard's review window: 3 days.
      reviewEndsAt: '2026-12-07T02:00:00.000Z',
      confirmedAt: null,
      confirmedBy: null,
      completedAt: null,
    });
    expect(expectOk(await h.run(as.finance(), EVALUATION, { month: '2026-06' })).monthlyEvaluation).toBeNull();
  });

  it('pages the ranking and filters it by grade and region', async () => {
    const first = expectOk(await h.run(as.operator(), RESULTS, { month: MONTH, first: 2 })).monthlyEvaluation.results;
    expect(first.totalCount).toBe(7);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges.map((e: any) => e.node)).toEqual([
      { centreId: net.ids.P, code: net.codes.P, grade: 'A', rank: 1, awardFen: 200_000, penaltyFen: 0 },
      { centreId: net.ids.Q, code: net.codes.Q, grade: 'A', rank: 2, awardFen: 0, penaltyFen: 0 },
    ]);
    const next = expectOk(
      await h.run(as.operator(), RESULTS, { month: MONTH, first: 3, after: first.pageInfo.endCursor }),
    ).monthlyEvaluation.results;
    expect(next.edges.map((e: any) => [e.node.centreId, e.node.rank, e.node.penaltyFen])).toEqual([
      [net.ids.R, 3, 0],
      [net.ids.T, 4, 0],
      [net.ids.S, 5, 150_000],
    ]);
    const last = expectOk(
      await h.run(as.operator(), RESULTS, { month: MONTH, first: 3, after: next.pageInfo.endCursor }),
    ).monthlyEvaluation.results;
    expect([last.edges.map((e: any) => e.node.centreId), last.pageInfo.hasNextPage]).toEqual([
      [net.ids.U, net.ids.X],
      false,
    ]);

    const ids = async (vars: Record<string, unknown>) =>
      expectOk(await h.run(as.finance(), RESULTS, { month: MONTH, ...vars })).monthlyEvaluation.results.edges.map(
        (e: any) => e.node.centreId,
      );
    expect(await ids({ grade: 'C' })).toEqual([net.ids.T, net.ids.S]);
    expect(await ids({ grade: 'UNGRADED' })).toEqual([net.ids.U, net.ids.X]);
    expect(await ids({ region: '310115' })).toEqual([net.ids.P, net.ids.Q]);
    expect(await ids({ grade: 'A', region: '330106' })).toEqual([]);
  });

  it('a scorecard in full', async () => {
    const query =
      `query ($month: String!) { monthlyEvaluation(month: $month) { results(first: 1) { edges { node { ` +
      `${CARD} } } } } }`;
    const p = expectOk(await h.run(as.callCentre(), query, { month: MONTH })).monthlyEvaluation.results.edges[0].node;
    expect(p).toMatchObject({
      centreId: net.ids.P,
      centre: { id: net.ids.P },
      code: net.codes.P,
      region: '310115',
      month: MONTH,
      live: false,
      standardVersionId: 'standard-default',
      run: 1,
      asOf: '2026-10-31T15:59:59.999Z',
      weightedScore: 100,
      incentivePoints: 2,
      adjustedScore: 102,
      completions: 20,
      grade: 'A',
      ungradedReason: null,
      rank: 1,
      awardFen: 200_000,
      penaltyFen: 0,
      cGradesBefore: 0,
      consequence: null,
      atRiskOfSuspension: false,
    });
    expect(p.kpis.find((k: any) => k.code === 'PARTS_MISJUDGEMENT')).toEqual({
      code: 'PARTS_MISJUDGEMENT',
      numerator: 0,
      denominator: 0,
      rate: null,
      score: null,
      weight: 0,
      definedWeight: 10,
      noData: true,
    });
    expect(p.incentives).toEqual([
      { kind: 'QUALITY_INFO_ADOPTED', count: 1, points: 2 },
      { kind: 'SERVICE_INNOVATION', count: 0, points: 0 },
      { kind: 'MAJOR_COMPLAINT', count: 0, points: 0 },
    ]);
  });

  it('a partner sees only its own centre in the results; an engineer nothing', async () => {
    const own = expectOk(await h.run(partner('S'), RESULTS, { month: MONTH })).monthlyEvaluation.results;
    expect([own.totalCount, own.edges.map((e: any) => e.node)]).toEqual([
      1,
      [{ centreId: net.ids.S, code: net.codes.S, grade: 'C', rank: 5, awardFen: 0, penaltyFen: 150_000 }],
    ]);
    expect(
      expectOk(await h.run(partner('S'), RESULTS, { month: MONTH, grade: 'A' })).monthlyEvaluation.results.totalCount,
    ).toBe(0);
    await refused(as.engineer(), EVALUATION, { month: MONTH }, 'FORBIDDEN');
    await refused(null, EVALUATION, { month: MONTH }, 'UNAUTHENTICATED');
  });

  it.each([
    ['month', EVALUATION, { month: 'Oct-2026' }],
    ['month', EVALUATION, { month: '2026-13' }],
    ['first', RESULTS, { month: MONTH, first: 0 }],
    ['first', RESULTS, { month: MONTH, first: 101 }],
    ['after', RESULTS, { month: MONTH, after: 'not-a-cursor' }],
    ['region', RESULTS, { month: MONTH, region: '3101' }],
  ])('refuses a malformed %s', async (field, source, variables) => {
    expect((await refused(as.admin(), source, variables, 'BAD_USER_INPUT')).extensions['field']).toBe(field);
  });
});

describe('ServiceCentre.scorecards', () => {
  it('lists the centre’s scorecards by month, newest first; its own for a partner', async () => {
    expect(expectOk(await h.run(partner('P'), SCORECARDS, { id: net.ids.P })).serviceCentre.scorecards).toEqual([
      { month: MONTH, grade: 'A', rank: 1, awardFen: 200_000, run: 1 },
    ]);
    expect(
      expectOk(await h.run(as.finance(), SCORECARDS, { id: net.ids.S, last: 3 })).serviceCentre.scorecards,
    ).toEqual([{ month: MONTH, grade: 'C', rank: 5, awardFen: 0, run: 1 }]);
    // The last 1 month before December is November: nothing yet.
    expect(
      expectOk(await h.run(as.operator(), SCORECARDS, { id: net.ids.S, last: 1 })).serviceCentre.scorecards,
    ).toEqual([]);
    // The centres of a page ask together: one list each.
    const page = expectOk(
      await h.run(as.admin(), `{ serviceCentres(first: 100) { edges { node { id scorecards { month rank } } } } }`),
    ).serviceCentres.edges;
    expect(page.find((e: any) => e.node.id === net.ids.Q).node.scorecards).toEqual([{ month: MONTH, rank: 2 }]);
    expect(page.find((e: any) => e.node.id === net.ids.V).node.scorecards).toEqual([]);
  });

  it('refuses another centre’s scorecards to a partner (even its umbrella store’s) and any to an engineer', async () => {
    const star = expectOk(
      await h.run(as.operator(), Q.create, { input: centreInput({ parentId: net.ids.R }) }),
    ).createServiceCentre;
    const umbrella = expectOk(
      await h.run(as.operator(), Q.create, { input: centreInput({ tier: 'UMBRELLA', parentId: star.id }) }),
    ).createServiceCentre;
    const result = await h.run(as.partner(star.id), SCORECARDS, { id: umbrella.id });
    expect(result.errors.map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect(result.data?.['serviceCentre']).toBeNull();
    expect(
      expectOk(
        await h.run(as.partner(star.id), `query ($id: ID!) { serviceCentre(id: $id) { id } }`, { id: umbrella.id }),
      ).serviceCentre.id,
    ).toBe(umbrella.id);
    const engineer: Claims = { sub: 'eng-1', roles: ['ENGINEER'], engineerId: 'engineer-1', centreId: net.ids.P };
    expect((await h.run(engineer, SCORECARDS, { id: net.ids.P })).errors.map((e) => e.code)).toEqual(['FORBIDDEN']);
    for (const last of [0, 25])
      expect(
        expectError(await h.run(as.admin(), SCORECARDS, { id: net.ids.P, last }), 'BAD_USER_INPUT').extensions['field'],
      ).toBe('last');
  });

  it('hides a month while a re-run computes it, and shows the new run once ranked', async () => {
    const runOneCursor = expectOk(await h.run(as.admin(), RESULTS, { month: MONTH, first: 1 })).monthlyEvaluation
      .results.pageInfo.endCursor;
    await acts.beginEvaluationRun({
      month: MONTH,
      run: 2,
      standardVersionId: 'standard-default',
      requestedBy: 'operator-2',
    });
    expect(expectOk(await h.run(as.admin(), EVALUATION, { month: MONTH })).monthlyEvaluation).toMatchObject({
      state: 'RUNNING',
      run: 2,
      progress: { done: 0, total: 7 },
      gradeCounts: null,
      computedAt: null,
      reviewEndsAt: null,
    });
    expect(expectOk(await h.run(as.admin(), RESULTS, { month: MONTH })).monthlyEvaluation.results).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [],
    });
    expect(expectOk(await h.run(partner('P'), SCORECARDS, { id: net.ids.P })).serviceCentre.scorecards).toEqual([]);
    await compute(acts, net, { run: 2, requestedBy: 'operator-2' });
    // A cursor of run 1 is refused once run 2 is ranked: the order may have changed under it.
    expect(
      expectError(await h.run(as.admin(), RESULTS, { month: MONTH, after: runOneCursor }), 'BAD_USER_INPUT').message,
    ).toContain('re-run');
    expect(expectOk(await h.run(partner('P'), SCORECARDS, { id: net.ids.P })).serviceCentre.scorecards).toEqual([
      { month: MONTH, grade: 'A', rank: 1, awardFen: 200_000, run: 2 },
    ]);
    expect(expectOk(await h.run(as.admin(), EVALUATION, { month: MONTH })).monthlyEvaluation).toMatchObject({
      state: 'PROVISIONAL',
      run: 2,
      requestedBy: 'operator-2',
    });
  });
});

describe('ServiceCentre.liveScorecard', () => {
  it('scores the month so far the other subgraphs gave with the standard in force, every figure by hand', async () => {
    const ticketsSoFar = {
      ...TICKETS_SO_FAR,
      leftover: 1,
      dispatched: 20,
      completions: 20,
      completionsReportedInTime: 20,
      answeredCallbacks: 8,
      satisfiedCallbacks: 7,
      complaints: 1,
      majorComplaints: 1,
      partsReplaced: 4,
    };
    const asked = { facts: h.live.asked.facts.length, credits: h.live.asked.credits.length };
    const [{ liveScorecard: card }] = expectOk(
      await h.run(partner('R'), LIVE, liveOf(net.ids.R, ticketsSoFar, { ...NO_CREDITS, serviceInnovation: 1 })),
    )._entities;
    // satisfaction 7/8 = 0.875 → 50 (×30); timeliness 20/20 → 100 (×15); leftover 1/20 = 0.05 → 62.5 (×15);
    // complaints 1/20 = 0.05, at the floor → 0 (×20); parts 0/4 → 100 (×10); delight 0/20 → 0 (×10):
    // (1500 + 1500 + 937.5 + 0 + 1000 + 0) / 100 = 49.375; +2 (innovation) −10 (major complaint) = 41.375: C.
    expect(card).toMatchObject({
      centreId: net.ids.R,
      centre: { id: net.ids.R },
      month: '2026-12',
      live: true,
      run: null,
      asOf: '2026-12-04T02:00:00.000Z',
      standardVersionId: 'standard-default',
      weightedScore: 49.375,
      incentivePoints: -8,
      adjustedScore: 41.375,
      completions: 20,
      grade: 'C',
      rank: null,
      awardFen: null,
      penaltyFen: null,
      // R has no C earlier in 2026 (October is not confirmed yet): a first C changes nothing.
      cGradesBefore: 0,
      consequence: null,
      atRiskOfSuspension: false,
    });
    expect(card.kpis.map((k: any) => [k.code, k.numerator, k.denominator, k.rate, k.score, k.weight])).toEqual([
      ['SATISFACTION_RATE', 7, 8, 0.875, 50, 30],
      ['INFORMATION_TIMELINESS', 20, 20, 1, 100, 15],
      ['DISPATCH_LEFTOVER', 1, 20, 0.05, 62.5, 15],
      ['COMPLAINT_RATE', 1, 20, 0.05, 0, 20],
      ['PARTS_MISJUDGEMENT', 0, 4, 0, 100, 10],
      ['DELIGHT_RATE', 0, 20, 0, 0, 10],
    ]);
    // The figures came with the request: nothing was asked through Temporal.
    expect(h.live.asked).toMatchObject({ facts: { length: asked.facts }, credits: { length: asked.credits } });

    const [{ liveScorecard: quiet }] = expectOk(await h.run(as.finance(), LIVE, liveOf(net.ids.U)))._entities;
    expect(quiet).toMatchObject({
      completions: 0,
      weightedScore: null,
      adjustedScore: null,
      grade: null,
      ungradedReason: 'NOTHING_MEASURED',
    });
    expect(quiet.kpis.every((k: any) => k.noData && k.weight === 0)).toBe(true);
    expect(expectOk(await h.run(as.operator(), LIVE, liveOf('no-such-centre')))._entities).toEqual([null]);
  });

  it('asks the certification service again for credits read across the turn of the month', async () => {
    h.live.credits.set(net.ids.R, { qualityInfoAdopted: 1, serviceInnovation: 0 });
    const ticketsSoFar = {
      ...TICKETS_SO_FAR,
      dispatched: 10,
      completions: 10,
      completionsReportedInTime: 10,
      delightCompletions: 10,
    };
    const [{ liveScorecard: card }] = expectOk(
      await h.run(
        as.operator(),
        LIVE,
        liveOf(net.ids.R, ticketsSoFar, { ...NO_CREDITS, month: '2027-01', serviceInnovation: 3 }),
      ),
    )._entities;
    expect(h.live.asked.credits.at(-1)).toEqual([net.ids.R]);
    // December's credits (quality info +2), not January's (innovation 3 × 2). Timeliness 10/10, leftover 0/10,
    // complaints
    // 0/10 and delight 10/10 all score 100 (satisfaction and parts have no data): 100, +2.
    expect(card).toMatchObject({ month: '2026-12', weightedScore: 100, incentivePoints: 2, adjustedScore: 102 });
  });

  it('is nothing to another centre’s partner (the centre is not theirs to see) and FORBIDDEN to an engineer', async () => {
    expect(expectOk(await h.run(partner('R'), LIVE, liveOf(net.ids.S)))._entities).toEqual([null]);
    await refused({ ...as.engineer(), centreId: net.ids.R }, LIVE, liveOf(net.ids.R), 'FORBIDDEN');
  });
});

describe('runMonthlyEvaluation', () => {
  it('starts the month’s workflow, or returns the one running; a replayed key returns the first answer', async () => {
    const started = expectOk(
      await h.run(as.operator(), M.run, { month: '2026-09', key: 'run-2026-09-a' }),
    ).runMonthlyEvaluation;
    // The workflow has not begun its first run yet.
    expect(started).toEqual({ month: '2026-09', state: 'RUNNING', run: 0, progress: { done: 0, total: 0 } });
    expect(h.workflow.calls.at(-1)).toEqual({ kind: 'start', month: '2026-09', args: { requestedBy: 'operator-1' } });
    const calls = h.workflow.calls.length;
    const before = await h.snapshot();
    expect(
      expectOk(await h.run(as.operator(), M.run, { month: '2026-09', key: 'run-2026-09-a' })).runMonthlyEvaluation,
    ).toEqual(started);
    expect([h.workflow.calls.length, await h.snapshot()]).toEqual([calls, before]);
    await refused(as.operator(), M.run, { month: '2026-08', key: 'run-2026-09-a' }, 'CONFLICT');
    // Already running: the same evaluation comes back.
    expect(expectOk(await h.run(as.admin(), M.run, { month: MONTH })).runMonthlyEvaluation).toMatchObject({
      month: MONTH,
      state: 'PROVISIONAL',
      run: 2,
    });
  });

  it.each([
    ['malformed', 'Sept-2026'],
    ['not over (December 2026 on 4 December)', '2026-12'],
    ['in the future', '2027-01'],
  ])('refuses a %s month as BAD_USER_INPUT, starting nothing', async (_what, month) => {
    expect((await refused(as.operator(), M.run, { month }, 'BAD_USER_INPUT')).extensions['field']).toBe('month');
    expect(h.workflow.calls.filter((c) => c.month === month)).toEqual([]);
  });

  it.each([
    ['PARTNER', () => partner('P'), 'FORBIDDEN'],
    ['FINANCE', as.finance, 'FORBIDDEN'],
    ['CALL_CENTRE', as.callCentre, 'FORBIDDEN'],
    ['ENGINEER', as.engineer, 'FORBIDDEN'],
    ['anonymous', () => null, 'UNAUTHENTICATED'],
  ] as const)('refuses %s', async (_role, claims, code) => {
    await refused(claims(), M.run, { month: '2026-07' }, code);
  });
});

describe('rerunMonthlyEvaluation', () => {
  it('sends the Update rerun with an id derived from the caller and key; a replay sends nothing', async () => {
    expect(
      expectOk(await h.run(as.operator(), M.rerun, { month: MONTH, key: 'rerun-2026-10-a' })).rerunMonthlyEvaluation,
    ).toMatchObject({ month: MONTH });
    const sent = h.workflow.calls.at(-1)!;
    expect(sent).toMatchObject({
      kind: 'rerun',
      month: MONTH,
      args: { requestedBy: 'operator-1', updateId: expect.stringMatching(/^rerunMonthlyEvaluation:[0-9a-f]{40}$/) },
    });
    const calls = h.workflow.calls.length;
    expectOk(await h.run(as.operator(), M.rerun, { month: MONTH, key: 'rerun-2026-10-a' }));
    expect(h.workflow.calls.length).toBe(calls);
    expectOk(await h.run(as.admin(), M.rerun, { month: MONTH, key: 'rerun-2026-10-a' }));
    expect(h.workflow.calls.at(-1)!.args['updateId']).not.toBe(sent.args['updateId']);
  });

  it('passes the workflow’s refusal on as the client’s error, and a missing month is NOT_FOUND', async () => {
    h.workflow.on('rerun', () =>
      asUpdate(() =>
        Promise.reject(
          ApplicationFailure.nonRetryable(
            'the evaluation is computing; re-run once its provisional results are ready',
            'CONFLICT',
          ),
        ),
      ),
    );
    const busy = await refused(as.operator(), M.rerun, { month: MONTH, key: 'rerun-2026-10-b' }, 'CONFLICT');
    expect(busy.message).toContain('computing');
    h.workflow.on('rerun', () =>
      asUpdate(() =>
        Promise.reject(ApplicationFailure.nonRetryable('the evaluation is confirmed', 'INVALID_TRANSITION')),
      ),
    );
    expect(
      (await refused(as.operator(), M.rerun, { month: MONTH }, 'INVALID_TRANSITION')).extensions['currentState'],
    ).toBe('PROVISIONAL');
    h.workflow.on('rerun', async () => undefined);
    // The key of the refused request is free again.
    expectOk(await h.run(as.operator(), M.rerun, { month: MONTH, key: 'rerun-2026-10-b' }));
    await refused(as.operator(), M.rerun, { month: '2026-05' }, 'NOT_FOUND');
    await refused(as.finance(), M.rerun, { month: MONTH }, 'FORBIDDEN');
    await refused(partner('P'), M.rerun, { month: MONTH }, 'FORBIDDEN');
  });
});

describe('disputes', () => {
  let sDispute: string;
  let qDispute: string;

  it('a partner disputes its own provisional scorecard; the workflow is told', async () => {
    const calls = h.workflow.calls.length;
    const d = expectOk(
      await h.run(partner('S'), M.dispute, {
        month: MONTH,
        reason: '  the complaint was not ours  ',
        key: 'dispute-s-0001',
      }),
    ).disputeScorecard;
    expect(d).toMatchObject({
      month: MONTH,
      centreId: net.ids.S,
      run: 2,
      reason: 'the complaint was not ours',
      state: 'OPEN',
      openedBy: `partner-${net.ids.S}`,
    });
    sDispute = d.id;
    expect(h.workflow.calls.slice(calls)).toEqual([{ kind: 'disputesChanged', month: MONTH, args: {} }]);
    // A replay returns it and tells nobody again.
    const before = await h.snapshot();
    expect(
      expectOk(
        await h.run(partner('S'), M.dispute, {
          month: MONTH,
          reason: '  the complaint was not ours  ',
          key: 'dispute-s-0001',
        }),
      ).disputeScorecard,
    ).toEqual(d);
    expect([await h.snapshot(), h.workflow.calls.length]).toEqual([before, calls + 1]);
    // One open dispute per centre at a time.
    await refused(partner('S'), M.dispute, { month: MONTH, reason: 'and another thing' }, 'CONFLICT');
    // A signal that cannot be sent does not lose the dispute (the workflow re-checks by itself).
    h.workflow.on('disputesChanged', () => Promise.reject(new Error('temporal unreachable')));
    qDispute = expectOk(await h.run(partner('Q'), M.dispute, { month: MONTH, reason: 'x'.repeat(1000) }))
      .disputeScorecard.id;
    h.workflow.on('disputesChanged', async () => undefined);
  });

  it('lists disputes: all for HQ, a partner its own', async () => {
    const all = expectOk(await h.run(as.finance(), DISPUTES, { month: MONTH })).monthlyEvaluation.disputes;
    expect(all.map((d: any) => [d.id, d.centreId, d.centre.id, d.state])).toEqual([
      [sDispute, net.ids.S, net.ids.S, 'OPEN'],
      [qDispute, net.ids.Q, net.ids.Q, 'OPEN'],
    ]);
    expect(
      expectOk(await h.run(partner('Q'), DISPUTES, { month: MONTH })).monthlyEvaluation.disputes.map((d: any) => d.id),
    ).toEqual([qDispute]);
    expect(expectOk(await h.run(partner('R'), DISPUTES, { month: MONTH })).monthlyEvaluation.disputes).toEqual([]);
    expect(
      expectOk(await h.run(as.admin(), DISPUTES, { month: MONTH, state: 'UPHELD' })).monthlyEvaluation.disputes,
    ).toEqual([]);
  });

  it.each([
    ['reason', { month: MONTH, reason: '' }, 'BAD_USER_INPUT'],
    ['reason', { month: MONTH, reason: '   ' }, 'BAD_USER_INPUT'],
    ['reason', { month: MONTH, reason: 'x'.repeat(1001) }, 'BAD_USER_INPUT'],
    ['month', { month: '2026/10', reason: 'why' }, 'BAD_USER_INPUT'],
    [null, { month: '2026-06', reason: 'never evaluated' }, 'NOT_FOUND'],
  ])('refuses a dispute with a bad %s, writing nothing', async (field, variables, code) => {
    const error = await refused(partner('R'), M.dispute, variables, code);
    if (field) expect(error.extensions['field']).toBe(field);
  });

  it('refuses a centre the month did not evaluate, and every role but PARTNER', async () => {
    await refused(partner('V'), M.dispute, { month: MONTH, reason: 'we were not graded' }, 'NOT_FOUND');
    for (const claims of [as.admin(), as.operator(), as.finance(), as.callCentre(), as.engineer()]) {
      await refused(claims, M.dispute, { month: MONTH, reason: 'on behalf of a centre' }, 'FORBIDDEN');
    }
  });

  it('an ADMIN cannot confirm while a dispute is open (the workflow says CONFLICT); nor can an OPERATOR at all', async () => {
    const error = await refused(as.admin(), M.confirm, { month: MONTH, key: 'confirm-2026-10-a' }, 'CONFLICT');
    expect(error.message).toContain('dispute');
    await refused(as.operator(), M.confirm, { month: MONTH }, 'FORBIDDEN');
    await refused(as.finance(), M.confirm, { month: MONTH }, 'FORBIDDEN');
    await refused(partner('P'), M.confirm, { month: MONTH }, 'FORBIDDEN');
    await refused(as.admin(), M.confirm, { month: '2026-05' }, 'NOT_FOUND');
  });

  it('upholding re-runs the month; the Update goes again when the same request is retried after it failed', async () => {
    h.workflow.on('rerun', () =>
      asUpdate(() => Promise.reject(ApplicationFailure.nonRetryable('the evaluation is busy', 'CONFLICT'))),
    );
    expectError(
      await h.run(as.operator(), M.uphold, {
        id: sDispute,
        reason: 'the complaint was another centre’s',
        key: 'uphold-s-0001',
      }),
      'CONFLICT',
    );
    h.workflow.on('rerun', async () => undefined);
    // The decision stands; the retry of the very request sends the Update with the same id.
    const failedId = h.workflow.calls.at(-1)!.args['updateId'];
    const upheld = expectOk(
      await h.run(as.operator(), M.uphold, {
        id: sDispute,
        reason: 'the complaint was another centre’s',
        key: 'uphold-s-0001',
      }),
    ).upholdDispute;
    expect(upheld).toEqual({
      id: sDispute,
      state: 'UPHELD',
      decidedBy: 'operator-1',
      decisionReason: 'the complaint was another centre’s',
    });
    expect(h.workflow.calls.at(-1)).toMatchObject({
      kind: 'rerun',
      month: MONTH,
      args: { requestedBy: 'operator-1', updateId: failedId },
    });
    // Decided: another decision is INVALID_TRANSITION.
    expect(
      (await refused(as.admin(), M.reject, { id: sDispute, reason: 'no' }, 'INVALID_TRANSITION')).extensions[
        'currentState'
      ],
    ).toBe('UPHELD');
  });

  it.each([
    ['id', { id: 'x', reason: 'r' }, 'BAD_USER_INPUT'],
    ['reason', { id: 'D-00000000-0000', reason: '' }, 'BAD_USER_INPUT'],
    [null, { id: 'D-00000000-0000', reason: 'no such dispute' }, 'NOT_FOUND'],
  ])('refuses a decision with a bad %s', async (field, variables, code) => {
    const error = await refused(as.operator(), M.reject, variables, code);
    if (field) expect(error.extensions['field']).toBe(field);
  });

  it('rejecting tells the workflow; only OPERATOR and ADMIN decide', async () => {
    for (const claims of [partner('Q'), as.finance(), as.callCentre()])
      await refused(claims, M.reject, { id: qDispute, reason: 'no' }, 'FORBIDDEN');
    const calls = h.workflow.calls.length;
    expect(
      expectOk(await h.run(as.admin(), M.reject, { id: qDispute, reason: 'the leftover job was past due' }))
        .rejectDispute,
    ).toEqual({
      id: qDispute,
      state: 'REJECTED',
      decidedBy: 'admin-1',
      decisionReason: 'the leftover job was past due',
    });
    expect(h.workflow.calls.slice(calls)).toEqual([{ kind: 'disputesChanged', month: MONTH, args: {} }]);
  });
});

describe('confirmation and after', () => {
  it('an ADMIN confirms once no dispute is open; the month is then final', async () => {
    setClock('2026-12-06T02:00:00Z');
    const confirmed = expectOk(
      await h.run(as.admin(), M.confirm, { month: MONTH, key: 'confirm-2026-10-b' }),
    ).confirmMonthlyEvaluation;
    expect(confirmed).toEqual({ month: MONTH, state: 'CONFIRMED', confirmedBy: 'admin-1' });
    expect(h.workflow.calls.at(-1)).toMatchObject({
      kind: 'confirm',
      month: MONTH,
      args: { confirmedBy: 'admin-1', updateId: expect.stringMatching(/^confirmMonthlyEvaluation:/) },
    });
    expect(expectOk(await h.run(as.finance(), EVALUATION, { month: MONTH })).monthlyEvaluation).toMatchObject({
      state: 'CONFIRMED',
      confirmedAt: '2026-12-06T02:00:00.000Z',
      confirmedBy: 'admin-1',
      completedAt: '2026-12-06T02:00:00.000Z',
      progress: { done: 7, total: 7 },
    });
    // A replay of the confirmation answers as the first time did, sending nothing.
    const calls = h.workflow.calls.length;
    expectOk(await h.run(as.admin(), M.confirm, { month: MONTH, key: 'confirm-2026-10-b' }));
    expect(h.workflow.calls.length).toBe(calls);
  });

  it.each([
    ['run', M.run, as.operator(), { month: MONTH }],
    ['re-run', M.rerun, as.operator(), { month: MONTH }],
    ['confirm again', M.confirm, as.admin(), { month: MONTH }],
  ])('refuses to %s a confirmed month (INVALID_TRANSITION)', async (_what, source, claims, variables) => {
    expect((await refused(claims, source, variables, 'INVALID_TRANSITION')).extensions['currentState']).toBe(
      'CONFIRMED',
    );
  });

  it('refuses a dispute of a confirmed month', async () => {
    expect(
      (await refused(partner('R'), M.dispute, { month: MONTH, reason: 'too late' }, 'INVALID_TRANSITION')).extensions[
        'currentState'
      ],
    ).toBe('CONFIRMED');
  });

  it('lists the promotion candidates: A in August, September and October', async () => {
    expect(expectOk(await h.run(as.operator(), PROMOTION, { month: MONTH })).promotionCandidates).toEqual([
      {
        centreId: net.ids.P,
        code: net.codes.P,
        region: '310115',
        months: ['2026-08', '2026-09', '2026-10'],
        centre: { id: net.ids.P },
      },
    ]);
    expect(
      expectOk(await h.run(partner('P'), PROMOTION, { month: MONTH })).promotionCandidates.map((c: any) => c.centreId),
    ).toEqual([net.ids.P]);
    expect(expectOk(await h.run(partner('Q'), PROMOTION, { month: MONTH })).promotionCandidates).toEqual([]);
    expect(expectOk(await h.run(as.finance(), PROMOTION, { month: '2026-11' })).promotionCandidates).toEqual([]);
    await refused(as.engineer(), PROMOTION, { month: MONTH }, 'FORBIDDEN');
  });

  it('finds the centres at risk: a C this year and a C so far this month; only those are computed live', async () => {
    // S: C in March and October (SUSPENDED by October's); a third C this month would eliminate it. Its month so
    // far is the C of 41.375 worked out by hand for ServiceCentre.liveScorecard above.
    h.live.tickets.set(net.ids.S, {
      counters: {
        ...ZERO_COUNTERS,
        dispatched: 20,
        completions: 20,
        completionsReportedInTime: 20,
        answeredCallbacks: 8,
        satisfiedCallbacks: 7,
        complaints: 1,
        majorComplaints: 1,
        partsReplaced: 4,
      },
      leftover: 1,
    });
    h.live.credits.set(net.ids.S, { qualityInfoAdopted: 0, serviceInnovation: 1 });
    h.live.asked.facts.length = 0;
    const atRisk = expectOk(await h.run(as.operator(), AT_RISK)).centresAtRisk;
    expect(atRisk).toEqual([
      {
        centreId: net.ids.S,
        live: true,
        grade: 'C',
        adjustedScore: 41.375,
        cGradesBefore: 2,
        consequence: 'ELIMINATED',
        atRiskOfSuspension: true,
      },
    ]);
    // October's C grades were S's and T's; T is eliminated, so S alone was asked about.
    expect(h.live.asked.facts).toEqual([[net.ids.S]]);
    expect(expectOk(await h.run(partner('S'), AT_RISK)).centresAtRisk.map((c: any) => c.centreId)).toEqual([net.ids.S]);
    expect(expectOk(await h.run(partner('R'), AT_RISK)).centresAtRisk).toEqual([]);
    // A good month so far takes it off the list.
    h.live.tickets.set(net.ids.S, {
      counters: {
        ...ZERO_COUNTERS,
        dispatched: 20,
        completions: 20,
        completionsReportedInTime: 20,
        answeredCallbacks: 20,
        satisfiedCallbacks: 20,
      },
      leftover: 0,
    });
    expect(expectOk(await h.run(as.finance(), AT_RISK)).centresAtRisk).toEqual([]);
    await refused(as.engineer(), AT_RISK, {}, 'FORBIDDEN');
  });
});
