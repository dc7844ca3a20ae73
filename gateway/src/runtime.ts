import {
  createGatewayRuntime,
  useCustomFetch,
  type GatewayPlugin,
  type GatewayRuntime,
} from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import * as httpTransport from '@graphql-mesh/transport-http';
import type { Logger } from '@starline/common';
import type { GatewayLimits } from './limits.ts';
import { hiveLoggerFor } from './logging.ts';
import { queryLimitPlugins } from './query-limits.ts';
import { RESILIENCE_DEFAULTS, type Resilience } from './resilience.ts';
import { guardUpstream, type GuardedUpstream, type GuardHooks } from './subgraph-guard.ts';
import { subgraphUrls } from './supergraph.ts';
import { createUpstreamFetch } from './upstream-fetch.ts';
import { useSignedUpstreamHeaders } from './upstream.ts';

export interface RuntimeOptions {
  supergraphSdl: string;
  limits: GatewayLimits;
  signingSecret: string;
  devMode: boolean;
  log: Logger;
  /** Per-subgraph timeouts and the circuit breakers (default: RESILIENCE_DEFAULTS). */
  resilience?: Resilience;
  /** Observers of subgraph calls and breaker changes (the metrics). */
  hooks?: GuardHooks;
  /** More runtime plugins (tests observe query plans with them). */
  plugins?: GatewayPlugin[];
}

/**
 * The Hive Gateway runtime that plans and executes every operation: the supergraph, Hive Router's
 * Rust query planner, our subgraph transport, and the validation-time limits. HTTP, auth and rate
 * limiting live in http.ts, which calls the runtime's GraphQL pipeline directly.
 */
export function createStarlineRuntime(opts: RuntimeOptions): { runtime: GatewayRuntime; upstream: GuardedUpstream } {
  const { limits } = opts;
  const upstream = guardUpstream((timeoutFor) => createUpstreamFetch({ timeoutMs: timeoutFor }), {
    subgraphs: subgraphUrls(opts.supergraphSdl),
    timeoutMs: limits.upstreamTimeoutMs,
    resilience: opts.resilience ?? RESILIENCE_DEFAULTS,
    log: opts.log,
    hooks: opts.hooks,
  });
  const upstreamFetch = upstream.fetch;
  const runtime = createGatewayRuntime({
    supergraph: opts.supergraphSdl,
    unifiedGraphHandler, // Hive Router's Rust query planner instead of the JavaScript one
    transports: { http: httpTransport }, // given, not looked up: pnpm keeps it out of the runtime's reach
    // Never share one subgraph response between callers: each request carries its caller's claims,
    // but the transport's in-flight de-duplication keys on URL and body only.
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
    logging: hiveLoggerFor(opts.log),
    landingPage: opts.devMode,
    graphiql: opts.devMode,
    disableIntrospection: opts.devMode ? undefined : {},
    maskedErrors: { isDev: false, errorMessage: 'internal error' },
    requestId: false, // http.ts reads or makes the request id; useSignedUpstreamHeaders forwards it
    plugins: () => [
      useCustomFetch(upstreamFetch as unknown as Parameters<typeof useCustomFetch>[0]),
      useSignedUpstreamHeaders(opts.signingSecret),
      ...queryLimitPlugins(limits, opts.devMode),
      ...(opts.plugins ?? []),
    ],
  });
  return { runtime, upstream };
}
