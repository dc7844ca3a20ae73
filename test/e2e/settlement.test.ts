import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectDatabase } from '@starline/common';
import { gql, tokenFor, type GqlResponse } from './client.ts';

/**
 * Finance settles two months end to end through the gateway (domain.md §7): R = L × T + Q for centres
 * graded A, B, C and ungraded, with an award, a penalty, an adjustment, four-eyes approval, the
 * payment file, a negative R carried into the next month and a held job paid there once resolved.
 * Every figure is worked out by hand below.
 *
 * The jobs are real, driven through the gateway now. The past can't be replayed through the API, so
 * two facts of it are written into the owners' databases: the centres were ACTIVE four months ago,
 * and their KPI counters of the month settled (which decide their grades). Everything else — the
 * evaluation, its confirmation, the settlement — runs through the gateway and the workflows.
 */
const run = `${process.pid % 100000}${Date.now() % 10000}`;
const digits = run.replace(/\D/g, '');
const REGION = `4${digits.slice(-5).padStart(5, '0')}`;
const LINE = 'REFRIGERATOR';
/** REFRIGERATOR × REPAIR × URBAN in the default standard's labour fee table. */
const FEE = 7000;

const T = 'id version state settlement { status reasons feeFen }';
const M = {
  receive: `mutation($input: IntakeInput!) { receiveTicket(input: $input) { ${T} } }`,
  book: `mutation($id: ID!, $w: AppointmentInput!, $v: Int!) { bookAppointment(id: $id, window: $w, version: $v) { ${T} } }`,
  assign: `mutation($id: ID!, $e: ID!, $v: Int!) { assignEngineer(id: $id, engineerId: $e, version: $v) { ${T} } }`,
  checkIn: `mutation($id: ID!, $v: Int!) { checkIn(id: $id, version: $v) { ${T} } }`,
  complete: `mutation($id: ID!, $r: CompletionInput!, $v: Int!) { completeJob(id: $id, report: $r, version: $v) { ${T} } }`,
  callback: `mutation($id: ID!, $v: Int!) { recordCallback(id: $id, answer: SATISFIED, version: $v) { ${T} } }`,
  returnPart: `mutation($id: ID!, $v: Int!) { returnOldPart(id: $id, version: $v) { ${T} } }`,
  autopsy: `mutation($id: ID!, $v: Int!) { recordAutopsy(id: $id, consistent: true, note: "as reported", version: $v) { ${T} } }`,
  quality: `mutation($id: ID!, $v: Int!) { qualityCheck(id: $id, version: $v) { ${T} } }`,
  payee: `mutation($id: ID!, $input: CentrePayeeInput!) { setCentrePayee(id: $id, input: $input, reason: "bank letter") { id } }`,
  evaluate: `mutation($m: String!) { runMonthlyEvaluation(month: $m) { state } }`,
  confirmEvaluation: `mutation($m: String!) { confirmMonthlyEvaluation(month: $m) { state } }`,
  start: `mutation($m: String!, $key: String) { startSettlement(month: $m, idempotencyKey: $key) { month state startedBy } }`,
  adjust: `mutation($id: ID!, $amount: Int!, $reason: String!) { addAdjustment(statementId: $id, amountFen: $amount, reason: $reason) { R } }`,
  hold: `mutation($id: ID!) { holdStatement(id: $id, reason: "the centre disputes a held job") { state } }`,
  release: `mutation($id: ID!) { releaseStatement(id: $id, reason: "checked with the centre") { state } }`,
  approve: `mutation($m: String!) { approveSettlement(month: $m) { state approvedBy } }`,
  exported: `mutation($m: String!) { markExported(month: $m) { state } }`,
};
const RUN = `query($m: String!) { settlementRun(month: $m) { month state progress { done total } totals { centres jobs L Q R payableFen }
  paymentFile { fileName sha256 rows totalFen content } } }`;
