import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { runnerFor, snapshotOf, testDatabase, type Runner } from '../../../common/test/harness.ts';
import type { CentreMonthCredits, CentreMonthTickets, EvaluationPolicyInput, KpiCounters } from '@starline/common';
import type { EvaluationWorkflow } from '../src/graphql/evaluation-workflow.ts';
import { buildNetworkSchema } from '../src/schema.ts';
import { createCentreStore, type CentreStore } from '../src/store/centres.ts';

export interface Harness {
  db: Connection;
  store: CentreStore;
  schema: GraphQLSchema;
  run: Runner;
  snapshot: () => Promise<string>;
  /** The in-process stand-in for the evaluation workflow (see fakeEvaluationWorkflow). */
  workflow: FakeEvaluationWorkflow;
  /** What the live scorecard's sources answer (tickets, certification, standards). */
  live: FakeLiveSources;
}

/**
 * The default standard's evaluation numbers (docs/domain.md §3), as the standards service answers evaluationPolicyAt.
 */
export const DEFAULT_EVALUATION_POLICY: EvaluationPolicyInput = {
  standardVersionId: 'standard-default',
  kpis: [
    { code: 'SATISFACTION_RATE', direction: 'HIGHER_IS_BETTER', target: 0.95, floor: 0.8, weight: 30 },
    { code: 'INFORMATION_TIMELINESS', direction: 'HIGHER_IS_BETTER', target: 0.98, floor: 0.85, weight: 15 },
    { code: 'DISPATCH_LEFTOVER', direction: 'LOWER_IS_BETTER', target: 0.02, floor: 0.1, weight: 15 },
    { code: 'COMPLAINT_RATE', direction: 'LOWER_IS_BETTER', target: 0.01, floor: 0.05, weight: 20 },
    { code: 'PARTS_MISJUDGEMENT', direction: 'LOWER_IS_BETTER', target: 0.03, floor: 0.15, weight: 10 },
    { code: 'DELIGHT_RATE', direction: 'HIGHER_IS_BETTER', target: 0.05, floor: 0, weight: 10 },
  ],
  incentivePoints: { qualityInfoAdopted: 2, serviceInnovation: 2, majorComplaint: -10 },
  grading: { aMinScore: 90, bMinScore: 75, minCompletions: 10 },
  consequences: {
    suspendAtCGrades: 2,
    eliminateAtCGrades: 3,
    awardTopN: 10,
    penaltyBottomN: 10,
    awardFen: 200_000,
    penaltyFen: 200_000,
  },
  reviewWindowDays: 3,
  promotionRunMonths: 3,
};

