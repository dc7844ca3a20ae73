import { PHONE_PATTERN, REGION_PATTERN, type Violation } from '@starline/common';
import {
  AREA_CLASSES,
  HOUR_MS,
  MINUTE_MS,
  DAY_MS,
  SERVICE_TYPES,
  priceItemOf,
  productLineOf,
  type ServiceType,
  type TicketPolicy,
} from './policy.ts';
import type { AppointmentWindow, ChargeLine, CompletionReport, PartLine } from './ticket.ts';
import { utcDay } from './warranty.ts';

/**
 * Input rules for intake, appointments and completion reports. Pure: each returns every violation
 * it finds, naming the field (`parts[2].quantity`); the resolver turns them into BAD_USER_INPUT
 * with throwIfInvalid. Everything a client sends is bounded.
 */
export const LIMITS = {
  customerNameMax: 100,
  addressMax: 300,
  modelMax: 64,
  textMax: 2000,
  reasonMax: 500,
  checklistMax: 100,
  partsMax: 20,
  chargesMax: 20,
  quantityMax: 10,
  chargeMaxFen: 10_000_000,
  appointmentMaxHours: 8,
  appointmentMaxDaysAhead: 30,
  clockSkewMinutes: 5,
} as const;

/** Product serial numbers, checked after normalizeSerial (trimmed, upper-case). */
export const SERIAL_PATTERN = /^[A-Z0-9][A-Z0-9-]{5,39}$/;
/** Serial of a replaced (old) part, also upper-cased: part barcodes are shorter than product serials. */
export const PART_SERIAL_PATTERN = /^[A-Z0-9][A-Z0-9-]{3,39}$/;
export const PART_NUMBER_PATTERN = /^[A-Z0-9][A-Z0-9-]{2,39}$/;
/** The product's fault code table entry, e.g. E1, F-03, AC_E4 (upper-cased). */
export const FAULT_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,15}$/;
/** Ids issued by the services (UUIDs) or by fixtures — the same shape the certification service accepts. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/;
export const EARLIEST_PURCHASE = new Date(Date.UTC(1990, 0, 1));
/** China has had no daylight saving since 1991: the customer's "today" is UTC+8. */
const CHINA_OFFSET_MS = 8 * HOUR_MS;

export interface IntakeInput {
  customer: { name: string; phone: string; address: string; regionCode: string };
  productLine: string;
  model: string;
  serialNumber: string;
  purchaseDate: Date;
  serviceType: ServiceType;
  areaClass: 'URBAN' | 'RURAL';
  faultDescription?: string | null;
}

export interface CompletionInput {
  workFinishedAt: Date;
  checklist: string[];
  faultCode?: string | null;
  parts?: PartLine[] | null;
  charges?: ChargeLine[] | null;
  delightNote?: string | null;
  valueAddNote?: string | null;
  notes?: string | null;
}

/** Codes and serials are compared upper-case: systems and people type them either way. */
const upper = (s: string): string => s.trim().toUpperCase();
const isDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const wholeIn = (n: unknown, min: number, max: number) =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

function text(out: Violation[], field: string, value: unknown, max: number, required: boolean): void {
  if (blank(value)) {
    if (required) out.push({ field, message: 'is required' });
  } else if (typeof value !== 'string') out.push({ field, message: 'must be text' });
  else if (value.length > max) out.push({ field, message: `must be at most ${max} characters` });
}

function pattern(
  out: Violation[],
  field: string,
  value: unknown,
  re: RegExp,
  message: string,
  normalize = false,
): void {
  const v = typeof value === 'string' && normalize ? upper(value) : value;
  if (typeof v !== 'string' || !re.test(v)) out.push({ field, message });
}

export function validateId(field: string, value: unknown): Violation[] {
  return typeof value === 'string' && ID_PATTERN.test(value)
    ? []
    : [{ field, message: 'must be an id (1–64 letters, digits, _ : -)' }];
}

export function validateReason(field: string, value: unknown, max: number = LIMITS.reasonMax): Violation[] {
  const out: Violation[] = [];
  text(out, field, value, max, true);
  return out;
}

