/**
 * The monthly settlement at scale (a benchmark, not a timed test). Starts the
 * whole platform with the project's launcher on a throwaway data folder and free ports and seeds,
 * directly into the services' databases with their own models and key helpers:
 *   network   BENCH_CENTRES centres in the four-level tree (network-certification.ts's builder), all
 *             ACTIVE since well before the month, each with payee details (validated and normalised by
 *             the network's own payee rules, with their history); the month's evaluation CONFIRMED — its
 *             record, run centres and packed ranking (evaluations.ts) graded A/B/C/ungraded by the
 *             standard's grading and ranked by the network's own rankScorecards, so the top-N A centres
 *             get the award and the bottom-N C centres the penalty;
 *   tickets   BENCH_JOBS PAYABLE jobs completed in the month (CLOSED: called back SATISFIED and quality
 *             checked) and BENCH_HELD jobs that are not payable yet — HELD (callback UNSATISFIED, or a
 *             warranty part whose old part never came back) or PENDING (completed, callback not made) —
 *             spread unevenly over the centres with capacity; each a real ticket document (one template
 *             per kind made by the tickets service's own activities in a scratch database: receive,
 *             DISPATCH … QUALITY_CHECK; ticket-templates.ts), cloned with its id, number, centre,
 *             region, product line, service type, area class and instants replaced, with the
 *             settlement record its outbox would have written (`settlement_jobs`, by the tickets
 *             store's own functions), and listed in its centre's `unsettled:<centreId>` set. The seed
 *             keeps each centre's expected fees, from the labour fee table of the ticket's stored policy.
 * The month is the previous calendar month (Asia/Shanghai), so it is over. Then, through the gateway
 * with FINANCE tokens: startSettlement, settlementRun polled until IN_REVIEW ("statements built",
 * target < 60 s), approveSettlement by a second FINANCE user, timed until APPROVED with its payment
 * file ("approval and payment file", target < 10 s); then the workflow is waited for while it takes
 * the paid jobs off the centres' lists. Measured: those times, each process's CPU seconds per phase,
 * the workflow's history (runs, events, bytes) and time and payload size per activity type.
 * Reconciliation (read from the settlement database with its own store, and the payment file through
 * the gateway): Σ L over all statements = Σ fees of exactly the PAYABLE jobs; every PAYABLE job is a
 * line of exactly one statement (its centre's) and no HELD or PENDING job is; paid_jobs holds exactly
 * the PAYABLE jobs; every statement's R = L × T + Q with the grade's T and the evaluation's award and
 * penalty; the payment file's rows and total are the statements with R > 0 and Σ max(R, 0), its sha256
 * matches; once the workflow is done each centre's unsettled list holds exactly its held and pending jobs.
 *   node test/bench/settlement.ts          (or ./starline bench:settlement)
 * Settings (defaults): BENCH_CENTRES (5500), BENCH_JOBS (300000), BENCH_HELD (20000), BENCH_SEED (42),
 * BENCH_TIMEOUT_S (1800) for the build, BENCH_KEEP_LOGS (a folder to copy the processes' logs to),
 * BENCH_LOG_LEVEL (the stack's, default warn).
 * Prints the seeding figures and a table, then the figures as JSON on the last line; exits 1 when the
 * settlement fails or the reconciliation does not hold (the figures obtained are still printed).
 */
import { createHash, randomUUID } from 'node:crypto';
import { cpSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_LEASE,
  DEV_JWT_SECRET,
  connectDatabase,
  connectTemporalClient,
  env,
  findByIds,
  mintToken,
  shanghaiMonth,
  shanghaiMonthRange,
  type SettlementPolicyInput,
  type TicketPolicyInput,
} from '@starline/common';
import {
  cpuDelta,
  cpuSeconds,
  gql,
  insertChunks,
  loadAverage,
  post,
  pollRun,
  sleep,
  standardInForce,
  startBenchStack,
  workflowHistory,
  type BenchStack,
  type HistoryFigures,
} from './support.ts';
import { allocate, buildNetwork, draws } from './network-certification.ts';
import { cloneTicket, makeTemplate, settlementJobDocOf, type RawDoc, type Template } from './ticket-templates.ts';
import { createCentreStore } from '../../services/network/src/store/centres.ts';
import { centreModel, writerModel, type CentreDoc } from '../../services/network/src/store/models.ts';
import type { EvaluationRecord, RankingEntry, RunCentre } from '../../services/network/src/store/evaluations.ts';
import { activeDuring } from '../../services/network/src/rules/evaluation-run.ts';
import { monthsBefore } from '../../services/network/src/rules/month.ts';
import { rankScorecards } from '../../services/network/src/rules/ranking.ts';
import { normalisePayee, validatePayee } from '../../services/network/src/rules/validate.ts';
import { createStandardsActivities } from '../../services/standards/src/activities.ts';
import { createStandardStore } from '../../services/standards/src/store/standards.ts';
import { createTicketsActivities } from '../../services/tickets/src/activities.ts';
import { checkedTicketPolicy } from '../../services/tickets/src/commands.ts';
import { unsettledJobsSetKey } from '../../services/tickets/src/effects.ts';
import {
  numberModel,
  policyModel,
  settlementJobModel,
  ticketSetModel,
  type SettlementJobDoc,
} from '../../services/tickets/src/store/models.ts';
import { createTicketsStore } from '../../services/tickets/src/store/tickets.ts';
import { hundredthsOf } from '../../services/settlement/src/rules/statement.ts';
import { claimModel } from '../../services/settlement/src/store/models.ts';
import {
  createSettlementStore,
  statementId,
  type StatementRecord,
} from '../../services/settlement/src/store/settlement.ts';

const CENTRES = Number(process.env['BENCH_CENTRES'] ?? 5_500);
const JOBS = Number(process.env['BENCH_JOBS'] ?? 300_000);
const HELD = Number(process.env['BENCH_HELD'] ?? 20_000);
const SEED = Number(process.env['BENCH_SEED'] ?? 42);
const TIMEOUT_S = Number(process.env['BENCH_TIMEOUT_S'] ?? 1800);
const TARGET_BUILD_S = 60;
const TARGET_APPROVAL_S = 10;
const CHUNK = 1_000;
const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// ---------------------------------------------------------------- randomness (own stream: the network builder has its
// own)

