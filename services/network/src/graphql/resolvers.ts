import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { RequestContext } from '@starline/common';
import type { StatusAction } from '../rules/status.ts';
import { levelName } from '../rules/tree.ts';
import type { CreateCentreInput } from '../rules/validate.ts';
import type { CentreRecord } from '../store/centres.ts';
import { DateTimeScalar } from '@starline/common';
import type { NetworkDeps } from './deps.ts';
import * as mutations from './mutations.ts';
import * as queries from './queries.ts';

type StatusMutationArgs = { id: string; reason?: string | null; evidence?: string | null; idempotencyKey?: string | null };

export function createResolvers(deps: NetworkDeps): GraphQLResolverMap<RequestContext> {
  const byAction = (action: StatusAction, operation: string) => (_: unknown, args: StatusMutationArgs, ctx: RequestContext) =>
    mutations.changeCentreStatus(deps, ctx, operation, { ...args, action });
  return {
    DateTime: DateTimeScalar,
    Query: {
      serviceCentre: (_: unknown, args: { id: string }, ctx: RequestContext) => queries.serviceCentre(deps, ctx, args.id),
      serviceCentreByCode: (_: unknown, args: { code: string }, ctx: RequestContext) => queries.serviceCentreByCode(deps, ctx, args.code),
      serviceCentres: (_: unknown, args: queries.ListArgs, ctx: RequestContext) => queries.serviceCentres(deps, ctx, args),
      networkTree: (_: unknown, args: { rootId: string; depth?: number | null }, ctx: RequestContext) =>
        queries.networkTree(deps, ctx, args.rootId, args.depth),
    },
    Mutation: {
      createServiceCentre: (_: unknown, args: { input: CreateCentreInput; idempotencyKey?: string | null }, ctx: RequestContext) =>
        mutations.createServiceCentre(deps, ctx, args.input, args.idempotencyKey),
      updateServiceCentre: (
        _: unknown,
        args: { id: string; input: mutations.UpdateCentreInput; idempotencyKey?: string | null },
        ctx: RequestContext,
      ) => mutations.updateServiceCentre(deps, ctx, args.id, args.input, args.idempotencyKey),
      changeCentreStatus: (_: unknown, args: StatusMutationArgs & { to: mutations.StatusArgs['to'] }, ctx: RequestContext) =>
        mutations.changeCentreStatus(deps, ctx, 'changeCentreStatus', args),
      activateServiceCentre: byAction('ACTIVATE', 'activateServiceCentre'),
      suspendServiceCentre: byAction('SUSPEND', 'suspendServiceCentre'),
      reinstateServiceCentre: byAction('REINSTATE', 'reinstateServiceCentre'),
      eliminateServiceCentre: byAction('ELIMINATE', 'eliminateServiceCentre'),
    },
    ServiceCentre: {
      __resolveReference: (ref: { id: string }, ctx: RequestContext) => queries.visibleOrNull(deps, ctx, ref.id),
      levelName: (c: CentreRecord) => levelName(c.level),
      parent: (c: CentreRecord, _: unknown, ctx: RequestContext) => (c.parentId ? queries.visibleOrNull(deps, ctx, c.parentId) : null),
      grades: (c: CentreRecord) => deps.store.gradesOf([c.id], undefined, 24),
    },
  };
}
