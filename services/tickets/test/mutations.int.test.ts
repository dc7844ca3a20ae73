import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import {
  DEFAULT_TICKET_POLICY,
  Q,
  as,
  expectError,
  expectOk,
  intake,
  startHarness,
  type Harness,
} from './graphql-support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('tickets_mutations');
});
afterAll(async () => {
  await h.db.close();
});

const MIN = 60_000;
const tick = (minutes = 1) => {
  h.clock.now = new Date(h.clock.now.getTime() + minutes * MIN);
  return h.clock.now;
};
const later = (minutes: number) => new Date(h.clock.now.getTime() + minutes * MIN).toISOString();
const REQUIRED = DEFAULT_TICKET_POLICY.requiredSteps;
const partner = (centre = 'centre-1') => as.partner(centre);
const engineer = (id = 'eng-1') => as.engineer(id);

async function ok(claims: Claims | null, source: string, variables: Record<string, unknown>) {
  tick();
  const data = expectOk(await h.run(claims, source, variables));
  return Object.values(data)[0] as Record<string, any>;
}

/** Runs a request that must be refused with `code`, and proves it wrote nothing. */
async function refused(claims: Claims | null, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const error = expectError(await h.run(claims, source, variables), code);
  expect(await h.snapshot()).toBe(before);
  return error;
}

const report = (over: Record<string, unknown> = {}) => ({
  workFinishedAt: later(0),
  checklist: [...REQUIRED, 'DIAGNOSE', 'REPAIR'],
  faultCode: 'e1',
  parts: [],
  charges: [],
  ...over,
});

type Stage =
  'RECEIVED' | 'OFFERED' | 'ACCEPTED' | 'BOOKED' | 'ASSIGNED' | 'ON_SITE' | 'COMPLETED' | 'CALLED_BACK' | 'CLOSED';

/** A ticket driven through GraphQL to `until`, by the roles that do each step. */
async function ticketAt(until: Stage, o: { centre?: string; engineerId?: string } = {}) {
  const centre = o.centre ?? 'centre-1';
  const engineerId = o.engineerId ?? 'eng-1';
  h.engineers.set(engineerId, centre);
  let t = await ok(as.callCentre(), Q.receive, { input: intake() });
  const steps: [Stage, Claims, string, Record<string, unknown>][] = [
    ['OFFERED', as.operator(), Q.dispatch, { centreId: centre }],
    ['ACCEPTED', partner(centre), Q.accept, {}],
    ['BOOKED', partner(centre), Q.book, { window: { from: later(24 * 60), to: later(26 * 60) } }],
    ['ASSIGNED', partner(centre), Q.assign, { engineerId }],
    ['ON_SITE', engineer(engineerId), Q.checkIn, {}],
    ['COMPLETED', engineer(engineerId), Q.complete, {}],
    ['CALLED_BACK', as.callCentre(), Q.callback, { answer: 'SATISFIED' }],
    ['CLOSED', as.operator(), Q.qualityCheck, {}],
  ];
  if (until === 'RECEIVED') return t;
  for (const [stage, claims, source, vars] of steps) {
    if (stage === 'ON_SITE') h.clock.now = new Date(new Date(t.appointment.from).getTime() + 10 * MIN);
    const v = stage === 'COMPLETED' ? { report: report() } : vars;
    t = await ok(claims, source, { id: t.id, version: t.version, ...v });
    expect(t.state).toBe(stage);
    if (stage === until) return t;
  }
  return t;
}

