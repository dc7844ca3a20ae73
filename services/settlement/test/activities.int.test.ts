import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Connection } from 'mongoose';
import { connectDatabase, type CentrePayee, type SettlementActivities, type SettlementJob } from '@starline/common';
import { createSettlementActivities } from '../src/activities.ts';
import { createSettlementStore, type StatementRecord } from '../src/store/settlement.ts';
import {
  POLICY,
  activityFailure,
  as,
  award,
  expectOk,
  financeUser,
  job,
  payable,
  startHarness,
  type Harness,
} from './support.ts';

/**
 * The settlement service's activities against FerretDB, in the order monthlySettlement calls them:
 * open → begin → build in batches → finish → review → approve → settled jobs, then the next month.
 * Every figure below is worked out by hand (T in hundredths, L × T rounded half up to the fen).
 */
let h: Harness;
let acts: SettlementActivities;
const M = '2026-10';
const NEXT = '2026-11';
const BUILT_AT = '2026-11-02T01:00:00.000Z';
const id = (centre: string, month = M) => `${month}:${centre}`;
const LI = financeUser('fin-li'); // starts the run
const ZHAO = financeUser('fin-zhao'); // adjusts a statement
const WANG = financeUser('fin-wang'); // approves

// ---- October's evaluation: five centres, in the order the evaluation hands them over ----
const AWARDS = {
  a: award(M, 'centre-a', 'A', { rank: 1, awardFen: 50_000 }),
  b: award(M, 'centre-b', 'B', { rank: 4 }),
  c: award(M, 'centre-c', 'C', { rank: 9, penaltyFen: 30_000 }),
  u: award(M, 'centre-u', null),
  n: award(M, 'centre-n', 'C', { rank: 10, penaltyFen: 200_000 }),
};
const A_JOBS: SettlementJob[] = [
  payable('a1', 10_000),
  // Held in September, resolved since: paid now, in October's statement.
  payable('a2', 2_345, {
    completedMonth: '2026-09',
    productLine: 'WASHING_MACHINE',
    serviceType: 'INSTALL',
    areaClass: 'RURAL',
  }),
  job('a3', 'HELD', { reasons: ['CALLBACK_UNSATISFIED', 'OLD_PART_NOT_RETURNED'] }),
  job('a4', 'PENDING', { reasons: ['AWAITING_CALLBACK'] }),
  job('a5', 'NOT_PAYABLE', { reasons: ['REPEAT_REPAIR'] }),
];
const B_JOBS: SettlementJob[] = [
  payable('b1', 8_000),
  payable('b2', 7_000, { serviceType: 'MAINTENANCE' }),
  // a1 is listed PAYABLE by centre B too (moved between centres): centre A's statement, built first, pays it.
  payable('a1', 10_000),
  payable('b3', 500, { serviceType: 'INSPECTION' }),
  job('b4', 'PENDING', { reasons: ['AWAITING_AUTOPSY'] }),
];
const C_JOBS: SettlementJob[] = [
  payable('c1', 20_000),
  payable('c2', 13_335),
  job('c3', 'HELD', { reasons: ['DISPUTED_CHARGE'] }),
];
const U_JOBS: SettlementJob[] = [payable('u1', 4_321, { productLine: 'REFRIGERATOR' })];
const N_JOBS: SettlementJob[] = [
  payable('n1', 5_000),
  job('n2', 'HELD', { reasons: ['OLD_PART_NOT_RETURNED'] }),
  job('n3', 'PENDING', { reasons: ['AWAITING_CALLBACK'] }),
  job('n4', 'NOT_PAYABLE', { completedMonth: null, reasons: ['CANCELLED'] }),
];
const BATCH_1 = {
  month: M,
  centres: [
    { award: AWARDS.a, jobs: A_JOBS },
    { award: AWARDS.b, jobs: B_JOBS },
    { award: AWARDS.c, jobs: C_JOBS },
  ],
};
const BATCH_2 = {
  month: M,
  centres: [
    { award: AWARDS.u, jobs: U_JOBS },
    { award: AWARDS.n, jobs: N_JOBS },
  ],
};

