import { beforeAll, describe, expect, it } from 'vitest';
import { gql, tokenFor, type GqlResponse } from './client.ts';

/**
 * A job end to end through the gateway and the real lifecycle workflow (docs/domain.md §5), driven by
 * the three actors with their own tokens: the call centre, a partner centre's system and its
 * engineer, with HQ for the warehouse and quality steps. Centres and engineers are seeded through
 * the gateway. Each test's region codes are its own, so dispatch is decided by the centres seeded
 * here only.
 */
const run = `${process.pid % 100000}${Date.now() % 10000}`;
const digits = run.replace(/\D/g, '');
/** Two district codes no other suite covers: the journey's, and the one of the refusal tests. */
const REGION = `6${digits.slice(-5).padStart(5, '0')}`;
const OTHER_REGION = `7${digits.slice(-5).padStart(5, '0')}`;
const LINE = 'REFRIGERATOR';

const TICKET_FIELDS = `id number version state centreId engineerId warranty
  appointment { no from to }
  slas { clock deadline status doneAt ref }
  timeline { type at actor data }
  report { workFinishedAt checklist faultCode parts { partNumber oldPartSerial quantity }
    charges { code quantity amountFen } delightNote }
  callback { attempts { answer } result } oldPartReturnedAt autopsy { consistent note }
  settlement { status reasons feeFen }`;
const SHORT = 'id version state centreId engineerId settlement { status reasons feeFen }';

const M = {
  receive:
    `mutation($input: IntakeInput!, $key: String) { receiveTicket(input: $input, idempotencyKey: $key) { ` +
    `${SHORT} number warranty } }`,
  accept:
    `mutation($id: ID!, $v: Int!, $key: String) { acceptJob(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${SHORT} } }`,
  contact:
    `mutation($id: ID!, $v: Int!, $key: String) { recordContact(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${SHORT} } }`,
  book:
    `mutation($id: ID!, $w: AppointmentInput!, $v: Int!, $key: String) { bookAppointment(id: $id, window: $w, ` +
    `version: $v, idempotencyKey: $key) { ${SHORT} appointment { no from to } } }`,
  assign:
    `mutation($id: ID!, $e: ID!, $v: Int!, $key: String) { assignEngineer(id: $id, engineerId: $e, version: ` +
    `$v, idempotencyKey: $key) { ${SHORT} } }`,
  checkIn:
    `mutation($id: ID!, $v: Int!, $key: String) { checkIn(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${SHORT} } }`,
  complete:
    `mutation($id: ID!, $r: CompletionInput!, $v: Int!, $key: String) { completeJob(id: $id, report: $r, ` +
    `version: $v, idempotencyKey: $key) { ${SHORT} } }`,
  callback:
    `mutation($id: ID!, $a: CallbackAnswer!, $v: Int!, $key: String) { recordCallback(id: $id, answer: $a, ` +
    `version: $v, idempotencyKey: $key) { ${SHORT} callback { result } } }`,
  returnPart:
    `mutation($id: ID!, $v: Int!, $key: String) { returnOldPart(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${SHORT} } }`,
  autopsy:
    `mutation($id: ID!, $v: Int!, $key: String) { recordAutopsy(id: $id, consistent: true, note: "thermostat ` +
    `contacts burnt, as reported", version: $v, idempotencyKey: $key) { ${SHORT} } }`,
  quality:
    `mutation($id: ID!, $v: Int!, $key: String) { qualityCheck(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${SHORT} closedAt } }`,
  push: `mutation($u: [JobUpdateInput!]!) { pushJobUpdates(updates: $u) {
    index idempotencyKey ticketId ok ticket { id version state } error { code message field currentState currentVersion
    } } }`,
};
const TICKET = `query($id: ID!) { ticket(id: $id) { ${TICKET_FIELDS} } }`;
const CHANGES = `query($since: String, $first: Int) { jobChanges(since: $since, first: $first) {
  cursor hasMore changes { cursor ticketId version state centreId events ticket { id version } } } }`;

let operator: string;
let callCentre: string;
/** The centre the journey's job must go to (more room than B), and one no dispatch of ours reaches … */
const centres: Record<'A' | 'B' | 'ONBOARDING' | 'OTHER_LINE' | 'E', string> = {} as never;
const partners: Record<'A' | 'B' | 'E', string> = {} as never;
const engineers: Record<'a1' | 'a2' | 'e1' | 'e2', { id: string; token: string }> = {} as never;
let checklist: string[];