describe('receiveTicket', () => {
  it('records a RECEIVED ticket at version 1 under the standard in force and starts its lifecycle', async () => {
    const t = await ok(as.callCentre(), Q.receive, { input: intake({ serialNumber: ' ac-2026-lower ' }) });
    expect(t).toMatchObject({
      version: 1,
      state: 'RECEIVED',
      standardVersionId: DEFAULT_TICKET_POLICY.standardVersionId,
      warranty: 'IN_WARRANTY',
      centreId: null,
      engineerId: null,
      product: { serialNumber: 'AC-2026-LOWER' },
      settlement: { status: 'PENDING' },
    });
    expect(t.number).toMatch(/^T20261012\d{6}$/);
    expect(t.timeline).toEqual([expect.objectContaining({ type: 'RECEIVED', actor: 'agent-1' })]);
    expect(h.lifecycle.started).toContain(t.id);
  });

  it.each([
    ['input.customer.phone', { customer: { name: 'A', phone: '12345', address: 'x', regionCode: '310115' } }],
    ['input.customer.regionCode', { customer: { name: 'A', phone: '13800138000', address: 'x', regionCode: '31011' } }],
    ['input.serialNumber', { serialNumber: 'bad serial!' }],
    ['input.productLine', { productLine: 'SPACESHIP' }],
    ['input.faultDescription', { faultDescription: 'x'.repeat(2001) }],
    [
      'input.customer.address',
      { customer: { name: 'A', phone: '13800138000', address: 'y'.repeat(301), regionCode: '310115' } },
    ],
    ['input.purchaseDate', { purchaseDate: '2030-01-01T00:00:00Z' }],
  ])('refuses a malformed %s and writes nothing', async (field, over) => {
    const error = await refused(as.callCentre(), Q.receive, { input: intake(over) }, 'BAD_USER_INPUT');
    expect(error.extensions['field']).toBe(field);
    expect(error.message.startsWith(field)).toBe(true);
  });

  it('lets a partner receive a walk-in at its own centre: ACCEPTED at once with the first contact, not dispatched, in its feed', async () => {
    const walkIn = partner('centre-x3');
    const input = intake();
    const t = await ok(walkIn, Q.receive, { input, key: 'walk-in-0001' });
    expect(t).toMatchObject({
      version: 1,
      state: 'ACCEPTED',
      centreId: 'centre-x3',
      engineerId: null,
      settlement: { status: 'PENDING' },
    });
    expect(t.timeline.map((e: any) => [e.type, e.actor])).toEqual([
      ['RECEIVED', 'partner-centre-x3'],
      ['ACCEPTED', 'partner-centre-x3'],
      ['CONTACTED', 'partner-centre-x3'],
    ]);
    expect(JSON.parse(t.timeline[0].data)).toMatchObject({ walkInCentreId: 'centre-x3' });
    // No acceptance clock ran, and the first contact is made at the counter.
    expect(t.slas.map((s: any) => [s.clock, s.status])).toEqual([['FIRST_CONTACT', 'MET']]);
    expect(h.lifecycle.started).toContain(t.id);
    const feed = await ok(walkIn, Q.changes, { since: null });
    expect(feed.changes.map((c: any) => [c.ticketId, c.version, c.state, c.centreId, c.events])).toEqual([
      [t.id, 1, 'ACCEPTED', 'centre-x3', ['RECEIVED', 'ACCEPTED', 'CONTACTED']],
    ]);
    // A replay returns the same ticket; from here it is any accepted job of the centre.
    expect(await ok(walkIn, Q.receive, { input, key: 'walk-in-0001' })).toMatchObject({
      id: t.id,
      version: 1,
      state: 'ACCEPTED',
    });
    const booked = await ok(walkIn, Q.book, { id: t.id, version: 1, window: { from: later(30), to: later(120) } });
    expect(booked).toMatchObject({ version: 2, state: 'BOOKED' });
    expect(booked.timeline.map((e: any) => e.type)).toEqual(['RECEIVED', 'ACCEPTED', 'CONTACTED', 'BOOKED']);
    // Another centre doesn't see it.
    await refused(partner('centre-x2'), Q.ticket, { id: t.id }, 'FORBIDDEN');
  });

  it('refuses a walk-in at a centre that is not ACTIVE or unknown, and one from a partner token without a centre, writing nothing', async () => {
    await refused(partner('centre-sus'), Q.receive, { input: intake() }, 'FORBIDDEN');
    await refused(partner('centre-unknown'), Q.receive, { input: intake() }, 'FORBIDDEN');
    await refused({ sub: 'partner-nowhere', roles: ['PARTNER'] }, Q.receive, { input: intake() }, 'FORBIDDEN');
    // Input is checked as for any intake.
    const error = await refused(
      partner('centre-x3'),
      Q.receive,
      { input: intake({ serialNumber: 'bad serial!' }) },
      'BAD_USER_INPUT',
    );
    expect(error.extensions['field']).toBe('input.serialNumber');
  });

  it.each([
    ['ENGINEER', engineer(), 'FORBIDDEN'],
    ['FINANCE', as.finance(), 'FORBIDDEN'],
    ['anonymous', null, 'UNAUTHENTICATED'],
  ] as const)('refuses %s', async (_, claims, code) => {
    await refused(claims, Q.receive, { input: intake() }, code);
  });

  it('is idempotent by key: a replay returns the first ticket; the key with another request is a CONFLICT', async () => {
    const input = intake();
    const first = await ok(as.callCentre(), Q.receive, { input, key: 'intake-0001' });
    const before = await h.snapshot();
    const again = expectOk(await h.run(as.callCentre(), Q.receive, { input, key: 'intake-0001' })).receiveTicket;
    expect(again).toEqual(first);
    expect(await h.snapshot()).toBe(before);
    const error = await refused(
      as.callCentre(),
      Q.receive,
      { input: { ...input, model: 'OTHER' }, key: 'intake-0001' },
      'CONFLICT',
    );
    expect(error.message).toMatch(/idempotencyKey/);
    await refused(as.callCentre(), Q.receive, { input, key: 'bad key!' }, 'BAD_USER_INPUT');
  });
});

