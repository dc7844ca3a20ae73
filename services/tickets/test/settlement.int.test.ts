import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettledStatement, SettlementJob, TicketCommandInput } from '@starline/common';
import { createTicketsActivities } from '../src/activities.ts';
import type { TicketRecord, TicketsStore } from '../src/store/tickets.ts';
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
  uniqueSerial,
  type Harness,
} from './support.ts';

/**
 * unsettledJobs / jobsSettled (docs/domain.md §7): two centres' jobs driven through applyTicketCommand to
 * every settlement status, each centre's list checked against hand-written jobs (fees in fen from the
 * default standard's labour fee table, services/standards/src/rules/defaults.ts FEE_MATRIX); the
 * per-job settlement records (`settlement_jobs`) checked in the database at each step, and the
 * fallback to the ticket for a job without one.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness('tickets_settlement');
});
afterAll(async () => {
  await h.db.close();
});

const DAY = 24 * 60;
const D = (iso: string): Date => new Date(iso);
const WARRANTY_PART = { parts: [{ partNumber: 'P-100', oldPartSerial: 'OLD-1234', quantity: 1 }] };
const recall = (): TicketCommandInput => ({ type: 'RECALL', reason: 'centre suspended', actor: 'operator-1' });

const unsettled = (centreIds: string[]) => h.acts.unsettledJobs({ centreIds });
const jobsOf = async (centreId: string): Promise<SettlementJob[]> => (await unsettled([centreId]))[0]!.jobs;
const settled = (statements: SettledStatement[]) => h.acts.jobsSettled({ statements });
const records = () => h.db.db!.collection('settlement_jobs');

/** A ticket's settlement record as stored, its packed job parsed by hand (a SettlementJob holds no dates). */
async function storedRecord(ticketId: string): Promise<Record<string, unknown> | null> {
  const d = await records().findOne({ _id: ticketId as never });
  return d && { ...d, job: JSON.parse(d['job'] as string) as unknown };
}

/** Deletes tickets' settlement records, as for jobs completed before records existed. */
async function forget(ids: string[]): Promise<void> {
  expect((await records().deleteMany({ _id: { $in: ids as never[] } })).deletedCount).toBe(ids.length);
}

/** The job as unsettledJobs should list it. */
function job(
  t: TicketRecord,
  completedMonth: string,
  status: SettlementJob['status'],
  feeFen: number | null,
  reasons: string[],
): SettlementJob {
  return {
    ticketId: t.id,
    number: t.ticketNumber,
    completedMonth,
    productLine: t.product.productLine,
    serviceType: t.serviceType,
    areaClass: t.areaClass,
    status,
    feeFen,
    reasons,
  };
}
const byNumber = (jobs: SettlementJob[]): SettlementJob[] => [...jobs].sort((a, b) => (a.number < b.number ? -1 : 1));

