import { describe, expect, it } from 'vitest';
import { DomainError } from '@starline/common';
import {
  CLOCK_SKEW_MS,
  allowedActions,
  canPerform,
  latestOnTimeline,
  nextEffectiveAfter,
  planPublication,
  transition,
  versionInForce,
  type TimelineEntry,
} from '../src/rules/lifecycle.ts';

const now = new Date('2026-03-10T08:00:00.000Z');
const plus = (ms: number) => new Date(now.getTime() + ms);
const HOUR = 3600_000;
const entry = (number: number, status: TimelineEntry['status'], effectiveFrom: Date | null): TimelineEntry => ({
  id: `v${number}`,
  number,
  status,
  effectiveFrom,
});

describe('status machine', () => {
  it('lets a draft be edited, discarded, published or scheduled', () => {
    expect(allowedActions('DRAFT')).toEqual(['EDIT', 'DISCARD', 'PUBLISH', 'SCHEDULE']);
    expect(transition('DRAFT', 'PUBLISH')).toBe('PUBLISHED');
    expect(transition('DRAFT', 'SCHEDULE')).toBe('SCHEDULED');
    expect(transition('DRAFT', 'EDIT')).toBe('DRAFT');
    expect(transition('DRAFT', 'DISCARD')).toBeNull();
  });

  it('lets a scheduled version be cancelled back to draft or put in force', () => {
    expect(allowedActions('SCHEDULED')).toEqual(['CANCEL_SCHEDULE', 'PUT_IN_FORCE']);
    expect(transition('SCHEDULED', 'CANCEL_SCHEDULE')).toBe('DRAFT');
    expect(transition('SCHEDULED', 'PUT_IN_FORCE')).toBe('PUBLISHED');
  });

  it('allows nothing on a published version', () => {
    expect(allowedActions('PUBLISHED')).toEqual([]);
    expect(canPerform('PUBLISHED', 'EDIT')).toBe(false);
  });

  it('refuses a forbidden action with INVALID_TRANSITION naming the current state', () => {
    for (const [status, action] of [
      ['PUBLISHED', 'EDIT'],
      ['SCHEDULED', 'EDIT'],
      ['PUBLISHED', 'PUBLISH'],
      ['SCHEDULED', 'DISCARD'],
      ['DRAFT', 'CANCEL_SCHEDULE'],
      ['PUBLISHED', 'CANCEL_SCHEDULE'],
    ] as const) {
      let error: unknown;
      try {
        transition(status, action);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: status });
    }
  });
});

