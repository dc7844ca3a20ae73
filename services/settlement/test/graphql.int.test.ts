import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentrePayee, Claims } from '@starline/common';
import { runStatements } from '../src/graphql/queries.ts';
import { runView } from '../src/graphql/view.ts';
import {
  POLICY,
  RUN_FIELDS,
  STATEMENT_FIELDS,
  as,
  award,
  contextAs,
  expectError,
  expectOk,
  financeUser,
  job,
  payable,
  startHarness,
  type Harness,
  type Result,
} from './support.ts';

/**
 * The settlement subgraph's API against FerretDB: who reads what, and every mutation with malformed,
 * out-of-range, unauthorised and replayed input. The workflow is the in-process fake of support.ts,
 * doing what monthlySettlement does with the real activities. A refusal writes nothing (snapshot).
 * Figures are worked out by hand: T in hundredths, L × T rounded half up to the fen.
 */
let h: Harness;
const SEPT = '2026-09';
const M = '2026-10';
const LI = financeUser('fin-li'); // starts the runs
const ZHAO = financeUser('fin-zhao'); // adjusts
const ZHOU = financeUser('fin-zhou'); // adjusts
const WANG = financeUser('fin-wang'); // approves
const P1 = 'centre-p1';
const P2 = 'centre-p2';
const P3 = 'centre-p3';
const sid = (centre: string, month = M) => `${month}:${centre}`;
const BUILT_AT = '2026-11-02T01:00:00.000Z';

const PAYEES: CentrePayee[] = [
  {
    centreId: P1,
    code: 'SC-1002',
    payee: { accountName: '杭州西湖家电服务部', bank: '招商银行杭州分行', accountNumber: '571901234567801' },
  },
  {
    centreId: P2,
    code: 'SC-1001',
    payee: {
      accountName: '上海浦东星级服务中心',
      bank: '中国工商银行上海浦东支行',
      accountNumber: '6222020200112233445',
    },
  },
  {
    centreId: P3,
    code: 'SC-1003',
    payee: { accountName: '宁波北仑服务站', bank: '宁波银行', accountNumber: '86041110000123' },
  },
];

const RUN = `query ($month: String!) { settlementRun(month: $month) { ...Run } } ${RUN_FIELDS}`;
const FILE =
  `query ($month: String!) { settlementRun(month: $month) { month paymentFile { fileName sha256 rows totalFen ` +
  `content generatedAt } } }`;
const RUN_STATEMENTS = `query ($month: String!, $first: Int, $after: String, $state: StatementState) {
  settlementRun(month: $month) {
  statements(first: $first, after: $after, state: $state) { totalCount pageInfo { hasNextPage endCursor } nodes { id
  state version R } } } }`;
const STATEMENT = `query ($id: ID!) { statement(id: $id) { ...S } } ${STATEMENT_FIELDS}`;
const BRIEF = `query ($id: ID!) { statement(id: $id) { id state version L LT Q R payableFen carriedOutFen } }`;
const ENTITY_STATEMENT =
  `query ($reps: [_Any!]!) { _entities(representations: ` + `$reps) { ... on Statement { id centreId R } } }`;
const CENTRE_STATEMENTS =
  `query ($reps: [_Any!]!, $last: Int) { _entities(representations: $reps) { ... on ServiceCentre { id ` +
  `statements(last: $last) { id month state R } } } }`;
