import { asInt } from '@starline/common';
import { subgraphUrlEnvName } from './supergraph.ts';

/** How the gateway bounds a subgraph outage (gateway/README.md, "Outages"). */
export interface Resilience {
  /** Per-subgraph overrides of the limits' upstreamTimeoutMs, by subgraph name. */
  timeouts: Record<string, number>;
  /** Consecutive failed calls to one subgraph that open its circuit. */
  breakerFailures: number;
  /** How long an open circuit fails fast before one probe call. */
  breakerCooldownMs: number;
}

export const RESILIENCE_DEFAULTS: Readonly<Resilience> = Object.freeze({
  timeouts: {},
  breakerFailures: 5,
  breakerCooldownMs: 5_000,
});

/** `GATEWAY_UPSTREAM_TIMEOUT_MS_TICKETS` for subgraph `tickets`. */
export const timeoutEnvName = (subgraph: string) =>
  subgraphUrlEnvName(subgraph).replace(/^SUBGRAPH_URL_/, 'GATEWAY_UPSTREAM_TIMEOUT_MS_');

/**
 * Reads the per-subgraph GATEWAY_UPSTREAM_TIMEOUT_MS_<NAME> (the default for all is limits.ts's
 * GATEWAY_UPSTREAM_TIMEOUT_MS), GATEWAY_BREAKER_FAILURES and GATEWAY_BREAKER_COOLDOWN_MS; a bad value throws ConfigError naming it.
 */
export function loadResilience(subgraphs: readonly string[], env: NodeJS.ProcessEnv = process.env): Resilience {
  const read = (name: string, min: number, max: number, fallback: number) => {
    const raw = env[name]?.trim();
    return raw ? asInt(min, max)(raw, name) : fallback;
  };
  const timeouts: Record<string, number> = {};
  for (const name of subgraphs) {
    const raw = env[timeoutEnvName(name)]?.trim();
    if (raw) timeouts[name] = asInt(100, 600_000)(raw, timeoutEnvName(name));
  }
  return {
    timeouts,
    breakerFailures: read('GATEWAY_BREAKER_FAILURES', 1, 1_000, RESILIENCE_DEFAULTS.breakerFailures),
    breakerCooldownMs: read('GATEWAY_BREAKER_COOLDOWN_MS', 100, 600_000, RESILIENCE_DEFAULTS.breakerCooldownMs),
  };
}
