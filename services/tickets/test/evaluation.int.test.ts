import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE, writeLeaseModel, type KpiCounters, type TicketsActivities } from '@starline/common';
import { createTicketsActivities, EVALUATION_ACTOR } from '../src/activities.ts';
import { monthsThrough } from '../src/centre-month.ts';
import type { Lifecycle } from '../src/graphql/lifecycle.ts';
import { createKpiMonths } from '../src/store/kpi-months.ts';
import { unpack } from '../src/store/packed.ts';
import type { TicketRecord, TicketsStore } from '../src/store/tickets.ts';
import { inProcessLifecycle } from './graphql-support.ts';
import {
  apply,
  cmd,
  drive,
  failure,
  plus,
  receivedTicket,
  startHarness,
  timesFrom,
  T0,
  uniqueId,
  type Harness,
} from './support.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('tickets_evaluation');
});
afterAll(async () => {
  await h.db.close();
});

const MIN = 1;
const HOUR = 60;
const DAY = 24 * HOUR;
const D = (iso: string): Date => new Date(iso);
/** October 2026's last instant in Shanghai: what the evaluation of 2026-10 passes as asOf. */
const END = D('2026-10-31T15:59:59.999Z');
const ZERO: KpiCounters = {
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

/** A ticket received `at`, offered to `centreId` 5 min before `acceptAt` and accepted then. */
async function accepted(centreId: string, acceptAt: Date): Promise<TicketRecord> {
  const t = await receivedTicket(h, { at: plus(acceptAt, -10 * MIN) });
  await apply(h, t.id, plus(acceptAt, -5 * MIN), cmd.dispatch(centreId));
  await apply(h, t.id, acceptAt, cmd.accept());
  return t;
}

const facts = (month: string, centreIds: string[], asOf = END) =>
  h.acts.centreMonthFacts({ month, asOf: asOf.toISOString(), centreIds });

describe('centreMonthFacts: counters and dispatch leftover of a centre’s month', () => {
  const A = uniqueId('CA');
  const B = uniqueId('CB');
  const QUIET = uniqueId('CQ');
  const t: Record<string, TicketRecord> = {};

  beforeAll(async () => {
    // ---- centre A, October (T0 = 12 Oct 01:00 UTC) ----
    // a1: the whole job in October, called back SATISFIED: counted, never leftover.
    t['a1'] = await receivedTicket(h);
    await drive(h, t['a1'], 'CALLED_BACK', { centreId: A });
    // a2: booked for 13 Oct 01:00–03:00 UTC and assigned; nobody came by the month's end: leftover.
    t['a2'] = await receivedTicket(h);
    await drive(h, t['a2'], 'ASSIGNED', { centreId: A });
    // a3: accepted 20 min before the end, first contact due 10 min after it: not yet past due.
    t['a3'] = await accepted(A, plus(END, -20 * MIN));
    // a4: accepted 45 min before the end, never contacted: due 15 min before it, leftover.
    t['a4'] = await accepted(A, plus(END, -45 * MIN));
    // a5: its window ends exactly at the end: not past due.
    t['a5'] = await accepted(A, D('2026-10-30T00:10:00Z'));
    await apply(h, t['a5'].id, D('2026-10-31T10:00:00Z'), cmd.book(D('2026-10-31T14:00:00Z'), END));
    // a6: missed its 16 Oct window; rebooked only after the month's end: still leftover for October.
    t['a6'] = await accepted(A, D('2026-10-15T01:10:00Z'));
    await apply(
      h,
      t['a6'].id,
      D('2026-10-15T01:20:00Z'),
      cmd.book(D('2026-10-16T01:00:00Z'), D('2026-10-16T03:00:00Z')),
    );
    // a7: accepted, then cancelled on 20 Oct: not held at the end.
    t['a7'] = await accepted(A, D('2026-10-14T01:10:00Z'));
    await apply(h, t['a7'].id, D('2026-10-20T01:00:00Z'), {
      type: 'CANCEL',
      reason: 'customer withdrew',
      actor: 'agent-1',
    });
    // a8: offered to A on the last day, never answered (timed out later): an offer is not a held job.
    t['a8'] = await receivedTicket(h, { at: D('2026-10-31T09:55:00Z') });
    await apply(h, t['a8'].id, D('2026-10-31T10:00:00Z'), cmd.dispatch(A));

    // ---- centre B ----
    // b1: A accepted it on 10 Oct and was recalled on the 11th; B accepted it then and never called: B's leftover, not
    // A's.
    t['b1'] = await accepted(A, D('2026-10-10T01:10:00Z'));
    await apply(h, t['b1'].id, D('2026-10-11T01:00:00Z'), {
      type: 'RECALL',
      reason: 'centre suspended',
      actor: 'operator-1',
    });
    await apply(h, t['b1'].id, D('2026-10-11T01:05:00Z'), cmd.dispatch(B));
    await apply(h, t['b1'].id, D('2026-10-11T01:10:00Z'), cmd.accept());
    // b3: completed with a delight note, called back UNSATISFIED (a complaint opens).
    t['b3'] = await receivedTicket(h);
    await drive(h, t['b3'], 'CALLED_BACK', {
      centreId: B,
      callback: 'UNSATISFIED',
      report: { delightNote: '顺便清洗了滤网' },
    });
    // b4: accepted at 00:20 on 1 November in Shanghai: November's, and not held at October's end.
    t['b4'] = await accepted(B, D('2026-10-31T16:20:00Z'));
    // a6 rebooked after the end (00:30 on 1 November in Shanghai).
    await apply(
      h,
      t['a6'].id,
      D('2026-10-31T16:30:00Z'),
      cmd.book(D('2026-11-02T01:00:00Z'), D('2026-11-02T03:00:00Z')),
    );
  });

  const OCTOBER_A: KpiCounters = {
    ...ZERO,
    dispatched: 8,
    completions: 1,
    completionsReportedInTime: 1,
    answeredCallbacks: 1,
    satisfiedCallbacks: 1,
  };
  const OCTOBER_B: KpiCounters = {
    ...ZERO,
    dispatched: 2,
    completions: 1,
    completionsReportedInTime: 1,
    answeredCallbacks: 1,
    complaints: 1,
    delightCompletions: 1,
  };

  it('the evaluation’s run (1 November, 02:00 in Shanghai): one entry per centre asked, in order, zeros for a quiet one', async () => {
    h.clock.now = D('2026-10-31T18:00:00Z');
    expect(await facts('2026-10', [B, A, QUIET, A])).toEqual([
      { centreId: B, counters: OCTOBER_B, leftover: 1 },
      { centreId: A, counters: OCTOBER_A, leftover: 3 },
      { centreId: QUIET, counters: ZERO, leftover: 0 },
      { centreId: A, counters: OCTOBER_A, leftover: 3 },
    ]);
  });

  it('asked again three days later, after the jobs moved on, October’s answer is the same', async () => {
    // a2 visited and completed, a4 recalled, a5 rebooked, a3 contacted, b1 worked off, all in November.
    await apply(h, t['a2']!.id, D('2026-11-02T01:00:00Z'), cmd.checkIn());
    await apply(h, t['a2']!.id, D('2026-11-02T03:00:00Z'), cmd.complete(D('2026-11-02T02:30:00Z')));
    await apply(h, t['a4']!.id, D('2026-11-02T04:00:00Z'), {
      type: 'RECALL',
      reason: 'centre suspended',
      actor: 'operator-1',
    });
    await apply(
      h,
      t['a5']!.id,
      D('2026-11-01T01:00:00Z'),
      cmd.book(D('2026-11-03T01:00:00Z'), D('2026-11-03T03:00:00Z')),
    );
    await apply(h, t['a3']!.id, D('2026-11-01T01:00:00Z'), cmd.contact());
    const b1 = t['b1']!.id;
    await apply(h, b1, D('2026-11-02T01:00:00Z'), cmd.book(D('2026-11-02T02:00:00Z'), D('2026-11-02T04:00:00Z')));
    await apply(h, b1, D('2026-11-02T01:10:00Z'), cmd.assign('E-9'));
    await apply(h, b1, D('2026-11-02T02:10:00Z'), cmd.checkIn());
    await apply(h, b1, D('2026-11-02T03:30:00Z'), cmd.complete(D('2026-11-02T03:20:00Z')));

    h.clock.now = D('2026-11-03T18:00:00Z');
    expect(await facts('2026-10', [A, B])).toEqual([
      { centreId: A, counters: OCTOBER_A, leftover: 3 },
      { centreId: B, counters: OCTOBER_B, leftover: 1 },
    ]);
    // The live scorecard of November, as of now: a2 and b1 completed, b4 accepted. Leftover now: a5's and
    // a6's new windows (3 and 2 Nov) are over too, and a3 was contacted but never booked (due since
    // 31 Oct 16:10 UTC); b4 was never contacted.
    const now = h.clock.now;
    expect(await facts('2026-11', [A, B], now)).toEqual([
      { centreId: A, counters: { ...ZERO, completions: 1, completionsReportedInTime: 1 }, leftover: 3 },
      { centreId: B, counters: { ...ZERO, dispatched: 1, completions: 1, completionsReportedInTime: 1 }, leftover: 1 },
    ]);
  });

  it('reads the left-open-jobs sets with the instant each job left, and the counters from one document per centre and month', async () => {
    const left = await h.store.heldSince([A], END, ['2026-10', '2026-11']);
    // Open now: a3, a5, a6; left after the end: a2 (completed), a4 (recalled). a7 and b1 left A before it.
    expect(new Set(left.get(A))).toEqual(new Set(['a3', 'a5', 'a6', 'a2', 'a4'].map((k) => t[k]!.id)));
    const doc = await h.db.db!.collection('kpi_months').findOne({ _id: `${A}|2026-10` as never });
    expect(doc?.['counters']).toEqual(OCTOBER_A);
    expect(typeof doc?.['applied']).toBe('string');
    // One id per delivery: a1's accept (v3), completion (v8) and callback (v9), …
    expect(unpack<string[]>(doc!['applied'] as string)).toEqual(
      expect.arrayContaining([`${t['a1']!.id}:3`, `${t['a1']!.id}:8`, `${t['a1']!.id}:9`]),
    );
    expect(await h.db.db!.listCollections({ name: 'kpi_facts' }).toArray()).toEqual([]);
  });
});

describe('centreMonthFacts: a delivery counts once', () => {
  it('a redelivered outbox (a crash after the counters were written, before the outbox was cleared) adds nothing', async () => {
    const centre = uniqueId('C');
    const ticket = await receivedTicket(h);
    let crash = true;
    const flaky: TicketsStore = {
      ...h.store,
      settle: async (r) => {
        if (r.pending && crash) {
          crash = false;
          // Delivered in full, then the worker dies before clearing the outbox.
          await h.store.settle(r);
          await h.db.db!.collection('tickets').updateOne({ _id: r.id as never }, { $set: { pending: r.pending } });
          throw new Error('worker died');
        }
        return h.store.settle(r);
      },
    };
    const acts = createTicketsActivities(flaky, () => h.clock.now);
    await apply(h, ticket.id, plus(T0, 1), cmd.dispatch(centre));
    h.clock.now = plus(T0, 10);
    const accept = () =>
      acts.applyTicketCommand({ ticketId: ticket.id, commandId: 'accept-once', command: cmd.accept() });
    await expect(accept()).rejects.toThrow('worker died');
    expect((await h.store.findTicket(ticket.id))!.pending).toMatchObject({ version: 3 });
    // Temporal's retry settles it again
    expect(await accept()).toMatchObject({ ticket: { state: 'ACCEPTED', version: 3 } });
    // And once more by hand, as a second process finding it pending would.
    const pending = (await h.store.findTicket(ticket.id))!;
    await h.store.settle({
      ...pending,
      pending: {
        version: 3,
        change: { centreId: centre, centreIds: [centre], state: 'ACCEPTED', at: plus(T0, 10), types: ['ACCEPTED'] },
        kpiFacts: [
          {
            id: `${ticket.id}:3:dispatched:${centre}`,
            ticketId: ticket.id,
            version: 3,
            centreId: centre,
            month: '2026-10',
            counter: 'dispatched',
            by: 1,
            at: plus(T0, 10),
          },
        ],
        complaint: null,
        sets: [],
      },
    });
    expect((await facts('2026-10', [centre]))[0]).toEqual({
      centreId: centre,
      counters: { ...ZERO, dispatched: 1 },
      leftover: 1,
    });
  });

  it('twelve jobs of one centre accepted at once: twelve counted', async () => {
    const centre = uniqueId('C');
    const tickets = await Promise.all(Array.from({ length: 12 }, () => receivedTicket(h)));
    for (const x of tickets) await apply(h, x.id, plus(T0, 1), cmd.dispatch(centre));
    h.clock.now = plus(T0, 10);
    await Promise.all(
      tickets.map((x, i) =>
        h.acts.applyTicketCommand({ ticketId: x.id, commandId: `acc-${i}`, command: cmd.accept() }),
      ),
    );
    const [entry] = await facts('2026-10', [centre], plus(T0, 20));
    expect(entry).toEqual({ centreId: centre, counters: { ...ZERO, dispatched: 12 }, leftover: 0 });
    // 30 minutes after acceptance the first contact is due; one millisecond later all twelve are past due.
    expect((await facts('2026-10', [centre], plus(T0, 40)))[0]!.leftover).toBe(0);
    expect((await facts('2026-10', [centre], new Date(plus(T0, 40).getTime() + 1)))[0]!.leftover).toBe(12);
  });
});

describe('kpi_months: concurrent deliveries to one centre’s month', () => {
  it('30 deliveries at once, each sent twice, from two store instances (two processes): each counted once', async () => {
    // A second connection object has its own models, so the two share only the lease documents, as two processes do.
    const other = h.db.useDb(h.db.name, { useCache: false });
    const p1 = createKpiMonths(h.db, writeLeaseModel(h.db), DEFAULT_LEASE);
    const p2 = createKpiMonths(other, writeLeaseModel(other), DEFAULT_LEASE);
    const centre = uniqueId('C');
    const fact = (i: number) => [
      {
        id: `T-${i}:3:dispatched:${centre}`,
        ticketId: `T-${i}`,
        version: 3,
        centreId: centre,
        month: '2026-10',
        counter: 'dispatched' as const,
        by: 1,
        at: T0,
      },
      {
        id: `T-${i}:3:completions:${centre}`,
        ticketId: `T-${i}`,
        version: 3,
        centreId: centre,
        month: '2026-10',
        counter: 'completions' as const,
        by: 1,
        at: T0,
      },
    ];
    const added = await Promise.all(
      Array.from({ length: 30 }, (_, i) => [p1.apply(fact(i)), p2.apply(fact(i))]).flat(),
    );
    expect(added.reduce((a, b) => a + b, 0)).toBe(60);
    expect((await p1.totals([centre], '2026-10')).get(centre)).toEqual({ ...ZERO, dispatched: 30, completions: 30 });
  });
});

describe('centreMonthFacts: malformed calls are BadActivityInput', () => {
  it.each([
    ['month', { month: '2026-13', asOf: END.toISOString(), centreIds: ['C-1'] }],
    ['month', { month: '202610', asOf: END.toISOString(), centreIds: ['C-1'] }],
    ['asOf', { month: '2026-10', asOf: '31 Oct 2026', centreIds: ['C-1'] }],
    ['centreIds', { month: '2026-10', asOf: END.toISOString(), centreIds: [] }],
    [
      'centreIds',
      { month: '2026-10', asOf: END.toISOString(), centreIds: Array.from({ length: 1001 }, (_, i) => `C-${i}`) },
    ],
    ['centreIds[1]', { month: '2026-10', asOf: END.toISOString(), centreIds: ['C-1', 'not an id!'] }],
  ])('%s', async (field, input) => {
    const f = await failure(h.acts.centreMonthFacts(input as never));
    expect(f).toMatchObject({ type: 'BadActivityInput', nonRetryable: true });
    expect(f.message).toContain(field);
  });

  it('months from asOf’s through now’s', () => {
    expect(monthsThrough('2026-10', '2026-10')).toEqual(['2026-10']);
    expect(monthsThrough('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsThrough('2026-11', '2026-10')).toEqual([]);
  });
});

describe('recallCentreJobs', () => {
  /** The activities with an in-process lifecycle (the command goes to applyTicketCommand, as the workflow's would). */
  const withLifecycle = (lifecycle: Lifecycle): TicketsActivities =>
    createTicketsActivities(h.store, () => h.clock.now, lifecycle);

  it('recalls each job the centre holds open once, through the lifecycle; ON_SITE and offers stay; a second call recalls none', async () => {
    const centre = uniqueId('C');
    const other = uniqueId('C');
    const jobs: Record<string, TicketRecord> = {};
    for (const stage of ['ACCEPTED', 'BOOKED', 'ASSIGNED', 'ON_SITE', 'COMPLETED', 'OFFERED'] as const) {
      jobs[stage] = await receivedTicket(h);
      await drive(h, jobs[stage], stage, { centreId: centre });
    }
    const elsewhere = await receivedTicket(h);
    await drive(h, elsewhere, 'BOOKED', { centreId: other });

    const sent: string[] = [];
    const inner = inProcessLifecycle(h.acts, h.store);
    const acts = withLifecycle({
      ...inner,
      command: (id, c, o) => (sent.push(`${id}|${c.type}|${o.requestId}`), inner.command(id, c, o)),
    });
    h.clock.now = plus(T0, 3 * DAY);
    const input = {
      centreId: centre,
      reason: 'centre eliminated by the evaluation of 2026-10',
      evidence: 'evaluation:2026-10',
    };
    expect(await acts.recallCentreJobs(input)).toEqual({ recalled: 3 });
    const recalled = ['ACCEPTED', 'BOOKED', 'ASSIGNED'].map((s) => jobs[s]!.id);
    expect(sent.sort()).toEqual(recalled.map((id) => `${id}|RECALL|evaluation:2026-10:recall:${id}`).sort());
    for (const id of recalled) {
      const r = (await h.store.findTicket(id))!;
      expect(r).toMatchObject({ state: 'RECEIVED', centreId: null });
      expect(r.timeline.at(-1)).toMatchObject({
        type: 'RECALLED',
        actor: EVALUATION_ACTOR,
        data: { centreId: centre, reason: input.reason },
      });
      expect(r.appliedCommands.at(-1)).toMatchObject({
        commandId: `evaluation:2026-10:recall:${id}`,
        type: 'RECALL',
      });
    }
    expect((await h.store.findTicket(jobs['ON_SITE']!.id))!.state).toBe('ON_SITE');
    expect((await h.store.findTicket(jobs['OFFERED']!.id))!).toMatchObject({ state: 'OFFERED', centreId: centre });
    expect((await h.store.findTicket(elsewhere.id))!).toMatchObject({ state: 'BOOKED', centreId: other });
    expect(await h.acts.openJobsByCentre({ centreIds: [centre, other] })).toEqual({ [centre]: 1, [other]: 1 });

    sent.length = 0;
    expect(await acts.recallCentreJobs(input)).toEqual({ recalled: 0 });
    expect(sent).toEqual([]);
  });

  it('a job that refuses RECALL (it moved on since the open set was read) is skipped, not an error', async () => {
    const centre = uniqueId('C');
    const racing = await receivedTicket(h);
    await drive(h, racing, 'ASSIGNED', { centreId: centre });
    const calm = await receivedTicket(h);
    await drive(h, calm, 'ACCEPTED', { centreId: centre });
    const inner = inProcessLifecycle(h.acts, h.store);
    const at = timesFrom(T0);
    const acts = withLifecycle({
      ...inner,
      async command(id, c, o) {
        // The engineer checks in just before the recall reaches the ticket.
        if (id === racing.id) await apply(h, id, at.checkIn, cmd.checkIn());
        h.clock.now = plus(T0, 3 * DAY);
        return inner.command(id, c, o);
      },
    });
    expect(
      await acts.recallCentreJobs({ centreId: centre, reason: 'centre eliminated', evidence: 'evaluation:2026-10' }),
    ).toEqual({ recalled: 1 });
    expect((await h.store.findTicket(racing.id))!.state).toBe('ON_SITE');
    expect((await h.store.findTicket(calm.id))!.state).toBe('RECEIVED');
  });

  it('malformed calls, and a worker without a lifecycle, fail for good', async () => {
    const acts = withLifecycle(inProcessLifecycle(h.acts, h.store));
    for (const [input, field] of [
      [{ centreId: 'not an id!', reason: 'x', evidence: 'e' }, 'centreId'],
      [{ centreId: 'C-1', reason: '  ', evidence: 'e' }, 'reason'],
      [{ centreId: 'C-1', reason: 'x', evidence: '' }, 'evidence'],
      [{ centreId: 'C-1', reason: 'x', evidence: 'e'.repeat(121) }, 'evidence'],
    ] as const) {
      const f = await failure(acts.recallCentreJobs(input));
      expect(f).toMatchObject({ type: 'BadActivityInput', nonRetryable: true });
      expect(f.message).toContain(field);
    }
    expect(await failure(h.acts.recallCentreJobs({ centreId: 'C-1', reason: 'x', evidence: 'e' }))).toMatchObject({
      type: 'NotConfigured',
      nonRetryable: true,
    });
  });
});