const PAYEES: Record<string, CentrePayee> = {
  a: {
    centreId: 'centre-a',
    code: 'SC-0300',
    payee: { accountName: '杭州西湖家电服务部', bank: '招商银行杭州分行', accountNumber: '571901234567801' },
  },
  b: {
    centreId: 'centre-b',
    code: 'SC-0100',
    payee: {
      accountName: '上海浦东星级服务中心',
      bank: '中国工商银行上海浦东支行',
      accountNumber: '6222020200112233445',
    },
  },
  c: {
    centreId: 'centre-c',
    code: 'SC-0200',
    payee: { accountName: 'Acme Repairs, Ltd "North"', bank: 'Bank of China', accountNumber: '6013820100998877' },
  },
  u: {
    centreId: 'centre-u',
    code: 'SC-0400',
    payee: { accountName: '=Wang Appliance Care', bank: '中国农业银行', accountNumber: '6228480010203040506' },
  },
  n: {
    centreId: 'centre-n',
    code: 'SC-0500',
    payee: { accountName: '宁波北仑服务站', bank: '宁波银行', accountNumber: '86041110000123' },
  },
};
const ALL_PAYEES = Object.values(PAYEES);

const built = (at = BUILT_AT) => ({ at, by: 'system:settlement', action: 'BUILT', note: null });
const AWARD_A = {
  kind: 'AWARD',
  amountFen: 50_000,
  reason: 'incentive award (激励奖), 2026-10 grade A, rank 1',
  by: 'evaluation-2026-10',
  correctsMonth: null,
};
const PENALTY_C = {
  kind: 'PENALTY',
  amountFen: -30_000,
  reason: 'penalty (罚), 2026-10 grade C, rank 9',
  by: 'evaluation-2026-10',
  correctsMonth: null,
};
const PENALTY_N = {
  kind: 'PENALTY',
  amountFen: -200_000,
  reason: 'penalty (罚), 2026-10 grade C, rank 10',
  by: 'evaluation-2026-10',
  correctsMonth: null,
};

/** Statement A as built: L = 10,000 + 2,345 = 12,345; L × 1.10 = 13,579.5 → 13,580; Q = +50,000; R = 63,580. */
const STATEMENT_A = {
  id: id('centre-a'),
  month: M,
  centreId: 'centre-a',
  onHold: false,
  standardVersionId: 'standard-2026-v3',
  grade: 'A',
  evaluationItems: [AWARD_A],
  adjustments: [],
  carriedIn: null,
  figures: {
    L: 12_345,
    T: 110,
    LT: 13_580,
    items: [AWARD_A],
    Q: 50_000,
    R: 63_580,
    payableFen: 63_580,
    carriedOutFen: 0,
  },
  lines: [
    {
      ticketId: 'a1',
      ticketNumber: 'SR-a1',
      completedMonth: '2026-10',
      productLine: 'AIR_CONDITIONER',
      serviceType: 'REPAIR',
      areaClass: 'URBAN',
      feeFen: 10_000,
    },
    {
      ticketId: 'a2',
      ticketNumber: 'SR-a2',
      completedMonth: '2026-09',
      productLine: 'WASHING_MACHINE',
      serviceType: 'INSTALL',
      areaClass: 'RURAL',
      feeFen: 2_345,
    },
  ],
  held: [
    {
      ticketId: 'a3',
      ticketNumber: 'SR-a3',
      completedMonth: '2026-10',
      reasons: ['CALLBACK_UNSATISFIED', 'OLD_PART_NOT_RETURNED'],
    },
  ],
  pendingJobs: 1,
  notPayable: ['a5'],
  history: [built()],
  version: 1,
  page: 0,
};
/** B: L = 8,000 + 7,000 + 500 = 15,500 (a1 is A's); T 1.00; Q 0; R 15,500. */
const FIGURES_B = { L: 15_500, T: 100, LT: 15_500, items: [], Q: 0, R: 15_500, payableFen: 15_500, carriedOutFen: 0 };
/** C: L = 20,000 + 13,335 = 33,335; × 0.90 = 30,001.5 → 30,002; Q = −30,000; R = 2. */
const FIGURES_C = {
  L: 33_335,
  T: 90,
  LT: 30_002,
  items: [PENALTY_C],
  Q: -30_000,
  R: 2,
  payableFen: 2,
  carriedOutFen: 0,
};
/** Ungraded: T 1.00; L = LT = R = 4,321. */
const FIGURES_U = { L: 4_321, T: 100, LT: 4_321, items: [], Q: 0, R: 4_321, payableFen: 4_321, carriedOutFen: 0 };
/** N: L 5,000 × 0.90 = 4,500; Q = −200,000; R = −195,500: pays 0 and carries 195,500 into November. */
const FIGURES_N = {
  L: 5_000,
  T: 90,
  LT: 4_500,
  items: [PENALTY_N],
  Q: -200_000,
  R: -195_500,
  payableFen: 0,
  carriedOutFen: 195_500,
};

