import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { tokenFor } from './client.ts';
import {
  FEE,
  M as JOB,
  NAMES,
  RUN,
  monthAgo,
  ok,
  ownStack,
  settlementFixture,
  subOf,
  until,
  type Name,
} from './settlement-fixture.ts';

/**
 * Finance settles two months end to end through the gateway (docs/domain.md §7): R = L × T + Q for centres
 * graded A, B, C and ungraded, with an award, a penalty, an adjustment, four-eyes approval, the
 * payment file, a negative R carried into the next month and a held job paid there once resolved.
 * Every figure is worked out by hand below. The jobs are real; the past is seeded; the stack is the
 * suite's own, so its months hold this suite's centres only (settlement-fixture.ts).
 */
const run = `${process.pid % 100000}${Date.now() % 10000}`;
let own: Awaited<ReturnType<typeof ownStack>>;
const gql = (query: string, variables: Record<string, unknown>, token: string) => own.gql(query, variables, token);

const M = {
  ...JOB,
  adjust:
    `mutation($id: ID!, $amount: Int!, $reason: String!) { addAdjustment(statementId: $id, amountFen: $amount, ` +
    `reason: $reason) { R } }`,
  hold: `mutation($id: ID!) { holdStatement(id: $id, reason: "the centre disputes a held job") { state } }`,
  release: `mutation($id: ID!) { releaseStatement(id: $id, reason: "checked with the centre") { state } }`,
  approve: `mutation($m: String!) { approveSettlement(month: $m) { state approvedBy } }`,
  exported: `mutation($m: String!) { markExported(month: $m) { state } }`,
};
const STATEMENT = `query($id: ID!) { statement(id: $id) { id state grade L T LT Q R payableFen carriedOutFen pendingJobs
  items { kind amountFen by correctsMonth } lines { ticketId feeFen } heldJobs { ticketId reasons } } }`;

const SETTLED = monthAgo(4).month;
const NEXT = monthAgo(3).month;

let f: Awaited<ReturnType<typeof settlementFixture>>;
const finance = () => tokenFor('FINANCE');
const statementOf = (month: string, name: Name) => f.statementOf(month, name);
const readRun = (month: string, token: string) => gql(RUN, { m: month }, token).then((r) => ok<any>(r, 'run'));
const readStatement = (month: string, name: Name, token: string) =>
  gql(STATEMENT, { id: statementOf(month, name) }, token).then((r) => ok<any>(r, 'statement'));

// 20 jobs each. A: every KPI at target (100) → A. B: all at target but no delight note (delight 0 of its weight) → B.
// C: half the callbacks satisfied as well (satisfaction below its floor) → C. U: 5 completions, below the minimum of 10
// → ungraded.
const FULL = {
  dispatched: 20,
  completions: 20,
  completionsReportedInTime: 20,
  answeredCallbacks: 20,
  satisfiedCallbacks: 20,
  complaints: 0,
  majorComplaints: 0,
  partsReplaced: 0,
  partsMisjudged: 0,
  delightCompletions: 4,
};
const COUNTERS: Record<Name, typeof FULL> = {
  A: FULL,
  B: { ...FULL, delightCompletions: 0 },
  C: { ...FULL, satisfiedCallbacks: 10, delightCompletions: 0 },
  U: {
    ...FULL,
    dispatched: 5,
    completions: 5,
    completionsReportedInTime: 5,
    answeredCallbacks: 5,
    satisfiedCallbacks: 5,
    delightCompletions: 1,
  },
};

beforeAll(async () => {
  own = await ownStack('settlement');
  f = await settlementFixture({ gql, mongodbUri: own.stack.mongodbUri, run, names: NAMES });
  await f.seedThePast(SETTLED, COUNTERS);
}, 180_000);

afterAll(async () => {
  await f?.close();
  await own?.stop();
});

