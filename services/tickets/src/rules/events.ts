import type { CallbackAnswer, CallbackResult, TicketState, WarrantyStatus } from './ticket.ts';

/**
 * The ticket's timeline. Each event carries what its consumers need (the KPI counters, the
 * evidence recorder, a partner's sync), so none of them has to re-read the ticket. `centreId` is
 * the centre that held the job when it happened.
 */
export interface TicketEventData {
  /** `walkInCentreId`: a walk-in received by that centre itself (no dispatch). */
  RECEIVED: { warranty: WarrantyStatus; productLine: string; serviceType: string; walkInCentreId?: string };
  DISPATCHED: { centreId: string; attempt: number; manual: boolean };
  ACCEPTED: { centreId: string };
  REFUSED: { centreId: string; reason: string; failedAttempts: number; mustEscalate: boolean };
  ACCEPT_TIMED_OUT: { centreId: string; failedAttempts: number; mustEscalate: boolean };
  ESCALATED: { failedAttempts: number };
  CONTACTED: { centreId: string };
  BOOKED: { centreId: string; appointmentNo: number; from: Date; to: Date; rebooked: boolean };
  ASSIGNED: { centreId: string; engineerId: string; previousEngineerId: string | null };
  CHECKED_IN: { centreId: string; engineerId: string | null; appointmentNo: number };
  COMPLETED: {
    centreId: string;
    engineerId: string | null;
    reportedInTime: boolean;
    delight: boolean;
    partLines: number;
  };
  CALLBACK_ATTEMPTED: { centreId: string; answer: CallbackAnswer; attempt: number };
  CALLED_BACK: { centreId: string; result: CallbackResult };
  OLD_PART_RETURNED: { centreId: string };
  AUTOPSY_RECORDED: { centreId: string; consistent: boolean; partLines: number };
  CLOSED: { centreId: string };
  RECALLED: { centreId: string; reason: string };
  CANCELLED: { centreId: string | null; reason: string; from: TicketState };
}
export type TicketEventType = keyof TicketEventData;

export type TicketEvent = {
  [K in TicketEventType]: { type: K; at: Date; actor?: string; data: TicketEventData[K] };
}[TicketEventType];

export function event<K extends TicketEventType>(
  type: K,
  at: Date,
  data: TicketEventData[K],
  actor?: string,
): TicketEvent {
  return (actor === undefined ? { type, at, data } : { type, at, actor, data }) as TicketEvent;
}