const statement = async (sid: string): Promise<StatementRecord> => (await h.store.findStatement(sid))!;
const claimsCollection = () => h.db.db!.collection('paid_jobs').find().sort({ _id: 1 }).toArray();
/** Who claimed each ticket: ticket id → statement id. */
async function holders(): Promise<Record<string, string>> {
  return Object.fromEntries((await claimsCollection()).map((c) => [String(c._id), String(c['statementId'])]));
}

beforeAll(async () => {
  h = await startHarness('settlement_activities', BUILT_AT);
  acts = h.acts;
});
afterAll(async () => {
  await h.db.close();
});

describe('opening and beginning a month', () => {
  it('opens the run WAITING_FOR_EVALUATION; a second open (another starter) leaves it as the first made it', async () => {
    expect(await acts.openSettlement({ month: M, startedBy: 'fin-li' })).toEqual({ state: 'WAITING_FOR_EVALUATION' });
    const before = await h.snapshot();
    expect(await acts.openSettlement({ month: M, startedBy: 'fin-zhao' })).toEqual({
      state: 'WAITING_FOR_EVALUATION',
    });
    expect(await h.snapshot()).toBe(before);
    expect(await h.store.findRun(M)).toMatchObject({
      month: M,
      state: 'WAITING_FOR_EVALUATION',
      startedBy: 'fin-li',
      startedAt: BUILT_AT,
      standardVersionId: null,
      done: 0,
      total: 0,
      totals: null,
    });
  });

  it('begins the build with the standard policy, the centres to build and the due date (the 10th of November, end of day China time)', async () => {
    expect(await acts.beginBuild({ month: M, policy: POLICY, total: 5 })).toEqual({ state: 'BUILDING' });
    expect(await h.store.findRun(M)).toMatchObject({
      state: 'BUILDING',
      policy: POLICY,
      standardVersionId: 'standard-2026-v3',
      total: 5,
      done: 0,
      dueAt: '2026-11-10T16:00:00.000Z',
      overdue: false,
    });
    // A repeat (a retried activity) with another policy changes nothing.
    const before = await h.snapshot();
    expect(
      await acts.beginBuild({
        month: M,
        policy: { ...POLICY, coefficients: { A: 200, B: 200, C: 200, ungraded: 200 } },
        total: 9,
      }),
    ).toEqual({ state: 'BUILDING' });
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses a month never opened (NOT_FOUND, not retried)', async () => {
    await activityFailure(acts.beginBuild({ month: '2025-01', policy: POLICY, total: 1 }), 'NOT_FOUND');
    await activityFailure(acts.buildStatements({ month: '2025-01', centres: [] }), 'NOT_FOUND');
  });
});