const { rand, between, int, pick, weighted, at } = draws(SEED * 13 + 5);

// ---------------------------------------------------------------- GraphQL

const RUN_FIELDS =
  'month state startedBy progress { done total } totals { centres jobs L Q R payableFen } approvedBy approvedAt';
const Q = {
  tree: `query ($rootId: ID!) { networkTree(rootId: $rootId, depth: 1) { nodes { centre { id } } } }`,
  start:
    `mutation ($month: String!, $key: String) { startSettlement(month: $month, idempotencyKey: $key) { ` +
    `${RUN_FIELDS} } }`,
  run: `query ($month: String!) { settlementRun(month: $month) { ${RUN_FIELDS} } }`,
  approve:
    `mutation ($month: String!, $key: String) { approveSettlement(month: $month, idempotencyKey: $key) { ` +
    `${RUN_FIELDS} } }`,
  file:
    `query ($month: String!) { settlementRun(month: $month) { state paymentFile { fileName sha256 rows ` +
    `totalFen content generatedAt } } }`,
  page: `query ($month: String!) { settlementRun(month: $month) { statements(first: 100) { totalCount pageInfo {
    hasNextPage endCursor }
    nodes { id centreId grade L T LT Q R payableFen pendingJobs lines { ticketId feeFen } heldJobs { ticketId reasons }
    } } } }`,
};

interface RunView {
  month: string;
  state: string;
  startedBy: string;
  progress: { done: number; total: number };
  totals: { centres: number; jobs: number; L: number; Q: number; R: number; payableFen: number } | null;
  approvedBy: string | null;
  approvedAt: string | null;
}

// ---------------------------------------------------------------- the seed

/** What the seed put in for one centre, to reconcile the statements against. */
interface SeededCentre {
  doc: CentreDoc;
  grade: 'A' | 'B' | 'C' | null;
  awardFen: number;
  penaltyFen: number;
  payable: string[];
  /** Σ of the PAYABLE jobs' fees (the ticket's policy's labour fee table), fen. */
  feesFen: number;
  held: string[];
  pending: string[];
}

interface Seeded {
  month: string;
  centres: SeededCentre[];
  byId: Map<string, SeededCentre>;
  settlementPolicy: SettlementPolicyInput;
  counts: Record<string, number>;
  seconds: Record<string, number>;
  /** The largest centre's jobs (PAYABLE + held + pending): what one unsettledJobs entry carries. */
  largestCentreJobs: number;
}

const BANKS = [
  '中国工商银行',
  '中国建设银行',
  '中国农业银行',
  '中国银行',
  '交通银行',
  '招商银行',
  '中国邮政储蓄银行',
  '兴业银行',
  '浦发银行',
  '中信银行',
];
const SERVICE_TYPES = [
  ['REPAIR', 55],
  ['INSTALL', 25],
  ['MAINTENANCE', 15],
  ['INSPECTION', 5],
] as const;
const AREA_CLASSES = [
  ['URBAN', 75],
  ['RURAL', 25],
] as const;
/**
 * Of the jobs not payable yet: callback unsatisfied (HELD), old part not returned (HELD), callback not made (PENDING).
 */
const NOT_YET = [
  ['unhappy', 40],
  ['part', 25],
  ['waiting', 35],
] as const;

/** The centre ACTIVE since well before the month (months to years), with payee details entered by an operator since. */
function settled(c: CentreDoc, monthStart: Date): CentreDoc {
  const createdAt = new Date(
    Math.min(c.createdAt.getTime(), monthStart.getTime() - int(120, 2400) * DAY_MS - int(0, 86_399_999)),
  );
  const activeAt = new Date(createdAt.getTime() + int(1, 30) * DAY_MS + int(0, 86_399_999));
  const payeeAt = new Date(activeAt.getTime() + int(0, 60) * DAY_MS + int(0, 86_399_999));
  const bank = pick(BANKS);
  // A few payee names hold a comma (a branch): the payment file quotes them.
  const input = {
    accountName: rand() < 0.02 ? `${c.name}家电服务有限公司, ${bank}开户分公司` : `${c.name}家电服务有限公司`,
    bank: `${bank}${c.name.slice(0, 2)}分行`,
    accountNumber:
      rand() < 0.5
        ? `62${String(int(0, 99_999_999)).padStart(8, '0')}${String(int(0, 999_999_999)).padStart(9, '0')}`
        : `${int(1000, 9999)} ${int(1000, 9999)} ${int(1000, 9999)} ${int(1000, 9999)}`,
  };
  const reason = '开户许可证 (bank account licence) on file';
  const violations = validatePayee(input, reason);
  if (violations.length > 0) throw new Error(`seed payee of ${c.code} is invalid: ${JSON.stringify(violations)}`);
  const values = normalisePayee(input);
  return {
    ...c,
    status: 'ACTIVE',
    createdAt,
    updatedAt: payeeAt,
    statusHistory: [
      { from: null, to: 'ONBOARDING', at: createdAt, actor: 'ops-network', reason: 'created', evidence: null },
      { from: 'ONBOARDING', to: 'ACTIVE', at: activeAt, actor: 'ops-network', reason: null, evidence: null },
    ],
    payee: { ...values, updatedAt: payeeAt, updatedBy: 'ops-finance-data' },
    payeeHistory: [{ at: payeeAt, actor: 'ops-finance-data', reason, from: null, to: values }],
  };
}

/** The Shanghai day of an instant as yyyymmdd (ticket numbers). */
const shanghaiDay = (d: Date) => {
  const local = new Date(d.getTime() + 8 * HOUR_MS);
  return (
    `${local.getUTCFullYear()}${String(local.getUTCMonth() + 1).padStart(2, '0')}` +
    `${String(local.getUTCDate()).padStart(2, '0')}`
  );
};

