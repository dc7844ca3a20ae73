/**
 * The monthly centre evaluation at scale (a benchmark, not a timed test). For each history
 * depth asked (BENCH_HISTORIES, default "12,1" months of grades before the month), a child process
 * starts the whole platform with the project's launcher on a throwaway data folder and free ports and
 * seeds, directly into the services' databases with their own models:
 *   network        5,500 centres in the four-level tree (network-certification.ts's builder) and, for
 *                  every centre with jobs, its grades of the N months before the month (a few C's);
 *   tickets        the month's KPI counters of 300,000 jobs (kpi_months, one document per centre with
 *                  its packed delivery ids), the jobs that left each centre's open jobs during the
 *                  month (centre-left sets), and ~2 % of the jobs still open at the month's end as real
 *                  ticket documents (one template made by the tickets service's own store and
 *                  activities in a scratch database — receive, DISPATCH, ACCEPT, BOOK — cloned per job
 *                  with its id, centre, region, product line and instants replaced) in the centres'
 *                  open sets, some past due;
 *   certification  incentive credits for a few % of the centres.
 * The month is the previous calendar month (Asia/Shanghai), so it is over. Then, through the gateway:
 * runMonthlyEvaluation (OPERATOR), monthlyEvaluation polled until PROVISIONAL, confirmMonthlyEvaluation
 * (ADMIN) at once, polled until CONFIRMED. Measured: wall time to PROVISIONAL and to CONFIRMED (target
 * < 60 s for the whole), each process's CPU seconds, the workflow's history (every run of the
 * continueAsNew chain) and the time per activity type. Every centre's stored scorecard is then checked
 * against the seed (dispatched, completions, dispatch leftover), grades and consequences counted.
 * Each stack then waits until the platform is quiet again (an elimination's recalled jobs are being
 * dispatched again), gets the current month so far (counters and left sets as of now) and measures
 * liveScorecard through the gateway for random centres (OPERATOR; target p99 < 100 ms), each answer
 * checked against the seed. Comparing the depths shows whether the evaluation's time grows with
 * history (it must not: every fact is read by `_id`). With one month of history no centre can reach
 * its third C of the year, so that run eliminates nobody and has no recall: compare "to PROVISIONAL"
 * and "applied" like for like. The open jobs of centres with two C's this year get real lifecycle
 * workflows (started from the stored ticket), so an elimination recalls them through the lifecycles.
 *   node test/bench/evaluation.ts          (or ./starline bench:evaluation)
 * Settings (defaults): BENCH_HISTORIES ("12,1"), BENCH_JOBS (300000), BENCH_REQUESTS (300) and
 * BENCH_WARMUP (20) liveScorecard requests, BENCH_TIMEOUT_S (1800) for one evaluation,
 * BENCH_QUIET_WAIT_S (900) at most before the live scorecard, BENCH_SEED (42), BENCH_KEEP_LOGS
 * (a folder to copy the processes' logs to), BENCH_LOG_LEVEL (the stack's, default warn).
 * BENCH_HISTORY_MONTHS=N runs one depth in this process (what the parent starts per depth).
 * Prints the seeding figures and a table, then the figures as JSON on the last line; exits 1 when an
 * evaluation fails or an answer is wrong (the figures obtained are still printed).
 */
import { randomUUID } from 'node:crypto';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  DEV_JWT_SECRET,
  TASK_QUEUES,
  connectDatabase,
  connectTemporalClient,
  env,
  findByIds,
  mintToken,
  shanghaiMonth,
  shanghaiMonthRange,
  type TicketPolicyInput,
} from '@starline/common';
import {
  cpuDelta,
  cpuSeconds,
  gql,
  insertChunks,
  latency,
  loadAverage,
  post,
  pollRun,
  sleep,
  type MonthRun,
  startBenchStack,
  workflowHistory,
  type BenchStack,
  type HistoryFigures,
} from './support.ts';
import { cloneTicket, makeTemplate, type RawDoc } from './ticket-templates.ts';
import { allocate, buildNetwork, draws, type Built } from './network-certification.ts';
import { createCentreStore } from '../../services/network/src/store/centres.ts';
import {
  centreModel,
  gradeModel,
  writerModel,
  type CentreDoc,
  type GradeDoc,
} from '../../services/network/src/store/models.ts';
import { activeDuring, earlierMonthsOfYear } from '../../services/network/src/rules/evaluation-run.ts';
import { monthsBefore } from '../../services/network/src/rules/month.ts';
import { createStandardsActivities } from '../../services/standards/src/activities.ts';
import { createStandardStore } from '../../services/standards/src/store/standards.ts';
import { checkedTicketPolicy } from '../../services/tickets/src/commands.ts';
import { leftOpenJobMember, leftOpenJobsSetKey, openJobsSetKey } from '../../services/tickets/src/effects.ts';
import { kpiMonthId } from '../../services/tickets/src/store/kpi-months.ts';
import {
  kpiMonthModel,
  numberModel,
  policyModel,
  ticketSetModel,
  type KpiMonthDoc,
} from '../../services/tickets/src/store/models.ts';
import { pack } from '../../services/tickets/src/store/packed.ts';
import { centreCreditsModel, type CentreCreditsDoc } from '../../services/certification/src/store/models.ts';
import { creditsId, entryId, licenceId } from '../../services/certification/src/store/certification.ts';

const HISTORIES = (process.env['BENCH_HISTORIES'] ?? '12,1').split(',').map((s) => Number(s.trim()));
const HISTORY_MONTHS = process.env['BENCH_HISTORY_MONTHS'];
const JOBS = Number(process.env['BENCH_JOBS'] ?? 300_000);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 300);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 20);
const TIMEOUT_S = Number(process.env['BENCH_TIMEOUT_S'] ?? 1800);
const QUIET_WAIT_S = Number(process.env['BENCH_QUIET_WAIT_S'] ?? 900);
const SEED = Number(process.env['BENCH_SEED'] ?? 42);
const TARGET_TOTAL_S = 60;
const TARGET_LIVE_P99_MS = 100;
const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Share of a month's jobs still open at its end, and of those the share past due (more for a poor centre). */
const OPEN_SHARE = 0.02;
const CANCEL_SHARE = 0.01;

// ---------------------------------------------------------------- randomness (own stream: the network builder has its
// own)

