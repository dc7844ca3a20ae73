import { GraphQLError } from 'graphql';
import { injectContext, inSpan, SpanKind, type Logger } from '@starline/common';
import { CircuitBreaker, type BreakerState } from './breaker.ts';
import type { Resilience } from './resilience.ts';
import { plainHeaders, UpstreamTimeout, type UpstreamFetch, type UpstreamInit } from './upstream-fetch.ts';

/** Errors of a connection that failed or broke before an answer came: the subgraph is down or restarting. */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What a subgraph call ended in, for the metrics. */
export type CallOutcome = 'ok' | 'timeout' | 'unreachable' | 'open' | 'retried';

export interface GuardHooks {
  onCall?: (subgraph: string, outcome: CallOutcome, ms: number) => void;
  onBreaker?: (subgraph: string, state: BreakerState) => void;
}

export interface GuardedUpstream {
  fetch: UpstreamFetch;
  /** The breaker of each subgraph by name (metrics and /ready read their state). */
  breakers: ReadonlyMap<string, CircuitBreaker>;
  /** The timeout for a subgraph URL (the raw fetch's socket timer). */
  timeoutFor(url: string): number;
}

/** The client-facing error: partial data elsewhere, and this naming the service that is down. */
export function unavailableError(service: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAVAILABLE', service } });
}

/** A query may be sent twice; a mutation (or anything we can't read) never is. */
function isQuery(body: UpstreamInit['body']): boolean {
  const text = typeof body === 'string' ? body : body ? Buffer.from(body).toString('utf8', 0, 200) : '';
  return /^\{\s*"query"\s*:\s*"\s*(query\b|\{)/.test(text);
}

const isConnectionError = (e: unknown) => CONNECTION_ERRORS.has(String((e as { code?: unknown })?.code));

/**
 * Wraps the gateway's subgraph fetch so an outage is named and bounded:
 * - a timeout per subgraph (the raw fetch's socket timer, see timeoutFor);
 * - a circuit breaker per subgraph, so once one is known down its calls fail at once;
 * - a query retried once on a connection error (a keep-alive socket to a restarted process);
 *   a mutation never, since it may have been applied;
 * - every such failure rejects with a GraphQLError UNAVAILABLE naming the service, which the HTTP
 *   executor passes through as the field error (it returns a GraphQLError from fetch unchanged).
 */
export function guardUpstream(
  raw: (timeoutFor: (url: string) => number) => UpstreamFetch,
  opts: {
    subgraphs: Record<string, string>;
    /** The default timeout of a subgraph call (GATEWAY_UPSTREAM_TIMEOUT_MS). */
    timeoutMs: number;
    resilience: Resilience;
    log: Logger;
    hooks?: GuardHooks;
  },
): GuardedUpstream {
  const { resilience, log, hooks } = opts;
  const byUrl = new Map(Object.entries(opts.subgraphs).map(([name, url]) => [url, name]));
  const breakers = new Map<string, CircuitBreaker>();
  const nameOf = (url: string) => byUrl.get(url) ?? new URL(url).host;
  const breakerOf = (name: string) => {
    let b = breakers.get(name);
    if (!b) {
      b = new CircuitBreaker({
        failures: resilience.breakerFailures,
        cooldownMs: resilience.breakerCooldownMs,
        onChange: (state) => {
          (state === 'open' ? log.warn.bind(log) : log.info.bind(log))(
            { subgraph: name, breaker: state },
            `circuit of ${name} ${state}`,
          );
          hooks?.onBreaker?.(name, state);
        },
      });
      breakers.set(name, b);
    }
    return b;
  };
  for (const name of byUrl.values()) breakerOf(name);
  const timeoutFor = (url: string) => resilience.timeouts[nameOf(url)] ?? opts.timeoutMs;
  const fetch = raw(timeoutFor);

  const guarded: UpstreamFetch = async (url, init = {}) => {
    const name = nameOf(url);
    const breaker = breakerOf(name);
    const started = performance.now();
    const done = (outcome: CallOutcome) => hooks?.onCall?.(name, outcome, performance.now() - started);
    if (!breaker.allow()) {
      done('open');
      const s = Math.ceil(breaker.retryInMs() / 1000);
      throw unavailableError(
        name,
        `the ${name} service is unavailable (failing fast after repeated failures; next try in ${s} s)`,
      );
    }
    for (let attempt = 1; ; attempt++) {
      try {
        // Each attempt a client span, its traceparent sent along so the subgraph continues the trace.
        const res = await inSpan(
          `subgraph ${name}`,
          { kind: SpanKind.CLIENT, attributes: { 'starline.subgraph': name, 'http.url': url, attempt } },
          (span) => {
            const headers = injectContext({ ...plainHeaders(init.headers) });
            return fetch(url, { ...init, headers }).then((r) => (span.setAttribute('http.status_code', r.status), r));
          },
        );
        // A proxy or load balancer in front of the subgraph saying it is not there.
        if (res.status === 502 || res.status === 503 || res.status === 504)
          throw Object.assign(new Error(`HTTP ${res.status}`), { code: 'ECONNREFUSED' });
        breaker.success();
        done('ok');
        return res;
      } catch (error) {
        if (init.signal?.aborted) throw error; // the request was cancelled: says nothing about the subgraph
        if (attempt === 1 && isConnectionError(error) && isQuery(init.body)) {
          done('retried');
          continue;
        }
        breaker.failure();
        if (error instanceof UpstreamTimeout) {
          done('timeout');
          log.warn({ subgraph: name, ms: error.ms }, 'subgraph timed out');
          throw unavailableError(name, `the ${name} service did not answer within ${error.ms} ms`);
        }
        done('unreachable');
        log.warn(
          { subgraph: name, err: { message: (error as Error).message, code: (error as { code?: unknown }).code } },
          'subgraph unreachable',
        );
        throw unavailableError(name, `the ${name} service is unavailable`);
      }
    }
  };
  return { fetch: guarded, breakers, timeoutFor };
}
