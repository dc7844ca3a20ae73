import { ApplicationFailure } from '@temporalio/activity';
import {
  KPI_COUNTERS,
  type CentreMonthCredits,
  type CentreMonthTickets,
  type EvaluationCentre,
  type EvaluationPolicyInput,
  type NetworkActivities,
} from '@starline/common';
import { atRiskOfSuspension, cGradesEarlierInYear, consequenceOf, isPromotionCandidate } from './rules/consequences.ts';
import {
  consequenceReason,
  earlierMonthsOfYear,
  evaluationEvidence,
  evaluationId,
  evaluatedIn,
  policyOf,
  policyProblems,
} from './rules/evaluation-run.ts';
import { isMonthOver, monthsEndingAt } from './rules/month.ts';
import { rankScorecards } from './rules/ranking.ts';
import { scorecard, type CentreMonthFacts } from './rules/scorecard.ts';
import { MONTH_PATTERN } from './rules/validate.ts';
import type { CentreStore } from './store/centres.ts';
import {
  inParallel,
  scorecardId,
  type EvaluationRecord,
  type GradeCounts,
  type PromotionEntry,
  type RankingEntry,
  type RunCentre,
  type ScorecardRecord,
} from './store/evaluations.ts';
import { applyConsequence, putGradeLocked } from './grades.ts';

export type EvaluationActivities = Pick<
  NetworkActivities,
  | 'beginEvaluationRun'
  | 'evaluationCentres'
  | 'storeScorecards'
  | 'finishEvaluationRun'
  | 'openDisputes'
  | 'confirmEvaluation'
  | 'applyEvaluationBatch'
  | 'completeEvaluation'
  | 'evaluationAwards'
>;

const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadActivityInput');
/** A refusal the workflow passes on as it is (its type is the GraphQL error code it means). */
const refusal = (type: 'NOT_FOUND' | 'CONFLICT' | 'INVALID_TRANSITION', message: string, state?: string) =>
  ApplicationFailure.create({ message, type, nonRetryable: true, details: state ? [{ state }] : [] });

export const MAX_EVALUATION_BATCH = 1000;
/** Centres whose grade and consequence are applied at once within a batch (each under its own lease). */
const APPLY_CONCURRENCY = 4;
/** Scorecards updated at once when a run is ranked (single writes by `_id`). */
const RANK_WRITE_CONCURRENCY = 8;

function checkMonth(month: unknown): asserts month is string {
  if (typeof month !== 'string' || !MONTH_PATTERN.test(month))
    throw bad(`month must be YYYY-MM, got "${String(month)}"`);
}
function checkRun(run: unknown): asserts run is number {
  if (!Number.isSafeInteger(run) || (run as number) < 1)
    throw bad(`run must be a whole number from 1, got ${String(run)}`);
}
function checkPage(after: unknown, limit: unknown): void {
  if (after !== null && after !== undefined && (typeof after !== 'string' || after.length === 0 || after.length > 200))
    throw bad('after must be a cursor this list returned, or null');
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_EVALUATION_BATCH)
    throw bad(`limit must be 1–${MAX_EVALUATION_BATCH}, got ${String(limit)}`);
}
function checkText(name: string, value: unknown, max = 200): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw bad(`${name} must be 1–${max} characters`);
}

/** The page of a list ordered by id that follows `after`, and the cursor of the next one. */
function pageAfter<T>(
  sorted: readonly T[],
  idOf: (item: T) => string,
  after: string | null | undefined,
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const start = after ? sorted.findIndex((item) => idOf(item) > after) : 0;
  if (start < 0) return { items: [], nextCursor: null };
  const items = sorted.slice(start, start + limit);
  return { items, nextCursor: start + limit < sorted.length ? idOf(items.at(-1)!) : null };
}

const byId =
  <T>(idOf: (t: T) => string) =>
  (a: T, b: T) =>
    idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0;

/**
 * The monthly evaluation's activities (common/src/activities.ts, NetworkActivities). Each is safe to
 * retry and to run again after a worker died in it: writes are replacements by `_id` or absolute
 * values (progress is set, never incremented), checked under the month's lease, so every centre is
 * counted once. Malformed input fails non-retryably as `BadActivityInput`; a refusal the workflow
 * hands to a client fails non-retryably with the GraphQL code as its type.
 */