const { rand, between, int, pick, weighted, at } = draws(SEED * 7 + 11);
/** How many of `n` trials succeed with probability `p` each. */
function binomial(n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

// ---------------------------------------------------------------- GraphQL

const EVALUATION_FIELDS =
  'month state run progress { done total } gradeCounts { A B C ungraded } computedAt confirmedAt completedAt';
const Q = {
  standard: `{ standardInForce { id productLines { code } } }`,
  tree: `query ($rootId: ID!) { networkTree(rootId: $rootId, depth: 1) { nodes { centre { id } } } }`,
  run:
    `mutation ($month: String!, $key: String) { runMonthlyEvaluation(month: $month, idempotencyKey: $key) { ` +
    `${EVALUATION_FIELDS} } }`,
  state: `query ($month: String!) { monthlyEvaluation(month: $month) { ${EVALUATION_FIELDS} } }`,
  confirm:
    `mutation ($month: String!, $key: String) { confirmMonthlyEvaluation(month: $month, idempotencyKey: $key) ` +
    `{ ${EVALUATION_FIELDS} } }`,
  results: `query ($month: String!, $after: String) { monthlyEvaluation(month: $month) { results(first: 100, after:
    $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { centreId month live run completions grade rank cGradesBefore consequence kpis { code numerator
    denominator } } }
  } } }`,
  live: `query ($id: ID!) { serviceCentre(id: $id) { liveScorecard {
    centreId month live run asOf kpis { code numerator denominator rate score weight noData } weightedScore
    incentives { kind count points } incentivePoints adjustedScore completions grade cGradesBefore atRiskOfSuspension
  } } }`,
};

// ---------------------------------------------------------------- the seed

type Quality = 'good' | 'fair' | 'poor';

/** What the seed put in for one centre with jobs, to check the evaluation's answers against. */
interface SeededCentre {
  doc: CentreDoc;
  quality: Quality;
  dispatched: number;
  completions: number;
  /** Open at the month's end and past due then. */
  leftover: number;
  open: string[];
  /** Open jobs whose appointment window ends before `now` (the live scorecard's leftover). */
  openWindowEnds: Date[];
  cGradesInYear: number;
  live: { completions: number; dispatched: number; qualityInfoAdopted: number; serviceInnovation: number } | null;
}

interface Seeded {
  month: string;
  /** The current month (the live scorecard's). */
  current: string;
  network: Built;
  evaluated: CentreDoc[];
  withJobs: SeededCentre[];
  counts: Record<string, number>;
  seconds: Record<string, number>;
  /** Open jobs of the centres that may be eliminated: their lifecycles are started, so a recall goes through them. */
  lifecycleTickets: string[];
  /** Centres the evaluation eliminated (set once it is confirmed). */
  eliminated: Set<string>;
  /** One dispatch's reads of candidates and their grades (the network store's own), ms on the quiet stack. */
  dispatchReadsMs: Record<string, number>;
}

async function seed(bench: BenchStack, historyMonths: number): Promise<Seeded> {
  const { stack, conns } = bench;
  const url = stack.gatewayUrl;
  const operator = await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h');
  const inForce = (await post(url, operator, Q.standard))['standardInForce'] as {
    id: string;
    productLines: { code: string }[];
  };
  const dbs = {
    network: await connectDatabase(stack.mongodbUri, env('NETWORK_DB', 'starline_network')),
    tickets: await connectDatabase(stack.mongodbUri, env('TICKETS_DB', 'starline_tickets')),
    certification: await connectDatabase(stack.mongodbUri, env('CERTIFICATION_DB', 'starline_certification')),
    standards: await connectDatabase(stack.mongodbUri, env('STANDARDS_DB', 'starline_standards')),
    scratch: await connectDatabase(stack.mongodbUri, `starline_bench_scratch_${Date.now()}`),
  };
  conns.push(...Object.values(dbs));
  const now = new Date();
  const current = shanghaiMonth(now);
  const month = monthsBefore(current, 1);
  const { start, end } = shanghaiMonthRange(month);
  const asOf = new Date(end.getTime() - 1);
  const seconds: Record<string, number> = {};
  const counts: Record<string, number> = {};
  let began = performance.now();
  const lap = (name: string) => {
    seconds[name] = +((performance.now() - began) / 1000).toFixed(1);
    began = performance.now();
  };

  // ---- centres
  process.stderr.write('seeding centres…\n');
  const network = buildNetwork(now, { productLines: inForce.productLines.map((l) => l.code) });
  await insertChunks('centres', network.centres, (c) => centreModel(dbs.network).insertMany(c));
  await writerModel(dbs.network).create({
    _id: `bench-seed-${randomUUID()}`,
    writes: network.centres.length,
    at: new Date(),
  });
  counts['centres'] = network.centres.length;
  lap('centres');

  // ---- who works in the month, and how well
  const evaluated = network.centres.filter((c) => activeDuring(c.statusHistory, month));
  const working = evaluated.filter((c) => c.dailyCapacity > 0);
  const jobs = allocate(
    JOBS,
    working.map((c) => c.dailyCapacity * Math.exp(between(-0.6, 0.6)) * (c.status === 'SUSPENDED' ? 0.5 : 1)),
  );
  const yearMonths = earlierMonthsOfYear(month);
  const withJobs: SeededCentre[] = working.map((doc, i) => {
    const quality = weighted<Quality>([
      ['good', 90],
      ['fair', 8],
      ['poor', 2],
    ]);
    // C's recorded earlier this year: a second C suspends, a third eliminates (default standard).
    const cGradesInYear = weighted<number>(
      quality === 'good'
        ? [
            [0, 96],
            [1, 4],
          ]
        : quality === 'fair'
          ? [
              [0, 78],
              [1, 20],
              [2, 2],
            ]
          : [
              [0, 50],
              [1, 38],
              [2, 12],
            ],
    );
    return {
      doc,
      quality,
      dispatched: jobs[i]!,
      completions: 0,
      leftover: 0,
      open: [],
      openWindowEnds: [],
      cGradesInYear,
      live: null,
    };
  });

  // ---- the open-job template (tickets' own code, scratch database)
  const policy = checkedTicketPolicy(
    (({ validUntil: _v, ...p }) => p)(
      await createStandardsActivities(createStandardStore(dbs.standards)).ticketPolicyAt({ at: asOf.toISOString() }),
    ),
  ) as unknown as TicketPolicyInput;
  const template = await makeTemplate(
    dbs.scratch,
    policy,
    new Date(start.getTime() + 2 * 24 * HOUR_MS),
    working[0]!.region,
  );
  await dbs.scratch.dropDatabase();
  await policyModel(dbs.tickets)
    .collection.insertOne(template.policyDoc as never)
    .catch((e: { code?: number }) => {
      if (e.code !== 11000) throw e;
    });
  lap('template');

  // ---- the month's counters, left sets and open tickets
  process.stderr.write(`seeding ${JOBS} jobs over ${withJobs.length} centres…\n`);
  const kpiDocs: KpiMonthDoc[] = [];
  const sets: { _id: string; tickets: string[] }[] = [];
  const tickets: RawDoc[] = [];
  const numbers: { _id: string; ticketId: string }[] = [];
  const lifecycleTickets: string[] = [];
  let serial = 0;
  const totals = { dispatched: 0, completions: 0, open: 0, pastDue: 0, cancelled: 0, leftMembers: 0, appliedIds: 0 };
  for (const c of withJobs) {
    const q = c.quality;
    const jitter = () => between(-0.02, 0.02);
    const p = {
      inTime: clamp01((q === 'good' ? 0.985 : q === 'fair' ? 0.93 : 0.85) + jitter()),
      answered: clamp01(0.85 + jitter()),
      satisfied: clamp01((q === 'good' ? 0.97 : q === 'fair' ? 0.9 : 0.8) + jitter()),
      complaint: q === 'good' ? 0.005 : q === 'fair' ? 0.02 : 0.05,
      part: 0.4,
      misjudged: clamp01((q === 'good' ? 0.03 : q === 'fair' ? 0.08 : 0.15) + jitter()),
      delight: clamp01((q === 'good' ? 0.06 : q === 'fair' ? 0.04 : 0.02) + jitter() / 2),
      pastDue: q === 'poor' ? 0.6 : 0.35,
    };
    const n = c.dispatched;
    const counters = {
      dispatched: n,
      completions: 0,
      completionsReportedInTime: 0,
      answeredCallbacks: 0,
      satisfiedCallbacks: 0,
      complaints: 0,
      majorComplaints: 0,
      partsReplaced: 0,
      partsMisjudged: 0,
      delightCompletions: 0,
    };
    const applied: string[] = [];
    const left: string[] = [];
    const open: string[] = [];
    for (let j = 0; j < n; j++) {
      const id = `T-${randomUUID()}`;
      applied.push(`${id}:3`);
      const r = rand();
      if (r < OPEN_SHARE) {
        // Open at the month's end: a real ticket, accepted in the month; past due (its window ended
        // before the end) or recent (accepted in the last day, window still ahead).
        const pastDue = rand() < p.pastDue;
        const acceptedAt = pastDue
          ? at(start.getTime(), end.getTime() - 27 * HOUR_MS)
          : at(end.getTime() - 25 * HOUR_MS, end.getTime() - 30 * MIN_MS);
        const shiftMs = acceptedAt.getTime() - template.acceptedAt.getTime();
        const received = new Date((template.doc['receivedAt'] as Date).getTime() + shiftMs);
        const day =
          shanghaiMonth(received).replace('-', '') +
          String(new Date(received.getTime() + 8 * HOUR_MS).getUTCDate()).padStart(2, '0');
        const number = `T${day}${String(++serial).padStart(6, '0')}`;
        const productLine = pick(c.doc.productLines);
        tickets.push(
          cloneTicket(template, {
            ticketId: id,
            centreId: c.doc._id,
            region: c.doc.region,
            productLine,
            serial: `SN-BENCH-${serial}`,
            number,
            shiftMs,
          }),
        );
        numbers.push({ _id: number, ticketId: id });
        open.push(id);
        c.openWindowEnds.push(new Date(template.windowEnd.getTime() + shiftMs));
        if (pastDue) c.leftover++;
        if (c.cGradesInYear >= 2) lifecycleTickets.push(id);
      } else if (r < OPEN_SHARE + CANCEL_SHARE) {
        left.push(leftOpenJobMember(id, at(start.getTime(), end.getTime())));
        totals.cancelled++;
      } else {
        // Completed in the month: left the open jobs then; its ticket need not exist (the reader drops
        // a member that left before the month's end without reading the ticket).
        left.push(leftOpenJobMember(id, at(start.getTime(), end.getTime())));
        counters.completions++;
        applied.push(`${id}:8`);
        if (rand() < p.inTime) counters.completionsReportedInTime++;
        if (rand() < p.delight) counters.delightCompletions++;
        if (rand() < p.answered) {
          counters.answeredCallbacks++;
          if (rand() < p.satisfied) counters.satisfiedCallbacks++;
          applied.push(`${id}:9`);
        }
        if (rand() < p.part) {
          const lines = rand() < 0.1 ? 2 : 1;
          counters.partsReplaced += lines;
          if (rand() < p.misjudged) counters.partsMisjudged += lines;
          applied.push(`${id}:12`);
        }
        if (rand() < p.complaint) {
          counters.complaints++;
          if (rand() < 0.15) counters.majorComplaints++;
          applied.push(`complaint:C-${randomUUID()}`);
        }
      }
    }
    c.completions = counters.completions;
    c.open = open;
    if (n > 0) kpiDocs.push({ _id: kpiMonthId(c.doc._id, month), counters, applied: pack(applied) });
    if (left.length > 0) sets.push({ _id: leftOpenJobsSetKey(c.doc._id, month), tickets: left });
    if (open.length > 0) sets.push({ _id: openJobsSetKey(c.doc._id), tickets: open });
    totals.dispatched += n;
    totals.completions += counters.completions;
    totals.open += open.length;
    totals.pastDue += c.leftover;
    totals.leftMembers += left.length;
    totals.appliedIds += applied.length;
  }
  await insertChunks('kpi_months', kpiDocs, (d) => kpiMonthModel(dbs.tickets).insertMany(d));
  await insertChunks('ticket_sets', sets, (d) => ticketSetModel(dbs.tickets).insertMany(d));
  await insertChunks('tickets', tickets, (d) => dbs.tickets.db!.collection('tickets').insertMany(d as never[]));
  await insertChunks('ticket_numbers', numbers, (d) => numberModel(dbs.tickets).insertMany(d));
  Object.assign(counts, {
    jobs: totals.dispatched,
    completions: totals.completions,
    openAtMonthEnd: totals.open,
    pastDueAtMonthEnd: totals.pastDue,
    cancelled: totals.cancelled,
    kpiMonthDocs: kpiDocs.length,
    setDocs: sets.length,
    leftMembers: totals.leftMembers,
    appliedDeliveryIds: totals.appliedIds,
    openTickets: tickets.length,
  });
  lap('tickets');

  // ---- certification credits of the month (a few % of the centres)
  const creditDocs: CentreCreditsDoc[] = [];
  for (const c of withJobs) {
    if (rand() >= 0.04) continue;
    const counted: [string, string][] = [];
    for (let k = int(0, 3); k > 0; k--)
      counted.push([entryId(licenceId(randomUUID(), 1), `feedback:F-${randomUUID()}`), 'QUALITY_INFO_ADOPTED']);
    for (let k = int(0, 2); k > 0; k--)
      counted.push([entryId(licenceId(randomUUID(), 1), `feedback:F-${randomUUID()}`), 'SMALL_IMPROVEMENT']);
    if (counted.length === 0) continue;
    creditDocs.push({
      _id: creditsId(c.doc._id, month),
      centreId: c.doc._id,
      month,
      qualityInfoAdopted: counted.filter(([, k]) => k === 'QUALITY_INFO_ADOPTED').length,
      serviceInnovation: counted.filter(([, k]) => k === 'SMALL_IMPROVEMENT').length,
      counted: JSON.stringify(counted),
    });
  }
  await insertChunks('credits', creditDocs, (d) => centreCreditsModel(dbs.certification).insertMany(d));
  counts['creditDocs'] = creditDocs.length;
  lap('credits');

  // ---- grade history: the N months before the month, every centre with jobs; the year's C's as drawn
  const history = Array.from({ length: historyMonths }, (_, i) => monthsBefore(month, historyMonths - i));
  const grades: GradeDoc[] = [];
  for (const c of withJobs) {
    // The year's C's fall in random months of it (only those within the history exist).
    const cMonths = new Set<string>();
    while (cMonths.size < c.cGradesInYear) cMonths.add(pick(yearMonths));
    for (const m of history) {
      const inYear = yearMonths.includes(m);
      if (!cMonths.has(m) && rand() < 0.03) continue; // an ungraded month now and then
      const grade = cMonths.has(m)
        ? 'C'
        : !inYear && rand() < (c.quality === 'good' ? 0.02 : 0.2)
          ? 'C'
          : weighted<'A' | 'B'>(
              c.quality === 'good'
                ? [
                    ['A', 60],
                    ['B', 40],
                  ]
                : [
                    ['A', 10],
                    ['B', 90],
                  ],
            );
      const score = +(grade === 'A' ? between(90, 100) : grade === 'B' ? between(75, 90) : between(40, 75)).toFixed(2);
      const { end: mEnd } = shanghaiMonthRange(m);
      grades.push({
        _id: `${c.doc._id}:${m}`,
        centreId: c.doc._id,
        month: m,
        grade,
        score,
        standardVersionId: inForce.id,
        evaluationId: `evaluation-${m}`,
        recordedAt: new Date(mEnd.getTime() + 4 * 24 * HOUR_MS),
      });
    }
  }
  await insertChunks('grades', grades, (d) => gradeModel(dbs.network).insertMany(d));
  counts['grades'] = grades.length;
  counts['historyMonths'] = historyMonths;
  counts['centresWithTwoCsThisYear'] = withJobs.filter((c) => c.cGradesInYear >= 2).length;
  lap('grades');

  // What a dispatch (eligibleCentres: a recalled job's re-dispatch) reads, on the quiet stack, with the
  // network service's own store: its candidates (found in memory, read by `_id`) and their last year's grades (by
  // `_id`).
  const networkStore = createCentreStore(dbs.network);
  const star = network.centres.find((c) => c.level === 3 && c.status === 'ACTIVE')!;
  const dispatchReadsMs: Record<string, number> = {};
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    const candidates = await networkStore.dispatchCandidates(star.region, star.productLines[0]!);
    dispatchReadsMs['dispatchCandidates'] = Math.round(performance.now() - t);
    t = performance.now();
    await networkStore.gradesBefore(
      candidates.map((c) => c.id),
      month,
      12,
    );
    dispatchReadsMs['gradesBefore'] = Math.round(performance.now() - t);
    dispatchReadsMs['candidates'] = candidates.length;
  }
  // …and what completeEvaluation reads for the promotion candidates (every centre's last 3 months, by `_id`).
  const promotionIds = withJobs.map((c) => c.doc._id);
  const t = performance.now();
  await networkStore.gradesIn(promotionIds, [monthsBefore(month, 2), monthsBefore(month, 1), month]);
  dispatchReadsMs['gradesInAllCentres3Months'] = Math.round(performance.now() - t);

  return {
    month,
    current,
    network,
    evaluated,
    withJobs,
    counts,
    seconds,
    lifecycleTickets,
    eliminated: new Set(),
    dispatchReadsMs,
  };
}

