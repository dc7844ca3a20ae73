import {
  badInput,
  forbidden,
  hasRole,
  loaderFor,
  maySeeCentreMonth,
  requireRole,
  shanghaiMonth,
  type RequestContext,
} from '@starline/common';
import { centreMonths } from '../centre-month.ts';
import { engineerDaySetKey, openJobsSetKey } from '../effects.ts';
import { currentEngineer, normalizeSerial, TICKET_STATES, type TicketState } from '../rules/ticket.ts';
import { ID_PATTERN, SERIAL_PATTERN } from '../rules/validate.ts';
import { shanghaiDate } from '../shanghai.ts';
import { FEED_PAGE_MAX } from '../store/changes.ts';
import type { SearchPosition, TicketScanFilter } from '../store/search.ts';
import type { TicketPolicy } from '../rules/policy.ts';
import { isOverdue } from '../rules/sla.ts';
import { snapshotOf, type TicketRecord } from '../store/tickets.ts';
import { canSee, forbiddenTicket, requireReader, seesAll, type Holder } from './access.ts';
import type { TicketsDeps } from './deps.ts';
import {
  decodeFeedCursor,
  decodeSearchCursor,
  encodeFeedCursor,
  encodeSearchCursor,
  ticketView,
  type TicketView,
} from './view.ts';

export const MAX_PAGE_SIZE = 100;
export const JOB_CHANGES_DEFAULT = 100;
export const JOB_CHANGES_MAX = FEED_PAGE_MAX;
const TICKET_NUMBER_PATTERN = /^T\d{14}$/;

/** Who holds the ticket, as access.ts judges it. */
export const holderOf = (t: TicketRecord | TicketView): Holder => ({
  centreId: t.centreId,
  engineerId: currentEngineer(
    snapshotOf({ ...t, appliedCommands: [], pending: null, recordedEvidence: [] } as TicketRecord),
  ),
});

/**
 * A single fetch: null when missing for the roles that see every ticket; FORBIDDEN for a partner or
 * an engineer whether it exists or not, so ids and numbers can't be probed.
 */
function gate(ctx: RequestContext, t: TicketRecord | null): TicketView | null {
  if (seesAll(ctx.claims)) return t ? ticketView(t) : null;
  if (!t || !canSee(ctx.claims, holderOf(t))) throw forbiddenTicket();
  return ticketView(t);
}

export function checkId(field: string, id: string): void {
  if (!ID_PATTERN.test(id)) throw badInput(field, 'is not a ticket id');
}

export async function ticket(deps: TicketsDeps, ctx: RequestContext, id: string) {
  requireReader(ctx.claims);
  checkId('id', id);
  return gate(ctx, await deps.store.findTicket(id));
}

export async function ticketByNumber(deps: TicketsDeps, ctx: RequestContext, number: string) {
  requireReader(ctx.claims);
  if (!TICKET_NUMBER_PATTERN.test(number))
    throw badInput('number', 'is not a ticket number (T + 14 digits, e.g. T20261012042137)');
  return gate(ctx, await deps.store.findTicketByNumber(number));
}

/** For references (_entities): null when missing or not the caller's. */
export async function visibleOrNull(deps: TicketsDeps, ctx: RequestContext, id: string): Promise<TicketView | null> {
  requireReader(ctx.claims);
  if (!ID_PATTERN.test(id)) return null;
  const t = await deps.store.findTicket(id);
  return t && canSee(ctx.claims, holderOf(t)) ? ticketView(t) : null;
}

export interface SearchArgs {
  filter?: {
    number?: string | null;
    phone?: string | null;
    serialNumber?: string | null;
    centreId?: string | null;
    state?: TicketState | null;
    receivedFrom?: Date | null;
    receivedBefore?: Date | null;
    overdue?: boolean | null;
  } | null;
  first?: number | null;
  after?: string | null;
}

const EMPTY = { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };

/**
 * Portal search, newest received first. `number` and `serialNumber` resolve through their `_id`-keyed
 * documents to a handful of ids; everything else scans the tickets collection (store/search.ts).
 * A PARTNER's search is limited to its own centre; an ENGINEER is sent to Engineer.tickets.
 */
