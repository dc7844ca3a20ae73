/**
 * Real ticket documents for the benchmarks that seed tickets directly (evaluation.ts, settlement.ts):
 * one template per kind of job, made by the tickets service's own code in a scratch database, then
 * cloned per job with its id, centre, region, product line, service type, area class, serial and
 * number replaced and every instant shifted; a completed clone also gets the settlement record its
 * outbox would have written (`settlementJobDocOf`).
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { TicketPolicyInput } from '@starline/common';
import { createTicketsActivities } from '../../services/tickets/src/activities.ts';
import { receive } from '../../services/tickets/src/rules/intake.ts';
import type { TicketPolicy } from '../../services/tickets/src/rules/policy.ts';
import type { SettlementJobDoc } from '../../services/tickets/src/store/models.ts';
import { pack, unpack } from '../../services/tickets/src/store/packed.ts';
import { settlementJobDoc } from '../../services/tickets/src/store/settlement-jobs.ts';
import {
  createTicketsStore,
  settlementJobRecordOfDoc,
  type SnapshotDoc,
} from '../../services/tickets/src/store/tickets.ts';

const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;

const synced = new WeakSet<Connection>();
/** Templates made by this process: each has its own serial (one serial twice would make the second a repeat repair). */
let made = 0;

/** A stored ticket as it came from the database, to clone. */
export type RawDoc = Record<string, unknown>;

/**
 * How far the template goes: an open job (BOOKED), or a completed one awaiting its callback, called back, or
 * quality-checked.
 */
export type TemplateStage = 'BOOKED' | 'COMPLETED' | 'CALLED_BACK' | 'CLOSED';

export interface TemplateOptions {
  /** Default BOOKED. */
  until?: TemplateStage;
  /** The callback's answer (CALLED_BACK and CLOSED); default SATISFIED. */
  callback?: 'SATISFIED' | 'UNSATISFIED';
  /** One part replaced under warranty in the completion report (its old part never returned). */
  warrantyPart?: boolean;
}

export interface Template {
  doc: RawDoc;
  ticketId: string;
  centreId: string;
  /** The template's ACCEPTED instant, and its appointment window's end: clones shift both. */
  acceptedAt: Date;
  windowEnd: Date;
  /** When the template was completed (null for an open one): clones shift it. */
  completedAt: Date | null;
  policyDoc: RawDoc;
  standardVersionId: string;
  /** How far the template was driven (its state). */
  stage: TemplateStage;
}

/**
 * One job, made by the tickets service's own code in a scratch database: received (rules/intake),
 * stored (insertTicket), then DISPATCH, ACCEPT and BOOK through applyTicketCommand, which delivers its
 * outbox (sets, counters, feed) there; with `until` past BOOKED also ASSIGN, CHECK_IN, COMPLETE (the
 * policy's required steps), CALLBACK_ATTEMPT and QUALITY_CHECK. Its stored document is what the
 * clones copy.
 */
