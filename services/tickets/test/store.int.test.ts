import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE, writeLeaseModel } from '@starline/common';
import { createTicketsActivities } from '../src/activities.ts';
import type { ChangeContent } from '../src/effects.ts';
import { changeId, createChangeFeed } from '../src/store/changes.ts';
import { receive } from '../src/rules/intake.ts';
import { createTicketsStore, type TicketRecord, type TicketsStore } from '../src/store/tickets.ts';
import { intakeInput } from './fixtures/tickets.ts';
import { POLICY, T0, apply, cmd, drive, failure, plus, receivedTicket, startHarness, timesFrom, uniqueId, uniqueSerial, type Harness } from './support.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('tickets_store');
});
afterAll(async () => {
  await h.db.close();
});

describe('insertTicket', () => {
  it('stores a received ticket at version 1 under the policy given; the same id again is the same ticket', async () => {
    const r = receive(uniqueId(), intakeInput({ serialNumber: uniqueSerial() }), T0, POLICY, 'agent-1');
    if (!r.ok) throw new Error(r.message);
    const { ticket, created } = await h.store.insertTicket(r.ticket, { policy: POLICY, events: r.events, now: T0 });
    expect(created).toBe(true);
    expect(ticket).toMatchObject({ id: r.ticket.id, version: 1, state: 'RECEIVED', standardVersionId: 'default', policy: POLICY, pending: null });
    expect(ticket.timeline).toEqual([{ ...r.events[0], version: 1 }]);
    const again = await h.store.insertTicket(r.ticket, { policy: POLICY, events: r.events, now: plus(T0, 1) });
    expect(again).toEqual({ ticket, created: false });
    expect(await h.store.findTicketByNumber(ticket.ticketNumber)).toEqual(ticket);
    expect(await h.store.findTicketByNumber('T20261012999999')).toBeNull();
    // It joined its serial's set once: the repeat-repair candidates of a later job.
    expect(await h.store.ticketsOfSerial(r.ticket.product.serialNumber, 'T-other')).toEqual([ticket]);
    expect(await h.store.ticketsOfSerial(r.ticket.product.serialNumber, ticket.id)).toEqual([]);
  });

  it('draws another number when the first is taken', async () => {
    const draws = [42, 42, 7];
    const store = createTicketsStore(h.db, undefined, () => draws.shift()!);
    const numbers = [];
    for (let i = 0; i < 2; i++) {
      const r = receive(uniqueId(), intakeInput({ serialNumber: uniqueSerial() }), plus(T0, 3 * 24 * 60), POLICY);
      if (!r.ok) throw new Error(r.message);
      numbers.push((await store.insertTicket(r.ticket, { policy: POLICY, events: r.events })).ticket.ticketNumber);
    }
    expect(numbers).toEqual(['T20261015000042', 'T20261015000007']);
  });
});

