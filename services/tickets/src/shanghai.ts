/**
 * Asia/Shanghai calendar days. common/src/time.ts has the month helpers (shanghaiMonth,
 * shanghaiMonthRange) but no day ones; China has had no daylight saving since 1991, so the same
 * fixed +08:00 offset is exact here too.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** "YYYYMMDD" of the Shanghai day an instant falls in (for ticket numbers). */
export function shanghaiDate(instant: Date): string {
  const local = new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
  return (
    `${local.getUTCFullYear()}${String(local.getUTCMonth() + 1).padStart(2, '0')}` +
    `${String(local.getUTCDate()).padStart(2, '0')}`
  );
}