describe('building the statements', () => {
  it('builds a batch: each statement R = L × T + Q with its lines, held jobs and reasons, pending count, never-payable jobs', async () => {
    expect(await acts.buildStatements(BATCH_1)).toEqual({ built: 3 });
    expect(await statement(id('centre-a'))).toEqual(STATEMENT_A);
    const b = await statement(id('centre-b'));
    expect(b.figures).toEqual(FIGURES_B);
    expect(b.lines.map((l) => [l.ticketId, l.feeFen, l.serviceType])).toEqual([
      ['b1', 8_000, 'REPAIR'],
      ['b2', 7_000, 'MAINTENANCE'],
      ['b3', 500, 'INSPECTION'],
    ]);
    expect([b.held, b.pendingJobs, b.notPayable, b.grade, b.onHold, b.version]).toEqual([[], 1, [], 'B', false, 1]);
    const c = await statement(id('centre-c'));
    expect(c.figures).toEqual(FIGURES_C);
    expect(c.evaluationItems).toEqual([PENALTY_C]);
    expect(c.held).toEqual([
      { ticketId: 'c3', ticketNumber: 'SR-c3', completedMonth: '2026-10', reasons: ['DISPUTED_CHARGE'] },
    ]);
    expect([c.lines.map((l) => l.ticketId), c.pendingJobs, c.notPayable]).toEqual([['c1', 'c2'], 0, []]);
    expect(await h.store.findRun(M)).toMatchObject({ state: 'BUILDING', done: 3, total: 5 });
    expect(await h.store.statementIds(M)).toEqual([id('centre-a'), id('centre-b'), id('centre-c')]);
  });

  it('claims each PAYABLE job once: a1, listed by centres A and B, is a line of A only', async () => {
    expect(await holders()).toEqual({
      a1: id('centre-a'),
      a2: id('centre-a'),
      b1: id('centre-b'),
      b2: id('centre-b'),
      b3: id('centre-b'),
      c1: id('centre-c'),
      c2: id('centre-c'),
    });
  });

  it('a retried batch (later, same jobs) rebuilds the same statements: same lines, figures, version and history; no new claim', async () => {
    const before = await h.store.findStatements([id('centre-a'), id('centre-b'), id('centre-c')]);
    const claimsBefore = await claimsCollection();
    h.setClock('2026-11-02T01:07:00.000Z');
    expect(await acts.buildStatements(BATCH_1)).toEqual({ built: 3 });
    expect(await h.store.findStatements([id('centre-a'), id('centre-b'), id('centre-c')])).toEqual(before);
    expect(await claimsCollection()).toEqual(claimsBefore);
    expect(await h.store.statementIds(M)).toEqual([id('centre-a'), id('centre-b'), id('centre-c')]);
    expect((await h.store.findRun(M))!.done).toBe(3);
    h.setClock(BUILT_AT);
  });

  it('two builds of the same batch at once (two instances of the service) claim each job once and build each statement once', async () => {
    const other = await connectDatabase(inject('mongodbUri'), h.db.name);
    try {
      const second = createSettlementActivities(createSettlementStore(other), h.now);
      const answers = await Promise.all([acts.buildStatements(BATCH_2), second.buildStatements(BATCH_2)]);
      expect(answers).toEqual([{ built: 2 }, { built: 2 }]);
    } finally {
      await other.close();
    }
    const u = await statement(id('centre-u'));
    expect([u.grade, u.figures, u.lines.map((l) => l.ticketId), u.version, u.history]).toEqual([
      null,
      FIGURES_U,
      ['u1'],
      1,
      [built()],
    ]);
    const n = await statement(id('centre-n'));
    expect([n.figures, n.lines.map((l) => l.ticketId), n.version, n.history]).toEqual([
      FIGURES_N,
      ['n1'],
      1,
      [built()],
    ]);
    expect(n.held).toEqual([
      { ticketId: 'n2', ticketNumber: 'SR-n2', completedMonth: '2026-10', reasons: ['OLD_PART_NOT_RETURNED'] },
    ]);
    expect([n.pendingJobs, n.notPayable]).toEqual([1, ['n4']]);
    const claims = await claimsCollection();
    expect(claims.map((c) => c._id)).toEqual(['a1', 'a2', 'b1', 'b2', 'b3', 'c1', 'c2', 'n1', 'u1']);
    expect(await holders()).toMatchObject({ n1: id('centre-n'), u1: id('centre-u') });
    expect(await h.store.statementIds(M)).toEqual([
      id('centre-a'),
      id('centre-b'),
      id('centre-c'),
      id('centre-u'),
      id('centre-n'),
    ]);
    // Each batch's statements share an index page of their own.
    const all = await h.store.findStatements(await h.store.statementIds(M));
    expect(all.map((x) => [x.centreId, x.page])).toEqual([
      ['centre-a', 0],
      ['centre-b', 0],
      ['centre-c', 0],
      ['centre-u', 1],
      ['centre-n', 1],
    ]);
    expect((await h.store.findRun(M))!.done).toBe(5);
  });

  it('finishes: the run IN_REVIEW with its totals and due date, its statements (in review with it) not rewritten', async () => {
    const before = await h.store.findStatements(await h.store.statementIds(M));
    expect(await acts.finishBuild({ month: M })).toEqual({ state: 'IN_REVIEW', dueAt: '2026-11-10T16:00:00.000Z' });
    const all = await h.store.findStatements(await h.store.statementIds(M));
    expect(all).toEqual(before);
    expect(all.map((s) => [s.centreId, s.onHold, s.version])).toEqual([
      ['centre-a', false, 1],
      ['centre-b', false, 1],
      ['centre-c', false, 1],
      ['centre-u', false, 1],
      ['centre-n', false, 1],
    ]);
    // jobs 2 + 3 + 2 + 1 + 1; L 12,345 + 15,500 + 33,335 + 4,321 + 5,000; Q 50,000 − 30,000 − 200,000;
    // R 63,580 + 15,500 + 2 + 4,321 − 195,500; paid 63,580 + 15,500 + 2 + 4,321.
    expect((await h.store.findRun(M))!).toMatchObject({
      state: 'IN_REVIEW',
      done: 5,
      total: 5,
      totals: { centres: 5, jobs: 9, L: 70_501, Q: -180_000, R: -112_097, payableFen: 83_403 },
    });
  });

  it('after the build a repeated finish or batch changes nothing', async () => {
    const before = await h.snapshot();
    expect(await acts.finishBuild({ month: M })).toEqual({ state: 'IN_REVIEW', dueAt: '2026-11-10T16:00:00.000Z' });
    expect(await acts.buildStatements(BATCH_1)).toEqual({ built: 0 });
    expect(await acts.beginBuild({ month: M, policy: POLICY, total: 5 })).toEqual({ state: 'IN_REVIEW' });
    expect(await h.snapshot()).toBe(before);
  });
});