describe('unsettledJobs: each centre’s completed jobs not yet settled, judged now', () => {
  const A = uniqueId('CA');
  const B = uniqueId('CB');
  const QUIET = uniqueId('CQ');
  const t: Record<string, TicketRecord> = {};
  let expectedA: SettlementJob[];
  let expectedB: SettlementJob[];

  beforeAll(async () => {
    // ---- centre A (T0 = 12 Oct 2026 01:00 UTC; drive completes 26 h after receipt) ----
    // PAYABLE: air conditioner REPAIR, URBAN, closed: 8000 fen.
    t['aPay'] = await receivedTicket(h);
    await drive(h, t['aPay'], 'CLOSED', { centreId: A });
    // HELD: the callback was UNSATISFIED.
    t['aUnhappy'] = await receivedTicket(h);
    await drive(h, t['aUnhappy'], 'CALLED_BACK', { centreId: A, callback: 'UNSATISFIED' });
    // HELD: a part replaced under warranty, called back SATISFIED, old part never returned.
    t['aPart'] = await receivedTicket(h);
    await drive(h, t['aPart'], 'CALLED_BACK', { centreId: A, report: WARRANTY_PART });
    // PENDING: completed at 1 November 00:30 in Shanghai (31 Oct 16:30 UTC), callback not made yet: November's.
    t['aWaiting'] = await receivedTicket(h, { at: D('2026-10-30T14:30:00Z') });
    await drive(h, t['aWaiting'], 'COMPLETED', { centreId: A });
    // NOT_PAYABLE: closed (would pay), then superseded by a repeat repair of the same machine (bRepeat, B's).
    const serial = uniqueSerial();
    t['aRepeated'] = await receivedTicket(h, { intake: { serialNumber: serial } });
    await drive(h, t['aRepeated'], 'CLOSED', { centreId: A });
    // Accepted only: not completed, not listed.
    t['aAccepted'] = await receivedTicket(h);
    await drive(h, t['aAccepted'], 'ACCEPTED', { centreId: A });
    // Accepted by A, recalled, re-dispatched to B, which completes it: B's job, never A's.
    t['moved'] = await receivedTicket(h);
    const at = timesFrom(t['moved'].receivedAt);
    await apply(h, t['moved'].id, at.dispatch, cmd.dispatch(A));
    await apply(h, t['moved'].id, at.accept, cmd.accept());
    await apply(h, t['moved'].id, plus(at.accept, 2), recall());
    await apply(h, t['moved'].id, plus(at.accept, 4), cmd.dispatch(B));
    await apply(h, t['moved'].id, plus(at.accept, 6), cmd.accept());
    await apply(h, t['moved'].id, at.contact, cmd.contact());
    await apply(h, t['moved'].id, at.book, cmd.book(at.from, at.to));
    await apply(h, t['moved'].id, at.assign, cmd.assign());
    await apply(h, t['moved'].id, at.checkIn, cmd.checkIn());
    await apply(h, t['moved'].id, at.completed, cmd.complete(at.finished));

    // ---- centre B ----
    // PAYABLE: refrigerator INSTALL, RURAL, closed: 4000 fen.
    t['bPay'] = await receivedTicket(h, {
      intake: { productLine: 'REFRIGERATOR', serviceType: 'INSTALL', areaClass: 'RURAL' },
    });
    await drive(h, t['bPay'], 'CLOSED', { centreId: B });
    // HELD: UNSATISFIED, completed 31 Oct 23:50 in Shanghai (15:50 UTC): October's.
    t['bUnhappy'] = await receivedTicket(h, { at: D('2026-10-30T13:50:00Z') });
    await drive(h, t['bUnhappy'], 'CALLED_BACK', { centreId: B, callback: 'UNSATISFIED' });
    // PENDING: called back SATISFIED, HQ's quality check not done yet.
    t['bChecking'] = await receivedTicket(h, {
      intake: { productLine: 'WASHING_MACHINE', serviceType: 'MAINTENANCE' },
    });
    await drive(h, t['bChecking'], 'CALLED_BACK', { centreId: B });
    // The repeat repair (received 5 days after aRepeated, completed by B): PENDING its callback.
    t['bRepeat'] = await receivedTicket(h, { intake: { serialNumber: serial }, at: plus(T0, 5 * DAY) });
    const done = await drive(h, t['bRepeat'], 'COMPLETED', { centreId: B });
    expect(done.at(-1)!.evidence.map((e) => e.code)).toContain('REPEAT_REPAIR');

    expectedA = byNumber([
      job(t['aPay'], '2026-10', 'PAYABLE', 8000, []),
      job(t['aUnhappy'], '2026-10', 'HELD', null, ['CALLBACK_UNSATISFIED']),
      job(t['aPart'], '2026-10', 'HELD', null, ['OLD_PART_NOT_RETURNED']),
      job(t['aWaiting'], '2026-11', 'PENDING', null, ['CALLBACK']),
      job(t['aRepeated'], '2026-10', 'NOT_PAYABLE', null, ['REPEAT_REPAIR']),
    ]);
    expectedB = byNumber([
      job(t['moved'], '2026-10', 'PENDING', null, ['CALLBACK']),
      job(t['bPay'], '2026-10', 'PAYABLE', 4000, []),
      job(t['bUnhappy'], '2026-10', 'HELD', null, ['CALLBACK_UNSATISFIED']),
      job(t['bChecking'], '2026-10', 'PENDING', null, ['QUALITY_CHECK']),
      job(t['bRepeat'], '2026-10', 'PENDING', null, ['CALLBACK']),
    ]);
  });

  it('lists exactly each centre’s completed jobs with status, fee, reasons and completion month, by ticket number; centres in the order asked; reads only', async () => {
    const before = await h.snapshot();
    expect(await unsettled([B, A, QUIET, A])).toEqual([
      { centreId: B, jobs: expectedB },
      { centreId: A, jobs: expectedA },
      { centreId: QUIET, jobs: [] },
      { centreId: A, jobs: expectedA },
    ]);
    expect(await h.snapshot()).toBe(before);
    // The set holds bare ticket ids, the ones A completed: not the accepted job, not the one B completed.
    const set = await h.db.db!.collection('ticket_sets').findOne({ _id: `unsettled:${A}` as never });
    expect(new Set(set?.['tickets'] as string[])).toEqual(
      new Set(['aPay', 'aUnhappy', 'aPart', 'aWaiting', 'aRepeated'].map((k) => t[k]!.id)),
    );
  });

  it('every job has its settlement record; without them (jobs completed before records existed) the answer is the same, from the tickets', async () => {
    expect(await storedRecord(t['aPay']!.id)).toEqual({
      _id: t['aPay']!.id,
      version: 10,
      centreId: A,
      job: job(t['aPay']!, '2026-10', 'PAYABLE', 8000, []),
    });
    // Superseded at bRepeat's completion: one version more than its CLOSED.
    expect(await storedRecord(t['aRepeated']!.id)).toEqual({
      _id: t['aRepeated']!.id,
      version: 11,
      centreId: A,
      job: job(t['aRepeated']!, '2026-10', 'NOT_PAYABLE', null, ['REPEAT_REPAIR']),
    });
    // Completed by B after A's recall: B's record (and on B's list only).
    expect(await storedRecord(t['moved']!.id)).toMatchObject({
      centreId: B,
      job: { status: 'PENDING', reasons: ['CALLBACK'] },
    });
    expect(await storedRecord(t['aAccepted']!.id)).toBeNull();

    await forget(['aPay', 'aRepeated', 'aWaiting', 'moved', 'bUnhappy', 'bRepeat'].map((k) => t[k]!.id));
    const before = await h.snapshot();
    expect(await unsettled([B, A])).toEqual([
      { centreId: B, jobs: expectedB },
      { centreId: A, jobs: expectedA },
    ]);
    expect(await h.snapshot()).toBe(before);
  });

  it('jobsSettled takes the paid and the not payable off; a second call and ids not on the list remove nothing; B’s list is untouched', async () => {
    const paid = [t['aPay']!.id, t['aRepeated']!.id];
    const statementId = `2026-10:${A}`;
    expect(await settled([{ centreId: A, statementId, ticketIds: [...paid, 'T-unknown'] }])).toEqual({ removed: 2 });
    expect(await settled([{ centreId: A, statementId, ticketIds: paid }])).toEqual({ removed: 0 });
    // B's jobs asked of A: not A's to settle.
    expect(await settled([{ centreId: A, statementId, ticketIds: [t['bPay']!.id, t['moved']!.id] }])).toEqual({
      removed: 0,
    });
    expect(await settled([{ centreId: A, statementId, ticketIds: [] }])).toEqual({ removed: 0 });
    expect(await jobsOf(A)).toEqual(expectedA.filter((j) => !paid.includes(j.ticketId)));
    expect(await jobsOf(B)).toEqual(expectedB);
    // Nothing was added to the tickets.
    const stored = (await h.store.findTicket(t['aPay']!.id))!;
    expect(stored).not.toHaveProperty('statementId');
    expect(stored.state).toBe('CLOSED');
  });

  it('a held job stays listed and is PAYABLE once its hold is resolved (carried forward, paid later)', async () => {
    const part = t['aPart']!;
    await apply(h, part.id, plus(T0, 20 * DAY), { type: 'RETURN_OLD_PART', actor: 'partner-C-1' });
    expect((await jobsOf(A)).find((j) => j.ticketId === part.id)).toMatchObject({
      status: 'PENDING',
      reasons: ['AUTOPSY'],
    });
    await apply(h, part.id, plus(T0, 21 * DAY), {
      type: 'RECORD_AUTOPSY',
      consistent: true,
      note: 'capacitor failed',
      actor: 'operator-1',
    });
    await apply(h, part.id, plus(T0, 22 * DAY), cmd.qualityCheck());
    expect((await jobsOf(A)).find((j) => j.ticketId === part.id)).toEqual(job(part, '2026-10', 'PAYABLE', 8000, []));
    expect(await settled([{ centreId: A, statementId: `2026-11:${A}`, ticketIds: [part.id] }])).toEqual({ removed: 1 });
    // Its record stays (only the list forgets the job).
    expect(await storedRecord(part.id)).toEqual({
      _id: part.id,
      version: 12,
      centreId: A,
      job: job(part, '2026-10', 'PAYABLE', 8000, []),
    });
    expect((await jobsOf(A)).map((j) => j.ticketId)).toEqual(
      expectedA.filter((j) => [t['aUnhappy']!.id, t['aWaiting']!.id].includes(j.ticketId)).map((j) => j.ticketId),
    );
  });
});

