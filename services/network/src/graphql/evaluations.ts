import { createHash, randomUUID } from 'node:crypto';
import {
  DomainError,
  badInput,
  callerScope,
  conflict,
  invalidTransition,
  loaderFor,
  notFound,
  requireRole,
  shanghaiMonth,
  withIdempotency,
  type Claims,
  type RequestContext,
} from '@starline/common';
import { isMonthOver, monthsEndingAt, previousMonth } from '../rules/month.ts';
import { MONTH_PATTERN, REGION_PATTERN } from '../rules/validate.ts';
import type { DisputeRecord, DisputeState } from '../store/disputes.ts';
import { scorecardId, type EvaluationRecord, type RankingEntry, type ScorecardRecord } from '../store/evaluations.ts';
import type { CentreRecord } from '../store/centres.ts';
import {
  forbiddenScorecards,
  maySeeScorecardsOf,
  requireEditor,
  requireEvaluationReader,
  seesAllScorecards,
} from './access.ts';
import type { NetworkDeps } from './deps.ts';
import { evaluationRefusal, updateIdOf } from './evaluation-workflow.ts';
import {
  decodeScorecardCursor,
  disputeView,
  encodeScorecardCursor,
  evaluationView,
  startingView,
  storedScorecardView,
  type DisputeView,
  type EvaluationView,
  type ScorecardView,
} from './scorecard-view.ts';

export const MAX_RESULTS_PAGE = 100;
export const MAX_SCORECARD_MONTHS = 24;
export const REASON_MAX = 1000;
const DISPUTE_ID_PATTERN = /^D-[A-Za-z0-9-]{8,64}$/;

type Key = string | null | undefined;

function checkMonth(month: string, field = 'month'): void {
  if (typeof month !== 'string' || !MONTH_PATTERN.test(month))
    throw badInput(field, 'must be a month as YYYY-MM, e.g. 2026-10');
}

function checkReason(reason: string): string {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (trimmed.length === 0) throw badInput('reason', 'is required');
  if (trimmed.length > REASON_MAX) throw badInput('reason', `must be at most ${REASON_MAX} characters`);
  return trimmed;
}

function checkDisputeId(id: string): void {
  if (typeof id !== 'string' || !DISPUTE_ID_PATTERN.test(id)) throw badInput('id', 'is not a dispute id');
}

/** The results a run shows: none while a run is computing (the scorecards are being replaced). */
const settled = (rec: EvaluationRecord | null | undefined): rec is EvaluationRecord => !!rec && rec.state !== 'RUNNING';

// ---------- queries ----------

export async function monthlyEvaluation(
  deps: NetworkDeps,
  ctx: RequestContext,
  month: string,
): Promise<EvaluationView | null> {
  requireEvaluationReader(ctx.claims);
  checkMonth(month);
  const rec = await deps.store.evaluations.find(month);
  return rec ? evaluationView(rec) : null;
}

export interface ResultsArgs {
  first?: number | null;
  after?: string | null;
  grade?: 'A' | 'B' | 'C' | 'UNGRADED' | null;
  region?: string | null;
}

/**
 * The month's ranking, a page at a time: the packed ranking read once by `_id`, filtered and paged in
 * memory, then the page's scorecards by `_id` `$in`. Ranked centres first, ungraded ones after.
 */
