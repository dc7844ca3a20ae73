import { describe, expect, it } from 'vitest';
import { isCertified, mayTakeJob, warningCap, type DispatchQuestion } from '../src/rules/dispatch.ts';
import { DEFAULT_LICENCE_POLICY as P } from './policy.ts';

const certs = [
  {
    productLine: 'AIR_CONDITIONER',
    issuedAt: new Date('2026-01-01T00:00:00Z'),
    expiresAt: new Date('2027-01-01T00:00:00Z'),
  },
];
const q = (over: Partial<DispatchQuestion> = {}): DispatchQuestion => ({
  licence: 'NORMAL',
  certifications: certs,
  productLine: 'AIR_CONDITIONER',
  at: new Date('2026-06-01T00:00:00Z'),
  jobsToday: 0,
  usualDailyCap: 8,
  ...over,
});

describe('mayTakeJob', () => {
  it('allows a NORMAL, certified engineer under the cap', () => {
    expect(mayTakeJob(q(), P).allowed).toBe(true);
    expect(mayTakeJob(q({ licence: 'EXEMPLARY', jobsToday: 7 }), P).allowed).toBe(true);
    expect(mayTakeJob(q({ jobsToday: 8 }), P).allowed).toBe(false);
  });
  it('refuses a REVOKED or missing licence', () => {
    expect(mayTakeJob(q({ licence: 'REVOKED' }), P)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('REVOKED'),
    });
    expect(mayTakeJob(q({ licence: null }), P).allowed).toBe(false);
  });
  it('refuses another product line, an expired or not-yet-valid certification', () => {
    expect(mayTakeJob(q({ productLine: 'WASHER' }), P).allowed).toBe(false);
    expect(mayTakeJob(q({ at: new Date('2027-01-01T00:00:00Z') }), P)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('expired'),
    });
    expect(mayTakeJob(q({ at: new Date('2025-12-31T23:59:59Z') }), P).allowed).toBe(false);
    expect(isCertified(certs, 'AIR_CONDITIONER', new Date('2026-12-31T23:59:59Z'))).toBe(true);
  });
  it('caps WARNING engineers at floor(usual × 50 %)', () => {
    expect(warningCap(8, P)).toBe(4);
    expect(warningCap(7, P)).toBe(3);
    expect(warningCap(1, P)).toBe(0);
    expect(mayTakeJob(q({ licence: 'WARNING', jobsToday: 3 }), P).allowed).toBe(true);
    expect(mayTakeJob(q({ licence: 'WARNING', jobsToday: 4 }), P)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('at most 4'),
    });
    expect(mayTakeJob(q({ licence: 'WARNING', jobsToday: 2, usualDailyCap: 5 }), P).allowed).toBe(false);
    expect(mayTakeJob(q({ licence: 'WARNING', jobsToday: 4 }), { warningDailyCapPercent: 75 }).allowed).toBe(true);
  });
});