describe('unsettledJobs: the entry is written with the completion’s other effects', () => {
  it('a worker dying between the completion’s commit and its delivery: listed once the retry delivers', async () => {
    const centre = uniqueId('C');
    const ticket = await receivedTicket(h);
    await drive(h, ticket, 'ON_SITE', { centreId: centre });
    let crash = true;
    const flaky: TicketsStore = {
      ...h.store,
      settle: async (r) => {
        if (crash && r.pending?.sets.some((m) => m.key === `unsettled:${centre}`)) {
          crash = false;
          throw new Error('worker died');
        }
        return h.store.settle(r);
      },
    };
    const acts = createTicketsActivities(flaky, () => h.clock.now);
    const at = timesFrom(ticket.receivedAt);
    h.clock.now = at.completed;
    const complete = () =>
      acts.applyTicketCommand({ ticketId: ticket.id, commandId: 'complete-once', command: cmd.complete(at.finished) });
    await expect(complete()).rejects.toThrow('worker died');
    expect(await jobsOf(centre)).toEqual([]); // decided, not delivered yet
    expect(await storedRecord(ticket.id)).toBeNull();
    expect(await complete()).toMatchObject({ ticket: { state: 'COMPLETED' } }); // Temporal's retry
    expect(await jobsOf(centre)).toEqual([job(ticket, '2026-10', 'PENDING', null, ['CALLBACK'])]);
    expect(await storedRecord(ticket.id)).toEqual({
      _id: ticket.id,
      version: 8,
      centreId: centre,
      job: job(ticket, '2026-10', 'PENDING', null, ['CALLBACK']),
    });
  });

  it('a worker dying before delivering the callback: the record lags until the next command settles it, and a replayed older outbox never undoes a newer record', async () => {
    const centre = uniqueId('C');
    const ticket = await receivedTicket(h);
    await drive(h, ticket, 'COMPLETED', { centreId: centre });
    let crash = true;
    const flaky: TicketsStore = {
      ...h.store,
      settle: async (r) => {
        if (crash && r.pending?.version === 9) {
          crash = false;
          throw new Error('worker died');
        }
        return h.store.settle(r);
      },
    };
    const acts = createTicketsActivities(flaky, () => h.clock.now);
    const at = timesFrom(ticket.receivedAt);
    h.clock.now = at.callback;
    await expect(
      acts.applyTicketCommand({
        ticketId: ticket.id,
        commandId: 'callback-died',
        command: cmd.callback('SATISFIED'),
      }),
    ).rejects.toThrow('worker died');
    const left = (await h.store.findTicket(ticket.id))!;
    expect(left).toMatchObject({ version: 9, state: 'CALLED_BACK', pending: { version: 9 } });
    // Decided, not delivered: the record is still the completion's.
    expect(await storedRecord(ticket.id)).toMatchObject({
      version: 8,
      job: { status: 'PENDING', reasons: ['CALLBACK'] },
    });

    // The next command (not a retry) settles the callback's outbox first, then writes its own.
    await apply(h, ticket.id, at.qualityCheck, cmd.qualityCheck());
    const current = {
      _id: ticket.id,
      version: 10,
      centreId: centre,
      job: job(ticket, '2026-10', 'PAYABLE', 8000, []),
    };
    expect(await storedRecord(ticket.id)).toEqual(current);
    expect(await jobsOf(centre)).toEqual([current.job]);

    // The callback's outbox delivered again by hand (as a stalled worker might): the newer record stays.
    await h.db.db!.collection('tickets').updateOne({ _id: ticket.id as never }, { $set: { pending: left.pending } });
    await h.store.settle((await h.store.findTicket(ticket.id))!);
    expect(await storedRecord(ticket.id)).toEqual(current);
  });
});

