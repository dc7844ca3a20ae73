import { describe, expect, it } from 'vitest';
import {
  isMonthOver,
  monthLastInstant,
  monthsBefore,
  monthsEndingAt,
  parseMonth,
  previousMonth,
} from '../src/rules/month.ts';

describe('parseMonth', () => {
  it('reads YYYY-MM', () => {
    expect(parseMonth('2026-10')).toEqual({ year: 2026, month: 10 });
    expect(parseMonth('2027-01')).toEqual({ year: 2027, month: 1 });
  });
  it('refuses anything else', () => {
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-10', ' 2026-10', '2026-10-01', '2026/10', '']) {
      expect(() => parseMonth(bad), bad).toThrow(RangeError);
    }
  });
});

describe('previous months', () => {
  it('steps back across a year end', () => {
    expect(previousMonth('2026-10')).toBe('2026-09');
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(monthsBefore('2026-02', 14)).toBe('2024-12');
    expect(monthsBefore('2026-02', 0)).toBe('2026-02');
  });
  it('lists the N months ending with a month, oldest first', () => {
    expect(monthsEndingAt('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(monthsEndingAt('2026-02', 1)).toEqual(['2026-02']);
  });
});

describe('monthLastInstant', () => {
  it('is 23:59:59.999 on the month’s last day in Shanghai (UTC+8)', () => {
    expect(monthLastInstant('2026-10').toISOString()).toBe('2026-10-31T15:59:59.999Z');
    expect(monthLastInstant('2026-02').toISOString()).toBe('2026-02-28T15:59:59.999Z');
    expect(monthLastInstant('2028-02').toISOString()).toBe('2028-02-29T15:59:59.999Z');
    expect(monthLastInstant('2026-12').toISOString()).toBe('2026-12-31T15:59:59.999Z');
  });
});

describe('isMonthOver', () => {
  it('is over from the next month’s first instant in Shanghai', () => {
    expect(isMonthOver('2026-10', new Date('2026-10-31T15:59:59.999Z'))).toBe(false);
    expect(isMonthOver('2026-10', new Date('2026-10-31T16:00:00.000Z'))).toBe(true);
    expect(isMonthOver('2026-10', new Date('2026-10-15T00:00:00Z'))).toBe(false);
  });
  it('refuses a malformed month', () => {
    expect(() => isMonthOver('2026-13', new Date())).toThrow(RangeError);
  });
});
