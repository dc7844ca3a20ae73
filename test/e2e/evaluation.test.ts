import { beforeAll, describe, expect, inject, it } from 'vitest';
import { connectTemporalClient } from '@starline/common';
import { gql, tokenFor, type GqlResponse } from './client.ts';

/**
 * The monthly evaluation through the gateway (docs/domain.md §3, §6): jobs of a centre driven by its
 * partner, its engineer, the call centre and HQ, then the centre's live scorecard checked figure by
 * figure against numbers worked out by hand below; and a month evaluated by hand and by the Schedule.
 */
const run = `${process.pid % 100000}${Date.now() % 10000}`;
const digits = run.replace(/\D/g, '');
const REGION = `5${digits.slice(-5).padStart(5, '0')}`;
const LINE = 'REFRIGERATOR';

const T = 'id version state';
const M = {
  receive: `mutation($input: IntakeInput!) { receiveTicket(input: $input) { ${T} } }`,
  book:
    `mutation($id: ID!, $w: AppointmentInput!, $v: Int!) { bookAppointment(id: $id, window: $w, version: $v) ` +
    `{ ${T} } }`,
  assign: `mutation($id: ID!, $e: ID!, $v: Int!) { assignEngineer(id: $id, engineerId: $e, version: $v) { ${T} } }`,
  checkIn: `mutation($id: ID!, $v: Int!) { checkIn(id: $id, version: $v) { ${T} } }`,
  complete:
    `mutation($id: ID!, $r: CompletionInput!, $v: Int!) { completeJob(id: $id, report: $r, version: $v) { ` +
    `${T} } }`,
  callback:
    `mutation($id: ID!, $a: CallbackAnswer!, $v: Int!) { recordCallback(id: $id, answer: $a, version: $v) { ` +
    `${T} } }`,
  returnPart: `mutation($id: ID!, $v: Int!) { returnOldPart(id: $id, version: $v) { ${T} } }`,
  autopsy:
    `mutation($id: ID!, $ok: Boolean!, $v: Int!) { recordAutopsy(id: $id, consistent: $ok, note: "checked at ` +
    `the warehouse", version: $v) { ${T} } }`,
  complaint:
    `mutation($id: ID!) { openComplaint(ticketId: $id, severity: 1, description: "the engineer was rude") { id ` +
    `} }`,
  credit:
    `mutation($id: ID!, $code: String!, $key: String!) { recordLicenceEvent(engineerId: $id, code: $code, ` +
    `evidenceKey: $key) { code } }`,
};
const SCORECARD = `centre { id } month live kpis { code numerator denominator rate score weight noData }
  weightedScore incentives { kind count points } adjustedScore completions grade rank atRiskOfSuspension`;
const LIVE = `query($id: ID!) { serviceCentre(id: $id) { liveScorecard { ${SCORECARD} } } }`;

let operator: string;
let admin: string;
let callCentre: string;
let centreId: string;
let otherCentreId: string;
let partner: string;
let engineer: { id: string; token: string };
let checklist: string[];

function ok<T = any>(res: GqlResponse, what: string): T {
  expect(res.errors, what).toBeUndefined();
  return Object.values(res.data!)[0] as T;
}

async function createCentre(suffix: string): Promise<string> {
  const res = await gql(
    'mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }',
    {
      input: {
        code: `E2E-EV-${run}-${suffix}`,
        name: `Evaluation e2e ${suffix}`,
        tier: 'CORE',
        region: `${REGION.slice(0, 2)}0000`,
        serviceAreas: [REGION],
        productLines: [LINE],
        dailyCapacity: 30,
        contact: { name: 'Qian Qi', phone: '13700137001' },
      },
    },
    { token: operator },
  );
  const id = ok<{ id: string }>(res, `centre ${suffix}`).id;
  ok(
    await gql('mutation($id: ID!) { activateServiceCentre(id: $id) { status } }', { id }, { token: operator }),
    `activate ${suffix}`,
  );
  return id;
}

