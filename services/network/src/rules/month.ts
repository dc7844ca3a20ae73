import { shanghaiMonthRange } from '@starline/common';
import { MONTH_PATTERN } from './validate.ts';

/**
 * Evaluation months are "YYYY-MM" in Asia/Shanghai (docs/domain.md §6); boundaries come from common's
 * shanghaiMonthRange.
 */

export function parseMonth(month: string): { year: number; month: number } {
  if (typeof month !== 'string' || !MONTH_PATTERN.test(month))
    throw new RangeError(`month must be YYYY-MM, got "${String(month)}"`);
  return { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) };
}

const format = (year: number, month: number) => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;

/** The month `n` months before `month` (n ≥ 0). */
export function monthsBefore(month: string, n: number): string {
  const { year, month: m } = parseMonth(month);
  const index = year * 12 + (m - 1) - n;
  return format(Math.floor(index / 12), (index % 12) + 1);
}

export const previousMonth = (month: string): string => monthsBefore(month, 1);

/** The `count` months ending with `month`, oldest first. */
export function monthsEndingAt(month: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => monthsBefore(month, count - 1 - i));
}

/** The month's last instant (the one before the next month starts): what the evaluation is judged as of. */
export function monthLastInstant(month: string): Date {
  parseMonth(month);
  return new Date(shanghaiMonthRange(month).end.getTime() - 1);
}

/** A month can be evaluated only once it is over: from the next month's first instant, Shanghai time. */
export function isMonthOver(month: string, now: Date): boolean {
  parseMonth(month);
  return now.getTime() >= shanghaiMonthRange(month).end.getTime();
}
