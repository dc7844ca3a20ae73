/**
 * Ticket lifecycle throughput (a benchmark, not a timed test). Starts the
 * whole platform with the project's launcher on a throwaway data folder and free ports, seeds a
 * small network through the gateway (BENCH_CENTRES ACTIVE centres covering one district for one
 * product line, each with BENCH_ENGINEERS certified engineers), then drives BENCH_TICKETS tickets,
 * BENCH_CONCURRENCY at a time, from intake to quality check through the gateway and the real
 * lifecycle workflows on Temporal:
 *   receiveTicket (call centre) → dispatched by the workflow (polled) → acceptJob, bookAppointment,
 *   assignEngineer (the centre) → checkIn, completeJob (the engineer; every other ticket replaces a
 *   warranty part) → recordCallback SATISFIED (call centre) → returnOldPart, recordAutopsy (HQ, when
 *   a part was replaced) → qualityCheck (HQ): CLOSED and PAYABLE.
 * Reports tickets per second end to end, the intake mutation's p50/p99 (target p99 < 150 ms) and
 * every other step's, and — in the same run, on the same Temporal server and workflow worker — the
 * throughput of a no-op workflow (workflows/src/bench-noop.ts) started and awaited with the same
 * concurrency, and the ratio of the two (target ≥ 0.3). Every answer is checked (state, version,
 * centre, settlement); a wrong one stops the run with exit code 1.
 *   node test/bench/ticket-lifecycle.ts          (or ./starline bench:tickets)
 * Settings (defaults): BENCH_TICKETS (200), BENCH_CONCURRENCY (8), BENCH_NOOP (1000) no-op
 * workflows, BENCH_WARMUP (4) tickets and no-ops driven first and not counted, BENCH_CENTRES (3),
 * BENCH_ENGINEERS (4) per centre, BENCH_DISPATCH_TIMEOUT_S (60) for one ticket's dispatch.
 * Prints a table, then the figures as JSON on the last line.
 */
import { TASK_QUEUES, connectTemporalClient, env, mintToken, DEV_JWT_SECRET } from '@starline/common';
import {
  cpuMsPer,
  cpuSeconds,
  latency,
  loadAverage,
  pool,
  post,
  seedNetwork,
  sleep,
  standardInForce,
  startBenchStack,
  type SeededCentre,
} from './support.ts';

const TICKETS = Number(process.env['BENCH_TICKETS'] ?? 200);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const NOOP = Number(process.env['BENCH_NOOP'] ?? 1000);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 4);
const CENTRES = Number(process.env['BENCH_CENTRES'] ?? 3);
const ENGINEERS = Number(process.env['BENCH_ENGINEERS'] ?? 4);
const DISPATCH_TIMEOUT_S = Number(process.env['BENCH_DISPATCH_TIMEOUT_S'] ?? 60);
const TARGET_INTAKE_P99_MS = 150;
const TARGET_RATIO = 0.3;
const REGION = '310115';
const DAY_MS = 86_400_000;
/** Appointments are spread over this many days ahead (≤ 30 allowed), so no engineer exceeds the daily cap. */
const DAYS = 28;