let serial = 0;
const intake = () => ({
  customer: { name: '赵敏', phone: '13800138001', address: '杭州市西湖区文三路 1 号', regionCode: REGION },
  productLine: LINE,
  model: 'BCD-470',
  serialNumber: `EV${digits.slice(-8)}-${++serial}`,
  purchaseDate: new Date(Date.now() - 90 * 86_400_000).toISOString(),
  serviceType: 'REPAIR',
  areaClass: 'URBAN',
  faultDescription: 'not cooling',
});

/**
 * A walk-in at the centre (ACCEPTED at once), booked for a window running now until `endsInMs`, its engineer assigned.
 */
async function assignedJob(endsInMs = 3_600_000): Promise<{ id: string; v: number }> {
  const t = ok<any>(await gql(M.receive, { input: intake() }, { token: partner }), 'walk-in');
  const w = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + endsInMs).toISOString() };
  const booked = ok<any>(await gql(M.book, { id: t.id, w, v: t.version }, { token: partner }), 'book');
  const assigned = ok<any>(
    await gql(M.assign, { id: t.id, e: engineer.id, v: booked.version }, { token: partner }),
    'assign',
  );
  return { id: t.id, v: assigned.version };
}

/** A job completed on site now, reported at once (in time), with or without a replaced part and a delight note. */
async function completedJob(o: { part: boolean; delight: boolean }): Promise<{ id: string; v: number }> {
  const job = await assignedJob();
  const onSite = ok<any>(await gql(M.checkIn, { id: job.id, v: job.v }, { token: engineer.token }), 'check in');
  const report = {
    workFinishedAt: new Date().toISOString(),
    checklist,
    faultCode: 'E3',
    parts: o.part ? [{ partNumber: 'RF-THERMOSTAT-01', oldPartSerial: `OLD-${job.id.slice(-6)}`, quantity: 1 }] : [],
    ...(o.delight ? { delightNote: 'cleaned the condenser coils too' } : {}),
  };
  const done = ok<any>(
    await gql(M.complete, { id: job.id, r: report, v: onSite.version }, { token: engineer.token }),
    'complete',
  );
  return { id: job.id, v: done.version };
}

async function callback(job: { id: string; v: number }, answer: 'SATISFIED' | 'UNSATISFIED') {
  return {
    id: job.id,
    v: ok<any>(await gql(M.callback, { id: job.id, a: answer, v: job.v }, { token: callCentre }), 'callback')
      .version as number,
  };
}

async function autopsy(job: { id: string; v: number }, consistent: boolean) {
  const returned = ok<any>(await gql(M.returnPart, { id: job.id, v: job.v }, { token: operator }), 'return part');
  ok(await gql(M.autopsy, { id: job.id, ok: consistent, v: returned.version }, { token: operator }), 'autopsy');
}

beforeAll(async () => {
  [operator, admin, callCentre] = await Promise.all([tokenFor('OPERATOR'), tokenFor('ADMIN'), tokenFor('CALL_CENTRE')]);
  centreId = await createCentre('L');
  otherCentreId = await createCentre('M');
  partner = await tokenFor('PARTNER', { centreId });
  const res = await gql(
    'mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id } }',
    {
      input: {
        number: `EV-${digits.slice(-8)}`,
        name: 'Feng Yi',
        centreId,
        certifications: [{ productLine: LINE, issuedAt: '2025-01-01T00:00:00Z', expiresAt: '2035-01-01T00:00:00Z' }],
      },
    },
    { token: operator },
  );
  const id = ok<{ id: string }>(res, 'engineer').id;
  engineer = { id, token: await tokenFor('ENGINEER', { engineerId: id, centreId }) };
  const standard = ok<any>(
    await gql('{ standardInForce { procedure { code } } }', {}, { token: operator }),
    'standard',
  );
  checklist = standard.procedure.map((p: { code: string }) => p.code);
});

