import { ApplicationFailure } from '@temporalio/activity';
import type { GradeRecord } from './store/centres.ts';
import { actionFor } from './rules/status.ts';
import type { CentreStore } from './store/centres.ts';
import { transitionLocked } from './graphql/mutations.ts';

/** Who the history names for a status change the evaluation decided. */
export const CONSEQUENCE_ACTOR = 'system:evaluation';

/**
 * recordGrade's write (also the confirmed evaluation's): call under the centre's lease. A repeat with
 * the same values changes nothing (false); different values replace the month's grade (true).
 */
export async function putGradeLocked(
  store: CentreStore,
  now: () => Date,
  g: Omit<GradeRecord, 'recordedAt'>,
): Promise<boolean> {
  if (!(await store.findById(g.centreId)))
    throw ApplicationFailure.nonRetryable(`service centre ${g.centreId} does not exist`, 'CentreNotFound');
  const existing = await store.findGrade(g.centreId, g.month);
  if (
    existing &&
    existing.grade === g.grade &&
    existing.score === g.score &&
    existing.standardVersionId === g.standardVersionId &&
    existing.evaluationId === g.evaluationId
  ) {
    return false;
  }
  await store.putGrade({ ...g, recordedAt: now() });
  return true;
}

/**
 * applyStatusConsequence's logic (also the confirmed evaluation's), idempotent by evidence: once the
 * history holds a change to `to` with this evidence nothing more happens, even after an operator
 * reinstated the centre. A centre already there, or ELIMINATED, is left alone; ONBOARDING cannot be
 * suspended or eliminated (non-retryable `InvalidTransition`). Elimination holds the tree lease too.
 */
export function applyConsequence(
  store: CentreStore,
  now: () => Date,
  {
    centreId,
    to,
    reason,
    evidence,
  }: { centreId: string; to: 'SUSPENDED' | 'ELIMINATED'; reason: string; evidence: string },
) {
  const apply = () =>
    store.exclusiveCentre(centreId, async () => {
      const current = await store.findById(centreId);
      if (!current)
        throw ApplicationFailure.nonRetryable(`service centre ${centreId} does not exist`, 'CentreNotFound');
      const unchanged = { centreId, status: current.status, applied: false };
      // Applied before (a retry), or the centre is already there or beyond: nothing to do.
      if (current.statusHistory.some((h) => h.evidence === evidence && h.to === to)) return unchanged;
      if (current.status === to || current.status === 'ELIMINATED') return unchanged;
      if (!actionFor(current.status, to)) {
        throw ApplicationFailure.nonRetryable(`a ${current.status} centre cannot become ${to}`, 'InvalidTransition');
      }
      const changed = await transitionLocked(store, CONSEQUENCE_ACTOR, now(), { id: centreId, to, reason, evidence });
      return { centreId, status: changed.status, applied: true };
    });
  return to === 'ELIMINATED' ? store.exclusiveTree(apply) : apply();
}
