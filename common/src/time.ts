/**
 * Time is stored as UTC; month boundaries are Asia/Shanghai. China has had no daylight saving
 * since 1991, so a fixed +08:00 offset is exact.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** "YYYY-MM" of the Shanghai month an instant falls in. */
export function shanghaiMonth(instant: Date): string {
  const local = new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** [start, end) of a Shanghai month as UTC instants. */
export function shanghaiMonthRange(month: string): { start: Date; end: Date } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError(`month must be YYYY-MM, got "${month}"`);
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return {
    start: new Date(Date.UTC(year, index, 1) - SHANGHAI_OFFSET_MS),
    end: new Date(Date.UTC(year, index + 1, 1) - SHANGHAI_OFFSET_MS),
  };
}
