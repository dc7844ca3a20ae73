import { describe, expect, it } from 'vitest';
import { addCalendarMonths, utcDay, warrantyEnds, warrantyStatus } from '../src/rules/warranty.ts';
import { DEFAULT_TICKET_POLICY as P, defaultTicketPolicy } from './fixtures/policy.ts';

const d = (iso: string) => new Date(iso);

describe('calendar months', () => {
  it.each([
    ['2025-03-15', 12, '2026-03-15'],
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2025-11-30', 3, '2026-02-28'],
    ['2025-12-31', 6, '2026-06-30'],
  ])('%s + %i months = %s (clamped, never rolled into the next month)', (from, months, expected) => {
    expect(addCalendarMonths(d(`${from}T00:00:00Z`), months)).toEqual(d(`${expected}T00:00:00Z`));
  });
  it('counts days in UTC, ignoring the time of day', () => {
    expect(utcDay(d('2025-03-15T23:59:59Z'))).toEqual(d('2025-03-15T00:00:00Z'));
    expect(warrantyEnds(d('2025-03-15T18:00:00Z'), 12)).toEqual(d('2026-03-15T00:00:00Z'));
  });
});

describe('warrantyStatus (12 months by default)', () => {
  const bought = d('2025-03-15T00:00:00Z');
  it('covers up to and including the day before the anniversary', () => {
    expect(warrantyStatus(bought, 'AIR_CONDITIONER', d('2026-03-14T23:59:59Z'), P)).toBe('IN_WARRANTY');
    expect(warrantyStatus(bought, 'AIR_CONDITIONER', d('2026-03-15T00:00:00Z'), P)).toBe('OUT_OF_WARRANTY');
  });
  it('uses the product line’s warrantyMonths from the standard', () => {
    const p = defaultTicketPolicy();
    p.productLines = p.productLines.map((l) => (l.code === 'REFRIGERATOR' ? { ...l, warrantyMonths: 36 } : l));
    expect(warrantyStatus(bought, 'REFRIGERATOR', d('2027-06-01T00:00:00Z'), p)).toBe('IN_WARRANTY');
    expect(warrantyStatus(bought, 'AIR_CONDITIONER', d('2027-06-01T00:00:00Z'), p)).toBe('OUT_OF_WARRANTY');
  });
  it('refuses a product line the standard does not have', () => {
    expect(() => warrantyStatus(bought, 'DRONE', bought, P)).toThrow(RangeError);
  });
});
