import { shanghaiMonth, type SettlementJob } from '@starline/common';
import type { TicketPolicy } from './policy.ts';
import { warrantyPartLines, type TicketSnapshot } from './ticket.ts';

/**
 * A job's settlement status (网点结算审核项, docs/domain.md §7) and its labour fee. The policy is the
 * ticket's own standard, the one in force when the job was received. A job that fails the audit is
 * HELD — listed with its reasons, never silently dropped — and becomes PAYABLE in a later month once
 * resolved.
 */
export type HoldReason = 'CALLBACK_UNSATISFIED' | 'OLD_PART_NOT_RETURNED' | 'AUTOPSY_INCONSISTENT' | 'NO_LABOUR_FEE';
export type NotPayableReason = 'CANCELLED' | 'REPEAT_REPAIR';
/** What a PENDING job waits for before its audit can pass. */
export type AwaitedStep = 'COMPLETION' | 'CALLBACK' | 'AUTOPSY' | 'QUALITY_CHECK';

export type Settlement =
  | { status: 'PENDING'; waitingFor: AwaitedStep }
  | { status: 'HELD'; reasons: HoldReason[] }
  | { status: 'NOT_PAYABLE'; reason: NotPayableReason }
  | { status: 'PAYABLE'; feeFen: number };

/** 劳务费: product line × service type × area class; null when the standard has no such fee. */
export function labourFeeOf(t: TicketSnapshot, policy: TicketPolicy): number | null {
  const fee = policy.labourFees.find(
    (f) => f.productLine === t.product.productLine && f.serviceType === t.serviceType && f.areaClass === t.areaClass,
  );
  return fee ? fee.feeFen : null;
}

/**
 * In order:
 * 1. NOT_PAYABLE: cancelled, or superseded by a repeat repair (有效单) — final, whatever else happened.
 * 2. PENDING until the callback is final: there is nothing to audit yet.
 * 3. HELD as soon as an audit item has failed: callback UNSATISFIED; a part replaced under warranty
 *    whose old part hasn't come back; an autopsy inconsistent with the claimed fault. Returning the
 *    part is the centre's duty, so its absence holds the job (and shows in the month's statement);
 * 4. PENDING while HQ still owes a step (the autopsy, the quality check): not the centre's fault.
 * 5. PAYABLE once quality-checked, with the fee; HELD (NO_LABOUR_FEE) if the standard has no fee for it.
 */
export function settlementOf(t: TicketSnapshot, policy: TicketPolicy): Settlement {
  if (t.state === 'CANCELLED') return { status: 'NOT_PAYABLE', reason: 'CANCELLED' };
  if (t.supersededBy !== null) return { status: 'NOT_PAYABLE', reason: 'REPEAT_REPAIR' };
  if (t.state !== 'CALLED_BACK' && t.state !== 'CLOSED')
    return { status: 'PENDING', waitingFor: t.state === 'COMPLETED' ? 'CALLBACK' : 'COMPLETION' };
  const warrantyParts = warrantyPartLines(t) > 0;
  const reasons: HoldReason[] = [];
  if (t.callbackResult === 'UNSATISFIED') reasons.push('CALLBACK_UNSATISFIED');
  if (warrantyParts && !t.oldPartReturnedAt) reasons.push('OLD_PART_NOT_RETURNED');
  if (warrantyParts && t.autopsy && !t.autopsy.consistent) reasons.push('AUTOPSY_INCONSISTENT');
  if (reasons.length) return { status: 'HELD', reasons };
  if (warrantyParts && !t.autopsy) return { status: 'PENDING', waitingFor: 'AUTOPSY' };
  if (t.state !== 'CLOSED') return { status: 'PENDING', waitingFor: 'QUALITY_CHECK' };
  const feeFen = labourFeeOf(t, policy);
  return feeFen === null ? { status: 'HELD', reasons: ['NO_LABOUR_FEE'] } : { status: 'PAYABLE', feeFen };
}

/**
 * The job as settlement lists it (the contract's SettlementJob): `settlementOf` with the ticket's own
 * standard, plus what a statement line shows. The one judge of both the stored settlement records
 * (effects.ts) and the tickets read without one.
 */
export function settlementJobOf(t: TicketSnapshot, ticketNumber: string, policy: TicketPolicy): SettlementJob {
  const s = settlementOf(t, policy);
  const job = {
    ticketId: t.id,
    number: ticketNumber,
    completedMonth: t.completedAt ? shanghaiMonth(t.completedAt) : null,
    productLine: t.product.productLine,
    serviceType: t.serviceType,
    areaClass: t.areaClass,
  };
  switch (s.status) {
    case 'PAYABLE':
      return { ...job, status: s.status, feeFen: s.feeFen, reasons: [] };
    case 'HELD':
      return { ...job, status: s.status, feeFen: null, reasons: [...s.reasons] };
    case 'PENDING':
      return { ...job, status: s.status, feeFen: null, reasons: [s.waitingFor] };
    case 'NOT_PAYABLE':
      return { ...job, status: s.status, feeFen: null, reasons: [s.reason] };
  }
}
