/**
 * The monthly centre evaluation (网点月考评, docs/domain.md §6): one workflow per month, id
 * `evaluation-YYYY-MM`. It gathers every centre's month from the services that own the facts,
 * has the network service score and rank them as PROVISIONAL results, then waits for the review:
 * operators re-run it (`rerun`), partners dispute (records in the network service, which signals
 * `disputesChanged`), and an ADMIN confirms (`confirm`) — or the review window confirms it when no
 * dispute is open. On confirmation, once: grades recorded, suspensions and eliminations applied, an
 * eliminated centre's open jobs recalled for re-dispatch.
 *
 * Every activity is idempotent per (month, run) or per centre, so a worker crash resumes where the
 * history stopped and every centre is counted once. Each phase starts a fresh run (continueAsNew),
 * which keeps the history, and the Update count Temporal caps per run, bounded.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { batchOptions } from './batch-options.ts';
import { evaluationConfirmedSignal, settlementWorkflowId } from './settlement.ts';
import type {
  CertificationActivities,
  EvaluationPolicyInput,
  NetworkActivities,
  StandardsActivities,
  TicketsActivities,
} from '@starline/common';

export const evaluationWorkflowId = (month: string) => `evaluation-${month}`;

/** Who confirms a month when its review window ends with no dispute open. */
export const REVIEW_WINDOW_ACTOR = 'system:review-window';
/** Centres gathered and scored per batch. */
export const EVALUATION_BATCH = 500;
/** Batches per run before handing over to a fresh one, and how long to wait between checks of open disputes. */
const BATCHES_PER_RUN = 20;
const DISPUTE_RECHECK = '1 hour';
const DAY_MS = 86_400_000;

const standards = proxyActivities<StandardsActivities>(batchOptions('standards'));
const network = proxyActivities<NetworkActivities>(batchOptions('network'));
const tickets = proxyActivities<TicketsActivities>(batchOptions('tickets'));
const certification = proxyActivities<CertificationActivities>(batchOptions('certification'));

export type EvaluationPhase = 'COMPUTE' | 'REVIEW' | 'CONFIRM' | 'CONFIRMED';

export interface EvaluationProgress {
  month: string;
  phase: EvaluationPhase;
  run: number;
  done: number;
  total: number;
}

/** What one run hands the next (continueAsNew). */
interface Carried {
  phase: EvaluationPhase;
  run: number;
  policy: EvaluationPolicyInput;
  /** COMPUTE: where the batches stopped. */
  after: string | null;
  done: number;
  total: number;
  /** REVIEW: when the run's results were computed (the review window counts from there). */
  computedAt: string | null;
  confirmedBy: string | null;
}

export interface MonthlyEvaluationInput {
  month: string;
  requestedBy: string;
  carried?: Carried;
}

export interface MonthlyEvaluationResult {
  month: string;
  state: 'CONFIRMED';
  run: number;
  confirmedBy: string | null;
  eliminated: string[];
}

export const rerunUpdate = defineUpdate<{ run: number }, [{ requestedBy: string }]>('rerun');
export const confirmUpdate = defineUpdate<{ confirmedAt: string; confirmedBy: string }, [{ confirmedBy: string }]>(
  'confirm',
);
export const disputesChangedSignal = defineSignal('disputesChanged');
export const progressQuery = defineQuery<EvaluationProgress>('progress');

/** The instant a month (YYYY-MM, Asia/Shanghai, UTC+8 without daylight saving) ends: its last millisecond. */
export function monthLastInstant(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1) - 8 * 3_600_000 - 1).toISOString();
}

/** The Asia/Shanghai month before the one `at` falls in. */
export function monthBefore(at: Date): string {
  const shanghai = new Date(at.getTime() + 8 * 3_600_000);
  const previous = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth() - 1, 1));
  return `${previous.getUTCFullYear()}-${String(previous.getUTCMonth() + 1).padStart(2, '0')}`;
}

const refusal = (type: 'CONFLICT' | 'INVALID_TRANSITION', message: string) =>
  ApplicationFailure.nonRetryable(message, type);

