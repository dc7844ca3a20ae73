/**
 * Partner job sync (a benchmark, not a timed test). Starts the whole
 * platform with the project's launcher on a throwaway data folder and free ports, seeds one ACTIVE
 * centre with engineers through the gateway, then:
 *   1. receives BENCH_PUSH_TICKETS tickets through the gateway (call centre); their lifecycle
 *      workflows dispatch them to the centre (one change each on its feed);
 *   2. fills the centre's feed up to BENCH_CHANGES changes with more tickets driven through the
 *      tickets service's own store and activities, in this process (`createTicketsStore` +
 *      `receive` + `insertTicket`, then `applyTicketCommand` DISPATCH, ACCEPT, BOOK, ASSIGN,
 *      CHECK_IN, COMPLETE, CALLBACK_ATTEMPT, QUALITY_CHECK: eight changes a ticket, written exactly
 *      as the service writes them, without their workflows), under the standard in force (asked
 *      of the standards service through Temporal, as the tickets service does);
 *   3. pulls the whole feed through the gateway as the partner with `jobChanges(since, first: 500)`
 *      (the largest page the API allows), BENCH_PULLS times each with the ticket fields of the sync
 *      loop in docs/partner-sync.md and without `ticket`, checking every change came exactly once,
 *      in order, and that the set is exactly what was written (target: all 10,000 in < 2 s);
 *   4. pushes 5 updates to each pushed ticket (ACCEPT, BOOK, ASSIGN, CHECK_IN, COMPLETE: 1,000 for
 *      200 tickets) with `pushJobUpdates` in batches of BENCH_BATCH (max 100), one batch at a time as
 *      a partner system would, checking every per-item result is ok with the expected version and
 *      state, then pulls again from the stored cursor and checks exactly those changes arrive.
 * Any wrong answer ends the run with exit code 1.
 *   node test/bench/partner-sync.ts          (or ./starline bench:sync)
 * Settings (defaults): BENCH_CHANGES (10000), BENCH_PUSH_TICKETS (200), BENCH_BATCH (100),
 * BENCH_PULLS (3), BENCH_SEED_CONCURRENCY (4), BENCH_CONCURRENCY (8) for the intakes.
 * Prints a table, then the figures as JSON on the last line.
 */
import { randomUUID } from 'node:crypto';
import {
  DEV_JWT_SECRET,
  TASK_QUEUES,
  connectDatabase,
  connectTemporalClient,
  env,
  mintToken,
  type TicketPolicyInput,
} from '@starline/common';
import { createTicketsActivities } from '../../services/tickets/src/activities.ts';
import { receive } from '../../services/tickets/src/rules/intake.ts';
import type { TicketPolicy } from '../../services/tickets/src/rules/policy.ts';
import { changeId, putInBuckets, type ChangeRecord } from '../../services/tickets/src/store/changes.ts';
import {
  changeBucketModel,
  changeModel,
  feedHeadModel,
  numberModel,
  receiptModel,
  ticketModel,
  type TicketDoc,
} from '../../services/tickets/src/store/models.ts';
import { createTicketsStore } from '../../services/tickets/src/store/tickets.ts';
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
} from './support.ts';

const CHANGES = Number(process.env['BENCH_CHANGES'] ?? 10_000);
const PUSH_TICKETS = Number(process.env['BENCH_PUSH_TICKETS'] ?? 200);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 100);
const PULLS = Number(process.env['BENCH_PULLS'] ?? 3);
const SEED_CONCURRENCY = Number(process.env['BENCH_SEED_CONCURRENCY'] ?? 4);
/** Tickets driven through the store and activities; the rest of the feed copies them. */
const TEMPLATES = Number(process.env['BENCH_TEMPLATES'] ?? 40);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
/** The largest `first` jobChanges accepts (docs/partner-sync.md: 1–500). */
const PAGE = 500;
const TARGET_PULL_S = 2;
const REGION = '310115';
const DAY_MS = 86_400_000;
const DAYS = 28;
const STEPS_PER_PUSHED_TICKET = 5;

const PULL_FULL = `query ($since: String, $first: Int) { jobChanges(since: $since, first: $first) {
  cursor hasMore
  changes {
    cursor ticketId version state centreId events at
    ticket { id number version state appointment { from to } customer { name phone address regionCode }
             product { productLine model serialNumber } serviceType faultDescription }
  } } }`;