describe('reviewing', () => {
  it('flags the run overdue, once', async () => {
    h.setClock('2026-11-10T16:00:00.000Z');
    await acts.flagOverdue({ month: M });
    expect((await h.store.findRun(M))!.overdue).toBe(true);
    const before = await h.snapshot();
    await acts.flagOverdue({ month: M });
    expect(await h.snapshot()).toBe(before);
  });

  it('a rebuild from the same jobs keeps the figures, the award included, and counts a version', async () => {
    h.setClock('2026-11-11T02:00:00.000Z');
    expect(await acts.rebuildStatement({ statementId: id('centre-a'), jobs: A_JOBS, by: 'fin-li' })).toEqual({
      version: 2,
    });
    expect(await statement(id('centre-a'))).toEqual({
      ...STATEMENT_A,
      version: 2,
      history: [built(), { at: '2026-11-11T02:00:00.000Z', by: 'fin-li', action: 'REBUILT', note: null }],
    });
    expect(await holders()).toMatchObject({ a1: id('centre-a'), a2: id('centre-a') });
    expect((await h.store.findRun(M))!.totals).toEqual({
      centres: 5,
      jobs: 9,
      L: 70_501,
      Q: -180_000,
      R: -112_097,
      payableFen: 83_403,
    });
  });

  it('an adjustment (through the subgraph) changes Q and R of its statement and the totals, and names its author', async () => {
    const data = expectOk(
      await h.run(
        ZHAO,
        `mutation { addAdjustment(statementId: "2026-10:centre-b", amountFen: 1000, reason: "quality ` +
          `improvement reward 质改奖励") { Q R payableFen } }`,
      ),
    );
    // B: Q 0 + 1,000; R 15,500 + 1,000.
    expect(data.addAdjustment).toEqual({ Q: 1_000, R: 16_500, payableFen: 16_500 });
    expect((await h.store.findRun(M))!).toMatchObject({
      adjustedBy: ['fin-zhao'],
      totals: { centres: 5, jobs: 9, L: 70_501, Q: -179_000, R: -111_097, payableFen: 84_403 },
    });
  });
});

