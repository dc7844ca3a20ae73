/**
 * What the whole-stack benchmarks share (network-certification.ts, ticket-lifecycle.ts,
 * partner-sync.ts, evaluation.ts, settlement.ts): the platform started with the project's launcher on
 * a throwaway data folder and free ports, stopped and removed again on the way out (also on Ctrl-C);
 * GraphQL calls through the gateway that fail loudly; percentiles; a bounded-concurrency loop; CPU
 * per process; seeding in chunks; a workflow's history read back from Temporal.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { DEV_JWT_SECRET, DEV_SIGNING_SECRET, mintToken, type connectTemporalClient } from '@starline/common';
import { startStack, type Stack } from '../../infra/src/stack.ts';
import { freeStackPorts } from '../../infra/src/processes.ts';

export interface BenchStack {
  stack: Stack;
  dir: string;
  /** Database connections the benchmark opened: closed before the stack stops. */
  conns: Connection[];
  /**
   * Runs the benchmark; whatever it throws, the processes' last log lines are shown (the data
   * folder goes with the cleanup), and the stack is stopped and its folder removed.
   */
  run(body: () => Promise<void>): Promise<void>;
}

/**
 * Starts the whole platform in a fresh temporary folder (`prefix`) on free ports, with the gateway's
 * per-client rate limit off (one client sends every request: the limit would measure itself) and a
 * long upstream timeout (a slow answer is measured rather than abandoned). `env` adds to that.
 */
