import type { Complaint } from './complaint.ts';
import { DAY_MS, priceItemOf, type TicketPolicy } from './policy.ts';
import { arriveBy, missedAppointmentAt } from './sla.ts';
import { engineerAt, type ChargeLine, type TicketSnapshot } from './ticket.ts';

/**
 * The rules that turn a job into licence evidence (docs/domain.md §5; points per code come from the
 * standard's catalogue, applied by the certification service). Each piece names a stable
 * evidenceKey, `ticket:<ticketId>:<RULE>` (appointment rules add `:<appointmentNo>`), so
 * recording it downstream is exactly-once however often the rules are re-run.
 */
export type EvidenceCode =
  'LATE_ARRIVAL' | 'PROMISE_BROKEN' | 'NON_STANDARD_SERVICE' | 'OVERCHARGE' | 'REPEAT_REPAIR' | 'MAJOR_COMPLAINT';

export interface LicenceEvidence {
  code: EvidenceCode;
  engineerId: string;
  evidenceKey: string;
  /** The job the evidence is about (for REPEAT_REPAIR, the earlier one). */
  ticketId: string;
}

export const evidenceKey = (ticketId: string, code: EvidenceCode, appointmentNo?: number): string =>
  `ticket:${ticketId}:${code}${appointmentNo === undefined ? '' : `:${appointmentNo}`}`;

const evidence = (
  code: EvidenceCode,
  engineerId: string | null,
  ticketId: string,
  appointmentNo?: number,
): LicenceEvidence | null =>
  engineerId === null ? null : { code, engineerId, evidenceKey: evidenceKey(ticketId, code, appointmentNo), ticketId };

/**
 * How an appointment went:
 * - KEPT: checked in by the window's end; LATE: after it but before the missed instant
 *   (window end + missedAppointmentMinutes); MISSED: no check-in before that instant.
 * - RESCHEDULED: replaced (rebooked, recalled, cancelled) by the window's end, before the promise fell due.
 *   Replaced after the window's end with nobody there, the promise was already broken: MISSED.
 * - OPEN: not decided yet at `now`.
 * Only the last appointment can have the check-in: once ON_SITE a job is never rebooked.
 */
export type AppointmentOutcome = 'KEPT' | 'LATE' | 'MISSED' | 'RESCHEDULED' | 'OPEN';

export function appointmentOutcome(
  t: TicketSnapshot,
  appointmentNo: number,
  now: Date,
  policy: TicketPolicy,
): AppointmentOutcome {
  const a = t.appointments[appointmentNo - 1];
  if (!a) throw new RangeError(`ticket ${t.id} has no appointment ${appointmentNo}`);
  const due = arriveBy(a).getTime();
  const missedAt = missedAppointmentAt(a, policy).getTime();
  const checkIn = appointmentNo === t.appointments.length ? t.checkedInAt : null;
  if (checkIn) return checkIn.getTime() <= due ? 'KEPT' : checkIn.getTime() < missedAt ? 'LATE' : 'MISSED';
  if (a.closedAt) return a.closedAt.getTime() <= due ? 'RESCHEDULED' : 'MISSED';
  return now.getTime() >= missedAt ? 'MISSED' : 'OPEN';
}

/**
 * Evidence is per appointment: each appointment is a separate promise to the customer, so a job
 * missed twice breaks two promises. It goes to the engineer who held the job when the appointment
 * fell due (window end); with nobody assigned then, the failure is the centre's and no licence
 * is charged (the centre pays in its KPIs).
 */
export function appointmentEvidence(
  t: TicketSnapshot,
  appointmentNo: number,
  now: Date,
  policy: TicketPolicy,
): LicenceEvidence | null {
  const outcome = appointmentOutcome(t, appointmentNo, now, policy);
  if (outcome !== 'LATE' && outcome !== 'MISSED') return null;
  const a = t.appointments[appointmentNo - 1]!;
  return evidence(
    outcome === 'LATE' ? 'LATE_ARRIVAL' : 'PROMISE_BROKEN',
    engineerAt(t, arriveBy(a)),
    t.id,
    appointmentNo,
  );
}

/** Steps the standard requires that the completion report doesn't confirm. */
export function missingSteps(t: TicketSnapshot, policy: TicketPolicy): string[] {
  if (!t.report) return [];
  const confirmed = new Set(t.report.checklist);
  return policy.requiredSteps.filter((s) => !confirmed.has(s));
}

/** The engineer who submitted the report: the one holding the job at completion. */
const completingEngineer = (t: TicketSnapshot): string | null => (t.completedAt ? engineerAt(t, t.completedAt) : null);

export function nonStandardService(t: TicketSnapshot, policy: TicketPolicy): LicenceEvidence | null {
  return missingSteps(t, policy).length > 0 ? evidence('NON_STANDARD_SERVICE', completingEngineer(t), t.id) : null;
}

