import type { Violation } from '@starline/common';

/**
 * The part of the standard in force that the ticket rules need (docs/domain.md §3).
 *
 * The standards subgraph owns these numbers and this service never reads its database, so every
 * rule takes a TicketPolicy as input and none holds a constant: the caller passes the version in
 * force at the instant the rule is about (dispatch, completion, callback …). The defaults live only
 * in the test fixture (test/fixtures/policy.ts).
 */
export const SERVICE_TYPES = ['INSTALL', 'REPAIR', 'MAINTENANCE', 'INSPECTION'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const AREA_CLASSES = ['URBAN', 'RURAL'] as const;
export type AreaClass = (typeof AREA_CLASSES)[number];

export const PRICE_KINDS = ['PART', 'LABOUR'] as const;
export type PriceKind = (typeof PRICE_KINDS)[number];

export interface PriceItem {
  code: string;
  productLine: string;
  kind: PriceKind;
  description: string;
  priceFen: number;
}

export interface TicketPolicy {
  standardVersionId: string;
  slaClocks: {
    acceptMinutes: number;
    maxDispatchAttempts: number;
    firstContactMinutes: number;
    missedAppointmentMinutes: number;
    completionReportMinutes: number;
    callbackHours: number;
    callbackMaxAttempts: number;
    repeatRepairDays: number;
    complaintResponseHours: { level1: number; level2: number; level3: number };
  };
  procedureSteps: string[];
  requiredSteps: string[];
  productLines: { code: string; warrantyMonths: number }[];
  labourFees: { productLine: string; serviceType: ServiceType; areaClass: AreaClass; feeFen: number }[];
  /** Out-of-warranty price list (超保收费): the most a centre may charge per unit of each item. */
  priceList: PriceItem[];
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const addMinutes = (at: Date, minutes: number): Date => new Date(at.getTime() + minutes * MINUTE_MS);

export function productLineOf(policy: TicketPolicy, code: string): TicketPolicy['productLines'][number] | null {
  return policy.productLines.find((p) => p.code === code) ?? null;
}

/** A price-list item, only if it belongs to the job's product line: an AC part can't justify a charge on a TV. */
export function priceItemOf(policy: TicketPolicy, productLine: string, code: string): PriceItem | null {
  return policy.priceList.find((p) => p.code === code && p.productLine === productLine) ?? null;
}

const positiveInt = (n: unknown, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= max;
const fen = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * Is a supplied policy usable? The standards service validates what it publishes, but these rules
 * are fed by a workflow or an activity argument; a malformed policy (a required step that is not a
 * step, a zero clock) would silently produce wrong evidence, so callers check it once on arrival.
 */
export function policyViolations(policy: TicketPolicy): Violation[] {
  const out: Violation[] = [];
  const c = policy.slaClocks;
  const clocks: [string, unknown, number][] = [
    ['acceptMinutes', c.acceptMinutes, 7 * 24 * 60],
    ['maxDispatchAttempts', c.maxDispatchAttempts, 100],
    ['firstContactMinutes', c.firstContactMinutes, 7 * 24 * 60],
    ['missedAppointmentMinutes', c.missedAppointmentMinutes, 7 * 24 * 60],
    ['completionReportMinutes', c.completionReportMinutes, 7 * 24 * 60],
    ['callbackHours', c.callbackHours, 30 * 24],
    ['callbackMaxAttempts', c.callbackMaxAttempts, 100],
    ['repeatRepairDays', c.repeatRepairDays, 3660],
    ['complaintResponseHours.level1', c.complaintResponseHours.level1, 30 * 24],
    ['complaintResponseHours.level2', c.complaintResponseHours.level2, 30 * 24],
    ['complaintResponseHours.level3', c.complaintResponseHours.level3, 30 * 24],
  ];
  for (const [name, value, max] of clocks) {
    if (!positiveInt(value, max))
      out.push({ field: `slaClocks.${name}`, message: `must be a whole number from 1 to ${max}` });
  }
  const steps = new Set<string>();
  policy.procedureSteps.forEach((s, i) => {
    if (steps.has(s)) out.push({ field: `procedureSteps[${i}]`, message: `${s} is listed twice` });
    steps.add(s);
  });
  policy.requiredSteps.forEach((s, i) => {
    if (!steps.has(s)) out.push({ field: `requiredSteps[${i}]`, message: `${s} is not a procedure step` });
  });
  const lines = new Set<string>();
  policy.productLines.forEach((p, i) => {
    if (lines.has(p.code)) out.push({ field: `productLines[${i}]`, message: `${p.code} is listed twice` });
    lines.add(p.code);
    if (!(Number.isInteger(p.warrantyMonths) && p.warrantyMonths >= 0 && p.warrantyMonths <= 120)) {
      out.push({ field: `productLines[${i}].warrantyMonths`, message: 'must be a whole number from 0 to 120' });
    }
  });
  const codes = new Set<string>();
  policy.priceList.forEach((p, i) => {
    if (codes.has(p.code)) out.push({ field: `priceList[${i}]`, message: `${p.code} is listed twice` });
    codes.add(p.code);
    if (!lines.has(p.productLine))
      out.push({ field: `priceList[${i}].productLine`, message: `${p.productLine} is not a product line` });
    if (!fen(p.priceFen)) out.push({ field: `priceList[${i}].priceFen`, message: 'must be whole fen, not negative' });
  });
  policy.labourFees.forEach((f, i) => {
    if (!fen(f.feeFen)) out.push({ field: `labourFees[${i}].feeFen`, message: 'must be whole fen, not negative' });
  });
  return out;
}
