import type { AreaClass, ServiceType } from './policy.ts';

/**
 * A job (工单) as the rules see it: "one ticket to the end" (一票到底, docs/domain.md §5). The store keeps
 * this shape; histories (offers, appointments, assignments, callback attempts) are append-only, so
 * every SLA and every piece of evidence can be recomputed from the snapshot alone.
 */
export const TICKET_STATES = [
  'RECEIVED',
  'OFFERED',
  'ESCALATED',
  'ACCEPTED',
  'BOOKED',
  'ASSIGNED',
  'ON_SITE',
  'COMPLETED',
  'CALLED_BACK',
  'CLOSED',
  'CANCELLED',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export type WarrantyStatus = 'IN_WARRANTY' | 'OUT_OF_WARRANTY';

export interface Customer {
  name: string;
  phone: string;
  address: string;
  /** GB/T 2260 code of the customer's district: what dispatch matches against centres' service areas. */
  regionCode: string;
}

export interface Product {
  productLine: string;
  model: string;
  /** Upper-case (normalizeSerial), so repeat repairs are found whatever case it was typed in. */
  serialNumber: string;
  purchaseDate: Date;
}

export type OfferOutcome = 'PENDING' | 'ACCEPTED' | 'REFUSED' | 'TIMED_OUT' | 'WITHDRAWN';

export interface Offer {
  centreId: string;
  offeredAt: Date;
  /** How many escalations preceded this offer: attempts are counted per round (see dispatchAttempts). */
  round: number;
  outcome: OfferOutcome;
  answeredAt: Date | null;
  reason: string | null;
}

export interface AppointmentWindow {
  from: Date;
  to: Date;
}

export interface Appointment extends AppointmentWindow {
  bookedAt: Date;
  /** When a rebooking, recall or cancellation replaced it; null while it is the promise in force. */
  closedAt: Date | null;
}

/** engineerId null = the job was taken off its engineer (a recall). */
export interface Assignment {
  engineerId: string | null;
  at: Date;
}

export interface PartLine {
  partNumber: string;
  oldPartSerial: string;
  quantity: number;
}

export interface ChargeLine {
  /** A price-list code of the job's product line. */
  code: string;
  quantity: number;
  amountFen: number;
}

export interface CompletionReport {
  workFinishedAt: Date;
  /** Procedure step codes the engineer confirms. */
  checklist: string[];
  faultCode: string | null;
  parts: PartLine[];
  charges: ChargeLine[];
  delightNote: string | null;
  valueAddNote: string | null;
  notes: string | null;
}

export type CallbackAnswer = 'SATISFIED' | 'UNSATISFIED' | 'NO_ANSWER';
export type CallbackResult = 'SATISFIED' | 'UNSATISFIED' | 'UNREACHABLE';

export interface CallbackAttempt {
  at: Date;
  answer: CallbackAnswer;
}

export interface Autopsy {
  consistent: boolean;
  note: string;
  at: Date;
}

export interface TicketSnapshot {
  id: string;
  state: TicketState;
  customer: Customer;
  product: Product;
  serviceType: ServiceType;
  areaClass: AreaClass;
  faultDescription: string | null;
  /** Fixed at intake (warranty.ts): a fault reported inside the warranty is covered. */
  warranty: WarrantyStatus;
  receivedAt: Date;
  /** The centre holding the open offer or the job; null while nobody does. */
  centreId: string | null;
  offers: Offer[];
  escalations: Date[];
  acceptedAt: Date | null;
  firstContactAt: Date | null;
  appointments: Appointment[];
  assignments: Assignment[];
  checkedInAt: Date | null;
  report: CompletionReport | null;
  /** When the completion report was submitted. */
  completedAt: Date | null;
  callbackAttempts: CallbackAttempt[];
  callbackResult: CallbackResult | null;
  calledBackAt: Date | null;
  oldPartReturnedAt: Date | null;
  autopsy: Autopsy | null;
  closedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  /** REPEAT_REPAIR: the later ticket that repaired the same product again; this job is then not payable. */
  supersededBy: string | null;
}

export const pendingOffer = (t: TicketSnapshot): Offer | null => t.offers.find((o) => o.outcome === 'PENDING') ?? null;

/** The appointment in force, with its 1-based number (stable: appointments are only ever appended). */
export function currentAppointment(t: TicketSnapshot): { no: number; appointment: Appointment } | null {
  const i = t.appointments.length - 1;
  const last = t.appointments[i];
  return last && last.closedAt === null ? { no: i + 1, appointment: last } : null;
}

/** Who held the job at `at`: the last assignment at or before it. */
export function engineerAt(t: TicketSnapshot, at: Date): string | null {
  let engineer: string | null = null;
  for (const a of t.assignments) if (a.at.getTime() <= at.getTime()) engineer = a.engineerId;
  return engineer;
}

export const currentEngineer = (t: TicketSnapshot): string | null => t.assignments.at(-1)?.engineerId ?? null;

/**
 * Parts replaced under warranty: the manufacturer pays for them, so the old part comes back to the
 * warehouse (旧件返还) and is autopsied (质改尸检). Out-of-warranty parts were bought by the customer,
 * whose property the old part is.
 */
export const warrantyPartLines = (t: TicketSnapshot): number =>
  t.warranty === 'IN_WARRANTY' && t.report ? t.report.parts.length : 0;

/** Case and surrounding blanks don't make a different product. */
export const normalizeSerial = (serial: string): string => serial.trim().toUpperCase();