/** The current month so far for the live scorecard: counters and left sets as of now, credits for a few centres. */
async function seedCurrentMonth(bench: BenchStack, s: Seeded): Promise<void> {
  const tickets = bench.conns.find((c) => c.name === env('TICKETS_DB', 'starline_tickets'))!;
  const certification = bench.conns.find((c) => c.name === env('CERTIFICATION_DB', 'starline_certification'))!;
  const { start } = shanghaiMonthRange(s.current);
  const now = Date.now();
  const share = (now - start.getTime()) / (30 * 24 * HOUR_MS);
  const kpiDocs: KpiMonthDoc[] = [];
  const sets: { _id: string; tickets: string[] }[] = [];
  const creditDocs: CentreCreditsDoc[] = [];
  for (const c of s.withJobs) {
    // An eliminated centre takes no more jobs.
    if (s.eliminated.has(c.doc._id)) continue;
    const n = binomial(c.dispatched, share);
    if (n === 0) continue;
    const completions = Math.round(n * 0.8);
    const answered = Math.round(completions * 0.85);
    const applied: string[] = [];
    const left: string[] = [];
    for (let j = 0; j < n; j++) {
      const id = `T-${randomUUID()}`;
      applied.push(`${id}:3`);
      if (j < completions) {
        applied.push(`${id}:8`);
        left.push(leftOpenJobMember(id, at(start.getTime(), now - MIN_MS)));
      }
    }
    kpiDocs.push({
      _id: kpiMonthId(c.doc._id, s.current),
      applied: pack(applied),
      counters: {
        dispatched: n,
        completions,
        completionsReportedInTime: Math.round(completions * 0.97),
        answeredCallbacks: answered,
        satisfiedCallbacks: Math.round(answered * 0.95),
        complaints: binomial(completions, 0.01),
        majorComplaints: 0,
        partsReplaced: Math.round(completions * 0.4),
        partsMisjudged: Math.round(completions * 0.02),
        delightCompletions: Math.round(completions * 0.05),
      },
    });
    if (left.length > 0) sets.push({ _id: leftOpenJobsSetKey(c.doc._id, s.current), tickets: left });
    const credits =
      rand() < 0.04
        ? { qualityInfoAdopted: int(1, 2), serviceInnovation: int(0, 1) }
        : { qualityInfoAdopted: 0, serviceInnovation: 0 };
    if (credits.qualityInfoAdopted > 0) {
      const counted: [string, string][] = [
        ...Array.from(
          { length: credits.qualityInfoAdopted },
          () =>
            [entryId(licenceId(randomUUID(), 1), `feedback:F-${randomUUID()}`), 'QUALITY_INFO_ADOPTED'] as [
              string,
              string,
            ],
        ),
        ...Array.from(
          { length: credits.serviceInnovation },
          () =>
            [entryId(licenceId(randomUUID(), 1), `feedback:F-${randomUUID()}`), 'SMALL_IMPROVEMENT'] as [
              string,
              string,
            ],
        ),
      ];
      creditDocs.push({
        _id: creditsId(c.doc._id, s.current),
        centreId: c.doc._id,
        month: s.current,
        ...credits,
        counted: JSON.stringify(counted),
      });
    }
    c.live = { completions, dispatched: n, ...credits };
  }
  await insertChunks('kpi_months (current)', kpiDocs, (d) => kpiMonthModel(tickets).insertMany(d));
  // A set may exist already (the tickets service's own, e.g. a recall's): merged, not replaced.
  const existing = new Map(
    (
      await findByIds(
        ticketSetModel(tickets),
        sets.map((d) => d._id),
      )
    ).map((d) => [d._id, d.tickets] as const),
  );
  for (const d of sets.filter((x) => existing.has(x._id)))
    await ticketSetModel(tickets).updateOne(
      { _id: d._id },
      { $set: { tickets: [...existing.get(d._id)!, ...d.tickets] } },
    );
  await insertChunks(
    'ticket_sets (current)',
    sets.filter((x) => !existing.has(x._id)),
    (d) => ticketSetModel(tickets).insertMany(d),
  );
  await insertChunks('credits (current)', creditDocs, (d) => centreCreditsModel(certification).insertMany(d));
  s.counts['currentMonthKpiDocs'] = kpiDocs.length;
  s.counts['currentMonthJobs'] = kpiDocs.reduce((sum, d) => sum + d.counters.dispatched, 0);
}

