import { badInput, notFound, type RequestContext } from '@starline/common';
import { TREE_MAX_NODES } from '../rules/tree.ts';
import type { CentreListFilter, CentreRecord } from '../store/centres.ts';
import { canSee, forbiddenCentre, requireReader, seesWholeNetwork } from './access.ts';
import type { NetworkDeps } from './deps.ts';
import { decodeCursor, encodeCursor } from './view.ts';

export const MAX_PAGE_SIZE = 100;
export const MAX_TREE_DEPTH = 3;

/** A single fetch: null when it does not exist (for whole-network roles), FORBIDDEN when not the caller's. */
function gate(ctx: RequestContext, record: CentreRecord | null): CentreRecord | null {
  if (seesWholeNetwork(ctx.claims)) return record;
  // Restricted callers get FORBIDDEN for anything not theirs, existing or not, so ids can't be probed.
  if (!record || !canSee(ctx.claims, record)) throw forbiddenCentre();
  return record;
}

export async function serviceCentre(deps: NetworkDeps, ctx: RequestContext, id: string) {
  requireReader(ctx.claims);
  return gate(ctx, await deps.store.findById(id));
}

export async function serviceCentreByCode(deps: NetworkDeps, ctx: RequestContext, code: string) {
  requireReader(ctx.claims);
  if (code.length > 64) throw badInput('code', 'is too long');
  return gate(ctx, await deps.store.findByCode(code));
}

/** For references (parent, _entities): null when it does not exist or the caller may not see it. */
export async function visibleOrNull(deps: NetworkDeps, ctx: RequestContext, id: string): Promise<CentreRecord | null> {
  requireReader(ctx.claims);
  const record = await deps.store.findById(id);
  return record && canSee(ctx.claims, record) ? record : null;
}

/** The ids a restricted caller may list, or null for the whole network. */
async function visibleIds(deps: NetworkDeps, ctx: RequestContext): Promise<string[] | null> {
  if (seesWholeNetwork(ctx.claims)) return null;
  const own = ctx.claims?.centreId;
  if (!own) return [];
  const ownRecord = await deps.store.findById(own);
  if (!ownRecord) return [];
  const ids = [own];
  if (ctx.claims?.roles.includes('PARTNER')) {
    const children = await deps.store.tree.children([own], TREE_MAX_NODES);
    ids.push(...children.filter((c) => c.tier === 'UMBRELLA').map((c) => c.id));
  }
  return ids;
}

export interface ListArgs {
  filter?: Omit<CentreListFilter, 'ids'> | null;
  first?: number | null;
  after?: string | null;
}

export async function serviceCentres(deps: NetworkDeps, ctx: RequestContext, args: ListArgs) {
  requireReader(ctx.claims);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  let afterCode: string | null = null;
  if (args.after !== undefined && args.after !== null) {
    afterCode = decodeCursor(args.after);
    if (afterCode === null) throw badInput('after', 'is not a cursor this list returned');
  }
  const f = args.filter ?? {};
  for (const key of ['region', 'productLine', 'parentId'] as const) {
    const v = f[key];
    if (v !== undefined && v !== null && (v.length === 0 || v.length > 64))
      throw badInput(`filter.${key}`, 'must be 1–64 characters');
  }
  const ids = await visibleIds(deps, ctx);
  const filter: CentreListFilter = { ...f, ...(ids ? { ids } : {}) };
  if (ids && ids.length === 0) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
  const [records, totalCount] = await Promise.all([
    deps.store.page(filter, afterCode, first + 1),
    deps.store.count(filter),
  ]);
  const edges = records.slice(0, first).map((r) => ({ cursor: encodeCursor(r.code), node: r }));
  return {
    edges,
    pageInfo: { hasNextPage: records.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

export async function networkTree(
  deps: NetworkDeps,
  ctx: RequestContext,
  rootId: string,
  depthArg: number | null | undefined,
) {
  requireReader(ctx.claims);
  const depth = depthArg ?? MAX_TREE_DEPTH;
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_TREE_DEPTH)
    throw badInput('depth', `must be from 0 to ${MAX_TREE_DEPTH}`);
  const root = gate(ctx, await deps.store.findById(rootId));
  if (!root) throw notFound('service centre', rootId);
  const nodes = [{ depth: 0, parentId: root.parentId, centre: root }];
  let truncated = false;
  let frontier = [root.id];
  for (let d = 1; frontier.length > 0; d++) {
    const room = TREE_MAX_NODES - nodes.length;
    const children = await deps.store.tree.children(frontier, room + 1);
    if (children.length === 0) break;
    if (d > depth) {
      truncated = true;
      break;
    }
    const visible = children.slice(0, room).filter((c) => canSee(ctx.claims, c));
    if (children.length > room) truncated = true;
    nodes.push(...visible.map((c) => ({ depth: d, parentId: c.parentId, centre: c })));
    if (children.length > room) break;
    frontier = visible.map((c) => c.id);
  }
  return { root, nodes, truncated };
}