describe('a job end to end through the mutations', () => {
  it('is received, dispatched, accepted, booked, assigned, visited, completed, called back and closed', async () => {
    const t = await ticketAt('CLOSED');
    expect(t).toMatchObject({
      state: 'CLOSED',
      version: 9,
      centreId: 'centre-1',
      engineerId: 'eng-1',
      settlement: { status: 'PAYABLE', reasons: [] },
    });
    expect(t.settlement.feeFen).toBeGreaterThan(0);
    expect(t.timeline.map((e: { type: string }) => e.type)).toEqual(
      [
        'RECEIVED',
        'DISPATCHED',
        'ACCEPTED',
        'CONTACTED',
        'BOOKED',
        'ASSIGNED',
        'CHECKED_IN',
        'COMPLETED',
        'CALLBACK_ATTEMPTED',
        'CALLED_BACK',
        'CLOSED',
      ].filter((type) => t.timeline.some((e: { type: string }) => e.type === type)),
    );
    expect(t.slas.map((s: { clock: string; status: string }) => `${s.clock}:${s.status}`)).toEqual(
      expect.arrayContaining([
        'ACCEPT:MET',
        'FIRST_CONTACT:MET',
        'ARRIVAL:MET',
        'COMPLETION_REPORT:MET',
        'CALLBACK:MET',
      ]),
    );
    expect(JSON.parse(t.timeline[1].data)).toMatchObject({ centreId: 'centre-1' });
  });

  it('opens a complaint on an UNSATISFIED callback and holds the settlement', async () => {
    const t = await ticketAt('COMPLETED');
    const after = await ok(as.callCentre(), Q.callback, { id: t.id, answer: 'UNSATISFIED', version: t.version });
    expect(after.settlement).toEqual({ status: 'HELD', reasons: ['CALLBACK_UNSATISFIED'], feeFen: null });
    expect(after.complaints).toEqual([
      expect.objectContaining({ id: `${t.id}:callback`, state: 'OPEN', responseSla: { status: 'PENDING' } }),
    ]);
  });
});