export function validateIntake(input: IntakeInput, now: Date, policy: TicketPolicy): Violation[] {
  const out: Violation[] = [];
  const c = input.customer as Partial<IntakeInput['customer']> | null | undefined;
  if (!c || typeof c !== 'object') out.push({ field: 'customer', message: 'is required' });
  else {
    text(out, 'customer.name', c.name, LIMITS.customerNameMax, true);
    if (typeof c.phone !== 'string' || !PHONE_PATTERN.test(c.phone)) {
      out.push({
        field: 'customer.phone',
        message: 'must be a mainland mobile (e.g. 13800138000) or a landline with area code (e.g. 021-12345678)',
      });
    }
    text(out, 'customer.address', c.address, LIMITS.addressMax, true);
    if (typeof c.regionCode !== 'string' || !REGION_PATTERN.test(c.regionCode)) {
      out.push({ field: 'customer.regionCode', message: 'must be a 6-digit administrative region code, e.g. 310115' });
    }
  }
  if (typeof input.productLine !== 'string' || !productLineOf(policy, input.productLine)) {
    out.push({ field: 'productLine', message: `must be one of ${policy.productLines.map((p) => p.code).join(', ')}` });
  }
  text(out, 'model', input.model, LIMITS.modelMax, true);
  pattern(
    out,
    'serialNumber',
    input.serialNumber,
    SERIAL_PATTERN,
    'must be 6–40 letters, digits or hyphens, starting with a letter or digit',
    true,
  );
  if (!isDate(input.purchaseDate)) out.push({ field: 'purchaseDate', message: 'is required' });
  else if (input.purchaseDate.getTime() < EARLIEST_PURCHASE.getTime())
    out.push({ field: 'purchaseDate', message: 'cannot be before 1990-01-01' });
  else if (utcDay(input.purchaseDate).getTime() > utcDay(new Date(now.getTime() + CHINA_OFFSET_MS)).getTime()) {
    out.push({ field: 'purchaseDate', message: 'cannot be in the future' });
  }
  if (!(SERVICE_TYPES as readonly unknown[]).includes(input.serviceType))
    out.push({ field: 'serviceType', message: `must be one of ${SERVICE_TYPES.join(', ')}` });
  if (!(AREA_CLASSES as readonly unknown[]).includes(input.areaClass))
    out.push({ field: 'areaClass', message: `must be one of ${AREA_CLASSES.join(', ')}` });
  // A repair can't be dispatched without knowing what is wrong; other visits may say nothing.
  text(out, 'faultDescription', input.faultDescription, LIMITS.textMax, input.serviceType === 'REPAIR');
  return out;
}

export function validateAppointmentWindow(
  window: AppointmentWindow | null | undefined,
  now: Date,
  field = 'window',
): Violation[] {
  if (!window || !isDate(window.from) || !isDate(window.to))
    return [{ field, message: 'needs a from and a to instant' }];
  const out: Violation[] = [];
  const from = window.from.getTime();
  const length = window.to.getTime() - from;
  if (length <= 0) out.push({ field: `${field}.to`, message: 'must be after from' });
  else if (length > LIMITS.appointmentMaxHours * HOUR_MS)
    out.push({ field: `${field}.to`, message: `the window may last at most ${LIMITS.appointmentMaxHours} hours` });
  if (from < now.getTime() - LIMITS.clockSkewMinutes * MINUTE_MS)
    out.push({ field: `${field}.from`, message: 'cannot be in the past' });
  else if (from > now.getTime() + LIMITS.appointmentMaxDaysAhead * DAY_MS) {
    out.push({ field: `${field}.from`, message: `may be at most ${LIMITS.appointmentMaxDaysAhead} days ahead` });
  }
  return out;
}

export interface CompletionContext {
  policy: TicketPolicy;
  productLine: string;
  serviceType: ServiceType;
  checkedInAt: Date | null;
  now: Date;
}

/**
 * A completion report's input. A checklist MISSING a required step is not an input error: the
 * report is accepted and the gap becomes NON_STANDARD_SERVICE evidence (evidence.ts). Charges
 * above the price list are likewise accepted and become OVERCHARGE; only a charge that names no
 * price-list item of the product line is refused, since it can't be checked at all.
 */
