import { shanghaiMonth, type CentreMonthTickets } from '@starline/common';
import { leftoverCentreAt } from './rules/leftover.ts';
import type { TicketPolicy } from './rules/policy.ts';
import type { TicketsStore } from './store/tickets.ts';

/** YYYY-MM months from `first` through `last` (none when `last` is earlier). */
export function monthsThrough(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  for (let month = first; month <= last; month = `${y}-${String(m).padStart(2, '0')}`) {
    out.push(month);
    if (++m > 12) [y, m] = [y + 1, 1];
  }
  return out;
}

/**
 * Each centre's month as this service counts it (docs/domain.md §6): the month's KPI counters and the
 * dispatch leftover as of `asOf` — the jobs the centre held then, accepted and past due. Read per
 * (centre, month) document and per centre set, never by scanning tickets.
 */
export async function centreMonths(
  store: TicketsStore,
  centreIds: readonly string[],
  month: string,
  asOf: Date,
  now: Date,
): Promise<CentreMonthTickets[]> {
  const unique = [...new Set(centreIds)];
  const [totals, held] = await Promise.all([
    store.kpiMonthTotals(unique, month),
    store.heldSince(unique, asOf, monthsThrough(shanghaiMonth(asOf), shanghaiMonth(now))),
  ]);
  const tickets = await store.ticketTimelines([...held.values()].flat());
  const leftover = new Map<string, number>();
  for (const [centreId, ids] of held) {
    let n = 0;
    for (const ticketId of ids) {
      const t = tickets.get(ticketId);
      if (t && leftoverCentreAt(t.timeline, asOf, t.policy as TicketPolicy) === centreId) n++;
    }
    leftover.set(centreId, n);
  }
  return centreIds.map((centreId) => ({
    centreId,
    counters: totals.get(centreId)!,
    leftover: leftover.get(centreId)!,
  }));
}