export async function monthlyEvaluation(input: MonthlyEvaluationInput): Promise<MonthlyEvaluationResult> {
  const { month } = input;
  const state: Carried = input.carried ?? {
    phase: 'COMPUTE',
    run: 1,
    policy: await standards.evaluationPolicyAt({ at: monthLastInstant(month) }),
    after: null,
    done: 0,
    total: 0,
    computedAt: null,
    confirmedBy: null,
  };
  let rerunBy: string | null = null;
  let disputesChanged = false;
  let confirming = false;
  let confirmed: { confirmedAt: string; confirmedBy: string } | null = null;

  // Updates are taken only while the results wait for review, and one at a time.
  const refuseOutsideReview = (what: string) => {
    if (state.phase !== 'REVIEW' || rerunBy || confirming || confirmed) throw notInReview(state.phase, what);
  };
  setHandler(progressQuery, () => ({
    month,
    phase: state.phase,
    run: state.run,
    done: state.done,
    total: state.total,
  }));
  setHandler(disputesChangedSignal, () => void (disputesChanged = true));
  setHandler(
    rerunUpdate,
    ({ requestedBy }) => {
      rerunBy = requestedBy;
      return Promise.resolve({ run: state.run + 1 });
    },
    { validator: (_request) => refuseOutsideReview('re-run') },
  );
  // An ADMIN's confirmation: refused (CONFLICT) while a dispute is open, else the month is CONFIRMING when it answers.
  setHandler(
    confirmUpdate,
    async ({ confirmedBy }) => {
      confirming = true;
      try {
        const answer = await tryConfirm(month, confirmedBy);
        if (answer instanceof ApplicationFailure) throw answer;
        return (confirmed = answer);
      } finally {
        confirming = false;
      }
    },
    { validator: (_request) => refuseOutsideReview('confirm') },
  );

  const handOver = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof monthlyEvaluation>({ month, requestedBy: input.requestedBy, carried: state });
  };

  if (state.phase === 'COMPUTE') {
    if (await compute(month, input.requestedBy, state))
      return { month, state: 'CONFIRMED', run: state.run, confirmedBy: null, eliminated: [] };
    return handOver();
  }

  if (state.phase === 'REVIEW') {
    const reviewEnds = Date.parse(state.computedAt!) + state.policy.reviewWindowDays * DAY_MS;
    while (!confirmed) {
      const remaining = reviewEnds - Date.now();
      await condition(() => !!rerunBy || !!confirmed || disputesChanged, remaining > 0 ? remaining : DISPUTE_RECHECK);
      disputesChanged = false;
      if (rerunBy) {
        Object.assign(state, {
          phase: 'COMPUTE',
          run: state.run + 1,
          after: null,
          done: 0,
          total: 0,
          computedAt: null,
        });
        input = { ...input, requestedBy: rerunBy };
        return handOver();
      }
      // The window has ended: it confirms once no dispute is open (re-checked when one is settled, and hourly).
      if (!confirmed && !confirming && Date.now() >= reviewEnds) {
        // Flagged before the first await, so a re-run or confirm arriving meanwhile is refused, not lost.
        confirming = true;
        try {
          const answer = await tryConfirm(month, REVIEW_WINDOW_ACTOR);
          if (!(answer instanceof ApplicationFailure)) confirmed = answer;
        } finally {
          confirming = false;
        }
      }
      if (!confirmed && workflowInfo().continueAsNewSuggested) return handOver();
    }
    state.phase = 'CONFIRM';
    state.confirmedBy = confirmed.confirmedBy;
    return handOver();
  }

  // CONFIRM: the consequences, once (each batch is idempotent, so a crash repeats none).
  const eliminated: string[] = [];
  let after: string | null = null;
  do {
    const batch: Awaited<ReturnType<NetworkActivities['applyEvaluationBatch']>> = await network.applyEvaluationBatch({
      month,
      after,
      limit: EVALUATION_BATCH,
    });
    eliminated.push(...batch.eliminated);
    after = batch.nextCursor;
  } while (after);
  for (const centreId of eliminated) {
    await tickets.recallCentreJobs({
      centreId,
      reason: `centre eliminated by the evaluation of ${month}`,
      evidence: `evaluation:${month}`,
    });
  }
  await network.completeEvaluation({ month });
  state.phase = 'CONFIRMED';
  // A settlement of the month started before may be waiting for this: tell it (there may be none).
  await getExternalWorkflowHandle(settlementWorkflowId(month))
    .signal(evaluationConfirmedSignal)
    .catch(() => undefined);
  return { month, state: 'CONFIRMED', run: state.run, confirmedBy: state.confirmedBy, eliminated };
}

