import { PHONE_PATTERN, REGION_PATTERN, type Violation } from '@starline/common';

/** Input rules for service centres. Pure: each returns the violations it finds, naming the field. */
export const CENTRE_TIERS = ['FLAGSHIP', 'CORE', 'STANDARD', 'UMBRELLA'] as const;
export type CentreTier = (typeof CENTRE_TIERS)[number];

export const CODE_PATTERN = /^[A-Z0-9](?:[A-Z0-9-]{0,30}[A-Z0-9])?$/;
/** Shared with other services (common/src/formats.ts); re-exported so this module's API is unchanged. */
export { PHONE_PATTERN, REGION_PATTERN };
/** Product line codes as the standard's productLines list them, e.g. AIR_CONDITIONER. */
export const PRODUCT_LINE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
export const EVIDENCE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:/-]{2,199}$/;

export const LIMITS = {
  nameMax: 100,
  codeMax: 32,
  serviceAreasMax: 200,
  productLinesMax: 50,
  dailyCapacityMax: 10_000,
  contactNameMax: 50,
  emailMax: 200,
  reasonMax: 500,
} as const;

export interface ContactInput {
  name: string;
  phone: string;
  email?: string | null;
}

export interface CentreFields {
  name: string;
  tier: CentreTier;
  parentId: string | null;
  region: string;
  serviceAreas: string[];
  productLines: string[];
  dailyCapacity: number;
  starRating: number | null;
  contact: ContactInput;
}

export interface CreateCentreInput extends CentreFields {
  code: string;
}

const text = (field: string, value: unknown, max: number, out: Violation[]) => {
  if (typeof value !== 'string' || value.trim().length === 0) out.push({ field, message: 'is required' });
  else if (value.length > max) out.push({ field, message: `must be at most ${max} characters` });
};

function codeList(field: string, values: unknown, pattern: RegExp, what: string, max: number, out: Violation[]) {
  if (!Array.isArray(values) || values.length === 0) return out.push({ field, message: 'needs at least one entry' });
  if (values.length > max) return out.push({ field, message: `may have at most ${max} entries` });
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (typeof v !== 'string' || !pattern.test(v))
      out.push({ field: `${field}[${i}]`, message: `"${String(v)}" is not ${what}` });
    else if (seen.has(v)) out.push({ field: `${field}[${i}]`, message: `"${v}" is listed twice` });
    else seen.add(v);
  });
}

export function validateCode(code: unknown): Violation[] {
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
    return [
      {
        field: 'code',
        message: `must be 1–${LIMITS.codeMax} upper-case letters, digits or inner hyphens, e.g. SH-PD-001`,
      },
    ];
  }
  return [];
}

export function validateContact(contact: unknown, out: Violation[] = []): Violation[] {
  if (!contact || typeof contact !== 'object') {
    out.push({ field: 'contact', message: 'is required' });
    return out;
  }
  const c = contact as Partial<ContactInput>;
  text('contact.name', c.name, LIMITS.contactNameMax, out);
  if (typeof c.phone !== 'string' || !PHONE_PATTERN.test(c.phone)) {
    out.push({
      field: 'contact.phone',
      message: 'must be a mainland mobile (e.g. 13800138000) or a landline with area code (e.g. 021-12345678)',
    });
  }
  if (
    c.email !== undefined &&
    c.email !== null &&
    (typeof c.email !== 'string' || c.email.length > LIMITS.emailMax || !EMAIL_PATTERN.test(c.email))
  ) {
    out.push({ field: 'contact.email', message: 'is not an email address' });
  }
  return out;
}

/** Checks the fields present in `fields` (all of them on create, the changed ones on update). */
export function validateCentreFields(fields: Partial<Record<keyof CentreFields, unknown>>): Violation[] {
  const out: Violation[] = [];
  if ('name' in fields) text('name', fields.name, LIMITS.nameMax, out);
  if ('tier' in fields && !(CENTRE_TIERS as readonly unknown[]).includes(fields.tier)) {
    out.push({ field: 'tier', message: `must be one of ${CENTRE_TIERS.join(', ')}` });
  }
  if ('region' in fields && (typeof fields.region !== 'string' || !REGION_PATTERN.test(fields.region))) {
    out.push({ field: 'region', message: 'must be a 6-digit administrative region code, e.g. 310115' });
  }
  if ('serviceAreas' in fields) {
    codeList(
      'serviceAreas',
      fields.serviceAreas,
      REGION_PATTERN,
      'a 6-digit administrative region code',
      LIMITS.serviceAreasMax,
      out,
    );
  }
  if ('productLines' in fields) {
    codeList(
      'productLines',
      fields.productLines,
      PRODUCT_LINE_PATTERN,
      'an UPPER_SNAKE product line code',
      LIMITS.productLinesMax,
      out,
    );
  }
  if ('dailyCapacity' in fields) {
    const n = fields.dailyCapacity;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > LIMITS.dailyCapacityMax) {
      out.push({ field: 'dailyCapacity', message: `must be a whole number from 0 to ${LIMITS.dailyCapacityMax}` });
    }
  }
  if ('starRating' in fields && fields.starRating !== null && fields.starRating !== undefined) {
    const n = fields.starRating;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 5)
      out.push({ field: 'starRating', message: 'must be 1 to 5' });
  }
  if ('contact' in fields) validateContact(fields.contact, out);
  if (
    'parentId' in fields &&
    fields.parentId !== null &&
    (typeof fields.parentId !== 'string' || fields.parentId.length === 0 || fields.parentId.length > 64)
  ) {
    out.push({ field: 'parentId', message: 'is not a centre id' });
  }
  return out;
}

