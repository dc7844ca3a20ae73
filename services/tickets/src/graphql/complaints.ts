import { createHash, randomUUID } from 'node:crypto';
import {
  DomainError,
  IDEMPOTENCY_KEY_PATTERN,
  RemoteCallError,
  badInput,
  callerScope,
  conflict,
  forbidden,
  notFound,
  requireRole,
  withIdempotency,
  type Claims,
  type Logger,
  type RequestContext,
  type Role,
  type TicketEvidence,
} from '@starline/common';
import {
  COMPLAINT_STATES,
  decideComplaint,
  openComplaint as openRule,
  type ComplaintCommand,
  type ComplaintRefusal,
  type ComplaintState,
  type ResponsibleKind,
} from '../rules/complaint.ts';
import { majorComplaint } from '../rules/evidence.ts';
import type { TicketPolicy } from '../rules/policy.ts';
import { ID_PATTERN } from '../rules/validate.ts';
import {
  centreComplaintsKey,
  complaintKpiFacts,
  ticketComplaintsKey,
  type ComplaintRecord,
} from '../store/complaints.ts';
import { snapshotOf } from '../store/tickets.ts';
import { requireVisibleTicket, seesAll } from './access.ts';
import type { TicketsDeps } from './deps.ts';
import { MAX_PAGE_SIZE, holderOf } from './queries.ts';
import { requestIdOf } from './mutations.ts';
import {
  callbackComplaintId,
  complaintView,
  decodeComplaintCursor,
  encodeComplaintCursor,
  type ComplaintView,
  type TicketView,
} from './view.ts';

/**
 * Complaints (处理投诉: 受理 → 处理 → 改进). The call centre and HQ record and move them; a PARTNER
 * reads its own centre's and changes none; an ENGINEER sees them only on its tickets
 * (`Ticket.complaints`). Every read is by `_id` (the complaint, or the ticket's / centre's list of
 * complaint ids), except the portal's list over all complaints, which scans.
 */
export const COMPLAINT_WRITERS: readonly Role[] = ['CALL_CENTRE', 'OPERATOR', 'ADMIN'];
const COMPLAINT_READERS: readonly Role[] = ['OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE', 'PARTNER'];

/** Certification's refusals that will never change (recorded as not recorded, not retried). */
const FINAL_REFUSALS = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'INVALID_TRANSITION', 'FORBIDDEN', 'BadActivityInput']);

type Key = string | null | undefined;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function checkComplaintId(field: string, id: string): void {
  if (!ID_PATTERN.test(id)) throw badInput(field, 'is not a complaint id');
}
function checkKey(key: Key): void {
  if (key != null && !IDEMPOTENCY_KEY_PATTERN.test(key))
    throw badInput('idempotencyKey', 'must be 8–128 letters, digits or . _ : -');
}

function refusal(r: ComplaintRefusal, c: { version: number } | null): DomainError {
  const extra: Record<string, unknown> = { currentState: r.state };
  if (c) extra['currentVersion'] = c.version;
  if (r.code === 'BAD_USER_INPUT')
    return new DomainError('BAD_USER_INPUT', r.message, {
      field: r.violations?.[0]?.field,
      violations: r.violations ?? [],
      ...extra,
    });
  return new DomainError('INVALID_TRANSITION', r.message, extra);
}

/**
 * Delivers a complaint's outbox under its lease: KPI facts, then licence evidence to certification
 * (idempotent by evidence key there). Certification unreachable leaves the evidence pending for the
 * next change or read of the complaint; a final refusal (unknown engineer) is logged and dropped.
 */
async function deliver(deps: TicketsDeps, log: Logger, c: ComplaintRecord, actor: string): Promise<ComplaintRecord> {
  if (!c.pending) return c;
  return deps.store.complaints.deliver(c, async (e: TicketEvidence) => {
    try {
      await deps.recordLicenceEvent({
        engineerId: e.engineerId,
        code: e.code,
        evidenceKey: e.evidenceKey,
        recordedBy: actor,
        note: `complaint ${c.id} (ticket ${c.ticketId})`,
      });
      return 'RECORDED';
    } catch (error) {
      const type = error instanceof RemoteCallError ? error.type : null;
      if (type && FINAL_REFUSALS.has(type)) {
        log.error(
          { complaintId: c.id, evidenceKey: e.evidenceKey, err: error },
          'licence evidence refused by certification',
        );
        return 'REJECTED';
      }
      log.warn(
        { complaintId: c.id, evidenceKey: e.evidenceKey, err: error },
        'licence evidence not recorded yet; kept pending',
      );
      return 'RETRY';
    }
  });
}