function notInReview(phase: EvaluationPhase, what: string): ApplicationFailure {
  if (phase === 'CONFIRM' || phase === 'CONFIRMED')
    return refusal('INVALID_TRANSITION', `the evaluation is confirmed; it can no longer ${what}`);
  return refusal(
    'CONFLICT',
    `the evaluation is ${phase === 'COMPUTE' ? 'computing' : 'busy'}; ${what} once its provisional results are ready`,
  );
}

/** Confirms, or returns the network's refusal (a dispute opened meanwhile) for the caller. */
async function tryConfirm(
  month: string,
  confirmedBy: string,
): Promise<{ confirmedAt: string; confirmedBy: string } | ApplicationFailure> {
  if ((await network.openDisputes({ month })) > 0)
    return refusal('CONFLICT', `a dispute of ${month} is open; uphold or reject it first`);
  try {
    return await network.confirmEvaluation({ month, confirmedBy });
  } catch (error) {
    const type = (error as { cause?: { type?: string } }).cause?.type;
    if (type === 'CONFLICT') return refusal('CONFLICT', (error as { cause: Error }).cause.message);
    throw error;
  }
}

/**
 * One run: every centre's facts gathered by batch from their owners and scored by the network
 * service. True when the month turned out CONFIRMED already (nothing to do).
 */
async function compute(month: string, requestedBy: string, state: Carried): Promise<boolean> {
  if (state.after === null && state.done === 0) {
    const begun = await network.beginEvaluationRun({
      month,
      run: state.run,
      standardVersionId: state.policy.standardVersionId,
      requestedBy,
    });
    if (begun.state === 'CONFIRMED') return true;
    state.total = begun.total;
  }
  const asOf = monthLastInstant(month);
  for (let batches = 0; batches < BATCHES_PER_RUN; batches++) {
    const page = await network.evaluationCentres({ month, after: state.after, limit: EVALUATION_BATCH });
    const centreIds = page.centres.map((c) => c.centreId);
    if (centreIds.length > 0) {
      const [facts, credits] = await Promise.all([
        tickets.centreMonthFacts({ month, asOf, centreIds }),
        certification.centreMonthCredits({ month, centreIds }),
      ]);
      const centres = page.centres.map((centre, i) => ({ centre, tickets: facts[i]!, credits: credits[i]! }));
      await network.storeScorecards({ month, run: state.run, policy: state.policy, doneBefore: state.done, centres });
      state.done += centres.length;
    }
    state.after = page.nextCursor;
    if (!state.after) {
      const finished = await network.finishEvaluationRun({ month, run: state.run });
      Object.assign(state, { phase: 'REVIEW', computedAt: finished.computedAt });
      return false;
    }
  }
  return false;
}

/**
 * What the Schedule starts on the 1st of each month: the evaluation of the month before, as a
 * workflow of its own (id `evaluation-YYYY-MM`, so an operator's run of the same month is that one).
 */
export async function scheduledMonthlyEvaluation(): Promise<{ month: string; started: boolean }> {
  const month = monthBefore(workflowInfo().startTime);
  try {
    await startChild(monthlyEvaluation, {
      workflowId: evaluationWorkflowId(month),
      args: [{ month, requestedBy: 'system:schedule' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
    return { month, started: true };
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') return { month, started: false };
    throw error;
  }
}
