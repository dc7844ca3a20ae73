import type { TicketSummary } from '@starline/common';
import { dispatchAttempts, mustEscalate, triedCentres } from './rules/lifecycle.ts';
import type { TicketPolicy } from './rules/policy.ts';
import { acceptBy, callbackBy, missedAppointmentAt } from './rules/sla.ts';
import { currentAppointment, currentEngineer, pendingOffer, type TicketSnapshot } from './rules/ticket.ts';

/** A ticket as stored: the rules' snapshot plus its version and the standard it was created under. */
export type VersionedTicket = TicketSnapshot & { version: number; standardVersionId: string };

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * What the lifecycle workflow needs of a ticket to run its clocks and dispatch (the contract's
 * TicketSummary). Pure: every deadline comes from the rules with the policy given, so the workflow
 * never does SLA maths of its own.
 */
export function summaryOf(t: VersionedTicket, policy: TicketPolicy): TicketSummary {
  const offer = pendingOffer(t);
  const current = currentAppointment(t);
  return {
    id: t.id,
    version: t.version,
    state: t.state,
    standardVersionId: t.standardVersionId,
    productLine: t.product.productLine,
    regionCode: t.customer.regionCode,
    receivedAt: t.receivedAt.toISOString(),
    centreId: t.centreId,
    engineerId: currentEngineer(t),
    acceptBy: offer ? acceptBy(offer.offeredAt, policy).toISOString() : null,
    failedAttempts: dispatchAttempts(t),
    mustEscalate: mustEscalate(t, policy),
    triedCentres: triedCentres(t),
    appointment: current
      ? {
          no: current.no,
          to: current.appointment.to.toISOString(),
          missedAt: missedAppointmentAt(current.appointment, policy).toISOString(),
        }
      : null,
    checkedInAt: iso(t.checkedInAt),
    completedAt: iso(t.completedAt),
    callbackBy: t.completedAt ? callbackBy(t.completedAt, policy).toISOString() : null,
    callbackAttempts: t.callbackAttempts.length,
  };
}
