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
export function createStandardsActivities(store: StandardStore, now: () => Date = () => new Date()): StandardsActivities {
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

  return {
    publishScheduledVersion: ({ versionId, publishedBy }) =>
      store.exclusively(async () => {
        const current = await store.findById(versionId);
        if (!current) {
          throw ApplicationFailure.nonRetryable(`standard version ${versionId} does not exist`, 'StandardVersionNotFound');
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
        if (!published) throw ApplicationFailure.retryable(`standard version ${current.number} changed while being published`);
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
        pointRules: pointRules.map(({ code, kind, points }) => ({ code, kind, points })),
        productLines: productLines.map((p) => p.code),
        validUntil,
      };
    },

    async productLinesAt({ at }) {
      const { version, validUntil } = await inForceAt(at);
      return { standardVersionId: version.id, productLines: version.content.productLines.map((p) => p.code), validUntil };
    },
  };
}
