import { ApplicationFailure } from '@temporalio/activity';
import type {
  CertificationActivities,
  EvaluationPolicyInput,
  NetworkActivities,
  StandardsActivities,
  TicketsActivities,
} from '@starline/common';

export const DAY = 86_400_000;
export const CENTRES = ['c1', 'c2', 'c3', 'c4', 'c5'];

/**
 * The four services as stand-ins for the evaluation workflow: centres come two to a page; each call
 * is recorded with `clock()` (the test server's clock where time is skipped), so the review window
 * can be checked. `openDisputes` is what the network would count; confirming while one is open is
 * refused as the network refuses it.
 */
export function evaluationServices(
  clock: () => Promise<number>,
  opts: { confirmed?: boolean; failStoreOnce?: string; reviewWindowDays?: number } = {},
) {
  const policy = {
    standardVersionId: 'standard-9',
    reviewWindowDays: opts.reviewWindowDays ?? 3,
  } as EvaluationPolicyInput;
  const calls: { name: string; arg?: unknown; at: number }[] = [];
  const state = { openDisputes: 0, confirmedBy: null as string | null, failed: false };
  const note = async (name: string, arg?: unknown) => void calls.push({ name, arg, at: await clock() });
  const standards: Pick<StandardsActivities, 'evaluationPolicyAt'> = {
    evaluationPolicyAt: async ({ at }) => (await note('policy', at), { ...policy, validUntil: null }),
  };
  const network: Partial<NetworkActivities> = {
    beginEvaluationRun: async ({ run, requestedBy }) => (
      await note('begin', { run, requestedBy }),
      { state: opts.confirmed ? 'CONFIRMED' : 'RUNNING', total: CENTRES.length }
    ),
    evaluationCentres: async ({ after }) => {
      const from = after ? CENTRES.indexOf(after) + 1 : 0;
      const page = CENTRES.slice(from, from + 2);
      const nextCursor = from + 2 < CENTRES.length ? page[page.length - 1]! : null;
      return {
        centres: page.map((centreId) => ({
          centreId,
          code: centreId.toUpperCase(),
          region: '310000',
          cGradesBefore: 0,
        })),
        nextCursor,
      };
    },
    storeScorecards: async ({ run, centres, doneBefore }) => {
      const ids = centres.map((c) => c.centre.centreId);
      if (opts.failStoreOnce === ids[0] && !state.failed) {
        state.failed = true;
        throw new Error('network database unreachable');
      }
      await note('store', {
        run,
        ids,
        doneBefore,
        facts: centres.map((c) => [c.tickets.centreId, c.credits.centreId]),
      });
      return { stored: ids.length };
    },
    finishEvaluationRun: async ({ run }) => (
      await note('finish', run),
      { computedAt: new Date(await clock()).toISOString(), gradeCounts: { A: 1, B: 2, C: 1, ungraded: 1 } }
    ),
    openDisputes: async () => state.openDisputes,
    confirmEvaluation: async ({ confirmedBy }) => {
      if (state.openDisputes > 0) throw ApplicationFailure.nonRetryable('a dispute is open', 'CONFLICT');
      state.confirmedBy ??= confirmedBy;
      await note('confirm', confirmedBy);
      return { confirmedAt: new Date(await clock()).toISOString(), confirmedBy: state.confirmedBy };
    },
    applyEvaluationBatch: async ({ after }) => (
      await note('apply', after),
      after ? { eliminated: [], nextCursor: null } : { eliminated: ['c3'], nextCursor: 'c3' }
    ),
    completeEvaluation: async () => (await note('complete'), { state: 'CONFIRMED' }),
  };
  const tickets: Pick<TicketsActivities, 'centreMonthFacts' | 'recallCentreJobs'> = {
    centreMonthFacts: async ({ centreIds, asOf }) => (
      await note('facts', asOf),
      centreIds.map((centreId) => ({ centreId, counters: {} as never, leftover: 0 }))
    ),
    recallCentreJobs: async ({ centreId, evidence }) => (await note('recall', { centreId, evidence }), { recalled: 2 }),
  };
  const certification: Pick<CertificationActivities, 'centreMonthCredits'> = {
    centreMonthCredits: async ({ centreIds }) =>
      centreIds.map((centreId) => ({ centreId, qualityInfoAdopted: 0, serviceInnovation: 0 })),
  };
  const names = () => calls.map((c) => c.name);
  const of = (name: string) => calls.filter((c) => c.name === name);
  return { standards, network, tickets, certification, calls, state, names, of };
}
