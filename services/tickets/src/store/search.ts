import type { Connection } from 'mongoose';
import type { TicketState } from '../rules/ticket.ts';
import { ticketModel, type TicketDoc } from './models.ts';

/** What portal search may filter on besides the keyed lookups (number, serial) the resolver does itself. */
export interface TicketScanFilter {
  /** Restricts the scan to these ids (from a keyed lookup); an empty list matches nothing. */
  ids?: string[];
  phone?: string;
  centreId?: string;
  state?: TicketState;
  receivedFrom?: Date;
  receivedBefore?: Date;
}

/** Where the next page continues: strictly after (older than) this ticket in (receivedAt desc, _id desc). */
export interface SearchPosition {
  receivedAt: Date;
  id: string;
}

function mongoFilter(f: TicketScanFilter, after: SearchPosition | null): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (f.ids) q['_id'] = { $in: f.ids };
  if (f.phone) q['customer.phone'] = f.phone;
  if (f.centreId) q['centreId'] = f.centreId;
  if (f.state) q['state'] = f.state;
  const received: Record<string, Date> = {};
  if (f.receivedFrom) received['$gte'] = f.receivedFrom;
  if (f.receivedBefore) received['$lt'] = f.receivedBefore;
  if (Object.keys(received).length) q['receivedAt'] = received;
  if (!after) return q;
  const page = {
    $or: [{ receivedAt: { $lt: after.receivedAt } }, { receivedAt: after.receivedAt, _id: { $lt: after.id } }],
  };
  return Object.keys(q).length ? { $and: [q, page] } : page;
}

/**
 * Portal search over the tickets collection. **This scans** on FerretDB v1 (any filter but an exact
 * `_id`, any sort and any count reads the whole collection): it serves the operator portal's search
 * screen, never a request path of the lifecycle or of partner sync, which read by `_id` only. On
 * MongoDB an index on (receivedAt, _id) would serve the order; none is declared, as FerretDB gains
 * nothing from it and every index slows the ticket writes.
 */
export function createTicketSearch(conn: Connection) {
  const tickets = ticketModel(conn);
  return {
    async page(f: TicketScanFilter, after: SearchPosition | null, limit: number): Promise<TicketDoc[]> {
      if (f.ids && f.ids.length === 0) return [];
      return tickets
        .find(mongoFilter(f, after), { appliedCommands: 0, pending: 0 })
        .sort({ receivedAt: -1, _id: -1 })
        .limit(limit)
        .lean<TicketDoc[]>();
    },
    async count(f: TicketScanFilter): Promise<number> {
      if (f.ids && f.ids.length === 0) return 0;
      return tickets.countDocuments(mongoFilter(f, null));
    },
  };
}