export function createEvaluationActivities(store: CentreStore, now: () => Date): EvaluationActivities {
  const ev = store.evaluations;

  async function record(month: string): Promise<EvaluationRecord> {
    const found = await ev.find(month);
    if (!found) throw refusal('NOT_FOUND', `there is no evaluation of ${month}`);
    return found;
  }

  /** The record of run `run`, or why not: an earlier run is stale, a later one was never begun. */
  function sameRun(rec: EvaluationRecord, run: number): void {
    if (run < rec.run)
      throw ApplicationFailure.nonRetryable(
        `run ${run} of ${rec.month} is stale: run ${rec.run} has begun`,
        'StaleRun',
      );
    if (run > rec.run) throw bad(`run ${run} of ${rec.month} was never begun (the evaluation is at run ${rec.run})`);
  }

  async function runCentres(rec: EvaluationRecord): Promise<RunCentre[]> {
    const list = await ev.runCentres(rec.month);
    // beginEvaluationRun writes the list before the record names the run, so this is a run never begun.
    if (!list || list.run !== rec.run)
      throw ApplicationFailure.nonRetryable(
        `the centres of run ${rec.run} of ${rec.month} are not stored`,
        'IncompleteRun',
      );
    return list.entries;
  }

  /** Each centre's C grades recorded in the month's year before the month, read by `_id`. */
  async function cGradesBefore(centreIds: readonly string[], month: string): Promise<Map<string, number>> {
    const grades = await store.gradesIn(centreIds, earlierMonthsOfYear(month));
    const byCentre = new Map<string, { month: string; grade: 'A' | 'B' | 'C' }[]>(centreIds.map((id) => [id, []]));
    for (const g of grades) byCentre.get(g.centreId)?.push(g);
    return new Map([...byCentre].map(([id, gs]) => [id, cGradesEarlierInYear(gs, month)]));
  }

  function factsOf(
    entry: { centre: EvaluationCentre; tickets: CentreMonthTickets; credits: CentreMonthCredits },
    i: number,
  ): CentreMonthFacts {
    const { centre, tickets, credits } = entry;
    if (!centre || typeof centre.centreId !== 'string' || !centre.centreId)
      throw bad(`centres[${i}].centre.centreId is required`);
    if (tickets?.centreId !== centre.centreId) throw bad(`centres[${i}].tickets is not centre ${centre.centreId}'s`);
    if (credits?.centreId !== centre.centreId) throw bad(`centres[${i}].credits is not centre ${centre.centreId}'s`);
    if (!Number.isSafeInteger(centre.cGradesBefore) || centre.cGradesBefore < 0)
      throw bad(`centres[${i}].centre.cGradesBefore must be a whole number`);
    const c = (tickets.counters ?? {}) as Partial<Record<keyof CentreMonthFacts, unknown>>;
    const facts: Record<string, unknown> = Object.fromEntries(KPI_COUNTERS.map((name) => [name, c[name]]));
    Object.assign(facts, {
      leftover: tickets.leftover,
      qualityInfoAdopted: credits.qualityInfoAdopted,
      serviceInnovation: credits.serviceInnovation,
    });
    for (const [name, value] of Object.entries(facts)) {
      if (!Number.isSafeInteger(value) || (value as number) < 0)
        throw bad(`centres[${i}]: ${name} must be a whole count ≥ 0, got ${String(value)}`);
    }
    return facts as unknown as CentreMonthFacts;
  }

  return {
    async beginEvaluationRun({ month, run, standardVersionId, requestedBy }) {
      checkMonth(month);
      checkRun(run);
      checkText('standardVersionId', standardVersionId);
      checkText('requestedBy', requestedBy);
      if (!isMonthOver(month, now())) throw bad(`${month} is not over yet (Asia/Shanghai): it cannot be evaluated`);
      return ev.exclusiveMonth(month, async () => {
        const rec = await ev.find(month);
        // Confirmed (or being confirmed): never changes again.
        if (rec && (rec.state === 'CONFIRMING' || rec.state === 'CONFIRMED'))
          return { state: rec.state, total: rec.total };
        if (rec && run === rec.run) return { state: rec.state, total: rec.total };
        if (rec && run < rec.run) sameRun(rec, run);
        // The centres ACTIVE or SUSPENDED, and those eliminated during or after the month, from the network in memory.
        const centres: RunCentre[] = (await store.tree.all())
          .filter((c) => evaluatedIn(c, month))
          .map((c) => [c.id, c.code, c.region]);
        await ev.putRunCentres(month, run, centres);
        const at = now();
        await ev.put({
          month,
          state: 'RUNNING',
          run,
          standardVersionId,
          policy: null,
          requestedBy,
          startedAt: at,
          computedAt: null,
          confirmedAt: null,
          confirmedBy: null,
          completedAt: null,
          done: 0,
          total: centres.length,
          gradeCounts: null,
          updatedAt: at,
        });
        return { state: 'RUNNING' as const, total: centres.length };
      });
    },

    async evaluationCentres({ month, after, limit }) {
      checkMonth(month);
      checkPage(after, limit);
      const rec = await record(month);
      const { items, nextCursor } = pageAfter(await runCentres(rec), ([id]) => id, after, limit);
      const counts = await cGradesBefore(
        items.map(([id]) => id),
        month,
      );
      return {
        centres: items.map(([centreId, code, region]) => ({
          centreId,
          code,
          region,
          cGradesBefore: counts.get(centreId) ?? 0,
        })),
        nextCursor,
      };
    },

    async storeScorecards({ month, run, policy, doneBefore, centres }) {
      checkMonth(month);
      checkRun(run);
      const problems = policyProblems(policy);
      if (problems.length > 0) throw bad(problems.join('; '));
      if (!Number.isSafeInteger(doneBefore) || doneBefore < 0) throw bad('doneBefore must be a whole number ≥ 0');
      if (!Array.isArray(centres) || centres.length > MAX_EVALUATION_BATCH)
        throw bad(`centres must be a list of at most ${MAX_EVALUATION_BATCH}`);
      const used = policyOf(policy as EvaluationPolicyInput);
      const seen = new Set<string>();
      const computed = centres.map((entry, i) => {
        const facts = factsOf(entry, i);
        if (seen.has(entry.centre.centreId))
          throw bad(`centres[${i}]: centre ${entry.centre.centreId} is in the batch twice`);
        seen.add(entry.centre.centreId);
        try {
          return { entry, facts, card: scorecard(facts, used) };
        } catch (error) {
          throw bad(`centres[${i}]: ${(error as Error).message}`);
        }
      });
      return ev.exclusiveMonth(month, async () => {
        const rec = await record(month);
        sameRun(rec, run);
        // The run is ranked already (a late repeat, or a workflow started again for the month): nothing to store.
        if (rec.state !== 'RUNNING') return { stored: 0 };
        if (used.standardVersionId !== rec.standardVersionId) {
          throw bad(
            `the policy is standard ${used.standardVersionId}'s, but run ${run} evaluates under ` +
              `${rec.standardVersionId}`,
          );
        }
        if (rec.policy && JSON.stringify(policyOf(rec.policy)) !== JSON.stringify(used))
          throw bad(`the policy differs from the one run ${run} began with`);
        const list = new Map((await runCentres(rec)).map((c) => [c[0], c] as const));
        const done = doneBefore + computed.length;
        if (done > rec.total) throw bad(`doneBefore + the batch (${done}) exceeds the run's ${rec.total} centres`);
        const at = now();
        const records: ScorecardRecord[] = computed.map(({ entry, facts, card }) => {
          const listed = list.get(entry.centre.centreId);
          if (!listed) throw bad(`centre ${entry.centre.centreId} is not one run ${run} of ${month} evaluates`);
          return {
            month,
            centreId: listed[0],
            code: listed[1],
            region: listed[2],
            run,
            standardVersionId: rec.standardVersionId,
            cGradesBefore: entry.centre.cGradesBefore,
            facts,
            kpis: card.kpis,
            incentives: card.incentives,
            weightedScore: card.weightedScore,
            incentivePoints: card.incentivePoints,
            adjustedScore: card.adjustedScore,
            completions: card.completions,
            grade: card.grade,
            ungradedReason: card.ungradedReason,
            // Ranked when the run finishes.
            rank: null,
            awardFen: 0,
            penaltyFen: 0,
            consequence: null,
            atRisk: false,
            computedAt: at,
          };
        });
        await ev.replaceScorecards(records);
        await ev.put({ ...rec, policy: used, done, updatedAt: at });
        return { stored: records.length };
      });
    },

    async finishEvaluationRun({ month, run }) {
      checkMonth(month);
      checkRun(run);
      return ev.exclusiveMonth(month, async () => {
        const rec = await record(month);
        sameRun(rec, run);
        // Ranked already (a retry, or a later state): the same answer.
        if (rec.state !== 'RUNNING')
          return { computedAt: rec.computedAt!.toISOString(), gradeCounts: rec.gradeCounts! };
        const centres = await runCentres(rec);
        const cards = await ev.scorecardsByIds(centres.map(([id]) => scorecardId(month, id)));
        const current = cards.filter((c) => c.run === run);
        if (current.length !== centres.length) {
          throw ApplicationFailure.nonRetryable(
            `run ${run} of ${month} has ${current.length} of its ${centres.length} scorecards: store them all first`,
            'IncompleteRun',
          );
        }
        // A run with no centre stored no batch, so it has no policy; it ranks nobody either.
        const consequences = rec.policy?.consequences;
        const ranked = consequences ? rankScorecards(current, consequences) : [];
        await inParallel(ranked, RANK_WRITE_CONCURRENCY, async (c) => {
          await ev.updateScorecard(month, c.centreId, {
            rank: c.rank,
            awardFen: c.awardFen,
            penaltyFen: c.penaltyFen,
            consequence: consequenceOf(c.cGradesBefore, c.grade, consequences!),
            atRisk: atRiskOfSuspension(c.grade, c.cGradesBefore, consequences!),
          });
        });
        const ranking: RankingEntry[] = ranked.map((c) => [
          c.centreId,
          c.code,
          c.region,
          c.grade,
          c.rank,
          c.awardFen,
          c.penaltyFen,
        ]);
        await ev.putRanking(month, run, ranking);
        const gradeCounts: GradeCounts = { A: 0, B: 0, C: 0, ungraded: 0 };
        for (const c of ranked) gradeCounts[c.grade ?? 'ungraded'] += 1;
        const at = now();
        await ev.put({ ...rec, state: 'PROVISIONAL', computedAt: at, gradeCounts, done: rec.total, updatedAt: at });
        return { computedAt: at.toISOString(), gradeCounts };
      });
    },

    async openDisputes({ month }) {
      checkMonth(month);
      return (await ev.disputes.ofMonth(month)).filter((d) => d.state === 'OPEN').length;
    },

    async confirmEvaluation({ month, confirmedBy }) {
      checkMonth(month);
      checkText('confirmedBy', confirmedBy);
      return ev.exclusiveMonth(month, async () => {
        const rec = await record(month);
        if (rec.state === 'CONFIRMING' || rec.state === 'CONFIRMED') {
          return { confirmedAt: rec.confirmedAt!.toISOString(), confirmedBy: rec.confirmedBy! };
        }
        if (rec.state !== 'PROVISIONAL')
          throw refusal(
            'INVALID_TRANSITION',
            `the evaluation of ${month} is ${rec.state}: only PROVISIONAL results are confirmed`,
            rec.state,
          );
        const open = (await ev.disputes.ofMonth(month)).filter((d) => d.state === 'OPEN').length;
        if (open > 0)
          throw refusal(
            'CONFLICT',
            `${open} dispute(s) of ${month} are still open: uphold or reject them first`,
            rec.state,
          );
        const at = now();
        await ev.put({ ...rec, state: 'CONFIRMING', confirmedAt: at, confirmedBy, done: 0, updatedAt: at });
        return { confirmedAt: at.toISOString(), confirmedBy };
      });
    },

    async applyEvaluationBatch({ month, after, limit }) {
      checkMonth(month);
      checkPage(after, limit);
      const rec = await record(month);
      if (rec.state !== 'CONFIRMING' && rec.state !== 'CONFIRMED') {
        throw refusal(
          'INVALID_TRANSITION',
          `the evaluation of ${month} is ${rec.state}: grades are applied only on confirmation`,
          rec.state,
        );
      }
      const ranking = await ev.ranking(month);
      if (!ranking || ranking.run !== rec.run)
        throw ApplicationFailure.nonRetryable(`the ranking of ${month} is missing`, 'IncompleteRun');
      const sorted = [...ranking.entries].sort(byId(([id]: RankingEntry) => id));
      const { items, nextCursor } = pageAfter(sorted, ([id]) => id, after, limit);
      const cards = new Map(
        (await ev.scorecardsByIds(items.map(([id]) => scorecardId(month, id)))).map((c) => [c.centreId, c] as const),
      );
      const consequences = rec.policy?.consequences;
      const evidence = evaluationEvidence(month);
      const eliminated = new Set<string>();
      await inParallel(items, APPLY_CONCURRENCY, async ([centreId]) => {
        const card = cards.get(centreId);
        if (!card || card.run !== rec.run)
          throw ApplicationFailure.nonRetryable(
            `the scorecard of ${centreId} for ${month} is missing`,
            'IncompleteRun',
          );
        if (card.grade === null || card.adjustedScore === null || !consequences) return;
        const { grade, adjustedScore } = card;
        await store.exclusiveCentre(centreId, () =>
          putGradeLocked(store, now, {
            centreId,
            month,
            grade,
            score: adjustedScore,
            standardVersionId: rec.standardVersionId,
            evaluationId: evaluationId(month),
          }),
        );
        // Judged from the grades recorded now: an earlier month confirmed since the run counts.
        const cBefore = (await cGradesBefore([centreId], month)).get(centreId) ?? 0;
        const consequence = consequenceOf(cBefore, grade, consequences);
        if (consequence !== card.consequence || cBefore !== card.cGradesBefore) {
          await ev.updateScorecard(month, centreId, {
            consequence,
            cGradesBefore: cBefore,
            atRisk: atRiskOfSuspension(grade, cBefore, consequences),
          });
        }
        if (!consequence) return;
        await applyConsequence(store, now, {
          centreId,
          to: consequence,
          reason: consequenceReason(cBefore + 1, month),
          evidence,
        });
        if (consequence === 'ELIMINATED') {
          const centre = await store.findById(centreId);
          // Eliminated by this evaluation (now or by an earlier attempt of this batch): its jobs are to be recalled.
          if (centre?.statusHistory.some((h) => h.to === 'ELIMINATED' && h.evidence === evidence))
            eliminated.add(centreId);
        }
      });
      if (rec.state === 'CONFIRMING' && items.length > 0) {
        const done = sorted.findIndex(([id]) => id === items.at(-1)![0]) + 1;
        await ev.exclusiveMonth(month, async () => {
          const latest = await record(month);
          if (latest.state === 'CONFIRMING' && latest.done < done) await ev.put({ ...latest, done, updatedAt: now() });
        });
      }
      return { eliminated: [...eliminated].sort(), nextCursor };
    },

    async completeEvaluation({ month }) {
      checkMonth(month);
      return ev.exclusiveMonth(month, async () => {
        const rec = await record(month);
        if (rec.state === 'CONFIRMED') return { state: 'CONFIRMED' as const };
        if (rec.state !== 'CONFIRMING')
          throw refusal(
            'INVALID_TRANSITION',
            `the evaluation of ${month} is ${rec.state}: confirm it first`,
            rec.state,
          );
        const ranking = (await ev.ranking(month))?.entries ?? [];
        const runMonths = rec.policy?.promotionRunMonths ?? 0;
        const candidates: PromotionEntry[] = [];
        const aGraded = ranking.filter(([, , , grade]) => grade === 'A');
        if (runMonths >= 1 && aGraded.length > 0) {
          const months = monthsEndingAt(month, runMonths);
          const grades = await store.gradesIn(
            aGraded.map(([id]) => id),
            months,
          );
          for (const [centreId, code, region] of aGraded) {
            const own = grades.filter((g) => g.centreId === centreId);
            if (isPromotionCandidate(own, month, runMonths)) candidates.push([centreId, code, region, months]);
          }
        }
        await ev.putPromotions(month, rec.run, candidates);
        const at = now();
        await ev.put({ ...rec, state: 'CONFIRMED', completedAt: at, done: rec.total, updatedAt: at });
        return { state: 'CONFIRMED' as const };
      });
    },

    async evaluationAwards({ month, after, limit }) {
      checkMonth(month);
      checkPage(after, limit);
      const rec = await ev.find(month);
      if (rec?.state !== 'CONFIRMED')
        throw refusal('NOT_FOUND', `the evaluation of ${month} is not confirmed${rec ? ` (it is ${rec.state})` : ''}`);
      const ranking = (await ev.ranking(month))?.entries ?? [];
      const sorted = [...ranking].sort(byId(([id]: RankingEntry) => id));
      const { items, nextCursor } = pageAfter(sorted, ([id]) => id, after, limit);
      return {
        awards: items.map(([centreId, , , grade, rank, awardFen, penaltyFen]) => ({
          centreId,
          month,
          grade,
          rank,
          awardFen,
          penaltyFen,
        })),
        nextCursor,
      };
    },
  };
}