/** A page of a month's ranking, as Q.results asks for it. */
interface ResultsPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: {
    node: {
      centreId: string;
      completions: number;
      grade: string | null;
      consequence: string | null;
      kpis: { code: string; numerator: number; denominator: number }[];
    };
  }[];
}

/**
 * Waits until the stack's processes together use less than a third of a core in each of three 10 s windows in a row (or
 * `maxS`
 * has passed): the evaluation may leave work behind (recalled jobs being dispatched again).
 */
async function waitQuiet(stack: BenchStack['stack'], maxS: number): Promise<{ waitedS: number; quiet: boolean }> {
  const began = performance.now();
  let before = cpuSeconds(stack);
  let quietFor = 0;
  for (;;) {
    await sleep(10_000);
    const now = cpuSeconds(stack);
    const cores = Object.values(cpuDelta(before, now)).reduce((a, b) => a + b, 0) / 10;
    before = now;
    const waitedS = +((performance.now() - began) / 1000).toFixed(0);
    quietFor = cores < 0.33 ? quietFor + 1 : 0;
    // Three quiet windows in a row: a retry's backoff alone is not quiet.
    if (quietFor >= 3) return { waitedS, quiet: true };
    process.stderr.write(`  ${waitedS} s: ${cores.toFixed(2)} cores busy\n`);
    if (waitedS >= maxS) return { waitedS, quiet: false };
  }
}