export async function startBenchStack(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const conns: Connection[] = [];
  let stack: Stack | undefined;
  let cleaned: Promise<void> | undefined;
  // The stack's processes run in their own process groups, so Ctrl-C must stop them explicitly.
  const cleanup = () =>
    (cleaned ??= (async () => {
      await Promise.all(conns.map((c) => c.close().catch(() => {})));
      await stack?.stop();
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const showLogs = () => {
    const logDir = path.join(dir, 'logs');
    for (const file of existsSync(logDir) ? readdirSync(logDir) : []) {
      const tail = readFileSync(path.join(logDir, file), 'utf8').trim().split('\n').slice(-15).join('\n');
      if (tail) process.stderr.write(`--- the end of ${file}:\n${tail}\n`);
    }
  };
  try {
    process.stderr.write(`starting the stack in ${dir}…\n`);
    stack = await startStack({
      dataDir: dir,
      ...(await freeStackPorts()),
      env: {
        LOG_LEVEL: 'warn',
        JWT_SECRET: DEV_JWT_SECRET,
        GATEWAY_SIGNING_SECRET: DEV_SIGNING_SECRET,
        GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
        // Below fetch's own 300 s.
        GATEWAY_UPSTREAM_TIMEOUT_MS: process.env['GATEWAY_UPSTREAM_TIMEOUT_MS'] ?? '290000',
        ...env,
      },
    }).catch((error: Error) => {
      throw new Error(`${error.message} (logs in ${path.join(dir, 'logs')})`);
    });
  } catch (error) {
    showLogs();
    await cleanup();
    throw error;
  }
  const started = stack;
  return {
    stack: started,
    dir,
    conns,
    async run(body) {
      try {
        await body();
      } catch (error) {
        showLogs();
        throw error;
      } finally {
        await cleanup();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}

export interface GqlAnswer {
  status: number;
  data: Record<string, any> | null | undefined;
  errors: { message: string; extensions?: Record<string, unknown> }[] | undefined;
  text: string;
}

/** One GraphQL request to the gateway with a bearer token; the answer as it came. */
export async function gql(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: Record<string, any> | null; errors?: GqlAnswer['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text.slice(0, 800) }] };
  }
  return { status: res.status, data: body.data, errors: body.errors, text };
}

/** One GraphQL request; its `data`, or an error naming what the gateway answered (any `errors` count). */
export async function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const a = await gql(url, token, query, variables);
  if (a.status !== 200 || a.errors || !a.data)
    throw new Error(`the gateway answered ${a.status}: ${a.text.slice(0, 800)}`);
  return a.data;
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Milliseconds rounded to 0.1, or null for none. */
export const ms1 = (x: number | undefined): number | null => (x === undefined ? null : +x.toFixed(1));

/** p50/p99/max of a list of milliseconds. */
export function latency(values: readonly number[]): {
  n: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
} {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50Ms: sorted.length ? ms1(percentile(sorted, 50)) : null,
    p99Ms: sorted.length ? ms1(percentile(sorted, 99)) : null,
    maxMs: ms1(sorted.at(-1)),
  };
}

/**
 * Runs `task(0 … count-1)` with at most `concurrency` in flight. The first failure stops new tasks
 * from starting and is thrown once the running ones have ended.
 */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  if (failure !== undefined) throw failure;
}

/** The machine's load averages (1, 5, 15 min), from /proc (null elsewhere): printed next to the figures. */
export function loadAverage(): string | null {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) each of the stack's processes has used so far, from /proc (empty elsewhere). */
export function cpuSeconds(stack: Stack): Record<string, number> {
  const used: Record<string, number> = {};
  for (const { name, pid } of stack.processes()) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks of 1/100
      // s.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      used[name] = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      /* not Linux, or exited */
    }
  }
  return used;
}

/**
 * What each process used between two `cpuSeconds` readings, per unit of work (e.g. per ticket), in ms, largest first.
 */
export function cpuMsPer(
  before: Record<string, number>,
  after: Record<string, number>,
  units: number,
): Record<string, number> {
  const per = Object.keys(after).map(
    (name) => [name, +((1000 * (after[name]! - (before[name] ?? 0))) / units).toFixed(1)] as const,
  );
  return Object.fromEntries(per.sort((a, b) => b[1] - a[1]));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface MonthRun {
  state: string;
  progress: { done: number; total: number };
}

/**
 * Reads a month's run through the gateway every 250 ms until `finished` accepts it, reporting progress
 * every 10 s; fails when it is not finished after `timeoutS` or its workflow ended badly.
 */
export async function pollRun<T extends MonthRun>(opts: {
  what: string;
  read: () => Promise<T | null>;
  finished: (run: T | null) => boolean;
  client: Awaited<ReturnType<typeof connectTemporalClient>>;
  workflowId: string;
  since: () => number;
  timeoutS: number;
}): Promise<T> {
  const { what, since } = opts;
  let reported = 0;
  let describedAt = 0;
  for (;;) {
    const r = await opts.read();
    if (r && opts.finished(r)) return r;
    if (since() > opts.timeoutS)
      throw new Error(
        `the ${what} is ${r?.state ?? 'not begun'} (${JSON.stringify(r?.progress)}) after ${opts.timeoutS} s`,
      );
    if (since() - describedAt >= 5) {
      describedAt = since();
      const described = await opts.client.workflow
        .getHandle(opts.workflowId)
        .describe()
        .catch(() => null);
      if (described && ['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(described.status.name))
        throw new Error(`the ${what} workflow ${described.status.name} (run ${r?.state})`);
    }
    if (since() - reported >= 10) {
      reported = since();
      process.stderr.write(
        `  ${since().toFixed(0)} s: ${r?.state ?? '-'} ${r ? `${r.progress.done}/${r.progress.total}` : ''}\n`,
      );
    }
    await sleep(250);
  }
}

/** CPU seconds each process used between two readings, largest first. */
export const cpuDelta = (from: Record<string, number>, to: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(to)
      .map(([k, v]) => [k, +(v - (from[k] ?? 0)).toFixed(1)] as const)
      .sort((a, b) => b[1] - a[1]),
  );

/** Inserts `docs` `chunk` at a time (a line on stderr every 20 chunks of a long list). */
export async function insertChunks<T>(
  what: string,
  docs: readonly T[],
  insert: (chunk: T[]) => Promise<unknown>,
  CHUNK = 1_000,
): Promise<void> {
  for (let i = 0; i < docs.length; i += CHUNK) {
    await insert(docs.slice(i, i + CHUNK));
    if (docs.length > 20 * CHUNK && (i / CHUNK) % 20 === 19)
      process.stderr.write(`  ${what}: ${i + CHUNK} of ${docs.length}\n`);
  }
}

// ---------------------------------------------------------------- a workflow's history

export interface ActivityFigures {
  count: number;
  totalS: number;
  maxS: number;
  attempts: number;
  /** The largest input (scheduled) and result (completed) payloads of the type, bytes. */
  maxInputBytes: number;
  maxResultBytes: number;
}

export interface HistoryFigures {
  runs: number;
  events: number;
  eventsPerRun: number[];
  /** Each run's history size as Temporal reports it (describe: historySizeBytes), bytes. */
  bytesPerRun: number[];
  /**
   * Per activity type: how many, their summed and longest durations (scheduled → closed), seconds, and payload sizes.
   */
  activities: Record<string, ActivityFigures>;
}

type HistoryEvent = NonNullable<
  NonNullable<
    Awaited<
      ReturnType<Awaited<ReturnType<typeof connectTemporalClient>>['workflowService']['getWorkflowExecutionHistory']>
    >['history']
  >['events']
>[number];

const tsMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;

/**
 * Every run of the workflow `workflowId` (a continueAsNew chain), event by event: activity times, attempts and payload
 * sizes.
 */
export async function workflowHistory(
  client: Awaited<ReturnType<typeof connectTemporalClient>>,
  workflowId: string,
): Promise<HistoryFigures> {
  const runs: { runId: string; start: number }[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: w.runId, start: w.startTime.getTime() });
  runs.sort((a, b) => a.start - b.start);
  const out: HistoryFigures = { runs: runs.length, events: 0, eventsPerRun: [], bytesPerRun: [], activities: {} };
  const blank = (): ActivityFigures => ({
    count: 0,
    totalS: 0,
    maxS: 0,
    attempts: 0,
    maxInputBytes: 0,
    maxResultBytes: 0,
  });
  const bytes = (
    p:
      | { payloads?: { data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null }[] | null }
      | null
      | undefined,
  ) =>
    (p?.payloads ?? []).reduce(
      (sum, x) => sum + (x.data?.length ?? 0) + Object.values(x.metadata ?? {}).reduce((m, v) => m + v.length, 0),
      0,
    );
  for (const { runId } of runs) {
    // Paged by hand, a few events a page: the activities' payloads (500 centres' facts each) make a
    // whole history larger than the client's 4 MB message limit.
    const events: HistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId, runId },
        maximumPageSize: 20,
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    out.events += events.length;
    out.eventsPerRun.push(events.length);
    const described = await client.workflow
      .getHandle(workflowId, runId)
      .describe()
      .catch(() => null);
    // A Long in the raw answer: its decimal text.
    out.bytesPerRun.push(Number(String(described?.raw.workflowExecutionInfo?.historySizeBytes ?? 0)));
    const scheduled = new Map<string, { type: string; at: number }>();
    for (const e of events) {
      const id = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes) {
        const type = e.activityTaskScheduledEventAttributes.activityType?.name ?? '?';
        scheduled.set(id, { type, at: tsMs(e.eventTime) });
        const a = (out.activities[type] ??= blank());
        a.maxInputBytes = Math.max(a.maxInputBytes, bytes(e.activityTaskScheduledEventAttributes.input));
      }
      const closed =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes;
      if (closed) {
        const s = scheduled.get(String(closed.scheduledEventId));
        if (!s) continue;
        const seconds = (tsMs(e.eventTime) - s.at) / 1000;
        const a = (out.activities[s.type] ??= blank());
        a.count++;
        a.maxResultBytes = Math.max(a.maxResultBytes, bytes(e.activityTaskCompletedEventAttributes?.result));
        a.totalS += seconds;
        a.maxS = Math.max(a.maxS, seconds);
      }
      if (e.activityTaskStartedEventAttributes) {
        const s = scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
        if (s) (out.activities[s.type] ??= blank()).attempts += e.activityTaskStartedEventAttributes.attempt ?? 1;
      }
    }
  }
  for (const a of Object.values(out.activities)) {
    a.totalS = +a.totalS.toFixed(2);
    a.maxS = +a.maxS.toFixed(2);
  }
  return out;
}

// ---------------------------------------------------------------- a small network, through the gateway

export interface SeededCentre {
  id: string;
  code: string;
  /** A PARTNER token of the centre. */
  partner: string;
  engineers: { id: string; number: string; token: string }[];
}

const CREATE_CENTRE =
  `mutation ($input: CreateServiceCentreInput!, $key: String) { createServiceCentre(input: $input, ` +
  `idempotencyKey: $key) { id code status } }`;
const ACTIVATE_CENTRE =
  `mutation ($id: ID!, $key: String) { activateServiceCentre(id: ` + `$id, idempotencyKey: $key) { id status } }`;
const REGISTER_ENGINEER =
  `mutation ($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id number licence { status } ` + `} }`;

/**
 * `centres` ACTIVE CORE centres covering `regionCode` for `productLine` (so the lifecycle's dispatch
 * finds them), each with `engineers` engineers certified for the line (registration issues the
 * licence), created the way the operator and the partners would: createServiceCentre,
 * activateServiceCentre and registerEngineer through the gateway. `run` makes codes unique.
 */
export async function seedNetwork(
  url: string,
  opts: {
    run: string;
    centres: number;
    engineers: number;
    regionCode: string;
    productLine: string;
    dailyCapacity: number;
  },
): Promise<SeededCentre[]> {
  const operator = await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h');
  const now = Date.now();
  const digits = opts.run.replace(/\D/g, '').slice(-5).padStart(5, '0');
  const out: SeededCentre[] = [];
  for (let c = 1; c <= opts.centres; c++) {
    const code = `BENCH-${opts.run}-${c}`.toUpperCase();
    const created = (
      await post(url, operator, CREATE_CENTRE, {
        key: `bench-centre-${opts.run}-${c}`,
        input: {
          code,
          name: `Benchmark centre ${c}`,
          tier: 'CORE',
          region: opts.regionCode,
          serviceAreas: [opts.regionCode],
          productLines: [opts.productLine],
          dailyCapacity: opts.dailyCapacity,
          contact: { name: 'Bench Mark', phone: '13900139000' },
        },
      })
    )['createServiceCentre'] as { id: string };
    const activated = (
      await post(url, operator, ACTIVATE_CENTRE, { id: created.id, key: `bench-activate-${opts.run}-${c}` })
    )['activateServiceCentre'];
    if (activated.status !== 'ACTIVE') throw new Error(`centre ${code} is ${activated.status} after activation`);
    const partner = await mintToken(
      { sub: `bench-partner-${c}`, roles: ['PARTNER'], centreId: created.id },
      DEV_JWT_SECRET,
      '8h',
    );
    const engineers: SeededCentre['engineers'] = [];
    for (let e = 1; e <= opts.engineers; e++) {
      const engineer = (
        await post(url, partner, REGISTER_ENGINEER, {
          input: {
            number: `B-${digits}${String(c).padStart(2, '0')}${String(e).padStart(2, '0')}`,
            name: `Bench Engineer ${c}-${e}`,
            centreId: created.id,
            certifications: [
              {
                productLine: opts.productLine,
                issuedAt: new Date(now - 86_400_000).toISOString(),
                expiresAt: new Date(now + 2 * 365 * 86_400_000).toISOString(),
              },
            ],
          },
        })
      )['registerEngineer'] as { id: string; number: string; licence: { status: string } | null };
      if (!engineer.licence || engineer.licence.status === 'REVOKED')
        throw new Error(`engineer ${engineer.number} has no usable licence: ${JSON.stringify(engineer)}`);
      const token = await mintToken(
        { sub: `bench-engineer-${engineer.id}`, roles: ['ENGINEER'], engineerId: engineer.id },
        DEV_JWT_SECRET,
        '8h',
      );
      engineers.push({ id: engineer.id, number: engineer.number, token });
    }
    out.push({ id: created.id, code, partner, engineers });
  }
  return out;
}

/** What the seeds and the tickets take from the standard in force. */
export interface BenchStandard {
  id: string;
  productLines: string[];
  /** Procedure steps a completion report must confirm. */
  requiredSteps: string[];
  usualDailyJobs: number;
}

export async function standardInForce(url: string): Promise<BenchStandard> {
  const operator = await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h');
  const s = (
    await post(
      url,
      operator,
      `{ standardInForce { id productLines { code } procedure { code requiredInCompletion } licencePolicy { ` +
        `usualDailyJobs } } }`,
    )
  )['standardInForce'];
  return {
    id: s.id,
    productLines: s.productLines.map((l: { code: string }) => l.code),
    requiredSteps: s.procedure
      .filter((p: { requiredInCompletion: boolean }) => p.requiredInCompletion)
      .map((p: { code: string }) => p.code),
    usualDailyJobs: s.licencePolicy.usualDailyJobs,
  };
}