async function seed(bench: BenchStack): Promise<Seeded> {
  const { stack, conns } = bench;
  const url = stack.gatewayUrl;
  const inForce = await standardInForce(url);
  const dbs = {
    network: await connectDatabase(stack.mongodbUri, env('NETWORK_DB', 'starline_network')),
    tickets: await connectDatabase(stack.mongodbUri, env('TICKETS_DB', 'starline_tickets')),
    standards: await connectDatabase(stack.mongodbUri, env('STANDARDS_DB', 'starline_standards')),
    settlement: await connectDatabase(stack.mongodbUri, env('SETTLEMENT_DB', 'starline_settlement')),
    scratch: await connectDatabase(stack.mongodbUri, `starline_bench_scratch_${Date.now()}`),
  };
  conns.push(...Object.values(dbs));
  const now = new Date();
  const month = monthsBefore(shanghaiMonth(now), 1);
  const { start, end } = shanghaiMonthRange(month);
  // The last completion whose quality check (49 h later) is still in the past.
  const lastCompletion = Math.min(end.getTime() - HOUR_MS, now.getTime() - 50 * HOUR_MS);
  if (lastCompletion <= start.getTime() + 2 * DAY_MS)
    throw new Error(`${month} ended too recently to hold quality-checked jobs; run this from the 3rd of the month on`);
  const seconds: Record<string, number> = {};
  const counts: Record<string, number> = {};
  let began = performance.now();
  const lap = (name: string) => {
    seconds[name] = +((performance.now() - began) / 1000).toFixed(1);
    began = performance.now();
  };
  const standards = createStandardsActivities(createStandardStore(dbs.standards));

  // ---- centres: the four-level tree, all ACTIVE since well before the month, with payee details
  process.stderr.write(`seeding ${CENTRES} centres…\n`);
  const network = buildNetwork(now, { productLines: inForce.productLines }, CENTRES);
  const docs = network.centres.map((c) => settled(c, start));
  await insertChunks('centres', docs, (c) => centreModel(dbs.network).insertMany(c));
  await writerModel(dbs.network).create({ _id: `bench-seed-${randomUUID()}`, writes: docs.length, at: new Date() });
  const evaluated = docs.filter((c) => activeDuring(c.statusHistory, month));
  if (evaluated.length !== docs.length)
    throw new Error(`${docs.length - evaluated.length} seeded centres were not active during ${month}`);
  counts['centres'] = docs.length;
  lap('centres');

  // ---- the templates: one job of each kind, by the tickets service's own code in a scratch database
  const t0 = new Date(start.getTime() + 2 * DAY_MS);
  const policy = checkedTicketPolicy(
    (({ validUntil: _v, ...p }) => p)(await standards.ticketPolicyAt({ at: t0.toISOString() })),
  ) as unknown as TicketPolicyInput;
  if (policy.standardVersionId !== inForce.id)
    throw new Error(
      `the ticket policy at ${t0.toISOString()} is ${policy.standardVersionId}'s, not the standard in force ` +
        `${inForce.id}`,
    );
  const region = docs.find((c) => c.level === 3)!.region;
  const templates = {
    paid: await makeTemplate(dbs.scratch, policy, t0, region, { until: 'CLOSED' }),
    unhappy: await makeTemplate(dbs.scratch, policy, t0, region, { until: 'CALLED_BACK', callback: 'UNSATISFIED' }),
    part: await makeTemplate(dbs.scratch, policy, t0, region, { until: 'CALLED_BACK', warrantyPart: true }),
    waiting: await makeTemplate(dbs.scratch, policy, t0, region, { until: 'COMPLETED' }),
  };
  // Each template judged as settlement will see it (unsettledJobs, in the scratch database).
  const scratchActs = createTicketsActivities(createTicketsStore(dbs.scratch));
  const expectedStatus = {
    paid: ['PAYABLE', ''],
    unhappy: ['HELD', 'CALLBACK_UNSATISFIED'],
    part: ['HELD', 'OLD_PART_NOT_RETURNED'],
    waiting: ['PENDING', 'CALLBACK'],
  } as const;
  for (const [kind, t] of Object.entries(templates) as [keyof typeof templates, Template][]) {
    const [judged] = await scratchActs.unsettledJobs({ centreIds: [t.centreId] });
    const job = judged?.jobs[0];
    const [status, reasons] = expectedStatus[kind];
    if (judged?.jobs.length !== 1 || job?.status !== status || job.reasons.join(',') !== reasons) {
      throw new Error(`the ${kind} template is judged ${JSON.stringify(judged?.jobs)}, not ${status} ${reasons}`);
    }
  }
  await dbs.scratch.dropDatabase();
  const policyDoc = templates.paid.policyDoc;
  await policyModel(dbs.tickets)
    .collection.insertOne(policyDoc as never)
    .catch((e: { code?: number }) => {
      if (e.code !== 11000) throw e;
    });
  // The fee table of the tickets' stored policy: what the seed expects each PAYABLE job to be paid.
  const storedPolicy = (policyDoc as unknown as { policy: TicketPolicyInput }).policy;
  const fees = new Map<string, number>(
    storedPolicy.labourFees.map((f) => [`${f.productLine}|${f.serviceType}|${f.areaClass}`, f.feeFen]),
  );
  lap('templates');

  // ---- the month's jobs: PAYABLE and not yet, uneven over the centres with capacity
  const working = evaluated.filter((c) => c.dailyCapacity > 0);
  const payableCounts = allocate(
    JOBS,
    working.map((c) => c.dailyCapacity * Math.exp(between(-0.6, 0.6))),
  );
  const heldCounts = allocate(
    HELD,
    working.map((c) => c.dailyCapacity * Math.exp(between(-1.2, 1.2))),
  );
  const centres: SeededCentre[] = evaluated.map((doc) => ({
    doc,
    grade: null,
    awardFen: 0,
    penaltyFen: 0,
    payable: [],
    feesFen: 0,
    held: [],
    pending: [],
  }));
  const byId = new Map(centres.map((c) => [c.doc._id, c] as const));
  process.stderr.write(`seeding ${JOBS} PAYABLE and ${HELD} held or pending jobs over ${working.length} centres…\n`);
  let serial = 0;
  let tickets: RawDoc[] = [];
  let numbers: { _id: string; ticketId: string }[] = [];
  let records: SettlementJobDoc[] = [];
  let inserting: Promise<unknown> = Promise.resolve();
  let inserted = 0;
  let reported = 0;
  // One chunk is written while the next is cloned.
  const flush = async () => {
    const [t, n, r] = [tickets, numbers, records];
    tickets = [];
    numbers = [];
    records = [];
    await inserting;
    inserting = Promise.all([
      dbs.tickets.db!.collection('tickets').insertMany(t as never[], { ordered: false }),
      numberModel(dbs.tickets).insertMany(n, { ordered: false }),
      settlementJobModel(dbs.tickets).insertMany(r, { ordered: false }),
    ]);
    inserted += t.length;
    if (inserted - reported >= 20_000) {
      reported = inserted;
      process.stderr.write(
        `  tickets: ${inserted} of ${JOBS + HELD}, ${((performance.now() - began) / 1000).toFixed(0)} s\n`,
      );
    }
  };
  const job = async (
    c: SeededCentre,
    template: Template,
    completedAt: Date,
  ): Promise<{ id: string; feeFen: number }> => {
    const id = `T-${randomUUID()}`;
    const lines = c.doc.productLines.filter((l) => fees.has(`${l}|REPAIR|URBAN`));
    let productLine: string, serviceType: string, areaClass: string;
    // Only combinations the fee table has (a missing fee would hold the job: NO_LABOUR_FEE).
    do {
      productLine = pick(lines.length ? lines : inForce.productLines);
      serviceType = weighted(SERVICE_TYPES);
      areaClass = weighted(AREA_CLASSES);
    } while (!fees.has(`${productLine}|${serviceType}|${areaClass}`));
    const shiftMs = completedAt.getTime() - template.completedAt!.getTime();
    const received = new Date((template.doc['receivedAt'] as Date).getTime() + shiftMs);
    const number = `T${shanghaiDay(received)}${String(++serial).padStart(6, '0')}`;
    const ticket = cloneTicket(template, {
      ticketId: id,
      centreId: c.doc._id,
      region: c.doc.region,
      productLine,
      serviceType,
      areaClass,
      serial: `SN-BENCH-${serial}`,
      number,
      shiftMs,
    });
    const record = settlementJobDocOf(ticket, storedPolicy);
    if (!record) throw new Error(`the cloned ${template.stage} job ${id} has no settlement record`);
    tickets.push(ticket);
    numbers.push({ _id: number, ticketId: id });
    records.push(record);
    if (tickets.length >= CHUNK) await flush();
    return { id, feeFen: fees.get(`${productLine}|${serviceType}|${areaClass}`)! };
  };
  const sets: { _id: string; tickets: string[] }[] = [];
  const notYet = { unhappy: 0, part: 0, waiting: 0 };
  for (const [i, doc] of working.entries()) {
    const c = byId.get(doc._id)!;
    const members: string[] = [];
    for (let j = 0; j < payableCounts[i]!; j++) {
      const { id, feeFen } = await job(c, templates.paid, at(start.getTime() + HOUR_MS, lastCompletion));
      c.payable.push(id);
      c.feesFen += feeFen;
      members.push(id);
    }
    for (let j = 0; j < heldCounts[i]!; j++) {
      const kind = weighted(NOT_YET);
      notYet[kind]++;
      // Waiting for its callback: completed in the month's last two days.
      const completedAt =
        kind === 'waiting'
          ? at(end.getTime() - 2 * DAY_MS, end.getTime() - 30 * MIN_MS)
          : at(start.getTime() + HOUR_MS, end.getTime() - 3 * HOUR_MS);
      const { id } = await job(c, templates[kind], completedAt);
      (kind === 'waiting' ? c.pending : c.held).push(id);
      members.push(id);
    }
    if (members.length > 0) sets.push({ _id: unsettledJobsSetKey(doc._id), tickets: members });
  }
  if (tickets.length > 0) await flush();
  await inserting;
  await insertChunks('ticket_sets', sets, (d) => ticketSetModel(dbs.tickets).insertMany(d));
  Object.assign(counts, {
    payableJobs: JOBS,
    heldOrPendingJobs: HELD,
    heldCallbackUnsatisfied: notYet.unhappy,
    heldOldPartNotReturned: notYet.part,
    pendingCallback: notYet.waiting,
    ticketDocs: serial,
    unsettledSets: sets.length,
    ticketDocBytes: JSON.stringify(templates.paid.doc).length,
    settlementJobDocBytes: JSON.stringify(settlementJobDocOf(templates.paid.doc, storedPolicy)).length,
  });
  lap('tickets');

  // ---- the month's evaluation, CONFIRMED: record, run centres and ranking (the network's own store and ranking rule)
  const evaluationPolicy = (({ validUntil: _v, ...p }) => p)(
    await standards.evaluationPolicyAt({ at: new Date(end.getTime() - 1).toISOString() }),
  );
  const { aMinScore, bMinScore, minCompletions } = evaluationPolicy.grading;
  const cards = centres.map((c) => {
    const completions = c.payable.length + c.held.length + c.pending.length;
    const graded = completions >= minCompletions;
    // Mostly B, a good share of A, a few C (scores as the grading's thresholds read them).
    const band = weighted([
      ['A', 30],
      ['B', 60],
      ['C', 10],
    ] as const);
    const score = +(
      band === 'A'
        ? between(aMinScore, 100)
        : band === 'B'
          ? between(bMinScore, aMinScore - 0.01)
          : between(40, bMinScore - 0.01)
    ).toFixed(2);
    const grade = graded ? (score >= aMinScore ? 'A' : score >= bMinScore ? 'B' : 'C') : null;
    return {
      centreId: c.doc._id,
      code: c.doc.code,
      region: c.doc.region,
      completions,
      adjustedScore: graded ? score : null,
      grade,
    } as const;
  });
  const ranked = rankScorecards(cards, evaluationPolicy.consequences);
  const ranking: RankingEntry[] = ranked.map((r) => [
    r.centreId,
    r.code,
    r.region,
    r.grade,
    r.rank,
    r.awardFen,
    r.penaltyFen,
  ]);
  for (const r of ranked)
    Object.assign(byId.get(r.centreId)!, { grade: r.grade, awardFen: r.awardFen, penaltyFen: r.penaltyFen });
  const gradeCounts = { A: 0, B: 0, C: 0, ungraded: 0 };
  for (const r of ranked) gradeCounts[r.grade ?? 'ungraded']++;
  const evaluations = createCentreStore(dbs.network).evaluations;
  const evaluatedAt = new Date(end.getTime() + 2 * DAY_MS);
  const record: EvaluationRecord = {
    month,
    state: 'CONFIRMED',
    run: 1,
    standardVersionId: inForce.id,
    policy: evaluationPolicy,
    requestedBy: 'bench-operator',
    startedAt: evaluatedAt,
    computedAt: new Date(evaluatedAt.getTime() + MIN_MS),
    confirmedAt: new Date(evaluatedAt.getTime() + HOUR_MS),
    confirmedBy: 'bench-admin',
    completedAt: new Date(evaluatedAt.getTime() + HOUR_MS + MIN_MS),
    done: centres.length,
    total: centres.length,
    gradeCounts,
    updatedAt: new Date(evaluatedAt.getTime() + HOUR_MS + MIN_MS),
  };
  const runCentres: RunCentre[] = [...centres]
    .map((c) => [c.doc._id, c.doc.code, c.doc.region] as RunCentre)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  await evaluations.putRunCentres(month, 1, runCentres);
  await evaluations.putRanking(month, 1, ranking);
  await evaluations.put(record);
  Object.assign(counts, {
    gradedA: gradeCounts.A,
    gradedB: gradeCounts.B,
    gradedC: gradeCounts.C,
    ungraded: gradeCounts.ungraded,
    awards: ranked.filter((r) => r.awardFen > 0).length,
    penalties: ranked.filter((r) => r.penaltyFen > 0).length,
  });
  lap('evaluation');

  const settlementPolicy = await standards.settlementPolicyOf({ versionId: inForce.id });
  const largestCentreJobs = Math.max(...centres.map((c) => c.payable.length + c.held.length + c.pending.length));
  counts['largestCentreJobs'] = largestCentreJobs;
  return { month, centres, byId, settlementPolicy, counts, seconds, largestCentreJobs };
}