describe('approving', () => {
  const approve = (who: { sub: string; roles: string[] }, payees: CentrePayee[] = ALL_PAYEES) =>
    acts.approveSettlement({ month: M, approvedBy: { sub: who.sub, roles: [...who.roles] }, payees });

  it('lists the centres the file pays (R > 0), in build order', async () => {
    expect(await acts.payableCentres({ month: M })).toEqual(['centre-a', 'centre-b', 'centre-c', 'centre-u']);
  });

  it('refuses whoever started the run, an adjustment author and a non-FINANCE user (FORBIDDEN), writing nothing', async () => {
    h.setClock('2026-11-12T03:00:00.000Z');
    const before = await h.snapshot();
    expect((await activityFailure(approve(LI), 'FORBIDDEN')).message).toContain('started this settlement run');
    expect((await activityFailure(approve(ZHAO), 'FORBIDDEN')).message).toContain(
      'wrote adjustments on statements 2026-10:centre-b',
    );
    expect((await activityFailure(approve(as.admin()), 'FORBIDDEN')).message).toContain('FINANCE');
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses while a statement is ON_HOLD (CONFLICT)', async () => {
    expectOk(
      await h.run(ZHAO, `mutation { holdStatement(id: "2026-10:centre-c", reason: "centre disputes c2") { state } }`),
    );
    const before = await h.snapshot();
    expect((await activityFailure(approve(WANG), 'CONFLICT')).message).toContain('2026-10:centre-c are ON_HOLD');
    expect(await h.snapshot()).toBe(before);
    expectOk(
      await h.run(ZHAO, `mutation { releaseStatement(id: "2026-10:centre-c", reason: "dispute settled") { state } }`),
    );
  });

  it('refuses while a centre it pays has no payee details (CONFLICT)', async () => {
    const before = await h.snapshot();
    const withoutU = ALL_PAYEES.map((p) => (p.centreId === 'centre-u' ? { ...p, payee: null } : p));
    expect((await activityFailure(approve(WANG, withoutU), 'CONFLICT')).message).toContain(
      'centre SC-0400 is paid 4321 fen but has no payee details',
    );
    expect(
      (
        await activityFailure(
          approve(
            WANG,
            ALL_PAYEES.filter((p) => p.centreId !== 'centre-u'),
          ),
          'CONFLICT',
        )
      ).message,
    ).toContain('centre-u');
    expect(await h.snapshot()).toBe(before);
  });

  it('another FINANCE user approves: the payment file, exact, with its sha256; the run APPROVED (its statements with it, unwritten)', async () => {
    // An unpaid centre without details does not matter (N pays 0).
    const payees = ALL_PAYEES.map((p) => (p.centreId === 'centre-n' ? { ...p, payee: null } : p));
    const statementsBefore = await h.store.findStatements(await h.store.statementIds(M));
    const answer = await approve(WANG, payees);
    const expected =
      '\uFEFF' +
      'Centre code,Payee name,Bank,Account number,Amount (fen),Amount (yuan),Statement id\r\n' +
      'SC-0100,上海浦东星级服务中心,中国工商银行上海浦东支行,6222020200112233445,16500,165.00,2026-10:centre-b\r\n' +
      'SC-0200,"Acme Repairs, Ltd ""North""",Bank of China,6013820100998877,2,0.02,2026-10:centre-c\r\n' +
      'SC-0300,杭州西湖家电服务部,招商银行杭州分行,571901234567801,63580,635.80,2026-10:centre-a\r\n' +
      "SC-0400,'=Wang Appliance Care,中国农业银行,6228480010203040506,4321,43.21,2026-10:centre-u\r\n" +
      'TOTAL,,,,84403,844.03,\r\n';
    const file = (await h.store.findPaymentFile(M))!;
    expect(file.content).toBe(expected);
    const sha256 = createHash('sha256').update(Buffer.from(expected, 'utf8')).digest('hex');
    expect(answer).toEqual({ approvedAt: '2026-11-12T03:00:00.000Z', sha256 });
    expect(file).toEqual({
      _id: M,
      fileName: 'starline-settlement-2026-10.csv',
      sha256,
      rows: 4,
      totalFen: 84_403,
      content: expected,
      generatedAt: new Date('2026-11-12T03:00:00.000Z'),
    });
    expect(await h.store.findRun(M)).toMatchObject({
      state: 'APPROVED',
      approvedBy: 'fin-wang',
      approvedAt: '2026-11-12T03:00:00.000Z',
    });
    expect(await h.store.findStatements(await h.store.statementIds(M))).toEqual(statementsBefore);
  });

  it('the same approver again gets the same answer and nothing changes; anyone else is refused (INVALID_TRANSITION)', async () => {
    h.setClock('2026-11-13T03:00:00.000Z');
    const file = (await h.store.findPaymentFile(M))!;
    const before = await h.snapshot();
    expect(await approve(WANG)).toEqual({ approvedAt: '2026-11-12T03:00:00.000Z', sha256: file.sha256 });
    await activityFailure(approve(financeUser('fin-zhou')), 'INVALID_TRANSITION');
    expect(await h.snapshot()).toBe(before);
  });

  it('an approved month can no longer be rebuilt', async () => {
    await activityFailure(
      acts.rebuildStatement({ statementId: id('centre-a'), jobs: A_JOBS, by: 'fin-li' }),
      'INVALID_TRANSITION',
    );
  });

  it('pages the settled jobs per statement: paid lines and never-payable jobs', async () => {
    const first = await acts.settledJobs({ month: M, after: null, limit: 2 });
    expect(first).toEqual({
      statements: [
        { centreId: 'centre-a', statementId: id('centre-a'), ticketIds: ['a1', 'a2', 'a5'] },
        { centreId: 'centre-b', statementId: id('centre-b'), ticketIds: ['b1', 'b2', 'b3'] },
      ],
      nextCursor: id('centre-b'),
    });
    const second = await acts.settledJobs({ month: M, after: first.nextCursor, limit: 2 });
    expect(second).toEqual({
      statements: [
        { centreId: 'centre-c', statementId: id('centre-c'), ticketIds: ['c1', 'c2'] },
        { centreId: 'centre-u', statementId: id('centre-u'), ticketIds: ['u1'] },
      ],
      nextCursor: id('centre-u'),
    });
    expect(await acts.settledJobs({ month: M, after: second.nextCursor, limit: 2 })).toEqual({
      statements: [{ centreId: 'centre-n', statementId: id('centre-n'), ticketIds: ['n1', 'n4'] }],
      nextCursor: null,
    });
    expect((await acts.settledJobs({ month: M, after: null, limit: 5 })).nextCursor).toBeNull();
  });
});

