import { badInput, loaderFor, shanghaiMonth, type RequestContext } from '@starline/common';
import { isMonth, monthsAfter } from '../rules/month.ts';
import { STATEMENT_STATES, statementStateIn, type StatementState } from '../rules/state.ts';
import { statementId } from '../store/settlement.ts';
import {
  forbiddenStatement,
  maySeeStatementsOf,
  requireFinance,
  requireRunReader,
  requireStatementReader,
  seesEveryStatement,
} from './access.ts';
import type { SettlementDeps } from './deps.ts';
import { runView, statementView, type RunView } from './view.ts';

export const PAGE_MAX = 100;
const ID_PATTERN = /^\d{4}-(0[1-9]|1[0-2]):[A-Za-z0-9_-]{1,64}$/;

export function checkMonth(month: unknown, field = 'month'): string {
  if (!isMonth(month)) throw badInput(field, 'must be a month as YYYY-MM, e.g. 2026-10');
  return month;
}

export function checkStatementId(id: unknown, field = 'id'): { month: string; centreId: string } {
  if (typeof id !== 'string' || !ID_PATTERN.test(id))
    throw badInput(field, 'must be a statement id YYYY-MM:<centre id>');
  const [month, centreId] = id.split(':') as [string, string];
  return { month, centreId };
}

export async function settlementRun(deps: SettlementDeps, ctx: RequestContext, month: string) {
  requireRunReader(ctx.claims);
  const run = await deps.store.findRun(checkMonth(month));
  return run && runView(run);
}

/** A statement: FORBIDDEN to another centre's partner whether it exists or not, so ids can't be probed. */
export async function statement(deps: SettlementDeps, ctx: RequestContext, id: string) {
  const claims = requireStatementReader(ctx.claims);
  const { month, centreId } = checkStatementId(id);
  if (!maySeeStatementsOf(claims, centreId)) throw forbiddenStatement();
  const [s, run] = await Promise.all([deps.store.findStatement(id), deps.store.findRun(month)]);
  return s && statementView(s, run);
}

/** SettlementRun.paymentFile: FINANCE only (null for the other readers). */
export async function paymentFile(deps: SettlementDeps, ctx: RequestContext, run: RunView) {
  if (!ctx.claims?.roles.includes('FINANCE')) return null;
  return deps.store.findPaymentFile(run.month);
}

/** SettlementRun.statements: the month's statements in build order, a page at a time (a PARTNER: its own only). */
export async function runStatements(
  deps: SettlementDeps,
  ctx: RequestContext,
  run: RunView,
  args: { first?: number | null; after?: string | null; state?: StatementState | null },
) {
  const claims = requireStatementReader(ctx.claims);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > PAGE_MAX) throw badInput('first', `must be 1–${PAGE_MAX}`);
  if (args.state && !STATEMENT_STATES.includes(args.state)) throw badInput('state', 'is not a statement state');
  // The index's summaries know each statement's state, so a filtered page reads only its own statements.
  const visible = (await deps.store.summaries(run.month)).filter(
    (x) => seesEveryStatement(claims) || x.centreId === claims.centreId,
  );
  const ids = visible
    .filter((x) => !args.state || statementStateIn(run.state, x.onHold) === args.state)
    .map((x) => x.id);
  let start = 0;
  if (args.after != null) {
    start = ids.indexOf(args.after) + 1;
    if (start === 0) throw badInput('after', 'is not a cursor of this list');
  }
  const nodes = (await deps.store.findStatements(ids.slice(start, start + first))).map((x) => statementView(x, run));
  return {
    nodes,
    totalCount: visible.length,
    pageInfo: { hasNextPage: start + first < ids.length, endCursor: nodes.at(-1)?.id ?? null },
  };
}

/** ServiceCentre.statements: the last `last` months' statements of the centre, newest first, each by `_id`. */
export async function centreStatements(
  deps: SettlementDeps,
  ctx: RequestContext,
  centreId: string,
  last: number | null | undefined,
) {
  const claims = requireStatementReader(ctx.claims);
  if (!maySeeStatementsOf(claims, centreId)) throw forbiddenStatement();
  const n = last ?? 12;
  if (!Number.isInteger(n) || n < 1 || n > 24) throw badInput('last', 'must be 1–24');
  const current = shanghaiMonth(deps.now());
  const months = Array.from({ length: n }, (_, i) => monthsAfter(current, -1 - i));
  const [statements, runs] = await Promise.all([
    deps.store.findStatements(months.map((m) => statementId(m, centreId))),
    Promise.all(months.map((m) => deps.store.findRun(m))),
  ]);
  const runOf = new Map(runs.flatMap((r) => (r ? [[r.month, r] as const] : [])));
  return statements.map((s) => statementView(s, runOf.get(s.month) ?? null));
}

/**
 * Ticket.statementLine: the line that paid the job, batched per request; null when unpaid or not the caller's to see.
 */
export async function statementLine(deps: SettlementDeps, ctx: RequestContext, ticketId: string) {
  requireStatementReader(ctx.claims);
  const load = loaderFor(ctx, 'statement-line', (ids: string[]) => deps.store.claimsOf(ids));
  const claim = await load(ticketId);
  if (!claim || !maySeeStatementsOf(ctx.claims, claim.centreId)) return null;
  return { ...claim.line, statementId: claim.statementId };
}

export { requireFinance };
