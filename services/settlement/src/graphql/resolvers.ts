import type { GraphQLResolverMap } from '@apollo/subgraph';
import { DateTimeScalar, type RequestContext } from '@starline/common';
import type { SettlementDeps } from './deps.ts';
import * as mutations from './mutations.ts';
import * as queries from './queries.ts';
import type { RunView, StatementView } from './view.ts';

type Ctx = RequestContext;
type Keyed = { idempotencyKey?: string | null };

export function createResolvers(deps: SettlementDeps): GraphQLResolverMap<RequestContext> {
  return {
    DateTime: DateTimeScalar,
    Query: {
      settlementRun: (_: unknown, args: { month: string }, ctx: Ctx) => queries.settlementRun(deps, ctx, args.month),
      statement: (_: unknown, args: { id: string }, ctx: Ctx) => queries.statement(deps, ctx, args.id),
    },
    Mutation: {
      startSettlement: (_: unknown, args: { month: string } & Keyed, ctx: Ctx) =>
        mutations.startSettlement(deps, ctx, args.month, args.idempotencyKey),
      addAdjustment: (_: unknown, args: Parameters<typeof mutations.addAdjustment>[2], ctx: Ctx) =>
        mutations.addAdjustment(deps, ctx, args),
      holdStatement: (_: unknown, args: Parameters<typeof mutations.holdStatement>[2], ctx: Ctx) =>
        mutations.holdStatement(deps, ctx, args),
      releaseStatement: (_: unknown, args: Parameters<typeof mutations.releaseStatement>[2], ctx: Ctx) =>
        mutations.releaseStatement(deps, ctx, args),
      rebuildStatement: (_: unknown, args: Parameters<typeof mutations.rebuildStatement>[2], ctx: Ctx) =>
        mutations.rebuildStatement(deps, ctx, args),
      approveSettlement: (_: unknown, args: { month: string } & Keyed, ctx: Ctx) =>
        mutations.approveSettlement(deps, ctx, args.month, args.idempotencyKey),
      markExported: (_: unknown, args: { month: string } & Keyed, ctx: Ctx) =>
        mutations.markExported(deps, ctx, args.month, args.idempotencyKey),
    },
    SettlementRun: {
      paymentFile: (r: RunView, _: unknown, ctx: Ctx) => queries.paymentFile(deps, ctx, r),
      statements: (r: RunView, args: Parameters<typeof queries.runStatements>[3], ctx: Ctx) =>
        queries.runStatements(deps, ctx, r, args),
    },
    Statement: {
      __resolveReference: (ref: { id: string }, ctx: Ctx) => queries.statement(deps, ctx, ref.id),
      centre: (s: StatementView) => ({ __typename: 'ServiceCentre', id: s.centreId }),
    },
    ServiceCentre: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      statements: (c: { id: string }, args: { last?: number | null }, ctx: Ctx) =>
        queries.centreStatements(deps, ctx, c.id, args.last),
    },
    Ticket: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      statementLine: (t: { id: string }, _: unknown, ctx: Ctx) => queries.statementLine(deps, ctx, t.id),
    },
  };
}