/**
 * Charge lines that break the price list (超保收费): any charge at all on an in-warranty job;
 * out of warranty, more than priceFen × quantity, or a code the standard's price list for the
 * product line doesn't hold (nothing justifies that charge).
 */
export function overchargedLines(t: TicketSnapshot, policy: TicketPolicy): ChargeLine[] {
  if (!t.report) return [];
  return t.report.charges.filter((c) => {
    if (c.amountFen <= 0) return false;
    if (t.warranty === 'IN_WARRANTY') return true;
    const item = priceItemOf(policy, t.product.productLine, c.code);
    return !item || c.amountFen > item.priceFen * c.quantity;
  });
}

export function overcharge(t: TicketSnapshot, policy: TicketPolicy): LicenceEvidence | null {
  return overchargedLines(t, policy).length > 0 ? evidence('OVERCHARGE', completingEngineer(t), t.id) : null;
}

const COMPLETED_STATES = new Set(['COMPLETED', 'CALLED_BACK', 'CLOSED']);
const isCompletedRepair = (t: TicketSnapshot) =>
  t.serviceType === 'REPAIR' && COMPLETED_STATES.has(t.state) && t.completedAt !== null;

/**
 * The earlier job a completed REPAIR repeats (有效单: 同一台机器3个月只换一次件): the most recent
 * completed REPAIR of the same product (line and serial) completed no more than repeatRepairDays
 * × 24 h before the later request was received. Measured from the request, so a slow second visit
 * doesn't decide it; the later job must be completed, since a request cancelled before any repair
 * repaired nothing.
 */
export function repeatRepairOf(
  later: TicketSnapshot,
  candidates: readonly TicketSnapshot[],
  policy: TicketPolicy,
): TicketSnapshot | null {
  if (!isCompletedRepair(later)) return null;
  const received = later.receivedAt.getTime();
  const window = policy.slaClocks.repeatRepairDays * DAY_MS;
  let found: TicketSnapshot | null = null;
  for (const e of candidates) {
    if (e.id === later.id || !isCompletedRepair(e)) continue;
    if (e.product.productLine !== later.product.productLine || e.product.serialNumber !== later.product.serialNumber)
      continue;
    const completed = e.completedAt!.getTime();
    if (completed >= received || received - completed > window) continue;
    if (!found || completed > found.completedAt!.getTime()) found = e;
  }
  return found;
}

/**
 * REPEAT_REPAIR: evidence against the EARLIER job's engineer, keyed on the earlier ticket (so two
 * later visits can't charge it twice), and the earlier job is marked superseded, which makes it
 * NOT_PAYABLE (settlement.ts). A job already superseded keeps its first successor.
 */
export function repeatRepair(
  later: TicketSnapshot,
  candidates: readonly TicketSnapshot[],
  policy: TicketPolicy,
): { evidence: LicenceEvidence | null; earlierTicketId: string; earlierPatch: { supersededBy?: string } } | null {
  const earlier = repeatRepairOf(later, candidates, policy);
  if (!earlier) return null;
  return {
    evidence: evidence('REPEAT_REPAIR', completingEngineer(earlier), earlier.id),
    earlierTicketId: earlier.id,
    earlierPatch: earlier.supersededBy ? {} : { supersededBy: later.id },
  };
}

/** The evidence key of a complaint's rule: `complaint:<complaintId>:<RULE>`. */
export const complaintEvidenceKey = (complaintId: string, code: EvidenceCode): string =>
  `complaint:${complaintId}:${code}`;

/**
 * A severity-1 complaint (重大服务投诉) resolved as the engineer's doing: MAJOR_COMPLAINT on that
 * engineer's licence, once per complaint (keyed on the complaint, so re-running it adds nothing).
 */
export function majorComplaint(c: Complaint): LicenceEvidence | null {
  if (c.severity !== 1 || c.responsibleParty?.kind !== 'ENGINEER') return null;
  return {
    code: 'MAJOR_COMPLAINT',
    engineerId: c.responsibleParty.engineerId,
    evidenceKey: complaintEvidenceKey(c.id, 'MAJOR_COMPLAINT'),
    ticketId: c.ticketId,
  };
}

/** Everything the ticket alone proves at `now` (repeat repairs and complaints need other inputs). */
export function ticketEvidence(t: TicketSnapshot, now: Date, policy: TicketPolicy): LicenceEvidence[] {
  const out = t.appointments.map((_, i) => appointmentEvidence(t, i + 1, now, policy));
  out.push(nonStandardService(t, policy), overcharge(t, policy));
  return out.filter((e): e is LicenceEvidence => e !== null);
}