// ---------------------------------------------------------------- the payment file

/** RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (record.push(field), (field = ''));
    else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      ((field = ''), (record = []), i++);
    } else field += ch;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

// ---------------------------------------------------------------- running it

interface Figures {
  month: string;
  loadAverage: string | null;
  seed: { counts: Record<string, number>; seconds: Record<string, number> };
  settlement: {
    ok: boolean;
    error: string | null;
    /** startSettlement → the run BUILDING (the workflow found the evaluation confirmed). */
    buildingAfterS: number | null;
    /** startSettlement → IN_REVIEW: every statement built and the run's totals summed. */
    builtS: number | null;
    meetsBuildTarget: boolean;
    /** approveSettlement sent → APPROVED with its payment file read back through the gateway. */
    approvalS: number | null;
    /** …of which the mutation itself (the workflow's approve Update). */
    approveMutationS: number | null;
    meetsApprovalTarget: boolean;
    /** APPROVED → the workflow completed (the paid jobs taken off the centres' lists). */
    jobsSettledS: number | null;
    totalsAtReview: RunView['totals'];
    cpuSecondsByPhase: Record<string, Record<string, number>>;
    history: HistoryFigures | null;
    /** One page (first: 100, with lines) of settlementRun.statements through the gateway, ms. */
    firstPageMs: number | null;
  };
  reconciliation: {
    ok: boolean;
    statements: number;
    sumL: number;
    expectedSumL: number;
    lines: number;
    paidJobs: number;
    heldOrPendingClaimed: number;
    problems: number;
    firstProblems: string[];
    paymentFile: {
      rows: number;
      totalFen: number;
      expectedRows: number;
      expectedTotalFen: number;
      sha256Matches: boolean;
      bom: boolean;
    } | null;
    unsettledAfter: { centres: number; wrong: number } | null;
  };
}

