/**
 * A subgraph outage, named and bounded: the in-process fixture subgraph behind a TCP proxy the test
 * switches between passing, hanging (a stopped process: connections accepted, nothing answered) and
 * resetting (a killed one), with the gateway's timeout, circuit breaker and query retry.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@starline/common';
import { CircuitBreaker } from '../src/breaker.ts';
import { startGateway, type RunningGateway } from '../src/gateway.ts';
import { LIMIT_DEFAULTS } from '../src/limits.ts';
import { loadResilience, RESILIENCE_DEFAULTS } from '../src/resilience.ts';
import { guardUpstream } from '../src/subgraph-guard.ts';
import type { UpstreamResponse } from '../src/upstream-fetch.ts';
import {
  fixtureSupergraph,
  JWT_SECRET,
  SIGNING_SECRET,
  startFixtureSubgraph,
  type FixtureSubgraph,
} from './fixture.ts';

type Mode = 'pass' | 'hang' | 'reset';

async function startProxy(
  target: string,
): Promise<{ url: string; mode: Mode; cut(): void; stop(): Promise<void>; server: Server }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const proxy = {
    url: '',
    mode: 'pass' as Mode,
    server: createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => undefined);
      if (proxy.mode === 'hang') return; // accepted, never answered: a SIGSTOPped process
      if (proxy.mode === 'reset') return void client.resetAndDestroy(); // a killed process
      const upstream = connect({ host: hostname, port: Number(port) });
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
    }),
    /** Resets every open connection, as a killed process does, so keep-alive sockets break too. */
    cut() {
      for (const s of sockets) s.resetAndDestroy();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => proxy.server.close(() => r()));
    },
  };
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}/graphql`;
  return proxy;
}

describe('a subgraph outage through the gateway', () => {
  let subgraph: FixtureSubgraph;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let gateway: RunningGateway;
  const TIMEOUT = 300;
  const COOLDOWN = 700;

  const post = async (query: string) => {
    const started = performance.now();
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { data?: any; errors?: any[] },
      ms: performance.now() - started,
    };
  };

  beforeAll(async () => {
    subgraph = await startFixtureSubgraph();
    proxy = await startProxy(subgraph.url);
    gateway = await startGateway(
      {
        jwtSecret: JWT_SECRET,
        jwksUrl: undefined,
        signingSecret: SIGNING_SECRET,
        devMode: false,
        portBase: 4000,
        host: '127.0.0.1',
      },
      {
        port: 0,
        limits: { ...LIMIT_DEFAULTS, upstreamTimeoutMs: TIMEOUT },
        resilience: { timeouts: {}, breakerFailures: 2, breakerCooldownMs: COOLDOWN },
        supergraphSdl: fixtureSupergraph(proxy.url),
        log: createLogger('gateway-test', process.env['TEST_LOG_LEVEL'] ?? 'silent'),
      },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.stop();
    await subgraph?.stop();
  });

  it('answers UNAVAILABLE naming the service when it is down, then fails fast with the circuit open, then recovers', async () => {
    expect((await post('{ items { id } }')).body).toEqual({ data: { items: [{ id: '1' }, { id: '2' }] } });

    proxy.mode = 'reset';
    proxy.cut();
    const down = await post('{ items { id } }');
    expect(down.status).toBe(200);
    expect(down.body.data ?? null).toBeNull();
    expect(down.body.errors).toEqual([
      // The runtime adds the subgraph's name as serviceName too.
      {
        message: 'the fixture service is unavailable',
        path: ['items'],
        extensions: { code: 'UNAVAILABLE', service: 'fixture', serviceName: 'fixture' },
      },
    ]);
    expect(gateway.upstream.breakers.get('fixture')!.state).toBe('closed');
    await post('{ items { id } }'); // the second failure in a row opens the circuit
    expect(gateway.upstream.breakers.get('fixture')!.state).toBe('open');

    // A hung subgraph now costs nothing: the circuit is open.
    proxy.mode = 'hang';
    const fast = await post('{ items { id } }');
    expect(fast.ms).toBeLessThan(TIMEOUT / 2);
    expect(fast.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^the fixture service is unavailable \(failing fast/),
      extensions: { code: 'UNAVAILABLE', service: 'fixture' },
    });

    // Operators see it: /ready names the open circuit, /metrics counts it.
    const base = gateway.url.replace(/\/graphql$/, '');
    expect(await (await fetch(`${base}/ready`)).json()).toEqual({
      status: 'ready',
      service: 'gateway',
      subgraphs: { fixture: 'open' },
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('starline_gateway_breaker_state{subgraph="fixture"} 2');
    expect(metrics).toMatch(/starline_gateway_subgraph_requests_total\{subgraph="fixture",outcome="open"\} 1/);
    expect(metrics).toMatch(/starline_gateway_subgraph_requests_total\{subgraph="fixture",outcome="unreachable"\} 2/);
    expect(metrics).toMatch(
      /starline_graphql_requests_total\{service="gateway",operation="anonymous",type="query",outcome="UNAVAILABLE"\} 3/,
    );

    // After the cool-down one probe goes through; hung, it times out and the circuit opens again.
    await new Promise((r) => setTimeout(r, COOLDOWN + 50));
    const probe = await post('{ items { id } }');
    expect(probe.ms).toBeGreaterThanOrEqual(TIMEOUT - 20);
    expect(probe.ms).toBeLessThan(TIMEOUT * 3);
    expect(probe.body.errors?.[0]).toMatchObject({
      message: `the fixture service did not answer within ${TIMEOUT} ms`,
      extensions: { code: 'UNAVAILABLE', service: 'fixture' },
    });
    expect(gateway.upstream.breakers.get('fixture')!.state).toBe('open');

    // Back: the next probe closes the circuit.
    proxy.mode = 'pass';
    await new Promise((r) => setTimeout(r, COOLDOWN + 50));
    expect((await post('{ items { id } }')).body).toEqual({ data: { items: [{ id: '1' }, { id: '2' }] } });
    expect(gateway.upstream.breakers.get('fixture')!.state).toBe('closed');
  });
});

describe('the guarded subgraph fetch', () => {
  const ok: UpstreamResponse = {
    ok: true,
    status: 200,
    statusText: 'OK',
    url: '',
    redirected: false,
    headers: {} as never,
    text: async () => '{"data":{}}',
    json: async () => ({ data: {} }),
    arrayBuffer: async () => new ArrayBuffer(0),
  };
  const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const guard = (raw: () => Promise<UpstreamResponse>) =>
    guardUpstream(() => raw, {
      subgraphs: { tickets: 'http://t/graphql' },
      timeoutMs: 1_000,
      resilience: { ...RESILIENCE_DEFAULTS, timeouts: { tickets: 250 } },
      log: createLogger('test', 'silent'),
    });

  it('retries a query once on a connection error, never a mutation', async () => {
    let calls = 0;
    const flaky = guard(async () => (++calls === 1 ? Promise.reject(refused()) : ok));
    await expect(
      flaky.fetch('http://t/graphql', {
        body: JSON.stringify({ query: 'query($r:[_Any!]!){_entities(representations:$r){__typename}}' }),
      }),
    ).resolves.toBe(ok);
    expect(calls).toBe(2);

    calls = 0;
    const mutation = flaky.fetch('http://t/graphql', {
      body: JSON.stringify({ query: 'mutation{checkIn(id:"1",version:2){id}}' }),
    });
    await expect(mutation).rejects.toMatchObject({ extensions: { code: 'UNAVAILABLE', service: 'tickets' } });
    expect(calls).toBe(1);
  });

  it('takes per-subgraph timeouts', () => {
    const g = guard(async () => ok);
    expect(g.timeoutFor('http://t/graphql')).toBe(250);
    expect(g.timeoutFor('http://other/graphql')).toBe(1_000);
  });

  it('reads its configuration from the environment, naming a bad variable', () => {
    expect(loadResilience(['tickets'], {})).toEqual(RESILIENCE_DEFAULTS);
    expect(
      loadResilience(['tickets'], {
        GATEWAY_UPSTREAM_TIMEOUT_MS_TICKETS: '60000',
        GATEWAY_BREAKER_FAILURES: '3',
        GATEWAY_BREAKER_COOLDOWN_MS: '1000',
      }),
    ).toEqual({ timeouts: { tickets: 60_000 }, breakerFailures: 3, breakerCooldownMs: 1_000 });
    expect(() => loadResilience([], { GATEWAY_BREAKER_FAILURES: '0' })).toThrow(/GATEWAY_BREAKER_FAILURES/);
  });
});

describe('the circuit breaker', () => {
  it('opens after repeated failures, lets one probe through after the cool-down, and closes on its success', () => {
    let now = 0;
    const b = new CircuitBreaker({ failures: 3, cooldownMs: 1_000, now: () => now });
    b.failure();
    b.failure();
    b.success(); // a success in between resets the count
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    expect(b.retryInMs()).toBe(1_000);
    now = 1_000;
    expect(b.allow()).toBe(true); // the probe
    expect(b.allow()).toBe(false); // only one
    b.failure();
    expect(b.state).toBe('open');
    now = 2_000;
    expect(b.allow()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });
});
