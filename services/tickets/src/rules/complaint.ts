import type { Violation } from '@starline/common';
import type { TicketPolicy } from './policy.ts';
import { complaintResponseBy } from './sla.ts';
import { currentEngineer, engineerAt, type TicketSnapshot, type TicketState } from './ticket.ts';

/**
 * A complaint (投诉, docs/domain.md §5): opened by an UNSATISFIED callback or recorded by the call centre
 * for a customer, with a severity (投诉分级, 1 = most serious), a first-response deadline from the
 * ticket's standard, and, once investigated, a responsible party, a root cause and a resolution
 * (处理投诉: 受理 → 处理 → 改进). Pure: no I/O, no number of the standard held here.
 *
 *   OPEN ──respond──▶ RESPONDED ──resolve──▶ RESOLVED ──close──▶ CLOSED
 *
 * Every step is allowed from exactly one state; anything else is INVALID_TRANSITION naming the state.
 */
export const COMPLAINT_SEVERITIES = [1, 2, 3] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];

export const COMPLAINT_STATES = ['OPEN', 'RESPONDED', 'RESOLVED', 'CLOSED'] as const;
export type ComplaintState = (typeof COMPLAINT_STATES)[number];

export type ComplaintStep = 'RESPOND' | 'RESOLVE' | 'CLOSE';
/** The one state each step is allowed from. */
export const COMPLAINT_STEP_FROM: Readonly<Record<ComplaintStep, ComplaintState>> = {
  RESPOND: 'OPEN',
  RESOLVE: 'RESPONDED',
  CLOSE: 'RESOLVED',
};
const STEP_TO: Readonly<Record<ComplaintStep, ComplaintState>> = {
  RESPOND: 'RESPONDED',
  RESOLVE: 'RESOLVED',
  CLOSE: 'CLOSED',
};

export type ResponsibleParty = { kind: 'ENGINEER'; engineerId: string } | { kind: 'CENTRE' };
export type ResponsibleKind = ResponsibleParty['kind'];

/** Text bounds (characters, after trimming). */
export const COMPLAINT_TEXT_MAX = { description: 2000, note: 1000, rootCause: 1000, resolution: 2000 } as const;

export interface Complaint {
  id: string;
  ticketId: string;
  centreId: string;
  severity: ComplaintSeverity;
  openedAt: Date;
  respondedAt: Date | null;
  /** null until the investigation names one. */
  responsibleParty: ResponsibleParty | null;
}

/** What the complaint side reports to the KPI counters. */
export interface ComplaintOpenedEvent {
  type: 'COMPLAINT_OPENED';
  at: Date;
  actor?: string;
  data: { complaintId: string; ticketId: string; centreId: string; severity: ComplaintSeverity };
}

/** The whole complaint as the rules move it. */
export interface ComplaintSnapshot extends Complaint {
  state: ComplaintState;
  /** The engineer of the job (who completed it, else the one assigned): the one ENGINEER responsibility names. */
  engineerId: string | null;
  responseBy: Date;
  /** Whether the first response came by `responseBy` (done exactly at the deadline is met); null before it. */
  responseMet: boolean | null;
  responseNote: string | null;
  rootCause: string | null;
  resolution: string | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
}

export type ComplaintPatch = Partial<
  Omit<ComplaintSnapshot, 'id' | 'ticketId' | 'centreId' | 'severity' | 'openedAt' | 'responseBy' | 'engineerId'>
>;

export type ComplaintRefusal = {
  ok: false;
  code: 'INVALID_TRANSITION' | 'BAD_USER_INPUT';
  message: string;
  state: ComplaintState | TicketState;
  violations?: Violation[];
};
export type ComplaintDecision = { ok: true; patch: ComplaintPatch } | ComplaintRefusal;

function invalid(violations: Violation[], state: ComplaintState | TicketState): ComplaintRefusal {
  return {
    ok: false,
    code: 'BAD_USER_INPUT',
    message: violations.map((v) => `${v.field}: ${v.message}`).join('; '),
    state,
    violations,
  };
}

/**
 * A required (or, with `optional`, absent-or-bounded) text: trimmed, non-empty, at most `max`, no control characters.
 */
export function checkText(field: string, value: unknown, max: number, optional = false): Violation | null {
  if (value === null || value === undefined) return optional ? null : { field, message: 'is required' };
  if (typeof value !== 'string') return { field, message: 'must be text' };
  const text = value.trim();
  if (text === '') return optional ? null : { field, message: 'is required' };
  if (text.length > max) return { field, message: `must be at most ${max} characters` };
  // Tabs and newlines are text; other control characters are not.
  // eslint-disable-next-line no-control-regex -- matching control characters is this check's purpose
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text))
    return { field, message: 'must not contain control characters' };
  return null;
}

const trimmed = (s: string | null | undefined): string | null => (s == null || s.trim() === '' ? null : s.trim());

export interface OpenInput {
  id: string;
  severity: unknown;
  description: unknown;
}