const TICKET_LINE = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Ticket { id statementLine {
  ticketId ticketNumber statementId completedMonth productLine serviceType areaClass feeFen } } } }`;
const centreRep = (id: string) => ({ reps: [{ __typename: 'ServiceCentre', id }] });
const ticketReps = (...ids: string[]) => ({ reps: ids.map((id) => ({ __typename: 'Ticket', id })) });

const START =
  `mutation ($month: String!, $key: String) { startSettlement(month: $month, idempotencyKey: $key) { ...Run } ` +
  `} ${RUN_FIELDS}`;
const ADJUST = `mutation ($id: ID!, $amount: Int!, $reason: String!, $corrects: String, $key: String) {
  addAdjustment(statementId: $id, amountFen: $amount, reason: $reason, correctsMonth: $corrects, idempotencyKey: $key) {
    id state Q R payableFen carriedOutFen items { kind amountFen reason by correctsMonth } version history { at by
    action note } } }`;
const HOLD =
  `mutation ($id: ID!, $reason: String!, $key: String) { holdStatement(id: $id, reason: $reason, ` +
  `idempotencyKey: $key) { id state version history { at by action note } } }`;
const RELEASE =
  `mutation ($id: ID!, $reason: String!, $key: String) { releaseStatement(id: $id, reason: $reason, ` +
  `idempotencyKey: $key) { id state version history { at by action note } } }`;
const REBUILD = `mutation ($id: ID!, $key: String) { rebuildStatement(id: $id, idempotencyKey: $key) {
  id state version L T LT Q R payableFen lines { ticketId feeFen } items { kind amountFen } heldJobs { ticketId }
  pendingJobs history { by action } } }`;
const HISTORY = `query ($id: ID!) { statement(id: $id) { history { at by action note } } }`;
const APPROVE =
  `mutation ($month: String!, $key: String) { approveSettlement(month: $month, idempotencyKey: $key) { ...Run ` +
  `} } ${RUN_FIELDS}`;
const EXPORT =
  `mutation ($month: String!, $key: String) { markExported(month: $month, idempotencyKey: $key) { ...Run } } ` +
  `${RUN_FIELDS}`;

/** Refused with `code`; the database is unchanged and the workflow was neither started nor told of an adjustment. */
async function refused(claims: Claims | null, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const calls = h.workflow.calls.length;
  const error = expectError(await h.run(claims, source, variables), code);
  expect(await h.snapshot()).toBe(before);
  expect(h.workflow.calls.slice(calls).filter((c) => c.kind === 'start' || c.kind === 'adjusted')).toEqual([]);
  return error;
}

/** Refused by GraphQL itself before any resolver ran (a variable of the wrong type, a required one missing). */
async function rejectedVariables(claims: Claims, source: string, variables: Record<string, unknown>, pattern: RegExp) {
  const before = await h.snapshot();
  const result: Result = await h.run(claims, source, variables);
  expect(result.data).toBeNull();
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]!.message).toMatch(pattern);
  expect(await h.snapshot()).toBe(before);
}

const NOT_FINANCE = [as.operator(), as.admin(), as.partner(P1), as.callCentre(), as.engineer()];

beforeAll(async () => {
  h = await startHarness('settlement_graphql', '2026-10-02T02:00:00.000Z');
  for (const p of PAYEES) h.workflow.payees.set(p.centreId, p);
  // September, settled and approved: P1 paid s1, P2 paid s2.
  await h.acts.openSettlement({ month: SEPT, startedBy: 'fin-li' });
  await h.acts.beginBuild({ month: SEPT, policy: POLICY, total: 2 });
  await h.acts.buildStatements({
    month: SEPT,
    centres: [
      { award: award(SEPT, P1, 'A'), jobs: [payable('s1', 9_000, { completedMonth: SEPT })] },
      { award: award(SEPT, P2, 'B'), jobs: [payable('s2', 4_000, { completedMonth: SEPT })] },
    ],
  });
  await h.acts.finishBuild({ month: SEPT });
  await h.acts.approveSettlement({ month: SEPT, approvedBy: { sub: 'fin-wang', roles: ['FINANCE'] }, payees: PAYEES });
});
afterAll(async () => {
  await h.db.close();
});

describe('startSettlement', () => {
  it('refuses a month not over yet in China time (BAD_USER_INPUT on month)', async () => {
    h.setClock('2026-10-31T15:59:59.999Z'); // 23:59:59.999 on 31 October in Shanghai
    expect((await refused(LI, START, { month: M }, 'BAD_USER_INPUT')).extensions['field']).toBe('month');
    expect(
      (await refused(LI, START, { month: '2026-12', key: 'start-2026-12' }, 'BAD_USER_INPUT')).extensions['field'],
    ).toBe('month');
  });

  it.each(['2026-13', '2026-1', 'October', '', '2026-10-01'])('refuses the malformed month %j', async (month) => {
    h.setClock('2026-11-01T00:00:00.000Z');
    expect((await refused(LI, START, { month }, 'BAD_USER_INPUT')).extensions['field']).toBe('month');
  });

  it('refuses anyone but FINANCE (FORBIDDEN) and an anonymous caller (UNAUTHENTICATED)', async () => {
    for (const claims of NOT_FINANCE) await refused(claims, START, { month: M }, 'FORBIDDEN');
    await refused(null, START, { month: M }, 'UNAUTHENTICATED');
  });

  it('refuses a malformed idempotency key', async () => {
    expect((await refused(LI, START, { month: M, key: 'short' }, 'BAD_USER_INPUT')).extensions['field']).toBe(
      'idempotencyKey',
    );
  });

  it('starts the month once it is over: WAITING_FOR_EVALUATION, the workflow started', async () => {
    h.setClock('2026-10-31T16:00:00.000Z'); // midnight, 1 November in Shanghai
    const run = expectOk(await h.run(LI, START, { month: M, key: 'start-2026-10' })).startSettlement;
    expect(run).toEqual({
      month: M,
      state: 'WAITING_FOR_EVALUATION',
      startedBy: 'fin-li',
      startedAt: '2026-10-31T16:00:00.000Z',
      standardVersionId: null,
      progress: { done: 0, total: 0 },
      totals: null,
      adjustedBy: [],
      approvedBy: null,
      approvedAt: null,
      dueAt: null,
      overdue: false,
      exportedBy: null,
      exportedAt: null,
    });
    expect(h.workflow.calls.filter((c) => c.kind === 'start')).toEqual([
      { kind: 'start', month: M, startedBy: 'fin-li' },
    ]);
  });

  it('a replayed key returns the first answer and writes nothing', async () => {
    h.setClock('2026-11-01T05:00:00.000Z');
    const first = expectOk(await h.run(LI, RUN, { month: M })).settlementRun;
    const before = await h.snapshot();
    expect(expectOk(await h.run(LI, START, { month: M, key: 'start-2026-10' })).startSettlement).toEqual(first);
    expect(await h.snapshot()).toBe(before);
  });

  it('the same key with another payload is refused (CONFLICT)', async () => {
    await refused(LI, START, { month: SEPT, key: 'start-2026-10' }, 'CONFLICT');
  });

  it('another FINANCE user starting the same month gets the run as it is (started by the first)', async () => {
    const before = await h.snapshot();
    expect(expectOk(await h.run(ZHAO, START, { month: M })).startSettlement).toMatchObject({
      month: M,
      startedBy: 'fin-li',
      startedAt: '2026-10-31T16:00:00.000Z',
    });
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses a month whose previous month is not approved (CONFLICT)', async () => {
    h.setClock('2026-12-02T00:00:00.000Z');
    expect((await refused(LI, START, { month: '2026-11', key: 'start-2026-11' }, 'CONFLICT')).message).toContain(
      'the settlement of 2026-10 is WAITING_FOR_EVALUATION',
    );
  });
});

/**
 * October, as the workflow builds it once the evaluation is confirmed:
 *   P1 (A, award 20,000): t1 12,000 + t2 3,005 = 15,005 × 1.10 = 16,505.5 → 16,506; Q 20,000; R 36,506.
 *   P2 (B): t5 15,000 (s2 was paid in September, though still listed); R 15,000.
 *   P3 (C, penalty 10,000): t7 1,115 × 0.90 = 1,003.5 → 1,004; Q −10,000; R −8,996: pays 0, carries 8,996.
 */
describe('reading a month under review', () => {
  beforeAll(async () => {
    h.setClock(BUILT_AT);
    await h.acts.beginBuild({ month: M, policy: POLICY, total: 3 });
    await h.acts.buildStatements({
      month: M,
      centres: [
        {
          award: award(M, P1, 'A', { rank: 1, awardFen: 20_000 }),
          jobs: [
            payable('t1', 12_000),
            payable('t2', 3_005, {
              completedMonth: SEPT,
              productLine: 'REFRIGERATOR',
              serviceType: 'INSTALL',
              areaClass: 'RURAL',
            }),
            job('t3', 'HELD', { reasons: ['CALLBACK_UNSATISFIED'] }),
            job('t4', 'PENDING', { reasons: ['AWAITING_CALLBACK'] }),
          ],
        },
        {
          award: award(M, P2, 'B', { rank: 2 }),
          jobs: [
            payable('t5', 15_000),
            payable('s2', 4_000, { completedMonth: SEPT }),
            job('t6', 'NOT_PAYABLE', { reasons: ['REPEAT_REPAIR'] }),
          ],
        },
        {
          award: award(M, P3, 'C', { rank: 3, penaltyFen: 10_000 }),
          jobs: [payable('t7', 1_115), job('t8', 'HELD', { reasons: ['DISPUTED_CHARGE'] })],
        },
      ],
    });
    await h.acts.finishBuild({ month: M });
  });

  const RUN_IN_REVIEW = {
    month: M,
    state: 'IN_REVIEW',
    startedBy: 'fin-li',
    startedAt: '2026-10-31T16:00:00.000Z',
    standardVersionId: 'standard-2026-v3',
    progress: { done: 3, total: 3 },
    // jobs t1, t2, t5, t7; L 15,005 + 15,000 + 1,115; Q 20,000 − 10,000; R 36,506 + 15,000 − 8,996; paid 36,506 +
    // 15,000.
    totals: { centres: 3, jobs: 4, L: 31_120, Q: 10_000, R: 42_510, payableFen: 51_506 },
    adjustedBy: [],
    approvedBy: null,
    approvedAt: null,
    dueAt: '2026-11-10T16:00:00.000Z',
    overdue: false,
    exportedBy: null,
    exportedAt: null,
  };

  it('FINANCE, OPERATOR and ADMIN read the run; no payment file before approval', async () => {
    for (const claims of [LI, as.operator(), as.admin()])
      expect(expectOk(await h.run(claims, RUN, { month: M })).settlementRun).toEqual(RUN_IN_REVIEW);
    expect(expectOk(await h.run(LI, FILE, { month: M })).settlementRun).toEqual({ month: M, paymentFile: null });
  });

  it('PARTNER, CALL_CENTRE and ENGINEER may not read a run; anonymous callers are asked to sign in', async () => {
    for (const claims of [as.partner(P1), as.callCentre(), as.engineer()])
      expectError(await h.run(claims, RUN, { month: M }), 'FORBIDDEN');
    expectError(await h.run(null, RUN, { month: M }), 'UNAUTHENTICATED');
  });

  it('a month never started is null; a malformed one BAD_USER_INPUT', async () => {
    expect(expectOk(await h.run(LI, RUN, { month: '2025-01' })).settlementRun).toBeNull();
    expect(expectError(await h.run(LI, RUN, { month: '2025-1' }), 'BAD_USER_INPUT').extensions['field']).toBe('month');
  });

  it('pages the statements in build order, with bounds on first and a cursor of the list', async () => {
    const page = expectOk(await h.run(as.operator(), RUN_STATEMENTS, { month: M, first: 2 })).settlementRun.statements;
    expect(page).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: true, endCursor: sid(P2) },
      nodes: [
        { id: sid(P1), state: 'IN_REVIEW', version: 1, R: 36_506 },
        { id: sid(P2), state: 'IN_REVIEW', version: 1, R: 15_000 },
      ],
    });
    const rest = expectOk(await h.run(as.operator(), RUN_STATEMENTS, { month: M, first: 2, after: sid(P2) }))
      .settlementRun.statements;
    expect(rest).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: false, endCursor: sid(P3) },
      nodes: [{ id: sid(P3), state: 'IN_REVIEW', version: 1, R: -8_996 }],
    });
    for (const first of [0, 101, -1])
      expect(
        expectError(await h.run(LI, RUN_STATEMENTS, { month: M, first }), 'BAD_USER_INPUT').extensions['field'],
      ).toBe('first');
    expect(
      expectError(await h.run(LI, RUN_STATEMENTS, { month: M, after: sid('centre-zz') }), 'BAD_USER_INPUT').extensions[
        'field'
      ],
    ).toBe('after');
  });

  const P1_VIEW = {
    id: sid(P1),
    month: M,
    centreId: P1,
    centre: { id: P1 },
    state: 'IN_REVIEW',
    standardVersionId: 'standard-2026-v3',
    grade: 'A',
    lines: [
      {
        ticketId: 't1',
        ticketNumber: 'SR-t1',
        statementId: sid(P1),
        completedMonth: M,
        productLine: 'AIR_CONDITIONER',
        serviceType: 'REPAIR',
        areaClass: 'URBAN',
        feeFen: 12_000,
      },
      {
        ticketId: 't2',
        ticketNumber: 'SR-t2',
        statementId: sid(P1),
        completedMonth: SEPT,
        productLine: 'REFRIGERATOR',
        serviceType: 'INSTALL',
        areaClass: 'RURAL',
        feeFen: 3_005,
      },
    ],
    L: 15_005,
    T: 110,
    LT: 16_506,
    items: [
      {
        kind: 'AWARD',
        amountFen: 20_000,
        reason: 'incentive award (激励奖), 2026-10 grade A, rank 1',
        by: 'evaluation-2026-10',
        correctsMonth: null,
      },
    ],
    Q: 20_000,
    R: 36_506,
    payableFen: 36_506,
    carriedOutFen: 0,
    heldJobs: [{ ticketId: 't3', ticketNumber: 'SR-t3', completedMonth: M, reasons: ['CALLBACK_UNSATISFIED'] }],
    pendingJobs: 1,
    history: [{ at: BUILT_AT, by: 'system:settlement', action: 'BUILT', note: null }],
    version: 1,
  };

  it("a statement in full, to FINANCE, OPERATOR, ADMIN and its own centre's PARTNER", async () => {
    for (const claims of [LI, as.operator(), as.admin(), as.partner(P1)])
      expect(expectOk(await h.run(claims, STATEMENT, { id: sid(P1) })).statement).toEqual(P1_VIEW);
    expect(expectOk(await h.run(LI, BRIEF, { id: sid(P3) })).statement).toEqual({
      id: sid(P3),
      state: 'IN_REVIEW',
      version: 1,
      L: 1_115,
      LT: 1_004,
      Q: -10_000,
      R: -8_996,
      payableFen: 0,
      carriedOutFen: 8_996,
    });
  });

  it("another centre's statement is FORBIDDEN to a partner, whether it exists or not; its own missing one is null", async () => {
    expectError(await h.run(as.partner(P2), STATEMENT, { id: sid(P1) }), 'FORBIDDEN');
    expectError(await h.run(as.partner(P2), STATEMENT, { id: sid('centre-zz') }), 'FORBIDDEN');
    expectError(await h.run(as.partner(P2), STATEMENT, { id: sid(P1, '2024-01') }), 'FORBIDDEN');
    expect(expectOk(await h.run(as.partner(P1), STATEMENT, { id: sid(P1, '2024-01') })).statement).toBeNull();
    // A partner token without a centre sees none.
    expectError(await h.run({ sub: 'partner-x', roles: ['PARTNER'] }, STATEMENT, { id: sid(P1) }), 'FORBIDDEN');
  });

  it('CALL_CENTRE and ENGINEER may not read statements; malformed ids are BAD_USER_INPUT', async () => {
    for (const claims of [as.callCentre(), as.engineer()])
      expectError(await h.run(claims, STATEMENT, { id: sid(P1) }), 'FORBIDDEN');
    for (const id of ['centre-p1', '2026-13:centre-p1', '2026-10:', '2026-10:centre p1']) {
      expect(expectError(await h.run(LI, STATEMENT, { id }), 'BAD_USER_INPUT').extensions['field']).toBe('id');
    }
  });

  it('through federation (_entities): a Statement reference obeys the same rules', async () => {
    const reps = { reps: [{ __typename: 'Statement', id: sid(P2) }] };
    expect(expectOk(await h.run(as.partner(P2), ENTITY_STATEMENT, reps))._entities).toEqual([
      { id: sid(P2), centreId: P2, R: 15_000 },
    ]);
    expect(expectOk(await h.run(as.operator(), ENTITY_STATEMENT, reps))._entities).toEqual([
      { id: sid(P2), centreId: P2, R: 15_000 },
    ]);
    expectError(await h.run(as.partner(P1), ENTITY_STATEMENT, reps), 'FORBIDDEN');
    expectError(await h.run(as.callCentre(), ENTITY_STATEMENT, reps), 'FORBIDDEN');
  });

  it("ServiceCentre.statements: the last months' newest first, to FINANCE, OPERATOR, ADMIN and the centre's partner", async () => {
    const both = [
      { id: sid(P1), month: M, state: 'IN_REVIEW', R: 36_506 },
      { id: sid(P1, SEPT), month: SEPT, state: 'APPROVED', R: 9_900 },
    ];
    for (const claims of [LI, as.operator(), as.admin(), as.partner(P1)]) {
      expect(expectOk(await h.run(claims, CENTRE_STATEMENTS, centreRep(P1)))._entities).toEqual([
        { id: P1, statements: both },
      ]);
    }
    expect(expectOk(await h.run(LI, CENTRE_STATEMENTS, { ...centreRep(P1), last: 1 }))._entities).toEqual([
      { id: P1, statements: [both[0]] },
    ]);
    expect(expectOk(await h.run(LI, CENTRE_STATEMENTS, centreRep(P3)))._entities).toEqual([
      { id: P3, statements: [{ id: sid(P3), month: M, state: 'IN_REVIEW', R: -8_996 }] },
    ]);
    expect(expectOk(await h.run(LI, CENTRE_STATEMENTS, centreRep('centre-zz')))._entities).toEqual([
      { id: 'centre-zz', statements: [] },
    ]);
    for (const claims of [as.partner(P2), as.callCentre(), as.engineer()])
      expectError(await h.run(claims, CENTRE_STATEMENTS, centreRep(P1)), 'FORBIDDEN');
    for (const last of [0, 25])
      expect(
        expectError(await h.run(LI, CENTRE_STATEMENTS, { ...centreRep(P1), last }), 'BAD_USER_INPUT').extensions[
          'field'
        ],
      ).toBe('last');
  });

  it("Ticket.statementLine: the line that paid the job (once, ever); null when unpaid or another centre's", async () => {
    const lines = expectOk(
      await h.run(as.operator(), TICKET_LINE, ticketReps('t1', 's2', 't3', 't6', 'no-such')),
    )._entities;
    expect(lines).toEqual([
      {
        id: 't1',
        statementLine: {
          ticketId: 't1',
          ticketNumber: 'SR-t1',
          statementId: sid(P1),
          completedMonth: M,
          productLine: 'AIR_CONDITIONER',
          serviceType: 'REPAIR',
          areaClass: 'URBAN',
          feeFen: 12_000,
        },
      },
      // Listed again by October's build, but September paid it.
      {
        id: 's2',
        statementLine: {
          ticketId: 's2',
          ticketNumber: 'SR-s2',
          statementId: sid(P2, SEPT),
          completedMonth: SEPT,
          productLine: 'AIR_CONDITIONER',
          serviceType: 'REPAIR',
          areaClass: 'URBAN',
          feeFen: 4_000,
        },
      },
      { id: 't3', statementLine: null },
      { id: 't6', statementLine: null },
      { id: 'no-such', statementLine: null },
    ]);
    const mine = expectOk(await h.run(as.partner(P1), TICKET_LINE, ticketReps('t1', 't5')))._entities;
    expect(mine.map((t: any) => [t.id, t.statementLine?.statementId ?? null])).toEqual([
      ['t1', sid(P1)],
      ['t5', null],
    ]);
    expect(expectOk(await h.run(LI, TICKET_LINE, ticketReps('t5')))._entities[0].statementLine.statementId).toBe(
      sid(P2),
    );
    for (const claims of [as.callCentre(), as.engineer()])
      expectError(await h.run(claims, TICKET_LINE, ticketReps('t1')), 'FORBIDDEN');
  });

  it("SettlementRun.statements would show a partner its own centre's only (the run itself is not theirs to query)", async () => {
    const run = runView((await h.store.findRun(M))!);
    const deps = { store: h.store, now: h.now, workflow: h.workflow };
    const own = await runStatements(deps, contextAs(as.partner(P2)), run, {});
    expect([own.totalCount, own.nodes.map((s) => s.id), own.pageInfo]).toEqual([
      1,
      [sid(P2)],
      { hasNextPage: false, endCursor: sid(P2) },
    ]);
    const none = await runStatements(deps, contextAs(as.partner('centre-zz')), run, {});
    expect([none.totalCount, none.nodes]).toEqual([0, []]);
  });
});

describe('addAdjustment', () => {
  const valid = { id: sid(P2), amount: -2_500, reason: 'complaint fine 投诉罚款 (SR-t5)', corrects: SEPT };

  it('refuses anyone but FINANCE', async () => {
    for (const claims of NOT_FINANCE) await refused(claims, ADJUST, valid, 'FORBIDDEN');
    await refused(null, ADJUST, valid, 'UNAUTHENTICATED');
  });

  it('refuses an amount that is not whole fen, or missing, before any resolver runs', async () => {
    await rejectedVariables(ZHAO, ADJUST, { ...valid, amount: 12.5 }, /Int cannot represent non-integer value: 12.5/);
    await rejectedVariables(ZHAO, ADJUST, { ...valid, amount: '100' }, /Int cannot represent/);
    await rejectedVariables(
      ZHAO,
      ADJUST,
      { ...valid, amount: 3_000_000_000 },
      /Int cannot represent non 32-bit signed integer/,
    );
    await rejectedVariables(ZHAO, ADJUST, { id: valid.id, amount: 100 }, /\$reason.*was not provided/);
  });

  it.each([
    ['0', { amount: 0 }, 'amountFen'],
    ['beyond the bound (+)', { amount: 10_000_001 }, 'amountFen'],
    ['beyond the bound (−)', { amount: -10_000_001 }, 'amountFen'],
    ['an empty reason', { reason: '' }, 'reason'],
    ['a blank reason', { reason: '   ' }, 'reason'],
    ['a reason over 500 characters', { reason: 'x'.repeat(501) }, 'reason'],
    ['correctsMonth the same month', { corrects: M }, 'correctsMonth'],
    ['correctsMonth a later month', { corrects: '2026-11' }, 'correctsMonth'],
    ['correctsMonth malformed', { corrects: '2026-13' }, 'correctsMonth'],
    ['a malformed statement id', { id: 'centre-p2' }, 'statementId'],
  ])('refuses %s (BAD_USER_INPUT)', async (_name, change, field) => {
    const error = await refused(ZHAO, ADJUST, { ...valid, ...change, key: 'adjust-refused-1' }, 'BAD_USER_INPUT');
    expect(error.extensions['field']).toBe(field);
  });

  it('refuses a statement that does not exist (NOT_FOUND) and one of an approved month (INVALID_TRANSITION)', async () => {
    await refused(ZHAO, ADJUST, { ...valid, id: sid('centre-zz') }, 'NOT_FOUND');
    await refused(ZHAO, ADJUST, { ...valid, id: sid(P1, SEPT), corrects: '2026-08' }, 'INVALID_TRANSITION');
  });

  it('adds the adjustment: Q and R of the statement and the run totals move by its amount; the author is listed and the workflow told', async () => {
    h.setClock('2026-11-03T02:00:00.000Z');
    const s = expectOk(await h.run(ZHAO, ADJUST, { ...valid, key: 'adjust-p2-1' })).addAdjustment;
    // P2: Q 0 − 2,500; R 15,000 − 2,500.
    expect(s).toEqual({
      id: sid(P2),
      state: 'IN_REVIEW',
      Q: -2_500,
      R: 12_500,
      payableFen: 12_500,
      carriedOutFen: 0,
      version: 2,
      items: [
        {
          kind: 'ADJUSTMENT',
          amountFen: -2_500,
          reason: 'complaint fine 投诉罚款 (SR-t5)',
          by: 'fin-zhao',
          correctsMonth: SEPT,
        },
      ],
      history: [
        { at: BUILT_AT, by: 'system:settlement', action: 'BUILT', note: null },
        {
          at: '2026-11-03T02:00:00.000Z',
          by: 'fin-zhao',
          action: 'ADJUSTED',
          note: '-2500 fen: complaint fine 投诉罚款 (SR-t5)',
        },
      ],
    });
    expect(expectOk(await h.run(LI, RUN, { month: M })).settlementRun).toMatchObject({
      adjustedBy: ['fin-zhao'],
      totals: { centres: 3, jobs: 4, L: 31_120, Q: 7_500, R: 40_010, payableFen: 49_006 },
    });
    expect(h.workflow.calls.at(-1)).toEqual({ kind: 'adjusted', month: M, by: 'fin-zhao' });
  });

  it('a replayed key returns the statement and adds nothing; the same key with another amount is refused (CONFLICT)', async () => {
    const before = await h.snapshot();
    const again = expectOk(await h.run(ZHAO, ADJUST, { ...valid, key: 'adjust-p2-1' })).addAdjustment;
    expect([again.Q, again.R, again.version, again.items.length]).toEqual([-2_500, 12_500, 2, 1]);
    expect(await h.snapshot()).toBe(before);
    await refused(ZHAO, ADJUST, { ...valid, amount: -2_600, key: 'adjust-p2-1' }, 'CONFLICT');
  });

  it('an adjustment lifting a negative R: P3 pays again and carries nothing; a second author is listed', async () => {
    const s = expectOk(
      await h.run(ZHOU, ADJUST, { id: sid(P3), amount: 10_000, reason: 'penalty withdrawn on appeal' }),
    ).addAdjustment;
    // P3: Q −10,000 + 10,000 = 0; R 1,004.
    expect([s.Q, s.R, s.payableFen, s.carriedOutFen]).toEqual([0, 1_004, 1_004, 0]);
    expect(expectOk(await h.run(LI, RUN, { month: M })).settlementRun).toMatchObject({
      adjustedBy: ['fin-zhao', 'fin-zhou'],
      totals: { centres: 3, jobs: 4, L: 31_120, Q: 17_500, R: 50_010, payableFen: 50_010 },
    });
  });
});

describe('holdStatement and releaseStatement', () => {
  it('refuse anyone but FINANCE, a missing or blank reason, a malformed or unknown id', async () => {
    for (const claims of NOT_FINANCE) {
      await refused(claims, HOLD, { id: sid(P1), reason: 'disputed' }, 'FORBIDDEN');
      await refused(claims, RELEASE, { id: sid(P1), reason: 'settled' }, 'FORBIDDEN');
    }
    for (const q of [HOLD, RELEASE]) {
      expect((await refused(ZHAO, q, { id: sid(P1), reason: '  ' }, 'BAD_USER_INPUT')).extensions['field']).toBe(
        'reason',
      );
      expect(
        (await refused(ZHAO, q, { id: sid(P1), reason: 'y'.repeat(501) }, 'BAD_USER_INPUT')).extensions['field'],
      ).toBe('reason');
      await rejectedVariables(ZHAO, q, { id: sid(P1) }, /\$reason.*was not provided/);
      expect((await refused(ZHAO, q, { id: 'p1', reason: 'x' }, 'BAD_USER_INPUT')).extensions['field']).toBe('id');
      await refused(ZHAO, q, { id: sid('centre-zz'), reason: 'x' }, 'NOT_FOUND');
    }
  });

  it('releasing a statement not on hold is INVALID_TRANSITION', async () => {
    await refused(ZHAO, RELEASE, { id: sid(P1), reason: 'nothing to release' }, 'INVALID_TRANSITION');
  });

  it('holds a disputed statement: ON_HOLD, with the reason in its history', async () => {
    h.setClock('2026-11-04T02:00:00.000Z');
    const s = expectOk(
      await h.run(ZHAO, HOLD, { id: sid(P1), reason: 'partner disputes t2', key: 'hold-p1-1' }),
    ).holdStatement;
    expect([s.state, s.version, s.history.at(-1)]).toEqual([
      'ON_HOLD',
      2,
      { at: '2026-11-04T02:00:00.000Z', by: 'fin-zhao', action: 'HELD', note: 'partner disputes t2' },
    ]);
    const held = expectOk(await h.run(LI, RUN_STATEMENTS, { month: M, state: 'ON_HOLD' })).settlementRun.statements;
    expect([held.totalCount, held.nodes.map((n: any) => n.id)]).toEqual([3, [sid(P1)]]);
  });

  it('a replayed hold returns the statement and changes nothing; holding it again is INVALID_TRANSITION', async () => {
    const before = await h.snapshot();
    expect(
      expectOk(await h.run(ZHAO, HOLD, { id: sid(P1), reason: 'partner disputes t2', key: 'hold-p1-1' })).holdStatement,
    ).toMatchObject({ state: 'ON_HOLD', version: 2 });
    expect(await h.snapshot()).toBe(before);
    await refused(ZHAO, HOLD, { id: sid(P1), reason: 'partner disputes t2, again' }, 'INVALID_TRANSITION');
    await refused(ZHAO, HOLD, { id: sid(P1), reason: 'another reason', key: 'hold-p1-1' }, 'CONFLICT');
  });

  it('a held statement takes no adjustment (INVALID_TRANSITION)', async () => {
    await refused(ZHOU, ADJUST, { id: sid(P1), amount: 100, reason: 'late reward' }, 'INVALID_TRANSITION');
  });

  it('a held statement blocks approval (CONFLICT)', async () => {
    const error = await refused(WANG, APPROVE, { month: M }, 'CONFLICT');
    expect(error.message).toContain(`${sid(P1)} are ON_HOLD`);
  });

  it('markExported before approval is INVALID_TRANSITION; for a month never started NOT_FOUND', async () => {
    await refused(WANG, EXPORT, { month: M }, 'INVALID_TRANSITION');
    await refused(WANG, EXPORT, { month: '2025-01' }, 'NOT_FOUND');
  });

  it('releases it: IN_REVIEW again', async () => {
    const s = expectOk(
      await h.run(ZHAO, RELEASE, { id: sid(P1), reason: 'partner withdrew the dispute', key: 'release-p1-1' }),
    ).releaseStatement;
    expect([s.state, s.version, s.history.at(-1)]).toEqual([
      'IN_REVIEW',
      3,
      { at: '2026-11-04T02:00:00.000Z', by: 'fin-zhao', action: 'RELEASED', note: 'partner withdrew the dispute' },
    ]);
    const before = await h.snapshot();
    expect(
      expectOk(await h.run(ZHAO, RELEASE, { id: sid(P1), reason: 'partner withdrew the dispute', key: 'release-p1-1' }))
        .releaseStatement,
    ).toMatchObject({ state: 'IN_REVIEW', version: 3 });
    expect(await h.snapshot()).toBe(before);
  });
});

describe('rebuildStatement', () => {
  it('refuses anyone but FINANCE, a malformed id and an unknown statement', async () => {
    for (const claims of NOT_FINANCE) await refused(claims, REBUILD, { id: sid(P1) }, 'FORBIDDEN');
    expect((await refused(LI, REBUILD, { id: 'p1' }, 'BAD_USER_INPUT')).extensions['field']).toBe('id');
    await refused(LI, REBUILD, { id: sid('centre-zz') }, 'NOT_FOUND');
  });

  it("rebuilds P1 from its jobs as they are now: t3's hold resolved, the award kept", async () => {
    h.setClock('2026-11-05T02:00:00.000Z');
    h.workflow.jobs.set(P1, [
      payable('t1', 12_000),
      payable('t2', 3_005, { completedMonth: SEPT }),
      payable('t3', 2_000),
      job('t4', 'PENDING', { reasons: ['AWAITING_CALLBACK'] }),
    ]);
    const s = expectOk(await h.run(LI, REBUILD, { id: sid(P1), key: 'rebuild-p1-1' })).rebuildStatement;
    // L 12,000 + 3,005 + 2,000 = 17,005 × 1.10 = 18,705.5 → 18,706; Q 20,000 (award); R 38,706.
    expect(s).toEqual({
      id: sid(P1),
      state: 'IN_REVIEW',
      version: 4,
      L: 17_005,
      T: 110,
      LT: 18_706,
      Q: 20_000,
      R: 38_706,
      payableFen: 38_706,
      lines: [
        { ticketId: 't1', feeFen: 12_000 },
        { ticketId: 't2', feeFen: 3_005 },
        { ticketId: 't3', feeFen: 2_000 },
      ],
      items: [{ kind: 'AWARD', amountFen: 20_000 }],
      heldJobs: [],
      pendingJobs: 1,
      history: [
        { by: 'system:settlement', action: 'BUILT' },
        { by: 'fin-zhao', action: 'HELD' },
        { by: 'fin-zhao', action: 'RELEASED' },
        { by: 'fin-li', action: 'REBUILT' },
      ],
    });
    // jobs +1; L +2,000; R and paid +2,200.
    expect(expectOk(await h.run(LI, RUN, { month: M })).settlementRun.totals).toEqual({
      centres: 3,
      jobs: 5,
      L: 33_120,
      Q: 17_500,
      R: 52_210,
      payableFen: 52_210,
    });
    expect(h.workflow.calls.at(-1)).toMatchObject({
      kind: 'rebuild',
      month: M,
      statementId: sid(P1),
      centreId: P1,
      by: 'fin-li',
    });
  });

  it('a replayed rebuild is the same Update: nothing is rebuilt again', async () => {
    const before = await h.snapshot();
    expect(expectOk(await h.run(LI, REBUILD, { id: sid(P1), key: 'rebuild-p1-1' })).rebuildStatement).toMatchObject({
      version: 4,
      R: 38_706,
    });
    expect(await h.snapshot()).toBe(before);
  });
});

describe('approveSettlement', () => {
  it('refuses anyone but FINANCE before asking the workflow', async () => {
    const calls = h.workflow.calls.length;
    for (const claims of NOT_FINANCE) await refused(claims, APPROVE, { month: M }, 'FORBIDDEN');
    expect(h.workflow.calls.length).toBe(calls);
  });

  it('refuses a malformed month and one never started', async () => {
    expect((await refused(WANG, APPROVE, { month: '2026-1' }, 'BAD_USER_INPUT')).extensions['field']).toBe('month');
    await refused(WANG, APPROVE, { month: '2025-01' }, 'NOT_FOUND');
  });

  it('four eyes: refuses who started the run and who adjusted it (FORBIDDEN)', async () => {
    expect((await refused(LI, APPROVE, { month: M }, 'FORBIDDEN')).message).toContain('fin-li started this settlement');
    expect((await refused(ZHAO, APPROVE, { month: M }, 'FORBIDDEN')).message).toContain('fin-zhao adjusted statements');
    expect((await refused(ZHOU, APPROVE, { month: M }, 'FORBIDDEN')).message).toContain('fin-zhou adjusted statements');
  });

  it('refuses while a centre it pays has no payee details (CONFLICT)', async () => {
    h.workflow.payees.set(P3, { ...PAYEES[2]!, payee: null });
    try {
      expect((await refused(WANG, APPROVE, { month: M, key: 'approve-2026-10' }, 'CONFLICT')).message).toContain(
        'SC-1003',
      );
    } finally {
      h.workflow.payees.set(P3, PAYEES[2]!);
    }
  });

  it('another FINANCE user approves: APPROVED, the payment file to FINANCE only', async () => {
    h.setClock('2026-11-06T03:00:00.000Z');
    const run = expectOk(await h.run(WANG, APPROVE, { month: M, key: 'approve-2026-10' })).approveSettlement;
    expect(run).toMatchObject({
      state: 'APPROVED',
      approvedBy: 'fin-wang',
      approvedAt: '2026-11-06T03:00:00.000Z',
      adjustedBy: ['fin-zhao', 'fin-zhou'],
    });
    // By centre code: P2 (SC-1001) 12,500; P1 (SC-1002) 38,706; P3 (SC-1003) 1,004. Total 52,210.
    const content =
      '\uFEFFCentre code,Payee name,Bank,Account number,Amount (fen),Amount (yuan),Statement id\r\n' +
      'SC-1001,上海浦东星级服务中心,中国工商银行上海浦东支行,6222020200112233445,12500,125.00,2026-10:centre-p2\r\n' +
      'SC-1002,杭州西湖家电服务部,招商银行杭州分行,571901234567801,38706,387.06,2026-10:centre-p1\r\n' +
      'SC-1003,宁波北仑服务站,宁波银行,86041110000123,1004,10.04,2026-10:centre-p3\r\n' +
      'TOTAL,,,,52210,522.10,\r\n';
    expect(expectOk(await h.run(ZHOU, FILE, { month: M })).settlementRun.paymentFile).toEqual({
      fileName: 'starline-settlement-2026-10.csv',
      sha256: createHash('sha256').update(content, 'utf8').digest('hex'),
      rows: 3,
      totalFen: 52_210,
      content,
      generatedAt: '2026-11-06T03:00:00.000Z',
    });
    for (const claims of [as.operator(), as.admin()])
      expect(expectOk(await h.run(claims, FILE, { month: M })).settlementRun.paymentFile).toBeNull();
    const states = expectOk(await h.run(LI, RUN_STATEMENTS, { month: M })).settlementRun.statements.nodes;
    expect(states.map((s: any) => [s.id, s.state])).toEqual([
      [sid(P1), 'APPROVED'],
      [sid(P2), 'APPROVED'],
      [sid(P3), 'APPROVED'],
    ]);
    const history = expectOk(await h.run(as.partner(P3), HISTORY, { id: sid(P3) })).statement.history;
    expect(history.at(-1)).toEqual({ at: '2026-11-06T03:00:00.000Z', by: 'fin-wang', action: 'APPROVED', note: null });
  });

  it('a replayed approval returns the run and writes nothing; an approved month takes no adjustment, hold or rebuild', async () => {
    h.setClock('2026-11-07T03:00:00.000Z');
    const before = await h.snapshot();
    expect(expectOk(await h.run(WANG, APPROVE, { month: M, key: 'approve-2026-10' })).approveSettlement).toMatchObject({
      state: 'APPROVED',
      approvedAt: '2026-11-06T03:00:00.000Z',
    });
    expect(await h.snapshot()).toBe(before);
    await refused(financeUser('fin-zheng'), APPROVE, { month: M }, 'INVALID_TRANSITION');
    await refused(ZHOU, ADJUST, { id: sid(P2), amount: 100, reason: 'late' }, 'INVALID_TRANSITION');
    await refused(ZHOU, HOLD, { id: sid(P2), reason: 'late dispute' }, 'INVALID_TRANSITION');
    await refused(ZHOU, RELEASE, { id: sid(P2), reason: 'late release' }, 'INVALID_TRANSITION');
    await refused(LI, REBUILD, { id: sid(P2) }, 'INVALID_TRANSITION');
  });
});

describe('markExported', () => {
  it('refuses anyone but FINANCE and a malformed month', async () => {
    for (const claims of NOT_FINANCE) await refused(claims, EXPORT, { month: M }, 'FORBIDDEN');
    expect((await refused(WANG, EXPORT, { month: 'Oct-2026' }, 'BAD_USER_INPUT')).extensions['field']).toBe('month');
  });

  it('APPROVED → EXPORTED: the run records who and when, every statement shows EXPORTED', async () => {
    h.setClock('2026-11-08T03:00:00.000Z');
    const run = expectOk(await h.run(WANG, EXPORT, { month: M, key: 'export-2026-10' })).markExported;
    expect(run).toMatchObject({
      state: 'EXPORTED',
      exportedBy: 'fin-wang',
      exportedAt: '2026-11-08T03:00:00.000Z',
      approvedBy: 'fin-wang',
    });
    const nodes = expectOk(await h.run(as.operator(), RUN_STATEMENTS, { month: M })).settlementRun.statements.nodes;
    expect(nodes.map((s: any) => s.state)).toEqual(['EXPORTED', 'EXPORTED', 'EXPORTED']);
    expect(expectOk(await h.run(as.partner(P3), BRIEF, { id: sid(P3) })).statement.state).toBe('EXPORTED');
    const centre = expectOk(await h.run(as.partner(P1), CENTRE_STATEMENTS, { ...centreRep(P1), last: 1 }))._entities[0];
    expect(centre.statements.map((s: any) => [s.id, s.state])).toEqual([[sid(P1), 'EXPORTED']]);
    expect(expectOk(await h.run(as.partner(P3), HISTORY, { id: sid(P3) })).statement.history.slice(-2)).toEqual([
      { at: '2026-11-06T03:00:00.000Z', by: 'fin-wang', action: 'APPROVED', note: null },
      { at: '2026-11-08T03:00:00.000Z', by: 'fin-wang', action: 'EXPORTED', note: null },
    ]);
  });

  it('a replay, or another export, writes nothing and answers EXPORTED', async () => {
    const before = await h.snapshot();
    expect(expectOk(await h.run(WANG, EXPORT, { month: M, key: 'export-2026-10' })).markExported).toMatchObject({
      state: 'EXPORTED',
      exportedAt: '2026-11-08T03:00:00.000Z',
    });
    expect(expectOk(await h.run(ZHOU, EXPORT, { month: M })).markExported).toMatchObject({
      state: 'EXPORTED',
      exportedBy: 'fin-wang',
    });
    expect(await h.snapshot()).toBe(before);
    await refused(WANG, EXPORT, { month: SEPT, key: 'export-2026-10' }, 'CONFLICT');
  });

  it('with October exported, November may start', async () => {
    h.setClock('2026-12-02T00:00:00.000Z');
    expect(expectOk(await h.run(LI, START, { month: '2026-11', key: 'start-2026-11' })).startSettlement).toMatchObject({
      month: '2026-11',
      state: 'WAITING_FOR_EVALUATION',
      startedBy: 'fin-li',
    });
  });
});
