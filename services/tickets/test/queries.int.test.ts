import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { Q, as, expectError, expectOk, intake, startHarness, type Harness } from './graphql-support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('tickets_queries');
});
afterAll(async () => {
  await h.db.close();
});

const MIN = 60_000;
const later = (minutes: number) => new Date(h.clock.now.getTime() + minutes * MIN).toISOString();
const data = async (claims: Claims | null, source: string, variables: Record<string, unknown> = {}) =>
  expectOk(await h.run(claims, source, variables));
const first = async (claims: Claims | null, source: string, variables: Record<string, unknown>) =>
  Object.values(await data(claims, source, variables))[0] as any;

async function received(over: Record<string, unknown> = {}) {
  return first(as.callCentre(), Q.receive, { input: intake(over) });
}
async function offered(centre: string, over: Record<string, unknown> = {}) {
  const t = await received(over);
  return first(as.operator(), Q.dispatch, { id: t.id, centreId: centre, version: t.version });
}
async function assigned(centre: string, engineerId: string) {
  h.engineers.set(engineerId, centre);
  let t = await offered(centre);
  t = await first(as.partner(centre), Q.accept, { id: t.id, version: t.version });
  t = await first(as.partner(centre), Q.book, {
    id: t.id,
    version: t.version,
    window: { from: later(24 * 60), to: later(26 * 60) },
  });
  return first(as.partner(centre), Q.assign, { id: t.id, version: t.version, engineerId });
}

describe('ticket and ticketByNumber', () => {
  it('HQ, the call centre and finance see every ticket; a partner its centre’s; an engineer its own jobs', async () => {
    const t = await assigned('centre-1', 'eng-q1');
    for (const claims of [
      as.operator(),
      as.admin(),
      as.callCentre(),
      as.finance(),
      as.partner('centre-1'),
      as.engineer('eng-q1'),
    ]) {
      expect((await data(claims, Q.ticket, { id: t.id })).ticket.id).toBe(t.id);
    }
    for (const claims of [as.partner('centre-2'), as.engineer('eng-other')]) {
      expectError(await h.run(claims, Q.ticket, { id: t.id }), 'FORBIDDEN');
      expectError(await h.run(claims, Q.byNumber, { n: t.number }), 'FORBIDDEN');
    }
    expectError(await h.run(null, Q.ticket, { id: t.id }), 'UNAUTHENTICATED');
    expect((await data(as.partner('centre-1'), Q.byNumber, { n: t.number })).ticketByNumber).toEqual({
      id: t.id,
      number: t.number,
    });
  });

  it('a missing ticket is null for HQ and FORBIDDEN for a partner or engineer, so ids cannot be probed', async () => {
    expect((await data(as.operator(), Q.ticket, { id: 'T-nope' })).ticket).toBeNull();
    expect((await data(as.operator(), Q.byNumber, { n: 'T20000101000000' })).ticketByNumber).toBeNull();
    expectError(await h.run(as.partner('centre-1'), Q.ticket, { id: 'T-nope' }), 'FORBIDDEN');
    expectError(await h.run(as.engineer('eng-1'), Q.byNumber, { n: 'T20000101000000' }), 'FORBIDDEN');
    expect(
      expectError(await h.run(as.operator(), Q.ticket, { id: 'x'.repeat(65) }), 'BAD_USER_INPUT').extensions['field'],
    ).toBe('id');
    expect(
      expectError(await h.run(as.operator(), Q.byNumber, { n: 'garbage' }), 'BAD_USER_INPUT').extensions['field'],
    ).toBe('number');
  });

  it('as an entity reference a ticket the caller may not see is null', async () => {
    const t = await offered('centre-1');
    const reps = [{ __typename: 'Ticket', id: t.id }];
    expect((await data(as.partner('centre-1'), Q.ticketRef, { reps }))._entities).toEqual([
      { id: t.id, number: t.number },
    ]);
    expect((await data(as.partner('centre-2'), Q.ticketRef, { reps }))._entities).toEqual([null]);
  });
});