// ---------------------------------------------------------------- one depth of history, on its own stack

interface DepthFigures {
  historyMonths: number;
  month: string;
  loadAverage: string | null;
  seed: { counts: Record<string, number>; seconds: Record<string, number>; dispatchReadsMs: Record<string, number> };
  evaluation: {
    ok: boolean;
    error: string | null;
    provisionalS: number | null;
    confirmS: number | null;
    /** From the start until every centre's grade and consequence was applied (CONFIRMING, all done). */
    appliedS: number | null;
    cpuSecondsByPhase: Record<string, Record<string, number>>;
    totalS: number | null;
    meetsTarget: boolean;
    centres: number | null;
    gradeCounts: Record<string, number> | null;
    cpuSeconds: Record<string, number>;
    history: HistoryFigures | null;
    /**
     * Consequences the scorecards name, those applied to the centres (evidence evaluation:<month>), and the jobs
     * recalled from the eliminated.
     */
    consequences: {
      scoredSuspended: number;
      scoredEliminated: number;
      suspended: number;
      eliminated: number;
      recalledJobs: number;
    } | null;
    checked: { scorecards: number; mismatches: number; firstMismatch: string | null } | null;
  };
  live:
    | (ReturnType<typeof latency> & {
        error: string | null;
        meetsTarget: boolean;
        checked: number;
        /** Seconds waited after CONFIRMED until the platform was quiet (false: it was not within QUIET_WAIT_S). */
        quietAfterS: number;
        quiet: boolean;
        cpuMsPerRequest: Record<string, number>;
        /** CPU cores the stack kept busy during the measurement (requests are sequential). */
        busyCores: number;
      })
    | null;
}