export async function results(deps: NetworkDeps, ctx: RequestContext, parent: EvaluationView, args: ResultsArgs) {
  const claims = requireEvaluationReader(ctx.claims);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_RESULTS_PAGE)
    throw badInput('first', `must be from 1 to ${MAX_RESULTS_PAGE}`);
  if (args.region !== undefined && args.region !== null && !REGION_PATTERN.test(args.region))
    throw badInput('region', 'must be a 6-digit region code');
  const cursor = args.after !== undefined && args.after !== null ? decodeScorecardCursor(args.after) : null;
  if (args.after !== undefined && args.after !== null && !cursor)
    throw badInput('after', 'is not a cursor this list returned');
  const empty = { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
  const rec = await deps.store.evaluations.find(parent.month);
  if (!settled(rec)) return empty;
  const ranking = await deps.store.evaluations.ranking(parent.month);
  if (!ranking || ranking.run !== rec.run) return empty;
  if (cursor && cursor.run !== rec.run)
    throw badInput('after', `the month was re-run since (run ${rec.run}): page from the start again`);
  const wanted = (e: RankingEntry) =>
    (seesAllScorecards(claims) || e[0] === claims.centreId) &&
    (!args.grade || (args.grade === 'UNGRADED' ? e[3] === null : e[3] === args.grade)) &&
    (!args.region || e[2] === args.region);
  const filtered = ranking.entries.filter(wanted);
  const start = cursor ? filtered.findIndex(([id]) => id === cursor.centreId) + 1 : 0;
  if (cursor && start === 0) throw badInput('after', 'is not a cursor this list returned');
  const page = filtered.slice(start, start + first);
  const cards = new Map(
    (await deps.store.evaluations.scorecardsByIds(page.map(([id]) => scorecardId(parent.month, id)))).map(
      (c) => [c.centreId, c] as const,
    ),
  );
  const edges = page.flatMap(([id]) => {
    const card = cards.get(id);
    return card && card.run === rec.run
      ? [{ cursor: encodeScorecardCursor(rec.run, id), node: storedScorecardView(card) }]
      : [];
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: start + first < filtered.length,
      endCursor: page.length ? encodeScorecardCursor(rec.run, page.at(-1)![0]) : null,
    },
    totalCount: filtered.length,
  };
}

/** The month's disputes, oldest first; a partner's own only. */
export async function disputesOf(
  deps: NetworkDeps,
  ctx: RequestContext,
  month: string,
  state: DisputeState | null | undefined,
): Promise<DisputeView[]> {
  const claims = requireEvaluationReader(ctx.claims);
  const own = seesAllScorecards(claims) ? undefined : (claims.centreId ?? '');
  const all = await deps.store.evaluations.disputes.ofMonth(month, own);
  return all.filter((d) => !state || d.state === state).map(disputeView);
}

/** A centre's scorecards of the last `last` months (newest first), each read by `_id`. */
export async function scorecardsOf(
  deps: NetworkDeps,
  ctx: RequestContext,
  centre: CentreRecord,
  last: number | null | undefined,
): Promise<ScorecardView[]> {
  const claims = requireEvaluationReader(ctx.claims);
  if (!maySeeScorecardsOf(claims, centre.id)) throw forbiddenScorecards();
  const n = last ?? 12;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SCORECARD_MONTHS)
    throw badInput('last', `must be from 1 to ${MAX_SCORECARD_MONTHS}`);
  const months = monthsEndingAt(previousMonth(shanghaiMonth(deps.now())), n).reverse();
  // One `_id` `$in` per kind for every centre of the response (a page of centres asks together).
  const evaluation = loaderFor(
    ctx,
    'evaluation-record',
    async (ms: string[]) =>
      new Map((await deps.store.evaluations.findMany([...new Set(ms)])).map((r) => [r.month, r] as const)),
  );
  const scorecard = loaderFor(
    ctx,
    'evaluation-scorecard',
    async (ids: string[]) =>
      new Map(
        (await deps.store.evaluations.scorecardsByIds([...new Set(ids)])).map(
          (c) => [scorecardId(c.month, c.centreId), c] as const,
        ),
      ),
  );
  const found = await Promise.all(
    months.map(async (m) => {
      const [rec, card] = await Promise.all([evaluation(m), scorecard(scorecardId(m, centre.id))]);
      return settled(rec) && card && card.run === rec.run ? storedScorecardView(card) : null;
    }),
  );
  return found.filter((c): c is ScorecardView => c !== null);
}

