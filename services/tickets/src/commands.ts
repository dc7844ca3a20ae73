import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { parseInstant, type TicketCommandInput } from '@starline/common';
import type { TicketCommand } from './rules/lifecycle.ts';
import { AREA_CLASSES, PRICE_KINDS, SERVICE_TYPES, policyViolations, type TicketPolicy } from './rules/policy.ts';
import type { CompletionInput } from './rules/validate.ts';

/**
 * Activity inputs as they cross Temporal (JSON, instants as ISO strings) turned into what the rules
 * take. A malformed activity call (no command, no actor) is a caller bug: 'BadActivityInput',
 * non-retryable. What a person typed (an instant, an id, a reason) is left for
 * the rules to judge, so the state check still comes first and the field is named.
 */
export const badActivityInput = (message: string): ApplicationFailure =>
  ApplicationFailure.nonRetryable(message, 'BadActivityInput');

/** parseInstant's strict reading, or an Invalid Date the rules report as a missing instant under its field name. */
function instant(value: unknown): Date {
  try {
    return parseInstant(value);
  } catch {
    return new Date(Number.NaN);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function completion(report: unknown): CompletionInput {
  const r = isObject(report) ? report : {};
  return {
    workFinishedAt: instant(r['workFinishedAt']),
    // Left as sent: validateCompletion names a missing or malformed list itself.
    checklist: r['checklist'] as string[],
    faultCode: orNull(r['faultCode'] as string | null | undefined),
    parts: orNull(r['parts'] as CompletionInput['parts']),
    charges: orNull(r['charges'] as CompletionInput['charges']),
    delightNote: orNull(r['delightNote'] as string | null | undefined),
    valueAddNote: orNull(r['valueAddNote'] as string | null | undefined),
    notes: orNull(r['notes'] as string | null | undefined),
  };
}

/** The rules' command for a contract command. Unknown types are refused as BAD_USER_INPUT. */
export function toTicketCommand(input: TicketCommandInput): TicketCommand {
  if (!isObject(input)) throw badActivityInput('command is required');
  const c = input as TicketCommandInput & Record<string, unknown>;
  if (typeof c.actor !== 'string' || c.actor.trim() === '') throw badActivityInput('command.actor must name who asks');
  const actor = c.actor;
  switch (c.type) {
    case 'DISPATCH':
      return { type: c.type, centreId: c.centreId, actor };
    case 'ACCEPT':
    case 'ACCEPT_TIMEOUT':
    case 'ESCALATE':
    case 'CONTACT':
    case 'CHECK_IN':
    case 'RETURN_OLD_PART':
    case 'QUALITY_CHECK':
      return { type: c.type, actor };
    case 'REFUSE':
    case 'RECALL':
    case 'CANCEL':
      return { type: c.type, reason: c.reason, actor };
    case 'BOOK': {
      const w: unknown = c.window;
      // null: validateAppointmentWindow reports "window: needs a from and a to instant".
      const window = isObject(w) ? { from: instant(w['from']), to: instant(w['to']) } : (null as never);
      return { type: c.type, window, actor };
    }
    case 'ASSIGN':
      return { type: c.type, engineerId: c.engineerId, actor };
    case 'COMPLETE':
      return { type: c.type, report: completion(c.report), actor };
    case 'CALLBACK_ATTEMPT':
      return { type: c.type, answer: c.answer, actor };
    case 'RECORD_AUTOPSY':
      return { type: c.type, consistent: c.consistent, note: c.note, actor };
    default:
      throw ApplicationFailure.nonRetryable(
        `command.type: unknown command ${String((c as { type?: unknown }).type)}`,
        'BAD_USER_INPUT',
      );
  }
}

/** JSON with sorted keys, so the same command hashes the same whoever serialised it. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const commandHash = (command: TicketCommandInput): string =>
  createHash('sha256').update(canonical(command)).digest('hex');

const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
const listOf = (v: unknown, ok: (item: Record<string, unknown>) => boolean) =>
  Array.isArray(v) && v.every((x) => isObject(x) && ok(x));
const oneOf = (list: readonly string[], v: unknown) => typeof v === 'string' && list.includes(v);

/**
 * The policy the standards service gives for intake, checked before any rule reads it: first its shape (so the rules
 * never crash on it), then the rules' own policyViolations (a zero clock, a required step that is
 * no step). Malformed → 'BadActivityInput', non-retryable.
 */
export function checkedTicketPolicy(input: unknown): TicketPolicy {
  if (!isObject(input)) throw badActivityInput('policy is required');
  const problems: string[] = [];
  if (typeof input['standardVersionId'] !== 'string' || input['standardVersionId'] === '')
    problems.push('standardVersionId is required');
  const clocks = input['slaClocks'];
  if (!isObject(clocks) || !isObject(clocks['complaintResponseHours']))
    problems.push('slaClocks with complaintResponseHours is required');
  if (!strings(input['procedureSteps'])) problems.push('procedureSteps must be a list of step codes');
  if (!strings(input['requiredSteps'])) problems.push('requiredSteps must be a list of step codes');
  if (!listOf(input['productLines'], (p) => typeof p['code'] === 'string'))
    problems.push('productLines must be a list of { code, warrantyMonths }');
  if (
    !listOf(
      input['labourFees'],
      (f) =>
        typeof f['productLine'] === 'string' &&
        oneOf(SERVICE_TYPES, f['serviceType']) &&
        oneOf(AREA_CLASSES, f['areaClass']),
    )
  ) {
    problems.push('labourFees must be a list of { productLine, serviceType, areaClass, feeFen }');
  }
  if (
    !listOf(
      input['priceList'],
      (p) => typeof p['code'] === 'string' && typeof p['productLine'] === 'string' && oneOf(PRICE_KINDS, p['kind']),
    )
  ) {
    problems.push('priceList must be a list of { code, productLine, kind, description, priceFen }');
  }
  if (problems.length === 0) {
    for (const v of policyViolations(input as unknown as TicketPolicy)) problems.push(`${v.field}: ${v.message}`);
  }
  if (problems.length) throw badActivityInput(`policy: ${problems.join('; ')}`);
  return input as unknown as TicketPolicy;
}