async function runDepth(historyMonths: number, measureLive: boolean): Promise<DepthFigures> {
  const bench = await startBenchStack(
    `starline-bench-evaluation-${historyMonths}-`,
    process.env['BENCH_LOG_LEVEL'] ? { LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] } : {},
  );
  const { stack } = bench;
  let figures: DepthFigures | undefined;
  await bench.run(async () => {
    // BENCH_KEEP_LOGS=<folder>: the processes' logs are copied there at the end (the data folder is removed).
    const keep = process.env['BENCH_KEEP_LOGS'];
    try {
      await body();
    } finally {
      if (keep) cpSync(stack.logDir, path.join(keep, `history-${historyMonths}`), { recursive: true });
    }
  });
  return figures!;

  async function body(): Promise<void> {
    const url = stack.gatewayUrl;
    const operator = await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h');
    const admin = await mintToken({ sub: 'bench-admin', roles: ['ADMIN'] }, DEV_JWT_SECRET, '8h');
    const s = await seed(bench, historyMonths);
    const { month } = s;
    const f: DepthFigures = {
      historyMonths,
      month,
      loadAverage: null,
      seed: { counts: s.counts, seconds: s.seconds, dispatchReadsMs: s.dispatchReadsMs },
      evaluation: {
        ok: false,
        error: null,
        provisionalS: null,
        confirmS: null,
        appliedS: null,
        cpuSecondsByPhase: {},
        totalS: null,
        meetsTarget: false,
        centres: null,
        gradeCounts: null,
        cpuSeconds: {},
        history: null,
        consequences: null,
        checked: null,
      },
      live: null,
    };
    figures = f;
    console.log(`\n[${historyMonths} month(s) of history] seeded ${JSON.stringify(s.counts)}`);
    console.log(`[${historyMonths} month(s) of history] seeding seconds ${JSON.stringify(s.seconds)}`);
    console.log(
      `[${historyMonths} month(s) of history] one dispatch's reads on the quiet stack (ms) ` +
        `${JSON.stringify(s.dispatchReadsMs)}`,
    );

    // The network service reloads its tree once it sees the seed's write count; the evaluation lists the tree it holds.
    const began = performance.now();
    const hq = s.network.centres.find((c) => c.level === 1)!;
    while (((await post(url, operator, Q.tree, { rootId: hq._id }))['networkTree'].nodes as unknown[]).length < 2) {
      if (performance.now() - began > 300_000)
        throw new Error('the network service did not reload its tree within 300 s');
      await sleep(250);
    }
    process.stderr.write(
      `the network service reloaded its tree ${((performance.now() - began) / 1000).toFixed(1)} s after the seed\n`,
    );

    const client = await connectTemporalClient({
      address: stack.temporalAddress,
      namespace: env('TEMPORAL_NAMESPACE', 'default'),
    });
    try {
      // The lifecycles of the jobs an elimination may recall (every open job has one in production).
      if (s.lifecycleTickets.length > 0) {
        process.stderr.write(
          `starting ${s.lifecycleTickets.length} ticket lifecycles (open jobs of centres with two C's this year)…\n`,
        );
        for (const ticketId of s.lifecycleTickets) {
          await client.workflow.start('ticketLifecycle', {
            taskQueue: TASK_QUEUES.workflows,
            workflowId: `ticket-${ticketId}`,
            args: [{ ticketId }],
          });
        }
        for (const ticketId of s.lifecycleTickets) {
          const handle = client.workflow.getHandle(`ticket-${ticketId}`);
          for (let i = 0; ; i++) {
            const summary = await handle.query<{ state: string }>('summary').catch(() => null);
            if (summary) break;
            if (i > 600) throw new Error(`the lifecycle of ${ticketId} did not load its ticket`);
            await sleep(100);
          }
        }
        await sleep(2_000);
      }

      // ---------------- the evaluation
      process.stderr.write(`evaluating ${month} (${s.evaluated.length} centres)…\n`);
      const workflowId = `evaluation-${month}`;
      f.loadAverage = loadAverage();
      const cpuBefore = cpuSeconds(stack);
      const cpuAt: Record<string, Record<string, number>> = {};
      const t0 = performance.now();
      const since = () => (performance.now() - t0) / 1000;
      const started = (await post(url, operator, Q.run, { month, key: `bench-run-${month}-${randomUUID()}` }))[
        'runMonthlyEvaluation'
      ];
      process.stderr.write(`  started: ${JSON.stringify(started)}\n`);
      const poll = (until: readonly string[]) =>
        pollRun({
          what: 'evaluation',
          read: async () => {
            const e = (await post(url, operator, Q.state, { month }))['monthlyEvaluation'] as MonthRun | null;
            // Every centre's grade and consequence applied: what is left is recalling the eliminated centres' jobs.
            if (e?.state === 'CONFIRMING' && e.progress.done === e.progress.total && f.evaluation.appliedS === null) {
              f.evaluation.appliedS = +since().toFixed(2);
              cpuAt['applied'] = cpuSeconds(stack);
            }
            return e;
          },
          finished: (e) => e !== null && until.includes(e.state),
          client,
          workflowId,
          since,
          timeoutS: TIMEOUT_S,
        });
      try {
        const provisional = await poll(['PROVISIONAL', 'CONFIRMING', 'CONFIRMED']);
        f.evaluation.provisionalS = +since().toFixed(2);
        cpuAt['provisional'] = cpuSeconds(stack);
        process.stderr.write(`  PROVISIONAL at ${f.evaluation.provisionalS} s: ${JSON.stringify(provisional)}\n`);
        // Confirmed at once (an ADMIN with nothing disputed). Until the workflow has handed over to its
        // review run the Update is refused with CONFLICT ("computing"): asked again then.
        const tConfirm = performance.now();
        const key = `bench-confirm-${month}-${randomUUID()}`;
        for (;;) {
          const a = await gql(url, admin, Q.confirm, { month, key });
          if (a.status === 200 && !a.errors && a.data) break;
          const code = a.errors?.[0]?.extensions?.['code'];
          if (code !== 'CONFLICT' || since() > TIMEOUT_S)
            throw new Error(`confirmMonthlyEvaluation answered ${a.status}: ${a.text.slice(0, 600)}`);
          await sleep(100);
        }
        const confirmed = await poll(['CONFIRMED']);
        f.evaluation.totalS = +since().toFixed(2);
        f.evaluation.confirmS = +((performance.now() - tConfirm) / 1000).toFixed(2);
        cpuAt['confirmed'] = cpuSeconds(stack);
        f.evaluation.cpuSeconds = cpuDelta(cpuBefore, cpuAt['confirmed']);
        process.stderr.write(`  CONFIRMED at ${f.evaluation.totalS} s: ${JSON.stringify(confirmed)}\n`);
        const final = (await client.workflow.getHandle(workflowId).result()) as { eliminated: string[] };
        f.evaluation.ok = true;
        f.evaluation.meetsTarget = f.evaluation.totalS < TARGET_TOTAL_S;
        const after = (await post(url, operator, Q.state, { month }))['monthlyEvaluation'] as {
          gradeCounts: Record<string, number>;
          progress: { total: number };
        };
        f.evaluation.gradeCounts = after.gradeCounts;
        f.evaluation.centres = after.progress.total;
        f.evaluation.history = await workflowHistory(client, workflowId);

        // ---------------- checks: every scorecard against the seed; grades and consequences as stored
        const seeded = new Map(s.withJobs.map((c) => [c.doc._id, c] as const));
        let scorecards = 0;
        let mismatches = 0;
        let firstMismatch: string | null = null;
        let cursor: string | null = null;
        const expectedConsequence = new Map<string, string | null>();
        do {
          const page: ResultsPage = (await post(url, operator, Q.results, { month, after: cursor }))[
            'monthlyEvaluation'
          ]['results'];
          for (const { node } of page.edges) {
            scorecards++;
            expectedConsequence.set(node.centreId, node.consequence);
            const c = seeded.get(node.centreId);
            const kpi = (code: string) => node.kpis.find((k) => k.code === code);
            const want = {
              completions: c?.completions ?? 0,
              dispatched: c?.dispatched ?? 0,
              leftover: c?.leftover ?? 0,
            };
            const got = {
              completions: node.completions,
              dispatched: kpi('DISPATCH_LEFTOVER')?.denominator,
              leftover: kpi('DISPATCH_LEFTOVER')?.numerator,
            };
            if (
              want.completions !== got.completions ||
              want.dispatched !== got.dispatched ||
              want.leftover !== got.leftover
            ) {
              mismatches++;
              firstMismatch ??= `${node.centreId}: seeded ${JSON.stringify(want)}, scored ${JSON.stringify(got)}`;
            }
          }
          cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        } while (cursor);
        if (scorecards !== s.evaluated.length) {
          mismatches++;
          firstMismatch ??= `${scorecards} scorecards for ${s.evaluated.length} centres active during ${month}`;
        }
        f.evaluation.checked = { scorecards, mismatches, firstMismatch };
        const networkDb = bench.conns.find((c) => c.name === env('NETWORK_DB', 'starline_network'))!;
        const stored = await findByIds(
          gradeModel(networkDb),
          s.evaluated.map((c) => `${c._id}:${month}`),
        );
        const gc = f.evaluation.gradeCounts;
        if (stored.length !== gc['A']! + gc['B']! + gc['C']!) {
          f.evaluation.checked.mismatches++;
          f.evaluation.checked.firstMismatch ??=
            `${stored.length} grades recorded for ${month}, ` + `${gc['A']! + gc['B']! + gc['C']!} graded`;
        }
        const centresNow = await findByIds(
          centreModel(networkDb),
          s.evaluated.map((c) => c._id),
        );
        const changedBy = (to: string) =>
          centresNow.filter((c) => c.statusHistory.some((h) => h.to === to && h.evidence === `evaluation:${month}`))
            .length;
        let recalledJobs = 0;
        const ticketsDb = bench.conns.find((c) => c.name === env('TICKETS_DB', 'starline_tickets'))!;
        for (const centreId of final.eliminated) {
          const stillOpen = new Set(
            (await ticketSetModel(ticketsDb).findById(openJobsSetKey(centreId)).lean())?.tickets ?? [],
          );
          recalledJobs += (seeded.get(centreId)?.open ?? []).filter((t) => !stillOpen.has(t)).length;
        }
        const scored = [...expectedConsequence.values()];
        f.evaluation.consequences = {
          scoredSuspended: scored.filter((c) => c === 'SUSPENDED').length,
          scoredEliminated: scored.filter((c) => c === 'ELIMINATED').length,
          suspended: changedBy('SUSPENDED'),
          eliminated: changedBy('ELIMINATED'),
          recalledJobs,
        };
        s.eliminated = new Set(final.eliminated);
      } catch (error) {
        f.evaluation.error = (error as Error).message;
        cpuAt['failed'] = cpuSeconds(stack);
        f.evaluation.cpuSeconds = cpuDelta(cpuBefore, cpuAt['failed']);
        f.evaluation.history = await workflowHistory(client, workflowId).catch(() => null);
      }
      // CPU seconds per process in each phase: compute (start → PROVISIONAL), apply (confirm → every
      // centre's grade and consequence applied), recall (→ CONFIRMED: the eliminated centres' jobs).
      const marks = [
        ['compute', cpuBefore, cpuAt['provisional']],
        ['apply', cpuAt['provisional'], cpuAt['applied']],
        ['recall', cpuAt['applied'], cpuAt['confirmed'] ?? cpuAt['failed']],
      ] as const;
      for (const [phase, from, to] of marks) if (from && to) f.evaluation.cpuSecondsByPhase[phase] = cpuDelta(from, to);
    } finally {
      await client.connection.close();
    }
    console.log(`[${historyMonths} month(s) of history] evaluation ${JSON.stringify(f.evaluation)}`);

    // ---------------- the live scorecard of the current month
    if (measureLive) {
      // Measured once the platform is quiet again (what the evaluation set going, e.g. recalled jobs'
      // re-dispatch, may still be running): how long that took is reported with the figures.
      process.stderr.write('waiting until the platform is quiet…\n');
      const quiet = await waitQuiet(stack, QUIET_WAIT_S);
      process.stderr.write('seeding the current month so far…\n');
      await seedCurrentMonth(bench, s);
      const centres = s.withJobs.filter((c) => c.live);
      const ms: number[] = [];
      let error: string | null = null;
      let checked = 0;
      process.stderr.write(`liveScorecard: ${WARMUP} warm-up requests, then ${REQUESTS}…\n`);
      const cpuLive = cpuSeconds(stack);
      const tLive = performance.now();
      try {
        for (let i = 0; i < WARMUP + REQUESTS; i++) {
          const c = pick(centres);
          const t = performance.now();
          const data = await post(url, operator, Q.live, { id: c.doc._id });
          const elapsed = performance.now() - t;
          if (i >= WARMUP) ms.push(elapsed);
          const card = (data['serviceCentre'] as { liveScorecard: unknown } | null)?.liveScorecard as {
            centreId: string;
            month: string;
            live: boolean;
            run: number | null;
            completions: number;
            kpis: { code: string; numerator: number; denominator: number }[];
            incentives: { kind: string; count: number }[];
          } | null;
          const leftoverNow = c.openWindowEnds.filter((e) => e.getTime() < Date.now()).length;
          const kpi = (code: string) => card?.kpis.find((k) => k.code === code);
          const problems = [
            card?.centreId === c.doc._id,
            card?.month === s.current,
            card?.live === true,
            card?.run === null,
            card?.kpis.length === 6,
            card?.completions === c.live!.completions,
            kpi('DISPATCH_LEFTOVER')?.denominator === c.live!.dispatched,
            kpi('DISPATCH_LEFTOVER')?.numerator === leftoverNow,
            card?.incentives.find((x) => x.kind === 'QUALITY_INFO_ADOPTED')?.count === c.live!.qualityInfoAdopted,
          ];
          if (problems.includes(false)) {
            throw new Error(
              `unexpected live scorecard of ${c.doc._id} (checks ` +
                `${problems.map((p) => (p ? 1 : 0)).join('')}; seeded ` +
                `${JSON.stringify({ ...c.live, leftoverNow })}): ${JSON.stringify(card).slice(0, 600)}`,
            );
          }
          checked++;
        }
      } catch (e) {
        error = (e as Error).message;
      }
      const l = latency(ms);
      const cpu = cpuDelta(cpuLive, cpuSeconds(stack));
      const wallS = (performance.now() - tLive) / 1000;
      f.live = {
        ...l,
        error,
        checked,
        meetsTarget: !error && (l.p99Ms ?? Infinity) < TARGET_LIVE_P99_MS,
        quietAfterS: quiet.waitedS,
        quiet: quiet.quiet,
        cpuMsPerRequest: Object.fromEntries(
          Object.entries(cpu).map(([k, v]) => [k, +((1000 * v) / Math.max(1, checked)).toFixed(1)]),
        ),
        busyCores: +(Object.values(cpu).reduce((a, b) => a + b, 0) / wallS).toFixed(2),
      };
      console.log(`[${historyMonths} month(s) of history] liveScorecard ${JSON.stringify(f.live)}`);
    }
  }
}