export async function promotionCandidates(deps: NetworkDeps, ctx: RequestContext, month: string) {
  const claims = requireEvaluationReader(ctx.claims);
  checkMonth(month);
  const rec = await deps.store.evaluations.find(month);
  if (rec?.state !== 'CONFIRMED') return [];
  const list = await deps.store.evaluations.promotions(month);
  return (list?.entries ?? [])
    .filter(([centreId]) => maySeeScorecardsOf(claims, centreId))
    .map(([centreId, code, region, months]) => ({ centreId, code, region, months }));
}

// ---------- mutations ----------

async function viewAfter(deps: NetworkDeps, month: string): Promise<EvaluationView> {
  const rec = await deps.store.evaluations.find(month);
  return rec ? evaluationView(rec) : startingView(month);
}

/** An Update's refusal as the client's error; INVALID_TRANSITION names the month's state. */
async function refusedUpdate(deps: NetworkDeps, month: string, error: unknown): Promise<never> {
  const mapped = evaluationRefusal(error);
  if (mapped instanceof DomainError && mapped.code === 'INVALID_TRANSITION' && !mapped.extensions['currentState']) {
    const state = (await deps.store.evaluations.find(month))?.state ?? 'RUNNING';
    throw invalidTransition(mapped.message, state);
  }
  throw mapped;
}

/**
 * The month's record for a change that needs one not yet confirmed: NOT_FOUND, or INVALID_TRANSITION once confirmation
 * began.
 */
async function unconfirmed(deps: NetworkDeps, month: string, what: string): Promise<EvaluationRecord> {
  const rec = await deps.store.evaluations.find(month);
  if (!rec) throw notFound('monthly evaluation', month);
  if (rec.state === 'CONFIRMING' || rec.state === 'CONFIRMED') {
    throw invalidTransition(
      `the evaluation of ${month} is ${rec.state}: a confirmed month never changes, so it cannot be ${what}`,
      rec.state,
    );
  }
  return rec;
}

/**
 * OPERATOR or ADMIN. Starts the month's evaluation workflow; when it is already running this is that
 * one (nothing new happens). A month not yet over (Asia/Shanghai) is BAD_USER_INPUT, a confirmed
 * one INVALID_TRANSITION.
 */
export async function runMonthlyEvaluation(
  deps: NetworkDeps,
  ctx: RequestContext,
  month: string,
  idempotencyKey: Key,
): Promise<EvaluationView> {
  const claims = requireEditor(ctx.claims);
  checkMonth(month);
  if (!isMonthOver(month, deps.now()))
    throw badInput('month', `${month} is not over yet (Asia/Shanghai): a month is evaluated once it has ended`);
  await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'runMonthlyEvaluation',
      caller: claims,
      payload: { month },
      mayReplay: () => true,
      resumable: true,
    },
    async () => {
      const rec = await deps.store.evaluations.find(month);
      if (rec && (rec.state === 'CONFIRMING' || rec.state === 'CONFIRMED')) {
        throw invalidTransition(
          `the evaluation of ${month} is ${rec.state}: a confirmed month never changes`,
          rec.state,
        );
      }
      const { started } = await deps.evaluationWorkflow.start(month, claims.sub);
      ctx.log.info({ month, started }, started ? 'monthly evaluation started' : 'monthly evaluation already running');
      return month;
    },
  );
  return viewAfter(deps, month);
}

/** OPERATOR or ADMIN: the Update `rerun` (run n+1 replaces the provisional results). */
export const rerunMonthlyEvaluation = (deps: NetworkDeps, ctx: RequestContext, month: string, key: Key) =>
  evaluationUpdate(deps, month, key, {
    claims: requireEditor(ctx.claims),
    operation: 'rerunMonthlyEvaluation',
    refusedAs: 're-run',
    send: (claims, updateId) => deps.evaluationWorkflow.rerun(month, { requestedBy: claims.sub, updateId }),
    done: () => ctx.log.info({ month }, 'monthly evaluation re-run requested'),
  });

