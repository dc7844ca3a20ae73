import {
  badInput,
  conflict,
  invalidTransition,
  notFound,
  throwIfInvalid,
  updateIdOf,
  updateRefusal,
  withIdempotency,
  type RequestContext,
} from '@starline/common';
import { validateAdjustment } from '../rules/adjustment.ts';
import { monthEnd, monthsAfter } from '../rules/month.ts';
import { acceptsAdjustments, checkTransition, statementStateIn, type StatementState } from '../rules/state.ts';
import { refigured } from '../statements.ts';
import { openRun, totalsOf, type RunRecord, type StatementRecord } from '../store/settlement.ts';
import { requireFinance } from './access.ts';
import type { SettlementDeps } from './deps.ts';
import { checkMonth, checkStatementId } from './queries.ts';
import { runView, statementView } from './view.ts';

type Key = string | null | undefined;
const REASON_MAX = 500;

function checkReason(reason: unknown): string {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (!trimmed) throw badInput('reason', 'is required');
  if (trimmed.length > REASON_MAX) throw badInput('reason', `must be at most ${REASON_MAX} characters`);
  return trimmed;
}

async function loadRun(deps: SettlementDeps, month: string): Promise<RunRecord> {
  const run = await deps.store.findRun(month);
  if (!run) throw notFound('settlement of', month);
  return run;
}

/** A month settles once it is over, and after the month before it (whose shortfall it carries) was approved. */
export async function startSettlement(
  deps: SettlementDeps,
  ctx: RequestContext,
  monthArg: string,
  idempotencyKey: Key,
) {
  const claims = requireFinance(ctx.claims);
  const month = checkMonth(monthArg);
  if (deps.now() < monthEnd(month)) throw badInput('month', `${month} is not over yet (China time)`);
  await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'startSettlement',
      caller: claims,
      payload: { month },
      mayReplay: () => true,
      resumable: true,
    },
    async () => {
      const previous = await deps.store.findRun(monthsAfter(month, -1));
      if (previous && previous.state !== 'APPROVED' && previous.state !== 'EXPORTED') {
        throw conflict(
          `the settlement of ${previous.month} is ${previous.state}: approve it first (its shortfalls carry ` +
            `into ${month})`,
        );
      }
      await deps.store.exclusiveMonth(month, () => openRun(deps.store, month, claims.sub, deps.now()));
      const { started } = await deps.workflow.start(month, claims.sub);
      ctx.log.info({ month, started }, 'settlement started');
      return month;
    },
  );
  return runView(await loadRun(deps, month));
}

/**
 * Changes one statement under review, under the month's lease: `change` gets it with its state and
 * returns it as it should be; the run's totals follow.
 */
async function changeStatement(
  deps: SettlementDeps,
  ctx: RequestContext,
  id: string,
  operation: string,
  payload: unknown,
  key: Key,
  change: (s: StatementRecord, state: StatementState, run: RunRecord) => StatementRecord,
) {
  const claims = requireFinance(ctx.claims);
  const { month } = checkStatementId(id);
  await withIdempotency(
    deps.store.idempotency,
    { key, operation, caller: claims, payload: { id, ...(payload as object) }, mayReplay: () => true },
    () =>
      deps.store.exclusiveMonth(month, async () => {
        const [s, run] = [await deps.store.findStatement(id), await deps.store.findRun(month)];
        if (!s || !run) throw notFound('statement', id);
        if (run.state !== 'IN_REVIEW')
          throw invalidTransition(
            `the settlement of ${month} is ${run.state}: statements change only in review`,
            run.state,
          );
        await deps.store.putStatements(month, [change(s, statementStateIn(run.state, s.onHold), run)]);
        const summaries = await deps.store.summaries(month);
        const adjustedBy = [...new Set([...run.adjustedBy, ...summaries.flatMap((x) => x.adjustedBy)])];
        await deps.store.putRun({
          ...run,
          totals: totalsOf(summaries),
          adjustedBy,
          updatedAt: deps.now().toISOString(),
        });
        return id;
      }),
  );
  const [s, run] = await Promise.all([deps.store.findStatement(id), deps.store.findRun(month)]);
  return statementView(s!, run);
}

const event = (
  deps: SettlementDeps,
  by: string,
  action: StatementRecord['history'][number]['action'],
  note: string | null,
) => ({ at: deps.now().toISOString(), by, action, note });

function moved(from: StatementState, to: StatementState): void {
  const check = checkTransition(from, to);
  if (!check.ok) throw invalidTransition(check.message, from);
}