describe('planPublication', () => {
  const history = [entry(1, 'PUBLISHED', new Date('2000-01-01T00:00:00Z'))];

  it('publishes now when no date is given', () => {
    expect(planPublication(null, now, history)).toEqual({ ok: true, action: 'PUBLISH', effectiveFrom: now });
  });

  it('schedules a future date', () => {
    expect(planPublication(plus(HOUR), now, history)).toEqual({
      ok: true,
      action: 'SCHEDULE',
      effectiveFrom: plus(HOUR),
    });
  });

  it('publishes at once a date within a few seconds of now', () => {
    expect(planPublication(plus(2000), now, history)).toMatchObject({
      ok: true,
      action: 'PUBLISH',
      effectiveFrom: plus(2000),
    });
  });

  it('refuses a date in the past beyond the clock skew', () => {
    const plan = planPublication(plus(-CLOCK_SKEW_MS - 1), now, history);
    expect(plan).toMatchObject({ ok: false, violations: [{ field: 'effectiveFrom' }] });
  });

  it('treats a date within the clock skew as now', () => {
    expect(planPublication(plus(-CLOCK_SKEW_MS + 1000), now, history)).toEqual({
      ok: true,
      action: 'PUBLISH',
      effectiveFrom: now,
    });
  });

  it('refuses a date more than ten years ahead', () => {
    expect(planPublication(plus(11 * 366 * 24 * HOUR), now, history)).toMatchObject({ ok: false });
  });

  it('must come after every scheduled or published version', () => {
    const withScheduled = [...history, entry(2, 'SCHEDULED', plus(2 * HOUR))];
    expect(planPublication(null, now, withScheduled)).toMatchObject({
      ok: false,
      violations: [{ field: 'effectiveFrom' }],
    });
    expect(planPublication(plus(HOUR), now, withScheduled)).toMatchObject({ ok: false });
    expect(planPublication(plus(2 * HOUR), now, withScheduled)).toMatchObject({ ok: false });
    expect(planPublication(plus(2 * HOUR + 1), now, withScheduled)).toMatchObject({ ok: true, action: 'SCHEDULE' });
    const withPublished = [...history, entry(2, 'PUBLISHED', plus(3000))];
    expect(planPublication(null, now, withPublished)).toMatchObject({ ok: false });
  });

  it('puts a second publication "now" in the same millisecond 1 ms after the first', () => {
    const same = [...history, entry(2, 'PUBLISHED', now)];
    expect(planPublication(null, now, same)).toEqual({ ok: true, action: 'PUBLISH', effectiveFrom: plus(1) });
  });

  it('names the version it collides with', () => {
    const plan = planPublication(null, now, [...history, entry(7, 'SCHEDULED', plus(HOUR))]);
    expect(plan.ok ? '' : plan.violations[0]!.message).toMatch(/version 7 \(SCHEDULED\)/);
  });

  it('ignores drafts', () => {
    expect(planPublication(null, now, [...history, entry(3, 'DRAFT', null)])).toMatchObject({ ok: true });
  });
});

describe('versionInForce', () => {
  const v1 = entry(1, 'PUBLISHED', new Date('2000-01-01T00:00:00Z'));
  const v2 = entry(2, 'PUBLISHED', new Date('2026-01-01T00:00:00Z'));
  const v3 = entry(3, 'SCHEDULED', new Date('2026-06-01T00:00:00Z'));
  const v4 = entry(4, 'DRAFT', null);
  const all = [v3, v1, v4, v2];

  it('is the published version with the latest effectiveFrom at or before the instant', () => {
    expect(versionInForce(all, new Date('2025-12-31T23:59:59.999Z'))).toBe(v1);
    expect(versionInForce(all, new Date('2026-01-01T00:00:00Z'))).toBe(v2);
    expect(versionInForce(all, new Date('2030-01-01T00:00:00Z'))).toBe(v2);
  });

  it('is nothing before the first version', () => {
    expect(versionInForce(all, new Date('1999-12-31T23:59:59Z'))).toBeUndefined();
  });

  it('counts a scheduled version only once it is published', () => {
    const published = { ...v3, status: 'PUBLISHED' as const };
    expect(versionInForce([v1, v2, published], new Date('2026-06-01T00:00:00Z'))).toBe(published);
  });

  it('breaks a tie by the later number', () => {
    const twin = entry(5, 'PUBLISHED', v2.effectiveFrom);
    expect(versionInForce([twin, v2], new Date('2026-02-01T00:00:00Z'))).toBe(twin);
  });

  it('nextEffectiveAfter is the next scheduled or published effective instant, strictly after', () => {
    expect(nextEffectiveAfter(all, new Date('2025-12-31T23:59:59.999Z'))).toEqual(v2.effectiveFrom);
    expect(nextEffectiveAfter(all, new Date('2026-01-01T00:00:00Z'))).toEqual(v3.effectiveFrom);
    expect(nextEffectiveAfter(all, new Date('2026-06-01T00:00:00Z'))).toBeUndefined();
    expect(nextEffectiveAfter([v4], new Date('2000-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('latestOnTimeline includes scheduled versions', () => {
    expect(latestOnTimeline(all)).toBe(v3);
    expect(latestOnTimeline([v4])).toBeUndefined();
  });
});
