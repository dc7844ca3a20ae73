import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { expect } from 'vitest';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import type {
  CentrePayee,
  Claims,
  EvaluationAward,
  SettlementActivities,
  SettlementJob,
  SettlementPolicyInput,
} from '@starline/common';
import { runnerFor, snapshotOf, testDatabase, type Runner } from '../../../common/test/harness.ts';
import { createSettlementActivities } from '../src/activities.ts';
import type { SettlementWorkflow } from '../src/graphql/settlement-workflow.ts';
import { buildSettlementSchema } from '../src/schema.ts';
import { createSettlementStore, type SettlementStore } from '../src/store/settlement.ts';

/**
 * The settlement subgraph against FerretDB: a database per test file, the schema executed in process
 * with the caller's claims, the real activities on the same store and clock, and an in-process stand-in
 * for the monthlySettlement workflow (fakeSettlementWorkflow).
 */
export interface Harness {
  db: Connection;
  store: SettlementStore;
  schema: GraphQLSchema;
  run: Runner;
  /** Every document of every collection, to prove a refused request wrote nothing. */
  snapshot: () => Promise<string>;
  /** The settlement service's activities, on the harness's store and clock. */
  acts: SettlementActivities;
  workflow: FakeSettlementWorkflow;
  /** The clock the subgraph and the activities read; `setClock` moves it. */
  now: () => Date;
  setClock: (iso: string) => void;
}

/** The settlement numbers of the standard these tests use (T in hundredths). */
export const POLICY: SettlementPolicyInput = {
  standardVersionId: 'standard-2026-v3',
  coefficients: { A: 110, B: 100, C: 90, ungraded: 100 },
  maxAdjustmentFen: 10_000_000,
  approvalDueDay: 10,
};

/** A FINANCE user by subject (four eyes needs several). */
export const financeUser = (sub: string): Claims => ({ sub, roles: ['FINANCE'] });

export const award = (
  month: string,
  centreId: string,
  grade: EvaluationAward['grade'],
  extra: Partial<EvaluationAward> = {},
): EvaluationAward => ({
  centreId,
  month,
  grade,
  rank: null,
  awardFen: 0,
  penaltyFen: 0,
  ...extra,
});

/** A job as the tickets service lists it for settlement. */
export function job(
  ticketId: string,
  status: SettlementJob['status'],
  extra: Partial<SettlementJob> = {},
): SettlementJob {
  return {
    ticketId,
    number: `SR-${ticketId}`,
    completedMonth: status === 'PENDING' ? null : '2026-10',
    productLine: 'AIR_CONDITIONER',
    serviceType: 'REPAIR',
    areaClass: 'URBAN',
    status,
    feeFen: status === 'PAYABLE' ? 0 : null,
    reasons: [],
    ...extra,
  };
}
export const payable = (ticketId: string, feeFen: number, extra: Partial<SettlementJob> = {}) =>
  job(ticketId, 'PAYABLE', { feeFen, ...extra });

type WorkflowCall =
  | { kind: 'start'; month: string; startedBy: string }
  | { kind: 'approve'; month: string; approver: { sub: string; roles: string[] }; updateId: string }
  | { kind: 'rebuild'; month: string; statementId: string; centreId: string; by: string; updateId: string }
  | { kind: 'adjusted'; month: string; by: string };

export interface FakeSettlementWorkflow extends SettlementWorkflow {
  /** Every call, in order. */
  calls: WorkflowCall[];
  /** Each centre's unsettled jobs as the tickets service would answer them to a rebuild. */
  jobs: Map<string, SettlementJob[]>;
  /** The network's payee details by centre id (centres left out do not exist). */
  payees: Map<string, CentrePayee>;
}

const refusal = (type: string, message: string) => ApplicationFailure.nonRetryable(message, type);

/** Fails like a Temporal Update does: its validator's or handler's ApplicationFailure, wrapped. */
async function asUpdate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApplicationFailure) throw new WorkflowUpdateFailedError('Workflow Update failed', error);
    throw error;
  }
}

/**
 * monthlySettlement as the resolvers see it, in process, doing what the workflow does with the real
 * activities: `start` opens the run; the `approve` Update's validator checks the run is in review and
 * four eyes (FINANCE, not the starter, not an author the `adjusted` signal named), then the handler reads
 * the payable centres' payees and approves; `rebuild` rebuilds from `jobs`. An Update id already
 * answered returns its first answer, as Temporal does.
 */