// ---------------------------------------------------------------- main: one child process per depth

function runChild(historyMonths: number, measureLive: boolean): Promise<DepthFigures | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [import.meta.filename], {
      env: { ...process.env, BENCH_HISTORY_MONTHS: String(historyMonths), BENCH_LIVE: measureLive ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last: string | null = null;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (last !== null) console.log(last);
      last = line;
    });
    child.on('close', () => {
      try {
        resolve(last ? (JSON.parse(last) as DepthFigures) : null);
      } catch {
        if (last) console.log(last);
        resolve(null);
      }
    });
  });
}

function printTable(depths: DepthFigures[]): void {
  const cell = (v: number | null | undefined, w = 12) =>
    (v === null || v === undefined ? '-' : v.toFixed(1)).padStart(w);
  console.log(
    `\nmonthly evaluation of ${depths[0]?.month}: ${depths[0]?.seed.counts['centres']} centres, ` +
      `${depths[0]?.seed.counts['jobs']} jobs; target < ${TARGET_TOTAL_S} s to CONFIRMED`,
  );
  console.log('history   centres  to PROVISIONAL s  confirm→CONFIRMED s  total s   history events (runs)   target');
  for (const d of depths) {
    const e = d.evaluation;
    const verdict = e.error ? 'FAILED' : e.meetsTarget ? 'met' : 'MISSED';
    console.log(
      `${`${d.historyMonths} mo`.padEnd(8)}${String(e.centres ?? '-').padStart(9)}` +
        `${cell(e.provisionalS, 18)}${cell(e.confirmS, 21)}${cell(e.totalS, 9)}` +
        `${`${e.history?.events ?? '-'} (${e.history?.runs ?? '-'})`.padStart(24)}   ${verdict}`,
    );
  }
  for (const d of depths) {
    const e = d.evaluation;
    console.log(
      `\n${d.historyMonths} month(s) of history — grades ${JSON.stringify(e.gradeCounts)}, consequences ` +
        `${JSON.stringify(e.consequences)}, checked ${JSON.stringify(e.checked)}`,
    );
    console.log(
      `  to PROVISIONAL ${e.provisionalS} s, every grade and consequence applied at ${e.appliedS} s, ` +
        `CONFIRMED (eliminated centres' jobs recalled) at ${e.totalS} s`,
    );
    console.log(`  CPU seconds by process during the evaluation: ${JSON.stringify(e.cpuSeconds)}`);
    for (const [phase, cpu] of Object.entries(e.cpuSecondsByPhase))
      console.log(`    ${phase.padEnd(8)} ${JSON.stringify(cpu)}`);
    console.log(
      `  one dispatch's reads on the quiet stack (eligibleCentres: candidates, their grades), ms: ` +
        `${JSON.stringify(d.seed.dispatchReadsMs)} with ${d.seed.counts['grades']} grade documents`,
    );
    if (e.history) {
      console.log('  activity                      count   total s     max s');
      for (const [name, a] of Object.entries(e.history.activities).sort((x, y) => y[1].totalS - x[1].totalS)) {
        console.log(
          `  ` +
            (`${name.padEnd(28)}${String(a.count).padStart(7)}${cell(a.totalS, 10)}${cell(a.maxS, 10)}` +
              `${a.attempts > a.count ? `  (${a.attempts} attempts)` : ''}`),
        );
      }
    }
    if (e.error) console.log(`  FAILED: ${e.error}`);
  }
  console.log(
    `\nliveScorecard through the gateway, sequential, after ${WARMUP} warm-up (OPERATOR, random centres ` +
      `with jobs); target p99 < ${TARGET_LIVE_P99_MS} ms`,
  );
  console.log('history   requests     p50 ms     p99 ms     max ms   busy cores   quiet after s   target');
  for (const d of depths) {
    const l = d.live;
    if (!l) continue;
    const verdict = l.error ? 'FAILED' : l.meetsTarget ? 'met' : 'MISSED';
    console.log(
      `${`${d.historyMonths} mo`.padEnd(8)}${String(l.n).padStart(10)}${cell(l.p50Ms, 11)}` +
        `${cell(l.p99Ms, 11)}${cell(l.maxMs, 11)}${l.busyCores.toFixed(2).padStart(13)}` +
        `${`${l.quietAfterS}${l.quiet ? '' : ' (never)'}`.padStart(16)}   ${verdict}`,
    );
    console.log(`  CPU ms per request by process: ${JSON.stringify(l.cpuMsPerRequest)}`);
    if (l.error) console.log(`  FAILED: ${l.error}`);
  }
}

