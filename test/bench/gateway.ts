/**
 * Gateway benchmark (not a test): one representative federated query, measured three ways against
 * the real standards service (its own entry point, on FerretDB and Temporal) —
 *   direct  the subgraph itself, with the signed claims header computed here;
 *   apollo  @apollo/gateway doing the same edge work (test/bench/apollo-gateway.ts);
 *   ours    the Starline gateway (Hive Gateway runtime + Hive Router's Rust planner).
 * With BENCH_SUBGRAPH=static the subgraph is test/bench/static-standards.ts instead (same contract,
 * answers from memory), so the gateways rather than the database limit throughput.
 * Every request carries its own Authorization header (1000 pre-minted tokens, rotated) and every
 * answer is compared with the expected body. Each server runs in a process of its own, so the load
 * generator (this process) shares no event loop with what it measures; the CPU each gateway
 * process spends per request is read from /proc, which stays meaningful when the subgraph, not the
 * gateway, is what limits throughput.
 *   node test/bench/gateway.ts                         (or ./starline bench:gateway)
 *   BENCH_SUBGRAPH=static node test/bench/gateway.ts
 * Prints a table, then the figures as JSON on the last line.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import {
  CLAIMS_HEADER,
  DEV_JWT_SECRET,
  DEV_SIGNING_SECRET,
  mintToken,
  signClaims,
  ROLES,
  type Claims,
} from '@starline/common';
import { startFerretDb, startTemporal } from '../../infra/src/backends.ts';
import { freePort, httpOk, launch, portOpen, waitFor, type Managed } from '../../infra/src/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const QUERY =
  '{ standardInForce { number name kpis { code weight target floor ' +
  '} grading { aMinScore } labourFees { productLine feeFen } } }';
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 10);
const WARMUP_S = Number(process.env['BENCH_WARMUP_S'] ?? 3);
const TOKENS = 1_000;
const STATIC_SUBGRAPH = process.env['BENCH_SUBGRAPH'] === 'static';
/**
 * BENCH_PIN=1: the gateway under test gets CPU 0 to itself; the load generator, the subgraph and
 * the backends share CPU 1. On a 2-core machine this measures what one gateway core delivers
 * instead of how the gateway fares when the load generator steals its CPU. Same for both gateways.
 */
const PIN = process.env['BENCH_PIN'] === '1';
const GATEWAY_CPU = '0';
const LOAD_CPU = '1';
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ of /proc/<pid>/stat on Linux

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  failures: number;
  /** CPU time of the gateway process per request (null for direct, or where /proc is missing). */
  gatewayCpuMsPerRequest: number | null;
  subgraphCpuMsPerRequest: number | null;
}

/** CPU seconds a process has used so far (user + system), or null off Linux. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 40_000 + Math.floor(Math.random() * 150) * 100;
    const taken = await Promise.all([0, 90, 100, 101].map((o) => portOpen(base + o)));
    if (!taken.some(Boolean)) return base;
  }
  throw new Error('no free port base for the benchmark');
}

/**
 * One autocannon run, for `run.seconds` or `run.requests`; `rotate` gives each request its own
 * headers; answers other than `expected` are counted.
 */
async function load(
  url: string,
  rotate: (i: number) => Record<string, string>,
  run: { seconds?: number; requests?: number },
  expected: string,
) {
  let i = 0;
  let mismatches = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...(run.requests ? { amount: run.requests } : { duration: run.seconds! }),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY }),
    requests: [
      {
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...rotate(i++) } }),
        onResponse: (_status, body) => void (body !== expected && mismatches++),
      },
    ],
  });
  return { result, mismatches };
}

