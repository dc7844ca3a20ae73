/**
 * Fault injection on a real stack of the suite's own: while a bounded mixed load of reads and
 * ticket steps runs through the gateway, each fault in turn —
 *
 *   1. a subgraph hung (SIGSTOP) for a while, then resumed (SIGCONT);
 *   2. the same subgraph killed (SIGKILL), left for the launcher to notice and restart;
 *   3. the Temporal server killed, then started again;
 *   4. FerretDB killed, then started again —
 *
 * every response must be correct or a clear UNAVAILABLE (or a retryable "still in progress" for an
 * idempotency key whose first try is still running), a request must not wait past the configured
 * timeout once the subgraph's circuit is open, and the platform must recover by itself. After all
 * four, nothing is lost or doubled: every ticket is at the version its steps make, each timeline
 * event once, each engineer's licence evidence once. Each fault's figures are printed (and written
 * to <logDir>/fault-figures.json).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, DEV_SIGNING_SECRET, type Claims, type Role } from '@starline/common';
import { startStack, type Stack } from '../../infra/src/stack.ts';
import { freeStackPorts, httpOk } from '../../infra/src/processes.ts';
import { gql as post, tokenFor, type GqlResponse } from './client.ts';

/** The gateway's bounds for this stack: short, so the suite is short. */
const TIMEOUT_MS = 2_000;
const BREAKER = { failures: 3, cooldownMs: 1_000 };
/** The subgraph hung and killed (reads of it in the load; its activities serve ticket dispatch). */
const VICTIM = 'network';
const run = `${process.pid}-${Date.now() % 100000}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'starline-faults-'));

let stack: Stack;
let portBase: number;

/** Every span the stack's processes export (OTLP/HTTP JSON), as service name, trace id and span name. */
const spans: { service: string; traceId: string; name: string }[] = [];
let collector: Server;
async function startCollector(): Promise<string> {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: {
            resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
            scopeSpans?: { spans?: { traceId: string; name: string }[] }[];
          }[];
        };
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? [])
            for (const sp of ss.spans ?? []) spans.push({ service, traceId: sp.traceId, name: sp.name });
        }
      } catch {
        /* not JSON: not ours to judge */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
}
const gql = (query: string, variables: Record<string, unknown>, token: string) =>
  post(query, variables, { token, url: stack.gatewayUrl });
const token = (role: Role, extra: Partial<Claims> = {}) => tokenFor(role, extra);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const ports = await freeStackPorts();
  portBase = ports.portBase;
  const otlp = await startCollector();
  stack = await startStack({
    dataDir,
    ...ports,
    env: {
      LOG_LEVEL: 'warn',
      JWT_SECRET: DEV_JWT_SECRET,
      GATEWAY_SIGNING_SECRET: DEV_SIGNING_SECRET,
      GATEWAY_RATE_LIMIT_PER_MINUTE: '0', // the load is one client per role
      GATEWAY_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      GATEWAY_BREAKER_FAILURES: String(BREAKER.failures),
      GATEWAY_BREAKER_COOLDOWN_MS: String(BREAKER.cooldownMs),
      MONGODB_TIMEOUT_MS: '1000', // within the gateway's timeout: the service names the database itself
      // Traces exported to the collector above, every second.
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    },
  }).catch((error: Error) => {
    const name = error.message.split(':')[0]!;
    const log = path.join(dataDir, 'logs', `${name}.log`);
    throw new Error(
      `${error.message}${existsSync(log) ? `\n${readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}` : ''}`,
    );
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  collector?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

// ---- what the load records -----------------------------------------------------------------------

type Verdict = 'correct' | 'unavailable' | 'in-progress' | 'wrong';
interface Sample {
  at: number;
  ms: number;
  what: string;
  verdict: Verdict;
  /** Answered by an open circuit without calling the subgraph. */
  fastFail: boolean;
  /** What UNAVAILABLE named (extensions.service). */
  service?: string;
  detail?: string;
}
const samples: Sample[] = [];

/** Sends one request and judges its answer; `check` says whether data is the right answer. */
async function judged(
  what: string,
  query: string,
  variables: Record<string, unknown>,
  tok: string,
  check: (data: any) => boolean,
): Promise<{ verdict: Verdict; data: any }> {
  const at = Date.now();
  const res: GqlResponse = await gql(query, variables, tok).catch((error: Error) => ({
    status: 0,
    data: null,
    errors: [{ message: error.message }],
    codes: ['NETWORK'],
  }));
  const ms = Date.now() - at;
  const errors = res.errors ?? [];
  let verdict: Verdict;
  if (!errors.length && res.data && check(res.data)) verdict = 'correct';
  else if (
    errors.length &&
    errors.every((e) => e.extensions?.code === 'UNAVAILABLE' && typeof e.extensions['service'] === 'string')
  )
    verdict = 'unavailable';
  else if (
    errors.length &&
    errors.every((e) => e.extensions?.code === 'CONFLICT' && /still in progress/.test(e.message))
  )
    verdict = 'in-progress';
  else verdict = 'wrong';
  const fastFail = errors.some((e) => /failing fast/.test(e.message));
  const service = verdict === 'unavailable' ? String(errors[0]!.extensions!['service']) : undefined;
  samples.push({
    at,
    ms,
    what,
    verdict,
    fastFail,
    ...(service ? { service } : {}),
    ...(verdict === 'wrong'
      ? { detail: JSON.stringify({ status: res.status, data: res.data, errors }).slice(0, 500) }
      : {}),
  });
  return { verdict, data: res.data };
}

// ---- the load ------------------------------------------------------------------------------------

interface World {
  operator: string;
  callCentre: string;
  partner: string;
  centreId: string;
  productLine: string;
  required: string[];
  engineers: { id: string; token: string; evidence: number }[];
}

const WORKERS = 3;
const JOBS_PER_ENGINEER = 7;
const ENGINEERS_PER_WORKER = 5;

const VIEW = 'id version state';
const M = {
  receive: `mutation($input: IntakeInput!, $key: String) { receiveTicket(input: $input, idempotencyKey: $key) { ${VIEW} } }`,
  accept: `mutation($id: ID!, $v: Int!, $key: String) { acceptJob(id: $id, version: $v, idempotencyKey: $key) { ${VIEW} } }`,
  contact: `mutation($id: ID!, $v: Int!, $key: String) { recordContact(id: $id, version: $v, idempotencyKey: $key) { ${VIEW} } }`,
  book: `mutation($id: ID!, $v: Int!, $key: String, $w: AppointmentInput!) { bookAppointment(id: $id, window: $w, version: $v, idempotencyKey: $key) { ${VIEW} } }`,
  assign: `mutation($id: ID!, $v: Int!, $key: String, $e: ID!) { assignEngineer(id: $id, engineerId: $e, version: $v, idempotencyKey: $key) { ${VIEW} } }`,
  checkIn: `mutation($id: ID!, $v: Int!, $key: String) { checkIn(id: $id, version: $v, idempotencyKey: $key) { ${VIEW} } }`,
  complete: `mutation($id: ID!, $v: Int!, $key: String, $r: CompletionInput!) { completeJob(id: $id, report: $r, version: $v, idempotencyKey: $key) { ${VIEW} } }`,
};
const TICKET = 'query($id: ID!) { ticket(id: $id) { id version state timeline { type } } }';

/** A journey's record: the ticket and the version its confirmed steps brought it to. */
interface Journey {
  id: string;
  version: number;
  state: string;
  engineer: string;
  evidence: boolean;
}
const journeys: Journey[] = [];
let stopping = false;

/** Sends a step until it is answered correctly, retrying UNAVAILABLE and in-progress with the same key. */
async function step(
  what: string,
  query: string,
  variables: Record<string, unknown>,
  tok: string,
  expect: (d: any) => boolean,
): Promise<any> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { verdict, data } = await judged(what, query, variables, tok, expect);
    if (verdict === 'correct') return Object.values(data)[0];
    if (verdict === 'wrong' || Date.now() > deadline)
      throw new Error(`${what}: ${samples.at(-1)!.detail ?? 'no correct answer before the deadline'}`);
    await sleep(250);
  }
}

async function journey(w: World, worker: number, n: number): Promise<void> {
  const key = (s: string) => `fault-${run}-${worker}-${n}-${s}`;
  // A worker moves to its next engineer before the usual daily cap of 8 jobs would refuse the assignment.
  const engineer = w.engineers[worker + WORKERS * Math.floor(n / JOBS_PER_ENGINEER)]!;
  // Some completions leave a step out: licence evidence (2 points each). At most two per engineer, so
  // the licence stays NORMAL (12 − 4 > 6): a WARNING licence would cap the engineer's jobs a day.
  const evidence = n % 3 === 0 && engineer.evidence < 2;
  const intake = {
    customer: { name: '张伟', phone: '13800138000', address: '上海市浦东新区张江路 100 号', regionCode: '310115' },
    productLine: w.productLine,
    model: 'KFR-35GW',
    serialNumber: `SN-F-${run}-${worker}-${n}`,
    purchaseDate: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    serviceType: 'REPAIR',
    areaClass: 'URBAN',
    faultDescription: 'not cooling',
  };
  // A retried intake answers the ticket as it is now: already dispatched, perhaps.
  const received = await step(
    'receiveTicket',
    M.receive,
    { input: intake, key: key('receive') },
    w.callCentre,
    (d) => d.receiveTicket?.version >= 1,
  );
  const j: Journey = {
    id: received.id,
    version: received.version,
    state: received.state,
    engineer: engineer.id,
    evidence,
  };
  journeys.push(j);
  // Dispatch is the workflow's: wait for the offer (it waits out a fault too).
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { verdict, data } = await judged('ticket', TICKET, { id: j.id }, w.operator, (d) => d.ticket?.id === j.id);
    if (verdict === 'correct' && data.ticket.version >= 2) break;
    if (verdict === 'wrong' || Date.now() > deadline)
      throw new Error(`dispatch of ${j.id}: ${samples.at(-1)!.detail ?? 'not offered'}`);
    await sleep(250);
  }
  j.version = 2;
  const from = new Date(Date.now() + 3_600_000);
  const window = { from: from.toISOString(), to: new Date(from.getTime() + 2 * 3_600_000).toISOString() };
  const steps: [string, string, Record<string, unknown>, string, string][] = [
    ['acceptJob', M.accept, {}, w.partner, 'ACCEPTED'],
    ['recordContact', M.contact, {}, w.partner, 'ACCEPTED'],
    ['bookAppointment', M.book, { w: window }, w.partner, 'BOOKED'],
    ['assignEngineer', M.assign, { e: engineer.id }, w.partner, 'ASSIGNED'],
    ['checkIn', M.checkIn, {}, engineer.token, 'ON_SITE'],
    ['completeJob', M.complete, {}, engineer.token, 'COMPLETED'],
  ];
  for (const [name, query, extra, tok, state] of steps) {
    // The report is made after the check-in (its time may not precede it), once: a retry sends the same.
    if (name === 'completeJob')
      extra['r'] = {
        workFinishedAt: new Date().toISOString(),
        faultCode: 'E1',
        checklist: evidence ? w.required.slice(1) : w.required,
      };
    const v = j.version;
    const done = await step(
      name,
      query,
      { id: j.id, v, key: key(name), ...extra },
      tok,
      (d) => d[name]?.version === v + 1 && d[name]?.state === state,
    );
    j.version = done.version;
    j.state = done.state;
  }
  if (evidence) engineer.evidence++;
}

/** Reads touching each subgraph, each checked; a loop per subgraph, so one hung subgraph slows no other's. */
function readLoops(w: World): Promise<void> {
  const reads: [string, string, (vars: World) => Record<string, unknown>, (d: any, vars: World) => boolean][] = [
    [
      'standards',
      '{ standardInForce { number } }',
      () => ({}),
      (d) => typeof d.standardInForce?.number === 'string' || typeof d.standardInForce?.number === 'number',
    ],
    [
      'network',
      'query($id: ID!) { serviceCentre(id: $id) { id status } }',
      (x) => ({ id: x.centreId }),
      (d, x) => d.serviceCentre?.id === x.centreId && d.serviceCentre.status === 'ACTIVE',
    ],
    [
      'certification',
      'query($id: ID!) { engineer(id: $id) { id } }',
      (x) => ({ id: x.engineers[0]!.id }),
      (d, x) => d.engineer?.id === x.engineers[0]!.id,
    ],
    ['tickets', TICKET, () => ({ id: journeys[0]!.id }), (d) => d.ticket?.id === journeys[0]!.id],
  ];
  return Promise.all(
    reads.map(async ([what, query, vars, check]) => {
      while (!stopping) {
        if (what !== 'tickets' || journeys.length)
          await judged(`read ${what}`, query, vars(w), w.operator, (d) => check(d, w));
        await sleep(100);
      }
    }),
  ).then(() => undefined);
}

// ---- the faults ----------------------------------------------------------------------------------

interface Figures {
  fault: string;
  correct: number;
  unavailable: number;
  inProgress: number;
  wrong: number;
  /** From the dependency's return to the first correct answer needing it. */
  recoverMs: number;
  /** Latency of the answers given by an open circuit. */
  openCircuitMs: { n: number; p50: number; max: number };
  /** The slowest answer of the fault's window. */
  slowestMs: number;
  /** UNAVAILABLE answers by the service they named. */
  named: Record<string, number>;
}

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : 0;

async function recovered(what: string, since: number, test: (s: Sample) => boolean): Promise<number> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const first = samples.find((s) => s.at >= since && s.verdict === 'correct' && test(s));
    if (first) return first.at + first.ms - since;
    if (Date.now() > deadline) throw new Error(`${what}: no correct answer within 90 s of the return`);
    await sleep(100);
  }
}

/** Waits until the tickets service's /ready reports `dependency` as `state`. */
async function readyReports(dependency: string, state: 'up' | 'down'): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = await fetch(`http://127.0.0.1:${portBase + 104}/ready`)
      .then((r) => r.json() as Promise<{ dependencies?: Record<string, string> }>)
      .catch(() => undefined);
    if (body?.dependencies?.[dependency] === state) return;
    if (Date.now() > deadline)
      throw new Error(`tickets /ready did not report ${dependency} ${state}: ${JSON.stringify(body)}`);
    await sleep(200);
  }
}