describe('tickets (portal search)', () => {
  it('finds by number, serial (any case), phone, centre, state and date range, newest first, paginated', async () => {
    const serial = `SRCH-${Date.now().toString(36).toUpperCase()}`;
    const a = await offered('centre-2', {
      serialNumber: serial,
      customer: { name: '李娜', phone: '13911112222', address: '北京', regionCode: '110105' },
    });
    h.clock.now = new Date(h.clock.now.getTime() + 5 * MIN);
    const b = await offered('centre-2', { serialNumber: serial });
    const search = (f: Record<string, unknown>, claims: Claims = as.operator(), extra: Record<string, unknown> = {}) =>
      data(claims, Q.search, { f, ...extra }).then((d) => d.tickets);
    expect((await search({ serialNumber: serial.toLowerCase() })).edges.map((e: any) => e.node.id)).toEqual([
      b.id,
      a.id,
    ]);
    expect((await search({ number: a.number })).edges.map((e: any) => e.node.id)).toEqual([a.id]);
    expect((await search({ number: a.number, serialNumber: 'OTHER-SERIAL' })).totalCount).toBe(0);
    expect((await search({ phone: '13911112222' })).edges.map((e: any) => e.node.id)).toEqual([a.id]);
    const page1 = await search({ centreId: 'centre-2', state: 'OFFERED', receivedFrom: a.receivedAt }, as.operator(), {
      first: 1,
    });
    expect(page1).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(page1.edges[0].node.id).toBe(b.id);
    const page2 = await search({ centreId: 'centre-2', state: 'OFFERED', receivedFrom: a.receivedAt }, as.operator(), {
      first: 1,
      after: page1.pageInfo.endCursor,
    });
    expect(page2.edges.map((e: any) => e.node.id)).toEqual([a.id]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    // A partner searches its own centre's only.
    expect((await search({ serialNumber: serial }, as.partner('centre-2'))).totalCount).toBe(2);
    expect((await search({ serialNumber: serial }, as.partner('centre-1'))).totalCount).toBe(0);
    expect((await search({ centreId: 'centre-2' }, as.partner('centre-1'))).totalCount).toBe(0);
  });

  it('refuses bad filters, cursors and page sizes, and engineers', async () => {
    const bad = async (vars: Record<string, unknown>, field: string) =>
      expect(expectError(await h.run(as.operator(), Q.search, vars), 'BAD_USER_INPUT').extensions['field']).toBe(field);
    await bad({ first: 0 }, 'first');
    await bad({ first: 101 }, 'first');
    await bad({ after: 'not-a-cursor' }, 'after');
    await bad({ after: Buffer.from('tickets:abc:T-1').toString('base64url') }, 'after');
    await bad({ f: { serialNumber: '!!' } }, 'filter.serialNumber');
    await bad({ f: { number: '123' } }, 'filter.number');
    await bad({ f: { phone: '1'.repeat(33) } }, 'filter.phone');
    await bad(
      { f: { receivedFrom: '2026-10-02T00:00:00Z', receivedBefore: '2026-10-01T00:00:00Z' } },
      'filter.receivedBefore',
    );
    expectError(await h.run(as.engineer('eng-1'), Q.search, {}), 'FORBIDDEN');
  });
});

describe('federated fields', () => {
  it('ServiceCentre.openTickets: the centre’s accepted, uncompleted jobs; a partner sees only its own', async () => {
    const t = await assigned('centre-2', 'eng-q2');
    const reps = [{ __typename: 'ServiceCentre', id: 'centre-2' }];
    const open = (await data(as.operator(), Q.openTickets, { reps }))._entities[0].openTickets;
    expect(open).toEqual(expect.arrayContaining([{ id: t.id, state: 'ASSIGNED' }]));
    expect(open.every((o: any) => ['ACCEPTED', 'BOOKED', 'ASSIGNED', 'ON_SITE'].includes(o.state))).toBe(true);
    expect((await data(as.partner('centre-2'), Q.openTickets, { reps }))._entities[0].openTickets).toEqual(open);
    expectError(await h.run(as.partner('centre-1'), Q.openTickets, { reps }), 'FORBIDDEN');
  });

  it('ServiceCentre.ticketsSoFar: the month so far for the network’s live scorecard; nothing for a caller who may not see it', async () => {
    await assigned('centre-sf', 'eng-sf1');
    await assigned('centre-sf', 'eng-sf2');
    await offered('centre-sf'); // offered, not accepted: not dispatched to it yet
    const reps = [
      { __typename: 'ServiceCentre', id: 'centre-sf' },
      { __typename: 'ServiceCentre', id: 'centre-none' },
    ];
    const zero = {
      leftover: 0,
      dispatched: 0,
      completions: 0,
      completionsReportedInTime: 0,
      answeredCallbacks: 0,
      satisfiedCallbacks: 0,
      complaints: 0,
      majorComplaints: 0,
      partsReplaced: 0,
      partsMisjudged: 0,
      delightCompletions: 0,
    };
    // The clock is on 12 Oct 2026 (UTC morning): October in Shanghai; two jobs accepted, neither due yet.
    const asOf = { month: '2026-10', asOf: h.clock.now.toISOString() };
    const operator = (await data(as.operator(), Q.ticketsSoFar, { reps }))._entities.map((c: any) => c.ticketsSoFar);
    expect(operator).toEqual([
      { ...zero, ...asOf, dispatched: 2 },
      { ...zero, ...asOf },
    ]);
    expect(
      (await data(as.partner('centre-sf'), Q.ticketsSoFar, { reps }))._entities.map((c: any) => c.ticketsSoFar),
    ).toEqual([operator[0], null]);
    for (const claims of [as.engineer('eng-sf1'), { ...as.engineer('eng-sf1'), centreId: 'centre-sf' }]) {
      expect((await data(claims, Q.ticketsSoFar, { reps }))._entities.map((c: any) => c.ticketsSoFar)).toEqual([
        null,
        null,
      ]);
    }
  });

  it('Engineer.tickets: the engineer’s jobs on a China-time day', async () => {
    const t = await assigned('centre-1', 'eng-q3');
    const day = new Date(new Date(t.appointment.from).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const reps = [{ __typename: 'Engineer', id: 'eng-q3' }];
    expect((await data(as.engineer('eng-q3'), Q.engineerTickets, { reps, day }))._entities[0].tickets).toEqual([
      { id: t.id, state: 'ASSIGNED' },
    ]);
    expect((await data(as.operator(), Q.engineerTickets, { reps, day }))._entities[0].tickets).toEqual([
      { id: t.id, state: 'ASSIGNED' },
    ]);
    expect((await data(as.partner('centre-1'), Q.engineerTickets, { reps, day }))._entities[0].tickets).toHaveLength(1);
    expect((await data(as.partner('centre-2'), Q.engineerTickets, { reps, day }))._entities[0].tickets).toEqual([]);
    expect(
      (await data(as.engineer('eng-q3'), Q.engineerTickets, { reps, day: '2020-01-01' }))._entities[0].tickets,
    ).toEqual([]);
    expectError(await h.run(as.engineer('eng-other'), Q.engineerTickets, { reps, day }), 'FORBIDDEN');
    expect(
      expectError(await h.run(as.operator(), Q.engineerTickets, { reps, day: '2026-02-30' }), 'BAD_USER_INPUT')
        .extensions['field'],
    ).toBe('day');
  });
});

describe('jobChanges (partner pull sync)', () => {
  const pull = (centre: string, since: string | null, n?: number) =>
    data(as.partner(centre), Q.changes, { since, first: n }).then((d) => d.jobChanges);

  it('returns the caller’s centre’s changes in order with a cursor to resume from; a refused job stays in the feed but its ticket is hidden', async () => {
    const start = await pull('centre-x1', null);
    expect(start).toMatchObject({ changes: [], hasMore: false });
    let t = await offered('centre-x1');
    t = await first(as.partner('centre-x1'), Q.accept, { id: t.id, version: t.version });
    const u = await offered('centre-x1');
    await first(as.partner('centre-x1'), Q.refuse, { id: u.id, version: u.version, reason: 'no engineer free' });
    const page = await pull('centre-x1', start.cursor, 2);
    expect(page.changes.map((c: any) => [c.ticketId, c.version, c.state, c.events])).toEqual([
      [t.id, 2, 'OFFERED', ['DISPATCHED']],
      [t.id, 3, 'ACCEPTED', ['ACCEPTED']],
    ]);
    expect(page.hasMore).toBe(true);
    expect(page.changes[0].ticket).toEqual({ id: t.id, version: 3 });
    const rest = await pull('centre-x1', page.cursor);
    expect(rest.changes.map((c: any) => [c.ticketId, c.state, c.centreId, c.ticket])).toEqual([
      [u.id, 'OFFERED', 'centre-x1', null],
      [u.id, 'OFFERED', null, null],
    ]);
    expect(rest.hasMore).toBe(false);
    // Restarting from a stored cursor gives the same changes again; from the last cursor, nothing.
    expect((await pull('centre-x1', page.cursor)).changes).toEqual(rest.changes);
    expect(await pull('centre-x1', rest.cursor)).toEqual({ changes: [], cursor: rest.cursor, hasMore: false });
    // Another centre sees none of it.
    expect((await pull('centre-x2', null)).changes).toEqual([]);
  });

  it('refuses malformed, foreign and future cursors, out-of-range sizes and callers other than partners', async () => {
    const mine = (await pull('centre-x1', null, 1)).cursor;
    const bad = async (claims: Claims, vars: Record<string, unknown>, field: string) =>
      expect(expectError(await h.run(claims, Q.changes, vars), 'BAD_USER_INPUT').extensions['field']).toBe(field);
    await bad(as.partner('centre-x1'), { since: 'garbage!' }, 'since');
    await bad(as.partner('centre-x1'), { since: Buffer.from('jobs:v1:centre-x1:-1').toString('base64url') }, 'since');
    await bad(as.partner('centre-x2'), { since: mine }, 'since');
    await bad(
      as.partner('centre-x1'),
      { since: Buffer.from('jobs:v1:centre-x1:999999').toString('base64url') },
      'since',
    );
    await bad(as.partner('centre-x1'), { first: 0 }, 'first');
    await bad(as.partner('centre-x1'), { first: 501 }, 'first');
    for (const claims of [as.operator(), as.engineer('eng-1'), as.callCentre()])
      expectError(await h.run(claims, Q.changes, {}), 'FORBIDDEN');
    expectError(await h.run(null, Q.changes, {}), 'UNAUTHENTICATED');
  });

  it('under concurrent writes no change is skipped or repeated, and every pull is in order', async () => {
    const centre = 'centre-x3';
    const tickets = await Promise.all(Array.from({ length: 6 }, () => offered(centre)));
    let cursor: string | null = null;
    const seen: string[] = [];
    let writing = true;
    const writers = Promise.all(
      tickets.map(async (t) => {
        let v = await first(as.partner(centre), Q.accept, { id: t.id, version: t.version });
        v = await first(as.partner(centre), Q.contact, { id: v.id, version: v.version });
        await first(as.partner(centre), Q.book, {
          id: v.id,
          version: v.version,
          window: { from: later(24 * 60), to: later(25 * 60) },
        });
      }),
    ).finally(() => {
      writing = false;
    });
    const drain = async () => {
      for (;;) {
        const page: any = await pull(centre, cursor, 3);
        for (const c of page.changes) seen.push(`${c.ticketId}@${c.version}`);
        cursor = page.cursor;
        if (!page.hasMore) return;
      }
    };
    while (writing) await drain();
    await writers;
    await drain();
    expect(new Set(seen).size).toBe(seen.length);
    const expected = tickets.flatMap((t) => [2, 3, 4, 5].map((v) => `${t.id}@${v}`));
    expect([...seen].sort()).toEqual(expected.sort());
    for (const t of tickets) {
      const versions = seen.filter((s) => s.startsWith(`${t.id}@`)).map((s) => Number(s.split('@')[1]));
      expect(versions).toEqual([2, 3, 4, 5]);
    }
  }, 60_000);
});
