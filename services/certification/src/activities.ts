import { ApplicationFailure } from '@temporalio/activity';
import { asActivity } from '@starline/common';
import { reviewFailure } from './rules/career.ts';
import { MONTH_PATTERN } from './rules/credits.ts';
import { mayTakeJob } from './rules/dispatch.ts';
import { cycleEndFrom, type LicencePolicy } from './rules/policy.ts';
import { ID_PATTERN, PRODUCT_LINE_PATTERN } from './rules/validate.ts';
import type { CertificationActivities, LicencePolicyInput } from './contract.ts';
import { recordEvent } from './graphql/mutations.ts';
import type { CertificationStore } from './store/certification.ts';

const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadActivityInput');

function instant(value: string, field: string): Date {
  const d = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(d.getTime()))
    throw bad(`${field} must be an ISO instant, got "${value}"`);
  return d;
}

/** How many centres one `centreMonthCredits` call may ask for. */
export const CREDITS_CENTRES_MAX = 1000;

const whole = (n: unknown, min: number, max: number) =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

/** The policy a workflow passes (checked), or else the one of the standard in force. */
export async function policyOf(
  input: LicencePolicyInput | undefined | null,
  inForce: () => Promise<LicencePolicy>,
): Promise<LicencePolicy> {
  return input ? checkedPolicy(input) : inForce();
}

/** A policy from outside this service, checked as any input is: a bad one fails non-retryably. */
export function checkedPolicy(input: LicencePolicyInput): LicencePolicy {
  const problems: string[] = [];
  if (typeof input.standardVersionId !== 'string' || !input.standardVersionId)
    problems.push('standardVersionId is required');
  if (!whole(input.maxPoints, 1, 1000)) problems.push('maxPoints must be 1–1000');
  if (!whole(input.warningAtOrBelow, 0, input.maxPoints - 1))
    problems.push('warningAtOrBelow must be 0 to maxPoints − 1');
  if (!whole(input.cycleMonths, 1, 120)) problems.push('cycleMonths must be 1–120');
  if (!whole(input.warningDailyCapPercent, 0, 100)) problems.push('warningDailyCapPercent must be 0–100');
  if (!whole(input.usualDailyJobs, 1, 50)) problems.push('usualDailyJobs must be 1–50');
  if (!Array.isArray(input.pointRules)) problems.push('pointRules must be a list');
  else
    for (const r of input.pointRules) {
      const signOk =
        r.kind === 'VIOLATION' ? whole(r.points, -1000, -1) : r.kind === 'CREDIT' ? whole(r.points, 1, 1000) : false;
      if (typeof r.code !== 'string' || !signOk)
        problems.push(`point rule ${String(r.code)}: a VIOLATION deducts (< 0), a CREDIT adds (> 0)`);
    }
  if (
    !Array.isArray(input.productLines) ||
    !input.productLines.every((l) => typeof l === 'string' && PRODUCT_LINE_PATTERN.test(l))
  ) {
    problems.push('productLines must be a list of UPPER_SNAKE codes');
  }
  if (problems.length) throw bad(`policy: ${problems.join('; ')}`);
  return {
    standardVersionId: input.standardVersionId,
    maxPoints: input.maxPoints,
    warningAtOrBelow: input.warningAtOrBelow,
    cycleMonths: input.cycleMonths,
    warningDailyCapPercent: input.warningDailyCapPercent,
    usualDailyJobs: input.usualDailyJobs,
    pointRules: input.pointRules.map((r) => ({ code: r.code, kind: r.kind, points: r.points })),
    productLines: [...input.productLines],
  };
}