async function allReady(): Promise<boolean> {
  const ports = [0, 100, 101, 102, 103, 104, 105].map((o) => portBase + o);
  const answers = await Promise.all(ports.map((p) => httpOk(`http://127.0.0.1:${p}/ready`).catch(() => false)));
  return answers.every(Boolean);
}

async function faultWindow(
  fault: string,
  inject: () => Promise<void>,
  restore: () => Promise<void>,
  needs: (s: Sample) => boolean,
  holdMs = 5_000,
): Promise<Figures> {
  await sleep(1_500); // a baseline under load
  const start = Date.now();
  await inject();
  await sleep(holdMs);
  await restore();
  const returned = Date.now();
  const recoverMs = await recovered(fault, returned, needs);
  const deadline = Date.now() + 90_000;
  while (!(await allReady())) {
    if (Date.now() > deadline) throw new Error(`${fault}: not every process ready 90 s after the return`);
    await sleep(200);
  }
  await sleep(1_500);
  const window = samples.filter((s) => s.at >= start && s.at < Date.now());
  const open = window.filter((s) => s.fastFail).map((s) => s.ms);
  return {
    fault,
    correct: window.filter((s) => s.verdict === 'correct').length,
    unavailable: window.filter((s) => s.verdict === 'unavailable').length,
    inProgress: window.filter((s) => s.verdict === 'in-progress').length,
    wrong: window.filter((s) => s.verdict === 'wrong').length,
    recoverMs,
    openCircuitMs: { n: open.length, p50: pct(open, 0.5), max: Math.max(0, ...open) },
    slowestMs: Math.max(0, ...window.map((s) => s.ms)),
    named: window.reduce<Record<string, number>>(
      (acc, s) => (s.service ? { ...acc, [s.service]: (acc[s.service] ?? 0) + 1 } : acc),
      {},
    ),
  };
}

