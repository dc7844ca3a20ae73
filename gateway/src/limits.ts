import { asInt } from '@starline/common';

/**
 * The gateway's request limits: oversized bodies, too-deep or too-wide queries, alias floods and
 * batched abuse are refused by default (gateway/README.md, "Limits"). Every limit is on unless
 * configured otherwise; each has an environment variable, validated at start-up.
 */
export interface GatewayLimits {
  /** Largest request body accepted, in bytes (HTTP 413 above it). */
  maxBodyBytes: number;
  /** Deepest selection accepted; `{ a { b } }` has depth 2. */
  maxDepth: number;
  /** Most aliases accepted in one operation. */
  maxAliases: number;
  /** Most lexical tokens accepted in one document (checked while parsing, before anything else). */
  maxTokens: number;
  /** Most operations in one batched request; 0 turns batching off. */
  maxBatch: number;
  /** Requests per client (JWT subject, else IP address) per minute; 0 turns the limiter off. */
  rateLimitPerMinute: number;
  /**
   * Abort a subgraph request that has not answered within this many milliseconds (UNAVAILABLE);
   * well under a client's patience, so a hung subgraph costs seconds, not half a minute.
   */
  upstreamTimeoutMs: number;
}

export const LIMIT_DEFAULTS: Readonly<GatewayLimits> = Object.freeze({
  maxBodyBytes: 100_000,
  maxDepth: 10,
  maxAliases: 30,
  maxTokens: 2_000,
  maxBatch: 0,
  rateLimitPerMinute: 600,
  upstreamTimeoutMs: 10_000,
});

/** Each limit's environment variable and accepted range. */
export const LIMIT_ENV: { readonly [K in keyof GatewayLimits]: { name: string; min: number; max: number } } = {
  maxBodyBytes: { name: 'GATEWAY_MAX_BODY_BYTES', min: 1_024, max: 50_000_000 },
  maxDepth: { name: 'GATEWAY_MAX_DEPTH', min: 1, max: 100 },
  maxAliases: { name: 'GATEWAY_MAX_ALIASES', min: 0, max: 10_000 },
  maxTokens: { name: 'GATEWAY_MAX_TOKENS', min: 10, max: 1_000_000 },
  maxBatch: { name: 'GATEWAY_MAX_BATCH', min: 0, max: 50 },
  rateLimitPerMinute: { name: 'GATEWAY_RATE_LIMIT_PER_MINUTE', min: 0, max: 10_000_000 },
  upstreamTimeoutMs: { name: 'GATEWAY_UPSTREAM_TIMEOUT_MS', min: 100, max: 600_000 },
};

/** Reads the limits from `env` (default: the process environment); a bad value throws ConfigError naming it. */
export function loadLimits(env: NodeJS.ProcessEnv = process.env): GatewayLimits {
  const limits = { ...LIMIT_DEFAULTS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof GatewayLimits)[]) {
    const { name, min, max } = LIMIT_ENV[key];
    const raw = env[name]?.trim();
    if (raw) limits[key] = asInt(min, max)(raw, name);
  }
  return limits;
}