describe('the live scorecard through the gateway', () => {
  it('shows the month so far, every figure as worked out by hand', async () => {
    // Job 1: a part replaced and judged right, a delight note, a satisfied customer — and a severity-1 complaint.
    const j1 = await callback(await completedJob({ part: true, delight: true }), 'SATISFIED');
    await autopsy(j1, true);
    ok(await gql(M.complaint, { id: j1.id }, { token: callCentre }), 'complaint');
    // Job 2: no part, an unsatisfied customer (the callback opens a complaint by itself).
    await callback(await completedJob({ part: false, delight: false }), 'UNSATISFIED');
    // Job 3: a part replaced that the autopsy finds was not faulty.
    const j3 = await callback(await completedJob({ part: true, delight: false }), 'SATISFIED');
    await autopsy(j3, false);
    // Job 4: accepted, its window over and nobody on site: past due.
    await assignedJob(3_000);
    // Credits of the centre's engineer: one quality report adopted, one small improvement.
    ok(
      await gql(M.credit, { id: engineer.id, code: 'QUALITY_INFO_ADOPTED', key: `ev-qia-${run}` }, { token: operator }),
      'credit',
    );
    ok(
      await gql(M.credit, { id: engineer.id, code: 'SMALL_IMPROVEMENT', key: `ev-si-${run}` }, { token: operator }),
      'credit',
    );
    await new Promise((r) => setTimeout(r, 3_500));

    const card = ok<any>(await gql(LIVE, { id: centreId }, { token: partner }), 'live scorecard').liveScorecard;
    // By hand, with the default standard (targets, floors and weights of docs/domain.md §3):
    //   satisfaction 2/3 = 0.6667 < floor 0.80 → 0          weight 30
    //   timeliness   3/3 = 1 ≥ target 0.98 → 100             weight 15
    //   leftover     1/4 = 0.25 ≥ floor 0.10 → 0              weight 15
    //   complaints   2/3 = 0.6667 ≥ floor 0.05 → 0            weight 20
    //   parts        1/2 = 0.5 ≥ floor 0.15 → 0               weight 10
    //   delight      1/3 = 0.3333 ≥ target 0.05 → 100         weight 10
    //   weighted = (15 × 100 + 10 × 100) / 100 = 25
    //   incentives: +2 (quality info) +2 (innovation) −10 (one major complaint) = −6 → adjusted 19
    //   3 completions < 10: not graded.
    expect(card).toMatchObject({
      centre: { id: centreId },
      live: true,
      completions: 3,
      weightedScore: 25,
      adjustedScore: 19,
      grade: null,
      rank: null,
      atRiskOfSuspension: false,
    });
    expect(card.kpis.map((k: any) => [k.code, k.numerator, k.denominator, k.score, k.weight, k.noData])).toEqual([
      ['SATISFACTION_RATE', 2, 3, 0, 30, false],
      ['INFORMATION_TIMELINESS', 3, 3, 100, 15, false],
      ['DISPATCH_LEFTOVER', 1, 4, 0, 15, false],
      ['COMPLAINT_RATE', 2, 3, 0, 20, false],
      ['PARTS_MISJUDGEMENT', 1, 2, 0, 10, false],
      ['DELIGHT_RATE', 1, 3, 100, 10, false],
    ]);
    expect(card.kpis.map((k: any) => k.rate)).toEqual(
      [0.666667, 1, 0.25, 0.666667, 0.5, 0.333333].map((r, i) => expect.closeTo(r, i === 1 ? 9 : 5)),
    );
    expect(card.incentives).toEqual([
      { kind: 'QUALITY_INFO_ADOPTED', count: 1, points: 2 },
      { kind: 'SERVICE_INNOVATION', count: 1, points: 2 },
      { kind: 'MAJOR_COMPLAINT', count: 1, points: -10 },
    ]);

    // The other centre of the region had a quiet month: every KPI "no data", nothing to grade.
    const quiet = ok<any>(await gql(LIVE, { id: otherCentreId }, { token: operator }), 'quiet centre').liveScorecard;
    expect(quiet).toMatchObject({ completions: 0, weightedScore: null, grade: null });
    expect(quiet.kpis.every((k: any) => k.noData && k.weight === 0)).toBe(true);

    // A partner sees only its own centre's; an engineer none.
    expect((await gql(LIVE, { id: otherCentreId }, { token: partner })).codes).toEqual(['FORBIDDEN']);
    expect((await gql(LIVE, { id: centreId }, { token: engineer.token })).codes).toEqual(['FORBIDDEN']);
  });
});

