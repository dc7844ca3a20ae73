import type { GraphQLResolverMap } from '@apollo/subgraph';
import { shanghaiMonth, type RequestContext } from '@starline/common';
import type { StatusAction } from '../rules/status.ts';
import { levelName } from '../rules/tree.ts';
import type { CentrePayeeInput, CreateCentreInput } from '../rules/validate.ts';
import type { CentreRecord } from '../store/centres.ts';
import { DateTimeScalar } from '@starline/common';
import type { NetworkDeps } from './deps.ts';
import * as evaluations from './evaluations.ts';
import * as live from './live.ts';
import * as mutations from './mutations.ts';
import * as payee from './payee.ts';
import * as queries from './queries.ts';
import type { EvaluationView } from './scorecard-view.ts';

type StatusMutationArgs = {
  id: string;
  reason?: string | null;
  evidence?: string | null;
  idempotencyKey?: string | null;
};
type MonthArgs = { month: string; idempotencyKey?: string | null };
type DecisionArgs = { id: string; reason: string; idempotencyKey?: string | null };

export function createResolvers(deps: NetworkDeps): GraphQLResolverMap<RequestContext> {
  const byAction =
    (action: StatusAction, operation: string) => (_: unknown, args: StatusMutationArgs, ctx: RequestContext) =>
      mutations.changeCentreStatus(deps, ctx, operation, { ...args, action });
  const centreOf = (parent: { centreId: string }, _: unknown, ctx: RequestContext) =>
    queries.visibleOrNull(deps, ctx, parent.centreId);
  return {
    DateTime: DateTimeScalar,
    Query: {
      serviceCentre: (_: unknown, args: { id: string }, ctx: RequestContext) =>
        queries.serviceCentre(deps, ctx, args.id),
      serviceCentreByCode: (_: unknown, args: { code: string }, ctx: RequestContext) =>
        queries.serviceCentreByCode(deps, ctx, args.code),
      serviceCentres: (_: unknown, args: queries.ListArgs, ctx: RequestContext) =>
        queries.serviceCentres(deps, ctx, args),
      networkTree: (_: unknown, args: { rootId: string; depth?: number | null }, ctx: RequestContext) =>
        queries.networkTree(deps, ctx, args.rootId, args.depth),
      monthlyEvaluation: (_: unknown, args: { month: string }, ctx: RequestContext) =>
        evaluations.monthlyEvaluation(deps, ctx, args.month),
      centresAtRisk: (_: unknown, _args: unknown, ctx: RequestContext) => live.centresAtRisk(deps, ctx),
      promotionCandidates: (_: unknown, args: { month: string }, ctx: RequestContext) =>
        evaluations.promotionCandidates(deps, ctx, args.month),
    },
    Mutation: {
      createServiceCentre: (
        _: unknown,
        args: { input: CreateCentreInput; idempotencyKey?: string | null },
        ctx: RequestContext,
      ) => mutations.createServiceCentre(deps, ctx, args.input, args.idempotencyKey),
      updateServiceCentre: (
        _: unknown,
        args: { id: string; input: mutations.UpdateCentreInput; idempotencyKey?: string | null },
        ctx: RequestContext,
      ) => mutations.updateServiceCentre(deps, ctx, args.id, args.input, args.idempotencyKey),
      changeCentreStatus: (
        _: unknown,
        args: StatusMutationArgs & { to: mutations.StatusArgs['to'] },
        ctx: RequestContext,
      ) => mutations.changeCentreStatus(deps, ctx, 'changeCentreStatus', args),
      activateServiceCentre: byAction('ACTIVATE', 'activateServiceCentre'),
      suspendServiceCentre: byAction('SUSPEND', 'suspendServiceCentre'),
      reinstateServiceCentre: byAction('REINSTATE', 'reinstateServiceCentre'),
      eliminateServiceCentre: byAction('ELIMINATE', 'eliminateServiceCentre'),
      setCentrePayee: (
        _: unknown,
        args: { id: string; input: CentrePayeeInput; reason: string; idempotencyKey?: string | null },
        ctx: RequestContext,
      ) => mutations.setCentrePayee(deps, ctx, args.id, args.input, args.reason, args.idempotencyKey),
      runMonthlyEvaluation: (_: unknown, args: MonthArgs, ctx: RequestContext) =>
        evaluations.runMonthlyEvaluation(deps, ctx, args.month, args.idempotencyKey),
      rerunMonthlyEvaluation: (_: unknown, args: MonthArgs, ctx: RequestContext) =>
        evaluations.rerunMonthlyEvaluation(deps, ctx, args.month, args.idempotencyKey),
      confirmMonthlyEvaluation: (_: unknown, args: MonthArgs, ctx: RequestContext) =>
        evaluations.confirmMonthlyEvaluation(deps, ctx, args.month, args.idempotencyKey),
      disputeScorecard: (_: unknown, args: MonthArgs & { reason: string }, ctx: RequestContext) =>
        evaluations.disputeScorecard(deps, ctx, args.month, args.reason, args.idempotencyKey),
      upholdDispute: (_: unknown, args: DecisionArgs, ctx: RequestContext) =>
        evaluations.upholdDispute(deps, ctx, args.id, args.reason, args.idempotencyKey),
      rejectDispute: (_: unknown, args: DecisionArgs, ctx: RequestContext) =>
        evaluations.rejectDispute(deps, ctx, args.id, args.reason, args.idempotencyKey),
    },
    ServiceCentre: {
      // A reference may carry the month so far that liveScorecard @requires: it rides along on the record.
      __resolveReference: async (ref: { id: string } & live.RequiredSoFar, ctx: RequestContext) => {
        const centre = await queries.visibleOrNull(deps, ctx, ref.id);
        return centre && { ...centre, ticketsSoFar: ref.ticketsSoFar, creditsSoFar: ref.creditsSoFar };
      },
      levelName: (c: CentreRecord) => levelName(c.level),
      parent: (c: CentreRecord, _: unknown, ctx: RequestContext) =>
        c.parentId ? queries.visibleOrNull(deps, ctx, c.parentId) : null,
      grades: (c: CentreRecord) => deps.store.gradesBefore([c.id], shanghaiMonth(deps.now()), 24),
      scorecards: (c: CentreRecord, args: { last?: number | null }, ctx: RequestContext) =>
        evaluations.scorecardsOf(deps, ctx, c, args.last),
      liveScorecard: (c: CentreRecord & live.RequiredSoFar, _: unknown, ctx: RequestContext) =>
        live.liveScorecard(deps, ctx, c),
      payee: (c: CentreRecord, _: unknown, ctx: RequestContext) => payee.payeeOf(ctx, c),
      payeeHistory: (c: CentreRecord, _: unknown, ctx: RequestContext) => payee.payeeHistoryOf(ctx, c),
    },
    MonthlyEvaluation: {
      disputes: (e: EvaluationView, args: { state?: 'OPEN' | 'UPHELD' | 'REJECTED' | null }, ctx: RequestContext) =>
        evaluations.disputesOf(deps, ctx, e.month, args.state),
      results: (e: EvaluationView, args: evaluations.ResultsArgs, ctx: RequestContext) =>
        evaluations.results(deps, ctx, e, args),
    },
    // The centre a scorecard, dispute or candidate names: null when the caller may not see its record.
    CentreScorecard: { centre: centreOf },
    ScorecardDispute: { centre: centreOf },
    PromotionCandidate: { centre: centreOf },
  };
}