describe('every step is authorised', () => {
  it('a partner changes only its own centre’s jobs; unknown ids are FORBIDDEN to it and NOT_FOUND to HQ', async () => {
    const t = await ticketAt('OFFERED');
    await refused(partner('centre-2'), Q.accept, { id: t.id, version: t.version }, 'FORBIDDEN');
    await refused(partner('centre-2'), Q.accept, { id: 'T-does-not-exist', version: 1 }, 'FORBIDDEN');
    await refused(as.operator(), Q.accept, { id: 'T-does-not-exist', version: 1 }, 'NOT_FOUND');
    await refused(as.callCentre(), Q.accept, { id: t.id, version: t.version }, 'FORBIDDEN');
    await refused(null, Q.accept, { id: t.id, version: t.version }, 'UNAUTHENTICATED');
    await refused(partner('centre-1'), Q.dispatch, { id: t.id, centreId: 'centre-1', version: t.version }, 'FORBIDDEN');
  });

  it('an engineer checks in and completes only jobs assigned to it', async () => {
    const t = await ticketAt('ASSIGNED', { engineerId: 'eng-7' });
    h.clock.now = new Date(new Date(t.appointment.from).getTime() + 5 * MIN);
    await refused(engineer('eng-8'), Q.checkIn, { id: t.id, version: t.version }, 'FORBIDDEN');
    const on = await ok(engineer('eng-7'), Q.checkIn, { id: t.id, version: t.version });
    await refused(engineer('eng-8'), Q.complete, { id: on.id, version: on.version, report: report() }, 'FORBIDDEN');
    await refused(engineer('eng-8'), Q.cancel, { id: on.id, version: on.version, reason: 'no' }, 'FORBIDDEN');
    await refused(partner('centre-2'), Q.complete, { id: on.id, version: on.version, report: report() }, 'FORBIDDEN');
  });

  it('manual dispatch goes only to a centre the network knows and that takes work', async () => {
    const t = await ticketAt('RECEIVED');
    const missing = await refused(
      as.operator(),
      Q.dispatch,
      { id: t.id, centreId: 'centre-404', version: 1 },
      'NOT_FOUND',
    );
    expect(missing.extensions['field']).toBe('centreId');
    const suspended = await refused(
      as.operator(),
      Q.dispatch,
      { id: t.id, centreId: 'centre-sus', version: 1 },
      'BAD_USER_INPUT',
    );
    expect(suspended.message).toMatch(/SUSPENDED/);
  });
});