const STATEMENT = `query($id: ID!) { statement(id: $id) { id state grade L T LT Q R payableFen carriedOutFen pendingJobs
  items { kind amountFen by correctsMonth } lines { ticketId feeFen } heldJobs { ticketId reasons } } }`;

type Name = 'A' | 'B' | 'C' | 'U';
const NAMES: Name[] = ['A', 'B', 'C', 'U'];
const centres = {} as Record<Name, { id: string; code: string; partner: string; engineer: { id: string; token: string } }>;
let operator: string;
let admin: string;
let callCentre: string;
let checklist: string[];
let conn: Connection;

function ok<T = any>(res: GqlResponse, what: string): T {
  expect(res.errors, what).toBeUndefined();
  return Object.values(res.data!)[0] as T;
}

/** The Asia/Shanghai month `back` months before now's, and its first instant. */
function monthAgo(back: number): { month: string; start: Date } {
  const shanghai = new Date(Date.now() + 8 * 3_600_000);
  const start = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth() - back, 1) - 8 * 3_600_000);
  const d = new Date(start.getTime() + 8 * 3_600_000);
  return { month: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`, start };
}
/** Two months no other suite evaluates (evaluation.test.ts takes the last two). */
const SETTLED = monthAgo(4).month;
const NEXT = monthAgo(3).month;

async function createCentre(name: Name): Promise<void> {
  const code = `E2E-ST-${run}-${name}`;
  const { id } = ok<{ id: string }>(await gql('mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }', {
    input: { code, name: `Settlement e2e ${name}`, tier: 'CORE', region: `${REGION.slice(0, 2)}0000`, serviceAreas: [REGION], productLines: [LINE], dailyCapacity: 30, contact: { name: 'Sun Li', phone: '13700137002' } },
  }, { token: operator }), `centre ${name}`);
  ok(await gql('mutation($id: ID!) { activateServiceCentre(id: $id) { status } }', { id }, { token: operator }), `activate ${name}`);
  ok(await gql(M.payee, { id, input: { accountName: `上海${name}家电服务有限公司`, bank: '中国工商银行上海浦东支行', accountNumber: `6222020000${digits.slice(-4)}${NAMES.indexOf(name)}0` } }, { token: operator }), `payee ${name}`);
  const engineerId = ok<{ id: string }>(await gql('mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id } }', {
    input: { number: `ST${name}-${digits.slice(-7)}${NAMES.indexOf(name)}`, name: `Engineer ${name}`, centreId: id, certifications: [{ productLine: LINE, issuedAt: '2025-01-01T00:00:00Z', expiresAt: '2035-01-01T00:00:00Z' }] },
  }, { token: operator }), `engineer ${name}`).id;
  centres[name] = {
    id, code, partner: await tokenFor('PARTNER', { centreId: id }),
    engineer: { id: engineerId, token: await tokenFor('ENGINEER', { engineerId, centreId: id }) },
  };
}

let serial = 0;
/** A walk-in at the centre completed now; with a warranty part replaced it waits for the old part. Returns it CALLED_BACK. */
async function calledBackJob(name: Name, part: boolean): Promise<{ id: string; v: number; settlement: any }> {
  const c = centres[name];
  const input = {
    customer: { name: '钱多', phone: '13800138002', address: '上海市浦东新区世纪大道 1 号', regionCode: REGION },
    productLine: LINE, model: 'BCD-470', serialNumber: `ST${digits.slice(-8)}-${++serial}`,
    purchaseDate: new Date(Date.now() - 90 * 86_400_000).toISOString(), serviceType: 'REPAIR', areaClass: 'URBAN', faultDescription: 'not cooling',
  };
  let t = ok<any>(await gql(M.receive, { input }, { token: c.partner }), 'walk-in');
  t = ok<any>(await gql(M.book, { id: t.id, w: { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() }, v: t.version }, { token: c.partner }), 'book');
  t = ok<any>(await gql(M.assign, { id: t.id, e: c.engineer.id, v: t.version }, { token: c.partner }), 'assign');
  t = ok<any>(await gql(M.checkIn, { id: t.id, v: t.version }, { token: c.engineer.token }), 'check in');
  const report = { workFinishedAt: new Date().toISOString(), checklist, faultCode: 'E3', parts: part ? [{ partNumber: 'RF-THERMOSTAT-01', oldPartSerial: `OLD-${serial}`, quantity: 1 }] : [] };
  t = ok<any>(await gql(M.complete, { id: t.id, r: report, v: t.version }, { token: c.engineer.token }), 'complete');
  t = ok<any>(await gql(M.callback, { id: t.id, v: t.version }, { token: callCentre }), 'callback');
  return { id: t.id, v: t.version, settlement: t.settlement };
}

async function payableJob(name: Name): Promise<string> {
  const t = await calledBackJob(name, false);
  const closed = ok<any>(await gql(M.quality, { id: t.id, v: t.v }, { token: operator }), 'quality check');
  expect(closed.settlement).toEqual({ status: 'PAYABLE', reasons: [], feeFen: FEE });
  return t.id;
}

/** Polls as HQ until `read` gives a value in `state`. */
async function until(what: string, read: () => Promise<any>, state: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value?.state === state) return value;
    if (Date.now() > deadline) throw new Error(`${what} is ${value?.state ?? 'absent'}, not ${state}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const finance = () => tokenFor('FINANCE');
const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
const statementOf = (month: string, name: Name) => `${month}:${centres[name].id}`;
const readRun = (month: string, token: string) => gql(RUN, { m: month }, { token }).then((r) => ok<any>(r, 'run'));
const readStatement = (month: string, name: Name, token: string) => gql(STATEMENT, { id: statementOf(month, name) }, { token }).then((r) => ok<any>(r, 'statement'));

/** Evaluates and confirms a month through the gateway. */
async function evaluated(month: string): Promise<void> {
  ok(await gql(M.evaluate, { m: month }, { token: operator }), `evaluate ${month}`);
  const read = () => gql(`query($m: String!) { monthlyEvaluation(month: $m) { state } }`, { m: month }, { token: operator }).then((r) => ok<any>(r, 'evaluation'));
  await until(`evaluation ${month}`, read, 'PROVISIONAL');
  ok(await gql(M.confirmEvaluation, { m: month }, { token: admin }), `confirm ${month}`);
  await until(`evaluation ${month}`, read, 'CONFIRMED');
}

/** The past, written into the owners' databases: ACTIVE since six months ago, and the settled month's KPI counters. */
async function seedThePast(): Promise<void> {
  const network = conn.useDb('starline_network');
  const tickets = conn.useDb('starline_tickets');
  const since = monthAgo(6).start;
  for (const name of NAMES) {
    await network.collection('service_centres').updateOne({ _id: centres[name].id as never }, { $set: {
      createdAt: since,
      statusHistory: [
        { from: null, to: 'ONBOARDING', at: since, actor: 'e2e-seed', reason: null, evidence: null },
        { from: 'ONBOARDING', to: 'ACTIVE', at: new Date(since.getTime() + 1000), actor: 'e2e-seed', reason: null, evidence: null },
      ],
    } });
  }
  // The network service keeps the tree in memory and reloads it when another writer's count moves.
  await network.collection('centre_writers').updateOne({ _id: `e2e-seed-${run}` as never }, { $set: { writes: 1, at: new Date() } }, { upsert: true });
  // 20 jobs each. A: every KPI at target (100) → A. B: all at target but no delight note (delight 0 of its weight) → B.
  // C: half the callbacks satisfied as well (satisfaction below its floor) → C. U: 5 completions, below the minimum of 10 → ungraded.
  const full = { dispatched: 20, completions: 20, completionsReportedInTime: 20, answeredCallbacks: 20, satisfiedCallbacks: 20, complaints: 0, majorComplaints: 0, partsReplaced: 0, partsMisjudged: 0, delightCompletions: 4 };
  const counters: Record<Name, typeof full> = {
    A: full,
    B: { ...full, delightCompletions: 0 },
    C: { ...full, satisfiedCallbacks: 10, delightCompletions: 0 },
    U: { ...full, dispatched: 5, completions: 5, completionsReportedInTime: 5, answeredCallbacks: 5, satisfiedCallbacks: 5, delightCompletions: 1 },
  };
  await tickets.collection('kpi_months').insertMany(NAMES.map((n) => ({ _id: `${centres[n].id}|${SETTLED}` as never, counters: counters[n], applied: '[]' })));
  // Let the network service notice the write count and reload before the evaluation reads the tree.
  for (let i = 0; i < 3; i++) {
    await gql('query($id: ID!) { networkTree(rootId: $id, depth: 0) { root { id } } }', { id: centres.A.id }, { token: operator });
    await new Promise((r) => setTimeout(r, 1_100));
  }
}

beforeAll(async () => {
  [operator, admin, callCentre] = await Promise.all([tokenFor('OPERATOR'), tokenFor('ADMIN'), tokenFor('CALL_CENTRE')]);
  conn = await connectDatabase(inject('mongodbUri'), 'starline_network');
  const standard = ok<any>(await gql('{ standardInForce { procedure { code } } }', {}, { token: operator }), 'standard');
  checklist = standard.procedure.map((p: { code: string }) => p.code);
  for (const name of NAMES) await createCentre(name);
  await seedThePast();
}, 120_000);

afterAll(async () => {
  await conn?.close();
});

describe('a month settled through the gateway', () => {
  it('R = L × T + Q for A, B, C and ungraded; four eyes; the payment file; the next month carries the shortfall and pays the resolved hold', async () => {
    // The jobs: A one, B two, C one, U one payable and one held for its old part (completed now, paid from the settled month's run on).
    await payableJob('A');
    await payableJob('B');
    await payableJob('B');
    await payableJob('C');
    await payableJob('U');
    const held = await calledBackJob('U', true);
    expect(held.settlement).toEqual({ status: 'HELD', reasons: ['OLD_PART_NOT_RETURNED'], feeFen: null });

    await evaluated(SETTLED);
    const results = ok<any>(await gql(`query($m: String!) { monthlyEvaluation(month: $m) { results(first: 100) { edges { node { centreId grade rank awardFen penaltyFen } } } } }`,
      { m: SETTLED }, { token: operator }), 'results').results.edges.map((e: any) => e.node);
    const mine = Object.fromEntries(NAMES.map((n) => [n, results.find((r: any) => r.centreId === centres[n].id)]));
    // Only this suite's centres were active then: A ranks first (award ¥2,000), C last (penalty ¥2,000).
    expect(mine).toMatchObject({
      A: { grade: 'A', rank: 1, awardFen: 200_000, penaltyFen: 0 }, B: { grade: 'B', awardFen: 0, penaltyFen: 0 },
      C: { grade: 'C', awardFen: 0, penaltyFen: 200_000 }, U: { grade: null, awardFen: 0, penaltyFen: 0 },
    });

    // Bad input and roles first: nothing starts.
    const [starter, adjuster, approver] = await Promise.all([finance(), finance(), finance()]);
    expect((await gql(M.start, { m: SETTLED }, { token: operator })).codes).toEqual(['FORBIDDEN']);
    expect((await gql(M.start, { m: 'last month' }, { token: starter })).codes).toEqual(['BAD_USER_INPUT']);
    expect((await gql(M.start, { m: monthAgo(0).month }, { token: starter })).codes).toEqual(['BAD_USER_INPUT']);
    ok(await gql(M.start, { m: SETTLED, key: `st-${run}` }, { token: starter }), 'start');
    expect(ok<any>(await gql(M.start, { m: SETTLED, key: `st-${run}` }, { token: starter }), 'replayed start')).toMatchObject({ month: SETTLED, startedBy: subOf(starter) });
    const inReview = await until('settlement', () => readRun(SETTLED, starter), 'IN_REVIEW');
    expect(inReview.progress.done).toBe(inReview.progress.total);

    // By hand, T in hundredths from the default standard (A 110, B 100, C 90, ungraded 100):
    //   A: L = 7,000; L×T = 7,700; Q = +200,000 (award)          R = 207,700
    //   B: L = 14,000; L×T = 14,000; Q = 0                       R = 14,000
    //   C: L = 7,000; L×T = 6,300; Q = −200,000 (penalty)        R = −193,700 → pays 0, carries 193,700
    //   U: L = 7,000; L×T = 7,000; one job held                  R = 7,000
    const a = await readStatement(SETTLED, 'A', starter);
    expect(a).toMatchObject({ state: 'IN_REVIEW', grade: 'A', L: 7000, T: 110, LT: 7700, Q: 200_000, R: 207_700, payableFen: 207_700, carriedOutFen: 0 });
    expect(a.items).toEqual([{ kind: 'AWARD', amountFen: 200_000, by: `evaluation-${SETTLED}`, correctsMonth: null }]);
    expect(await readStatement(SETTLED, 'B', starter)).toMatchObject({ grade: 'B', L: 14_000, T: 100, LT: 14_000, Q: 0, R: 14_000, items: [] });
    expect(await readStatement(SETTLED, 'C', starter)).toMatchObject({ grade: 'C', L: 7000, T: 90, LT: 6300, Q: -200_000, R: -193_700, payableFen: 0, carriedOutFen: 193_700 });
    const u = await readStatement(SETTLED, 'U', starter);
    expect(u).toMatchObject({ grade: null, L: 7000, T: 100, R: 7000, heldJobs: [{ ticketId: held.id, reasons: ['OLD_PART_NOT_RETURNED'] }] });

    // A partner reads its own statement, not another's.
    expect(await readStatement(SETTLED, 'A', centres.A.partner)).toMatchObject({ R: 207_700 });
    expect((await gql(STATEMENT, { id: statementOf(SETTLED, 'B') }, { token: centres.A.partner })).codes).toEqual(['FORBIDDEN']);

    // Review: an adjustment on B (+¥50), a hold on U that blocks approval, then four eyes.
    expect((await gql(M.adjust, { id: statementOf(SETTLED, 'B'), amount: 12.5, reason: 'x' }, { token: adjuster })).codes).toEqual(['BAD_USER_INPUT']);
    expect(ok<any>(await gql(M.adjust, { id: statementOf(SETTLED, 'B'), amount: 5000, reason: '质改奖励 quality-improvement reward' }, { token: adjuster }), 'adjust')).toMatchObject({ R: 19_000 });
    ok(await gql(M.hold, { id: statementOf(SETTLED, 'U') }, { token: adjuster }), 'hold');
    expect((await gql(M.approve, { m: SETTLED }, { token: approver })).codes).toEqual(['CONFLICT']);
    ok(await gql(M.release, { id: statementOf(SETTLED, 'U') }, { token: adjuster }), 'release');
    expect((await gql(M.approve, { m: SETTLED }, { token: starter })).codes).toEqual(['FORBIDDEN']);
    expect((await gql(M.approve, { m: SETTLED }, { token: adjuster })).codes).toEqual(['FORBIDDEN']);
    expect((await gql(M.approve, { m: SETTLED }, { token: operator })).codes).toEqual(['FORBIDDEN']);
    expect(ok<any>(await gql(M.approve, { m: SETTLED }, { token: approver }), 'approve')).toMatchObject({ state: 'APPROVED', approvedBy: subOf(approver) });

    // R over the month: 207,700 + 19,000 − 193,700 + 7,000 = 40,000; Q: 200,000 + 5,000 − 200,000 = 5,000.
    // The payment file: A 207,700 + B 19,000 + U 7,000 = 233,700 fen; C pays nothing. This suite's rows only
    // (the other suites' centres were not active in the settled month, so they have no statements).
    const approved = await readRun(SETTLED, approver);
    expect(approved.totals).toEqual({ centres: 4, jobs: 5, L: 35_000, Q: 5000, R: 40_000, payableFen: 233_700 });
    const file = approved.paymentFile;
    expect(file).toMatchObject({ fileName: `starline-settlement-${SETTLED}.csv`, rows: 3, totalFen: 233_700 });
    expect(createHash('sha256').update(file.content, 'utf8').digest('hex')).toBe(file.sha256);
    const account = (n: Name) => `6222020000${digits.slice(-4)}${NAMES.indexOf(n)}0`;
    expect(file.content).toBe([
      '\uFEFFCentre code,Payee name,Bank,Account number,Amount (fen),Amount (yuan),Statement id',
      `${centres.A.code},上海A家电服务有限公司,中国工商银行上海浦东支行,${account('A')},207700,2077.00,${statementOf(SETTLED, 'A')}`,
      `${centres.B.code},上海B家电服务有限公司,中国工商银行上海浦东支行,${account('B')},19000,190.00,${statementOf(SETTLED, 'B')}`,
      `${centres.U.code},上海U家电服务有限公司,中国工商银行上海浦东支行,${account('U')},7000,70.00,${statementOf(SETTLED, 'U')}`,
      'TOTAL,,,,233700,2337.00,',
      '',
    ].join('\r\n'));
    expect((await readRun(SETTLED, operator)).paymentFile).toBeNull();
    expect((await gql(M.adjust, { id: statementOf(SETTLED, 'B'), amount: 100, reason: 'late' }, { token: adjuster })).codes).toEqual(['INVALID_TRANSITION']);
    expect(ok<any>(await gql(M.exported, { m: SETTLED }, { token: approver }), 'exported')).toMatchObject({ state: 'EXPORTED' });

    // The held job is resolved: its old part returned and checked, the quality check done.
    let t = ok<any>(await gql(M.returnPart, { id: held.id, v: held.v }, { token: operator }), 'return part');
    t = ok<any>(await gql(M.autopsy, { id: held.id, v: t.version }, { token: operator }), 'autopsy');
    expect(ok<any>(await gql(M.quality, { id: held.id, v: t.version }, { token: operator }), 'quality').settlement).toEqual({ status: 'PAYABLE', reasons: [], feeFen: FEE });

    // The next month (no KPI counters: nobody graded, T 100, no awards):
    //   A, B: nothing new, R = 0.   C: Q = −193,700 carried, R = −193,700 (carried again).   U: the resolved job, R = 7,000.
    await evaluated(NEXT);
    const nextStarter = await finance();
    ok(await gql(M.start, { m: NEXT }, { token: nextStarter }), 'start next');
    await until('next settlement', () => readRun(NEXT, nextStarter), 'IN_REVIEW');
    expect(await readStatement(NEXT, 'A', nextStarter)).toMatchObject({ L: 0, R: 0, lines: [] });
    const c = await readStatement(NEXT, 'C', nextStarter);
    expect(c).toMatchObject({ L: 0, Q: -193_700, R: -193_700, carriedOutFen: 193_700 });
    expect(c.items).toEqual([{ kind: 'CARRIED_DEDUCTION', amountFen: -193_700, by: 'system:settlement', correctsMonth: null }]);
    expect(await readStatement(NEXT, 'U', nextStarter)).toMatchObject({ L: 7000, T: 100, R: 7000, lines: [{ ticketId: held.id, feeFen: FEE }], heldJobs: [] });
    // Paid once, ever: the jobs of the settled month are not paid again.
    expect((await readStatement(NEXT, 'B', nextStarter)).lines).toEqual([]);
    const line = ok<any>(await gql(`query($id: ID!) { ticket(id: $id) { statementLine { statementId feeFen } } }`, { id: held.id }, { token: nextStarter }), 'ticket');
    expect(line.statementLine).toEqual({ statementId: statementOf(NEXT, 'U'), feeFen: FEE });
  }, 240_000);
});