/** Delivers what a complaint still owes, best effort, when a read finds it pending (a busy lease is left for later). */
async function deliverOnRead(deps: TicketsDeps, log: Logger, c: ComplaintRecord): Promise<ComplaintRecord> {
  if (!c.pending) return c;
  try {
    return await deps.store.complaints.exclusive(c.id, async () => {
      const now = await deps.store.complaints.find(c.id);
      return now ? deliver(deps, log, now, 'system:complaints') : c;
    });
  } catch (error) {
    log.warn({ complaintId: c.id, err: error }, 'complaint outbox not delivered on read');
    return c;
  }
}

/**
 * The sweep the tickets service runs every COMPLAINT_SWEEP_MS: delivers the licence evidence that
 * complaints still owe (certification was unreachable at their resolve), so a complaint nobody reads
 * or changes again is not left owing for good. Returns how many it found owing.
 */
export async function deliverOwedEvidence(deps: TicketsDeps, log: Logger): Promise<number> {
  const ids = await deps.store.complaints.owing();
  for (const id of ids) {
    const c = await deps.store.complaints.find(id);
    if (c) await deliverOnRead(deps, log, c);
  }
  return ids.length;
}

// ---------- mutations ----------

/**
 * The call centre records a customer's complaint about a job. The ticket exists (NOT_FOUND), a centre
 * has taken it (INVALID_TRANSITION naming its state), severity 1–3 and a description (BAD_USER_INPUT
 * with the field). With a key the complaint id derives from it, so a retry finds the one it opened.
 * Its deadline is the ticket's standard's first-response clock for the severity; it counts toward
 * the centre's complaints (and major complaints at severity 1) in the month it was opened.
 */
export async function openComplaint(
  deps: TicketsDeps,
  ctx: RequestContext,
  args: { ticketId: string; severity: number; description: string; idempotencyKey?: Key },
): Promise<ComplaintView> {
  const claims = requireRole(ctx.claims, ...COMPLAINT_WRITERS);
  if (!ID_PATTERN.test(args.ticketId)) throw badInput('ticketId', 'is not a ticket id');
  checkKey(args.idempotencyKey);
  const found = await deps.store.findTicket(args.ticketId);
  requireVisibleTicket(claims, found && holderOf(found), args.ticketId);
  const t = found!; // a missing ticket was refused just above
  const id = args.idempotencyKey
    ? `C-${sha(`${callerScope(claims)}|openComplaint|${args.idempotencyKey}`).slice(0, 32)}`
    : `C-${randomUUID()}`;
  const payload = { ticketId: args.ticketId, severity: args.severity, description: args.description };
  const call = {
    key: args.idempotencyKey,
    operation: 'openComplaint',
    caller: claims,
    payload,
    resumable: true,
    mayReplay: (c: ComplaintView) => mayRead(claims, c),
  };
  return withIdempotency(deps.store.idempotency, call, async () => {
    const existing = await deps.store.complaints.find(id);
    if (existing) return complaintView(existing);
    const at = deps.now();
    const r = openRule(
      snapshotOf(t),
      { id, severity: args.severity, description: args.description },
      at,
      t.policy as TicketPolicy,
    );
    if (!r.ok) throw refusal(r, null);
    const record: ComplaintRecord = {
      ...r.complaint,
      source: 'CUSTOMER',
      description: args.description.trim(),
      openedBy: claims.sub,
      version: 1,
      standardVersionId: t.standardVersionId,
      applied: [],
      evidence: [],
      pending: { kpiFacts: complaintKpiFacts(r.opened), evidence: [] },
      updatedAt: at,
    };
    await deps.store.complaints.join(id, t.id, record.centreId);
    await deps.store.complaints.insert(record);
    const done = await deps.store.complaints.exclusive(id, async () =>
      deliver(deps, ctx.log, (await deps.store.complaints.find(id))!, claims.sub),
    );
    ctx.log.info({ complaintId: id, ticketId: t.id, severity: record.severity }, 'complaint opened');
    return complaintView(done);
  });
}