describe('the change feed (one per centre, read by _id)', () => {
  it('20 concurrent commands on 20 tickets of one centre get seqs 1–20, once each; other centres are not held up', async () => {
    const [centre, other] = [uniqueId('C'), uniqueId('C')];
    const tickets: TicketRecord[] = [];
    for (let i = 0; i < 21; i++) tickets.push(await receivedTicket(h));
    h.clock.now = plus(T0, 1);
    const outcomes = await Promise.all(tickets.map((t, i) => h.acts.applyTicketCommand({
      ticketId: t.id, commandId: `burst-${i}`, command: cmd.dispatch(i === 20 ? other : centre), policy: POLICY,
    })));
    expect(outcomes.map((o) => o.ticket.version)).toEqual(tickets.map(() => 2));
    const feed = await h.store.changesSince(centre, 0, 100);
    expect(feed.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(feed.map((c) => c.ticketId))).toEqual(new Set(tickets.slice(0, 20).map((t) => t.id)));
    expect(feed.every((c) => c.version === 2 && c.centreId === centre && c.types.join() === 'DISPATCHED')).toBe(true);
    expect(await h.store.feedHead(centre)).toBe(20);
    // Paging by cursor: after 15, at most 3.
    expect((await h.store.changesSince(centre, 15, 3)).map((c) => c.seq)).toEqual([16, 17, 18]);
    expect(await h.store.changesSince(centre, 20, 100)).toEqual([]);
    expect((await h.store.changesSince(other, 0, 100)).map((c) => [c.seq, c.ticketId])).toEqual([[1, tickets[20]!.id]]);
    expect(await h.store.changesSince(uniqueId('C'), 0, 100)).toEqual([]);
  });

  it('an entry a dead writer left past the head is adopted, never duplicated, and readers never see past the head', async () => {
    const centre = uniqueId('C');
    const feed = createChangeFeed(h.db, writeLeaseModel(h.db), DEFAULT_LEASE);
    const content: ChangeContent = { centreId: centre, centreIds: [centre], state: 'OFFERED', at: T0, types: ['DISPATCHED'] };
    // What a writer that died after its entry insert (before its receipt and head) leaves behind.
    const orphan = async (seq: number, ticketId: string) => h.db.collection('ticket_changes').insertOne({
      _id: changeId(centre, seq) as never, feed: centre, seq, ticketId, version: 2, centreId: centre, state: 'OFFERED', at: T0, types: ['DISPATCHED'],
    });
    await feed.append('T-a', 2, content);
    await orphan(2, 'T-b');
    expect((await feed.since(centre, 0, 10)).map((c) => c.ticketId)).toEqual(['T-a']);
    await feed.append('T-b', 2, content); // its retry finds the entry it wrote
    await feed.append('T-c', 2, content);
    await orphan(4, 'T-d');
    await feed.append('T-e', 2, content); // another writer adopts T-d's entry first
    await feed.append('T-d', 2, content); // T-d's retry appends nothing
    await feed.append('T-a', 2, content); // nor a replayed delivery
    expect((await feed.since(centre, 0, 10)).map((c) => `${c.seq}:${c.ticketId}`)).toEqual(['1:T-a', '2:T-b', '3:T-c', '4:T-d', '5:T-e']);
    expect(await feed.head(centre)).toBe(5);
  });

  it('a crash between the ticket write and its delivery is repaired by the retry, counted once', async () => {
    const centre = uniqueId('C');
    const t = await receivedTicket(h);
    await drive(h, t, 'ON_SITE', { centreId: centre });
    // A store whose first delivery after a decision dies, as a worker killed between the two writes would.
    let crash = true;
    const flaky: TicketsStore = {
      ...h.store,
      settle: async (ticket) => {
        if (ticket.pending && crash) {
          crash = false;
          throw new Error('worker died');
        }
        return h.store.settle(ticket);
      },
    };
    const acts = createTicketsActivities(flaky, () => h.clock.now);
    const at = timesFrom(T0);
    h.clock.now = at.completed;
    const call = () => acts.applyTicketCommand({ ticketId: t.id, commandId: 'complete-x', command: cmd.complete(at.finished), policy: POLICY });
    await expect(call()).rejects.toThrow('worker died');
    const left = (await h.store.findTicket(t.id))!;
    expect(left).toMatchObject({ version: 8, state: 'COMPLETED', pending: { version: 8 } });
    expect(await h.store.kpiTotals(centre, '2026-10')).toMatchObject({ completions: 0 });

    const retried = await call(); // Temporal's retry
    expect(retried.ticket).toMatchObject({ version: 8, state: 'COMPLETED' });
    expect(await call()).toEqual(retried);
    // Even a delivery replayed by hand inserts nothing twice.
    await h.db.db!.collection('tickets').updateOne({ _id: t.id as never }, { $set: { pending: left.pending } });
    await h.store.settle((await h.store.findTicket(t.id))!);
    expect(await h.store.kpiTotals(centre, '2026-10')).toMatchObject({ dispatched: 1, completions: 1, completionsReportedInTime: 1 });
    expect((await h.store.changesSince(centre, 0, 100)).map((c) => c.version)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('queries for dispatch and assignment', () => {
  it('openJobsByCentre counts accepted, booked, assigned and on-site jobs', async () => {
    const [a, b, none] = [uniqueId('C'), uniqueId('C'), uniqueId('C')];
    await drive(h, await receivedTicket(h), 'ACCEPTED', { centreId: a });
    await drive(h, await receivedTicket(h), 'ON_SITE', { centreId: a });
    await drive(h, await receivedTicket(h), 'COMPLETED', { centreId: a });
    await drive(h, await receivedTicket(h), 'OFFERED', { centreId: b });
    await drive(h, await receivedTicket(h), 'BOOKED', { centreId: b });
    expect(await h.acts.openJobsByCentre({ centreIds: [a, b, none, a] })).toEqual({ [a]: 2, [b]: 1, [none]: 0 });
    expect(await h.acts.openJobsByCentre({ centreIds: [] })).toEqual({});
    expect(await failure(h.acts.openJobsByCentre({ centreIds: ['ok', 'not ok'] }))).toMatchObject({ type: 'BadActivityInput' });
  });

  it('engineerJobsOn counts the engineer’s jobs whose appointment falls on that Shanghai day', async () => {
    const engineer = uniqueId('E');
    // Appointments start 24 h after receipt: T0 + 1 day is 2026-10-13 09:00 in Shanghai.
    await drive(h, await receivedTicket(h), 'ASSIGNED', { engineerId: engineer });
    await drive(h, await receivedTicket(h), 'CLOSED', { engineerId: engineer });
    const recalled = await receivedTicket(h);
    await drive(h, recalled, 'ASSIGNED', { engineerId: engineer });
    await apply(h, recalled.id, plus(T0, 40), { type: 'RECALL', reason: 'centre suspended', actor: 'operator-1' });
    await drive(h, await receivedTicket(h, { at: plus(T0, 24 * 60) }), 'ASSIGNED', { engineerId: engineer });
    const on = (at: string) => h.acts.engineerJobsOn({ engineerId: engineer, at });
    expect(await on('2026-10-13T00:00:00+08:00')).toBe(2);
    expect(await on('2026-10-13T15:59:59.999Z')).toBe(2);
    expect(await on('2026-10-13T16:00:00Z')).toBe(1);
    expect(await on('2026-10-12T12:00:00Z')).toBe(0);
    expect(await failure(on('2026-10-13'))).toMatchObject({ type: 'BadActivityInput' });
  });
});