export async function tickets(deps: TicketsDeps, ctx: RequestContext, args: SearchArgs) {
  const claims = requireRole(ctx.claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE', 'PARTNER');
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  let after = null;
  if (args.after !== undefined && args.after !== null) {
    after = decodeSearchCursor(args.after);
    if (!after) throw badInput('after', 'is not a cursor this list returned');
  }
  const f = args.filter ?? {};
  const scan: TicketScanFilter = {};
  if (f.phone != null) {
    if (f.phone.length > 32) throw badInput('filter.phone', 'is too long');
    scan.phone = f.phone;
  }
  if (f.centreId != null) {
    if (!ID_PATTERN.test(f.centreId)) throw badInput('filter.centreId', 'is not a service centre id');
    scan.centreId = f.centreId;
  }
  if (f.state != null) {
    if (!TICKET_STATES.includes(f.state)) throw badInput('filter.state', 'is not a ticket state');
    scan.state = f.state;
  }
  if (f.receivedFrom) scan.receivedFrom = f.receivedFrom;
  if (f.receivedBefore) scan.receivedBefore = f.receivedBefore;
  if (f.receivedFrom && f.receivedBefore && f.receivedFrom.getTime() >= f.receivedBefore.getTime()) {
    throw badInput('filter.receivedBefore', 'must be after receivedFrom');
  }
  if (!seesAll(claims)) {
    // A partner's search is its own centre's; asking for another centre yields nothing.
    if (scan.centreId && scan.centreId !== claims.centreId) return EMPTY;
    if (!claims.centreId) throw forbidden('a partner token must name its centre');
    scan.centreId = claims.centreId;
  }
  const ids: string[][] = [];
  if (f.number != null) {
    if (!TICKET_NUMBER_PATTERN.test(f.number))
      throw badInput('filter.number', 'is not a ticket number (T + 14 digits)');
    const t = await deps.store.findTicketByNumber(f.number);
    ids.push(t ? [t.id] : []);
  }
  if (f.serialNumber != null) {
    const serial = normalizeSerial(f.serialNumber);
    if (!SERIAL_PATTERN.test(serial))
      throw badInput('filter.serialNumber', 'is not a serial number (6–40 letters, digits or hyphens)');
    ids.push(await deps.store.idsOfSerial(serial));
  }
  if (ids.length) scan.ids = ids.reduce((a, b) => a.filter((id) => b.includes(id)));
  if (f.overdue != null) return overdueSearch(deps, scan, f.overdue, after, first);
  const [records, totalCount] = await Promise.all([
    deps.store.searchTickets(scan, after, first + 1),
    deps.store.countTickets(scan),
  ]);
  const edges = records
    .slice(0, first)
    .map((r) => ({ cursor: encodeSearchCursor({ receivedAt: r.receivedAt, id: r.id }), node: ticketView(r) }));
  return {
    edges,
    pageInfo: { hasNextPage: records.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/**
 * `overdue` needs each ticket's clocks under its own standard (rules/sla.ts `isOverdue`), which no
 * database filter can express: the other filters' scan reads every match, the rule keeps the
 * overdue ones (or the others), and the page is cut in memory. A scan like the rest of search.
 */
async function overdueSearch(
  deps: TicketsDeps,
  scan: TicketScanFilter,
  overdue: boolean,
  after: SearchPosition | null,
  first: number,
) {
  const now = deps.now();
  const all = (await deps.store.searchTickets(scan, null, 0)).filter(
    (t) => isOverdue(snapshotOf(t), now, t.policy as TicketPolicy) === overdue,
  );
  const older = (t: TicketRecord) =>
    !after ||
    t.receivedAt.getTime() < after.receivedAt.getTime() ||
    (t.receivedAt.getTime() === after.receivedAt.getTime() && t.id < after.id);
  const rest = all.filter(older);
  const edges = rest
    .slice(0, first)
    .map((r) => ({ cursor: encodeSearchCursor({ receivedAt: r.receivedAt, id: r.id }), node: ticketView(r) }));
  return {
    edges,
    pageInfo: { hasNextPage: rest.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: all.length,
  };
}

/** ServiceCentre.openTickets: the centre's open-jobs set, each by `_id`. */
export async function openTickets(deps: TicketsDeps, ctx: RequestContext, centreId: string) {
  const claims = requireReader(ctx.claims);
  if (!ID_PATTERN.test(centreId)) throw badInput('id', 'is not a service centre id');
  if (!seesAll(claims) && !(hasRole(claims, 'PARTNER') && claims.centreId === centreId)) {
    throw forbidden('you may only see your own centre’s open tickets');
  }
  const list = await deps.store.ticketsIn(openJobsSetKey(centreId));
  return list.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime()).map(ticketView);
}

/**
 * ServiceCentre.ticketsSoFar: the month so far, for the network's live scorecard (the gateway asks
 * it; clients can't). Null for a caller who may not see the centre's scorecards: the network
 * subgraph answers FORBIDDEN for them.
 */
export async function ticketsSoFar(deps: TicketsDeps, ctx: RequestContext, centreId: string) {
  if (!ID_PATTERN.test(centreId) || !maySeeCentreMonth(ctx.claims, centreId)) return null;
  const asOf = deps.now();
  const month = shanghaiMonth(asOf);
  // One read for all the centres of a request (a page of centres with their live scorecards).
  const load = loaderFor(
    ctx,
    `tickets-so-far:${month}`,
    async (ids: string[]) =>
      new Map((await centreMonths(deps.store, ids, month, asOf, asOf)).map((f) => [f.centreId, f] as const)),
  );
  const facts = (await load(centreId))!;
  return { month, asOf, leftover: facts.leftover, ...facts.counters };
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Engineer.tickets(day): the engineer's day set (China time), each by `_id`. */
export async function engineerTickets(
  deps: TicketsDeps,
  ctx: RequestContext,
  engineerId: string,
  day: string | null | undefined,
) {
  const claims = requireReader(ctx.claims);
  if (!ID_PATTERN.test(engineerId)) throw badInput('id', 'is not an engineer id');
  let yyyymmdd = shanghaiDate(deps.now());
  if (day != null) {
    const m = DAY_PATTERN.exec(day);
    const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    if (!m || !date || date.getUTCDate() !== Number(m[3]) || date.getUTCMonth() !== Number(m[2]) - 1)
      throw badInput('day', 'must be a date YYYY-MM-DD');
    yyyymmdd = `${m[1]}${m[2]}${m[3]}`;
  }
  const self = hasRole(claims, 'ENGINEER') && claims.engineerId === engineerId;
  if (!seesAll(claims) && !self && !hasRole(claims, 'PARTNER')) throw forbidden('you may only see your own jobs');
  const list = await deps.store.ticketsIn(engineerDaySetKey(engineerId, yyyymmdd));
  // A partner sees only the jobs its own centre holds (an engineer may have moved centres).
  const visible = seesAll(claims) || self ? list : list.filter((t) => t.centreId === claims.centreId);
  return visible.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime()).map(ticketView);
}

/**
 * Partner pull sync: the caller's centre's feed after the cursor, in order. Only `_id` reads: the
 * head, then each entry `<centre>:<seq>` up to it. The cursor names the centre it belongs to; one
 * from another centre's feed, or past the head, is refused rather than silently skipping changes.
 */
export async function jobChanges(
  deps: TicketsDeps,
  ctx: RequestContext,
  args: { since?: string | null; first?: number | null },
) {
  const claims = requireRole(ctx.claims, 'PARTNER');
  const centreId = claims.centreId;
  if (!centreId || !ID_PATTERN.test(centreId)) throw forbidden('a partner token must name its centre');
  const first = args.first ?? JOB_CHANGES_DEFAULT;
  if (!Number.isInteger(first) || first < 1 || first > JOB_CHANGES_MAX)
    throw badInput('first', `must be from 1 to ${JOB_CHANGES_MAX}`);
  let after = 0;
  if (args.since != null) {
    const c = decodeFeedCursor(args.since);
    if (!c) throw badInput('since', 'is not a cursor jobChanges returned');
    if (c.centreId !== centreId) throw badInput('since', 'is a cursor of another centre’s feed');
    after = c.seq;
  }
  const head = await deps.store.feedHead(centreId);
  if (after > head) throw badInput('since', 'is ahead of the feed: it was not returned by jobChanges');
  const entries = await deps.store.changesSince(centreId, after, first);
  const last = after + entries.length;
  // A ticket changes several times within a page: if the page's `ticket` fields are asked for, the
  // page's tickets are read together, once, each at its last version in the page or newer (the store
  // may answer from the views it holds).
  const newest = new Map<string, number>();
  for (const e of entries) newest.set(e.ticketId, Math.max(e.version, newest.get(e.ticketId) ?? 0));
  let read: Promise<Map<string, TicketView>> | null = null;
  const ticketOf = async (id: string) => (await (read ??= deps.store.findTicketViews(newest))).get(id) ?? null;
  return {
    changes: entries.map((e, i) => ({
      cursor: encodeFeedCursor(centreId, after + i + 1),
      ticketId: e.ticketId,
      version: e.version,
      state: e.state,
      centreId: e.centreId,
      events: e.types,
      at: e.at,
      viewer: centreId,
      ticketOf,
    })),
    cursor: encodeFeedCursor(centreId, last),
    hasMore: last < head,
  };
}

/**
 * JobChange.ticket: the ticket at the page's last version of it or newer, while the partner's centre
 * holds it at that version (a later change that takes it away comes later in the feed, with no ticket).
 */
export async function changeTicket(change: {
  ticketId: string;
  viewer: string;
  ticketOf: (id: string) => Promise<TicketView | null>;
}) {
  const t = await change.ticketOf(change.ticketId);
  return t && t.centreId === change.viewer ? t : null;
}