describe('the settlement record follows every later change of a completed job', () => {
  const C = uniqueId('CR');
  /** The record and unsettledJobs' entry, which must agree. */
  async function expectJob(t: TicketRecord, version: number, expected: SettlementJob): Promise<void> {
    expect(await storedRecord(t.id)).toEqual({ _id: t.id, version, centreId: C, job: expected });
    expect((await jobsOf(C)).find((j) => j.ticketId === t.id)).toEqual(expected);
  }

  it('completion → PENDING CALLBACK; callback UNSATISFIED → HELD; a later repeat repair → NOT_PAYABLE', async () => {
    const serial = uniqueSerial();
    const t = await receivedTicket(h, { intake: { serialNumber: serial } });
    await drive(h, t, 'COMPLETED', { centreId: C });
    await expectJob(t, 8, job(t, '2026-10', 'PENDING', null, ['CALLBACK']));
    await apply(h, t.id, timesFrom(t.receivedAt).callback, cmd.callback('UNSATISFIED'));
    await expectJob(t, 9, job(t, '2026-10', 'HELD', null, ['CALLBACK_UNSATISFIED']));
    // The same machine repaired again 5 days later by another centre: t is superseded under its own lease.
    const later = await receivedTicket(h, { intake: { serialNumber: serial }, at: plus(T0, 5 * DAY) });
    await drive(h, later, 'COMPLETED', { centreId: uniqueId('C') });
    await expectJob(t, 10, job(t, '2026-10', 'NOT_PAYABLE', null, ['REPEAT_REPAIR']));
  });

  it('a warranty part: HELD until the old part is back, PENDING the autopsy, then the quality check → PAYABLE with the fee', async () => {
    // Refrigerator INSTALL, RURAL: 4000 fen.
    const t = await receivedTicket(h, {
      intake: { productLine: 'REFRIGERATOR', serviceType: 'INSTALL', areaClass: 'RURAL' },
    });
    await drive(h, t, 'CALLED_BACK', { centreId: C, report: WARRANTY_PART });
    await expectJob(t, 9, job(t, '2026-10', 'HELD', null, ['OLD_PART_NOT_RETURNED']));
    await apply(h, t.id, plus(T0, 3 * DAY), { type: 'RETURN_OLD_PART', actor: 'partner-C-1' });
    await expectJob(t, 10, job(t, '2026-10', 'PENDING', null, ['AUTOPSY']));
    await apply(h, t.id, plus(T0, 4 * DAY), {
      type: 'RECORD_AUTOPSY',
      consistent: true,
      note: 'compressor failed',
      actor: 'operator-1',
    });
    await expectJob(t, 11, job(t, '2026-10', 'PENDING', null, ['QUALITY_CHECK']));
    await apply(h, t.id, plus(T0, 5 * DAY), cmd.qualityCheck());
    await expectJob(t, 12, job(t, '2026-10', 'PAYABLE', 4000, []));
  });

  it('a job whose record is missing is answered from its ticket, and its next change writes the record again', async () => {
    const t = await receivedTicket(h);
    await drive(h, t, 'CALLED_BACK', { centreId: C });
    await forget([t.id]);
    expect((await jobsOf(C)).find((j) => j.ticketId === t.id)).toEqual(
      job(t, '2026-10', 'PENDING', null, ['QUALITY_CHECK']),
    );
    await apply(h, t.id, timesFrom(t.receivedAt).qualityCheck, cmd.qualityCheck());
    await expectJob(t, 10, job(t, '2026-10', 'PAYABLE', 8000, []));
  });
});