/**
 * The call centre records a customer's complaint about a job. The job must have been taken by a
 * centre (accepted): that centre is the one complained about, and its engineer (the one who
 * completed the job, else the one assigned) is whom ENGINEER responsibility will name. The response
 * deadline is the ticket's own standard's clock for the severity.
 */
export function openComplaint(
  ticket: TicketSnapshot,
  input: OpenInput,
  at: Date,
  policy: TicketPolicy,
): { ok: true; complaint: ComplaintSnapshot; opened: ComplaintOpenedEvent } | ComplaintRefusal {
  const violations: Violation[] = [];
  const severity = input.severity;
  if (typeof severity !== 'number' || !COMPLAINT_SEVERITIES.includes(severity as ComplaintSeverity)) {
    violations.push({ field: 'severity', message: 'must be 1, 2 or 3 (1 = most serious)' });
  }
  const text = checkText('description', input.description, COMPLAINT_TEXT_MAX.description);
  if (text) violations.push(text);
  if (violations.length) return invalid(violations, ticket.state);
  if (!ticket.centreId || !ticket.acceptedAt) {
    return {
      ok: false,
      code: 'INVALID_TRANSITION',
      message:
        `ticket ${ticket.id} is ${ticket.state}: no centre has taken the job, so there is nobody to complain ` +
        `about yet`,
      state: ticket.state,
    };
  }
  const s = severity as ComplaintSeverity;
  const engineerId = ticket.completedAt ? engineerAt(ticket, ticket.completedAt) : currentEngineer(ticket);
  const complaint: ComplaintSnapshot = {
    id: input.id,
    ticketId: ticket.id,
    centreId: ticket.centreId,
    engineerId,
    severity: s,
    state: 'OPEN',
    openedAt: at,
    responseBy: complaintResponseBy(at, s, policy),
    respondedAt: null,
    responseMet: null,
    responseNote: null,
    responsibleParty: null,
    rootCause: null,
    resolution: null,
    resolvedAt: null,
    closedAt: null,
  };
  const opened: ComplaintOpenedEvent = {
    type: 'COMPLAINT_OPENED',
    at,
    data: { complaintId: input.id, ticketId: ticket.id, centreId: ticket.centreId, severity: s },
  };
  return { ok: true, complaint, opened };
}

export type ComplaintCommand =
  | { type: 'RESPOND'; note?: string | null }
  | { type: 'RESOLVE'; responsible: ResponsibleKind; rootCause: unknown; resolution: unknown }
  | { type: 'CLOSE' };

/**
 * One step of a complaint. The state comes first (a step from the wrong state is INVALID_TRANSITION
 * whatever its input, naming the state), then the input (BAD_USER_INPUT naming the field).
 * - RESPOND: the first response; `responseMet` says whether it came by the severity's deadline.
 * - RESOLVE: the responsible party (ENGINEER = the job's engineer, so a job without one can't blame
 *   an engineer; or CENTRE), root cause and resolution, all required.
 * - CLOSE: the improvement is done (改进); final.
 */
export function decideComplaint(c: ComplaintSnapshot, command: ComplaintCommand, at: Date): ComplaintDecision {
  const from = COMPLAINT_STEP_FROM[command.type];
  if (c.state !== from) {
    return {
      ok: false,
      code: 'INVALID_TRANSITION',
      message: `complaint ${c.id} is ${c.state}: ${command.type} is allowed only from ${from}`,
      state: c.state,
    };
  }
  const state = STEP_TO[command.type];
  switch (command.type) {
    case 'RESPOND': {
      const v = checkText('note', command.note, COMPLAINT_TEXT_MAX.note, true);
      if (v) return invalid([v], c.state);
      return {
        ok: true,
        patch: {
          state,
          respondedAt: at,
          responseMet: at.getTime() <= c.responseBy.getTime(),
          responseNote: trimmed(command.note),
        },
      };
    }
    case 'RESOLVE': {
      const violations: Violation[] = [];
      if (command.responsible !== 'ENGINEER' && command.responsible !== 'CENTRE')
        violations.push({ field: 'responsibleParty', message: 'must be ENGINEER or CENTRE' });
      else if (command.responsible === 'ENGINEER' && !c.engineerId)
        violations.push({ field: 'responsibleParty', message: 'the job has no engineer: the centre is responsible' });
      for (const [field, max] of [
        ['rootCause', COMPLAINT_TEXT_MAX.rootCause],
        ['resolution', COMPLAINT_TEXT_MAX.resolution],
      ] as const) {
        const v = checkText(field, command[field], max);
        if (v) violations.push(v);
      }
      if (violations.length) return invalid(violations, c.state);
      const responsibleParty: ResponsibleParty =
        command.responsible === 'ENGINEER' ? { kind: 'ENGINEER', engineerId: c.engineerId! } : { kind: 'CENTRE' };
      return {
        ok: true,
        patch: {
          state,
          responsibleParty,
          rootCause: trimmed(command.rootCause as string),
          resolution: trimmed(command.resolution as string),
          resolvedAt: at,
        },
      };
    }
    case 'CLOSE':
      return { ok: true, patch: { state, closedAt: at } };
  }
}