/** The data of a response that must have succeeded. */
function ok<T = any>(res: GqlResponse, what: string): T {
  expect(res.errors, what).toBeUndefined();
  return Object.values(res.data!)[0] as T;
}

const errorOf = (res: GqlResponse) => {
  expect(res.errors, 'expected an error').toBeDefined();
  const e = res.errors![0]!;
  return {
    code: e.extensions?.code,
    currentState: e.extensions?.['currentState'],
    currentVersion: e.extensions?.['currentVersion'],
    message: e.message,
  };
};

async function createCentre(
  suffix: string,
  regions: string[],
  productLines: string[],
  dailyCapacity: number,
  activate: boolean,
): Promise<string> {
  const res = await gql(
    'mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }',
    {
      input: {
        code: `E2E-TK-${run}-${suffix}`,
        name: `Tickets e2e ${suffix}`,
        tier: 'CORE',
        region: `${regions[0]!.slice(0, 2)}0000`,
        serviceAreas: regions,
        productLines,
        dailyCapacity,
        contact: { name: 'Zhao Liu', phone: '13700137000' },
      },
    },
    { token: operator },
  );
  const id = ok<{ id: string }>(res, `centre ${suffix}`).id;
  if (activate)
    ok(
      await gql('mutation($id: ID!) { activateServiceCentre(id: $id) { status } }', { id }, { token: operator }),
      `activate ${suffix}`,
    );
  return id;
}

let engineerNo = 0;
async function registerEngineer(centreId: string, name: string): Promise<{ id: string; token: string }> {
  engineerNo += 1;
  const res = await gql(
    'mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id } }',
    {
      input: {
        number: `TK-${digits.slice(-8)}${engineerNo}`,
        name,
        centreId,
        certifications: [{ productLine: LINE, issuedAt: '2025-01-01T00:00:00Z', expiresAt: '2035-01-01T00:00:00Z' }],
      },
    },
    { token: operator },
  );
  const id = ok<{ id: string }>(res, `engineer ${name}`).id;
  return { id, token: await tokenFor('ENGINEER', { engineerId: id }) };
}

let serial = 0;
/** A REPAIR request for a refrigerator in warranty (bought 3 months ago). */
function intake(regionCode: string) {
  serial += 1;
  return {
    customer: { name: '王芳', phone: '13800138000', address: '上海市浦东新区张江路 100 号', regionCode },
    productLine: LINE,
    model: 'BCD-470',
    serialNumber: `RF${digits.slice(-8)}-${serial}`,
    purchaseDate: new Date(Date.now() - 90 * 86_400_000).toISOString(),
    serviceType: 'REPAIR',
    areaClass: 'URBAN',
    faultDescription: 'not cooling',
  };
}