describe('unsettledJobs: a list member that isn’t the centre’s completed job is skipped, with or without records', () => {
  it('another centre’s job, a job not completed and an id without a ticket are skipped; reads only', async () => {
    const [F, G] = [uniqueId('CF'), uniqueId('CG')];
    const f1 = await receivedTicket(h);
    await drive(h, f1, 'CLOSED', { centreId: F });
    const f2 = await receivedTicket(h);
    await drive(h, f2, 'CALLED_BACK', { centreId: F, callback: 'UNSATISFIED' });
    const g = await receivedTicket(h);
    await drive(h, g, 'COMPLETED', { centreId: G });
    const open = await receivedTicket(h);
    await drive(h, open, 'ACCEPTED', { centreId: F });
    // Members no set move would add: G's job, F's open job, an id with no ticket.
    await h.db
      .db!.collection('ticket_sets')
      .updateOne({ _id: `unsettled:${F}` as never }, { $set: { tickets: [f1.id, f2.id, g.id, open.id, 'T-gone'] } });
    const expected = [
      {
        centreId: F,
        jobs: byNumber([
          job(f1, '2026-10', 'PAYABLE', 8000, []),
          job(f2, '2026-10', 'HELD', null, ['CALLBACK_UNSATISFIED']),
        ]),
      },
      { centreId: G, jobs: [job(g, '2026-10', 'PENDING', null, ['CALLBACK'])] },
    ];
    const before = await h.snapshot();
    expect(await unsettled([F, G])).toEqual(expected);
    expect(await h.snapshot()).toBe(before);
    await forget([f1.id, f2.id, g.id]);
    const without = await h.snapshot();
    expect(await unsettled([F, G])).toEqual(expected);
    expect(await h.snapshot()).toBe(without);
  });
});

