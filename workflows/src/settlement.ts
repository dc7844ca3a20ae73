/**
 * The monthly settlement (网点服务费用结算, docs/domain.md §7) that finance runs: one workflow per month, id
 * `settlement-YYYY-MM`. It waits until the month's evaluation is confirmed, builds every centre's
 * statement (R = L × T + Q) from its unsettled jobs, then waits for finance's review: statements are
 * adjusted, held and released in the settlement service, a statement whose jobs changed is rebuilt
 * (`rebuild`), and another FINANCE user approves (`approve`, four eyes). On approval the payment file
 * is written and the paid jobs are taken off the centres' lists. Approval not given by the standard's
 * due day flags the run overdue.
 *
 * Every activity is idempotent (a job is claimed by one statement ever, by ticket id), so a crash
 * resumes where the history stopped and no job is paid twice. Building continues as new every few
 * batches, which keeps the history bounded.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { batchOptions } from './batch-options.ts';
import type {
  EvaluationAward,
  NetworkActivities,
  SettlementActivities,
  SettlementJob,
  StandardsActivities,
  TicketsActivities,
} from '@starline/common';

export const settlementWorkflowId = (month: string) => `settlement-${month}`;

/** Centres whose jobs are read and statements built per batch. */
export const SETTLEMENT_BATCH = 25;
/** Centres per page of the evaluation's awards: its batches' jobs are read at once. */
export const SETTLEMENT_PAGE = 4 * SETTLEMENT_BATCH;
/** Pages built per run before continuing as new (1,000 centres: a run's history stays near 30 MB). */
const PAGES_PER_RUN = 10;
/** How often a settlement waiting for its evaluation looks again (a signal wakes it sooner). */
const EVALUATION_RECHECK = '10 minutes';

const standards = proxyActivities<StandardsActivities>(batchOptions('standards'));
const network = proxyActivities<NetworkActivities>(batchOptions('network'));
const tickets = proxyActivities<TicketsActivities>(batchOptions('tickets'));
// A settlement activity is a batch of seconds: a worker lost mid-batch is noticed within a minute, not two.
const settlement = proxyActivities<SettlementActivities>(batchOptions('settlement', '1 minute'));

export type SettlementPhase = 'WAITING_FOR_EVALUATION' | 'BUILDING' | 'IN_REVIEW' | 'APPROVED';

export interface SettlementProgress {
  month: string;
  phase: SettlementPhase;
  done: number;
}

interface Carried {
  phase: SettlementPhase;
  /** BUILDING: where the evaluation's centres were left. */
  after: string | null;
  done: number;
  /** Who adjusted statements, as signalled: the approval's validator needs them in the next run too. */
  adjustedBy?: string[];
  /** APPROVED: who approved (the paid jobs are then cleared from `after` on). */
  approvedBy?: string;
}

export interface MonthlySettlementInput {
  month: string;
  startedBy: string;
  carried?: Carried;
}

export interface Approver {
  sub: string;
  roles: string[];
}

export const approveUpdate = defineUpdate<{ approvedAt: string; sha256: string }, [Approver]>('approve');
export const rebuildUpdate = defineUpdate<{ version: number }, [{ statementId: string; centreId: string; by: string }]>(
  'rebuild',
);
/** The settlement service tells the workflow who adjusted a statement, so the approval validator knows. */
export const adjustedSignal = defineSignal<[{ by: string }]>('adjusted');
/** The month's evaluation was confirmed: stop waiting now. */
export const evaluationConfirmedSignal = defineSignal('evaluationConfirmed');
export const settlementProgressQuery = defineQuery<SettlementProgress>('progress');

const refusal = (type: string, message: string) => ApplicationFailure.nonRetryable(message, type);

