import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE, writeLeaseModel } from '@starline/common';
import type { Connection } from 'mongoose';
import { createTicketsActivities } from '../src/activities.ts';
import type { ChangeContent } from '../src/effects.ts';
import { FEED_BUCKET, bucketId, changeId, createChangeFeed, putInBuckets } from '../src/store/changes.ts';
import { changeBucketModel, policyModel, ticketModel } from '../src/store/models.ts';
import { receive } from '../src/rules/intake.ts';
import { createTicketsStore, type TicketRecord, type TicketsStore } from '../src/store/tickets.ts';
import { intakeInput } from './fixtures/tickets.ts';
import {
  POLICY,
  T0,
  apply,
  cmd,
  drive,
  failure,
  plus,
  receivedTicket,
  startHarness,
  timesFrom,
  uniqueId,
  uniqueSerial,
  type Harness,
} from './support.ts';

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
    expect(ticket).toMatchObject({
      id: r.ticket.id,
      version: 1,
      state: 'RECEIVED',
      standardVersionId: 'default',
      policy: POLICY,
      pending: null,
    });
    expect(ticket.timeline).toEqual([{ ...r.events[0], version: 1 }]);
    // Stored packed, one string per event (store/packed.ts).
    const stored = (await ticketModel(h.db).findById(ticket.id).lean())!;
    expect(stored.timeline.every((e) => typeof e === 'string')).toBe(true);
    const again = await h.store.insertTicket(r.ticket, { policy: POLICY, events: r.events, now: plus(T0, 1) });
    expect(again).toEqual({ ticket, created: false });
    expect(await h.store.findTicketByNumber(ticket.ticketNumber)).toEqual(ticket);
    expect(await h.store.findTicketByNumber('T20261012999999')).toBeNull();
    // It joined its serial's set once: the repeat-repair candidates of a later job.
    expect(await h.store.ticketsOfSerial(r.ticket.product.serialNumber, 'T-other')).toEqual([ticket]);
    expect(await h.store.ticketsOfSerial(r.ticket.product.serialNumber, ticket.id)).toEqual([]);
  });

  it('keeps the policy once per standard version, not in each ticket, and reads it back for every ticket that names it', async () => {
    const policy = { ...POLICY, standardVersionId: uniqueId('SV') };
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const r = receive(uniqueId(), intakeInput({ serialNumber: uniqueSerial() }), T0, policy, 'agent-1');
      if (!r.ok) throw new Error(r.message);
      ids.push((await h.store.insertTicket(r.ticket, { policy, events: r.events, now: T0 })).ticket.id);
    }
    const stored = await ticketModel(h.db)
      .find({ _id: { $in: ids } })
      .lean();
    expect(stored.map((d) => [d.standardVersionId, d.policy])).toEqual([
      [policy.standardVersionId, undefined],
      [policy.standardVersionId, undefined],
    ]);
    expect(await policyModel(h.db).find({ _id: policy.standardVersionId }).lean()).toEqual([
      { _id: policy.standardVersionId, policy },
    ]);
    // Another process (a fresh store: nothing in memory) reads it from the database.
    const elsewhere = createTicketsStore(h.db);
    for (const id of ids) expect((await elsewhere.findTicket(id))!.policy).toEqual(policy);
    expect((await elsewhere.findTicketView(ids[0]!))!.policy).toEqual(policy);
  });

  it("answers a view from memory only at the version asked or newer: another process's writes need no invalidation", async () => {
    const here = createTicketsStore(h.db);
    const elsewhere = createTicketsActivities(createTicketsStore(h.db), () => h.clock.now);
    const t = await receivedTicket(h);
    expect((await here.findTicketView(t.id))!.version).toBe(1);
    h.clock.now = plus(T0, 1);
    await elsewhere.applyTicketCommand({ ticketId: t.id, commandId: uniqueId('cmd'), command: cmd.dispatch() });
    await elsewhere.applyTicketCommand({ ticketId: t.id, commandId: uniqueId('cmd'), command: cmd.accept() });
    // Version 1 is what it holds, and good enough for a caller that asks for 1.
    expect((await here.findTicketView(t.id, 1))!).toMatchObject({ version: 1, state: 'RECEIVED' });
    // Asked for 2 it reads, and finds 3; asked for no version it reads too.
    expect((await here.findTicketView(t.id, 2))!).toMatchObject({ version: 3, state: 'ACCEPTED' });
    expect((await here.findTicketView(t.id, 1))!.version).toBe(3);
    expect(await here.findTicketView('T-nope', 1)).toBeNull();
  });

  it('reads a page of views together: each at its wanted version or newer, held ones from memory, missing ones absent', async () => {
    const here = createTicketsStore(h.db);
    const elsewhere = createTicketsActivities(createTicketsStore(h.db), () => h.clock.now);
    const [held, moved, unread] = [await receivedTicket(h), await receivedTicket(h), await receivedTicket(h)];
    for (const t of [held, moved]) expect((await here.findTicketView(t.id))!.version).toBe(1);
    for (const t of [held, moved])
      await elsewhere.applyTicketCommand({ ticketId: t.id, commandId: uniqueId('cmd'), command: cmd.dispatch() });
    const views = await here.findTicketViews(
      new Map([
        [held.id, 1],
        [moved.id, 2],
        [unread.id, 1],
        ['T-nope', 1],
      ]),
    );
    expect([...views.keys()].sort()).toEqual([held.id, moved.id, unread.id].sort());
    expect(views.get(held.id)).toMatchObject({ id: held.id, version: 1, state: 'RECEIVED' });
    expect(views.get(moved.id)).toMatchObject({ id: moved.id, version: 2 });
    expect(views.get(unread.id)).toMatchObject({ id: unread.id, version: 1, ticketNumber: unread.ticketNumber });
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
    const outcomes = await Promise.all(
      tickets.map((t, i) =>
        h.acts.applyTicketCommand({
          ticketId: t.id,
          commandId: `burst-${i}`,
          command: cmd.dispatch(i === 20 ? other : centre),
        }),
      ),
    );
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
    const content: ChangeContent = {
      centreId: centre,
      centreIds: [centre],
      state: 'OFFERED',
      at: T0,
      types: ['DISPATCHED'],
    };
    // What a writer that died after its entry insert (before its receipt and head) leaves behind.
    const orphan = async (seq: number, ticketId: string) =>
      h.db.collection('ticket_changes').insertOne({
        _id: changeId(centre, seq) as never,
        feed: centre,
        seq,
        ticketId,
        version: 2,
        centreId: centre,
        state: 'OFFERED',
        at: T0,
        types: ['DISPATCHED'],
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
    expect((await feed.since(centre, 0, 10)).map((c) => `${c.seq}:${c.ticketId}`)).toEqual([
      '1:T-a',
      '2:T-b',
      '3:T-c',
      '4:T-d',
      '5:T-e',
    ]);
    expect(await feed.head(centre)).toBe(5);
  });

  const contentFor = (centre: string): ChangeContent => ({
    centreId: centre,
    centreIds: [centre],
    state: 'OFFERED',
    at: T0,
    types: ['DISPATCHED'],
  });
  /** Appends `n` changes (tickets `<prefix>1…`, version 2) one after another. */
  const fill = async (feed: ReturnType<typeof createChangeFeed>, centre: string, n: number, prefix = 'T-') => {
    for (let i = 1; i <= n; i++) await feed.append(`${prefix}${i}`, 2, contentFor(centre));
  };
  const bucketSeqs = async (centre: string, no: number) =>
    Object.keys((await changeBucketModel(h.db).findById(bucketId(centre, no)).lean())?.entries ?? {})
      .map(Number)
      .sort((a, b) => a - b);
  const seqsOf = (page: { seq: number; ticketId: string }[]) => page.map((c) => `${c.seq}:${c.ticketId}`);

  it('pages span buckets; the entries at a bucket boundary are read once, in order', async () => {
    expect(FEED_BUCKET).toBe(100);
    const centre = uniqueId('C');
    const feed = createChangeFeed(h.db, writeLeaseModel(h.db), DEFAULT_LEASE);
    await fill(feed, centre, FEED_BUCKET + 3);
    expect(await bucketSeqs(centre, 0)).toEqual(Array.from({ length: FEED_BUCKET }, (_, i) => i + 1));
    expect(await bucketSeqs(centre, 1)).toEqual([101, 102, 103]);
    expect(seqsOf(await feed.since(centre, 97, 5))).toEqual([
      '98:T-98',
      '99:T-99',
      '100:T-100',
      '101:T-101',
      '102:T-102',
    ]);
    expect(seqsOf(await feed.since(centre, 99, 1))).toEqual(['100:T-100']);
    expect(seqsOf(await feed.since(centre, 100, 1))).toEqual(['101:T-101']);
    expect(seqsOf(await feed.since(centre, 100, 10))).toEqual(['101:T-101', '102:T-102', '103:T-103']);
    const all = await feed.since(centre, 0, 500);
    expect(all.map((c) => c.seq)).toEqual(Array.from({ length: FEED_BUCKET + 3 }, (_, i) => i + 1));
    expect(all[99]).toEqual({
      seq: 100,
      ticketId: 'T-100',
      version: 2,
      centreId: centre,
      state: 'OFFERED',
      at: T0,
      types: ['DISPATCHED'],
    });
    // Pages come from the buckets: without the entry documents they read the same.
    await h.db
      .collection('ticket_changes')
      .deleteMany({ _id: { $in: [changeId(centre, 100), changeId(centre, 101)] as never[] } });
    expect(await feed.since(centre, 0, 500)).toEqual(all);
    // And an entry its bucket lacks (a feed written before buckets, or a bucket update lost to a
    // stalled lease holder's) is read from its entry document.
    await changeBucketModel(h.db).updateOne({ _id: bucketId(centre, 0) }, { $unset: { 'entries.42': 1 } });
    expect(await bucketSeqs(centre, 0)).not.toContain(42);
    expect(await feed.since(centre, 0, 500)).toEqual(all);
    // Entries are packed one string each; one stored as an object (before packing) reads the same.
    const bucket = (await changeBucketModel(h.db).findById(bucketId(centre, 0)).lean())!;
    expect(typeof bucket.entries['43']).toBe('string');
    await changeBucketModel(h.db).updateOne({ _id: bucketId(centre, 0) }, { $set: { 'entries.43': all[42] } });
    expect(typeof (await changeBucketModel(h.db).findById(bucketId(centre, 0)).lean())!.entries['43']).toBe('object');
    expect(await feed.since(centre, 0, 500)).toEqual(all);
  });

  it('a writer that died after its bucket write, before its receipt and head: invisible, then adopted once', async () => {
    const centre = uniqueId('C');
    const feed = createChangeFeed(h.db, writeLeaseModel(h.db), DEFAULT_LEASE);
    // What a writer that died between the bucket write and the receipt leaves behind: entry and bucket.
    const orphan = async (seq: number, ticketId: string) => {
      const entry = { seq, ticketId, version: 2, centreId: centre, state: 'OFFERED', at: T0, types: ['DISPATCHED'] };
      await h.db
        .collection('ticket_changes')
        .insertOne({ _id: changeId(centre, seq) as never, feed: centre, ...entry });
      await putInBuckets(changeBucketModel(h.db), centre, [entry]);
    };
    await fill(feed, centre, FEED_BUCKET - 1);
    await orphan(FEED_BUCKET, 'T-x'); // the last seq of bucket 0
    await orphan(FEED_BUCKET + 1, 'T-y'); // the first of bucket 1
    expect(await bucketSeqs(centre, 1)).toEqual([FEED_BUCKET + 1]);
    expect(await feed.head(centre)).toBe(FEED_BUCKET - 1);
    expect((await feed.since(centre, FEED_BUCKET - 2, 10)).map((c) => c.ticketId)).toEqual([`T-${FEED_BUCKET - 1}`]);
    expect(await feed.since(centre, FEED_BUCKET - 1, 10)).toEqual([]);
    await feed.append('T-z', 2, contentFor(centre)); // adopts both, then appends after them
    await feed.append('T-y', 2, contentFor(centre)); // T-y's retry appends nothing
    await feed.append('T-x', 2, contentFor(centre)); // nor T-x's
    expect(seqsOf(await feed.since(centre, FEED_BUCKET - 2, 10))).toEqual([`99:T-99`, '100:T-x', '101:T-y', '102:T-z']);
    expect(await feed.head(centre)).toBe(FEED_BUCKET + 2);
    expect(await bucketSeqs(centre, 1)).toEqual([101, 102]);
    expect(await h.db.collection('ticket_change_receipts').findOne({ _id: `${centre}|T-y|2` as never })).toMatchObject({
      seq: 101,
    });
  });

  it('concurrent appends of many tickets, from two processes, each delivered twice: seqs 1..N, each change once', async () => {
    const centre = uniqueId('C');
    const lease = { leaseMs: 30_000, waitMs: 120_000 };
    // A second connection has its own models, so its own in-process queue: the lease document arbitrates, as between
    // workers.
    const other: Connection = h.db.useDb(h.db.name, { useCache: false });
    const feeds = [
      createChangeFeed(h.db, writeLeaseModel(h.db), lease),
      createChangeFeed(other, writeLeaseModel(other), lease),
    ];
    const n = FEED_BUCKET + 20;
    await Promise.all(
      Array.from({ length: 2 * n }, (_, k) => feeds[k % 2]!.append(`T-${k % n}`, 2, contentFor(centre))),
    );
    const page = await feeds[0]!.since(centre, 0, 500);
    expect(page.map((c) => c.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(new Set(page.map((c) => c.ticketId)).size).toBe(n);
    expect(await feeds[1]!.head(centre)).toBe(n);
    expect([...(await bucketSeqs(centre, 0)), ...(await bucketSeqs(centre, 1))]).toEqual(page.map((c) => c.seq));
    // A retried delivery of a (ticket, version) already in the feed appends nothing, from either process.
    await feeds[1]!.append('T-0', 2, contentFor(centre));
    await Promise.all([feeds[0]!.append('T-7', 2, contentFor(centre)), feeds[1]!.append('T-7', 2, contentFor(centre))]);
    expect(await feeds[0]!.head(centre)).toBe(n);
    expect(await feeds[0]!.since(centre, 0, 500)).toEqual(page);
    // Its next version is a new change.
    await feeds[1]!.append('T-7', 3, contentFor(centre));
    expect(seqsOf(await feeds[0]!.since(centre, n - 1, 10))).toEqual([`${n}:${page.at(-1)!.ticketId}`, `${n + 1}:T-7`]);
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
    const call = () =>
      acts.applyTicketCommand({ ticketId: t.id, commandId: 'complete-x', command: cmd.complete(at.finished) });
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
    expect(await h.store.kpiTotals(centre, '2026-10')).toMatchObject({
      dispatched: 1,
      completions: 1,
      completionsReportedInTime: 1,
    });
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
    expect(await failure(h.acts.openJobsByCentre({ centreIds: ['ok', 'not ok'] }))).toMatchObject({
      type: 'BadActivityInput',
    });
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