/** ADMIN only: the Update `confirm` (CONFLICT while a dispute is open). */
export const confirmMonthlyEvaluation = (deps: NetworkDeps, ctx: RequestContext, month: string, key: Key) =>
  evaluationUpdate(deps, month, key, {
    claims: requireRole(ctx.claims, 'ADMIN'),
    operation: 'confirmMonthlyEvaluation',
    refusedAs: 'confirmed again',
    send: (claims, updateId) => deps.evaluationWorkflow.confirm(month, { confirmedBy: claims.sub, updateId }),
    done: () => ctx.log.info({ month }, 'monthly evaluation confirmed'),
  });

/** An Update of the month's evaluation workflow, replayable by its key (the Update's id derives from the key). */
async function evaluationUpdate(
  deps: NetworkDeps,
  month: string,
  idempotencyKey: Key,
  update: {
    claims: Claims;
    operation: string;
    refusedAs: string;
    send: (claims: Claims, updateId: string) => Promise<unknown>;
    done: () => void;
  },
): Promise<EvaluationView> {
  const { claims, operation } = update;
  checkMonth(month);
  const updateId = updateIdOf(claims, operation, idempotencyKey);
  await withIdempotency(
    deps.store.idempotency,
    { key: idempotencyKey, operation, caller: claims, payload: { month }, mayReplay: () => true, resumable: true },
    async () => {
      await unconfirmed(deps, month, update.refusedAs);
      await update.send(claims, updateId).catch((e: unknown) => refusedUpdate(deps, month, e));
      update.done();
      return month;
    },
  );
  return viewAfter(deps, month);
}

/** The signal is a nudge (the workflow also re-checks hourly); the dispute is recorded either way. */
async function nudge(deps: NetworkDeps, ctx: RequestContext, month: string): Promise<void> {
  try {
    await deps.evaluationWorkflow.disputesChanged(month);
  } catch (err) {
    ctx.log.warn(
      { err, month },
      'could not signal disputesChanged to the evaluation workflow; it re-checks open disputes by itself',
    );
  }
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function loadDispute(deps: NetworkDeps, id: string): Promise<DisputeRecord> {
  const d = await deps.store.evaluations.disputes.find(id);
  if (!d) throw notFound('dispute', id);
  return d;
}

/**
 * PARTNER, its own centre's scorecard, on a PROVISIONAL month only; one OPEN dispute per centre at a
 * time. With a key the dispute's id derives from it, so a retry finds the one it opened.
 */
export async function disputeScorecard(
  deps: NetworkDeps,
  ctx: RequestContext,
  month: string,
  reasonArg: string,
  idempotencyKey: Key,
): Promise<DisputeView> {
  const claims = requireRole(ctx.claims, 'PARTNER');
  const centreId = claims.centreId;
  if (!centreId) throw forbiddenScorecards();
  checkMonth(month);
  const reason = checkReason(reasonArg);
  const id = idempotencyKey
    ? `D-${sha(`${callerScope(claims)}|disputeScorecard|${idempotencyKey}`).slice(0, 32)}`
    : `D-${randomUUID()}`;
  const ev = deps.store.evaluations;
  const disputeId = await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'disputeScorecard',
      caller: claims,
      payload: { month, reason },
      resumable: true,
      mayReplay: async (stored: string) => (await ev.disputes.find(stored))?.centreId === centreId,
    },
    async () => {
      await ev.exclusiveMonth(month, async () => {
        const existing = await ev.disputes.find(id);
        if (existing) return ev.disputes.join(existing.month, existing.id, existing.centreId);
        const rec = await ev.find(month);
        if (!rec) throw notFound('monthly evaluation', month);
        if (rec.state !== 'PROVISIONAL') {
          throw invalidTransition(
            `the evaluation of ${month} is ${rec.state}: only PROVISIONAL results may be disputed`,
            rec.state,
          );
        }
        const card: ScorecardRecord | null = await ev.scorecard(month, centreId);
        if (!card || card.run !== rec.run) throw notFound(`scorecard of ${month} for centre`, centreId);
        if ((await ev.disputes.ofMonth(month, centreId)).some((d) => d.state === 'OPEN')) {
          throw conflict(`centre ${card.code} already has an open dispute of ${month}; wait for its decision`);
        }
        await ev.disputes.insert({
          id,
          month,
          centreId,
          run: rec.run,
          reason,
          state: 'OPEN',
          openedBy: claims.sub,
          openedAt: deps.now(),
          decidedBy: null,
          decidedAt: null,
          decisionReason: null,
          decisionRequest: null,
        });
        ctx.log.info({ disputeId: id, month, centreId }, 'scorecard disputed');
      });
      await nudge(deps, ctx, month);
      return id;
    },
  );
  return disputeView(await loadDispute(deps, disputeId));
}