const PULL_BARE = `query ($since: String, $first: Int) { jobChanges(since: $since, first: $first) {
  cursor hasMore changes { cursor ticketId version state centreId events at } } }`;
const RECEIVE =
  `mutation ($input: IntakeInput!, $key: String) { receiveTicket(input: $input, idempotencyKey: $key) { id ` +
  `version state } }`;
const TICKET = `query ($id: ID!) { ticket(id: $id) { id version state centreId } }`;
const PUSH = `mutation ($updates: [JobUpdateInput!]!) { pushJobUpdates(updates: $updates) {
  index idempotencyKey ticketId ok ticket { id version state } error { code message field currentState currentVersion }
  } }`;

interface Change {
  cursor: string;
  ticketId: string;
  version: number;
  state: string;
  centreId: string | null;
  events: string[];
  ticket?: { id: string; version: number } | null;
}

async function main(): Promise<void> {
  if (BATCH > PUSH_TICKETS || BATCH > 100)
    throw new Error('BENCH_BATCH must be at most 100 and at most BENCH_PUSH_TICKETS');
  const bench = await startBenchStack('starline-bench-sync-');
  const { stack, conns } = bench;
  await bench.run(async () => {
    const url = stack.gatewayUrl;
    const run = Date.now().toString(36);
    const standard = await standardInForce(url);
    const productLine = standard.productLines.includes('AIR_CONDITIONER')
      ? 'AIR_CONDITIONER'
      : standard.productLines[0]!;
    const [centre] = await seedNetwork(url, {
      run,
      centres: 1,
      engineers: 4,
      regionCode: REGION,
      productLine,
      dailyCapacity: 10_000,
    });
    const { partner } = centre!;
    const centreId = centre!.id;
    const callCentre = await mintToken({ sub: 'bench-call-centre', roles: ['CALL_CENTRE'] }, DEV_JWT_SECRET, '8h');
    const operator = await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h');
    const intakeInput = (serial: string) => ({
      customer: { name: '张伟', phone: '13800138000', address: '上海市浦东新区张江路 100 号', regionCode: REGION },
      productLine,
      model: 'KFR-35GW',
      serialNumber: serial,
      purchaseDate: new Date(Date.now() - 60 * DAY_MS).toISOString(),
      serviceType: 'REPAIR',
      areaClass: 'URBAN',
      faultDescription: 'not cooling',
    });
    /** What the feed must hold once seeded: `ticketId:version`. */
    const expected = new Set<string>();

    // ---------------- 1. the tickets the partner will push to: through the gateway and their workflows
    process.stderr.write(`receiving ${PUSH_TICKETS} tickets through the gateway and waiting for their dispatch…\n`);
    let began = performance.now();
    const pushed: { id: string; version: number }[] = [];
    await pool(PUSH_TICKETS, CONCURRENCY, async (i) => {
      const t = (
        await post(url, callCentre, RECEIVE, {
          key: `bench-${run}-push-${i}`,
          input: intakeInput(`BP${run.toUpperCase()}-${i}`),
        })
      )['receiveTicket'];
      const from = performance.now();
      let now = t;
      while (now.state !== 'OFFERED' || now.centreId !== centreId) {
        if (performance.now() - from > 120_000)
          throw new Error(`ticket ${t.id} was not offered to the centre within 120 s: ${JSON.stringify(now)}`);
        await sleep(50);
        now = (await post(url, operator, TICKET, { id: t.id }))['ticket'];
      }
      pushed[i] = { id: now.id, version: now.version };
      expected.add(`${now.id}:${now.version}`);
    });
    const pushSetupSeconds = (performance.now() - began) / 1000;

    // ---------------- 2. the rest of the feed: the tickets service's store and activities, in process
    const db = await connectDatabase(stack.mongodbUri, env('TICKETS_DB', 'starline_tickets'));
    conns.push(db);
    const store = createTicketsStore(db);
    const activities = createTicketsActivities(store);
    const client = await connectTemporalClient({
      address: stack.temporalAddress,
      namespace: env('TEMPORAL_NAMESPACE', 'default'),
    });
    let policy: TicketPolicyInput;
    try {
      // The standards service's answer, through the same relay the services use for request-time reads.
      const answer = (await client.workflow.execute('relayActivity', {
        taskQueue: TASK_QUEUES.workflows,
        workflowId: `bench-policy-${run}`,
        args: [
          { taskQueue: TASK_QUEUES.standards, activity: 'ticketPolicyAt', args: [{ at: new Date().toISOString() }] },
        ],
      })) as TicketPolicyInput & { validUntil?: string | null };
      const { validUntil: _validUntil, ...rest } = answer;
      policy = rest;
    } finally {
      await client.connection.close();
    }
    const headBefore = await store.feedHead(centreId);
    if (headBefore !== PUSH_TICKETS)
      throw new Error(`the centre's feed holds ${headBefore} changes after ${PUSH_TICKETS} dispatches`);
    const seedChanges = CHANGES - headBefore;
    const PLAN = [
      'DISPATCH',
      'ACCEPT',
      'BOOK',
      'ASSIGN',
      'CHECK_IN',
      'COMPLETE',
      'CALLBACK_ATTEMPT',
      'QUALITY_CHECK',
    ] as const;
    const seedTickets = Math.ceil(seedChanges / PLAN.length);
    const templates = Math.min(TEMPLATES, seedTickets);
    const engineers = centre!.engineers;
    process.stderr.write(
      `seeding ${seedChanges} more changes (${seedTickets} tickets): ${templates} through the tickets store ` +
        `and activities, the rest copied from them…\n`,
    );
    began = performance.now();
    // (a) Template tickets, driven through the service's own store and activities: every write as the service makes it.
    await pool(templates, SEED_CONCURRENCY, async (i) => {
      const at = new Date();
      const id = `T-bench-${run}-${i}`;
      const input = { ...intakeInput(`BS${run.toUpperCase()}-${i}`), purchaseDate: new Date(Date.now() - 60 * DAY_MS) };
      const r = receive(id, input as never, at, policy as unknown as TicketPolicy, 'bench-call-centre');
      if (!r.ok) throw new Error(`seed ticket ${i} refused at intake: ${r.message}`);
      await store.insertTicket(r.ticket, { policy, events: r.events, now: at });
      const from = new Date(Math.ceil((Date.now() + (1 + (i % DAYS)) * DAY_MS) / 3_600_000) * 3_600_000);
      const engineerId = engineers[i % engineers.length]!.id;
      for (const [k, type] of PLAN.entries()) {
        const actor = 'bench-seed';
        const command = (
          type === 'DISPATCH'
            ? { type, centreId, actor }
            : type === 'BOOK'
              ? {
                  type,
                  window: { from: from.toISOString(), to: new Date(from.getTime() + 2 * 3_600_000).toISOString() },
                  actor,
                }
              : type === 'ASSIGN'
                ? { type, engineerId, actor }
                : type === 'COMPLETE'
                  ? {
                      type,
                      report: {
                        workFinishedAt: new Date().toISOString(),
                        checklist: standard.requiredSteps,
                        faultCode: 'E1',
                        parts: [],
                        charges: [],
                      },
                      actor,
                    }
                  : type === 'CALLBACK_ATTEMPT'
                    ? { type, answer: 'SATISFIED' as const, actor }
                    : { type, actor }
        ) as Parameters<typeof activities.applyTicketCommand>[0]['command'];
        const { ticket } = await activities.applyTicketCommand({
          ticketId: id,
          commandId: `bench-seed-${randomUUID()}`,
          command,
          expectedVersion: k + 1,
        });
        if (ticket.version !== k + 2)
          throw new Error(`seed ticket ${i}: ${type} left version ${ticket.version}, not ${k + 2}`);
        expected.add(`${id}:${ticket.version}`);
      }
    });
    const templateSeconds = (performance.now() - began) / 1000;
    // (b) The rest: copies of the templates' ticket documents and feed entries (new ids, numbers and
    // serials), written with the store's models in bulk (entries, their buckets, receipts), then the
    // feed head moved past them — what the same appends would have left, in seconds instead of the
    // ~20 store round trips per change (under a single feed lease) that (a) takes.
    const models = {
      tickets: ticketModel(db),
      numbers: numberModel(db),
      changes: changeModel(db),
      buckets: changeBucketModel(db),
      receipts: receiptModel(db),
      heads: feedHeadModel(db),
    };
    const templateDocs = await Promise.all(
      Array.from({ length: templates }, (_, i) => models.tickets.findById(`T-bench-${run}-${i}`).lean<TicketDoc>()),
    );
    let seq = await store.feedHead(centreId);
    const templateEntries = await store.changesSince(centreId, headBefore, seq - headBefore);
    const entriesOf = new Map<string, typeof templateEntries>();
    for (const e of templateEntries) entriesOf.set(e.ticketId, [...(entriesOf.get(e.ticketId) ?? []), e]);
    const CHUNK = 500;
    for (let c0 = templates; c0 < seedTickets; c0 += CHUNK) {
      const ticketDocs: TicketDoc[] = [];
      const numberDocs: { _id: string; ticketId: string }[] = [];
      const changeDocs: Record<string, unknown>[] = [];
      const bucketEntries: ChangeRecord[] = [];
      const receiptDocs: { _id: string; seq: number }[] = [];
      for (let c = c0; c < Math.min(seedTickets, c0 + CHUNK); c++) {
        const template = templateDocs[c % templates]!;
        const id = `T-bench-${run}-${c}`;
        const ticketNumber = `${template.ticketNumber.slice(0, 9)}B${String(c).padStart(6, '0')}`;
        ticketDocs.push({
          ...template,
          _id: id,
          ticketNumber,
          product: { ...template.product, serialNumber: `BS${run.toUpperCase()}-${c}` },
        });
        numberDocs.push({ _id: ticketNumber, ticketId: id });
        const entries = entriesOf.get(template._id)!.slice(0, Math.min(PLAN.length, seedChanges - c * PLAN.length));
        for (const e of entries) {
          seq++;
          changeDocs.push({ ...e, _id: changeId(centreId, seq), feed: centreId, seq, ticketId: id });
          bucketEntries.push({ ...e, seq, ticketId: id });
          receiptDocs.push({ _id: `${centreId}|${id}|${e.version}`, seq });
          expected.add(`${id}:${e.version}`);
        }
      }
      await Promise.all([
        models.tickets.insertMany(ticketDocs),
        models.numbers.insertMany(numberDocs),
        models.changes.insertMany(changeDocs),
        models.receipts.insertMany(receiptDocs),
      ]);
      await putInBuckets(models.buckets, centreId, bucketEntries);
    }
    await models.heads.updateOne({ _id: centreId }, { $set: { last: seq } });
    const seedSeconds = (performance.now() - began) / 1000;
    const head = await store.feedHead(centreId);
    if (head !== CHANGES || expected.size !== CHANGES)
      throw new Error(`the feed holds ${head} changes (${expected.size} written), not ${CHANGES}`);

    // ---------------- 3. pull the whole feed as the partner
    /**
     * Pulls from `since` until hasMore is false; checks order and uniqueness; returns the changes and the final cursor.
     */
    async function pullAll(query: string, since: string | null) {
      const changes: Change[] = [];
      const pageMs: number[] = [];
      let cursor = since;
      for (;;) {
        const t0 = performance.now();
        const page = (await post(url, partner, query, { since: cursor, first: PAGE }))['jobChanges'] as {
          cursor: string;
          hasMore: boolean;
          changes: Change[];
        };
        pageMs.push(performance.now() - t0);
        if (page.changes.length > PAGE)
          throw new Error(`a page of ${page.changes.length} changes, above first: ${PAGE}`);
        if (page.hasMore && page.changes.length === 0) throw new Error('hasMore with an empty page');
        if (page.changes.length > 0 && page.changes.at(-1)!.cursor !== page.cursor)
          throw new Error('the page cursor is not its last change’s cursor');
        changes.push(...page.changes);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      return { changes, cursor: cursor!, pageMs };
    }
    /**
     * Exactly the changes `want` (ticketId:version), each once, every ticket's versions ascending, the centre's own
     * tickets readable.
     */
    function verify(changes: Change[], want: ReadonlySet<string>, withTicket: boolean, what: string) {
      const seen = new Set<string>();
      const lastVersion = new Map<string, number>();
      for (const c of changes) {
        const k = `${c.ticketId}:${c.version}`;
        if (seen.has(k)) throw new Error(`${what}: change ${k} came twice`);
        seen.add(k);
        if (!want.has(k)) throw new Error(`${what}: change ${k} was never written`);
        if ((lastVersion.get(c.ticketId) ?? 0) >= c.version)
          throw new Error(`${what}: ${k} came after version ${lastVersion.get(c.ticketId)}`);
        lastVersion.set(c.ticketId, c.version);
        if (c.centreId !== centreId) throw new Error(`${what}: change ${k} names centre ${c.centreId}`);
        if (withTicket && (c.ticket?.id !== c.ticketId || c.ticket.version < c.version))
          throw new Error(`${what}: change ${k} carries ticket ${JSON.stringify(c.ticket)}`);
      }
      if (seen.size !== want.size)
        throw new Error(`${what}: ${seen.size} changes, ${want.size} written: ${want.size - seen.size} skipped`);
    }
    // One page first: connections, JIT and the gateway's query plans, unmeasured.
    await post(url, partner, PULL_FULL, { since: null, first: PAGE });
    await post(url, partner, PULL_BARE, { since: null, first: PAGE });
    type Pull = {
      seconds: number[];
      pages: number;
      pageMs: ReturnType<typeof latency>;
      cpuMsLastRun: Record<string, number>;
    };
    const pulls: Record<'withTicket' | 'bare', Pull> = {
      withTicket: { seconds: [], pages: 0, pageMs: latency([]), cpuMsLastRun: {} },
      bare: { seconds: [], pages: 0, pageMs: latency([]), cpuMsLastRun: {} },
    };
    let cursorAfterPull = '';
    for (let r = 0; r < PULLS; r++) {
      for (const [name, query] of [
        ['withTicket', PULL_FULL],
        ['bare', PULL_BARE],
      ] as const) {
        process.stderr.write(`pull ${r + 1}/${PULLS} (${name})…\n`);
        const cpu = cpuSeconds(stack);
        const t0 = performance.now();
        const { changes, cursor, pageMs } = await pullAll(query, null);
        pulls[name].seconds.push(+((performance.now() - t0) / 1000).toFixed(3));
        pulls[name].cpuMsLastRun = cpuMsPer(cpu, cpuSeconds(stack), 1);
        verify(changes, expected, name === 'withTicket', `pull ${name}`);
        pulls[name].pages = pageMs.length;
        pulls[name].pageMs = latency(pageMs);
        cursorAfterPull = cursor;
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

    // ---------------- 4. push 1,000 updates in batches, then pull what they changed
    // Step by step across the tickets (every ticket's ACCEPT, then every BOOK, …), as a partner system
    // pushes what its centre did since the last push: a ticket's completion is never in the batch of
    // its check-in (the report's workFinishedAt, the sender's "now", can't be before the check-in).
    const plan = pushed.map((t, i) => {
      const from = new Date(Math.ceil((Date.now() + (1 + (i % DAYS)) * DAY_MS) / 3_600_000) * 3_600_000);
      const engineerId = engineers[Math.floor(i / DAYS) % engineers.length]!.id;
      const steps: [Record<string, unknown>, string][] = [
        [{ action: 'ACCEPT' }, 'ACCEPTED'],
        [
          {
            action: 'BOOK',
            window: { from: from.toISOString(), to: new Date(from.getTime() + 2 * 3_600_000).toISOString() },
          },
          'BOOKED',
        ],
        [{ action: 'ASSIGN', engineerId }, 'ASSIGNED'],
        [{ action: 'CHECK_IN' }, 'ON_SITE'],
        [
          {
            action: 'COMPLETE',
            report: {
              workFinishedAt: null,
              checklist: standard.requiredSteps,
              faultCode: 'E1',
              parts: [],
              charges: [],
            },
          },
          'COMPLETED',
        ],
      ];
      return { t, i, steps };
    });
    const updates: Record<string, unknown>[] = [];
    const expectAfter: { version: number; state: string }[] = [];
    const pushedChanges = new Set<string>();
    for (let k = 0; k < STEPS_PER_PUSHED_TICKET; k++) {
      for (const { t, i, steps } of plan) {
        const [u, state] = steps[k]!;
        updates.push({ ticketId: t.id, ...u, version: t.version + k, idempotencyKey: `erp-${run}-${i}-${k}` });
        expectAfter.push({ version: t.version + k + 1, state });
        pushedChanges.add(`${t.id}:${t.version + k + 1}`);
      }
    }
    if (updates.length !== PUSH_TICKETS * STEPS_PER_PUSHED_TICKET) throw new Error('the push plan is wrong');
    process.stderr.write(`pushing ${updates.length} updates in batches of ${BATCH}…\n`);
    const batchMs: number[] = [];
    began = performance.now();
    for (let b = 0; b < updates.length; b += BATCH) {
      // The completion time is the partner's "now" when it sends the batch (it can't be in the future).
      const batch = updates
        .slice(b, b + BATCH)
        .map((u) =>
          u['action'] === 'COMPLETE'
            ? { ...u, report: { ...(u['report'] as object), workFinishedAt: new Date().toISOString() } }
            : u,
        );
      const t0 = performance.now();
      const results = (await post(url, partner, PUSH, { updates: batch }))['pushJobUpdates'] as {
        index: number;
        idempotencyKey: string;
        ok: boolean;
        ticket: { version: number; state: string } | null;
        error: unknown;
      }[];
      batchMs.push(performance.now() - t0);
      if (results.length !== batch.length)
        throw new Error(`batch ${b / BATCH}: ${results.length} results for ${batch.length} updates`);
      results.forEach((r, k) => {
        const want = expectAfter[b + k]!;
        if (
          r.index !== k ||
          r.idempotencyKey !== batch[k]!['idempotencyKey'] ||
          !r.ok ||
          r.ticket?.version !== want.version ||
          r.ticket.state !== want.state
        ) {
          throw new Error(
            `batch ${b / BATCH}, update ${k}: ${JSON.stringify(r)} (expected ok, version ${want.version}, ` +
              `${want.state})`,
          );
        }
      });
    }
    const pushSeconds = (performance.now() - began) / 1000;
    const incremental = await pullAll(PULL_BARE, cursorAfterPull);
    verify(incremental.changes, pushedChanges, false, 'pull after the push');

    const loadNow = loadAverage();
    const pullFigures = {
      withTicket: { ...pulls.withTicket, medianSeconds: median(pulls.withTicket.seconds) },
      bare: { ...pulls.bare, medianSeconds: median(pulls.bare.seconds) },
    };
    const verdict = (s: number) => (s < TARGET_PULL_S ? 'met' : 'MISSED');
    console.log(
      `\none centre's feed: ${CHANGES} changes (${PUSH_TICKETS} dispatches through the gateway and ` +
        `workflows, ${seedChanges} seeded in ${seedSeconds.toFixed(1)} s: ${templates} tickets through the ` +
        `tickets store and activities, ${seedTickets - templates} copied from them with the store's models); ` +
        `load average ${loadNow}\n`,
    );
    console.log(
      'operation                                   pages   seconds (each run)        page p50 ms  page p99 ms   target',
    );
    for (const [name, label] of [
      ['withTicket', 'pull all, ticket fields of the sync loop'],
      ['bare', 'pull all, changes only'],
    ] as const) {
      const f = pullFigures[name];
      const seconds = f.seconds.map((s) => s.toFixed(2)).join(' / ');
      console.log(
        `${label.padEnd(44)}${String(f.pages).padStart(5)}   ${seconds.padEnd(24)}` +
          `${String(f.pageMs.p50Ms).padStart(11)}${String(f.pageMs.p99Ms).padStart(13)}` +
          `   < ${TARGET_PULL_S} s: ${verdict(f.medianSeconds)}`,
      );
    }
    // Where a pull's time goes (CPU ms of each process over the last run of each).
    for (const name of ['withTicket', 'bare'] as const)
      console.log(`CPU ms of the last ${name} pull by process: ${JSON.stringify(pullFigures[name].cpuMsLastRun)}`);
    const batches = latency(batchMs);
    console.log(
      `\npush: ${updates.length} updates in ${batchMs.length} batches of ${BATCH}: ` +
        `${pushSeconds.toFixed(1)} s (${(updates.length / pushSeconds).toFixed(1)} updates/s), batch p50 ` +
        `${batches.p50Ms} ms, max ${batches.maxMs} ms; every result ok`,
    );
    console.log(`pull after the push: ${incremental.changes.length} new changes, each once, in order`);
    console.log(
      JSON.stringify({
        changes: CHANGES,
        pageSize: PAGE,
        loadAverage: loadNow,
        pushSetupSeconds: +pushSetupSeconds.toFixed(1),
        seed: {
          via: 'templates through the tickets store + activities (in process), the rest copied with the store models',
          changes: seedChanges,
          tickets: seedTickets,
          templates,
          templateSeconds: +templateSeconds.toFixed(1),
          seconds: +seedSeconds.toFixed(1),
        },
        pull: pullFigures,
        targetPullSeconds: TARGET_PULL_S,
        push: {
          updates: updates.length,
          batchSize: BATCH,
          batches: batchMs.length,
          seconds: +pushSeconds.toFixed(2),
          updatesPerSecond: +(updates.length / pushSeconds).toFixed(1),
          batchMs: batches,
          allOk: true,
        },
        pullAfterPush: { changes: incremental.changes.length, pages: incremental.pageMs.length },
      }),
    );
  });
}

await main();