export async function monthlySettlement(
  input: MonthlySettlementInput,
): Promise<{ month: string; state: 'APPROVED'; approvedBy: string }> {
  const { month, startedBy } = input;
  const state: Carried = input.carried ?? { phase: 'WAITING_FOR_EVALUATION', after: null, done: 0 };
  const adjustedBy = new Set<string>(state.adjustedBy);
  let evaluationConfirmed = false;
  let busy = false;
  let approvedBy: string | null = null;

  setHandler(settlementProgressQuery, () => ({ month, phase: state.phase, done: state.done }));
  setHandler(evaluationConfirmedSignal, () => void (evaluationConfirmed = true));
  setHandler(adjustedSignal, ({ by }) => void adjustedBy.add(by));
  const inReview = (what: string) => {
    if (state.phase !== 'IN_REVIEW' || busy)
      throw refusal(
        state.phase === 'APPROVED' ? 'INVALID_TRANSITION' : 'CONFLICT',
        `the settlement of ${month} is ${busy ? 'busy' : state.phase}: it cannot ${what} now`,
      );
  };
  // Four eyes, as far as the workflow knows; the settlement service checks again against what it stored.
  setHandler(
    approveUpdate,
    async (approver) => {
      busy = true;
      try {
        const answer = await approve(month, approver);
        approvedBy = approver.sub;
        state.phase = 'APPROVED';
        return answer;
      } finally {
        busy = false;
      }
    },
    {
      validator: (approver) => {
        inReview('be approved');
        if (!approver.roles.includes('FINANCE')) throw refusal('FORBIDDEN', 'only FINANCE approves a settlement');
        if (approver.sub === startedBy)
          throw refusal(
            'FORBIDDEN',
            `${approver.sub} started this settlement: another FINANCE user must approve it (four eyes)`,
          );
        if (adjustedBy.has(approver.sub))
          throw refusal(
            'FORBIDDEN',
            `${approver.sub} adjusted statements of this settlement: another FINANCE user must approve it (four eyes)`,
          );
      },
    },
  );
  setHandler(
    rebuildUpdate,
    async ({ statementId, centreId, by }) => {
      busy = true;
      try {
        const [centre] = await tickets.unsettledJobs({ centreIds: [centreId] });
        return await settlement.rebuildStatement({ statementId, jobs: centre?.jobs ?? [], by });
      } finally {
        busy = false;
      }
    },
    { validator: (_request) => inReview('rebuild a statement') },
  );

  const handOver = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof monthlySettlement>({
      month,
      startedBy,
      carried: { ...state, adjustedBy: [...adjustedBy] },
    });
  };

  if (state.phase === 'WAITING_FOR_EVALUATION') {
    await settlement.openSettlement({ month, startedBy });
    let evaluation = await network.evaluationOf({ month });
    while (evaluation?.state !== 'CONFIRMED') {
      await condition(() => evaluationConfirmed, EVALUATION_RECHECK);
      evaluationConfirmed = false;
      evaluation = await network.evaluationOf({ month });
      if (workflowInfo().continueAsNewSuggested) return handOver();
    }
    const policy = await standards.settlementPolicyOf({ versionId: evaluation.standardVersionId });
    await settlement.beginBuild({ month, policy, total: evaluation.centres });
    state.phase = 'BUILDING';
  }

  if (state.phase === 'BUILDING') {
    // The next page's centres and jobs are read while this one's statements are built.
    let next = pageWithJobs(month, state.after);
    for (let page = 0; page < PAGES_PER_RUN; page++) {
      const { batches, nextCursor } = await next;
      if (nextCursor && page + 1 < PAGES_PER_RUN) next = pageWithJobs(month, nextCursor);
      for (const centres of batches) {
        await settlement.buildStatements({ month, centres });
        state.done += centres.length;
      }
      state.after = nextCursor;
      if (!state.after) break;
    }
    if (state.after) return handOver();
    await settlement.finishBuild({ month });
    state.phase = 'IN_REVIEW';
    return handOver();
  }

  if (state.phase === 'IN_REVIEW') {
    const { dueAt } = await settlement.finishBuild({ month });
    const untilDue = Date.parse(dueAt) - Date.now();
    if (untilDue > 0 && !(await condition(() => approvedBy !== null, untilDue)))
      await settlement.flagOverdue({ month });
    else if (untilDue <= 0) await settlement.flagOverdue({ month });
    await condition(() => approvedBy !== null && !busy);
    Object.assign(state, { phase: 'APPROVED', after: null, approvedBy });
  }

  // APPROVED: the paid and never-payable jobs leave their centres' lists (each call idempotent).
  do {
    const page: Awaited<ReturnType<SettlementActivities['settledJobs']>> = await settlement.settledJobs({
      month,
      after: state.after,
      limit: 200,
    });
    const settled = page.statements.filter((s) => s.ticketIds.length > 0);
    if (settled.length) await tickets.jobsSettled({ statements: settled });
    state.after = page.nextCursor;
    if (state.after && workflowInfo().continueAsNewSuggested) return handOver();
  } while (state.after);
  await condition(allHandlersFinished);
  return { month, state: 'APPROVED', approvedBy: state.approvedBy ?? '' };
}

type Batch = { award: EvaluationAward; jobs: SettlementJob[] }[];

/** A page of the evaluation's centres (their awards) after `after`, in batches, each centre with its unsettled jobs. */
async function pageWithJobs(
  month: string,
  after: string | null,
): Promise<{ batches: Batch[]; nextCursor: string | null }> {
  const { awards, nextCursor } = await network.evaluationAwards({ month, after, limit: SETTLEMENT_PAGE });
  const chunks: EvaluationAward[][] = [];
  for (let i = 0; i < awards.length; i += SETTLEMENT_BATCH) chunks.push(awards.slice(i, i + SETTLEMENT_BATCH));
  // The batches' jobs are read side by side: the tickets service and its database have cores to spare.
  const batches = await Promise.all(
    chunks.map(async (chunk) => {
      const jobs = await tickets.unsettledJobs({ centreIds: chunk.map((a) => a.centreId) });
      return chunk.map((award, i) => ({ award, jobs: jobs[i]!.jobs }));
    }),
  );
  return { batches, nextCursor };
}

/** The payment file needs every paid centre's payee details, read from the network service in pages. */
async function approve(month: string, approver: Approver): Promise<{ approvedAt: string; sha256: string }> {
  const paid = await settlement.payableCentres({ month });
  const payees = [];
  for (let i = 0; i < paid.length; i += 1000)
    payees.push(...(await network.payeesOf({ centreIds: paid.slice(i, i + 1000) })));
  return settlement.approveSettlement({ month, approvedBy: approver, payees });
}
