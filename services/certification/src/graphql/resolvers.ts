import type { GraphQLResolverMap } from '@apollo/subgraph';
import { DateTimeScalar, badInput, type RequestContext } from '@starline/common';
import type { CareerLevel } from '../rules/career.ts';
import type { CertificationInput, RegisterEngineerInput } from '../rules/validate.ts';
import { ID_PATTERN } from '../rules/validate.ts';
import type { EngineerRecord, LicenceRecord } from '../store/certification.ts';
import type { CertificationDeps } from './deps.ts';
import * as mutations from './mutations.ts';
import * as queries from './queries.ts';

type Key = { idempotencyKey?: string | null };

export function createResolvers(deps: CertificationDeps): GraphQLResolverMap<RequestContext> {
  const licence = (l: LicenceRecord | null) => (l ? queries.licenceView(deps, l) : null);
  return {
    DateTime: DateTimeScalar,
    Query: {
      engineer: (_: unknown, args: { id: string }, ctx: RequestContext) => queries.engineer(deps, ctx, args.id),
      engineerByNumber: (_: unknown, args: { number: string }, ctx: RequestContext) =>
        queries.engineerByNumber(deps, ctx, args.number),
      engineers: (_: unknown, args: queries.ListArgs, ctx: RequestContext) => queries.engineers(deps, ctx, args),
    },
    Mutation: {
      registerEngineer: (_: unknown, args: { input: RegisterEngineerInput } & Key, ctx: RequestContext) =>
        mutations.registerEngineer(deps, ctx, args.input, args.idempotencyKey),
      certifyEngineer: (
        _: unknown,
        args: { engineerId: string; certification: CertificationInput } & Key,
        ctx: RequestContext,
      ) => mutations.certifyEngineer(deps, ctx, args.engineerId, args.certification, args.idempotencyKey),
      recordLicenceEvent: (
        _: unknown,
        args: { engineerId: string; code: string; evidenceKey: string; note?: string | null },
        ctx: RequestContext,
      ) => mutations.recordLicenceEvent(deps, ctx, args),
      recordExamResult: (_: unknown, args: { input: mutations.ExamInput } & Key, ctx: RequestContext) =>
        mutations.recordExamResult(deps, ctx, args.input, args.idempotencyKey),
      promoteEngineer: (_: unknown, args: { engineerId: string; to: CareerLevel } & Key, ctx: RequestContext) =>
        mutations.promoteEngineer(deps, ctx, args.engineerId, args.to, args.idempotencyKey),
      reinstateLicence: async (_: unknown, args: { engineerId: string } & Key, ctx: RequestContext) =>
        licence(await mutations.reinstateLicence(deps, ctx, args.engineerId, args.idempotencyKey)),
    },
    ServiceCentre: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      engineers: (c: { id: string }, args: { first?: number | null; after?: string | null }, ctx: RequestContext) => {
        if (!ID_PATTERN.test(c.id)) throw badInput('id', 'is not a service centre id');
        return queries.engineers(deps, ctx, { ...args, filter: { centreId: c.id } });
      },
      creditsSoFar: (c: { id: string }, _: unknown, ctx: RequestContext) => queries.creditsSoFar(deps, ctx, c.id),
    },
    Engineer: {
      __resolveReference: (ref: { id: string }, ctx: RequestContext) => queries.visibleOrNull(deps, ctx, ref.id),
      centre: (e: EngineerRecord) => ({ __typename: 'ServiceCentre', id: e.centreId }),
      exams: (e: EngineerRecord) => deps.store.examsOf(e.id),
      licence: (e: EngineerRecord, _: unknown, ctx: RequestContext) => queries.licenceOf(deps, ctx, e.id),
      licenceHistory: async (e: EngineerRecord) => queries.licenceViews(deps, await deps.store.licencesOf(e.id)),
      reviewFlags: (e: EngineerRecord) => deps.store.flagsOf(e.id),
    },
    Licence: {
      ledger: (l: LicenceRecord) => deps.store.entriesOf(l.id),
    },
  };
}