export async function addAdjustment(
  deps: SettlementDeps,
  ctx: RequestContext,
  args: { statementId: string; amountFen: number; reason: string; correctsMonth?: string | null; idempotencyKey?: Key },
) {
  const claims = requireFinance(ctx.claims);
  const { month } = checkStatementId(args.statementId, 'statementId');
  const reason = typeof args.reason === 'string' ? args.reason.trim() : args.reason;
  const view = await changeStatement(
    deps,
    ctx,
    args.statementId,
    'addAdjustment',
    { amountFen: args.amountFen, reason, correctsMonth: args.correctsMonth ?? null },
    args.idempotencyKey,
    (s, state, run) => {
      if (!acceptsAdjustments(state))
        throw invalidTransition(`statement ${s.id} is ${state}: only a statement IN_REVIEW is adjusted`, state);
      throwIfInvalid(
        validateAdjustment(
          { amountFen: args.amountFen, reason, correctsMonth: args.correctsMonth },
          { statementMonth: month, maxAdjustmentFen: run.policy!.maxAdjustmentFen },
        ),
      );
      const item = {
        kind: 'ADJUSTMENT' as const,
        amountFen: args.amountFen,
        reason: reason as string,
        by: claims.sub,
        correctsMonth: args.correctsMonth ?? null,
      };
      return refigured(
        {
          ...s,
          adjustments: [...s.adjustments, item],
          version: s.version + 1,
          history: [...s.history, event(deps, claims.sub, 'ADJUSTED', `${args.amountFen} fen: ${reason as string}`)],
        },
        run.policy!,
      );
    },
  );
  // The approval's validator learns of the author; the settlement service checks again on approval regardless.
  await deps.workflow
    .adjusted(month, claims.sub)
    .catch((err: unknown) => ctx.log.warn({ err, month }, 'could not tell the settlement workflow of an adjustment'));
  return view;
}

export async function holdStatement(
  deps: SettlementDeps,
  ctx: RequestContext,
  args: { id: string; reason: string; idempotencyKey?: Key },
) {
  const by = requireFinance(ctx.claims).sub;
  const reason = checkReason(args.reason);
  return changeStatement(deps, ctx, args.id, 'holdStatement', { reason }, args.idempotencyKey, (s, state) => {
    moved(state, 'ON_HOLD');
    return { ...s, onHold: true, version: s.version + 1, history: [...s.history, event(deps, by, 'HELD', reason)] };
  });
}

export async function releaseStatement(
  deps: SettlementDeps,
  ctx: RequestContext,
  args: { id: string; reason: string; idempotencyKey?: Key },
) {
  const by = requireFinance(ctx.claims).sub;
  const reason = checkReason(args.reason);
  return changeStatement(deps, ctx, args.id, 'releaseStatement', { reason }, args.idempotencyKey, (s, state) => {
    moved(state, 'IN_REVIEW');
    return {
      ...s,
      onHold: false,
      version: s.version + 1,
      history: [...s.history, event(deps, by, 'RELEASED', reason)],
    };
  });
}

/** Through the workflow: only it reads the centre's jobs from the tickets service. */
export async function rebuildStatement(
  deps: SettlementDeps,
  ctx: RequestContext,
  args: { id: string; idempotencyKey?: Key },
) {
  const claims = requireFinance(ctx.claims);
  const { month, centreId } = checkStatementId(args.id);
  const s = await deps.store.findStatement(args.id);
  if (!s) throw notFound('statement', args.id);
  try {
    await deps.workflow.rebuild(month, {
      statementId: args.id,
      centreId,
      by: claims.sub,
      updateId: updateIdOf(claims, 'rebuildStatement', args.idempotencyKey),
    });
  } catch (error) {
    throw updateRefusal(error);
  }
  const [after, run] = await Promise.all([deps.store.findStatement(args.id), deps.store.findRun(month)]);
  return statementView(after!, run);
}

/** Through the workflow's `approve` Update: its validator and the service both enforce four eyes. */
export async function approveSettlement(
  deps: SettlementDeps,
  ctx: RequestContext,
  monthArg: string,
  idempotencyKey: Key,
) {
  const claims = requireFinance(ctx.claims);
  const month = checkMonth(monthArg);
  await loadRun(deps, month);
  try {
    await deps.workflow.approve(month, {
      approver: { sub: claims.sub, roles: [...claims.roles] },
      updateId: updateIdOf(claims, 'approveSettlement', idempotencyKey),
    });
  } catch (error) {
    throw updateRefusal(error);
  }
  return runView(await loadRun(deps, month));
}

export async function markExported(deps: SettlementDeps, ctx: RequestContext, monthArg: string, idempotencyKey: Key) {
  const claims = requireFinance(ctx.claims);
  const month = checkMonth(monthArg);
  await withIdempotency(
    deps.store.idempotency,
    { key: idempotencyKey, operation: 'markExported', caller: claims, payload: { month }, mayReplay: () => true },
    () =>
      deps.store.exclusiveMonth(month, async () => {
        const run = await loadRun(deps, month);
        if (run.state === 'EXPORTED') return month;
        if (run.state !== 'APPROVED')
          throw invalidTransition(
            `the settlement of ${month} is ${run.state}: only an APPROVED month is exported`,
            run.state,
          );
        const at = deps.now().toISOString();
        await deps.store.putRun({ ...run, state: 'EXPORTED', exportedBy: claims.sub, exportedAt: at, updatedAt: at });
        return month;
      }),
  );
  return runView(await loadRun(deps, month));
}