/**
 * OPERATOR or ADMIN: an OPEN dispute becomes UPHELD or REJECTED with a reason; upholding re-runs the
 * month (Update `rerun`), rejecting wakes the workflow (signal `disputesChanged`). The decision is
 * written first; a retry of the same request (same key) finds it and sends the Update again.
 */
async function decideDispute(
  deps: NetworkDeps,
  ctx: RequestContext,
  operation: 'upholdDispute' | 'rejectDispute',
  id: string,
  reasonArg: string,
  idempotencyKey: Key,
): Promise<DisputeView> {
  const claims: Claims = requireEditor(ctx.claims);
  checkDisputeId(id);
  const reason = checkReason(reasonArg);
  const to = operation === 'upholdDispute' ? 'UPHELD' : 'REJECTED';
  const requestId = updateIdOf(claims, operation, idempotencyKey);
  const ev = deps.store.evaluations;
  await withIdempotency(
    deps.store.idempotency,
    { key: idempotencyKey, operation, caller: claims, payload: { id, reason }, mayReplay: () => true, resumable: true },
    async () => {
      const { month } = await loadDispute(deps, id);
      await ev.exclusiveMonth(month, async () => {
        const d = await loadDispute(deps, id);
        if (d.state === to && d.decisionRequest === requestId) return; // this very request, retried
        if (d.state !== 'OPEN')
          throw invalidTransition(`dispute ${id} is ${d.state}: only an OPEN dispute is decided`, d.state);
        const rec = await unconfirmed(deps, month, 'changed by a dispute');
        // Upholding re-runs the month, which the workflow takes only while the results wait for review.
        if (to === 'UPHELD' && rec.state !== 'PROVISIONAL') {
          throw conflict(
            `the evaluation of ${month} is being computed (run ${rec.run}); uphold the dispute once its ` +
              `provisional results are ready`,
            { currentState: rec.state },
          );
        }
        await ev.disputes.decide(id, {
          state: to,
          decidedBy: claims.sub,
          decidedAt: deps.now(),
          decisionReason: reason,
          decisionRequest: requestId,
        });
        ctx.log.info({ disputeId: id, month, state: to }, 'dispute decided');
      });
      if (to === 'UPHELD') {
        await deps.evaluationWorkflow
          .rerun(month, { requestedBy: claims.sub, updateId: requestId })
          .catch((e: unknown) => refusedUpdate(deps, month, e));
      } else {
        await nudge(deps, ctx, month);
      }
      return id;
    },
  );
  return disputeView(await loadDispute(deps, id));
}

export const upholdDispute = (deps: NetworkDeps, ctx: RequestContext, id: string, reason: string, key: Key) =>
  decideDispute(deps, ctx, 'upholdDispute', id, reason, key);
export const rejectDispute = (deps: NetworkDeps, ctx: RequestContext, id: string, reason: string, key: Key) =>
  decideDispute(deps, ctx, 'rejectDispute', id, reason, key);
