import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayPlugin, GatewayRuntime } from '@graphql-hive/gateway-runtime';
import {
  answerMetrics,
  createLogger,
  servicePort,
  tokenVerifier,
  type Logger,
  type PlatformConfig,
} from '@starline/common';
import { createAuthenticator } from './authenticate.ts';
import { createRequestHandler } from './http.ts';
import { loadLimits, type GatewayLimits } from './limits.ts';
import { createRateLimiter } from './rate-limit.ts';
import { gatewayMetricsHooks, initBreakerGauges } from './metrics.ts';
import { loadResilience, type Resilience } from './resilience.ts';
import { createStarlineRuntime } from './runtime.ts';
import type { GuardedUpstream } from './subgraph-guard.ts';
import { loadSupergraph, subgraphUrls } from './supergraph.ts';

export type GatewayConfig = Pick<
  PlatformConfig,
  'jwtSecret' | 'jwksUrl' | 'signingSecret' | 'devMode' | 'portBase' | 'host'
>;

export interface GatewayOptions {
  /** Default: from the environment (limits.ts). */
  limits?: GatewayLimits;
  /** Default: from the environment (resilience.ts). */
  resilience?: Resilience;
  /** Default: gateway/supergraph.graphql with URLs for cfg.portBase and SUBGRAPH_URL_* overrides. */
  supergraphSdl?: string;
  log?: Logger;
  /** Default: servicePort(cfg, 'gateway'); 0 picks a free port. */
  port?: number;
  /** More runtime plugins, e.g. to observe query plans in tests. */
  plugins?: GatewayPlugin[];
}

export interface Gateway {
  runtime: GatewayRuntime;
  server: Server;
  limits: GatewayLimits;
  /** The guarded subgraph calls: each subgraph's circuit breaker. */
  upstream: GuardedUpstream;
  /** Settles once the supergraph is loaded and the query planner built. */
  loaded: Promise<void>;
}

export interface RunningGateway extends Gateway {
  /** http://host:port/graphql */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The gateway, not yet listening. The supergraph starts loading at once. */
export function createGateway(cfg: GatewayConfig, opts: GatewayOptions = {}): Gateway {
  const log = opts.log ?? createLogger('gateway');
  const limits = opts.limits ?? loadLimits();
  const supergraphSdl = opts.supergraphSdl ?? loadSupergraph(cfg);
  const subgraphs = Object.keys(subgraphUrls(supergraphSdl));
  initBreakerGauges(subgraphs);
  const { runtime, upstream } = createStarlineRuntime({
    supergraphSdl,
    limits,
    resilience: opts.resilience ?? loadResilience(subgraphs),
    hooks: gatewayMetricsHooks,
    signingSecret: cfg.signingSecret,
    devMode: cfg.devMode,
    log,
    plugins: opts.plugins,
  });
  let ready = false;
  const loaded = Promise.resolve(runtime.getSchema()).then(() => void (ready = true));
  loaded.catch((err: unknown) => log.error({ err }, 'the supergraph could not be loaded'));
  const handler = createRequestHandler({
    runtime,
    limits,
    authenticate: createAuthenticator({ verify: tokenVerifier({ secret: cfg.jwtSecret, jwksUrl: cfg.jwksUrl }) }),
    rateLimiter: createRateLimiter(limits.rateLimitPerMinute),
    log,
    devMode: cfg.devMode,
    ready: () => ready,
    subgraphs: () => Object.fromEntries([...upstream.breakers].map(([name, b]) => [name, b.state])),
    extra: (req, res, pathname) => answerMetrics(req, res, pathname),
  });
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeouts
  return { runtime, server, limits, upstream, loaded };
}

/** Creates the gateway, loads the supergraph, and listens on cfg.host at servicePort(cfg, 'gateway') (or opts.port). */
export async function startGateway(cfg: GatewayConfig, opts: GatewayOptions = {}): Promise<RunningGateway> {
  const log = opts.log ?? createLogger('gateway');
  const gateway = createGateway(cfg, { ...opts, log });
  const { server, runtime } = gateway;
  await gateway.loaded;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? servicePort(cfg, 'gateway'), cfg.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}/graphql`;
  log.info({ url, limits: gateway.limits }, 'gateway listening');
  let closing: Promise<void> | undefined;
  return {
    ...gateway,
    url,
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // In-flight requests get a moment to finish, then the rest are cut.
        const cut = setTimeout(() => server.closeAllConnections(), 5_000);
        await closed;
        clearTimeout(cut);
        await runtime.dispose();
        log.info('gateway stopped');
      })();
      return closing;
    },
  };
}