describe('jobsSettled: a page of statements', () => {
  it('takes each statement’s jobs off its own centre’s list, two centres in one call; a replay removes nothing; the records stay', async () => {
    const [X, Y] = [uniqueId('CX'), uniqueId('CY')];
    const x1 = await receivedTicket(h);
    await drive(h, x1, 'COMPLETED', { centreId: X });
    const x2 = await receivedTicket(h);
    await drive(h, x2, 'COMPLETED', { centreId: X });
    const y1 = await receivedTicket(h);
    await drive(h, y1, 'COMPLETED', { centreId: Y });
    const page: SettledStatement[] = [
      { centreId: X, statementId: `2026-10:${X}`, ticketIds: [x1.id] },
      // x2 is X's job: not on Y's list, so not Y's to settle.
      { centreId: Y, statementId: `2026-10:${Y}`, ticketIds: [y1.id, x2.id] },
    ];
    expect(await settled(page)).toEqual({ removed: 2 });
    expect(await settled(page)).toEqual({ removed: 0 }); // Temporal's retry
    expect(await jobsOf(X)).toEqual([job(x2, '2026-10', 'PENDING', null, ['CALLBACK'])]);
    expect(await jobsOf(Y)).toEqual([]);
    expect(await storedRecord(x1.id)).toEqual({
      _id: x1.id,
      version: 8,
      centreId: X,
      job: job(x1, '2026-10', 'PENDING', null, ['CALLBACK']),
    });
    // Two statements of one centre in a page (an adjustment's and the month's) are both applied.
    expect(
      await settled([
        { centreId: X, statementId: `2026-10:${X}`, ticketIds: [x1.id] },
        { centreId: X, statementId: `2026-10:${X}:2`, ticketIds: [x2.id] },
      ]),
    ).toEqual({ removed: 1 });
    expect(await jobsOf(X)).toEqual([]);
  });

  it('200 statements holding 20,000 ids in all are fine', async () => {
    const page = Array.from({ length: 200 }, (_, i) => ({
      centreId: `C-none-${i}`,
      statementId: `2026-10:C-none-${i}`,
      ticketIds: Array.from({ length: 100 }, (_, j) => `T-${i}-${j}`),
    }));
    expect(await settled(page)).toEqual({ removed: 0 });
  });
});

