import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { RequestContext } from '@starline/common';
import type { ContentChanges } from '../rules/content.ts';
import type { StandardStatus } from '../rules/lifecycle.ts';
import { DateTimeScalar } from '@starline/common';
import type { StandardsDeps } from './deps.ts';
import * as mutations from './mutations.ts';
import * as queries from './queries.ts';
import type { StandardVersionView } from './view.ts';

export function createResolvers(deps: StandardsDeps): GraphQLResolverMap<RequestContext> {
  return {
    DateTime: DateTimeScalar,
    Query: {
      standardVersion: (_: unknown, args: { id: string }, ctx: RequestContext) =>
        queries.readVisible(deps, ctx, args.id),
      standardInForce: (_: unknown, args: { at?: Date | null }, ctx: RequestContext) =>
        queries.standardInForce(deps, ctx, args.at ?? null),
      standardVersions: (
        _: unknown,
        args: { status?: StandardStatus | null; first?: number | null; after?: string | null },
        ctx: RequestContext,
      ) => queries.standardVersions(deps, ctx, args),
    },
    Mutation: {
      createStandardDraft: (
        _: unknown,
        args: { input: { basedOn?: string | null; content?: ContentChanges | null; idempotencyKey?: string | null } },
        ctx: RequestContext,
      ) => mutations.createStandardDraft(deps, ctx, args.input),
      updateStandardDraft: (_: unknown, args: { id: string; content: ContentChanges }, ctx: RequestContext) =>
        mutations.updateStandardDraft(deps, ctx, args.id, args.content),
      discardStandardDraft: (_: unknown, args: { id: string }, ctx: RequestContext) =>
        mutations.discardStandardDraft(deps, ctx, args.id),
      publishStandardVersion: (
        _: unknown,
        args: { id: string; effectiveFrom?: Date | null; idempotencyKey?: string | null },
        ctx: RequestContext,
      ) => mutations.publishStandardVersion(deps, ctx, args),
      cancelScheduledPublication: (_: unknown, args: { id: string }, ctx: RequestContext) =>
        mutations.cancelScheduledPublication(deps, ctx, args.id),
    },
    StandardVersion: {
      __resolveReference: (ref: { id: string }, ctx: RequestContext) => queries.readVisible(deps, ctx, ref.id),
      basedOn: (version: StandardVersionView, _: unknown, ctx: RequestContext) =>
        version.basedOnId ? queries.readVisible(deps, ctx, version.basedOnId) : null,
    },
  };
}
