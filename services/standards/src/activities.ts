import { ApplicationFailure } from '@temporalio/activity';
import type { PublishedStandardRef, StandardsActivities } from '@starline/common';
import { nextEffectiveAfter, versionInForce } from './rules/lifecycle.ts';
import type { StandardStore, StandardVersionRecord } from './store/standards.ts';

function toRef(v: StandardVersionRecord): PublishedStandardRef {
  return {
    id: v.id,
    number: v.number,
    status: v.status,
    effectiveFrom: v.effectiveFrom?.toISOString() ?? null,
    publishedAt: v.publishedAt?.toISOString() ?? null,
  };
}

/** The standards task queue's activities. Each is safe to retry: a repeat changes nothing. */
export function createStandardsActivities(
  store: StandardStore,
  now: () => Date = () => new Date(),
): StandardsActivities {
  /** The version in force at `at`, and until when it stays so as far as is known now. */
  const inForceAt = async (at: string) => {
    const instant = new Date(at);
    if (Number.isNaN(instant.getTime())) throw ApplicationFailure.nonRetryable(`not an instant: ${at}`, 'BadInstant');
    const timeline = await store.timeline();
    const entry = versionInForce(timeline, instant);
    const version = entry && (await store.findById(entry.id));
    if (!version) throw ApplicationFailure.nonRetryable(`no standard was in force at ${at}`, 'NoStandardInForce');
    return { version, validUntil: nextEffectiveAfter(timeline, instant)?.toISOString() ?? null };
  };

  /** A version id as the activities take it; anything else is a caller's bug, not worth a retry. */
  const checkVersionId = (versionId: unknown): void => {
    if (typeof versionId !== 'string' || versionId.length === 0 || versionId.length > 64) {
      throw ApplicationFailure.nonRetryable(`versionId is not an id: "${String(versionId)}"`, 'BadActivityInput');
    }
  };

  return {
    publishScheduledVersion: ({ versionId, publishedBy }) =>
      store.exclusively(async () => {
        const current = await store.findById(versionId);
        if (!current) {
          throw ApplicationFailure.nonRetryable(
            `standard version ${versionId} does not exist`,
            'StandardVersionNotFound',
          );
        }
        if (current.status === 'DRAFT') {
          throw ApplicationFailure.nonRetryable(
            `the scheduled publication of standard version ${current.number} was cancelled; it is a draft again`,
            'StandardPublicationCancelled',
          );
        }
        // PUBLISHED already: a retry after the first attempt's write succeeded but its reply was lost.
        if (current.status === 'PUBLISHED') return toRef(current);
        const published = await store.putInForce(versionId, current.revision, publishedBy, now());
        if (!published)
          throw ApplicationFailure.retryable(`standard version ${current.number} changed while being published`);
        return toRef(published);
      }),

    async licencePolicyAt({ at }) {
      const { version, validUntil } = await inForceAt(at);
      const { licencePolicy, pointRules, productLines } = version.content;
      return {
        standardVersionId: version.id,
        maxPoints: licencePolicy.maxPoints,
        warningAtOrBelow: licencePolicy.warningAtOrBelow,
        cycleMonths: licencePolicy.cycleMonths,
        warningDailyCapPercent: licencePolicy.warningDailyCapPercent,
        usualDailyJobs: licencePolicy.usualDailyJobs,
        pointRules: pointRules.map(({ code, kind, points }) => ({ code, kind, points })),
        productLines: productLines.map((p) => p.code),
        validUntil,
      };
    },

    async standardVersion({ versionId }) {
      checkVersionId(versionId);
      const version = await store.findById(versionId);
      return version ? toRef(version) : null;
    },

    async productLinesAt({ at }) {
      const { version, validUntil } = await inForceAt(at);
      return {
        standardVersionId: version.id,
        productLines: version.content.productLines.map((p) => p.code),
        validUntil,
      };
    },

    async ticketPolicyAt({ at }) {
      const { version, validUntil } = await inForceAt(at);
      const { slaClocks: s, procedure, productLines, labourFees, priceList } = version.content;
      // Stored order is not guaranteed to be step order; the rules rely on `order`.
      const steps = [...procedure].sort((a, b) => a.order - b.order);
      // Field by field: the answer is a workflow payload, and nothing stored beyond the contract belongs in it.
      return {
        standardVersionId: version.id,
        slaClocks: {
          acceptMinutes: s.acceptMinutes,
          maxDispatchAttempts: s.maxDispatchAttempts,
          firstContactMinutes: s.firstContactMinutes,
          missedAppointmentMinutes: s.missedAppointmentMinutes,
          completionReportMinutes: s.completionReportMinutes,
          callbackHours: s.callbackHours,
          callbackMaxAttempts: s.callbackMaxAttempts,
          repeatRepairDays: s.repeatRepairDays,
          complaintResponseHours: {
            level1: s.complaintResponseHours.level1,
            level2: s.complaintResponseHours.level2,
            level3: s.complaintResponseHours.level3,
          },
        },
        procedureSteps: steps.map((step) => step.code),
        requiredSteps: steps.filter((step) => step.requiredInCompletion).map((step) => step.code),
        productLines: productLines.map(({ code, warrantyMonths }) => ({ code, warrantyMonths })),
        labourFees: labourFees.map(({ productLine, serviceType, areaClass, feeFen }) => ({
          productLine,
          serviceType,
          areaClass,
          feeFen,
        })),
        priceList: priceList.map(({ code, productLine, kind, description, priceFen }) => ({
          code,
          productLine,
          kind,
          description,
          priceFen,
        })),
        validUntil,
      };
    },

    async evaluationPolicyAt({ at }) {
      const { version, validUntil } = await inForceAt(at);
      const { kpis, incentivePoints: p, grading: g, consequences: c, evaluation: e } = version.content;
      return {
        standardVersionId: version.id,
        kpis: kpis.map(({ code, direction, target, floor, weight }) => ({ code, direction, target, floor, weight })),
        incentivePoints: {
          qualityInfoAdopted: p.qualityInfoAdopted,
          serviceInnovation: p.serviceInnovation,
          majorComplaint: p.majorComplaint,
        },
        grading: { aMinScore: g.aMinScore, bMinScore: g.bMinScore, minCompletions: g.minCompletions },
        consequences: {
          suspendAtCGrades: c.suspendAtCGrades,
          eliminateAtCGrades: c.eliminateAtCGrades,
          awardTopN: c.awardTopN,
          penaltyBottomN: c.penaltyBottomN,
          awardFen: c.awardFen,
          penaltyFen: c.penaltyFen,
        },
        reviewWindowDays: e.reviewWindowDays,
        promotionRunMonths: e.promotionRunMonths,
        validUntil,
      };
    },

    async settlementPolicyOf({ versionId }) {
      checkVersionId(versionId);
      const version = await store.findById(versionId);
      // A draft or a scheduled version has settled no month and may still change: only a published one answers.
      if (!version || version.status !== 'PUBLISHED') {
        const why = version ? `is ${version.status}, not published` : 'does not exist';
        throw ApplicationFailure.nonRetryable(`standard version ${versionId} ${why}`, 'StandardVersionNotFound');
      }
      const { settlementCoefficients: t, settlement: s } = version.content;
      // Validation allows whole hundredths only, so rounding just drops binary float noise (1.1 × 100 =
      // 110.00000000000001).
      const hundredths = (coefficient: number) => Math.round(coefficient * 100);
      return {
        standardVersionId: version.id,
        coefficients: { A: hundredths(t.A), B: hundredths(t.B), C: hundredths(t.C), ungraded: hundredths(t.ungraded) },
        maxAdjustmentFen: s.maxAdjustmentFen,
        approvalDueDay: s.approvalDueDay,
      };
    },
  };
}
