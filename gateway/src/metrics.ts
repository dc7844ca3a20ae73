import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '@starline/common';
import type { BreakerState } from './breaker.ts';
import type { GuardHooks } from './subgraph-guard.ts';

/**
 * The gateway's own metrics, beside the per-operation ones every GraphQL endpoint records
 * (common/src/metrics.ts): each subgraph's calls by outcome and latency, and its circuit's state.
 */
const subgraphCalls = new Counter({
  name: 'starline_gateway_subgraph_requests_total',
  help: 'Subgraph calls by subgraph and outcome: ok, timeout, unreachable, open (failed fast), retried',
  labelNames: ['subgraph', 'outcome'] as const,
  registers: [registry],
});
const subgraphDuration = new Histogram({
  name: 'starline_gateway_subgraph_request_duration_seconds',
  help: 'Time of a subgraph call as the gateway waited for it, by subgraph and outcome',
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
const breakerState = new Gauge({
  name: 'starline_gateway_breaker_state',
  help: "A subgraph's circuit breaker: 0 closed, 1 half-open (probing), 2 open (failing fast)",
  labelNames: ['subgraph'] as const,
  registers: [registry],
});

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export const gatewayMetricsHooks: GuardHooks = {
  onCall(subgraph, outcome, ms) {
    subgraphCalls.inc({ subgraph, outcome });
    subgraphDuration.observe({ subgraph, outcome }, ms / 1000);
  },
  onBreaker(subgraph, state) {
    breakerState.set({ subgraph }, STATE_VALUE[state]);
  },
};

/** Every known subgraph shows a closed circuit from the start, not only after its first change. */
export function initBreakerGauges(subgraphs: readonly string[]): void {
  for (const subgraph of subgraphs) breakerState.set({ subgraph }, 0);
}