export function validateCreate(input: Partial<Record<keyof CreateCentreInput, unknown>>): Violation[] {
  return [...validateCode(input.code), ...validateCentreFields({ ...input, parentId: input.parentId ?? null })];
}

/** Reason and evidence for a status change, by what the action needs. */
export function validateStatusChange(
  needs: { reason: boolean; evidence: boolean },
  reason: string | null | undefined,
  evidence: string | null | undefined,
): Violation[] {
  const out: Violation[] = [];
  if (reason === null || reason === undefined || reason.trim() === '') {
    if (needs.reason) out.push({ field: 'reason', message: 'is required for this change' });
  } else if (reason.length > LIMITS.reasonMax)
    out.push({ field: 'reason', message: `must be at most ${LIMITS.reasonMax} characters` });
  if (evidence === null || evidence === undefined || evidence === '') {
    if (needs.evidence)
      out.push({ field: 'evidence', message: 'is required for this change, e.g. evaluation:2026-10:<centreId>' });
  } else if (!EVIDENCE_PATTERN.test(evidence)) {
    out.push({
      field: 'evidence',
      message: 'must be a reference like evaluation:2026-10:<centreId> (3–200 letters, digits or _ . : / -)',
    });
  }
  return out;
}

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const GRADES = ['A', 'B', 'C'] as const;
export type Grade = (typeof GRADES)[number];

// ---- payee details (docs/domain.md §7: the payment file's centre name, bank and account number) ----

export const PAYEE_LIMITS = {
  accountNameMax: 100,
  bankMax: 100,
  accountNumberMin: 8,
  accountNumberMax: 30,
  reasonMax: 500,
} as const;

/** What an operator enters. */
export interface CentrePayeeInput {
  accountName: string;
  bank: string;
  accountNumber: string;
}

/** The payee as stored: names trimmed, the account number digits only. */
export interface CentrePayeeValues {
  accountName: string;
  bank: string;
  accountNumber: string;
}

/**
 * Control characters (C0, DEL, C1), invisible format characters (zero-width, bidi overrides) and line
 * or paragraph separators: none belongs in a name printed on a payment file.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
/** Spaces people type or paste between groups of digits (ASCII, no-break, ideographic). */
const DIGIT_GROUP_SPACES = /[ \u00a0\u3000]/g;
const ACCOUNT_NUMBER = /^[0-9]+$/;

const chars = (s: string): number => [...s].length;

function payeeText(field: string, value: unknown, max: number, out: Violation[]): void {
  if (typeof value !== 'string' || value.trim().length === 0) out.push({ field, message: 'is required' });
  else if (UNPRINTABLE.test(value.trim()))
    out.push({ field, message: 'must not contain control or invisible characters' });
  else if (chars(value.trim()) > max) out.push({ field, message: `must be at most ${max} characters` });
}

/** The account number as stored: the spaces between digit groups removed. */
export const normaliseAccountNumber = (value: string): string => value.replace(DIGIT_GROUP_SPACES, '');

/**
 * Payee details and the reason for changing them. accountName and bank: 1–100 characters once
 * trimmed, nothing unprintable; accountNumber: 8–30 ASCII digits once spaces are removed (personal
 * bank cards are 16–19, corporate accounts vary); reason: 1–500 characters.
 */
export function validatePayee(input: unknown, reason: unknown): Violation[] {
  const out: Violation[] = [];
  const p = (input && typeof input === 'object' ? input : {}) as Partial<Record<keyof CentrePayeeInput, unknown>>;
  payeeText('accountName', p.accountName, PAYEE_LIMITS.accountNameMax, out);
  payeeText('bank', p.bank, PAYEE_LIMITS.bankMax, out);
  const n = p.accountNumber;
  if (typeof n !== 'string' || normaliseAccountNumber(n).length === 0)
    out.push({ field: 'accountNumber', message: 'is required' });
  else {
    const digits = normaliseAccountNumber(n);
    const { accountNumberMin: min, accountNumberMax: max } = PAYEE_LIMITS;
    if (!ACCOUNT_NUMBER.test(digits))
      out.push({ field: 'accountNumber', message: 'must be digits only (spaces between groups are allowed)' });
    else if (digits.length < min || digits.length > max)
      out.push({ field: 'accountNumber', message: `must be ${min}–${max} digits, got ${digits.length}` });
  }
  if (typeof reason !== 'string' || reason.trim().length === 0) out.push({ field: 'reason', message: 'is required' });
  else if (chars(reason.trim()) > PAYEE_LIMITS.reasonMax)
    out.push({ field: 'reason', message: `must be at most ${PAYEE_LIMITS.reasonMax} characters` });
  return out;
}

/** The values to store, once validatePayee found nothing. */
export function normalisePayee(input: CentrePayeeInput): CentrePayeeValues {
  return {
    accountName: input.accountName.trim(),
    bank: input.bank.trim(),
    accountNumber: normaliseAccountNumber(input.accountNumber),
  };
}

export const samePayee = (a: CentrePayeeValues | null, b: CentrePayeeValues | null): boolean =>
  a === b ||
  (!!a && !!b && a.accountName === b.accountName && a.bank === b.bank && a.accountNumber === b.accountNumber);

/** An account number as history shows it: every digit but the last 4 replaced by `*`. */
export function maskAccountNumber(accountNumber: string): string {
  const keep = Math.min(4, accountNumber.length);
  return '*'.repeat(accountNumber.length - keep) + accountNumber.slice(accountNumber.length - keep);
}