async function main(): Promise<void> {
  if (HISTORY_MONTHS !== undefined) {
    // One depth, in this process (a child of the run over all depths, or run by hand).
    const f = await runDepth(Number(HISTORY_MONTHS), process.env['BENCH_LIVE'] !== '0');
    console.log(JSON.stringify(f));
    if (!f.evaluation.ok || f.evaluation.error || (f.evaluation.checked?.mismatches ?? 0) > 0 || f.live?.error)
      process.exitCode = 1;
    return;
  }
  const depths: DepthFigures[] = [];
  for (const h of HISTORIES) {
    const f = await runChild(h, true);
    if (f) depths.push(f);
    else console.log(`the run with ${h} month(s) of history printed no figures`);
  }
  printTable(depths);
  const totals = depths.map((d) => d.evaluation.totalS);
  const withHistory = Object.fromEntries(depths.map((d) => [`${d.historyMonths}`, d.evaluation.totalS]));
  const growth =
    totals.length >= 2 && totals.every((t) => t !== null)
      ? +(Math.max(...(totals as number[])) / Math.min(...(totals as number[]))).toFixed(2)
      : null;
  const byDepth = (pickS: (d: DepthFigures) => number | null) =>
    Object.fromEntries(depths.map((d) => [`${d.historyMonths}`, pickS(d)]));
  const provisionalByHistory = byDepth((d) => d.evaluation.provisionalS);
  const appliedByHistory = byDepth((d) => d.evaluation.appliedS);
  console.log(
    `\nseconds by months of history: to PROVISIONAL ${JSON.stringify(provisionalByHistory)}, grades and ` +
      `consequences applied ${JSON.stringify(appliedByHistory)}, CONFIRMED ` +
      `${JSON.stringify(withHistory)}${growth === null ? '' : ` (CONFIRMED: largest / smallest ${growth})`}`,
  );
  console.log(
    JSON.stringify({
      month: depths[0]?.month,
      centres: depths[0]?.seed.counts['centres'],
      jobs: depths[0]?.seed.counts['jobs'],
      targetTotalS: TARGET_TOTAL_S,
      targetLiveP99Ms: TARGET_LIVE_P99_MS,
      provisionalSecondsByHistoryMonths: provisionalByHistory,
      appliedSecondsByHistoryMonths: appliedByHistory,
      totalSecondsByHistoryMonths: withHistory,
      largestOverSmallest: growth,
      liveP99MsByHistoryMonths: Object.fromEntries(depths.map((d) => [`${d.historyMonths}`, d.live?.p99Ms ?? null])),
      depths,
    }),
  );
  const failed =
    depths.length < HISTORIES.length ||
    depths.some(
      (d) => !d.evaluation.ok || d.evaluation.error || (d.evaluation.checked?.mismatches ?? 0) > 0 || d.live?.error,
    );
  if (failed) process.exitCode = 1;
}

await main();