export async function makeTemplate(
  scratch: Connection,
  policy: TicketPolicyInput,
  t0: Date,
  region: string,
  o: TemplateOptions = {},
): Promise<Template> {
  const until = o.until ?? 'BOOKED';
  const store = createTicketsStore(scratch);
  // Once per scratch database (FerretDB refuses to create its collections a second time).
  if (!synced.has(scratch)) {
    await store.syncIndexes();
    synced.add(scratch);
  }
  const clock = { now: t0 };
  const acts = createTicketsActivities(store, () => clock.now);
  const ticketId = `T-${randomUUID()}`;
  const centreId = randomUUID();
  const intake = {
    customer: { name: '张伟', phone: '13800138000', address: '上海市浦东新区张江路 100 号', regionCode: region },
    productLine: policy.productLines[0]!.code,
    model: 'KFR-35GW',
    serialNumber: `SN-TEMPLATE-${Date.now()}-${++made}`,
    purchaseDate: new Date(t0.getTime() - 90 * 24 * HOUR_MS),
    serviceType: 'REPAIR' as const,
    areaClass: 'URBAN' as const,
    faultDescription: 'not cooling',
  };
  const r = receive(ticketId, intake, t0, policy as TicketPolicy, 'call-centre-bench');
  if (!r.ok) throw new Error(`the template ticket was refused at intake: ${r.message}`);
  await store.insertTicket(r.ticket, { policy, events: r.events, now: t0 });
  const at = (afterMin: number) => new Date(t0.getTime() + afterMin * MIN_MS);
  const command = async (afterMin: number, cmd: Parameters<typeof acts.applyTicketCommand>[0]['command']) => {
    clock.now = at(afterMin);
    return acts.applyTicketCommand({
      ticketId,
      commandId: `bench-template-${afterMin}`,
      command: cmd,
      expectedVersion: null,
    });
  };
  const from = new Date(t0.getTime() + 24 * HOUR_MS);
  const to = new Date(t0.getTime() + 26 * HOUR_MS);
  await command(1, { type: 'DISPATCH', centreId, actor: 'system:lifecycle' });
  await command(10, { type: 'ACCEPT', actor: 'partner-bench' });
  let last = await command(25, {
    type: 'BOOK',
    window: { from: from.toISOString(), to: to.toISOString() },
    actor: 'partner-bench',
  });
  let completedAt: Date | null = null;
  if (until !== 'BOOKED') {
    // The standard journey (as the tickets tests drive it): on site 30 min into the window, work done an hour later,
    // reported 30 min after.
    const checkIn = 24 * 60 + 30;
    const completed = checkIn + 90;
    await command(30, { type: 'ASSIGN', engineerId: 'E-bench-template', actor: 'partner-bench' });
    await command(checkIn, { type: 'CHECK_IN', actor: 'engineer-bench' });
    last = await command(completed, {
      type: 'COMPLETE',
      actor: 'engineer-bench',
      report: {
        workFinishedAt: at(checkIn + 60).toISOString(),
        checklist: [...policy.requiredSteps],
        faultCode: 'E1',
        parts: o.warrantyPart ? [{ partNumber: 'P-100', oldPartSerial: 'OLD-TEMPLATE-1', quantity: 1 }] : [],
        charges: [],
      },
    });
    completedAt = at(completed);
    if (until === 'CALLED_BACK' || until === 'CLOSED')
      last = await command(completed + 60, {
        type: 'CALLBACK_ATTEMPT',
        answer: o.callback ?? 'SATISFIED',
        actor: 'agent-bench',
      });
    if (until === 'CLOSED')
      last = await command(completed + 49 * 60, { type: 'QUALITY_CHECK', actor: 'operator-bench' });
  }
  if (last.ticket.state !== until) throw new Error(`the template ticket is ${last.ticket.state}, not ${until}`);
  const doc = await scratch.db!.collection('tickets').findOne({ _id: ticketId as never });
  const policyDoc = await scratch.db!.collection('ticket_policies').findOne({ _id: policy.standardVersionId as never });
  if (!doc || !policyDoc) throw new Error('the template ticket or its policy was not stored');
  return {
    doc,
    ticketId,
    centreId,
    acceptedAt: at(10),
    windowEnd: to,
    completedAt,
    policyDoc,
    standardVersionId: policy.standardVersionId,
    stage: until,
  };
}

export interface CloneFields {
  ticketId: string;
  centreId: string;
  region: string;
  productLine: string;
  serial: string;
  number: string;
  shiftMs: number;
  /** Left as the template's when absent. */
  serviceType?: string;
  areaClass?: string;
}

/**
 * The template with another id, centre, customer region, product line (service type, area class),
 * serial and number, every instant shifted by `shiftMs` (inside the packed timeline and applied
 * commands too).
 */
export function cloneTicket(t: Template, o: CloneFields): RawDoc {
  const swap = (s: string) => s.split(t.ticketId).join(o.ticketId).split(t.centreId).join(o.centreId);
  const walk = (value: unknown, key: string | null): unknown => {
    if (value instanceof Date) return new Date(value.getTime() + o.shiftMs);
    if (Array.isArray(value)) {
      // The timeline and applied commands are packed: one JSON string per entry.
      if (key === 'timeline' || key === 'appliedCommands')
        return value.map((v) => (typeof v === 'string' ? pack(walk(unpack(v), null)) : walk(v, null)));
      return value.map((v) => walk(v, null));
    }
    if (value && typeof value === 'object') {
      if (value.constructor !== Object) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    if (typeof value === 'string') {
      if (key === 'regionCode') return o.region;
      if (key === 'productLine') return o.productLine;
      if (key === 'serviceType' && o.serviceType) return o.serviceType;
      if (key === 'areaClass' && o.areaClass) return o.areaClass;
      if (key === 'serialNumber') return o.serial;
      if (key === 'ticketNumber') return o.number;
      return swap(value);
    }
    return value;
  };
  return walk(t.doc, null) as RawDoc;
}

/**
 * The `settlement_jobs` document a (cloned) ticket's last delivery would have written, by the tickets
 * store's own functions (null for a job not completed): without it unsettledJobs would judge the
 * seeded jobs by its fallback, reading whole tickets. `policy` is the ticket's standard's.
 */
export function settlementJobDocOf(doc: RawDoc, policy: TicketPolicyInput): SettlementJobDoc | null {
  const ticket = doc as unknown as SnapshotDoc;
  const record = settlementJobRecordOfDoc(ticket, policy);
  return record && settlementJobDoc(ticket._id, ticket.version, record);
}