describe('a month settled through the gateway', () => {
  it('R = L × T + Q for A, B, C and ungraded; four eyes; the payment file; the next month carries the shortfall and pays the resolved hold', async () => {
    // The jobs: A one, B two, C one, U one payable and one held for its old part (completed now, paid from the
    // settled
    // month's run on).
    await f.payableJob('A');
    await f.payableJob('B');
    await f.payableJob('B');
    await f.payableJob('C');
    await f.payableJob('U');
    const held = await f.calledBackJob('U', true);
    expect(held.settlement).toEqual({ status: 'HELD', reasons: ['OLD_PART_NOT_RETURNED'], feeFen: null });

    await f.evaluated(SETTLED);
    const results = ok<any>(
      await gql(
        `query($m: String!) { monthlyEvaluation(month: $m) { results(first: 100) { edges { node { centreId ` +
          `grade rank awardFen penaltyFen } } } } }`,
        { m: SETTLED },
        f.operator,
      ),
      'results',
    ).results.edges.map((e: any) => e.node);
    const mine = Object.fromEntries(NAMES.map((n) => [n, results.find((r: any) => r.centreId === f.centres[n].id)]));
    // The stack holds this suite's centres only: A ranks first (award ¥2,000), C last (penalty ¥2,000).
    expect(mine).toMatchObject({
      A: { grade: 'A', rank: 1, awardFen: 200_000, penaltyFen: 0 },
      B: { grade: 'B', awardFen: 0, penaltyFen: 0 },
      C: { grade: 'C', awardFen: 0, penaltyFen: 200_000 },
      U: { grade: null, awardFen: 0, penaltyFen: 0 },
    });

    // Bad input and roles first: nothing starts.
    const [starter, adjuster, approver] = await Promise.all([finance(), finance(), finance()]);
    expect((await gql(M.start, { m: SETTLED }, f.operator)).codes).toEqual(['FORBIDDEN']);
    expect((await gql(M.start, { m: 'last month' }, starter)).codes).toEqual(['BAD_USER_INPUT']);
    expect((await gql(M.start, { m: monthAgo(0).month }, starter)).codes).toEqual(['BAD_USER_INPUT']);
    ok(await gql(M.start, { m: SETTLED, key: `st-${run}` }, starter), 'start');
    expect(ok<any>(await gql(M.start, { m: SETTLED, key: `st-${run}` }, starter), 'replayed start')).toMatchObject({
      month: SETTLED,
      startedBy: subOf(starter),
    });
    const inReview = await until('settlement', () => readRun(SETTLED, starter), 'IN_REVIEW');
    expect(inReview.progress.done).toBe(inReview.progress.total);

    // By hand, T in hundredths from the default standard (A 110, B 100, C 90, ungraded 100):
    //   A: L = 7,000; L×T = 7,700; Q = +200,000 (award)          R = 207,700
    //   B: L = 14,000; L×T = 14,000; Q = 0                       R = 14,000
    //   C: L = 7,000; L×T = 6,300; Q = −200,000 (penalty)        R = −193,700 → pays 0, carries 193,700
    //   U: L = 7,000; L×T = 7,000; one job held                  R = 7,000
    const a = await readStatement(SETTLED, 'A', starter);
    expect(a).toMatchObject({
      state: 'IN_REVIEW',
      grade: 'A',
      L: 7000,
      T: 110,
      LT: 7700,
      Q: 200_000,
      R: 207_700,
      payableFen: 207_700,
      carriedOutFen: 0,
    });
    expect(a.items).toEqual([{ kind: 'AWARD', amountFen: 200_000, by: `evaluation-${SETTLED}`, correctsMonth: null }]);
    expect(await readStatement(SETTLED, 'B', starter)).toMatchObject({
      grade: 'B',
      L: 14_000,
      T: 100,
      LT: 14_000,
      Q: 0,
      R: 14_000,
      items: [],
    });
    expect(await readStatement(SETTLED, 'C', starter)).toMatchObject({
      grade: 'C',
      L: 7000,
      T: 90,
      LT: 6300,
      Q: -200_000,
      R: -193_700,
      payableFen: 0,
      carriedOutFen: 193_700,
    });
    const u = await readStatement(SETTLED, 'U', starter);
    expect(u).toMatchObject({
      grade: null,
      L: 7000,
      T: 100,
      R: 7000,
      heldJobs: [{ ticketId: held.id, reasons: ['OLD_PART_NOT_RETURNED'] }],
    });

    // A partner reads its own statement, not another's.
    expect(await readStatement(SETTLED, 'A', f.centres.A.partner)).toMatchObject({ R: 207_700 });
    expect((await gql(STATEMENT, { id: statementOf(SETTLED, 'B') }, f.centres.A.partner)).codes).toEqual(['FORBIDDEN']);

    // Review: an adjustment on B (+¥50), a hold on U that blocks approval, then four eyes.
    expect((await gql(M.adjust, { id: statementOf(SETTLED, 'B'), amount: 12.5, reason: 'x' }, adjuster)).codes).toEqual(
      ['BAD_USER_INPUT'],
    );
    expect(
      ok<any>(
        await gql(
          M.adjust,
          { id: statementOf(SETTLED, 'B'), amount: 5000, reason: '质改奖励 quality-improvement reward' },
          adjuster,
        ),
        'adjust',
      ),
    ).toMatchObject({ R: 19_000 });
    ok(await gql(M.hold, { id: statementOf(SETTLED, 'U') }, adjuster), 'hold');
    expect((await gql(M.approve, { m: SETTLED }, approver)).codes).toEqual(['CONFLICT']);
    ok(await gql(M.release, { id: statementOf(SETTLED, 'U') }, adjuster), 'release');
    expect((await gql(M.approve, { m: SETTLED }, starter)).codes).toEqual(['FORBIDDEN']);
    expect((await gql(M.approve, { m: SETTLED }, adjuster)).codes).toEqual(['FORBIDDEN']);
    expect((await gql(M.approve, { m: SETTLED }, f.operator)).codes).toEqual(['FORBIDDEN']);
    expect(ok<any>(await gql(M.approve, { m: SETTLED }, approver), 'approve')).toMatchObject({
      state: 'APPROVED',
      approvedBy: subOf(approver),
    });

    // R over the month: 207,700 + 19,000 − 193,700 + 7,000 = 40,000; Q: 200,000 + 5,000 − 200,000 = 5,000.
    // The payment file: A 207,700 + B 19,000 + U 7,000 = 233,700 fen; C pays nothing.
    const approved = await readRun(SETTLED, approver);
    expect(approved.totals).toEqual({ centres: 4, jobs: 5, L: 35_000, Q: 5000, R: 40_000, payableFen: 233_700 });
    const file = approved.paymentFile;
    expect(file).toMatchObject({ fileName: `starline-settlement-${SETTLED}.csv`, rows: 3, totalFen: 233_700 });
    expect(createHash('sha256').update(file.content, 'utf8').digest('hex')).toBe(file.sha256);
    const account = (n: Name) => f.centres[n].account;
    expect(file.content).toBe(
      [
        '\uFEFFCentre code,Payee name,Bank,Account number,Amount (fen),Amount (yuan),Statement id',
        `${f.centres.A.code},上海A家电服务有限公司,中国工商银行上海浦东支行,${account('A')},207700,2077.00,${statementOf(SETTLED, 'A')}`,
        `${f.centres.B.code},上海B家电服务有限公司,中国工商银行上海浦东支行,${account('B')},19000,190.00,${statementOf(SETTLED, 'B')}`,
        `${f.centres.U.code},上海U家电服务有限公司,中国工商银行上海浦东支行,${account('U')},7000,70.00,${statementOf(SETTLED, 'U')}`,
        'TOTAL,,,,233700,2337.00,',
        '',
      ].join('\r\n'),
    );
    expect((await readRun(SETTLED, f.operator)).paymentFile).toBeNull();
    expect(
      (await gql(M.adjust, { id: statementOf(SETTLED, 'B'), amount: 100, reason: 'late' }, adjuster)).codes,
    ).toEqual(['INVALID_TRANSITION']);
    expect(ok<any>(await gql(M.exported, { m: SETTLED }, approver), 'exported')).toMatchObject({ state: 'EXPORTED' });

    // The held job is resolved: its old part returned and checked, the quality check done.
    let t = ok<any>(await gql(M.returnPart, { id: held.id, v: held.v }, f.operator), 'return part');
    t = ok<any>(await gql(M.autopsy, { id: held.id, v: t.version }, f.operator), 'autopsy');
    expect(ok<any>(await gql(M.quality, { id: held.id, v: t.version }, f.operator), 'quality').settlement).toEqual({
      status: 'PAYABLE',
      reasons: [],
      feeFen: FEE,
    });

    // The next month (no KPI counters: nobody graded, T 100, no awards):
    // A, B: nothing new, R = 0.   C: Q = −193,700 carried, R = −193,700 (carried again).   U: the resolved job, R =
    // 7,000.
    await f.evaluated(NEXT);
    const nextStarter = await finance();
    ok(await gql(M.start, { m: NEXT }, nextStarter), 'start next');
    await until('next settlement', () => readRun(NEXT, nextStarter), 'IN_REVIEW');
    expect(await readStatement(NEXT, 'A', nextStarter)).toMatchObject({ L: 0, R: 0, lines: [] });
    const c = await readStatement(NEXT, 'C', nextStarter);
    expect(c).toMatchObject({ L: 0, Q: -193_700, R: -193_700, carriedOutFen: 193_700 });
    expect(c.items).toEqual([
      { kind: 'CARRIED_DEDUCTION', amountFen: -193_700, by: 'system:settlement', correctsMonth: null },
    ]);
    expect(await readStatement(NEXT, 'U', nextStarter)).toMatchObject({
      L: 7000,
      T: 100,
      R: 7000,
      lines: [{ ticketId: held.id, feeFen: FEE }],
      heldJobs: [],
    });
    // Paid once, ever: the jobs of the settled month are not paid again.
    expect((await readStatement(NEXT, 'B', nextStarter)).lines).toEqual([]);
    const line = ok<any>(
      await gql(
        `query($id: ID!) { ticket(id: $id) { statementLine { statementId feeFen } } }`,
        { id: held.id },
        nextStarter,
      ),
      'ticket',
    );
    expect(line.statementLine).toEqual({ statementId: statementOf(NEXT, 'U'), feeFen: FEE });
  }, 240_000);
});
