export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string): RateDecision;
}

/**
 * A sliding-window counter per client: the count of the current minute plus the previous minute's
 * count weighted by how much of it still overlaps the last 60 s. That smooths the burst a plain
 * fixed window allows at its boundary, in O(1) per request, and memory holds only the clients
 * seen in the last two minutes (the old window is dropped whole when a new one starts).
 */
export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const windowMs = 60_000;
  let windowStart = Math.floor(now() / windowMs) * windowMs;
  let current = new Map<string, number>();
  let previous = new Map<string, number>();

  return {
    take(key) {
      if (perMinute <= 0) return { ok: true };
      const t = now();
      const start = Math.floor(t / windowMs) * windowMs;
      if (start !== windowStart) {
        previous = start - windowStart === windowMs ? current : new Map();
        current = new Map();
        windowStart = start;
      }
      const elapsed = (t - windowStart) / windowMs;
      const count = current.get(key) ?? 0;
      const estimate = (previous.get(key) ?? 0) * (1 - elapsed) + count;
      if (estimate >= perMinute) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000)) };
      }
      current.set(key, count + 1);
      return { ok: true };
    },
  };
}