describe('every record a step names is authorised, not only the ticket', () => {
  const window = () => ({ window: { from: later(24 * 60), to: later(26 * 60) } });
  // [mutation, the stage its job must be at, its other arguments]: each tried by the centre that does not hold the job.
  const CENTRE_STEPS: [string, Stage, () => Record<string, unknown>][] = [
    [Q.accept, 'OFFERED', () => ({})],
    [Q.refuse, 'OFFERED', () => ({ reason: 'busy' })],
    [Q.contact, 'ACCEPTED', () => ({})],
    [Q.book, 'ACCEPTED', window],
    [Q.assign, 'BOOKED', () => ({ engineerId: 'eng-1' })],
    [Q.checkIn, 'ASSIGNED', () => ({})],
    [Q.complete, 'ON_SITE', () => ({ report: report() })],
  ];
  it.each(CENTRE_STEPS.map(([q, stage, args]) => [q.match(/\{ (\w+)\(/)![1], q, stage, args] as const))(
    '%s: another centre’s job is FORBIDDEN and nothing is written',
    async (_name, q, stage, args) => {
      const t = await ticketAt(stage);
      if (stage === 'ON_SITE') h.clock.now = new Date(new Date(t.appointment.from).getTime() + 20 * MIN);
      await refused(partner('centre-2'), q, { id: t.id, version: t.version, ...args() }, 'FORBIDDEN');
    },
  );

  it('HQ-only steps are FORBIDDEN even to the partner holding the job', async () => {
    const t = await ticketAt('BOOKED');
    for (const [q, args] of [
      [Q.dispatch, { centreId: 'centre-1' }],
      [Q.callback, { answer: 'SATISFIED' }],
      [Q.returnOldPart, {}],
      [Q.autopsy, { consistent: true, note: 'ok' }],
      [Q.qualityCheck, {}],
      [Q.cancel, { reason: 'no' }],
    ] as const) {
      await refused(partner(), q, { id: t.id, version: t.version, ...args }, 'FORBIDDEN');
    }
  });

  it('assignEngineer takes only an engineer of the centre holding the job: no other centre’s engineer, no licence points lost', async () => {
    h.engineers.set('eng-of-2', 'centre-2');
    const t = await ticketAt('BOOKED');
    const entries = h.licences.entries.size;
    await refused(partner(), Q.assign, { id: t.id, version: t.version, engineerId: 'eng-of-2' }, 'FORBIDDEN');
    // Whether the engineer exists or not is not told to a partner.
    await refused(partner(), Q.assign, { id: t.id, version: t.version, engineerId: 'eng-nobody' }, 'FORBIDDEN');
    const hq = await refused(
      as.operator(),
      Q.assign,
      { id: t.id, version: t.version, engineerId: 'eng-of-2' },
      'BAD_USER_INPUT',
    );
    expect(hq).toMatchObject({
      message: 'engineerId: engineer eng-of-2 works for another centre than the one holding the job (centre-1)',
      extensions: { field: 'engineerId' },
    });
    expect(
      (await refused(as.operator(), Q.assign, { id: t.id, version: t.version, engineerId: 'eng-nobody' }, 'NOT_FOUND'))
        .extensions['field'],
    ).toBe('engineerId');
    await refused(partner(), Q.assign, { id: t.id, version: t.version, engineerId: 'not an id!' }, 'BAD_USER_INPUT');
    const pushed = expectOk(
      await h.run(partner(), Q.push, {
        updates: [
          {
            idempotencyKey: 'push-foreign-eng',
            ticketId: t.id,
            version: t.version,
            action: 'ASSIGN',
            engineerId: 'eng-of-2',
          },
        ],
      }),
    ).pushJobUpdates;
    expect(pushed[0]).toMatchObject({ ok: false, ticket: null, error: { code: 'FORBIDDEN' } });
    expect(h.licences.entries.size).toBe(entries);
    expect((await ok(partner(), Q.assign, { id: t.id, version: t.version, engineerId: 'eng-1' })).engineerId).toBe(
      'eng-1',
    );
  });

  it('dispatchTicket names an ACTIVE centre serving the job’s region and product line', async () => {
    const t = await ticketAt('RECEIVED');
    const far = await refused(
      as.operator(),
      Q.dispatch,
      { id: t.id, centreId: 'centre-far', version: 1 },
      'BAD_USER_INPUT',
    );
    expect(far).toMatchObject({
      message: 'centreId: centre FAR does not serve region 310115',
      extensions: { field: 'centreId' },
    });
    const wm = await refused(
      as.operator(),
      Q.dispatch,
      { id: t.id, centreId: 'centre-wm', version: 1 },
      'BAD_USER_INPUT',
    );
    expect(wm.message).toBe('centreId: centre WM does not serve AIR_CONDITIONER');
    await refused(as.operator(), Q.dispatch, { id: t.id, centreId: 'bad id!', version: 1 }, 'BAD_USER_INPUT');
  });
});

describe('a replayed key answers only the caller who sent it, and only while it may see the record', () => {
  it('partner B sending partner A’s exact request with A’s key is FORBIDDEN, gets no data and changes nothing', async () => {
    const t = await ticketAt('ACCEPTED');
    const args = {
      id: t.id,
      version: t.version,
      window: { from: later(24 * 60), to: later(26 * 60) },
      key: 'book-replayed-1',
    };
    await ok(partner(), Q.book, args);
    const before = await h.snapshot();
    const replay = await h.run(partner('centre-2'), Q.book, args);
    expect(replay.data).toBeNull();
    expect(replay.errors.map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect(await h.snapshot()).toBe(before);
  });

  it('one integration account (one subject) serving two centres: the key at centre B never returns centre A’s ticket', async () => {
    const dealer = (centreId: string): Claims => ({ sub: 'dealer-group', roles: ['PARTNER'], centreId });
    const t = await ticketAt('OFFERED');
    const first = await ok(dealer('centre-1'), Q.accept, { id: t.id, version: t.version, key: 'dealer-accept-1' });
    expect(first.state).toBe('ACCEPTED');
    await refused(dealer('centre-2'), Q.accept, { id: t.id, version: t.version, key: 'dealer-accept-1' }, 'FORBIDDEN');
    // Walk-ins with the same key at each centre are two jobs, each its own centre's.
    const input = intake();
    const a = await ok(dealer('centre-1'), Q.receive, { input, key: 'dealer-walkin-1' });
    const b = await ok(dealer('centre-2'), Q.receive, { input, key: 'dealer-walkin-1' });
    expect([a.centreId, b.centreId]).toEqual(['centre-1', 'centre-2']);
    expect(b.id).not.toBe(a.id);
  });

  it('engineer B replaying engineer A’s checkIn with A’s key is FORBIDDEN and changes nothing', async () => {
    const t = await ticketAt('ASSIGNED', { engineerId: 'eng-r1' });
    h.clock.now = new Date(new Date(t.appointment.from).getTime() + 5 * MIN);
    await ok(engineer('eng-r1'), Q.checkIn, { id: t.id, version: t.version, key: 'checkin-replayed-1' });
    await refused(
      engineer('eng-r2'),
      Q.checkIn,
      { id: t.id, version: t.version, key: 'checkin-replayed-1' },
      'FORBIDDEN',
    );
  });
});

describe('malformed and out-of-range input is refused with the field named, and writes nothing', () => {
  it('ids, versions and keys', async () => {
    const t = await ticketAt('OFFERED');
    expect(
      (await refused(partner(), Q.accept, { id: 'has spaces!', version: 1 }, 'BAD_USER_INPUT')).extensions['field'],
    ).toBe('id');
    expect((await refused(partner(), Q.accept, { id: t.id, version: 0 }, 'BAD_USER_INPUT')).extensions['field']).toBe(
      'version',
    );
    expect((await refused(partner(), Q.accept, { id: t.id, version: -3 }, 'BAD_USER_INPUT')).extensions['field']).toBe(
      'version',
    );
    expect(
      (await refused(partner(), Q.accept, { id: t.id, version: t.version, key: 'short' }, 'BAD_USER_INPUT')).extensions[
        'field'
      ],
    ).toBe('idempotencyKey');
  });

  it('reasons and appointment windows', async () => {
    const t = await ticketAt('OFFERED');
    expect(
      (await refused(partner(), Q.refuse, { id: t.id, version: t.version, reason: 'x'.repeat(501) }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('reason');
    expect(
      (await refused(partner(), Q.refuse, { id: t.id, version: t.version, reason: '   ' }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('reason');
    const a = await ok(partner(), Q.accept, { id: t.id, version: t.version });
    const past = await refused(
      partner(),
      Q.book,
      { id: a.id, version: a.version, window: { from: later(-600), to: later(-500) } },
      'BAD_USER_INPUT',
    );
    expect(past.extensions['field']).toBe('window.from');
    const long = await refused(
      partner(),
      Q.book,
      { id: a.id, version: a.version, window: { from: later(60), to: later(60 * 20) } },
      'BAD_USER_INPUT',
    );
    expect(long.extensions['field']).toBe('window.to');
    const far = await refused(
      partner(),
      Q.book,
      { id: a.id, version: a.version, window: { from: later(60 * 24 * 400), to: later(60 * 24 * 400 + 60) } },
      'BAD_USER_INPUT',
    );
    expect(far.extensions['field']).toBe('window.from');
  });

  it.each([
    ['report.checklist[0]', { checklist: ['NOT_A_STEP'] }],
    ['report.parts[0].quantity', { parts: [{ partNumber: 'P-100', oldPartSerial: 'OLD-1234', quantity: -1 }] }],
    ['report.parts[0].quantity', { parts: [{ partNumber: 'P-100', oldPartSerial: 'OLD-1234', quantity: 5000 }] }],
    ['report.parts[0].oldPartSerial', { parts: [{ partNumber: 'P-100', oldPartSerial: '!', quantity: 1 }] }],
    ['report.charges[0].amountFen', { charges: [{ code: 'AC-LABOUR', quantity: 1, amountFen: -100 }] }],
    ['report.charges[0].amountFen', { charges: [{ code: 'AC-LABOUR', quantity: 1, amountFen: 999_999_999 }] }],
    ['report.charges[0].code', { charges: [{ code: 'NO-SUCH-ITEM', quantity: 1, amountFen: 100 }] }],
    ['report.notes', { notes: 'n'.repeat(2001) }],
    ['report.faultCode', { faultCode: 'not a code!' }],
    ['report.workFinishedAt', { workFinishedAt: '2099-01-01T00:00:00Z' }],
  ])('completion: %s', async (field, over) => {
    const t = await ticketAt('ON_SITE');
    const error = await refused(
      engineer(),
      Q.complete,
      { id: t.id, version: t.version, report: report(over) },
      'BAD_USER_INPUT',
    );
    expect(error.extensions['field']).toBe(field);
    expect(error.message.startsWith(field)).toBe(true);
  });
});

describe('versions, transitions and replays', () => {
  it('a stale version is a CONFLICT with the current version and state', async () => {
    const t = await ticketAt('ACCEPTED');
    const error = await refused(partner(), Q.contact, { id: t.id, version: t.version - 1 }, 'CONFLICT');
    expect(error.extensions).toMatchObject({ currentVersion: t.version, currentState: 'ACCEPTED' });
  });

  it('a step out of order is INVALID_TRANSITION naming the current state', async () => {
    const t = await ticketAt('OFFERED');
    const error = await refused(
      engineer(),
      Q.complete,
      { id: t.id, version: t.version, report: report() },
      'FORBIDDEN',
    );
    expect(error).toBeTruthy();
    const early = await refused(
      partner(),
      Q.book,
      { id: t.id, version: t.version, window: { from: later(60), to: later(120) } },
      'INVALID_TRANSITION',
    );
    expect(early.extensions).toMatchObject({ currentState: 'OFFERED', currentVersion: t.version });
    expect(early.message).toMatch(/OFFERED/);
    const closed = await ticketAt('CLOSED');
    const final = await refused(
      as.operator(),
      Q.cancel,
      { id: closed.id, version: closed.version, reason: 'too late' },
      'INVALID_TRANSITION',
    );
    expect(final.extensions['currentState']).toBe('CLOSED');
  });

  it('a replayed key returns the first result and writes nothing; the key with another payload is a CONFLICT', async () => {
    const t = await ticketAt('OFFERED');
    const first = await ok(partner(), Q.accept, { id: t.id, version: t.version, key: 'accept-0001' });
    const before = await h.snapshot();
    const again = expectOk(
      await h.run(partner(), Q.accept, { id: t.id, version: t.version, key: 'accept-0001' }),
    ).acceptJob;
    expect(again).toEqual(first);
    expect(await h.snapshot()).toBe(before);
    const other = await refused(
      partner(),
      Q.accept,
      { id: t.id, version: first.version, key: 'accept-0001' },
      'CONFLICT',
    );
    expect(other.message).toMatch(/idempotencyKey/);
  });

  it('a refusal replayed after the job left the centre is FORBIDDEN and shows nothing: the ticket is no longer the partner’s to see', async () => {
    const t = await ticketAt('OFFERED');
    const first = await ok(partner(), Q.refuse, {
      id: t.id,
      version: t.version,
      reason: 'no engineer free',
      key: 'refuse-0001',
    });
    expect(first.centreId).toBeNull();
    const again = await refused(
      partner(),
      Q.refuse,
      { id: t.id, version: t.version, reason: 'no engineer free', key: 'refuse-0001' },
      'FORBIDDEN',
    );
    expect(again.message).toMatch(/idempotencyKey/);
    expect(
      (
        await h.run(partner(), Q.refuse, {
          id: t.id,
          version: t.version,
          reason: 'no engineer free',
          key: 'refuse-0001',
        })
      ).data,
    ).toBeNull();
    // Without the key the partner no longer holds the job.
    await refused(partner(), Q.accept, { id: t.id, version: first.version }, 'FORBIDDEN');
  });
});

describe('pushJobUpdates', () => {
  it('applies each update in order and answers per item; a bad item fails alone and writes nothing', async () => {
    const a = await ticketAt('OFFERED');
    const b = await ticketAt('OFFERED');
    const foreign = await ticketAt('OFFERED', { centre: 'centre-2' });
    tick();
    const updates = [
      { idempotencyKey: 'push-a-accept', ticketId: a.id, version: a.version, action: 'ACCEPT' },
      {
        idempotencyKey: 'push-a-book',
        ticketId: a.id,
        version: a.version + 1,
        action: 'BOOK',
        window: { from: later(24 * 60), to: later(25 * 60) },
      },
      { idempotencyKey: 'push-b-stale', ticketId: b.id, version: b.version - 1, action: 'ACCEPT' },
      { idempotencyKey: 'push-b-order', ticketId: b.id, version: b.version, action: 'CHECK_IN' },
      { idempotencyKey: 'push-foreign', ticketId: foreign.id, version: foreign.version, action: 'ACCEPT' },
      { idempotencyKey: 'push-b-noreason', ticketId: b.id, version: b.version, action: 'REFUSE' },
      {
        idempotencyKey: 'push-b-refuse',
        ticketId: b.id,
        version: b.version,
        action: 'REFUSE',
        reason: 'r'.repeat(501),
      },
    ];
    const results = expectOk(await h.run(partner(), Q.push, { updates })).pushJobUpdates;
    expect(results.map((r: any) => [r.index, r.ok, r.ticket?.state ?? r.error.code])).toEqual([
      [0, true, 'ACCEPTED'],
      [1, true, 'BOOKED'],
      [2, false, 'CONFLICT'],
      [3, false, 'INVALID_TRANSITION'],
      [4, false, 'FORBIDDEN'],
      [5, false, 'BAD_USER_INPUT'],
      [6, false, 'BAD_USER_INPUT'],
    ]);
    expect(results[2].error).toMatchObject({ currentVersion: b.version, currentState: 'OFFERED' });
    expect(results[5].error.field).toBe('updates[5].reason');
    expect(results[6].error.field).toBe('reason');
    const bNow = expectOk(await h.run(as.operator(), Q.ticket, { id: b.id })).ticket;
    expect(bNow.version).toBe(b.version);
    // The whole batch again: the applied ones answer as before, nothing new is written.
    const before = await h.snapshot();
    const again = expectOk(await h.run(partner(), Q.push, { updates: updates.slice(0, 2) })).pushJobUpdates;
    expect(again).toEqual(results.slice(0, 2));
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses an empty or oversized batch and roles that do not push', async () => {
    await refused(partner(), Q.push, { updates: [] }, 'BAD_USER_INPUT');
    const one = { idempotencyKey: 'push-too-many', ticketId: 'T-x', version: 1, action: 'ACCEPT' };
    await refused(partner(), Q.push, { updates: Array.from({ length: 101 }, () => one) }, 'BAD_USER_INPUT');
    await refused(engineer(), Q.push, { updates: [one] }, 'FORBIDDEN');
    await refused(null, Q.push, { updates: [one] }, 'UNAUTHENTICATED');
  });
});
