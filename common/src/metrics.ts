import { createServer } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one process, served at GET /metrics: the process's own (CPU, memory, event
 * loop lag), its GraphQL operations, and the Temporal SDK's worker metrics when it runs a worker.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'starline_' });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Operations served by this process's GraphQL endpoint (a subgraph's, or the gateway's). */
export const graphqlRequests = new Counter({
  name: 'starline_graphql_requests_total',
  help: 'GraphQL operations served, by service, operation name, type and outcome (ok, or the first error code)',
  labelNames: ['service', 'operation', 'type', 'outcome'] as const,
  registers: [registry],
});
export const graphqlDuration = new Histogram({
  name: 'starline_graphql_request_duration_seconds',
  help: 'Time to serve a GraphQL operation, by service and operation name',
  labelNames: ['service', 'operation'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** At most this many operation names get a label of their own; the rest are `other` (label cardinality). */
const MAX_OPERATIONS = 200;
const seen = new Set<string>();

/** An operation name fit for a label: anonymous, a known name, or `other` once there are too many. */
export function operationLabel(name: string | null | undefined): string {
  if (!name || !/^\w{1,64}$/.test(name)) return name ? 'other' : 'anonymous';
  if (seen.has(name)) return name;
  if (seen.size >= MAX_OPERATIONS) return 'other';
  seen.add(name);
  return name;
}

/** Records one served operation. */
export function recordOperation(
  service: string,
  operation: string,
  type: string,
  outcome: string,
  seconds: number,
): void {
  graphqlRequests.inc({ service, operation, type, outcome });
  graphqlDuration.observe({ service, operation }, seconds);
}

let temporalMetricsPort: number | undefined;

/**
 * A loopback port for the SDK's exporter, drawn from 8400–9999: below the kernel's ephemeral range
 * (32768+), where tests and benchmarks draw their free ports, and clear of the stack's own (4000+,
 * 7233, 8233, the test stacks' 10000–32100), so it cannot take a port another process was handed.
 */
async function sdkMetricsPort(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 8400 + Math.floor(Math.random() * 1600);
    if (await free(port)) return port;
  }
  throw new Error('no free port for the Temporal SDK metrics');
}

/**
 * Has the Temporal SDK's runtime export its worker metrics (polls, task latencies, slots) in
 * Prometheus form on a loopback port of its own, which GET /metrics appends to ours. Must run before
 * the process's first Temporal connection; a second call (tests start several services in one
 * process) or an already installed runtime changes nothing.
 */
export async function installTemporalMetrics(): Promise<void> {
  if (temporalMetricsPort !== undefined) return;
  const port = await sdkMetricsPort();
  // Loaded here, not at the top: most importers of this package (the token CLI, the gateway) run no worker.
  const { Runtime } = await import('@temporalio/worker');
  try {
    Runtime.install({
      telemetryOptions: {
        metrics: {
          prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, useSecondsForDurations: true },
        },
      },
    });
    temporalMetricsPort = port;
  } catch {
    temporalMetricsPort = 0; // the runtime was already installed: its metrics stay where they are
  }
}

/** Our metrics and, where this process runs a Temporal worker, the SDK's. */
export async function metricsText(): Promise<string> {
  const own = await registry.metrics();
  if (!temporalMetricsPort) return own;
  try {
    const res = await fetch(`http://127.0.0.1:${temporalMetricsPort}/metrics`, { signal: AbortSignal.timeout(1_000) });
    return `${own}\n${await res.text()}`;
  } catch {
    return own; // the SDK's exporter not up yet: ours alone
  }
}

/** GET /metrics; true when it answered. */
export function answerMetrics(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  if (req.method !== 'GET' || pathname !== '/metrics') return false;
  metricsText().then(
    (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
    () => res.writeHead(500).end(),
  );
  return true;
}