async function measure(
  name: string,
  url: string,
  rotate: (i: number) => Record<string, string>,
  pids: { gateway?: number; subgraph?: number },
): Promise<Figures> {
  // The answer every request must get: checked once here for sense, then byte for byte under load.
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...rotate(0) },
    body: JSON.stringify({ query: QUERY }),
  });
  const body = await res.text();
  const parsed = JSON.parse(body) as { data?: { standardInForce?: { kpis?: unknown[] } }; errors?: unknown };
  if (res.status !== 200 || parsed.errors || !parsed.data?.standardInForce?.kpis?.length) {
    throw new Error(`${name}: the benchmark query does not work (${res.status}): ${body.slice(0, 500)}`);
  }
  process.stderr.write(
    `${name}: warm-up (${WARMUP_S} s, and every token once), then ${DURATION_S} s at ${CONNECTIONS} connections…\n`,
  );
  // Warm-up: JIT, connection pools, and each token verified once (clients reuse their tokens).
  await load(url, rotate, { seconds: WARMUP_S }, body);
  await load(url, rotate, { requests: TOKENS }, body);
  const before = { gateway: cpuSeconds(pids.gateway), subgraph: cpuSeconds(pids.subgraph) };
  const { result: r, mismatches } = await load(url, rotate, { seconds: DURATION_S }, body);
  const perRequest = (now: number | null, then: number | null) =>
    now === null || then === null || r.requests.total === 0
      ? null
      : +(((now - then) * 1000) / r.requests.total).toFixed(3);
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    failures: r.non2xx + r.errors + r.timeouts + mismatches,
    gatewayCpuMsPerRequest: pids.gateway ? perRequest(cpuSeconds(pids.gateway), before.gateway) : null,
    subgraphCpuMsPerRequest: perRequest(cpuSeconds(pids.subgraph), before.subgraph),
  };
}

/** The real standards service: its own entry point, which runs its exported startStandards(). */
function standardsEntryPoint(): string {
  const main = path.join(ROOT, 'services/standards/src/main.ts');
  if (!existsSync(main) || !/export async function startStandards\b/.test(readFileSync(main, 'utf8'))) {
    throw new Error(
      'the benchmark needs the standards service: services/standards/src/main.ts exporting startStandards()',
    );
  }
  return main;
}

