import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettlementJob, TicketCommandInput } from '@starline/common';
import { createTicketsActivities } from '../src/activities.ts';
import type { TicketRecord, TicketsStore } from '../src/store/tickets.ts';
import { apply, cmd, drive, failure, plus, receivedTicket, startHarness, timesFrom, T0, uniqueId, uniqueSerial, type Harness } from './support.ts';

/**
 * unsettledJobs / jobsSettled (domain.md §7): two centres' jobs driven through applyTicketCommand to
 * every settlement status, each centre's list checked against hand-written jobs (fees in fen from the
 * default standard's labour fee table, services/standards/src/rules/defaults.ts FEE_MATRIX).
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

/** The job as unsettledJobs should list it. */
function job(t: TicketRecord, completedMonth: string, status: SettlementJob['status'], feeFen: number | null, reasons: string[]): SettlementJob {
  return {
    ticketId: t.id, number: t.ticketNumber, completedMonth, productLine: t.product.productLine, serviceType: t.serviceType, areaClass: t.areaClass,
    status, feeFen, reasons,
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
    t['bPay'] = await receivedTicket(h, { intake: { productLine: 'REFRIGERATOR', serviceType: 'INSTALL', areaClass: 'RURAL' } });
    await drive(h, t['bPay'], 'CLOSED', { centreId: B });
    // HELD: UNSATISFIED, completed 31 Oct 23:50 in Shanghai (15:50 UTC): October's.
    t['bUnhappy'] = await receivedTicket(h, { at: D('2026-10-30T13:50:00Z') });
    await drive(h, t['bUnhappy'], 'CALLED_BACK', { centreId: B, callback: 'UNSATISFIED' });
    // PENDING: called back SATISFIED, HQ's quality check not done yet.
    t['bChecking'] = await receivedTicket(h, { intake: { productLine: 'WASHING_MACHINE', serviceType: 'MAINTENANCE' } });
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
    expect(new Set(set?.['tickets'] as string[])).toEqual(new Set(['aPay', 'aUnhappy', 'aPart', 'aWaiting', 'aRepeated'].map((k) => t[k]!.id)));
  });

  it('jobsSettled takes the paid and the not payable off; a second call and ids not on the list remove nothing; B’s list is untouched', async () => {
    const paid = [t['aPay']!.id, t['aRepeated']!.id];
    const statementId = `2026-10:${A}`;
    expect(await h.acts.jobsSettled({ centreId: A, ticketIds: [...paid, 'T-unknown'], statementId })).toEqual({ removed: 2 });
    expect(await h.acts.jobsSettled({ centreId: A, ticketIds: paid, statementId })).toEqual({ removed: 0 });
    // B's jobs asked of A: not A's to settle.
    expect(await h.acts.jobsSettled({ centreId: A, ticketIds: [t['bPay']!.id, t['moved']!.id], statementId })).toEqual({ removed: 0 });
    expect(await h.acts.jobsSettled({ centreId: A, ticketIds: [], statementId })).toEqual({ removed: 0 });
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
    expect((await jobsOf(A)).find((j) => j.ticketId === part.id)).toMatchObject({ status: 'PENDING', reasons: ['AUTOPSY'] });
    await apply(h, part.id, plus(T0, 21 * DAY), { type: 'RECORD_AUTOPSY', consistent: true, note: 'capacitor failed', actor: 'operator-1' });
    await apply(h, part.id, plus(T0, 22 * DAY), cmd.qualityCheck());
    expect((await jobsOf(A)).find((j) => j.ticketId === part.id)).toEqual(job(part, '2026-10', 'PAYABLE', 8000, []));
    expect(await h.acts.jobsSettled({ centreId: A, ticketIds: [part.id], statementId: `2026-11:${A}` })).toEqual({ removed: 1 });
    expect((await jobsOf(A)).map((j) => j.ticketId)).toEqual(expectedA.filter((j) => [t['aUnhappy']!.id, t['aWaiting']!.id].includes(j.ticketId)).map((j) => j.ticketId));
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
    const complete = () => acts.applyTicketCommand({ ticketId: ticket.id, commandId: 'complete-once', command: cmd.complete(at.finished) });
    await expect(complete()).rejects.toThrow('worker died');
    expect(await jobsOf(centre)).toEqual([]); // decided, not delivered yet
    expect(await complete()).toMatchObject({ ticket: { state: 'COMPLETED' } }); // Temporal's retry
    expect(await jobsOf(centre)).toEqual([job(ticket, '2026-10', 'PENDING', null, ['CALLBACK'])]);
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

  it.each([
    ['centreId', { centreId: 'not an id!', ticketIds: ['T-1'], statementId: 's-1' }],
    ['ticketIds', { centreId: 'C-1', ticketIds: 'T-1', statementId: 's-1' }],
    ['ticketIds', { centreId: 'C-1', ticketIds: null, statementId: 's-1' }],
    ['ticketIds[1]', { centreId: 'C-1', ticketIds: ['T-1', 'x y'], statementId: 's-1' }],
    ['statementId', { centreId: 'C-1', ticketIds: ['T-1'], statementId: '' }],
    ['statementId', { centreId: 'C-1', ticketIds: ['T-1'], statementId: 's'.repeat(201) }],
  ])('jobsSettled: %s', async (field, input) => {
    const before = await h.snapshot();
    const f = await failure(h.acts.jobsSettled(input as never));
    expect(f).toMatchObject({ type: 'BadActivityInput', nonRetryable: true });
    expect(f.message).toContain(field);
    expect(await h.snapshot()).toBe(before);
  });
});