/**
 * One step of a complaint. In order, nothing written before the last: the role (a PARTNER is
 * FORBIDDEN), well-formed id, version and key, the complaint exists (NOT_FOUND); then under the key
 * and the complaint's lease: a retry of an applied request returns the complaint; a stale version is
 * CONFLICT with the current state and version; the rules (INVALID_TRANSITION naming the state,
 * BAD_USER_INPUT naming the field). Then one write, and its outbox delivered.
 */
async function transition(
  deps: TicketsDeps,
  ctx: RequestContext,
  operation: string,
  args: { id: string; version: number; idempotencyKey?: Key },
  command: ComplaintCommand,
): Promise<ComplaintView> {
  const claims = requireRole(ctx.claims, ...COMPLAINT_WRITERS);
  checkComplaintId('id', args.id);
  if (!Number.isInteger(args.version) || args.version < 1) throw badInput('version', 'must be a whole number from 1');
  checkKey(args.idempotencyKey);
  if (!(await deps.store.complaints.find(args.id))) throw notFound('complaint', args.id);
  const requestId = requestIdOf(claims, operation, args.idempotencyKey);
  const payload = { id: args.id, version: args.version, command };
  const call = {
    key: args.idempotencyKey,
    operation,
    caller: claims,
    payload,
    resumable: true,
    mayReplay: (c: ComplaintView) => mayRead(claims, c),
  };
  return withIdempotency(deps.store.idempotency, call, () =>
    deps.store.complaints.exclusive(args.id, async () => {
      let c = (await deps.store.complaints.find(args.id))!;
      if (c.applied.includes(requestId)) return complaintView(await deliver(deps, ctx.log, c, claims.sub));
      if (args.version !== c.version) {
        throw conflict(
          `complaint ${c.id} is at version ${c.version} (${c.state}), not ${args.version}; reload it and decide again`,
          {
            currentVersion: c.version,
            currentState: c.state,
          },
        );
      }
      const at = deps.now();
      const d = decideComplaint(c, command, at);
      if (!d.ok) throw refusal(d, c);
      const evidence = command.type === 'RESOLVE' ? majorComplaint({ ...c, ...d.patch }) : null;
      c = await deps.store.complaints.commit(c, d.patch, {
        at,
        requestId,
        pending: evidence ? { kpiFacts: [], evidence: [evidence] } : c.pending,
        ...(evidence ? { evidence: [...c.evidence, { ...evidence, recorded: false }] } : {}),
      });
      c = await deliver(deps, ctx.log, c, claims.sub);
      ctx.log.info({ complaintId: c.id, step: command.type, version: c.version }, 'complaint changed');
      return complaintView(c);
    }),
  );
}

type StepArgs = { id: string; version: number; idempotencyKey?: Key };

export const respondToComplaint = (deps: TicketsDeps, ctx: RequestContext, args: StepArgs & { note?: string | null }) =>
  transition(deps, ctx, 'respondToComplaint', args, { type: 'RESPOND', note: args.note ?? null });

export const resolveComplaint = (
  deps: TicketsDeps,
  ctx: RequestContext,
  args: StepArgs & { responsibleParty: ResponsibleKind; rootCause: string; resolution: string },
) =>
  transition(deps, ctx, 'resolveComplaint', args, {
    type: 'RESOLVE',
    responsible: args.responsibleParty,
    rootCause: args.rootCause,
    resolution: args.resolution,
  });

export const closeComplaint = (deps: TicketsDeps, ctx: RequestContext, args: StepArgs) =>
  transition(deps, ctx, 'closeComplaint', args, { type: 'CLOSE' });

// ---------- queries ----------

const mayRead = (claims: Claims, c: Pick<ComplaintRecord, 'centreId'>): boolean =>
  seesAll(claims) || (!!claims.centreId && c.centreId === claims.centreId);
const forbiddenComplaint = () => forbidden('you may only see your own centre’s complaints');