async function main(): Promise<void> {
  // Children inherit this process's CPU set: pin it (all threads) before starting anything.
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  const standardsMain = STATIC_SUBGRAPH ? path.join(import.meta.dirname, 'static-standards.ts') : standardsEntryPoint();
  const dir = mkdtempSync(path.join(tmpdir(), 'starline-bench-'));
  const logDir = path.join(dir, 'logs');
  const procs: Managed[] = [];
  try {
    const backends: Record<string, string> = {};
    if (!STATIC_SUBGRAPH) {
      // The standards service needs its database and, for its activity worker, Temporal.
      const [ferret, temporal] = await Promise.all([
        startFerretDb({ dataDir: dir, port: await freePort(), logDir }),
        startTemporal({ dataDir: dir, logDir }),
      ]);
      procs.push(ferret.process, temporal.process);
      Object.assign(backends, { MONGODB_URI: ferret.uri, TEMPORAL_ADDRESS: temporal.address });
    }
    const portBase = await freePortBase();
    const env = {
      ...backends,
      STARLINE_PORT_BASE: String(portBase),
      JWT_SECRET: DEV_JWT_SECRET,
      GATEWAY_SIGNING_SECRET: DEV_SIGNING_SECRET,
      LOG_LEVEL: 'warn',
      BENCH_APOLLO_PORT: String(portBase + 90),
    };
    const start = async (name: string, script: string, ready: () => Promise<boolean>) => {
      const onGatewayCpu = PIN && name !== 'standards';
      const proc = onGatewayCpu
        ? launch(name, 'taskset', ['-c', GATEWAY_CPU, process.execPath, script], { env, logDir, cwd: ROOT })
        : launch(name, process.execPath, [script], { env, logDir, cwd: ROOT });
      procs.push(proc);
      await waitFor(name, ready, { process: proc, timeoutMs: 90_000 }).catch((e: Error) => {
        const log = readFileSync(path.join(logDir, `${name}.log`), 'utf8')
          .split('\n')
          .slice(-15)
          .join('\n');
        throw new Error(`${e.message}; the end of its log:\n${log}`);
      });
      return proc.child.pid;
    };
    const subgraph = await start('standards', standardsMain, () => httpOk(`http://127.0.0.1:${portBase + 101}/ready`));
    // @apollo/server's standalone server has no health route: listening is ready; `measure` checks the query.
    const [ours, apollo] = await Promise.all([
      start('gateway', path.join(ROOT, 'gateway/src/main.ts'), () => httpOk(`http://127.0.0.1:${portBase}/ready`)),
      start('apollo-gateway', path.join(ROOT, 'test/bench/apollo-gateway.ts'), () => portOpen(portBase + 90)),
    ]);

    const claims: Claims[] = Array.from({ length: TOKENS }, (_, i) => ({ sub: `bench-${i}`, roles: [ROLES[i % 2]!] }));
    const bearer = (await Promise.all(claims.map((c) => mintToken(c, DEV_JWT_SECRET, '1h')))).map((t) => ({
      authorization: `Bearer ${t}`,
    }));
    const byToken = (i: number) => bearer[i % TOKENS]!;
    // Signed just before its run: a gateway signature is valid for 60 s.
    const signed = claims.map((c) => ({ [CLAIMS_HEADER]: signClaims(c, DEV_SIGNING_SECRET) }));

    // The subgraph first: it warms the service and its database for the two gateways after it.
    const results = {
      direct: await measure(
        'subgraph directly',
        `http://127.0.0.1:${portBase + 101}/graphql`,
        (i) => signed[i % TOKENS]!,
        { subgraph },
      ),
      apollo: await measure('@apollo/gateway', `http://127.0.0.1:${portBase + 90}/graphql`, byToken, {
        gateway: apollo,
        subgraph,
      }),
      ours: await measure('ours (Hive Gateway + Rust planner)', `http://127.0.0.1:${portBase}/graphql`, byToken, {
        gateway: ours,
        subgraph,
      }),
    };
    const ratio = (a: number | null, b: number | null) => (a && b ? +(a / b).toFixed(2) : null);
    const ratios = {
      oursOverApollo: ratio(results.ours.requestsPerSecond, results.apollo.requestsPerSecond),
      oursOverDirect: ratio(results.ours.requestsPerSecond, results.direct.requestsPerSecond),
      /** How many times less CPU ours spends per request than @apollo/gateway. */
      apolloCpuOverOurs: ratio(results.apollo.gatewayCpuMsPerRequest, results.ours.gatewayCpuMsPerRequest),
    };

    const cell = (v: number | null, width: number) => String(v ?? '-').padStart(width);
    const subgraphKind = STATIC_SUBGRAPH ? 'static stand-in (no database)' : 'the standards service on FerretDB';
    console.log(
      `\nsubgraph: ${subgraphKind}; ${CONNECTIONS} connections, ${DURATION_S} s each after a warm-up, ` +
        `${TOKENS} tokens rotated`,
    );
    console.log(`query: ${QUERY}\n`);
    console.log('target    req/s   p50 ms  p99 ms  requests  failures  gateway CPU ms/req  subgraph CPU ms/req');
    for (const [name, f] of Object.entries(results)) {
      console.log(
        `${name.padEnd(8)}${cell(f.requestsPerSecond, 6)}${cell(f.p50Ms, 9)}${cell(f.p99Ms, 8)}` +
          `${cell(f.requests, 10)}${cell(f.failures, 10)}${cell(f.gatewayCpuMsPerRequest, 20)}` +
          `${cell(f.subgraphCpuMsPerRequest, 21)}`,
      );
    }
    console.log(
      `\nthroughput ours/apollo: ${ratios.oursOverApollo}x (target >= 2)   ours/direct: ` +
        `${ratios.oursOverDirect} (target >= 0.5)` +
        `   gateway CPU per request apollo/ours: ${ratios.apolloCpuOverOurs}x`,
    );
    console.log(
      JSON.stringify({
        subgraph: STATIC_SUBGRAPH ? 'static' : 'standards',
        connections: CONNECTIONS,
        durationSeconds: DURATION_S,
        ...results,
        ...ratios,
      }),
    );
  } finally {
    await Promise.all(procs.reverse().map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