/** Polls the ticket (as HQ) until the lifecycle has moved it to `state`. */
async function until(id: string, state: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = ok<any>(await gql(TICKET, { id }, { token: operator }), 'ticket');
    if (t.state === state) return t;
    if (Date.now() > deadline)
      throw new Error(`ticket ${id} is ${t.state} v${t.version}, not ${state}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A received ticket, dispatched by its lifecycle: returns it OFFERED. */
async function offered(regionCode: string): Promise<any> {
  const t = ok<any>(await gql(M.receive, { input: intake(regionCode) }, { token: callCentre }), 'receive');
  return until(t.id, 'OFFERED');
}

async function changesOf(token: string, since: string | null, first: number) {
  return ok<{ cursor: string; hasMore: boolean; changes: any[] }>(
    await gql(CHANGES, { since, first }, { token }),
    'jobChanges',
  );
}

const hours = (n: number) => new Date(Date.now() + n * 3_600_000);
const windowAt = (from: Date, hoursLong = 2) => ({
  from: from.toISOString(),
  to: new Date(from.getTime() + hoursLong * 3_600_000).toISOString(),
});

beforeAll(async () => {
  operator = await tokenFor('OPERATOR');
  callCentre = await tokenFor('CALL_CENTRE');
  centres.A = await createCentre('A', [REGION], [LINE], 30, true);
  centres.B = await createCentre('B', [REGION], [LINE], 10, true);
  centres.ONBOARDING = await createCentre('ONB', [REGION], [LINE], 50, false);
  centres.OTHER_LINE = await createCentre('WM', [REGION], ['WASHING_MACHINE'], 50, true);
  centres.E = await createCentre('E', [OTHER_REGION], [LINE], 50, true);
  for (const c of ['A', 'B', 'E'] as const) partners[c] = await tokenFor('PARTNER', { centreId: centres[c] });
  engineers.a1 = await registerEngineer(centres.A, 'Li Si');
  engineers.a2 = await registerEngineer(centres.A, 'Zhou Qi');
  engineers.e1 = await registerEngineer(centres.E, 'Sun Ba');
  engineers.e2 = await registerEngineer(centres.E, 'Wu Jiu');
  const standard = ok<any>(
    await gql('{ standardInForce { procedure { code requiredInCompletion } } }', {}, { token: operator }),
    'standard',
  );
  checklist = standard.procedure.map((p: { code: string }) => p.code);
  expect(standard.procedure.some((p: { requiredInCompletion: boolean }) => p.requiredInCompletion)).toBe(true);
});

describe('a job end to end through the gateway', () => {
  it('goes from the call centre to the best centre, its engineer, the callback, HQ and settlement, with every change in the partner feed', async () => {
    const cc = callCentre;
    const partner = partners.A;
    const eng = engineers.a1;

    // Intake: the call centre takes the request; the lifecycle dispatches it to the best eligible
    // centre — A (30 free of 30) before B (10 of 10); the ONBOARDING centre and the one without the
    // product line are not eligible.
    const received = ok<any>(
      await gql(M.receive, { input: intake(REGION), key: `tk-intake-${run}` }, { token: cc }),
      'receive',
    );
    expect(received).toMatchObject({ version: 1, state: 'RECEIVED', centreId: null, warranty: 'IN_WARRANTY' });
    const id = received.id as string;
    const t2 = await until(id, 'OFFERED');
    expect(t2).toMatchObject({ version: 2, centreId: centres.A });

    // The partner: accept, contact, book a window already running that ends in a few seconds, assign.
    expect(ok(await gql(M.accept, { id, v: 2, key: `tk-acc-${run}` }, { token: partner }), 'accept')).toMatchObject({
      version: 3,
      state: 'ACCEPTED',
    });
    expect(ok(await gql(M.contact, { id, v: 3, key: `tk-con-${run}` }, { token: partner }), 'contact')).toMatchObject({
      version: 4,
      state: 'ACCEPTED',
    });
    const windowEnd = Date.now() + 8_000;
    const window = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(windowEnd).toISOString() };
    const booked = ok<any>(
      await gql(M.book, { id, w: window, v: 4, key: `tk-book-${run}` }, { token: partner }),
      'book',
    );
    expect(booked).toMatchObject({ version: 5, state: 'BOOKED', appointment: { no: 1 } });
    expect(
      ok(await gql(M.assign, { id, e: eng.id, v: 5, key: `tk-asg-${run}` }, { token: partner }), 'assign'),
    ).toMatchObject({
      version: 6,
      state: 'ASSIGNED',
      engineerId: eng.id,
    });
    // The engineer held the job when the window ended (or the late arrival would be nobody's).
    expect(Date.now(), 'assigned before the window ended').toBeLessThan(windowEnd);

    // Another engineer of the same centre may not check in or complete this job.
    expect(errorOf(await gql(M.checkIn, { id, v: 6 }, { token: engineers.a2.token })).code).toBe('FORBIDDEN');

    // The engineer arrives after the window's end (a late arrival, before the missed-appointment instant).
    while (Date.now() <= windowEnd + 250) await new Promise((r) => setTimeout(r, 100));
    expect(
      ok(await gql(M.checkIn, { id, v: 6, key: `tk-chk-${run}` }, { token: eng.token }), 'check in'),
    ).toMatchObject({ version: 7, state: 'ON_SITE' });
    const report = {
      workFinishedAt: new Date().toISOString(),
      checklist,
      faultCode: 'e7',
      parts: [{ partNumber: 'rf-thermostat-01', oldPartSerial: 'old-th-4711', quantity: 1 }],
      charges: [{ code: 'RF-THERMOSTAT', quantity: 1, amountFen: 0 }],
      delightNote: 'checked the freezer seal too',
    };
    expect(errorOf(await gql(M.complete, { id, r: report, v: 7 }, { token: engineers.a2.token })).code).toBe(
      'FORBIDDEN',
    );
    const completed = ok<any>(
      await gql(M.complete, { id, r: report, v: 7, key: `tk-cmp-${run}` }, { token: eng.token }),
      'complete',
    );
    expect(completed).toMatchObject({
      version: 8,
      state: 'COMPLETED',
      settlement: { status: 'PENDING', reasons: ['WAITING_FOR_CALLBACK'] },
    });

    // Quality control: the callback (call centre), then HQ's old-part return, autopsy and quality check.
    const called = ok<any>(
      await gql(M.callback, { id, a: 'SATISFIED', v: 8, key: `tk-cb-${run}` }, { token: cc }),
      'callback',
    );
    // The warranty part's old part has not come back yet: the job is held until it does.
    expect(called).toMatchObject({
      version: 9,
      state: 'CALLED_BACK',
      callback: { result: 'SATISFIED' },
      settlement: { status: 'HELD', reasons: ['OLD_PART_NOT_RETURNED'] },
    });
    expect(
      ok(await gql(M.returnPart, { id, v: 9, key: `tk-ret-${run}` }, { token: operator }), 'return'),
    ).toMatchObject({
      version: 10,
      settlement: { status: 'PENDING', reasons: ['WAITING_FOR_AUTOPSY'] },
    });
    expect(ok(await gql(M.autopsy, { id, v: 10, key: `tk-aut-${run}` }, { token: operator }), 'autopsy')).toMatchObject(
      {
        version: 11,
        settlement: { status: 'PENDING', reasons: ['WAITING_FOR_QUALITY_CHECK'] },
      },
    );
    const closed = ok<any>(
      await gql(M.quality, { id, v: 11, key: `tk-qc-${run}` }, { token: operator }),
      'quality check',
    );
    // REFRIGERATOR × REPAIR × URBAN in the default standard's labour fee table.
    expect(closed).toMatchObject({
      version: 12,
      state: 'CLOSED',
      settlement: { status: 'PAYABLE', reasons: [], feeFen: 7000 },
    });

    // The ticket as HQ reads it: the whole timeline, who did each step, the SLA clocks, the report.
    const t = ok<any>(await gql(TICKET, { id }, { token: operator }), 'ticket');
    const [ccSub, partnerSub, engSub, opSub] = [cc, partner, eng.token, operator].map(
      (tok) => JSON.parse(Buffer.from(tok.split('.')[1]!, 'base64url').toString()).sub,
    );
    expect(t.timeline.map((e: any) => [e.type, e.actor])).toEqual([
      ['RECEIVED', ccSub],
      ['DISPATCHED', 'system:lifecycle'],
      ['ACCEPTED', partnerSub],
      ['CONTACTED', partnerSub],
      ['BOOKED', partnerSub],
      ['ASSIGNED', partnerSub],
      ['CHECKED_IN', engSub],
      ['COMPLETED', engSub],
      ['CALLBACK_ATTEMPTED', ccSub],
      ['CALLED_BACK', ccSub],
      ['OLD_PART_RETURNED', opSub],
      ['AUTOPSY_RECORDED', opSub],
      ['CLOSED', opSub],
    ]);
    const times = t.timeline.map((e: any) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(JSON.parse(t.timeline[1].data)).toMatchObject({ centreId: centres.A, attempt: 1 });
    expect(t.slas.map((s: any) => [s.clock, s.status, s.ref])).toEqual([
      ['ACCEPT', 'MET', centres.A],
      ['FIRST_CONTACT', 'MET', null],
      ['ARRIVAL', 'MISSED', '1'],
      ['COMPLETION_REPORT', 'MET', null],
      ['CALLBACK', 'MET', null],
    ]);
    expect(Date.parse(t.slas[2].deadline)).toBe(windowEnd);
    expect(Date.parse(t.slas[2].doneAt)).toBeGreaterThan(windowEnd);
    expect(t.report).toMatchObject({
      checklist,
      faultCode: 'E7',
      parts: [{ partNumber: 'RF-THERMOSTAT-01', oldPartSerial: 'OLD-TH-4711', quantity: 1 }],
      charges: [{ code: 'RF-THERMOSTAT', quantity: 1, amountFen: 0 }],
      delightNote: 'checked the freezer seal too',
    });
    expect(t).toMatchObject({
      engineerId: eng.id,
      callback: { attempts: [{ answer: 'SATISFIED' }], result: 'SATISFIED' },
      autopsy: { consistent: true },
    });
    expect(t.oldPartReturnedAt).not.toBeNull();

    // The partner's pull: every change of its job in order, each once, resumable from any cursor.
    const events = [
      ['DISPATCHED'],
      ['ACCEPTED'],
      ['CONTACTED'],
      ['BOOKED'],
      ['ASSIGNED'],
      ['CHECKED_IN'],
      ['COMPLETED'],
      ['CALLBACK_ATTEMPTED', 'CALLED_BACK'],
      ['OLD_PART_RETURNED'],
      ['AUTOPSY_RECORDED'],
      ['CLOSED'],
    ];
    const all = await changesOf(partner, null, 500);
    expect(all.hasMore).toBe(false);
    const mine = all.changes.filter((c) => c.ticketId === id);
    expect(mine.map((c) => [c.version, c.events])).toEqual(events.map((e, i) => [i + 2, e]));
    expect(mine.every((c) => c.centreId === centres.A && c.ticket?.version === 12)).toBe(true);
    // Page by page, three at a time, each page resuming from the previous cursor: the same changes.
    const paged: any[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const p = await changesOf(partner, cursor, 3);
      paged.push(...p.changes);
      cursor = p.cursor;
      if (!p.hasMore) break;
    }
    expect(paged.map((c) => c.cursor)).toEqual(all.changes.map((c) => c.cursor));
    // Nothing new: the same cursor back. Resuming from a stored change's own cursor gives what follows it.
    const again = await changesOf(partner, cursor, 10);
    expect(again).toEqual({ cursor, hasMore: false, changes: [] });
    const fifth = all.changes.indexOf(mine[4]);
    const resumed = await changesOf(partner, mine[4].cursor, 500);
    expect(resumed.changes.map((c) => c.cursor)).toEqual(all.changes.slice(fifth + 1).map((c) => c.cursor));
    // The other centre of the region saw none of it.
    expect((await changesOf(partners.B, null, 500)).changes.filter((c) => c.ticketId === id)).toEqual([]);

    // The late arrival is on the engineer's licence exactly once, evidence = ticket + rule + appointment,
    // and no other rule fired (the checklist was complete, the charge within warranty was nothing).
    const lic = ok<any>(
      await gql(
        'query($id: ID!) { engineer(id: $id) { licence { pointsRemaining status ledger { code points ' +
          'evidenceKey recordedBy } } } }',
        { id: eng.id },
        { token: operator },
      ),
      'licence',
    );
    expect(lic.licence.ledger).toEqual([
      {
        code: 'LATE_ARRIVAL',
        points: -1,
        evidenceKey: `ticket:${id}:LATE_ARRIVAL:1`,
        recordedBy: 'system:lifecycle',
      },
    ]);
    expect(lic.licence).toMatchObject({ pointsRemaining: 11, status: 'NORMAL' });
    // Replaying the check-in's key returns its first result and records nothing more.
    expect(
      ok(await gql(M.checkIn, { id, v: 6, key: `tk-chk-${run}` }, { token: eng.token }), 'replayed check-in'),
    ).toMatchObject({ version: 7, state: 'ON_SITE' });
    const lic2 = ok<any>(
      await gql(
        'query($id: ID!) { engineer(id: $id) { licence { pointsRemaining ledger { code } } } }',
        { id: eng.id },
        { token: operator },
      ),
      'licence',
    );
    expect(lic2.licence).toEqual({ pointsRemaining: 11, ledger: [{ code: 'LATE_ARRIVAL' }] });
  });
});

describe('refusals through the gateway', () => {
  it('keeps another centre out: a partner can neither read nor change a job it does not hold', async () => {
    const t = await offered(OTHER_REGION);
    expect(t.centreId).toBe(centres.E);
    for (const [what, res] of [
      ['read', await gql(TICKET, { id: t.id }, { token: partners.A })],
      ['accept', await gql(M.accept, { id: t.id, v: 2, key: `tk-steal-${run}` }, { token: partners.A })],
      [
        'push',
        await gql(
          M.push,
          { u: [{ idempotencyKey: `tk-steal-push-${run}`, ticketId: t.id, version: 2, action: 'ACCEPT' }] },
          { token: partners.A },
        ),
      ],
    ] as const) {
      if (what === 'push') {
        expect(ok<any[]>(res, what)[0]).toMatchObject({ ok: false, ticket: null, error: { code: 'FORBIDDEN' } });
      } else expect(errorOf(res).code, what).toBe('FORBIDDEN');
    }
    // An id that doesn't exist looks the same to a partner.
    expect(errorOf(await gql(TICKET, { id: 'T-does-not-exist' }, { token: partners.A })).code).toBe('FORBIDDEN');
    expect(await until(t.id, 'OFFERED')).toMatchObject({ version: 2, centreId: centres.E });
  });

  it('refuses a step out of order naming the state, a stale version, and a replayed key with another payload; a replay returns the first result', async () => {
    const t = await offered(OTHER_REGION);
    const id = t.id as string;
    const p = partners.E;
    const outOfOrder = errorOf(await gql(M.checkIn, { id, v: 2 }, { token: p }));
    expect(outOfOrder).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'OFFERED', currentVersion: 2 });
    expect(outOfOrder.message).toContain('OFFERED');
    expect(errorOf(await gql(M.accept, { id, v: 1 }, { token: p }))).toMatchObject({
      code: 'CONFLICT',
      currentState: 'OFFERED',
      currentVersion: 2,
    });

    const first = ok<any>(await gql(M.accept, { id, v: 2, key: `tk-acc-e-${run}` }, { token: p }), 'accept');
    expect(first).toMatchObject({ version: 3, state: 'ACCEPTED' });
    const w1 = windowAt(hours(24));
    const booked = ok<any>(await gql(M.book, { id, w: w1, v: 3, key: `tk-book-e-${run}` }, { token: p }), 'book');
    expect(booked).toMatchObject({ version: 4, state: 'BOOKED' });
    // The ticket moved on; the replays still answer with their first results and change nothing.
    expect(ok(await gql(M.accept, { id, v: 2, key: `tk-acc-e-${run}` }, { token: p }), 'replay accept')).toEqual(first);
    expect(ok(await gql(M.book, { id, w: w1, v: 3, key: `tk-book-e-${run}` }, { token: p }), 'replay book')).toEqual(
      booked,
    );
    const other = errorOf(
      await gql(M.book, { id, w: windowAt(hours(26)), v: 3, key: `tk-book-e-${run}` }, { token: p }),
    );
    expect(other.code).toBe('CONFLICT');
    expect(other.message).toContain('idempotency');
    // A stale version now.
    expect(errorOf(await gql(M.contact, { id, v: 3 }, { token: p }))).toMatchObject({
      code: 'CONFLICT',
      currentState: 'BOOKED',
      currentVersion: 4,
    });
    const now = ok<any>(await gql(TICKET, { id }, { token: p }), 'ticket');
    expect(now).toMatchObject({
      version: 4,
      state: 'BOOKED',
      appointment: { no: 1, from: new Date(w1.from).toISOString() },
    });
    expect(now.timeline.map((e: any) => e.type)).toEqual(['RECEIVED', 'DISPATCHED', 'ACCEPTED', 'CONTACTED', 'BOOKED']);

    // An engineer may complete only a job assigned to them.
    ok(await gql(M.assign, { id, e: engineers.e1.id, v: 4 }, { token: p }), 'assign');
    ok(await gql(M.checkIn, { id, v: 5 }, { token: engineers.e1.token }), 'check in');
    const report = { workFinishedAt: new Date().toISOString(), checklist, faultCode: 'E1' };
    expect(errorOf(await gql(M.complete, { id, r: report, v: 6 }, { token: engineers.e2.token })).code).toBe(
      'FORBIDDEN',
    );
    expect(errorOf(await gql(M.complete, { id, r: report, v: 6 }, { token: engineers.a1.token })).code).toBe(
      'FORBIDDEN',
    );
    expect(ok(await gql(TICKET, { id }, { token: operator }), 'ticket')).toMatchObject({
      version: 6,
      state: 'ON_SITE',
      report: null,
    });
  });

  it('applies a pushed batch in order, one result per update, a bad update failing alone', async () => {
    const t = await offered(OTHER_REGION);
    const id = t.id as string;
    const key = (n: string) => `tk-push-${run}-${n}`;
    const updates = [
      { idempotencyKey: key('1'), ticketId: id, version: 2, action: 'ACCEPT' },
      { idempotencyKey: key('2'), ticketId: id, version: 2, action: 'CONTACT' },
      { idempotencyKey: key('3'), ticketId: id, version: 3, action: 'CHECK_IN' },
      { idempotencyKey: key('4'), ticketId: id, version: 3, action: 'BOOK', window: windowAt(hours(30)) },
      { idempotencyKey: key('5'), ticketId: id, version: 4, action: 'ASSIGN', engineerId: engineers.e1.id },
    ];
    const results = ok<any[]>(await gql(M.push, { u: updates }, { token: partners.E }), 'push');
    expect(
      results.map((r) => [
        r.index,
        r.idempotencyKey,
        r.ok,
        r.ticket?.version ?? null,
        r.ticket?.state ?? null,
        r.error?.code ?? null,
        r.error?.currentState ?? null,
      ]),
    ).toEqual([
      [0, key('1'), true, 3, 'ACCEPTED', null, null],
      [1, key('2'), false, null, null, 'CONFLICT', 'ACCEPTED'],
      [2, key('3'), false, null, null, 'INVALID_TRANSITION', 'ACCEPTED'],
      // Booking records the first contact too: one change, one version.
      [3, key('4'), true, 4, 'BOOKED', null, null],
      [4, key('5'), true, 5, 'ASSIGNED', null, null],
    ]);
    expect(results[1].error.currentVersion).toBe(3);
    // Pushing the same batch again changes nothing: each update answers as it did the first time.
    const again = ok<any[]>(await gql(M.push, { u: updates }, { token: partners.E }), 'push again');
    expect(again.map((r) => [r.ok, r.ticket?.version ?? null])).toEqual(
      results.map((r) => [r.ok, r.ticket?.version ?? null]),
    );
    const now = ok<any>(await gql(TICKET, { id }, { token: operator }), 'ticket');
    expect(now).toMatchObject({ version: 5, state: 'ASSIGNED', engineerId: engineers.e1.id });
    expect(now.timeline.map((e: any) => e.type)).toEqual([
      'RECEIVED',
      'DISPATCHED',
      'ACCEPTED',
      'CONTACTED',
      'BOOKED',
      'ASSIGNED',
    ]);
  });
});

describe('one centre can neither see nor harm another', () => {
  const LEDGER = 'query($id: ID!) { engineer(id: $id) { licence { ledger { evidenceKey } } } }';
  const ledgerOf = async (engineerId: string) =>
    ok<any>(await gql(LEDGER, { id: engineerId }, { token: operator }), 'ledger').licence.ledger;

  it('partner A replaying partner E’s exact request with E’s key is FORBIDDEN, shows no data and changes nothing — also under one shared subject', async () => {
    const t = await offered(OTHER_REGION);
    ok(await gql(M.accept, { id: t.id, v: 2 }, { token: partners.E }), 'accept');
    const request = { id: t.id, w: windowAt(hours(24)), v: 3, key: `tk-replay-book-${run}` };
    expect(ok(await gql(M.book, request, { token: partners.E }), 'book')).toMatchObject({
      version: 4,
      state: 'BOOKED',
    });
    const stolen = await gql(M.book, request, { token: partners.A });
    expect(stolen.codes).toEqual(['FORBIDDEN']);
    expect(stolen.data?.bookAppointment ?? null).toBeNull();
    expect(JSON.stringify(stolen)).not.toContain('王芳');
    // A dealer group's one integration account (one subject) serving both centres.
    const sub = `dealer-${run}`;
    const [dealerE, dealerA] = [
      await tokenFor('PARTNER', { centreId: centres.E, sub }),
      await tokenFor('PARTNER', { centreId: centres.A, sub }),
    ];
    const rebook = { id: t.id, w: windowAt(hours(25)), v: 4, key: `tk-dealer-book-${run}` };
    expect(ok(await gql(M.book, rebook, { token: dealerE }), 'dealer book')).toMatchObject({ version: 5 });
    const crossed = await gql(M.book, rebook, { token: dealerA });
    expect(crossed.codes).toEqual(['FORBIDDEN']);
    expect(crossed.data?.bookAppointment ?? null).toBeNull();
    expect(ok(await gql(TICKET, { id: t.id }, { token: operator }), 'ticket')).toMatchObject({
      version: 5,
      state: 'BOOKED',
      centreId: centres.E,
    });
  });

  it('engineer B replaying engineer A’s checkIn with A’s key is FORBIDDEN and changes nothing', async () => {
    const t = await offered(OTHER_REGION);
    ok(await gql(M.accept, { id: t.id, v: 2 }, { token: partners.E }), 'accept');
    ok(await gql(M.book, { id: t.id, w: windowAt(hours(24)), v: 3 }, { token: partners.E }), 'book');
    ok(await gql(M.assign, { id: t.id, e: engineers.e1.id, v: 4 }, { token: partners.E }), 'assign');
    const request = { id: t.id, v: 5, key: `tk-replay-chk-${run}` };
    expect(ok(await gql(M.checkIn, request, { token: engineers.e1.token }), 'check in')).toMatchObject({
      version: 6,
      state: 'ON_SITE',
    });
    for (const other of [engineers.e2, engineers.a1]) {
      const replay = await gql(M.checkIn, request, { token: other.token });
      expect(replay.codes).toEqual(['FORBIDDEN']);
      expect(replay.data?.checkIn ?? null).toBeNull();
    }
    expect(ok(await gql(TICKET, { id: t.id }, { token: operator }), 'ticket')).toMatchObject({
      version: 6,
      state: 'ON_SITE',
      engineerId: engineers.e1.id,
    });
  });

  it('a partner cannot assign another centre’s engineer, so cannot cost it licence points', async () => {
    const t = await offered(OTHER_REGION);
    ok(await gql(M.accept, { id: t.id, v: 2 }, { token: partners.E }), 'accept');
    ok(await gql(M.book, { id: t.id, w: windowAt(hours(24)), v: 3 }, { token: partners.E }), 'book');
    const before = await ledgerOf(engineers.a1.id);
    const res = await gql(
      M.assign,
      { id: t.id, e: engineers.a1.id, v: 4, key: `tk-foreign-asg-${run}` },
      { token: partners.E },
    );
    expect(res.codes).toEqual(['FORBIDDEN']);
    const pushed = ok<any[]>(
      await gql(
        M.push,
        {
          u: [
            {
              idempotencyKey: `tk-foreign-push-${run}`,
              ticketId: t.id,
              version: 4,
              action: 'ASSIGN',
              engineerId: engineers.a1.id,
            },
          ],
        },
        { token: partners.E },
      ),
      'push',
    );
    expect(pushed[0]).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(ok(await gql(TICKET, { id: t.id }, { token: operator }), 'ticket')).toMatchObject({
      version: 4,
      state: 'BOOKED',
      engineerId: null,
    });
    expect(await ledgerOf(engineers.a1.id)).toEqual(before);
  });

  it('a step without version is a schema error (BAD_USER_INPUT) and writes nothing', async () => {
    const t = await offered(OTHER_REGION);
    const res = await gql(
      'mutation($id: ID!) { acceptJob(id: $id, idempotencyKey: "no-version-1") { id version } }',
      { id: t.id },
      { token: partners.E },
    );
    expect(res.codes).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toContain('version');
    const pushed = await gql(
      M.push,
      { u: [{ idempotencyKey: `tk-nover-${run}`, ticketId: t.id, action: 'ACCEPT' }] },
      { token: partners.E },
    );
    expect(pushed.codes).toEqual(['BAD_USER_INPUT']);
    expect(ok(await gql(TICKET, { id: t.id }, { token: operator }), 'ticket')).toMatchObject({
      version: 2,
      state: 'OFFERED',
    });
  });
});

describe('walk-in intake by a partner', () => {
  it('gives the job to the receiving centre at once, accepted with the first contact, without dispatch', async () => {
    const t = ok<any>(
      await gql(M.receive, { input: intake(OTHER_REGION), key: `tk-walkin-${run}` }, { token: partners.B }),
      'walk-in',
    );
    // Region OTHER_REGION is centre E's only: a dispatch could never have chosen B.
    expect(t).toMatchObject({ version: 1, state: 'ACCEPTED', centreId: centres.B, warranty: 'IN_WARRANTY' });
    const { changes } = await changesOf(partners.B, null, 500);
    expect(changes.filter((c) => c.ticketId === t.id).map((c) => [c.version, c.state, c.events])).toEqual([
      [1, 'ACCEPTED', ['RECEIVED', 'ACCEPTED', 'CONTACTED']],
    ]);
    // The centre runs it like any accepted job: books the bench slot and assigns its engineer.
    const engineer = await registerEngineer(centres.B, 'Zheng Shi');
    const booked = ok<any>(await gql(M.book, { id: t.id, w: windowAt(hours(1)), v: 1 }, { token: partners.B }), 'book');
    expect(booked).toMatchObject({ version: 2, state: 'BOOKED' });
    expect(ok(await gql(M.assign, { id: t.id, e: engineer.id, v: 2 }, { token: partners.B }), 'assign')).toMatchObject({
      version: 3,
      state: 'ASSIGNED',
      engineerId: engineer.id,
    });
    const now = ok<any>(await gql(TICKET, { id: t.id }, { token: operator }), 'ticket');
    expect(now.timeline.map((e: any) => e.type)).toEqual(['RECEIVED', 'ACCEPTED', 'CONTACTED', 'BOOKED', 'ASSIGNED']);
    expect(now.slas.map((s: any) => s.clock)).not.toContain('ACCEPT');
    // Centre E, the only one dispatch could choose for this region, never heard of it.
    expect((await changesOf(partners.E, null, 500)).changes.filter((c) => c.ticketId === t.id)).toEqual([]);
  });

  it('is refused to a centre that takes no new jobs, and to an engineer', async () => {
    const onboarding = await tokenFor('PARTNER', { centreId: centres.ONBOARDING });
    expect(errorOf(await gql(M.receive, { input: intake(REGION) }, { token: onboarding })).code).toBe('FORBIDDEN');
    expect(errorOf(await gql(M.receive, { input: intake(REGION) }, { token: engineers.a1.token })).code).toBe(
      'FORBIDDEN',
    );
  });
});