describe('the next month', () => {
  it("carries N's shortfall into November's Q and pays no job twice, though tickets still lists the ones October paid", async () => {
    h.setClock('2026-12-01T03:00:00.000Z');
    await acts.openSettlement({ month: NEXT, startedBy: 'fin-li' });
    await acts.beginBuild({ month: NEXT, policy: POLICY, total: 2 });
    expect(
      await acts.buildStatements({
        month: NEXT,
        centres: [
          // A: a1 again (paid in October), a3's hold resolved. L 3,000 × 1.10 = 3,300; no shortfall to carry.
          { award: award(NEXT, 'centre-a', 'A', { rank: 12 }), jobs: [payable('a1', 10_000), payable('a3', 3_000)] },
          // N: n1 again (paid in October), n2's hold resolved, n5 new. L 6,000 + 1,500 = 7,500 × 1.00;
          // Q = −195,500 carried; R = −188,000: pays 0 and carries 188,000.
          {
            award: award(NEXT, 'centre-n', 'B'),
            jobs: [payable('n1', 5_000), payable('n2', 6_000), payable('n5', 1_500, { completedMonth: NEXT })],
          },
        ],
      }),
    ).toEqual({ built: 2 });
    await acts.finishBuild({ month: NEXT });
    const a = await statement(id('centre-a', NEXT));
    expect([a.lines.map((l) => [l.ticketId, l.completedMonth, l.feeFen]), a.carriedIn, a.figures]).toEqual([
      [['a3', '2026-10', 3_000]],
      null,
      { L: 3_000, T: 110, LT: 3_300, items: [], Q: 0, R: 3_300, payableFen: 3_300, carriedOutFen: 0 },
    ]);
    const n = await statement(id('centre-n', NEXT));
    const carried = {
      kind: 'CARRIED_DEDUCTION',
      amountFen: -195_500,
      reason: 'shortfall carried from 2026-10',
      by: 'system:settlement',
      correctsMonth: null,
    };
    expect([n.lines.map((l) => [l.ticketId, l.completedMonth, l.feeFen]), n.carriedIn, n.figures]).toEqual([
      [
        ['n2', '2026-10', 6_000],
        ['n5', '2026-11', 1_500],
      ],
      { fromMonth: '2026-10', amountFen: 195_500 },
      {
        L: 7_500,
        T: 100,
        LT: 7_500,
        items: [carried],
        Q: -195_500,
        R: -188_000,
        payableFen: 0,
        carriedOutFen: 188_000,
      },
    ]);
    expect(await holders()).toMatchObject({
      a1: id('centre-a'),
      n1: id('centre-n'),
      a3: id('centre-a', NEXT),
      n2: id('centre-n', NEXT),
      n5: id('centre-n', NEXT),
    });
    expect((await h.store.findRun(NEXT))!.totals).toEqual({
      centres: 2,
      jobs: 3,
      L: 10_500,
      Q: -195_500,
      R: -184_700,
      payableFen: 3_300,
    });
    expect(await acts.payableCentres({ month: NEXT })).toEqual(['centre-a']);
  });
});

describe('two months building at once', () => {
  it('a job two months list for two centres is claimed by one statement only, whichever comes first', async () => {
    const shared = Array.from({ length: 40 }, (_, i) => payable(`race-${i}`, 100 + i));
    const other: Connection = await connectDatabase(inject('mongodbUri'), h.db.name);
    try {
      const second = createSettlementActivities(createSettlementStore(other), h.now);
      for (const m of ['2026-06', '2026-07']) {
        await acts.openSettlement({ month: m, startedBy: 'fin-li' });
        await acts.beginBuild({ month: m, policy: POLICY, total: 1 });
      }
      await Promise.all([
        acts.buildStatements({
          month: '2026-06',
          centres: [{ award: award('2026-06', 'race-x', 'B'), jobs: [...shared, payable('only-x', 7)] }],
        }),
        second.buildStatements({
          month: '2026-07',
          centres: [{ award: award('2026-07', 'race-y', 'B'), jobs: [...shared].reverse() }],
        }),
      ]);
    } finally {
      await other.close();
    }
    const [x, y] = [await statement('2026-06:race-x'), await statement('2026-07:race-y')];
    const paid = [...x.lines, ...y.lines].map((l) => l.ticketId).sort();
    expect(paid).toEqual([...shared.map((j) => j.ticketId), 'only-x'].sort());
    // Σ fees 100 + … + 139 = 40 × 119.5 = 4,780, plus 7.
    expect(x.figures.L + y.figures.L).toBe(4_787);
    const held = await holders();
    for (const l of x.lines) expect(held[l.ticketId]).toBe('2026-06:race-x');
    for (const l of y.lines) expect(held[l.ticketId]).toBe('2026-07:race-y');
  });
});