export function validateCompletion(input: CompletionInput, ctx: CompletionContext): Violation[] {
  const out: Violation[] = [];
  const { policy } = ctx;
  if (!isDate(input.workFinishedAt)) out.push({ field: 'workFinishedAt', message: 'is required' });
  else if (ctx.checkedInAt && input.workFinishedAt.getTime() < ctx.checkedInAt.getTime())
    out.push({ field: 'workFinishedAt', message: 'cannot be before the check-in' });
  else if (input.workFinishedAt.getTime() > ctx.now.getTime() + LIMITS.clockSkewMinutes * MINUTE_MS)
    out.push({ field: 'workFinishedAt', message: 'cannot be in the future' });

  if (!Array.isArray(input.checklist)) out.push({ field: 'checklist', message: 'is required' });
  else if (input.checklist.length > LIMITS.checklistMax)
    out.push({ field: 'checklist', message: `may have at most ${LIMITS.checklistMax} entries` });
  else {
    const seen = new Set<string>();
    input.checklist.forEach((step, i) => {
      if (typeof step !== 'string' || !policy.procedureSteps.includes(step))
        out.push({ field: `checklist[${i}]`, message: `"${String(step).slice(0, 40)}" is not a procedure step` });
      else if (seen.has(step)) out.push({ field: `checklist[${i}]`, message: `${step} is listed twice` });
      else seen.add(step);
    });
  }

  if (blank(input.faultCode)) {
    if (ctx.serviceType === 'REPAIR') out.push({ field: 'faultCode', message: 'is required for a repair' });
  } else
    pattern(
      out,
      'faultCode',
      input.faultCode,
      FAULT_CODE_PATTERN,
      'must be 1–16 letters, digits, _ or -, e.g. E1',
      true,
    );

  const parts = input.parts ?? [];
  if (!Array.isArray(parts)) out.push({ field: 'parts', message: 'must be a list' });
  else if (parts.length > LIMITS.partsMax)
    out.push({ field: 'parts', message: `may have at most ${LIMITS.partsMax} lines` });
  else {
    parts.forEach((p, i) => {
      pattern(
        out,
        `parts[${i}].partNumber`,
        p?.partNumber,
        PART_NUMBER_PATTERN,
        'must be 3–40 letters, digits or hyphens',
        true,
      );
      pattern(
        out,
        `parts[${i}].oldPartSerial`,
        p?.oldPartSerial,
        PART_SERIAL_PATTERN,
        'must be 4–40 letters, digits or hyphens',
        true,
      );
      if (!wholeIn(p?.quantity, 1, LIMITS.quantityMax))
        out.push({ field: `parts[${i}].quantity`, message: `must be a whole number from 1 to ${LIMITS.quantityMax}` });
    });
  }

  const charges = input.charges ?? [];
  if (!Array.isArray(charges)) out.push({ field: 'charges', message: 'must be a list' });
  else if (charges.length > LIMITS.chargesMax)
    out.push({ field: 'charges', message: `may have at most ${LIMITS.chargesMax} lines` });
  else {
    const seen = new Set<string>();
    charges.forEach((ch, i) => {
      if (typeof ch?.code !== 'string' || !priceItemOf(policy, ctx.productLine, ch.code)) {
        out.push({ field: `charges[${i}].code`, message: `must be a price-list code for ${ctx.productLine}` });
      } else if (seen.has(ch.code))
        out.push({ field: `charges[${i}].code`, message: `${ch.code} is charged twice: use one line with a quantity` });
      else seen.add(ch.code);
      if (!wholeIn(ch?.quantity, 1, LIMITS.quantityMax))
        out.push({
          field: `charges[${i}].quantity`,
          message: `must be a whole number from 1 to ${LIMITS.quantityMax}`,
        });
      if (!wholeIn(ch?.amountFen, 0, LIMITS.chargeMaxFen))
        out.push({ field: `charges[${i}].amountFen`, message: `must be whole fen from 0 to ${LIMITS.chargeMaxFen}` });
    });
  }

  text(out, 'delightNote', input.delightNote, LIMITS.textMax, false);
  text(out, 'valueAddNote', input.valueAddNote, LIMITS.textMax, false);
  text(out, 'notes', input.notes, LIMITS.textMax, false);
  return out;
}

const optionalText = (v: string | null | undefined): string | null => (blank(v) ? null : (v as string).trim());

/** The report as stored: codes and serials upper-cased, blank notes as null. Call after validateCompletion. */
export function normalizeCompletion(input: CompletionInput): CompletionReport {
  return {
    workFinishedAt: input.workFinishedAt,
    checklist: [...input.checklist],
    faultCode: blank(input.faultCode) ? null : upper(input.faultCode as string),
    parts: (input.parts ?? []).map((p) => ({
      partNumber: upper(p.partNumber),
      oldPartSerial: upper(p.oldPartSerial),
      quantity: p.quantity,
    })),
    charges: (input.charges ?? []).map((c) => ({ code: c.code, quantity: c.quantity, amountFen: c.amountFen })),
    delightNote: optionalText(input.delightNote),
    valueAddNote: optionalText(input.valueAddNote),
    notes: optionalText(input.notes),
  };
}