const T = 'id version state centreId engineerId';
const Q = {
  receive:
    `mutation ($input: IntakeInput!, $key: String) { receiveTicket(input: $input, idempotencyKey: $key) { ` +
    `${T} warranty } }`,
  ticket: `query ($id: ID!) { ticket(id: $id) { ${T} } }`,
  accept:
    `mutation ($id: ID!, $v: Int!, $key: String) { acceptJob(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${T} } }`,
  book:
    `mutation ($id: ID!, $w: AppointmentInput!, $v: Int!, $key: String) { bookAppointment(id: $id, window: ` +
    `$w, version: $v, idempotencyKey: $key) { ${T} } }`,
  assign:
    `mutation ($id: ID!, $e: ID!, $v: Int!, $key: String) { assignEngineer(id: $id, engineerId: $e, version: ` +
    `$v, idempotencyKey: $key) { ${T} } }`,
  checkIn:
    `mutation ($id: ID!, $v: Int!, $key: String) { checkIn(id: $id, version: $v, idempotencyKey: $key) { ${T} ` + `} }`,
  complete:
    `mutation ($id: ID!, $r: CompletionInput!, $v: Int!, $key: String) { completeJob(id: $id, report: $r, ` +
    `version: $v, idempotencyKey: $key) { ${T} } }`,
  callback:
    `mutation ($id: ID!, $v: Int!, $key: String) { recordCallback(id: $id, answer: SATISFIED, version: $v, ` +
    `idempotencyKey: $key) { ${T} } }`,
  returnPart:
    `mutation ($id: ID!, $v: Int!, $key: String) { returnOldPart(id: $id, version: $v, idempotencyKey: $key) ` +
    `{ ${T} } }`,
  autopsy:
    `mutation ($id: ID!, $v: Int!, $key: String) { recordAutopsy(id: $id, consistent: true, note: "part ` +
    `failed as reported", version: $v, idempotencyKey: $key) { ${T} } }`,
  qualityCheck:
    `mutation ($id: ID!, $v: Int!, $key: String) { qualityCheck(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${T} settlement { status reasons } } }`,
};
const STEPS = [
  'intake',
  'dispatch wait',
  'accept',
  'book',
  'assign',
  'check in',
  'complete',
  'callback',
  'return old part',
  'autopsy',
  'quality check',
] as const;
type Step = (typeof STEPS)[number];

interface TicketView {
  id: string;
  version: number;
  state: string;
  centreId: string | null;
  engineerId: string | null;
  [k: string]: unknown;
}