describe('unsettledJobs / jobsSettled: malformed calls are BadActivityInput', () => {
  it.each([
    ['centreIds', { centreIds: [] }],
    ['centreIds', { centreIds: Array.from({ length: 101 }, (_, i) => `C-${i}`) }],
    ['centreIds', { centreIds: 'C-1' }],
    ['centreIds[1]', { centreIds: ['C-1', 'not an id!'] }],
  ])('unsettledJobs: %s', async (field, input) => {
    const f = await failure(h.acts.unsettledJobs(input as never));
    expect(f).toMatchObject({ type: 'BadActivityInput', nonRetryable: true });
    expect(f.message).toContain(field);
  });

  it('100 centres are fine', async () => {
    expect(await unsettled(Array.from({ length: 100 }, (_, i) => `C-none-${i}`))).toHaveLength(100);
  });

  const statement = (over: Record<string, unknown> = {}) => ({
    centreId: 'C-1',
    statementId: 's-1',
    ticketIds: ['T-1'],
    ...over,
  });
  const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `T-${prefix}-${i}`);
  it.each([
    ['statements must be a list of 1 to 200', { statements: [] }],
    [
      'statements must be a list of 1 to 200',
      { statements: Array.from({ length: 201 }, (_, i) => statement({ centreId: `C-${i}` })) },
    ],
    ['statements must be a list of 1 to 200', { statements: null }],
    [
      'statements must hold at most 20000 ticket ids in all, got 20001',
      {
        statements: [
          statement({ ticketIds: ids(10_000, 'a') }),
          statement({ centreId: 'C-2', ticketIds: ids(10_001, 'b') }),
        ],
      },
    ],
    ['statements[1] must be a statement', { statements: [statement(), 'C-1'] }],
    ['statements[0].centreId', { statements: [statement({ centreId: 'not an id!' })] }],
    ['statements[0].ticketIds must be a list', { statements: [statement({ ticketIds: 'T-1' })] }],
    ['statements[0].ticketIds must be a list', { statements: [statement({ ticketIds: null })] }],
    ['statements[1].ticketIds[1]', { statements: [statement(), statement({ ticketIds: ['T-1', 'x y'] })] }],
    ['statements[0].statementId', { statements: [statement({ statementId: '' })] }],
    ['statements[0].statementId', { statements: [statement({ statementId: 's'.repeat(201) })] }],
  ])('jobsSettled: %s', async (field, input) => {
    const before = await h.snapshot();
    const f = await failure(h.acts.jobsSettled(input as never));
    expect(f).toMatchObject({ type: 'BadActivityInput', nonRetryable: true });
    expect(f.message).toContain(field);
    expect(await h.snapshot()).toBe(before);
  });
});
