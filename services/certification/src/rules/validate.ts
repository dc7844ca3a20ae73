import type { Violation } from '@starline/common';
import { CAREER_LEVELS, EXAM_KINDS } from './career.ts';

/** Engineer number: 2–4 upper-case letters, a hyphen optional, then 4–10 digits (e.g. E-000123, SH0001). */
export const ENGINEER_NUMBER_PATTERN = /^[A-Z]{1,4}-?[0-9]{4,10}$/;
/** Ids issued by the services (UUIDs) or by fixtures: letters, digits, - _ : (1–64). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/;
export const PRODUCT_LINE_PATTERN = /^[A-Z][A-Z0-9_]{1,39}$/;
/** Evidence names what caused an entry: ticket:T-1, complaint:C-9, audit:2026-10:x … */
export const EVIDENCE_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:/#-]{2,127}$/;
export const CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,39}$/;
export const LIMITS = { nameMax: 80, noteMax: 500, certificationsMax: 50 } as const;

export interface CertificationInput {
  productLine: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface RegisterEngineerInput {
  number: string;
  name: string;
  centreId: string;
  level?: string | null;
  certifications?: CertificationInput[] | null;
}

export function validateCertification(c: CertificationInput, field: string): Violation[] {
  const out: Violation[] = [];
  if (!PRODUCT_LINE_PATTERN.test(c.productLine))
    out.push({ field: `${field}.productLine`, message: 'must be an UPPER_SNAKE product line code' });
  if (!(c.expiresAt > c.issuedAt)) out.push({ field: `${field}.expiresAt`, message: 'must be after issuedAt' });
  return out;
}

export function validateRegister(input: RegisterEngineerInput): Violation[] {
  const out: Violation[] = [];
  if (!ENGINEER_NUMBER_PATTERN.test(input.number))
    out.push({
      field: 'number',
      message: 'must be 1–4 upper-case letters, an optional hyphen and 4–10 digits (e.g. E-000123)',
    });
  const name = input.name.trim();
  if (name.length === 0 || name.length > LIMITS.nameMax)
    out.push({ field: 'name', message: `must be 1–${LIMITS.nameMax} characters` });
  if (!ID_PATTERN.test(input.centreId)) out.push({ field: 'centreId', message: 'must be a service centre id' });
  if (input.level != null && !(CAREER_LEVELS as readonly string[]).includes(input.level))
    out.push({ field: 'level', message: 'is not a career level' });
  const certs = input.certifications ?? [];
  if (certs.length > LIMITS.certificationsMax)
    out.push({ field: 'certifications', message: `at most ${LIMITS.certificationsMax}` });
  certs.forEach((c, i) => out.push(...validateCertification(c, `certifications[${i}]`)));
  const lines = certs.map((c) => c.productLine);
  lines.forEach((l, i) => {
    if (lines.indexOf(l) !== i)
      out.push({ field: `certifications[${i}].productLine`, message: `${l} is listed twice` });
  });
  return out;
}

export function validateEvent(input: { code: string; evidenceKey: string; note?: string | null }): Violation[] {
  const out: Violation[] = [];
  if (!CODE_PATTERN.test(input.code)) out.push({ field: 'code', message: 'must be an UPPER_SNAKE catalogue code' });
  if (!EVIDENCE_KEY_PATTERN.test(input.evidenceKey))
    out.push({ field: 'evidenceKey', message: 'must be 3–128 characters naming the evidence, e.g. ticket:T-1001' });
  if (input.note != null && input.note.length > LIMITS.noteMax)
    out.push({ field: 'note', message: `at most ${LIMITS.noteMax} characters` });
  return out;
}

export function validateExam(input: { kind: string; score: number; takenAt: Date }, now: Date): Violation[] {
  const out: Violation[] = [];
  if (!(EXAM_KINDS as readonly string[]).includes(input.kind))
    out.push({ field: 'kind', message: 'is not an exam kind' });
  if (!Number.isFinite(input.score) || input.score < 0 || input.score > 100)
    out.push({ field: 'score', message: 'must be from 0 to 100' });
  if (input.takenAt.getTime() > now.getTime() + 5 * 60_000)
    out.push({ field: 'takenAt', message: 'cannot be in the future' });
  return out;
}