export const ZERO_COUNTERS: KpiCounters = {
  dispatched: 0,
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

type WorkflowCall = {
  kind: 'start' | 'rerun' | 'confirm' | 'disputesChanged';
  month: string;
  args: Record<string, unknown>;
};

export interface FakeEvaluationWorkflow extends EvaluationWorkflow {
  /** Every call, in order. */
  calls: WorkflowCall[];
  /** Replaces what one kind of call does (e.g. a refusal); `reset` restores the defaults. */
  on<K extends WorkflowCall['kind']>(kind: K, handler: EvaluationWorkflow[K]): void;
  reset(): void;
}

/**
 * The evaluation workflow as the resolvers see it, in process: `start` says started the first time a
 * month is asked and already running after; the Updates and the signal succeed unless told otherwise.
 */
export function fakeEvaluationWorkflow(): FakeEvaluationWorkflow {
  const running = new Set<string>();
  const defaults = (): EvaluationWorkflow => ({
    start: async (month) => {
      const started = !running.has(month);
      running.add(month);
      return { started };
    },
    rerun: async () => undefined,
    confirm: async () => undefined,
    disputesChanged: async () => undefined,
  });
  let handlers = defaults();
  const calls: WorkflowCall[] = [];
  return {
    calls,
    on: (kind, handler) => void (handlers = { ...handlers, [kind]: handler }),
    reset: () => void (handlers = defaults()),
    start: (month, requestedBy) => (
      calls.push({ kind: 'start', month, args: { requestedBy } }),
      handlers.start(month, requestedBy)
    ),
    rerun: (month, args) => (calls.push({ kind: 'rerun', month, args }), handlers.rerun(month, args)),
    confirm: (month, args) => (calls.push({ kind: 'confirm', month, args }), handlers.confirm(month, args)),
    disputesChanged: (month) => (
      calls.push({ kind: 'disputesChanged', month, args: {} }),
      handlers.disputesChanged(month)
    ),
  };
}

export interface FakeLiveSources {
  policy: EvaluationPolicyInput;
  /** Each centre's tickets facts and credits this month (centres left out: nothing happened). */
  tickets: Map<string, { counters: KpiCounters; leftover: number }>;
  credits: Map<string, { qualityInfoAdopted: number; serviceInnovation: number }>;
  /** Each call of the two fact sources, to check they were asked only for the centres that needed it. */
  asked: { facts: string[][]; credits: string[][] };
}

/** The default standard's product lines, as the standards service would answer `productLinesAt`. */
export const STANDARD_PRODUCT_LINES = {
  standardVersionId: 'standard-default',
  productLines: ['AIR_CONDITIONER', 'REFRIGERATOR', 'WASHING_MACHINE', 'WATER_HEATER', 'TELEVISION'],
};

export async function startHarness(prefix: string, opts: { now?: () => Date } = {}): Promise<Harness> {
  const db = await testDatabase(prefix);
  const store = createCentreStore(db);
  await store.syncIndexes();
  const workflow = fakeEvaluationWorkflow();
  const live: FakeLiveSources = {
    policy: DEFAULT_EVALUATION_POLICY,
    tickets: new Map(),
    credits: new Map(),
    asked: { facts: [], credits: [] },
  };
  const schema = buildNetworkSchema({
    store,
    now: opts.now ?? (() => new Date()),
    productLines: async () => STANDARD_PRODUCT_LINES,
    evaluationWorkflow: workflow,
    live: {
      policy: async () => live.policy,
      facts: async ({ centreIds }) => {
        live.asked.facts.push(centreIds);
        return centreIds.map((centreId): CentreMonthTickets => ({
          centreId,
          counters: ZERO_COUNTERS,
          leftover: 0,
          ...live.tickets.get(centreId),
        }));
      },
      credits: async ({ centreIds }) => {
        live.asked.credits.push(centreIds);
        return centreIds.map((centreId): CentreMonthCredits => ({
          centreId,
          qualityInfoAdopted: 0,
          serviceInnovation: 0,
          ...live.credits.get(centreId),
        }));
      },
    },
  });
  const run = runnerFor(schema);
  const snapshot = snapshotOf(db);
  return { db, store, schema, run, snapshot, workflow, live };
}

export { expectError, expectOk, type Result } from '../../../common/test/harness.ts';

export const CENTRE_FIELDS = /* GraphQL */ `
  fragment C on ServiceCentre {
    id
    code
    name
    tier
    level
    levelName
    parentId
    parent {
      id
      code
    }
    region
    serviceAreas
    productLines
    dailyCapacity
    starRating
    contact {
      name
      phone
      email
    }
    status
    statusHistory {
      from
      to
      at
      actor
      reason
      evidence
    }
    grades {
      month
      grade
      score
    }
    createdBy
    createdAt
    updatedAt
  }
`;

export const Q = {
  centre: `query ($id: ID!) { serviceCentre(id: $id) { ...C } } ${CENTRE_FIELDS}`,
  byCode: `query ($code: String!) { serviceCentreByCode(code: $code) { id code } }`,
  list: `query ($filter: ServiceCentreFilter, $first: Int, $after: String) {
    serviceCentres(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id code tier status } } } }`,
  tree: `query ($rootId: ID!, $depth: Int) { networkTree(rootId: $rootId, depth: $depth) {
    truncated root { id code } nodes { depth parentId centre { id code level levelName tier } } } }`,
  create:
    `mutation ($input: CreateServiceCentreInput!, $key: String) { createServiceCentre(input: $input, ` +
    `idempotencyKey: $key) { ...C } } ${CENTRE_FIELDS}`,
  update:
    `mutation ($id: ID!, $input: UpdateServiceCentreInput!, $key: String) { updateServiceCentre(id: $id, ` +
    `input: $input, idempotencyKey: $key) { ...C } } ${CENTRE_FIELDS}`,
  change: `mutation ($id: ID!, $to: CentreStatus!, $reason: String, $evidence: String, $key: String) {
    changeCentreStatus(id: $id, to: $to, reason: $reason, evidence: $evidence, idempotencyKey: $key) { id status
    statusHistory { from to actor reason evidence } } }`,
  activate:
    `mutation ($id: ID!, $reason: String, $key: String) { activateServiceCentre(id: $id, reason: $reason, ` +
    `idempotencyKey: $key) { id status } }`,
  suspend:
    `mutation ($id: ID!, $reason: String!, $evidence: String, $key: String) { suspendServiceCentre(id: $id, ` +
    `reason: $reason, evidence: $evidence, idempotencyKey: $key) { id status } }`,
  reinstate:
    `mutation ($id: ID!, $reason: String!, $key: String) { reinstateServiceCentre(id: $id, reason: $reason, ` +
    `idempotencyKey: $key) { id status } }`,
  eliminate:
    `mutation ($id: ID!, $reason: String!, $evidence: String!, $key: String) { eliminateServiceCentre(id: $id, ` +
    `reason: $reason, evidence: $evidence, idempotencyKey: $key) { id status } }`,
};

let seq = 0;
/** A valid create input; `code` is unique per call unless given. */
export function centreInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    code: `T-${String(seq).padStart(4, '0')}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`,
    name: `Centre ${seq}`,
    tier: 'STANDARD',
    region: '310115',
    serviceAreas: ['310115'],
    productLines: ['AIR_CONDITIONER'],
    dailyCapacity: 20,
    starRating: 3,
    contact: { name: 'Li Wei', phone: '13800138000', email: 'li@example.com' },
    ...overrides,
  };
}