describe('faults under load', () => {
  it('answers correctly or UNAVAILABLE through each fault, recovers by itself, and loses or doubles nothing', async () => {
    // --- the world: an active centre, five certified engineers a worker, the standard's steps ---
    const operator = await token('OPERATOR');
    const standard = await gql(
      '{ standardInForce { productLines { code } procedure { code requiredInCompletion } } }',
      {},
      operator,
    );
    expect(standard.errors).toBeUndefined();
    const productLine: string = standard.data!.standardInForce.productLines[0].code;
    const required: string[] = standard
      .data!.standardInForce.procedure.filter((s: any) => s.requiredInCompletion)
      .map((s: any) => s.code);
    const created = await gql(
      'mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }',
      {
        input: {
          code: `E2E-FAULT-${run}`,
          name: 'Fault test centre',
          tier: 'CORE',
          region: '310000',
          serviceAreas: ['310115'],
          productLines: [productLine],
          dailyCapacity: 500,
          contact: { name: 'Han Meimei', phone: '13900139000' },
        },
      },
      operator,
    );
    expect(created.errors).toBeUndefined();
    const centreId: string = created.data!.createServiceCentre.id;
    expect(
      (
        await gql(
          'mutation($id: ID!) { activateServiceCentre(id: $id, reason: "fault test") { status } }',
          { id: centreId },
          operator,
        )
      ).errors,
    ).toBeUndefined();
    const engineers: World['engineers'] = [];
    for (let i = 0; i < WORKERS * ENGINEERS_PER_WORKER; i++) {
      const reg = await gql(
        'mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id } }',
        {
          input: {
            number: `F${run.replace(/\D/g, '').slice(0, 7)}${String(i).padStart(2, '0')}`,
            name: `Engineer ${i}`,
            centreId,
            certifications: [
              {
                productLine,
                issuedAt: new Date(Date.now() - 86_400_000).toISOString(),
                expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
              },
            ],
          },
        },
        operator,
      );
      expect(reg.errors).toBeUndefined();
      const id = reg.data!.registerEngineer.id as string;
      engineers.push({ id, token: await token('ENGINEER', { engineerId: id }), evidence: 0 });
    }
    const world: World = {
      operator,
      callCentre: await token('CALL_CENTRE'),
      partner: await token('PARTNER', { centreId }),
      centreId,
      productLine,
      required,
      engineers,
    };

    // --- the load: three ticket journeys back to back, and a read loop ---
    const failures: Error[] = [];
    const workers = [...Array(WORKERS).keys()].map(async (worker) => {
      for (let n = 0; !stopping && n < JOBS_PER_ENGINEER * ENGINEERS_PER_WORKER; n++)
        await journey(world, worker, n).catch((e: Error) => void failures.push(e));
    });
    const reads = readLoops(world);

    const figures: Figures[] = [];
    try {
      const reachesVictim = (s: Sample) => s.what === `read ${VICTIM}`;
      const mutation = (s: Sample) => !s.what.startsWith('read') && s.what !== 'ticket';
      // Held long enough for BREAKER.failures timeouts to open the circuit, and a while open after.
      const hang = BREAKER.failures * TIMEOUT_MS + 3_000;
      figures.push(
        await faultWindow(
          `${VICTIM} stopped (SIGSTOP)`,
          async () => stack.signal(VICTIM, 'SIGSTOP'),
          async () => stack.signal(VICTIM, 'SIGCONT'),
          reachesVictim,
          hang,
        ),
      );
      figures.push(
        await faultWindow(
          `${VICTIM} killed (SIGKILL; the launcher restarts it)`,
          () => stack.crash(VICTIM),
          async () => undefined,
          reachesVictim,
          0,
        ),
      );
      // /ready names the dependency that is down, while it is.
      const down = (name: 'temporal' | 'ferretdb', dependency: string) => async () => {
        await stack.kill(name);
        await readyReports(dependency, 'down');
      };
      figures.push(
        await faultWindow(
          'Temporal killed and restarted',
          down('temporal', 'temporal'),
          () => stack.restart('temporal'),
          mutation,
        ),
      );
      figures.push(
        await faultWindow(
          'FerretDB killed and restarted',
          down('ferretdb', 'database'),
          () => stack.restart('ferretdb'),
          (s) => s.what === 'read tickets' || mutation(s),
        ),
      );
    } finally {
      stopping = true;
      await Promise.all([...workers, reads]);
      console.log(JSON.stringify(figures, null, 2));
      writeFileSync(path.join(stack.logDir, 'fault-figures.json'), JSON.stringify(figures, null, 2));
    }

    const wrong = samples.filter((s) => s.verdict === 'wrong');
    expect(wrong.map((s) => `${s.what}: ${s.detail}`)).toEqual([]);
    expect(failures.map((e) => e.message)).toEqual([]);
    for (const f of figures) {
      expect(f.wrong, f.fault).toBe(0);
      expect(f.correct, f.fault).toBeGreaterThan(0);
      // Bounded: no answer waits much past the gateway's timeout, whatever is down.
      expect(f.slowestMs, f.fault).toBeLessThan(TIMEOUT_MS + 1_000);
    }
    // The hung subgraph: once its circuit opened, answers came at once, never after the timeout.
    expect(figures[0]!.openCircuitMs.n).toBeGreaterThan(0);
    expect(figures[0]!.openCircuitMs.max).toBeLessThan(TIMEOUT_MS);
    // Only the process killed on purpose was restarted: everything else recovered by itself.
    expect(stack.events().filter((e) => /died/.test(e))).toEqual([
      expect.stringMatching(new RegExp(`^${VICTIM} died \\(signal SIGKILL\\)`)),
    ]);

    // --- nothing lost or doubled ---
    expect(journeys.length).toBeGreaterThan(3);
    for (const j of journeys) {
      const t = await gql(TICKET, { id: j.id }, operator);
      expect(t.errors).toBeUndefined();
      const ticket = t.data!.ticket;
      expect({ id: ticket.id, version: ticket.version, state: ticket.state }).toEqual({
        id: j.id,
        version: j.version,
        state: j.state,
      });
      const types: string[] = ticket.timeline.map((e: any) => e.type);
      expect(new Set(types).size, `each event once: ${types.join(', ')}`).toBe(types.length);
    }
    // Evidence reaches the licence through the workflow after completeJob answered: wait for it to settle.
    for (const e of engineers) {
      const expected = journeys
        .filter((j) => j.engineer === e.id && j.evidence && j.state === 'COMPLETED')
        .map((j) => `ticket:${j.id}:NON_STANDARD_SERVICE`)
        .sort();
      let keys: string[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
        const lic = await gql(
          'query($e: ID!) { engineer(id: $e) { licence { ledger { code evidenceKey } } } }',
          { e: e.id },
          operator,
        );
        expect(lic.errors).toBeUndefined();
        keys = lic
          .data!.engineer.licence.ledger.map((l: any) => l.evidenceKey as string)
          .filter((k: string) => k.startsWith('ticket:'))
          .sort();
        if (keys.length >= expected.length) break;
      }
      expect(keys).toEqual(expected);
    }

    // --- one trace per request, end to end: the gateway, the tickets subgraph, the workflow, its
    // activity and the MongoDB commands of a ticket step share one trace id ---
    const complete = (traceId: string) => {
      const of = spans.filter((x) => x.traceId === traceId);
      return (
        of.some((x) => x.service === 'starline-gateway' && x.name === 'POST /graphql') &&
        of.some((x) => x.service === 'starline-tickets' && x.name === 'graphql tickets') &&
        of.some((x) => x.service === 'starline-workflows' && /^(HandleUpdate|RunWorkflow)/.test(x.name)) &&
        of.some((x) => x.service === 'starline-tickets' && x.name.startsWith('RunActivity:')) &&
        of.some((x) => x.name.startsWith('mongodb '))
      );
    };
    let whole: string | undefined;
    for (const deadline = Date.now() + 20_000; !whole && Date.now() < deadline; await sleep(500)) {
      whole = [...new Set(spans.filter((x) => x.service === 'starline-gateway').map((x) => x.traceId))].find(complete);
    }
    expect(whole, `no complete trace among ${spans.length} spans`).toBeDefined();
    console.log(
      'one trace:',
      [
        ...new Set(
          spans.filter((x) => x.traceId === whole).map((x) => `${x.service.replace('starline-', '')}:${x.name}`),
        ),
      ].join(', '),
    );
  }, 600_000);
});