/** The Asia/Shanghai month `back` months before now's, YYYY-MM. */
function monthAgo(back: number): string {
  const shanghai = new Date(Date.now() + 8 * 3_600_000);
  const d = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth() - back, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const EVALUATION =
  `query($m: String!) { monthlyEvaluation(month: $m) { month state run requestedBy confirmedBy progress { done ` +
  `total } gradeCounts { A B C ungraded } } }`;
const RUN =
  `mutation($m: String!, $key: String) { runMonthlyEvaluation(month: $m, idempotencyKey: $key) { month state } ` + `}`;
const CONFIRM =
  `mutation($m: String!, $key: String) { confirmMonthlyEvaluation(month: $m, idempotencyKey: $key) { month ` +
  `state confirmedBy } }`;
const RERUN =
  `mutation($m: String!, $key: String) { rerunMonthlyEvaluation(month: $m, idempotencyKey: $key) { month state ` +
  `} }`;

/** Polls the month's evaluation (as HQ) until it is in `state`. */
async function evaluationIn(month: string, state: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = ok<any>(await gql(EVALUATION, { m: month }, { token: operator }), 'evaluation');
    if (e?.state === state) return e;
    if (Date.now() > deadline)
      throw new Error(`evaluation ${month} is ${e?.state ?? 'absent'}, not ${state}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a month evaluated through the gateway', () => {
  it('by hand: an operator runs it, an ADMIN confirms it, and a confirmed month refuses to change', async () => {
    const month = monthAgo(2);
    expect((await gql(RUN, { m: 'last-month' }, { token: operator })).codes).toEqual(['BAD_USER_INPUT']);
    expect((await gql(RUN, { m: monthAgo(0) }, { token: operator })).codes).toEqual(['BAD_USER_INPUT']);
    expect((await gql(RUN, { m: month }, { token: partner })).codes).toEqual(['FORBIDDEN']);
    ok(await gql(RUN, { m: month, key: `ev-run-${run}` }, { token: operator }), 'run');
    const provisional = await evaluationIn(month, 'PROVISIONAL');
    expect(provisional).toMatchObject({ month, run: 1, progress: { done: provisional.progress.total } });
    expect(provisional.progress.total).toBeGreaterThanOrEqual(2);
    // This suite's centres had no jobs that month: not graded.
    expect(provisional.gradeCounts.ungraded).toBeGreaterThanOrEqual(2);
    expect((await gql(CONFIRM, { m: month }, { token: operator })).codes).toEqual(['FORBIDDEN']);
    ok(await gql(CONFIRM, { m: month, key: `ev-confirm-${run}` }, { token: admin }), 'confirm');
    const confirmed = await evaluationIn(month, 'CONFIRMED');
    expect(confirmed.confirmedBy).toBe(JSON.parse(Buffer.from(admin.split('.')[1]!, 'base64url').toString()).sub);
    expect((await gql(RERUN, { m: month }, { token: operator })).codes).toEqual(['INVALID_TRANSITION']);
    expect((await gql(RUN, { m: month }, { token: operator })).codes).toEqual(['INVALID_TRANSITION']);
  });

  it('by the Schedule: the month before is evaluated; a partner’s open dispute holds the confirmation until it is rejected', async () => {
    const month = monthAgo(1);
    const client = await connectTemporalClient({ address: inject('temporalAddress'), namespace: 'default' });
    try {
      await client.schedule.getHandle('monthly-evaluation').trigger();
    } finally {
      await client.connection.close();
    }
    const provisional = await evaluationIn(month, 'PROVISIONAL');
    expect(provisional.requestedBy).toBe('system:schedule');
    const dispute = ok<any>(
      await gql(
        `mutation($m: String!) { disputeScorecard(month: $m, reason: "the leftover counts a job the customer ` +
          `postponed") { id state centreId } }`,
        { m: month },
        { token: partner },
      ),
      'dispute',
    );
    expect(dispute).toMatchObject({ state: 'OPEN', centreId });
    expect((await gql(CONFIRM, { m: month }, { token: admin })).codes).toEqual(['CONFLICT']);
    ok(
      await gql(
        `mutation($id: ID!) { rejectDispute(id: $id, reason: "postponement was not recorded in time") { state } }`,
        { id: dispute.id },
        { token: operator },
      ),
      'reject',
    );
    ok(await gql(CONFIRM, { m: month }, { token: admin }), 'confirm');
    await evaluationIn(month, 'CONFIRMED');
  });
});
