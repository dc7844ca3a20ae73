import { describe, expect, it } from 'vitest';
import type { ComplaintOpenedEvent } from '../src/rules/complaint.ts';
import type { TicketEvent } from '../src/rules/events.ts';
import { kpiFacts, type KpiIncrement } from '../src/rules/kpi-facts.ts';
import { applyPatch, decide, type TicketCommand } from '../src/rules/lifecycle.ts';
import type { TicketSnapshot } from '../src/rules/ticket.ts';
import { DEFAULT_TICKET_POLICY as P } from './fixtures/policy.ts';
import { newTicket, part, plus, report, T0 } from './fixtures/tickets.ts';

const ev = (e: TicketEvent | ComplaintOpenedEvent) => kpiFacts(e);
const at = new Date('2026-10-12T01:00:00Z');

/** Runs commands and collects every event, as the store will. */
function events(t: TicketSnapshot, commands: [TicketCommand, Date][]): TicketEvent[] {
  const out: TicketEvent[] = [];
  for (const [c, when] of commands) {
    const d = decide(t, c, when, P);
    if (!d.ok) throw new Error(d.message);
    t = applyPatch(t, d.patch);
    out.push(...d.events);
  }
  return out;
}

const total = (increments: KpiIncrement[]) => {
  const sums: Record<string, number> = {};
  for (const i of increments)
    sums[`${i.centreId}/${i.month}/${i.counter}`] = (sums[`${i.centreId}/${i.month}/${i.counter}`] ?? 0) + i.by;
  return sums;
};

describe('the Asia/Shanghai month', () => {
  it('an event at 16:00 UTC on 31 October counts in November', () => {
    expect(ev({ type: 'ACCEPTED', at: new Date('2026-10-31T15:59:59Z'), data: { centreId: 'C-1' } })).toEqual([
      { centreId: 'C-1', month: '2026-10', counter: 'dispatched', by: 1 },
    ]);
    expect(ev({ type: 'ACCEPTED', at: new Date('2026-10-31T16:00:00Z'), data: { centreId: 'C-1' } })[0]!.month).toBe(
      '2026-11',
    );
  });
});

describe('kpiFacts', () => {
  it('dispatched counts acceptances, not offers or refusals', () => {
    expect(ev({ type: 'DISPATCHED', at, data: { centreId: 'C-1', attempt: 1, manual: false } })).toEqual([]);
    expect(
      ev({ type: 'REFUSED', at, data: { centreId: 'C-1', reason: 'x', failedAttempts: 1, mustEscalate: false } }),
    ).toEqual([]);
  });

  it('completions, reported in time, with delight', () => {
    const c = (reportedInTime: boolean, delight: boolean) =>
      ev({
        type: 'COMPLETED',
        at,
        data: { centreId: 'C-1', engineerId: 'E-1', reportedInTime, delight, partLines: 0 },
      }).map((i) => i.counter);
    expect(c(true, false)).toEqual(['completions', 'completionsReportedInTime']);
    expect(c(false, true)).toEqual(['completions', 'delightCompletions']);
  });

  it('callbacks: SATISFIED is answered and satisfied, UNSATISFIED answered, UNREACHABLE nothing', () => {
    const c = (result: 'SATISFIED' | 'UNSATISFIED' | 'UNREACHABLE') =>
      ev({ type: 'CALLED_BACK', at, data: { centreId: 'C-1', result } }).map((i) => i.counter);
    expect(c('SATISFIED')).toEqual(['answeredCallbacks', 'satisfiedCallbacks']);
    expect(c('UNSATISFIED')).toEqual(['answeredCallbacks']);
    expect(c('UNREACHABLE')).toEqual([]);
  });

  it('parts replaced and misjudged at the autopsy, by part line', () => {
    expect(ev({ type: 'AUTOPSY_RECORDED', at, data: { centreId: 'C-1', consistent: false, partLines: 2 } })).toEqual([
      { centreId: 'C-1', month: '2026-10', counter: 'partsReplaced', by: 2 },
      { centreId: 'C-1', month: '2026-10', counter: 'partsMisjudged', by: 2 },
    ]);
    expect(
      ev({ type: 'AUTOPSY_RECORDED', at, data: { centreId: 'C-1', consistent: true, partLines: 1 } }).map(
        (i) => i.counter,
      ),
    ).toEqual(['partsReplaced']);
  });

  it('complaints, and major ones at severity 1', () => {
    const c = (severity: 1 | 2 | 3) =>
      ev({
        type: 'COMPLAINT_OPENED',
        at,
        data: { complaintId: 'K-1', ticketId: 'T-1', centreId: 'C-1', severity },
      }).map((i) => i.counter);
    expect(c(1)).toEqual(['complaints', 'majorComplaints']);
    expect(c(2)).toEqual(['complaints']);
  });

  it('a whole job, refused once elsewhere, with a warranty part and a late report, adds up', () => {
    const t = newTicket();
    const from = plus(T0, 24 * 60);
    const timeline = events(t, [
      [{ type: 'DISPATCH', centreId: 'C-0' }, plus(T0, 1)],
      [{ type: 'REFUSE', reason: 'full' }, plus(T0, 2)],
      [{ type: 'DISPATCH', centreId: 'C-1' }, plus(T0, 3)],
      [{ type: 'ACCEPT' }, plus(T0, 4)],
      [{ type: 'BOOK', window: { from, to: plus(from, 120) } }, plus(T0, 5)],
      [{ type: 'ASSIGN', engineerId: 'E-1' }, plus(T0, 6)],
      [{ type: 'CHECK_IN' }, plus(from, 10)],
      [
        {
          type: 'COMPLETE',
          report: report(plus(from, 60), { parts: [part()], valueAddNote: 'customer plans a second unit' }),
        },
        plus(from, 200),
      ],
      [{ type: 'CALLBACK_ATTEMPT', answer: 'SATISFIED' }, plus(from, 300)],
      [{ type: 'RETURN_OLD_PART' }, plus(from, 400)],
      [{ type: 'RECORD_AUTOPSY', consistent: true, note: 'burnt' }, plus(from, 500)],
      [{ type: 'QUALITY_CHECK' }, plus(from, 600)],
    ]);
    expect(total(timeline.flatMap(kpiFacts))).toEqual({
      'C-1/2026-10/dispatched': 1,
      'C-1/2026-10/completions': 1,
      'C-1/2026-10/delightCompletions': 1,
      'C-1/2026-10/answeredCallbacks': 1,
      'C-1/2026-10/satisfiedCallbacks': 1,
      'C-1/2026-10/partsReplaced': 1,
    });
  });
});