/** The certification task queue's activities. Each is safe to retry. */
export function createCertificationActivities(
  store: CertificationStore,
  inForce: () => Promise<LicencePolicy>,
  now: () => Date = () => new Date(),
): CertificationActivities {
  return {
    async annualReview({ cycleEnd, batchSize, after, policy }) {
      const until = instant(cycleEnd, 'cycleEnd');
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 500)
        throw bad('batchSize must be from 1 to 500');
      const p = await policyOf(policy, inForce);
      const page = await store.pageLicences(after ?? null, batchSize);
      let rolled = 0;
      let flagged = 0;
      for (const licence of page) {
        if (licence.archivedAt) continue;
        await store.exclusiveLicence(licence.id, async () => {
          let state = await store.stateOf(licence, p);
          if (state.cycle.end.getTime() > until.getTime()) return;
          const exams = await store.examsOf(licence.engineerId);
          // Flag the cycle that ended (the newest one ending at or before cycleEnd).
          const failure = reviewFailure(state.summary.status, exams, state.cycle);
          if (failure) {
            const inserted = await store.insertFlag({
              engineerId: licence.engineerId,
              licenceId: licence.id,
              cycleEnd: state.cycle.end,
              reason: failure,
              flaggedAt: now(),
            });
            if (inserted) flagged++;
          }
          if (state.summary.status === 'REVOKED') return;
          // Roll forward until the current cycle contains `cycleEnd` (a licence behind by years catches up).
          let moved = false;
          while (state.cycle.end.getTime() <= until.getTime()) {
            const start = state.cycle.end;
            if (
              await store.insertCycle(licence.id, state.cycle.index + 1, start, cycleEndFrom(start, p.cycleMonths), p)
            )
              moved = true;
            state = await store.stateOf(licence, p);
          }
          if (moved) {
            rolled++;
            await store.writeSummary(licence.id, state.summary, now());
          }
        });
      }
      const last = page.at(-1);
      return {
        processed: page.length,
        rolled,
        flagged,
        nextCursor: page.length === batchSize && last ? last.id : null,
      };
    },

    async engineerRef({ engineerId }) {
      if (!ID_PATTERN.test(engineerId)) throw bad(`engineerId is not an id: "${engineerId}"`);
      const engineer = await store.findEngineer(engineerId);
      return engineer && { id: engineer.id, centreId: engineer.centreId };
    },

    async mayTakeJob({ engineerId, centreId, productLine, at, jobsToday, usualDailyCap, policy }) {
      if (!ID_PATTERN.test(engineerId)) throw bad(`engineerId is not an id: "${engineerId}"`);
      if (typeof centreId !== 'string' || !centreId) throw bad('centreId is required: the centre holding the job');
      if (!PRODUCT_LINE_PATTERN.test(productLine)) throw bad(`productLine must be UPPER_SNAKE, got "${productLine}"`);
      const when = instant(at, 'at');
      if (!Number.isInteger(jobsToday) || jobsToday < 0) throw bad('jobsToday must be a whole number ≥ 0');
      // Absent (a Temporal payload drops undefined; null counts as absent too): the standard's usual day.
      if (usualDailyCap != null && (!Number.isInteger(usualDailyCap) || usualDailyCap < 0))
        throw bad('usualDailyCap must be a whole number ≥ 0');
      const p = await policyOf(policy, inForce);
      const engineer = await store.findEngineer(engineerId);
      if (!engineer) return { allowed: false, reason: `engineer ${engineerId} does not exist` };
      if (engineer.centreId !== centreId)
        return { allowed: false, reason: `engineer ${engineerId} works for another centre than the job's` };
      const licence = await store.activeLicence(engineerId);
      const status = licence ? (await store.stateOf(licence, p)).summary.status : null;
      const cap = usualDailyCap ?? p.usualDailyJobs;
      return mayTakeJob(
        {
          licence: status,
          certifications: engineer.certifications,
          productLine,
          at: when,
          jobsToday,
          usualDailyCap: cap,
        },
        p,
      );
    },

    async recordLicenceEvent({ engineerId, code, evidenceKey, note, recordedBy, policy }) {
      if (!recordedBy) throw bad('recordedBy is required');
      const p = await policyOf(policy, inForce);
      const result = await asActivity(() =>
        recordEvent(store, p, now(), { engineerId, code, evidenceKey, note: note ?? null, recordedBy }),
      );
      return {
        entryId: result.entry.id,
        created: result.created,
        pointsRemaining: result.summary.pointsRemaining,
        status: result.summary.status,
      };
    },

    async centreMonthCredits({ month, centreIds }) {
      if (typeof month !== 'string' || !MONTH_PATTERN.test(month))
        throw bad(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
      if (!Array.isArray(centreIds) || centreIds.length < 1 || centreIds.length > CREDITS_CENTRES_MAX) {
        throw bad(`centreIds must list 1–${CREDITS_CENTRES_MAX} centre ids`);
      }
      const wrong = centreIds.find((id) => typeof id !== 'string' || !ID_PATTERN.test(id));
      if (wrong !== undefined) throw bad(`centreIds: ${JSON.stringify(wrong)} is not a centre id`);
      return store.centreMonthCredits(month, centreIds);
    },
  };
}