async function main(): Promise<void> {
  // The no-op baseline workflow is bundled only for benchmark stacks.
  const bench = await startBenchStack('starline-bench-tickets-', { STARLINE_BENCH_WORKFLOWS: 'true' });
  const { stack } = bench;
  await bench.run(async () => {
    const url = stack.gatewayUrl;
    const run = Date.now().toString(36);
    const standard = await standardInForce(url);
    const productLine = standard.productLines.includes('AIR_CONDITIONER')
      ? 'AIR_CONDITIONER'
      : standard.productLines[0]!;
    const capPerDay = standard.usualDailyJobs;
    if (ENGINEERS * CENTRES * DAYS * capPerDay < TICKETS + WARMUP)
      throw new Error('too few engineers for the tickets within the daily caps: raise BENCH_ENGINEERS');
    let began = performance.now();
    const centres = await seedNetwork(url, {
      run,
      centres: CENTRES,
      engineers: ENGINEERS,
      regionCode: REGION,
      productLine,
      dailyCapacity: 1_000,
    });
    const seedSeconds = (performance.now() - began) / 1000;
    process.stderr.write(`seeded ${CENTRES} centres with ${ENGINEERS} engineers each in ${seedSeconds.toFixed(1)} s\n`);
    const byId = new Map(centres.map((c) => [c.id, c]));

    const tokens = {
      callCentre: await mintToken({ sub: 'bench-call-centre', roles: ['CALL_CENTRE'] }, DEV_JWT_SECRET, '8h'),
      operator: await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h'),
    };
    /** Jobs given to each engineer per appointment day (the certification service's daily cap). */
    const load = new Map<string, number>();
    const pickEngineer = (centre: SeededCentre, day: number) => {
      const free = centre.engineers.find((e) => (load.get(`${e.id}:${day}`) ?? 0) < capPerDay);
      if (!free) throw new Error(`no engineer of ${centre.code} free on day ${day}`);
      load.set(`${free.id}:${day}`, (load.get(`${free.id}:${day}`) ?? 0) + 1);
      return free;
    };

    const stepMs = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
    const endToEndMs: number[] = [];
    const settlements: Record<string, number> = {};
    const perCentre: Record<string, number> = {};

    /** One ticket, intake to quality check; `measured` false for the warm-up. */
    async function drive(i: number, measured: boolean): Promise<void> {
      const key = (step: string) => `bench-${run}-${measured ? 'm' : 'w'}${i}-${step}`;
      const timed = async (
        step: Step,
        token: string,
        query: string,
        vars: Record<string, unknown>,
        expect: (t: TicketView) => boolean,
      ): Promise<TicketView> => {
        const t0 = performance.now();
        const data = await post(url, token, query, vars);
        const ms = performance.now() - t0;
        const t = Object.values(data)[0] as TicketView;
        if (!t || !expect(t))
          throw new Error(`ticket ${i}, ${step}: unexpected answer ${JSON.stringify(data).slice(0, 500)}`);
        if (measured) stepMs.get(step)!.push(ms);
        return t;
      };
      const next = (t: TicketView, state: string) => (u: TicketView) =>
        u.id === t.id && u.state === state && u.version === t.version + 1;
      const start = performance.now();
      const partWarranty = i % 2 === 0;
      const received = await timed(
        'intake',
        tokens.callCentre,
        Q.receive,
        {
          key: key('intake'),
          input: {
            customer: {
              name: '张伟',
              phone: '13800138000',
              address: '上海市浦东新区张江路 100 号',
              regionCode: REGION,
            },
            productLine,
            model: 'KFR-35GW',
            serialNumber: `BN${run.toUpperCase()}-${measured ? 'M' : 'W'}${i}`,
            purchaseDate: new Date(Date.now() - 60 * DAY_MS).toISOString(),
            serviceType: 'REPAIR',
            areaClass: 'URBAN',
            faultDescription: 'not cooling',
          },
        },
        (t) => t.state === 'RECEIVED' && t.version === 1 && t['warranty'] === 'IN_WARRANTY',
      );

      // Dispatch is the workflow's: poll the ticket until it is offered, every 100 ms (a tighter loop only adds load).
      const waitFrom = performance.now();
      let offered = received;
      while (offered.state !== 'OFFERED' || !offered.centreId) {
        if (performance.now() - waitFrom > DISPATCH_TIMEOUT_S * 1000)
          throw new Error(`ticket ${i} was not dispatched within ${DISPATCH_TIMEOUT_S} s: ${JSON.stringify(offered)}`);
        if (!['RECEIVED', 'OFFERED'].includes(offered.state))
          throw new Error(`ticket ${i} went ${offered.state} instead of being offered: ${JSON.stringify(offered)}`);
        await sleep(100);
        offered = (await post(url, tokens.operator, Q.ticket, { id: received.id }))['ticket'] as TicketView;
      }
      if (measured) stepMs.get('dispatch wait')!.push(performance.now() - waitFrom);
      const centre = byId.get(offered.centreId!);
      if (!centre)
        throw new Error(`ticket ${i} was offered to ${offered.centreId}, not one of the benchmark's centres`);
      perCentre[centre.code] = (perCentre[centre.code] ?? 0) + 1;

      const day = 1 + (i % DAYS);
      const from = new Date(Math.ceil((Date.now() + day * DAY_MS) / 3_600_000) * 3_600_000);
      const engineer = pickEngineer(centre, day);
      let t = await timed(
        'accept',
        centre.partner,
        Q.accept,
        { id: offered.id, v: offered.version, key: key('accept') },
        next(offered, 'ACCEPTED'),
      );
      t = await timed(
        'book',
        centre.partner,
        Q.book,
        {
          id: t.id,
          v: t.version,
          key: key('book'),
          w: { from: from.toISOString(), to: new Date(from.getTime() + 2 * 3_600_000).toISOString() },
        },
        next(t, 'BOOKED'),
      );
      t = await timed(
        'assign',
        centre.partner,
        Q.assign,
        { id: t.id, v: t.version, key: key('assign'), e: engineer.id },
        (u) => next(t, 'ASSIGNED')(u) && u.engineerId === engineer.id,
      );
      t = await timed(
        'check in',
        engineer.token,
        Q.checkIn,
        { id: t.id, v: t.version, key: key('checkin') },
        next(t, 'ON_SITE'),
      );
      const report = {
        workFinishedAt: new Date().toISOString(),
        checklist: standard.requiredSteps,
        faultCode: 'E1',
        parts: partWarranty
          ? [{ partNumber: 'P-100', oldPartSerial: `OLD-${run.toUpperCase()}-${i}`, quantity: 1 }]
          : [],
        charges: [],
      };
      t = await timed(
        'complete',
        engineer.token,
        Q.complete,
        { id: t.id, v: t.version, key: key('complete'), r: report },
        next(t, 'COMPLETED'),
      );
      t = await timed(
        'callback',
        tokens.callCentre,
        Q.callback,
        { id: t.id, v: t.version, key: key('callback') },
        next(t, 'CALLED_BACK'),
      );
      if (partWarranty) {
        t = await timed(
          'return old part',
          tokens.operator,
          Q.returnPart,
          { id: t.id, v: t.version, key: key('return') },
          next(t, 'CALLED_BACK'),
        );
        t = await timed(
          'autopsy',
          tokens.operator,
          Q.autopsy,
          { id: t.id, v: t.version, key: key('autopsy') },
          next(t, 'CALLED_BACK'),
        );
      }
      t = await timed(
        'quality check',
        tokens.operator,
        Q.qualityCheck,
        { id: t.id, v: t.version, key: key('qc') },
        next(t, 'CLOSED'),
      );
      const settlement = (t['settlement'] as { status: string; reasons: string[] }).status;
      // A clean job (report in time, full checklist, satisfied callback, consistent autopsy) is payable.
      if (settlement !== 'PAYABLE')
        throw new Error(`ticket ${i} closed ${settlement}, not PAYABLE: ${JSON.stringify(t['settlement'])}`);
      if (measured) {
        settlements[settlement] = (settlements[settlement] ?? 0) + 1;
        endToEndMs.push(performance.now() - start);
      }
    }

    // ---------------- the baseline: no-op workflows on the same server and workflow worker
    const client = await connectTemporalClient({
      address: stack.temporalAddress,
      namespace: env('TEMPORAL_NAMESPACE', 'default'),
    });
    const noop = (id: string) =>
      client.workflow.execute('benchNoop', { taskQueue: TASK_QUEUES.workflows, workflowId: id, args: [] });
    let noopFigures: {
      workflows: number;
      seconds: number;
      perSecond: number;
      latency: ReturnType<typeof latency>;
      cpuMsPerWorkflow: Record<string, number>;
    };
    let lifecycle: { tickets: number; seconds: number; perSecond: number; cpuMsPerTicket: Record<string, number> };
    try {
      process.stderr.write(`no-op workflows: ${WARMUP} warm-up, then ${NOOP} at concurrency ${CONCURRENCY}…\n`);
      for (let i = 0; i < WARMUP; i++) await noop(`bench-noop-${run}-w${i}`);
      const noopMs: number[] = [];
      let cpu = cpuSeconds(stack);
      began = performance.now();
      await pool(NOOP, CONCURRENCY, async (i) => {
        const t0 = performance.now();
        await noop(`bench-noop-${run}-${i}`);
        noopMs.push(performance.now() - t0);
      });
      let seconds = (performance.now() - began) / 1000;
      noopFigures = {
        workflows: NOOP,
        seconds: +seconds.toFixed(2),
        perSecond: +(NOOP / seconds).toFixed(2),
        latency: latency(noopMs),
        cpuMsPerWorkflow: cpuMsPer(cpu, cpuSeconds(stack), NOOP),
      };

      process.stderr.write(`tickets: ${WARMUP} warm-up, then ${TICKETS} at concurrency ${CONCURRENCY}…\n`);
      for (let i = 0; i < WARMUP; i++) await drive(i, false);
      let reported = performance.now();
      cpu = cpuSeconds(stack);
      began = performance.now();
      await pool(TICKETS, CONCURRENCY, async (i) => {
        await drive(i, true);
        if (performance.now() - reported > 15_000) {
          reported = performance.now();
          process.stderr.write(
            `  ${endToEndMs.length} tickets closed, ${((performance.now() - began) / 1000).toFixed(0)} s\n`,
          );
        }
      });
      seconds = (performance.now() - began) / 1000;
      lifecycle = {
        tickets: TICKETS,
        seconds: +seconds.toFixed(2),
        perSecond: +(TICKETS / seconds).toFixed(3),
        cpuMsPerTicket: cpuMsPer(cpu, cpuSeconds(stack), TICKETS),
      };
    } finally {
      await client.connection.close();
    }

    const ratio = +(lifecycle.perSecond / noopFigures.perSecond).toFixed(3);
    const intake = latency(stepMs.get('intake')!);
    const loadNow = loadAverage();
    console.log(
      `\n${TICKETS} tickets, intake to quality check through the gateway and Temporal, ${CONCURRENCY} at a ` +
        `time (${WARMUP} warm-up not counted);`,
    );
    console.log(
      `${CENTRES} centres × ${ENGINEERS} engineers, ${productLine} in ${REGION}; tickets per centre: ` +
        `${JSON.stringify(perCentre)}; load average ${loadNow}\n`,
    );
    console.log('step                   count     p50 ms     p99 ms     max ms');
    const row = (name: string, l: ReturnType<typeof latency>) => {
      const cell = (v: number | null) => (v === null ? '-' : v.toFixed(1)).padStart(11);
      console.log(`${name.padEnd(20)}${String(l.n).padStart(8)}${cell(l.p50Ms)}${cell(l.p99Ms)}${cell(l.maxMs)}`);
    };
    const steps = Object.fromEntries(STEPS.map((s) => [s, latency(stepMs.get(s)!)]));
    for (const s of STEPS) row(s, steps[s]!);
    row('ticket end to end', latency(endToEndMs));
    row('no-op workflow', noopFigures.latency);
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(`\nlifecycle: ${lifecycle.perSecond} tickets/s (${TICKETS} in ${lifecycle.seconds} s)`);
    console.log(`no-op workflow: ${noopFigures.perSecond} workflows/s (${NOOP} in ${noopFigures.seconds} s)`);
    // Where the time goes: the machine has two cores, so CPU time per ticket bounds the throughput.
    console.log(`CPU ms per ticket by process: ${JSON.stringify(lifecycle.cpuMsPerTicket)}`);
    console.log(`CPU ms per no-op workflow by process: ${JSON.stringify(noopFigures.cpuMsPerWorkflow)}`);
    console.log(`ratio tickets/no-op: ${ratio} (target >= ${TARGET_RATIO}: ${verdict(ratio >= TARGET_RATIO)})`);
    console.log(
      `intake p99: ${intake.p99Ms} ms (target < ${TARGET_INTAKE_P99_MS} ms: ` +
        `${verdict((intake.p99Ms ?? Infinity) < TARGET_INTAKE_P99_MS)})`,
    );
    console.log(
      JSON.stringify({
        tickets: TICKETS,
        concurrency: CONCURRENCY,
        warmup: WARMUP,
        centres: CENTRES,
        engineersPerCentre: ENGINEERS,
        loadAverage: loadNow,
        seedSeconds: +seedSeconds.toFixed(1),
        lifecycle,
        noop: noopFigures,
        ratio,
        targetRatio: TARGET_RATIO,
        intake,
        targetIntakeP99Ms: TARGET_INTAKE_P99_MS,
        steps,
        endToEnd: latency(endToEndMs),
        settlements,
        perCentre,
      }),
    );
  });
}

await main();