describe('bad input', () => {
  const MONTHS = ['2026-13', '2026-1', '202610', '', 'October', null, 202610];

  it.each(MONTHS)('refuses month %j non-retryably (BadActivityInput), writing nothing', async (month) => {
    const m = month as string;
    const before = await h.snapshot();
    await activityFailure(acts.openSettlement({ month: m, startedBy: 'fin-li' }), 'BadActivityInput');
    await activityFailure(acts.beginBuild({ month: m, policy: POLICY, total: 1 }), 'BadActivityInput');
    await activityFailure(acts.buildStatements({ month: m, centres: [] }), 'BadActivityInput');
    await activityFailure(acts.finishBuild({ month: m }), 'BadActivityInput');
    await activityFailure(acts.flagOverdue({ month: m }), 'BadActivityInput');
    await activityFailure(acts.payableCentres({ month: m }), 'BadActivityInput');
    await activityFailure(
      acts.approveSettlement({ month: m, approvedBy: { sub: 'fin-wang', roles: ['FINANCE'] }, payees: [] }),
      'BadActivityInput',
    );
    await activityFailure(acts.settledJobs({ month: m, after: null, limit: 10 }), 'BadActivityInput');
    await activityFailure(
      acts.rebuildStatement({ statementId: `${m}:centre-a`, jobs: [], by: 'fin-li' }),
      'BadActivityInput',
    );
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses a batch of more than 200 centres, or no list; 200 pass the check', async () => {
    await acts.openSettlement({ month: '2025-03', startedBy: 'fin-li' });
    const centres = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ award: award('2025-03', `bulk-${i}`, 'B'), jobs: [] }));
    const before = await h.snapshot();
    expect(
      (await activityFailure(acts.buildStatements({ month: '2025-03', centres: centres(201) }), 'BadActivityInput'))
        .message,
    ).toContain('at most 200');
    await activityFailure(acts.buildStatements({ month: '2025-03', centres: null as never }), 'BadActivityInput');
    // Not begun yet: a batch of 200 is accepted and builds nothing.
    expect(await acts.buildStatements({ month: '2025-03', centres: centres(200) })).toEqual({ built: 0 });
    expect(await h.snapshot()).toBe(before);
  });

  it.each([0, -1, 1001, 1.5, Number.NaN, '10'])('refuses settledJobs limit %j', async (limit) => {
    expect(
      (await activityFailure(acts.settledJobs({ month: M, after: null, limit: limit as number }), 'BadActivityInput'))
        .message,
    ).toContain('limit must be 1–1000');
  });

  it('accepts the limits 1 and 1000', async () => {
    expect((await acts.settledJobs({ month: M, after: null, limit: 1 })).statements.map((s) => s.centreId)).toEqual([
      'centre-a',
    ]);
    expect((await acts.settledJobs({ month: M, after: null, limit: 1000 })).statements).toHaveLength(5);
  });

  it('pages settled jobs at most 20,000 ids at a time (one tickets call), whatever the limit', async () => {
    const template = (await h.store.findStatement(id('centre-a')))!;
    const m = '2025-01';
    const stored = [
      ['big-1', 9_000],
      ['big-2', 9_000],
      ['big-3', 3_000],
    ].map(([centreId, jobs]) => ({
      ...template,
      id: id(centreId as string, m),
      month: m,
      centreId: centreId as string,
      lines: [],
      notPayable: Array.from({ length: jobs as number }, (_, i) => `${centreId}-t${i}`),
    }));
    await h.store.putStatements(m, stored);
    const first = await acts.settledJobs({ month: m, after: null, limit: 1000 });
    expect(first.statements.map((x) => [x.centreId, x.ticketIds.length])).toEqual([
      ['big-1', 9_000],
      ['big-2', 9_000],
    ]);
    expect(first.nextCursor).toBe(id('big-2', m));
    const second = await acts.settledJobs({ month: m, after: first.nextCursor, limit: 1000 });
    expect([second.statements.map((x) => [x.centreId, x.ticketIds.length]), second.nextCursor]).toEqual([
      [['big-3', 3_000]],
      null,
    ]);
  });

  it('refuses to rebuild a statement that does not exist (NOT_FOUND)', async () => {
    await activityFailure(
      acts.rebuildStatement({ statementId: id('no-such-centre', NEXT), jobs: [], by: 'fin-li' }),
      'NOT_FOUND',
    );
  });
});