export function fakeSettlementWorkflow(store: SettlementStore, acts: SettlementActivities): FakeSettlementWorkflow {
  const calls: WorkflowCall[] = [];
  const jobs = new Map<string, SettlementJob[]>();
  const payees = new Map<string, CentrePayee>();
  const adjustedBy = new Map<string, Set<string>>();
  const updates = new Map<string, Promise<unknown>>();
  const once = <T>(updateId: string, work: () => Promise<T>): Promise<T> => {
    const earlier = updates.get(updateId);
    if (earlier) return earlier as Promise<T>;
    const answer = work();
    updates.set(updateId, answer);
    // A refused Update is not stored by Temporal: the same id may be sent again.
    answer.catch(() => updates.delete(updateId));
    return answer;
  };
  const inReview = async (month: string, what: string) => {
    const run = await store.findRun(month);
    if (!run) throw refusal('NOT_FOUND', `no settlement workflow for ${month}`);
    if (run.state !== 'IN_REVIEW')
      throw refusal(
        run.state === 'APPROVED' || run.state === 'EXPORTED' ? 'INVALID_TRANSITION' : 'CONFLICT',
        `the settlement of ${month} is ${run.state}: it cannot ${what} now`,
      );
    return run;
  };
  return {
    calls,
    jobs,
    payees,
    async start(month, startedBy) {
      calls.push({ kind: 'start', month, startedBy });
      const started = !calls.some((c, i) => i < calls.length - 1 && c.kind === 'start' && c.month === month);
      await acts.openSettlement({ month, startedBy });
      return { started };
    },
    async approve(month, { approver, updateId }) {
      calls.push({ kind: 'approve', month, approver, updateId });
      await once(updateId, () =>
        asUpdate(async () => {
          const run = await inReview(month, 'be approved');
          if (!approver.roles.includes('FINANCE')) throw refusal('FORBIDDEN', 'only FINANCE approves a settlement');
          if (approver.sub === run.startedBy)
            throw refusal(
              'FORBIDDEN',
              `${approver.sub} started this settlement: another FINANCE user must approve it (four eyes)`,
            );
          if (adjustedBy.get(month)?.has(approver.sub))
            throw refusal(
              'FORBIDDEN',
              `${approver.sub} adjusted statements of this settlement: another FINANCE user must approve it ` +
                `(four eyes)`,
            );
          const paid = await acts.payableCentres({ month });
          const found = paid.flatMap((id) => payees.get(id) ?? []);
          return acts.approveSettlement({ month, approvedBy: approver, payees: found });
        }),
      );
    },
    async rebuild(month, { statementId, centreId, by, updateId }) {
      calls.push({ kind: 'rebuild', month, statementId, centreId, by, updateId });
      await once(updateId, () =>
        asUpdate(async () => {
          await inReview(month, 'rebuild a statement');
          return acts.rebuildStatement({ statementId, jobs: jobs.get(centreId) ?? [], by });
        }),
      );
    },
    async adjusted(month, by) {
      calls.push({ kind: 'adjusted', month, by });
      if (!adjustedBy.has(month)) adjustedBy.set(month, new Set());
      adjustedBy.get(month)!.add(by);
    },
  };
}

export async function startHarness(prefix: string, startAt: string): Promise<Harness> {
  const db = await testDatabase(prefix);
  const store = createSettlementStore(db);
  await store.syncIndexes();
  let clock = new Date(startAt);
  const now = () => clock;
  const acts = createSettlementActivities(store, now);
  const workflow = fakeSettlementWorkflow(store, acts);
  const schema = buildSettlementSchema({ store, now, workflow });
  return {
    db,
    store,
    schema,
    acts,
    workflow,
    now,
    run: runnerFor(schema),
    snapshot: snapshotOf(db),
    setClock: (iso) => void (clock = new Date(iso)),
  };
}

/** An activity's failure: an ApplicationFailure, non-retryable, of this type. */
export async function activityFailure(promise: Promise<unknown>, type: string): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect([failure.type, failure.nonRetryable]).toEqual([type, true]);
  return failure;
}

export { as, contextAs, expectError, expectOk, type Result } from '../../../common/test/harness.ts';

export const STATEMENT_FIELDS = /* GraphQL */ `
  fragment S on Statement {
    id
    month
    centreId
    centre {
      id
    }
    state
    standardVersionId
    grade
    lines {
      ticketId
      ticketNumber
      statementId
      completedMonth
      productLine
      serviceType
      areaClass
      feeFen
    }
    L
    T
    LT
    items {
      kind
      amountFen
      reason
      by
      correctsMonth
    }
    Q
    R
    payableFen
    carriedOutFen
    heldJobs {
      ticketId
      ticketNumber
      completedMonth
      reasons
    }
    pendingJobs
    history {
      at
      by
      action
      note
    }
    version
  }
`;

export const RUN_FIELDS = /* GraphQL */ `
  fragment Run on SettlementRun {
    month
    state
    startedBy
    startedAt
    standardVersionId
    progress {
      done
      total
    }
    totals {
      centres
      jobs
      L
      Q
      R
      payableFen
    }
    adjustedBy
    approvedBy
    approvedAt
    dueAt
    overdue
    exportedBy
    exportedAt
  }
`;
