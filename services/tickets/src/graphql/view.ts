import type { TicketPolicy } from '../rules/policy.ts';
import { settlementOf } from '../rules/settlement.ts';
import { judge, ticketSlas } from '../rules/sla.ts';
import { currentAppointment, currentEngineer } from '../rules/ticket.ts';
import type { ComplaintRecord } from '../store/complaints.ts';
import { snapshotOf, viewOf, type TicketViewRecord } from '../store/tickets.ts';
import type { SearchPosition } from '../store/search.ts';

/** What a ticket looks like to a client: the stored record minus the store's own bookkeeping. */
export type TicketView = TicketViewRecord;
export const ticketView = viewOf;

const policyOf = (t: TicketView): TicketPolicy => t.policy as TicketPolicy;
const snapshot = (t: TicketView) => snapshotOf(t);

/** Field resolvers of Ticket that derive from the stored snapshot with the ticket's own standard. */
export const ticketFields = (now: () => Date) => ({
  number: (t: TicketView) => t.ticketNumber,
  engineerId: (t: TicketView) => currentEngineer(snapshot(t)),
  centre: (t: TicketView) => (t.centreId ? { __typename: 'ServiceCentre', id: t.centreId } : null),
  engineer: (t: TicketView) => {
    const id = currentEngineer(snapshot(t));
    return id ? { __typename: 'Engineer', id } : null;
  },
  appointment: (t: TicketView) => {
    const current = currentAppointment(snapshot(t));
    return current
      ? {
          no: current.no,
          from: current.appointment.from,
          to: current.appointment.to,
          bookedAt: current.appointment.bookedAt,
        }
      : null;
  },
  slas: (t: TicketView) => ticketSlas(snapshot(t), now(), policyOf(t)),
  timeline: (t: TicketView) =>
    t.timeline.map((e) => ({ type: e.type, at: e.at, actor: e.actor ?? null, data: JSON.stringify(e.data) })),
  callback: (t: TicketView) => ({ attempts: t.callbackAttempts, result: t.callbackResult, at: t.calledBackAt }),
  settlement: (t: TicketView) => {
    const s = settlementOf(snapshot(t), policyOf(t));
    switch (s.status) {
      case 'PENDING':
        return { status: s.status, reasons: [`WAITING_FOR_${s.waitingFor}`], feeFen: null };
      case 'HELD':
        return { status: s.status, reasons: s.reasons, feeFen: null };
      case 'NOT_PAYABLE':
        return { status: s.status, reasons: [s.reason], feeFen: null };
      case 'PAYABLE':
        return { status: s.status, reasons: [], feeFen: s.feeFen };
    }
  },
});

/** What a client sees of a complaint: the record minus the store's bookkeeping (applied requests, outbox). */
export type ComplaintView = Omit<ComplaintRecord, 'applied' | 'pending'>;

export function complaintView(c: ComplaintRecord): ComplaintView {
  const { applied: _a, pending: _p, ...rest } = c;
  return rest;
}

/** Field resolvers of Complaint. The response clock is the stored deadline (from the ticket's standard at opening). */
export const complaintFields = (now: () => Date) => ({
  responseSla: (c: ComplaintView) => ({
    clock: 'COMPLAINT_RESPONSE',
    deadline: c.responseBy,
    status: judge(c.responseBy, c.respondedAt, now()) ?? 'PENDING',
    doneAt: c.respondedAt,
    ref: c.id,
  }),
  responsibleParty: (c: ComplaintView) => {
    const p = c.responsibleParty;
    if (!p) return null;
    const engineerId = p.kind === 'ENGINEER' ? p.engineerId : null;
    return { kind: p.kind, engineerId, engineer: engineerId ? { __typename: 'Engineer', id: engineerId } : null };
  },
  licenceEvidence: (c: ComplaintView) => c.evidence,
});

// ---- complaint list cursors ----

export function encodeComplaintCursor(p: { openedAt: Date; id: string }): string {
  return Buffer.from(`complaints:${p.openedAt.getTime()}:${p.id}`).toString('base64url');
}

export function decodeComplaintCursor(cursor: string): { openedAt: Date; id: string } | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const m = /^complaints:(\d{1,15}):([A-Za-z0-9][A-Za-z0-9_:-]{0,63})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!m) return null;
  const openedAt = new Date(Number(m[1]));
  return Number.isNaN(openedAt.getTime()) ? null : { openedAt, id: m[2]! };
}

/** The one complaint an UNSATISFIED callback opens (effects.ts): `<ticketId>:callback`. */
export const callbackComplaintId = (ticketId: string): string => `${ticketId}:callback`;

// ---- cursors: opaque base64url to clients ----

const SEARCH_PREFIX = 'tickets:';

export function encodeSearchCursor(p: SearchPosition): string {
  return Buffer.from(`${SEARCH_PREFIX}${p.receivedAt.getTime()}:${p.id}`).toString('base64url');
}

export function decodeSearchCursor(cursor: string): SearchPosition | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const m = /^tickets:(\d{1,15}):([A-Za-z0-9][A-Za-z0-9_:-]{0,63})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!m) return null;
  const receivedAt = new Date(Number(m[1]));
  return Number.isNaN(receivedAt.getTime()) ? null : { receivedAt, id: m[2]! };
}

/**
 * A partner's position in its centre's change feed. It names the centre, so a cursor from one
 * centre can't be replayed against another's feed, and it is only a position: any cursor the
 * feed returned stays valid for ever (the feed is append-only).
 */
const FEED_PREFIX = 'jobs:v1:';

export function encodeFeedCursor(centreId: string, seq: number): string {
  return Buffer.from(`${FEED_PREFIX}${centreId}:${seq}`).toString('base64url');
}

export function decodeFeedCursor(cursor: string): { centreId: string; seq: number } | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const m = /^jobs:v1:([A-Za-z0-9][A-Za-z0-9_:-]{0,63}):(\d{1,12})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!m) return null;
  return { centreId: m[1]!, seq: Number(m[2]) };
}
