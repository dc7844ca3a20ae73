import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Claims } from '@starline/common';
import { deliverOwedEvidence } from '../src/graphql/complaints.ts';
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
const silent = createLogger('test', 'silent');
beforeAll(async () => {
  h = await startHarness('tickets_complaints');
});
afterAll(async () => {
  await h.db.close();
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const tick = (minutes = 1) => {
  h.clock.now = new Date(h.clock.now.getTime() + minutes * MIN);
  return h.clock.now;
};
const later = (minutes: number) => new Date(h.clock.now.getTime() + minutes * MIN).toISOString();

const C = `fragment C on Complaint {
  id ticketId centreId engineerId severity source description state version openedAt openedBy responseBy respondedAt
  responseMet responseNote
  responseSla { clock deadline status } responsibleParty { kind engineerId } rootCause resolution resolvedAt closedAt
  standardVersionId
  licenceEvidence { code engineerId evidenceKey recorded } ticket { id }
}`;
const CQ = {
  open: `mutation ($ticketId: ID!, $severity: Int!, $description: String!, $key: String) {
    openComplaint(ticketId: $ticketId, severity: $severity, description: $description, idempotencyKey: $key) { ...C } }
    ${C}`,
  respond:
    `mutation ($id: ID!, $version: Int!, $note: String, $key: String) { respondToComplaint(id: $id, version: ` +
    `$version, note: $note, idempotencyKey: $key) { ...C } } ${C}`,
  resolve: `mutation ($id: ID!, $version: Int!, $party: ResponsibleKind!, $rootCause: String!, $resolution: String!,
    $key: String) {
    resolveComplaint(id: $id, version: $version, responsibleParty: $party, rootCause: $rootCause, resolution:
    $resolution, idempotencyKey: $key) { ...C } } ${C}`,
  close:
    `mutation ($id: ID!, $version: Int!, $key: String) { closeComplaint(id: $id, version: $version, ` +
    `idempotencyKey: $key) { ...C } } ${C}`,
  one: `query ($id: ID!) { complaint(id: $id) { ...C } } ${C}`,
  list: `query ($f: ComplaintFilter, $first: Int, $after: String) { complaints(filter: $f, first: $first, after: $after)
    {
    pageInfo { hasNextPage endCursor } edges { cursor node { id state centreId ticketId severity } } } }`,
  ofTicket: `query ($id: ID!) { ticket(id: $id) { complaints { id state severity } } }`,
};

async function ok(claims: Claims | null, source: string, variables: Record<string, unknown>) {
  tick();
  const data = expectOk(await h.run(claims, source, variables));
  return Object.values(data)[0] as Record<string, any>;
}

/** A request that must be refused with `code`, proven to write nothing. */
async function refused(claims: Claims | null, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const error = expectError(await h.run(claims, source, variables), code);
  expect(await h.snapshot()).toBe(before);
  return error;
}

let keySeq = 0;
const key = (p = 'k') => `${p}-${Date.now().toString(36)}-${++keySeq}`;

/** A job driven through GraphQL to COMPLETED (or ACCEPTED / RECEIVED) by `centre`'s engineer `engineerId`. */
async function job(o: { centre?: string; engineerId?: string; until?: 'RECEIVED' | 'ACCEPTED' | 'COMPLETED' } = {}) {
  const centre = o.centre ?? 'centre-1';
  const engineerId = o.engineerId ?? 'eng-1';
  h.engineers.set(engineerId, centre);
  let t = await ok(as.callCentre(), Q.receive, { input: intake() });
  if (o.until === 'RECEIVED') return t;
  t = await ok(as.operator(), Q.dispatch, { id: t.id, version: t.version, centreId: centre });
  t = await ok(as.partner(centre), Q.accept, { id: t.id, version: t.version });
  if (o.until === 'ACCEPTED') return t;
  t = await ok(as.partner(centre), Q.book, {
    id: t.id,
    version: t.version,
    window: { from: later(24 * 60), to: later(26 * 60) },
  });
  t = await ok(as.partner(centre), Q.assign, { id: t.id, version: t.version, engineerId });
  h.clock.now = new Date(new Date(t.appointment.from).getTime() + 10 * MIN);
  t = await ok(as.engineer(engineerId), Q.checkIn, { id: t.id, version: t.version });
  const report = {
    workFinishedAt: later(0),
    checklist: [...DEFAULT_TICKET_POLICY.requiredSteps, 'DIAGNOSE', 'REPAIR'],
    faultCode: 'e1',
  };
  return ok(as.engineer(engineerId), Q.complete, { id: t.id, version: t.version, report });
}

const open = (ticketId: string, severity = 2, claims = as.callCentre()) =>
  ok(claims, CQ.open, { ticketId, severity, description: 'the engineer left a mess', key: key('open') });

describe('a complaint end to end', () => {
  it('severity 1, ENGINEER responsible: OPEN → RESPONDED → RESOLVED (MAJOR_COMPLAINT once) → CLOSED', async () => {
    const t = await job({ engineerId: 'eng-major', centre: 'centre-x1' });
    const openedAt = tick(0);
    const c = await open(t.id, 1);
    expect(c).toMatchObject({
      ticketId: t.id,
      centreId: 'centre-x1',
      engineerId: 'eng-major',
      severity: 1,
      source: 'CUSTOMER',
      description: 'the engineer left a mess',
      state: 'OPEN',
      version: 1,
      openedBy: 'agent-1',
      respondedAt: null,
      responseMet: null,
      responsibleParty: null,
      licenceEvidence: [],
      standardVersionId: DEFAULT_TICKET_POLICY.standardVersionId,
      responseSla: { clock: 'COMPLAINT_RESPONSE', status: 'PENDING' },
      ticket: { id: t.id },
    });
    // Level 1: 2 h by the ticket's standard.
    expect(new Date(c.responseBy).getTime() - new Date(c.openedAt).getTime()).toBe(
      DEFAULT_TICKET_POLICY.slaClocks.complaintResponseHours.level1 * HOUR,
    );
    expect(new Date(c.openedAt).getTime()).toBeGreaterThan(openedAt.getTime());
    expect(await h.store.kpiTotals('centre-x1', '2026-10')).toMatchObject({ complaints: 1, majorComplaints: 1 });

    const r = await ok(as.operator(), CQ.respond, { id: c.id, version: 1, note: 'apologised', key: key() });
    expect(r).toMatchObject({
      state: 'RESPONDED',
      version: 2,
      responseMet: true,
      responseNote: 'apologised',
      responseSla: { status: 'MET' },
    });

    const resolveVars = {
      id: c.id,
      version: 2,
      party: 'ENGINEER',
      rootCause: 'no clean-up (step 18)',
      resolution: 'cleaned, retrained',
      key: key('resolve'),
    };
    const s = await ok(as.callCentre(), CQ.resolve, resolveVars);
    const evidenceKey = `complaint:${c.id}:MAJOR_COMPLAINT`;
    expect(s).toMatchObject({
      state: 'RESOLVED',
      version: 3,
      responsibleParty: { kind: 'ENGINEER', engineerId: 'eng-major' },
      rootCause: 'no clean-up (step 18)',
      licenceEvidence: [{ code: 'MAJOR_COMPLAINT', engineerId: 'eng-major', evidenceKey, recorded: true }],
    });
    expect(h.licences.entries.get(evidenceKey)).toEqual({
      engineerId: 'eng-major',
      code: 'MAJOR_COMPLAINT',
      evidenceKey,
      recordedBy: 'agent-1',
    });
    const calls = h.licences.calls;
    // The same request again: the first answer, nothing sent again.
    expect(await ok(as.callCentre(), CQ.resolve, resolveVars)).toEqual(s);
    expect(h.licences.calls).toBe(calls);

    const done = await ok(as.admin(), CQ.close, { id: c.id, version: 3, key: key() });
    expect(done).toMatchObject({ state: 'CLOSED', version: 4 });
    expect(done.closedAt).not.toBeNull();
    expect([...h.licences.entries.keys()].filter((k) => k.startsWith(`complaint:${c.id}:`))).toEqual([evidenceKey]);
    // The centre's KPIs counted the complaint once, at opening.
    expect(await h.store.kpiTotals('centre-x1', '2026-10')).toMatchObject({ complaints: 1, majorComplaints: 1 });
  });

  it('no evidence for severity 2, or for severity 1 with the CENTRE responsible; a late response is recorded as missed', async () => {
    const t = await job({ centre: 'centre-x2', engineerId: 'eng-2' });
    const before = h.licences.entries.size;
    for (const [severity, party] of [
      [2, 'ENGINEER'],
      [1, 'CENTRE'],
    ] as const) {
      const c = await open(t.id, severity);
      tick(severity === 2 ? 8 * 60 + 1 : 0);
      const r = await ok(as.callCentre(), CQ.respond, { id: c.id, version: 1, key: key() });
      expect(r.responseMet).toBe(severity !== 2);
      expect(r.responseSla.status).toBe(severity === 2 ? 'MISSED' : 'MET');
      const s = await ok(as.callCentre(), CQ.resolve, {
        id: c.id,
        version: 2,
        party,
        rootCause: 'x',
        resolution: 'y',
        key: key(),
      });
      expect(s.licenceEvidence).toEqual([]);
    }
    expect(h.licences.entries.size).toBe(before);
    expect(await h.store.kpiTotals('centre-x2', '2026-10')).toMatchObject({ complaints: 2, majorComplaints: 1 });
  });

  it('certification unreachable: the resolve is stored, the evidence stays pending and is delivered by the next read, once', async () => {
    const t = await job({ centre: 'centre-x3', engineerId: 'eng-3' });
    let c = await open(t.id, 1);
    c = await ok(as.callCentre(), CQ.respond, { id: c.id, version: 1, key: key() });
    h.licences.down = true;
    try {
      c = await ok(as.callCentre(), CQ.resolve, {
        id: c.id,
        version: 2,
        party: 'ENGINEER',
        rootCause: 'rude',
        resolution: 'apology visit',
        key: key(),
      });
      expect(c).toMatchObject({ state: 'RESOLVED', licenceEvidence: [{ recorded: false }] });
      expect((await h.store.complaints.find(c.id))?.pending?.evidence).toHaveLength(1);
    } finally {
      h.licences.down = false;
    }
    expect((await ok(as.operator(), CQ.one, { id: c.id })).licenceEvidence).toEqual([
      expect.objectContaining({ recorded: true }),
    ]);
    expect((await h.store.complaints.find(c.id))?.pending).toBeNull();
    const calls = h.licences.calls;
    await ok(as.operator(), CQ.one, { id: c.id });
    expect(h.licences.calls).toBe(calls);
    expect(h.licences.entries.get(`complaint:${c.id}:MAJOR_COMPLAINT`)?.engineerId).toBe('eng-3');
  });

  it('certification unreachable and the complaint never read again: the sweep delivers the evidence, once, and forgets the complaint', async () => {
    const t = await job({ centre: 'centre-x3', engineerId: 'eng-4' });
    let c = await open(t.id, 1);
    c = await ok(as.callCentre(), CQ.respond, { id: c.id, version: 1, key: key() });
    h.licences.down = true;
    try {
      c = await ok(as.callCentre(), CQ.resolve, {
        id: c.id,
        version: 2,
        party: 'ENGINEER',
        rootCause: 'rude',
        resolution: 'apology visit',
        key: key(),
      });
      expect(await h.store.complaints.owing()).toContain(c.id);
      // Still down: the sweep tries, and the complaint keeps owing.
      expect(await deliverOwedEvidence(h.deps, silent)).toBeGreaterThanOrEqual(1);
      expect((await h.store.complaints.find(c.id))?.pending?.evidence).toHaveLength(1);
      expect(await h.store.complaints.owing()).toContain(c.id);
    } finally {
      h.licences.down = false;
    }
    await deliverOwedEvidence(h.deps, silent);
    expect(h.licences.entries.get(`complaint:${c.id}:MAJOR_COMPLAINT`)?.engineerId).toBe('eng-4');
    expect((await h.store.complaints.find(c.id))?.pending).toBeNull();
    expect(await h.store.complaints.owing()).not.toContain(c.id);
    const calls = h.licences.calls;
    await deliverOwedEvidence(h.deps, silent);
    expect(h.licences.calls).toBe(calls);
  });

  it('an UNSATISFIED callback’s complaint moves through the same steps', async () => {
    const t = await job({ engineerId: 'eng-cb' });
    const called = await ok(as.callCentre(), Q.callback, { id: t.id, version: t.version, answer: 'UNSATISFIED' });
    const id = `${t.id}:callback`;
    expect(called.complaints).toEqual([expect.objectContaining({ id, state: 'OPEN', severity: 2 })]);
    const c = await ok(as.operator(), CQ.respond, { id, version: 1, key: key() });
    expect(c).toMatchObject({ state: 'RESPONDED', version: 2, source: 'CALLBACK', engineerId: 'eng-cb' });
    expect((await ok(as.operator(), CQ.list, { f: { ticketId: t.id } })).edges.map((e: any) => e.node.id)).toEqual([
      id,
    ]);
  });
});

describe('refusals write nothing', () => {
  let t: Record<string, any>;
  let c: Record<string, any>;
  beforeAll(async () => {
    t = await job({ engineerId: 'eng-r' });
    c = await open(t.id, 2);
  });

  it('a PARTNER, an ENGINEER, FINANCE may not change complaints (FORBIDDEN)', async () => {
    for (const claims of [as.partner('centre-1'), as.partner('centre-2'), as.engineer('eng-r'), as.finance()]) {
      await refused(claims, CQ.open, { ticketId: t.id, severity: 2, description: 'x' }, 'FORBIDDEN');
      await refused(claims, CQ.respond, { id: c.id, version: 1 }, 'FORBIDDEN');
      await refused(
        claims,
        CQ.resolve,
        { id: c.id, version: 1, party: 'CENTRE', rootCause: 'x', resolution: 'y' },
        'FORBIDDEN',
      );
      await refused(claims, CQ.close, { id: c.id, version: 1 }, 'FORBIDDEN');
    }
  });

  it('malformed or oversized input is BAD_USER_INPUT naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [CQ.open, { ticketId: t.id, severity: 0, description: 'x' }, 'severity'],
      [CQ.open, { ticketId: t.id, severity: 4, description: 'x' }, 'severity'],
      [CQ.open, { ticketId: t.id, severity: 1, description: '   ' }, 'description'],
      [CQ.open, { ticketId: t.id, severity: 1, description: 'x'.repeat(2001) }, 'description'],
      [CQ.open, { ticketId: 'bad id!', severity: 1, description: 'x' }, 'ticketId'],
      [CQ.open, { ticketId: t.id, severity: 1, description: 'x', key: 'short' }, 'idempotencyKey'],
      [CQ.respond, { id: c.id, version: 1, note: 'x'.repeat(1001) }, 'note'],
      [CQ.respond, { id: c.id, version: 0 }, 'version'],
      [CQ.respond, { id: '../etc', version: 1 }, 'id'],
    ];
    for (const [source, vars, field] of cases) {
      const e = await refused(as.callCentre(), source, vars, 'BAD_USER_INPUT');
      expect(e.extensions?.['field']).toBe(field);
    }
  });

  it('illegal steps are INVALID_TRANSITION naming the state; a stale version is CONFLICT', async () => {
    let e = await refused(as.callCentre(), CQ.close, { id: c.id, version: 1, key: key() }, 'INVALID_TRANSITION');
    expect(e.extensions).toMatchObject({ currentState: 'OPEN', currentVersion: 1 });
    expect(e.message).toContain('OPEN');
    e = await refused(
      as.callCentre(),
      CQ.resolve,
      { id: c.id, version: 1, party: 'CENTRE', rootCause: 'a', resolution: 'b' },
      'INVALID_TRANSITION',
    );
    expect(e.extensions?.['currentState']).toBe('OPEN');
    e = await refused(as.callCentre(), CQ.respond, { id: c.id, version: 7 }, 'CONFLICT');
    expect(e.extensions).toMatchObject({ currentState: 'OPEN', currentVersion: 1 });
    // A job no centre has taken: nobody to complain about.
    const fresh = await job({ until: 'RECEIVED' });
    e = await refused(
      as.callCentre(),
      CQ.open,
      { ticketId: fresh.id, severity: 2, description: 'slow' },
      'INVALID_TRANSITION',
    );
    expect(e.extensions?.['currentState']).toBe('RECEIVED');
    await refused(as.callCentre(), CQ.open, { ticketId: 'T-nope', severity: 2, description: 'slow' }, 'NOT_FOUND');
    await refused(as.callCentre(), CQ.respond, { id: 'C-nope', version: 1 }, 'NOT_FOUND');
  });

  it('resolving with the ENGINEER responsible on a job without an engineer is BAD_USER_INPUT (responsibleParty)', async () => {
    const accepted = await job({ until: 'ACCEPTED' });
    let k = await open(accepted.id, 1);
    k = await ok(as.callCentre(), CQ.respond, { id: k.id, version: 1, key: key() });
    const e = await refused(
      as.callCentre(),
      CQ.resolve,
      { id: k.id, version: 2, party: 'ENGINEER', rootCause: 'a', resolution: 'b' },
      'BAD_USER_INPUT',
    );
    expect(e.extensions?.['field']).toBe('responsibleParty');
    const cases: [string, Record<string, string>][] = [
      ['rootCause', { rootCause: '' }],
      ['resolution', { resolution: 'x'.repeat(2001) }],
    ];
    for (const [field, over] of cases) {
      const e2 = await refused(
        as.callCentre(),
        CQ.resolve,
        { id: k.id, version: 2, party: 'CENTRE', rootCause: 'a', resolution: 'b', ...over },
        'BAD_USER_INPUT',
      );
      expect(e2.extensions?.['field']).toBe(field);
    }
  });

  it('the same key with another payload is CONFLICT; with the same payload the first answer', async () => {
    const k = key('dup');
    const first = await ok(as.callCentre(), CQ.open, { ticketId: t.id, severity: 3, description: 'noisy', key: k });
    expect(await ok(as.callCentre(), CQ.open, { ticketId: t.id, severity: 3, description: 'noisy', key: k })).toEqual(
      first,
    );
    await refused(as.callCentre(), CQ.open, { ticketId: t.id, severity: 2, description: 'noisy', key: k }, 'CONFLICT');
  });
});

