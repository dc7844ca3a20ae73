/** Settlement months are "YYYY-MM" (Asia/Shanghai), as the evaluation's; the format sorts as it reads. */
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export const isMonth = (value: unknown): value is string => typeof value === 'string' && MONTH_PATTERN.test(value);

/** The month `n` months after `month` (n may be negative). */
export function monthsAfter(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export const previousMonth = (month: string): string => monthsAfter(month, -1);

/** The first instant after `month`, China time (UTC+8): the month is over from then. */
export function monthEnd(month: string): Date {
  const [y, m] = monthsAfter(month, 1).split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1) - 8 * 3_600_000);
}

/** When approval of `month` is due: the end of day `dueDay` of the next month, China time (UTC+8). */
export function approvalDueAt(month: string, dueDay: number): Date {
  const [y, m] = monthsAfter(month, 1).split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, dueDay + 1) - 8 * 3_600_000);
}