/** HQ roles: null when missing. A PARTNER: FORBIDDEN for another centre's or a missing one, so ids can't be probed. */
export async function complaint(deps: TicketsDeps, ctx: RequestContext, id: string): Promise<ComplaintView | null> {
  const claims = requireRole(ctx.claims, ...COMPLAINT_READERS);
  checkComplaintId('id', id);
  const c = await deps.store.complaints.find(id);
  if (!c || !mayRead(claims, c)) {
    if (seesAll(claims)) return null;
    throw forbiddenComplaint();
  }
  return complaintView(await deliverOnRead(deps, ctx.log, c));
}

export interface ComplaintListArgs {
  filter?: { ticketId?: string | null; centreId?: string | null; state?: ComplaintState | null } | null;
  first?: number | null;
  after?: string | null;
}

const EMPTY = { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };

/**
 * Complaints newest opened first. With `ticketId` or `centreId` (a PARTNER always has its centre's)
 * the list is the ticket's or centre's `_id`-keyed list of complaint ids, each read by `_id`, a page
 * at a time; without either (HQ's list over everything) it is a scan of the complaints collection.
 */
export async function complaints(deps: TicketsDeps, ctx: RequestContext, args: ComplaintListArgs) {
  const claims = requireRole(ctx.claims, ...COMPLAINT_READERS);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  let after = null;
  if (args.after != null) {
    after = decodeComplaintCursor(args.after);
    if (!after) throw badInput('after', 'is not a cursor this list returned');
  }
  const f = args.filter ?? {};
  if (f.ticketId != null && !ID_PATTERN.test(f.ticketId)) throw badInput('filter.ticketId', 'is not a ticket id');
  if (f.centreId != null && !ID_PATTERN.test(f.centreId))
    throw badInput('filter.centreId', 'is not a service centre id');
  if (f.state != null && !COMPLAINT_STATES.includes(f.state))
    throw badInput('filter.state', 'is not a complaint state');
  let centreId = f.centreId ?? null;
  if (!seesAll(claims)) {
    if (!claims.centreId) throw forbidden('a partner token must name its centre');
    if (centreId && centreId !== claims.centreId) return EMPTY;
    centreId = claims.centreId;
  }
  const matches = (c: ComplaintRecord) =>
    (!f.state || c.state === f.state) &&
    (!centreId || c.centreId === centreId) &&
    (!f.ticketId || c.ticketId === f.ticketId);
  let found: ComplaintRecord[];
  if (f.ticketId || centreId) {
    const key = f.ticketId ? ticketComplaintsKey(f.ticketId) : centreComplaintsKey(centreId!);
    const ids = [...(await deps.store.complaints.ids(key))].reverse();
    if (f.ticketId && !ids.includes(callbackComplaintId(f.ticketId))) ids.push(callbackComplaintId(f.ticketId));
    let start = 0;
    if (after) {
      const i = ids.indexOf(after.id);
      if (i < 0) throw badInput('after', 'is not a cursor this list returned');
      start = i + 1;
    }
    found = [];
    for (let i = start; i < ids.length && found.length <= first; i += first + 1) {
      const batch = await Promise.all(ids.slice(i, i + first + 1).map((id) => deps.store.complaints.find(id)));
      for (const c of batch) {
        if (c && matches(c)) found.push(c);
        if (found.length > first) break;
      }
    }
  } else {
    found = await deps.store.complaints.scan(f.state ?? null, after, first + 1);
  }
  const edges = found.slice(0, first).map((c) => ({ cursor: encodeComplaintCursor(c), node: complaintView(c) }));
  return { edges, pageInfo: { hasNextPage: found.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** Ticket.complaints: the ticket's list (plus its callback complaint, listed or not), oldest first; by `_id` only. */
export async function complaintsOf(deps: TicketsDeps, t: TicketView): Promise<ComplaintView[]> {
  const ids = await deps.store.complaints.ids(ticketComplaintsKey(t.id));
  if (!ids.includes(callbackComplaintId(t.id))) ids.push(callbackComplaintId(t.id));
  const found = (await Promise.all(ids.map((id) => deps.store.complaints.find(id)))).filter(
    (c): c is ComplaintRecord => c !== null,
  );
  return found.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || (a.id < b.id ? -1 : 1)).map(complaintView);
}