async function run(): Promise<Figures> {
  const bench = await startBenchStack(
    'starline-bench-settlement-',
    process.env['BENCH_LOG_LEVEL'] ? { LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] } : {},
  );
  const { stack } = bench;
  let figures: Figures | undefined;
  await bench.run(async () => {
    // BENCH_KEEP_LOGS=<folder>: the processes' logs are copied there at the end (the data folder is removed).
    const keep = process.env['BENCH_KEEP_LOGS'];
    try {
      await body();
    } finally {
      if (keep) cpSync(stack.logDir, path.join(keep, 'settlement'), { recursive: true });
    }
  });
  return figures!;

  async function body(): Promise<void> {
    const url = stack.gatewayUrl;
    const operator = await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h');
    const starter = await mintToken({ sub: 'bench-finance-starter', roles: ['FINANCE'] }, DEV_JWT_SECRET, '8h');
    const approver = await mintToken({ sub: 'bench-finance-approver', roles: ['FINANCE'] }, DEV_JWT_SECRET, '8h');
    const s = await seed(bench);
    const { month } = s;
    const f: Figures = {
      month,
      loadAverage: null,
      seed: { counts: s.counts, seconds: s.seconds },
      settlement: {
        ok: false,
        error: null,
        buildingAfterS: null,
        builtS: null,
        meetsBuildTarget: false,
        approvalS: null,
        approveMutationS: null,
        meetsApprovalTarget: false,
        jobsSettledS: null,
        totalsAtReview: null,
        cpuSecondsByPhase: {},
        history: null,
        firstPageMs: null,
      },
      reconciliation: {
        ok: false,
        statements: 0,
        sumL: 0,
        expectedSumL: 0,
        lines: 0,
        paidJobs: 0,
        heldOrPendingClaimed: 0,
        problems: 0,
        firstProblems: [],
        paymentFile: null,
        unsettledAfter: null,
      },
    };
    figures = f;
    console.log(`\nseeded ${JSON.stringify(s.counts)}`);
    console.log(`seeding seconds ${JSON.stringify(s.seconds)}`);

    // The network service reloads its tree once it sees the seed's write count (as after any seed).
    const began = performance.now();
    const hq = s.centres.find((c) => c.doc.level === 1)!;
    while (((await post(url, operator, Q.tree, { rootId: hq.doc._id }))['networkTree'].nodes as unknown[]).length < 2) {
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
    const workflowId = `settlement-${month}`;
    const settlementDb = bench.conns.find((c) => c.name === env('SETTLEMENT_DB', 'starline_settlement'))!;
    const cpu: Record<string, Record<string, number>> = {};
    try {
      // ---------------- build: startSettlement → IN_REVIEW
      process.stderr.write(`settling ${month} (${s.centres.length} centres)…\n`);
      f.loadAverage = loadAverage();
      cpu['start'] = cpuSeconds(stack);
      const t0 = performance.now();
      const since = (t = t0) => (performance.now() - t) / 1000;
      const started = (await post(url, starter, Q.start, { month, key: `bench-start-${month}-${randomUUID()}` }))[
        'startSettlement'
      ] as RunView;
      process.stderr.write(`  started: ${JSON.stringify(started)}\n`);
      const review = await pollRun({
        what: 'settlement',
        read: async () => {
          const r = (await post(url, starter, Q.run, { month }))['settlementRun'] as RunView | null;
          if (r?.state === 'BUILDING' && f.settlement.buildingAfterS === null)
            f.settlement.buildingAfterS = +since().toFixed(2);
          return r;
        },
        finished: (r) => r !== null && r.state !== 'WAITING_FOR_EVALUATION' && r.state !== 'BUILDING',
        client,
        workflowId,
        since,
        timeoutS: TIMEOUT_S,
      });
      f.settlement.builtS = +since().toFixed(2);
      cpu['built'] = cpuSeconds(stack);
      f.settlement.totalsAtReview = review.totals;
      f.settlement.meetsBuildTarget = review.state === 'IN_REVIEW' && f.settlement.builtS < TARGET_BUILD_S;
      process.stderr.write(`  ${review.state} at ${f.settlement.builtS} s: ${JSON.stringify(review)}\n`);
      if (review.state !== 'IN_REVIEW') throw new Error(`the settlement went to ${review.state}, not IN_REVIEW`);

      // One page of statements through the gateway (lines and held jobs included), as finance reviews them.
      let t = performance.now();
      await post(url, starter, Q.page, { month });
      f.settlement.firstPageMs = Math.round(performance.now() - t);

      // ---------------- approval by another FINANCE user → APPROVED with its payment file
      // Until the workflow has handed over to its review run the Update may be refused with CONFLICT: asked again then.
      const tApprove = performance.now();
      const key = `bench-approve-${month}-${randomUUID()}`;
      for (;;) {
        const a = await gql(url, approver, Q.approve, { month, key });
        if (a.status === 200 && !a.errors && a.data) break;
        const code = a.errors?.[0]?.extensions?.['code'];
        if (code !== 'CONFLICT' || since(tApprove) > 300)
          throw new Error(`approveSettlement answered ${a.status}: ${a.text.slice(0, 600)}`);
        await sleep(100);
      }
      f.settlement.approveMutationS = +since(tApprove).toFixed(2);
      const approved = (await post(url, approver, Q.file, { month }))['settlementRun'] as {
        state: string;
        paymentFile: { fileName: string; sha256: string; rows: number; totalFen: number; content: string } | null;
      };
      f.settlement.approvalS = +since(tApprove).toFixed(2);
      cpu['approved'] = cpuSeconds(stack);
      if (approved.state !== 'APPROVED' || !approved.paymentFile)
        throw new Error(
          `after approval the run is ${approved.state} with ${approved.paymentFile ? 'a' : 'no'} payment file`,
        );
      f.settlement.meetsApprovalTarget = f.settlement.approvalS < TARGET_APPROVAL_S;
      process.stderr.write(
        `  APPROVED with ${approved.paymentFile.fileName} (${approved.paymentFile.rows} rows) ` +
          `${f.settlement.approvalS} s after approveSettlement\n`,
      );

      // ---------------- the paid jobs leave the centres' lists: the workflow completes
      t = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        client.workflow.getHandle(workflowId).result(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the settlement workflow did not complete within ${TIMEOUT_S} s of its approval`)),
            TIMEOUT_S * 1000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      f.settlement.jobsSettledS = +since(t).toFixed(2);
      cpu['settled'] = cpuSeconds(stack);
      process.stderr.write(
        `  workflow completed ${f.settlement.jobsSettledS} s after the approval: ${JSON.stringify(result)}\n`,
      );
      f.settlement.ok = true;
      f.settlement.history = await workflowHistory(client, workflowId);

      // ---------------- reconciliation
      process.stderr.write('reconciling…\n');
      f.reconciliation = await reconcile(s, settlementDb, bench, approved.paymentFile);
    } catch (error) {
      f.settlement.error = (error as Error).message;
      cpu['failed'] = cpuSeconds(stack);
      f.settlement.history ??= await workflowHistory(client, workflowId).catch(() => null);
    } finally {
      await client.connection.close();
    }
    const marks = [
      ['build', cpu['start'], cpu['built']],
      ['approve', cpu['built'], cpu['approved']],
      ['jobsSettled', cpu['approved'], cpu['settled']],
    ] as const;
    for (const [phase, from, to] of marks)
      if (from && (to ?? cpu['failed'])) f.settlement.cpuSecondsByPhase[phase] = cpuDelta(from, (to ?? cpu['failed'])!);
  }
}

/** Every statement of the month against the seed, the claims, the payment file and the centres' lists afterwards. */
async function reconcile(
  s: Seeded,
  settlementDb: BenchStack['conns'][number],
  bench: BenchStack,
  file: { sha256: string; rows: number; totalFen: number; content: string },
): Promise<Figures['reconciliation']> {
  const problems: string[] = [];
  const problem = (p: string) => void problems.push(p);
  const store = createSettlementStore(settlementDb, DEFAULT_LEASE);
  const ids = await store.statementIds(s.month);
  const statements: StatementRecord[] = [];
  for (let i = 0; i < ids.length; i += 500) statements.push(...(await store.findStatements(ids.slice(i, i + 500))));
  if (statements.length !== ids.length)
    problem(`${ids.length} statement ids listed, ${statements.length} statements stored`);
  if (new Set(ids).size !== ids.length) problem('a statement is listed twice in the month index');
  if (statements.length !== s.centres.length)
    problem(`${statements.length} statements for ${s.centres.length} centres evaluated`);

  const payableOf = new Map<string, string>();
  const notYet = new Set<string>();
  for (const c of s.centres) {
    for (const id of c.payable) payableOf.set(id, c.doc._id);
    for (const id of [...c.held, ...c.pending]) notYet.add(id);
  }
  const coefficient = (grade: 'A' | 'B' | 'C' | null) => s.settlementPolicy.coefficients[grade ?? 'ungraded'];
  const paidIn = new Map<string, number>();
  let sumL = 0;
  let lines = 0;
  let expectedRows = 0;
  let expectedTotalFen = 0;
  const seenCentres = new Set<string>();
  for (const st of statements) {
    const c = s.byId.get(st.centreId);
    if (!c) {
      problem(`statement ${st.id} is of a centre the seed does not know`);
      continue;
    }
    if (seenCentres.has(st.centreId)) problem(`centre ${c.doc.code} has two statements`);
    seenCentres.add(st.centreId);
    if (st.id !== statementId(s.month, st.centreId))
      problem(`statement ${st.id} is not ${statementId(s.month, st.centreId)}`);
    const L = st.lines.reduce((a, l) => a + l.feeFen, 0);
    sumL += st.figures.L;
    lines += st.lines.length;
    for (const l of st.lines) {
      paidIn.set(l.ticketId, (paidIn.get(l.ticketId) ?? 0) + 1);
      if (payableOf.get(l.ticketId) !== st.centreId) {
        const what = notYet.has(l.ticketId)
          ? 'a held or pending job'
          : payableOf.has(l.ticketId)
            ? "another centre's job"
            : 'a job the seed does not know';
        problem(`${st.id} pays ${l.ticketNumber}, ${what}`);
      }
    }
    const T = coefficient(c.grade);
    const Qexp = c.awardFen - c.penaltyFen;
    const Rexp = hundredthsOf(c.feesFen, T) + Qexp;
    const want = {
      L: c.feesFen,
      lines: c.payable.length,
      grade: c.grade,
      T,
      Q: Qexp,
      R: Rexp,
      payableFen: Math.max(Rexp, 0),
      held: c.held.length,
      pending: c.pending.length,
    };
    const got = {
      L: st.figures.L,
      lines: st.lines.length,
      grade: st.grade,
      T: st.figures.T,
      Q: st.figures.Q,
      R: st.figures.R,
      payableFen: st.figures.payableFen,
      held: st.held.length,
      pending: st.pendingJobs,
    };
    if (
      JSON.stringify(want) !== JSON.stringify(got) ||
      L !== st.figures.L ||
      st.figures.LT !== hundredthsOf(st.figures.L, st.figures.T) ||
      st.figures.R !== st.figures.LT + st.figures.Q
    ) {
      problem(
        `${c.doc.code}: seeded ${JSON.stringify(want)}, stated ${JSON.stringify(got)} (Σ lines ${L}, LT ` +
          `${st.figures.LT})`,
      );
    }
    if (st.held.some((h) => !c.held.includes(h.ticketId)))
      problem(`${c.doc.code}: a held job that is not its held job`);
    if (st.figures.payableFen > 0) {
      expectedRows++;
      expectedTotalFen += st.figures.payableFen;
    }
  }
  const expectedSumL = s.centres.reduce((a, c) => a + c.feesFen, 0);
  if (sumL !== expectedSumL)
    problem(
      `Σ L is ${sumL} fen, the PAYABLE jobs' fees sum to ${expectedSumL} fen (difference ${sumL - expectedSumL})`,
    );
  if (lines !== payableOf.size) problem(`${lines} statement lines for ${payableOf.size} PAYABLE jobs`);
  const twice = [...paidIn].filter(([, n]) => n > 1).length;
  if (twice > 0) problem(`${twice} jobs are lines of more than one statement`);
  const unpaid = [...payableOf.keys()].filter((id) => !paidIn.has(id)).length;
  if (unpaid > 0) problem(`${unpaid} PAYABLE jobs are on no statement`);

  // paid_jobs: exactly the PAYABLE jobs, each claimed by its centre's statement; none of the held or pending.
  const claims = claimModel(settlementDb);
  const paidJobs = await claims.countDocuments({});
  if (paidJobs !== payableOf.size) problem(`paid_jobs holds ${paidJobs} jobs, ${payableOf.size} were PAYABLE`);
  const heldOrPendingClaimed = (await findByIds(claims, [...notYet])).length;
  if (heldOrPendingClaimed > 0) problem(`${heldOrPendingClaimed} held or pending jobs are in paid_jobs`);
  const claimed = await findByIds(claims, [...payableOf.keys()]);
  const misclaimed = claimed.filter((c) => c.statementId !== statementId(s.month, payableOf.get(c._id)!)).length;
  if (claimed.length !== payableOf.size || misclaimed > 0)
    problem(`${claimed.length} of ${payableOf.size} PAYABLE jobs claimed, ${misclaimed} by another statement`);

  // The payment file: rows and total of the statements with R > 0, each row its statement's centre, payee and amount.
  const content = file.content;
  const bom = content.startsWith('\uFEFF');
  const records = csvRecords(bom ? content.slice(1) : content);
  const rows = records.slice(1, -1);
  const total = records.at(-1)!;
  const sha256Matches = createHash('sha256').update(content, 'utf8').digest('hex') === file.sha256;
  const byStatement = new Map(statements.map((st) => [st.id, st] as const));
  let rowSum = 0;
  for (const r of rows) {
    const [code, name, bank, account, fen, , sid] = r;
    const st = byStatement.get(sid ?? '');
    const c = st && s.byId.get(st.centreId);
    rowSum += Number(fen);
    if (
      !st ||
      !c ||
      c.doc.code !== code ||
      Number(fen) !== st.figures.payableFen ||
      c.doc.payee?.accountName !== name ||
      c.doc.payee?.bank !== bank ||
      c.doc.payee?.accountNumber !== account
    ) {
      problem(`payment file row ${JSON.stringify(r)} does not match its statement and payee`);
    }
  }
  if (!bom) problem('the payment file has no BOM');
  if (!sha256Matches) problem('the payment file does not hash to its sha256');
  if (rows.length !== expectedRows || file.rows !== expectedRows)
    problem(`the payment file has ${rows.length} rows (says ${file.rows}); ${expectedRows} statements have R > 0`);
  if (
    rowSum !== expectedTotalFen ||
    file.totalFen !== expectedTotalFen ||
    total[0] !== 'TOTAL' ||
    Number(total[4]) !== expectedTotalFen
  ) {
    problem(
      `the payment file pays ${rowSum} fen (says ${file.totalFen}, TOTAL row ${total[4]}); Σ max(R, 0) is ` +
        `${expectedTotalFen}`,
    );
  }

  // Once the workflow is done, each centre's unsettled list is exactly its held and pending jobs.
  const ticketsDb = bench.conns.find((c) => c.name === env('TICKETS_DB', 'starline_tickets'))!;
  const lists = new Map(
    (
      await findByIds(
        ticketSetModel(ticketsDb),
        s.centres.map((c) => unsettledJobsSetKey(c.doc._id)),
      )
    ).map((d) => [d._id, d.tickets] as const),
  );
  let wrong = 0;
  for (const c of s.centres) {
    const left = [...(lists.get(unsettledJobsSetKey(c.doc._id)) ?? [])].sort().join();
    if (left !== [...c.held, ...c.pending].sort().join()) wrong++;
  }
  if (wrong > 0)
    problem(`${wrong} centres' unsettled lists are not exactly their held and pending jobs after the workflow`);

  return {
    ok: problems.length === 0,
    statements: statements.length,
    sumL,
    expectedSumL,
    lines,
    paidJobs,
    heldOrPendingClaimed,
    problems: problems.length,
    firstProblems: problems.slice(0, 10),
    paymentFile: { rows: rows.length, totalFen: rowSum, expectedRows, expectedTotalFen, sha256Matches, bom },
    unsettledAfter: { centres: s.centres.length, wrong },
  };
}

// ---------------------------------------------------------------- main

function printTable(f: Figures): void {
  const st = f.settlement;
  const r = f.reconciliation;
  const cell = (v: number | null | undefined, w = 12) =>
    (v === null || v === undefined ? '-' : v.toFixed(1)).padStart(w);
  const verdict = (ok: boolean) => (st.error ? 'FAILED' : ok ? 'met' : 'MISSED');
  const c = f.seed.counts;
  console.log(
    `\nmonthly settlement of ${f.month}: ${c['centres']} centres, ${c['payableJobs']} PAYABLE jobs + ` +
      `${c['heldOrPendingJobs']} held or pending (load ${f.loadAverage})`,
  );
  console.log('phase                                   seconds   target   verdict');
  console.log(
    `${'statements built (start → IN_REVIEW)'.padEnd(38)}${cell(st.builtS, 10)}${`< ${TARGET_BUILD_S}`.padStart(9)} ` +
      `  ${verdict(st.meetsBuildTarget)}`,
  );
  console.log(
    `${'approval and payment file'.padEnd(38)}${cell(st.approvalS, 10)}${`< ${TARGET_APPROVAL_S}`.padStart(9)} ` +
      `  ${verdict(st.meetsApprovalTarget)}`,
  );
  console.log(`${'paid jobs off the lists (→ completed)'.padEnd(38)}${cell(st.jobsSettledS, 10)}`);
  console.log(
    `  waited for BUILDING ${st.buildingAfterS} s; approve mutation ${st.approveMutationS} s; one ` +
      `statements page (100, with lines) ${st.firstPageMs} ms`,
  );
  console.log(`  totals at review ${JSON.stringify(st.totalsAtReview)}`);
  console.log('  CPU seconds by process:');
  for (const [phase, cpu] of Object.entries(st.cpuSecondsByPhase))
    console.log(`    ${phase.padEnd(12)} ${JSON.stringify(cpu)}`);
  if (st.history) {
    const h = st.history;
    console.log(
      `  workflow history: ${h.runs} runs, ${h.events} events (${h.eventsPerRun.join(' / ')}), history ` +
        `bytes per run ${h.bytesPerRun.map((b) => `${(b / 1e6).toFixed(2)} MB`).join(' / ')}`,
    );
    console.log('  activity                   count   total s     max s   max in KB  max out KB');
    for (const [name, a] of Object.entries(h.activities).sort((x, y) => y[1].totalS - x[1].totalS)) {
      console.log(
        `  ` +
          (`${name.padEnd(24)}${String(a.count).padStart(8)}${cell(a.totalS, 10)}${cell(a.maxS, 10)}` +
            `${cell(a.maxInputBytes / 1024, 12)}${cell(a.maxResultBytes / 1024, 12)}` +
            `${a.attempts > a.count ? `  (${a.attempts} attempts)` : ''}`),
      );
    }
  }
  console.log(
    `\nreconciliation: ${r.ok ? 'holds' : 'DOES NOT HOLD'} — ${r.statements} statements, Σ L ${r.sumL} fen ` +
      `vs Σ PAYABLE fees ${r.expectedSumL} fen, ${r.lines} lines, paid_jobs ${r.paidJobs}, held or pending ` +
      `claimed ${r.heldOrPendingClaimed}`,
  );
  if (r.paymentFile)
    console.log(
      `  payment file: ${r.paymentFile.rows} rows (expected ${r.paymentFile.expectedRows}), ` +
        `${r.paymentFile.totalFen} fen (expected Σ max(R,0) ${r.paymentFile.expectedTotalFen}), sha256 ` +
        `${r.paymentFile.sha256Matches ? 'matches' : 'DIFFERS'}, BOM ${r.paymentFile.bom ? 'yes' : 'NO'}`,
    );
  if (r.unsettledAfter)
    console.log(
      `  unsettled lists after the workflow: ${r.unsettledAfter.wrong} of ${r.unsettledAfter.centres} centres wrong`,
    );
  for (const p of r.firstProblems) console.log(`  PROBLEM: ${p}`);
  if (st.error) console.log(`  FAILED: ${st.error}`);
}

async function main(): Promise<void> {
  const f = await run();
  printTable(f);
  console.log(JSON.stringify({ targetBuildS: TARGET_BUILD_S, targetApprovalS: TARGET_APPROVAL_S, ...f }));
  if (!f.settlement.ok || f.settlement.error || !f.reconciliation.ok) process.exitCode = 1;
}

await main();
