import { shanghaiMonth, type KpiCounter } from '@starline/common';
import type { ComplaintOpenedEvent } from './complaint.ts';
import type { TicketEvent } from './events.ts';

/**
 * What each event adds to its centre's monthly KPI counters (docs/domain.md §3 KPI table). Counters
 * are per centre and Asia/Shanghai month of the event, so the evaluation reads one small document
 * per centre instead of scanning jobs. Pure: event in, increments out.
 */

export interface KpiIncrement {
  centreId: string;
  /** YYYY-MM, Asia/Shanghai. */
  month: string;
  counter: KpiCounter;
  by: number;
}

/**
 * - dispatched: counted when the centre ACCEPTS, not when it is offered — counting offers would let
 *   a centre shrink its dispatch-leftover rate by collecting offers it then refuses.
 * - completions (+ reported in time, + with a delight or value-add note) at COMPLETED.
 * - answered / satisfied callbacks at the final callback; UNREACHABLE is not an answer.
 * - parts replaced / misjudged at the autopsy, counting part lines (the autopsy judges each part
 *   number as a whole), so numerator and denominator cover the same autopsied parts.
 * - complaints / major complaints (severity 1) when a complaint is opened.
 */
export function kpiFacts(e: TicketEvent | ComplaintOpenedEvent): KpiIncrement[] {
  const month = shanghaiMonth(e.at);
  const inc = (centreId: string, counter: KpiCounter, by = 1): KpiIncrement => ({ centreId, month, counter, by });
  switch (e.type) {
    case 'ACCEPTED':
      return [inc(e.data.centreId, 'dispatched')];
    case 'COMPLETED': {
      const out = [inc(e.data.centreId, 'completions')];
      if (e.data.reportedInTime) out.push(inc(e.data.centreId, 'completionsReportedInTime'));
      if (e.data.delight) out.push(inc(e.data.centreId, 'delightCompletions'));
      return out;
    }
    case 'CALLED_BACK':
      if (e.data.result === 'SATISFIED')
        return [inc(e.data.centreId, 'answeredCallbacks'), inc(e.data.centreId, 'satisfiedCallbacks')];
      return e.data.result === 'UNSATISFIED' ? [inc(e.data.centreId, 'answeredCallbacks')] : [];
    case 'AUTOPSY_RECORDED':
      if (e.data.partLines === 0) return [];
      return [
        inc(e.data.centreId, 'partsReplaced', e.data.partLines),
        ...(e.data.consistent ? [] : [inc(e.data.centreId, 'partsMisjudged', e.data.partLines)]),
      ];
    case 'COMPLAINT_OPENED':
      return [
        inc(e.data.centreId, 'complaints'),
        ...(e.data.severity === 1 ? [inc(e.data.centreId, 'majorComplaints')] : []),
      ];
    default:
      return [];
  }
}