describe('reading complaints', () => {
  let mine: Record<string, any>[];
  let theirs: Record<string, any>;
  let ticketA: Record<string, any>;
  beforeAll(async () => {
    ticketA = await job({ centre: 'centre-2', engineerId: 'eng-p' });
    mine = [];
    for (const severity of [3, 2, 1]) mine.push(await open(ticketA.id, severity));
    const other = await job({ centre: 'centre-1', engineerId: 'eng-q' });
    theirs = await open(other.id, 2);
    await ok(as.callCentre(), CQ.respond, { id: mine[1]!.id, version: 1, key: key() });
  });

  it('a PARTNER reads its own centre’s complaints; another centre’s, or one that does not exist, is FORBIDDEN', async () => {
    expect(await ok(as.partner('centre-2'), CQ.one, { id: mine[0]!.id })).toMatchObject({
      id: mine[0]!.id,
      centreId: 'centre-2',
    });
    await refused(as.partner('centre-2'), CQ.one, { id: theirs.id }, 'FORBIDDEN');
    await refused(as.partner('centre-2'), CQ.one, { id: 'C-does-not-exist' }, 'FORBIDDEN');
    expect(expectOk(await h.run(as.operator(), CQ.one, { id: 'C-does-not-exist' })).complaint).toBeNull();
    await refused(as.engineer('eng-p'), CQ.one, { id: mine[0]!.id }, 'FORBIDDEN');
  });

  it('a PARTNER’s list is its centre’s, newest first, paginated with cursors; another centre asked for is empty', async () => {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await ok(as.partner('centre-2'), CQ.list, { first: 2, after });
      ids.push(...page.edges.map((e: any) => e.node.id));
      expect(page.edges.every((e: any) => e.node.centreId === 'centre-2')).toBe(true);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(ids.slice(0, 3)).toEqual([mine[2]!.id, mine[1]!.id, mine[0]!.id]);
    expect(ids).not.toContain(theirs.id);
    expect((await ok(as.partner('centre-2'), CQ.list, { f: { centreId: 'centre-1' } })).edges).toEqual([]);
  });

  it('filters by ticket and state; HQ’s list over everything (a scan) pages through all', async () => {
    const byTicket = await ok(as.operator(), CQ.list, { f: { ticketId: ticketA.id } });
    expect(byTicket.edges.map((e: any) => e.node.id)).toEqual([mine[2]!.id, mine[1]!.id, mine[0]!.id]);
    const responded = await ok(as.operator(), CQ.list, { f: { ticketId: ticketA.id, state: 'RESPONDED' } });
    expect(responded.edges.map((e: any) => e.node.id)).toEqual([mine[1]!.id]);
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await ok(as.operator(), CQ.list, { first: 3, after });
      all.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(all).size).toBe(all.length);
    for (const c of [...mine, theirs]) expect(all).toContain(c.id);
    const open1 = await ok(as.operator(), CQ.list, { f: { state: 'OPEN' }, first: 100 });
    expect(open1.edges.map((e: any) => e.node.id)).not.toContain(mine[1]!.id);
    await refused(as.operator(), CQ.list, { first: 0 }, 'BAD_USER_INPUT');
    await refused(as.operator(), CQ.list, { after: 'garbage' }, 'BAD_USER_INPUT');
  });

  it('Ticket.complaints lists the ticket’s complaints, oldest first', async () => {
    const t = await ok(as.partner('centre-2'), CQ.ofTicket, { id: ticketA.id });
    expect(t.complaints.map((c: any) => [c.id, c.severity])).toEqual(mine.map((c) => [c.id, c.severity]));
  });
});
