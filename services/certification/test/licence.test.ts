import { describe, expect, it } from 'vitest';
import { foldLedger, statusOf, type LedgerFact } from '../src/rules/licence.ts';
import { cycleEndFrom, pointRuleFor } from '../src/rules/policy.ts';
import { DEFAULT_LICENCE_POLICY as P } from './policy.ts';

let t = 0;
const at = () => new Date(Date.UTC(2026, 0, 1) + ++t * 1000);
const e = (code: string): LedgerFact => {
  const r = pointRuleFor(P, code)!;
  return { kind: r.kind, points: r.points, recordedAt: at(), id: `${code}-${t}` };
};

describe('the default catalogue', () => {
  it('has the default points of docs/domain.md §3', () => {
    expect(pointRuleFor(P, 'PROMISE_BROKEN')).toMatchObject({ kind: 'VIOLATION', points: -3 });
    expect(pointRuleFor(P, 'OVERCHARGE')).toMatchObject({ kind: 'VIOLATION', points: -6 });
    expect(pointRuleFor(P, 'CUSTOMER_DELIGHT')).toMatchObject({ kind: 'CREDIT', points: 1 });
    expect(pointRuleFor(P, 'NOPE')).toBeNull();
    expect([P.maxPoints, P.warningAtOrBelow, P.cycleMonths, P.warningDailyCapPercent, P.usualDailyJobs]).toEqual([
      12, 6, 12, 50, 8,
    ]);
  });
  it('a cycle ends cycleMonths later', () => {
    expect(cycleEndFrom(new Date('2026-01-31T00:00:00Z'), 12).toISOString()).toBe('2027-01-31T00:00:00.000Z');
  });
});

describe('foldLedger', () => {
  it('starts NORMAL at 12', () => {
    expect(foldLedger([], P)).toMatchObject({ pointsRemaining: 12, status: 'NORMAL', revokedAt: null });
  });
  it('PROMISE_BROKEN −3 → 9 NORMAL; OVERCHARGE −6 → 6 WARNING', () => {
    const a = e('PROMISE_BROKEN');
    expect(foldLedger([a], P)).toMatchObject({ pointsRemaining: 9, status: 'NORMAL' });
    expect(foldLedger([e('OVERCHARGE')], P)).toMatchObject({ pointsRemaining: 6, status: 'WARNING' });
  });
  it('WARNING at 6, not at 7', () => {
    expect(foldLedger([e('OVERCHARGE'), e('CUSTOMER_DELIGHT')], P)).toMatchObject({
      pointsRemaining: 7,
      status: 'NORMAL',
    });
  });
  it('credits are capped at 12 and a credit-only cycle is EXEMPLARY', () => {
    const s = foldLedger([e('CUSTOMER_DELIGHT'), e('SMALL_IMPROVEMENT')], P);
    expect(s).toMatchObject({ pointsRemaining: 12, status: 'EXEMPLARY', credits: 2, deductions: 0 });
  });
  it('a credit after a deduction lifts points back, but never above 12, and it is not EXEMPLARY', () => {
    expect(foldLedger([e('LATE_ARRIVAL'), e('SMALL_IMPROVEMENT')], P)).toMatchObject({
      pointsRemaining: 12,
      status: 'NORMAL',
    });
  });
  it('order matters for the cap: +1 at 12 is lost, −3 then +1 gives 10', () => {
    expect(foldLedger([e('CUSTOMER_DELIGHT'), e('PROMISE_BROKEN')], P).pointsRemaining).toBe(9);
    expect(foldLedger([e('PROMISE_BROKEN'), e('CUSTOMER_DELIGHT')], P).pointsRemaining).toBe(10);
  });
  it('sorts by recordedAt whatever the input order', () => {
    const a = e('PROMISE_BROKEN');
    const b = e('CUSTOMER_DELIGHT');
    expect(foldLedger([b, a], P).pointsRemaining).toBe(10);
  });
  it('REVOKED at 0, never below, and stays revoked after credits', () => {
    const hit = e('OVERCHARGE');
    const last = e('MAJOR_COMPLAINT');
    const s = foldLedger([hit, last, e('PROMISE_BROKEN'), e('SMALL_IMPROVEMENT')], P);
    expect(s).toMatchObject({ pointsRemaining: 0, status: 'REVOKED' });
    expect(s.revokedAt).toEqual(last.recordedAt);
  });
  it('over-deduction clamps at 0 and revokes', () => {
    expect(foldLedger([e('OVERCHARGE'), e('PROMISE_BROKEN'), e('MAJOR_COMPLAINT')], P)).toMatchObject({
      pointsRemaining: 0,
      status: 'REVOKED',
    });
  });
  it('takes the numbers from the policy given', () => {
    expect(foldLedger([e('PROMISE_BROKEN')], { maxPoints: 20, warningAtOrBelow: 17 })).toMatchObject({
      pointsRemaining: 17,
      status: 'WARNING',
    });
  });
  it('statusOf precedence: REVOKED > WARNING > EXEMPLARY > NORMAL', () => {
    expect(statusOf(3, 0, 1, true, P)).toBe('REVOKED');
    expect(statusOf(5, 0, 1, false, P)).toBe('WARNING');
    expect(statusOf(12, 0, 1, false, P)).toBe('EXEMPLARY');
    expect(statusOf(12, 0, 0, false, P)).toBe('NORMAL');
    expect(statusOf(11, 1, 3, false, P)).toBe('NORMAL');
  });
});
