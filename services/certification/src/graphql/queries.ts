import { badInput, loaderFor, maySeeCentreMonth, shanghaiMonth, type RequestContext } from '@starline/common';
import type { CareerLevel } from '../rules/career.ts';
import { ID_PATTERN } from '../rules/validate.ts';
import type { EngineerRecord, LicenceRecord } from '../store/certification.ts';
import { canSee, forbiddenEngineer, requireReader, seesEveryone } from './access.ts';
import type { CertificationDeps } from './deps.ts';
import { decodeCursor, encodeCursor } from './view.ts';

export const MAX_PAGE_SIZE = 100;

/** A single fetch: null when missing (for everyone-roles); FORBIDDEN for restricted callers, existing or not. */
function gate(ctx: RequestContext, record: EngineerRecord | null): EngineerRecord | null {
  if (seesEveryone(ctx.claims)) return record;
  if (!record || !canSee(ctx.claims, record)) throw forbiddenEngineer();
  return record;
}

export async function engineer(deps: CertificationDeps, ctx: RequestContext, id: string) {
  requireReader(ctx.claims);
  return gate(ctx, await deps.store.findEngineer(id));
}

export async function engineerByNumber(deps: CertificationDeps, ctx: RequestContext, number: string) {
  requireReader(ctx.claims);
  if (number.length > 32) throw badInput('number', 'is too long');
  return gate(ctx, await deps.store.findEngineerByNumber(number));
}

/** For references (_entities): null when missing or not the caller's. */
export async function visibleOrNull(
  deps: CertificationDeps,
  ctx: RequestContext,
  id: string,
): Promise<EngineerRecord | null> {
  requireReader(ctx.claims);
  const record = await deps.store.findEngineer(id);
  return record && canSee(ctx.claims, record) ? record : null;
}

export interface ListArgs {
  filter?: { centreId?: string | null; level?: CareerLevel | null } | null;
  first?: number | null;
  after?: string | null;
}

const empty = { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };

export async function engineers(deps: CertificationDeps, ctx: RequestContext, args: ListArgs) {
  const claims = requireReader(ctx.claims);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  let after: string | null = null;
  if (args.after !== undefined && args.after !== null) {
    after = decodeCursor(args.after);
    if (after === null) throw badInput('after', 'is not a cursor this list returned');
  }
  const filter = { ...(args.filter ?? {}) };
  if (filter.centreId && filter.centreId.length > 64) throw badInput('filter.centreId', 'is too long');
  if (!seesEveryone(claims)) {
    if (claims.roles.includes('PARTNER') && claims.centreId) {
      // A partner's list is its own centre's; asking for another centre yields nothing.
      if (filter.centreId && filter.centreId !== claims.centreId) return empty;
      filter.centreId = claims.centreId;
    } else if (claims.engineerId) {
      const self = await deps.store.findEngineer(claims.engineerId);
      const matches =
        self &&
        (!filter.centreId || filter.centreId === self.centreId) &&
        (!filter.level || filter.level === self.level);
      if (!self || !matches || (after !== null && self.number <= after)) return empty;
      return {
        edges: [{ cursor: encodeCursor(self.number), node: self }],
        pageInfo: { hasNextPage: false, endCursor: encodeCursor(self.number) },
        totalCount: 1,
      };
    } else return empty;
  }
  const { records, totalCount } = await deps.store.pageEngineers(filter, after, first + 1);
  const edges = records.slice(0, first).map((r) => ({ cursor: encodeCursor(r.number), node: r }));
  return {
    edges,
    pageInfo: { hasNextPage: records.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** Licence views: each stored licence plus the state derived from its ledger, read together. */
export async function licenceViews(deps: CertificationDeps, licences: LicenceRecord[]) {
  const policy = await deps.policy();
  return (await deps.store.statesOf(licences, policy)).map(({ licence, cycle, summary }) => ({
    ...licence,
    cycleStart: cycle.start,
    cycleEnd: cycle.end,
    maxPoints: (cycle.terms ?? policy).maxPoints,
    pointsRemaining: summary.pointsRemaining,
    status: summary.status,
    revokedAt: summary.revokedAt,
  }));
}

export const licenceView = async (deps: CertificationDeps, licence: LicenceRecord) =>
  (await licenceViews(deps, [licence]))[0]!;

/** An engineer's current licence, loaded with those of the other engineers in the same response. */
export function licenceOf(deps: CertificationDeps, ctx: RequestContext, engineerId: string) {
  return loaderFor(ctx, 'licence', async (engineerIds: string[]) => {
    const licences = await deps.store.activeLicences(engineerIds);
    const views = await licenceViews(deps, [...licences.values()]);
    return new Map(views.map((v) => [v.engineerId, v]));
  })(engineerId).then((view) => view ?? null);
}

/**
 * ServiceCentre.creditsSoFar: the month's incentive credits so far, for the network's live
 * scorecard (the gateway asks it; clients can't). Null for a caller who may not see the centre's
 * scorecards: the network subgraph answers FORBIDDEN for them.
 */
export async function creditsSoFar(deps: CertificationDeps, ctx: RequestContext, centreId: string) {
  if (!ID_PATTERN.test(centreId) || !maySeeCentreMonth(ctx.claims, centreId)) return null;
  const month = shanghaiMonth(deps.now());
  const load = loaderFor(
    ctx,
    `credits-so-far:${month}`,
    async (ids: string[]) =>
      new Map((await deps.store.centreMonthCredits(month, ids)).map((c) => [c.centreId, c] as const)),
  );
  const credits = (await load(centreId))!;
  return { month, qualityInfoAdopted: credits.qualityInfoAdopted, serviceInnovation: credits.serviceInnovation };
}
