import type { Violation } from '@starline/common';
import { event, type TicketEvent } from './events.ts';
import type { TicketPolicy } from './policy.ts';
import { normalizeSerial, type TicketSnapshot } from './ticket.ts';
import { validateId, validateIntake, type IntakeInput } from './validate.ts';
import { warrantyStatus } from './warranty.ts';

/**
 * Intake (服务请求接入): the request is recorded and verified — product, serial number, warranty
 * status — and the ticket starts in RECEIVED. The warranty is fixed here, at the instant the fault
 * was reported.
 *
 * A walk-in (`walkIn`): the customer came to a partner centre, which records the request itself.
 * The job is that centre's from the start — no dispatch, no offer to accept — and the customer is
 * in front of it, so the first contact is made: the ticket starts ACCEPTED, first contact at
 * intake (RECEIVED, ACCEPTED and CONTACTED in one change). From there it is any accepted job: the
 * centre books (the visit, or the bench repair's slot) and assigns its engineer.
 */
export function receive(
  id: string,
  input: IntakeInput,
  at: Date,
  policy: TicketPolicy,
  actor?: string,
  walkIn?: { centreId: string },
):
  | { ok: true; ticket: TicketSnapshot; events: TicketEvent[] }
  | { ok: false; code: 'BAD_USER_INPUT'; message: string; violations: Violation[] } {
  const violations = validateIntake(input, at, policy);
  if (walkIn) violations.push(...validateId('centreId', walkIn.centreId));
  if (violations.length)
    return {
      ok: false,
      code: 'BAD_USER_INPUT',
      message: violations.map((v) => `${v.field}: ${v.message}`).join('; '),
      violations,
    };
  const warranty = warrantyStatus(input.purchaseDate, input.productLine, at, policy);
  const ticket: TicketSnapshot = {
    id,
    state: 'RECEIVED',
    customer: {
      name: input.customer.name.trim(),
      phone: input.customer.phone,
      address: input.customer.address.trim(),
      regionCode: input.customer.regionCode,
    },
    product: {
      productLine: input.productLine,
      model: input.model.trim(),
      serialNumber: normalizeSerial(input.serialNumber),
      purchaseDate: input.purchaseDate,
    },
    serviceType: input.serviceType,
    areaClass: input.areaClass,
    faultDescription: input.faultDescription?.trim() || null,
    warranty,
    receivedAt: at,
    centreId: null,
    offers: [],
    escalations: [],
    acceptedAt: null,
    firstContactAt: null,
    appointments: [],
    assignments: [],
    checkedInAt: null,
    report: null,
    completedAt: null,
    callbackAttempts: [],
    callbackResult: null,
    calledBackAt: null,
    oldPartReturnedAt: null,
    autopsy: null,
    closedAt: null,
    cancelledAt: null,
    cancelReason: null,
    supersededBy: null,
  };
  if (!walkIn)
    return {
      ok: true,
      ticket,
      events: [
        event('RECEIVED', at, { warranty, productLine: input.productLine, serviceType: input.serviceType }, actor),
      ],
    };
  const { centreId } = walkIn;
  return {
    ok: true,
    ticket: { ...ticket, state: 'ACCEPTED', centreId, acceptedAt: at, firstContactAt: at },
    events: [
      event(
        'RECEIVED',
        at,
        { warranty, productLine: input.productLine, serviceType: input.serviceType, walkInCentreId: centreId },
        actor,
      ),
      event('ACCEPTED', at, { centreId }, actor),
      event('CONTACTED', at, { centreId }, actor),
    ],
  };
}
