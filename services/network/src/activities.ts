import { ApplicationFailure } from '@temporalio/activity';
import { shanghaiMonth, type PublishedStandardRef } from '@starline/common';
import { latestGradeBefore, rankEligible } from './rules/eligibility.ts';
import {
  EVIDENCE_PATTERN,
  GRADES,
  LIMITS,
  MONTH_PATTERN,
  PRODUCT_LINE_PATTERN,
  REGION_PATTERN,
} from './rules/validate.ts';
import type { NetworkActivities } from './contract.ts';
import type { CentreStore } from './store/centres.ts';
import { createEvaluationActivities } from './evaluation-activities.ts';
import { applyConsequence, putGradeLocked } from './grades.ts';

export { CONSEQUENCE_ACTOR } from './grades.ts';

/** The most centres `payeesOf` answers for at once. */
export const MAX_PAYEES = 1000;

/** How many months back dispatch looks for a centre's latest grade. */
const DISPATCH_GRADE_MONTHS = 12;

const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadActivityInput');

/**
 * The network task queue's activities. Each is safe to retry: a repeat changes nothing.
 * `standardVersion` looks a standard version up (the standards service's activity, in production).
 */
export function createNetworkActivities(
  store: CentreStore,
  standardVersion: (versionId: string) => Promise<PublishedStandardRef | null>,
  now: () => Date = () => new Date(),
): NetworkActivities {
  return {
    async centreRef({ centreId }) {
      if (typeof centreId !== 'string' || centreId.length === 0 || centreId.length > 64)
        throw bad(`centreId is not an id: "${centreId}"`);
      const centre = await store.findById(centreId);
      return (
        centre && {
          id: centre.id,
          code: centre.code,
          status: centre.status,
          tier: centre.tier,
          serviceAreas: centre.serviceAreas,
          productLines: centre.productLines,
        }
      );
    },

    async eligibleCentres({ regionCode, productLine, at, openJobs }) {
      if (!REGION_PATTERN.test(regionCode)) throw bad(`regionCode must be a 6-digit region code, got "${regionCode}"`);
      if (!PRODUCT_LINE_PATTERN.test(productLine)) throw bad(`productLine must be UPPER_SNAKE, got "${productLine}"`);
      const instant = new Date(at);
      if (Number.isNaN(instant.getTime())) throw bad(`at must be an ISO instant, got "${at}"`);
      const candidates = await store.dispatchCandidates(regionCode, productLine);
      // The latest grade of the last year counts: an older one says little about the centre now.
      const grades = await store.gradesBefore(
        candidates.map((c) => c.id),
        shanghaiMonth(instant),
        DISPATCH_GRADE_MONTHS,
      );
      const byCentre = new Map<string, typeof grades>();
      for (const g of grades) byCentre.set(g.centreId, [...(byCentre.get(g.centreId) ?? []), g]);
      const ranked = rankEligible(
        candidates.map((c) => ({
          id: c.id,
          code: c.code,
          dailyCapacity: c.dailyCapacity,
          grade: latestGradeBefore(byCentre.get(c.id) ?? [], shanghaiMonth(instant))?.grade ?? null,
        })),
        openJobs ?? {},
      );
      return ranked.map((r) => ({
        centreId: r.id,
        code: r.code,
        grade: r.grade,
        dailyCapacity: r.dailyCapacity,
        openJobs: r.openJobs,
        remaining: r.remaining,
      }));
    },

    async recordGrade({ centreId, month, grade, score, standardVersionId, evaluationId }) {
      if (!MONTH_PATTERN.test(month)) throw bad(`month must be YYYY-MM, got "${month}"`);
      if (!(GRADES as readonly string[]).includes(grade)) throw bad(`grade must be A, B or C, got "${grade}"`);
      if (typeof score !== 'number' || !Number.isFinite(score)) throw bad('score must be a finite number');
      if (!standardVersionId || !evaluationId) throw bad('standardVersionId and evaluationId are required');
      // A grade is given under a published standard; anything else is a caller's mistake, not a delay.
      if ((await standardVersion(standardVersionId))?.status !== 'PUBLISHED') {
        throw ApplicationFailure.nonRetryable(
          `standard version ${standardVersionId} is not a published standard`,
          'StandardVersionNotFound',
        );
      }
      const changed = await store.exclusiveCentre(centreId, () =>
        putGradeLocked(store, now, { centreId, month, grade, score, standardVersionId, evaluationId }),
      );
      return { centreId, month, changed };
    },

    async applyStatusConsequence({ centreId, to, reason, evidence }) {
      if (to !== 'SUSPENDED' && to !== 'ELIMINATED') throw bad(`to must be SUSPENDED or ELIMINATED, got "${to}"`);
      if (!reason || reason.length > LIMITS.reasonMax)
        throw bad(`reason is required (at most ${LIMITS.reasonMax} characters)`);
      if (!EVIDENCE_PATTERN.test(evidence))
        throw bad(`evidence must be a reference like evaluation:2026-10:<centreId>, got "${evidence}"`);
      return applyConsequence(store, now, { centreId, to, reason, evidence });
    },

    async evaluationOf({ month }) {
      if (typeof month !== 'string' || !MONTH_PATTERN.test(month))
        throw bad(`month must be YYYY-MM, got "${String(month)}"`);
      const rec = await store.evaluations.find(month);
      // `total`: the centres the current run evaluates (fixed when the run begins).
      return rec && { state: rec.state, standardVersionId: rec.standardVersionId, centres: rec.total };
    },

    async payeesOf({ centreIds }) {
      if (!Array.isArray(centreIds) || centreIds.length === 0 || centreIds.length > MAX_PAYEES) {
        throw bad(
          `centreIds must list 1–${MAX_PAYEES} ids, got ` +
            `${Array.isArray(centreIds) ? centreIds.length : String(centreIds)}`,
        );
      }
      const bogus = centreIds.find((id) => typeof id !== 'string' || id.length === 0 || id.length > 64);
      if (bogus !== undefined) throw bad(`centreIds must be ids, got "${String(bogus)}"`);
      // A repeat would put a centre twice in whatever the caller builds from the answer (a payment file).
      if (new Set(centreIds).size !== centreIds.length) throw bad('centreIds lists a centre more than once');
      const found = new Map((await store.findMany(centreIds)).map((c) => [c.id, c] as const));
      return centreIds.flatMap((id) => {
        const c = found.get(id);
        if (!c) return [];
        const payee = c.payee && {
          accountName: c.payee.accountName,
          bank: c.payee.bank,
          accountNumber: c.payee.accountNumber,
        };
        return [{ centreId: c.id, code: c.code, payee }];
      });
    },

    ...createEvaluationActivities(store, now),
  };
}
