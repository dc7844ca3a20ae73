import { badInput, type RequestContext } from '@starline/common';
import { STANDARD_STATUSES, versionInForce, type StandardStatus } from '../rules/lifecycle.ts';
import { canSee, canSeeDrafts, requireReader } from './access.ts';
import type { StandardsDeps } from './deps.ts';
import { decodeCursor, encodeCursor, toView, type StandardVersionView } from './view.ts';

export const MAX_PAGE_SIZE = 100;

/** A version as the caller may see it: a draft does not exist for roles outside HQ. */
export async function readVisible(
  deps: StandardsDeps,
  ctx: RequestContext,
  id: string,
): Promise<StandardVersionView | null> {
  requireReader(ctx.claims);
  const record = await deps.store.findById(id);
  return record && canSee(ctx.claims, record.status) ? toView(record) : null;
}

export async function standardInForce(
  deps: StandardsDeps,
  ctx: RequestContext,
  at: Date | null,
): Promise<StandardVersionView | null> {
  requireReader(ctx.claims);
  const inForce = versionInForce(await deps.store.timeline(), at ?? deps.now());
  if (!inForce) return null;
  const record = await deps.store.findById(inForce.id);
  return record ? toView(record) : null;
}

export async function standardVersions(
  deps: StandardsDeps,
  ctx: RequestContext,
  args: { status?: StandardStatus | null; first?: number | null; after?: string | null },
) {
  requireReader(ctx.claims);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  let before: number | null = null;
  if (args.after !== undefined && args.after !== null) {
    before = decodeCursor(args.after);
    if (before === null) throw badInput('after', 'is not a cursor this list returned');
  }
  const statuses = (args.status ? [args.status] : [...STANDARD_STATUSES]).filter(
    (s) => s !== 'DRAFT' || canSeeDrafts(ctx.claims),
  );
  if (statuses.length === 0) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
  const [records, totalCount] = await Promise.all([
    deps.store.page(statuses, before, first + 1),
    deps.store.count(statuses),
  ]);
  const edges = records.slice(0, first).map((r) => ({ cursor: encodeCursor(r.number), node: toView(r) }));
  return {
    edges,
    pageInfo: { hasNextPage: records.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
