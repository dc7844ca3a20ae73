import { describe, expect, it } from 'vitest';
import { canPromote, canReinstate, nextLevel, reviewFailure, type ExamFact } from '../src/rules/career.ts';

const d = (s: string) => new Date(s);
const passed = (kind: ExamFact['kind'], when = '2026-03-01T00:00:00Z'): ExamFact => ({
  kind,
  passed: true,
  takenAt: d(when),
});
const failed = (kind: ExamFact['kind'], when = '2026-03-01T00:00:00Z'): ExamFact => ({
  kind,
  passed: false,
  takenAt: d(when),
});

describe('promotion', () => {
  it('climbs one step with the passed exam and an EXEMPLARY licence', () => {
    expect(canPromote('SERVICE_TECHNICIAN', 'SERVICE_ENGINEER', 'EXEMPLARY', [passed('JUNIOR')])).toEqual({ ok: true });
    expect(canPromote('SERVICE_ENGINEER', 'SENIOR_ENGINEER', 'EXEMPLARY', [passed('INTERMEDIATE')])).toEqual({
      ok: true,
    });
    expect(canPromote('SENIOR_ENGINEER', 'GOLD_ENGINEER', 'EXEMPLARY', [passed('SENIOR')])).toEqual({ ok: true });
    expect(nextLevel('GOLD_ENGINEER')).toBeNull();
  });
  it('needs the exam for the target level, passed', () => {
    expect(
      canPromote('SERVICE_TECHNICIAN', 'SERVICE_ENGINEER', 'EXEMPLARY', [failed('JUNIOR'), passed('SENIOR')]),
    ).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      reason: expect.stringContaining('JUNIOR'),
    });
  });
  it.each(['NORMAL', 'WARNING', 'REVOKED', null] as const)('refuses a %s licence', (status) => {
    expect(canPromote('SERVICE_TECHNICIAN', 'SERVICE_ENGINEER', status, [passed('JUNIOR')])).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
  });
  it('refuses skipping or going down as bad input, and the top as a transition', () => {
    expect(canPromote('SERVICE_TECHNICIAN', 'SENIOR_ENGINEER', 'EXEMPLARY', [passed('INTERMEDIATE')])).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
    });
    expect(canPromote('SENIOR_ENGINEER', 'SERVICE_ENGINEER', 'EXEMPLARY', [passed('JUNIOR')])).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
    });
    expect(canPromote('GOLD_ENGINEER', 'GOLD_ENGINEER', 'EXEMPLARY', [])).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
  });
});

describe('reinstatement', () => {
  const revokedAt = d('2026-05-01T00:00:00Z');
  it('needs REVOKED and a passed RETRAINING exam after the revocation', () => {
    expect(canReinstate('REVOKED', revokedAt, [passed('RETRAINING', '2026-05-02T00:00:00Z')])).toEqual({ ok: true });
    expect(canReinstate('REVOKED', revokedAt, [passed('RETRAINING', '2026-04-30T00:00:00Z')])).toMatchObject({
      ok: false,
    });
    expect(canReinstate('REVOKED', revokedAt, [failed('RETRAINING', '2026-05-02T00:00:00Z')])).toMatchObject({
      ok: false,
    });
    expect(canReinstate('WARNING', null, [passed('RETRAINING')])).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
  });
});

describe('annual review failure', () => {
  const cycle = { start: d('2026-01-01T00:00:00Z'), end: d('2027-01-01T00:00:00Z') };
  it('is a REVOKED licence or a failed ANNUAL_REVIEW exam in the cycle', () => {
    expect(reviewFailure('REVOKED', [], cycle)).toBe('REVOKED');
    expect(reviewFailure('NORMAL', [failed('ANNUAL_REVIEW', '2026-12-01T00:00:00Z')], cycle)).toBe(
      'FAILED_REVIEW_EXAM',
    );
    expect(reviewFailure('NORMAL', [failed('ANNUAL_REVIEW', '2025-12-01T00:00:00Z')], cycle)).toBeNull();
    expect(reviewFailure('WARNING', [passed('ANNUAL_REVIEW')], cycle)).toBeNull();
  });
});
