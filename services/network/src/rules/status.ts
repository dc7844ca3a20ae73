/**
 * The centre status machine (docs/domain.md §2):
 *   ONBOARDING → ACTIVE                    activate
 *   ACTIVE     → SUSPENDED                 suspend (停工整顿, rectification)
 *   SUSPENDED  → ACTIVE                    reinstate (operator only, with a reason)
 *   ACTIVE | SUSPENDED → ELIMINATED        eliminate (淘汰, final, with reason and evidence)
 * Pure functions: no I/O.
 */
export const CENTRE_STATUSES = ['ONBOARDING', 'ACTIVE', 'SUSPENDED', 'ELIMINATED'] as const;
export type CentreStatus = (typeof CENTRE_STATUSES)[number];

export const STATUS_ACTIONS = ['ACTIVATE', 'SUSPEND', 'REINSTATE', 'ELIMINATE'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];

const MACHINE: Record<StatusAction, { from: readonly CentreStatus[]; to: CentreStatus }> = {
  ACTIVATE: { from: ['ONBOARDING'], to: 'ACTIVE' },
  SUSPEND: { from: ['ACTIVE'], to: 'SUSPENDED' },
  REINSTATE: { from: ['SUSPENDED'], to: 'ACTIVE' },
  ELIMINATE: { from: ['ACTIVE', 'SUSPENDED'], to: 'ELIMINATED' },
};

/** What each action needs besides the actor: reason and/or evidence. */
export const ACTION_REQUIRES: Record<StatusAction, { reason: boolean; evidence: boolean }> = {
  ACTIVATE: { reason: false, evidence: false },
  SUSPEND: { reason: true, evidence: false },
  REINSTATE: { reason: true, evidence: false },
  ELIMINATE: { reason: true, evidence: true },
};

export type TransitionResult =
  | { ok: true; from: CentreStatus; to: CentreStatus; action: StatusAction }
  | { ok: false; from: CentreStatus; action: StatusAction; message: string };

export function applyAction(current: CentreStatus, action: StatusAction): TransitionResult {
  const rule = MACHINE[action];
  if (rule.from.includes(current)) return { ok: true, from: current, to: rule.to, action };
  const message =
    current === 'ELIMINATED'
      ? 'the centre is ELIMINATED, which is final'
      : `cannot ${action.toLowerCase()} a centre that is ${current} (allowed from ${rule.from.join(' or ')})`;
  return { ok: false, from: current, action, message };
}

/** The action that takes `current` to `target`, or null when no legal transition does. */
export function actionFor(current: CentreStatus, target: CentreStatus): StatusAction | null {
  for (const action of STATUS_ACTIONS) {
    const rule = MACHINE[action];
    if (rule.to === target && rule.from.includes(current)) return action;
  }
  return null;
}

export function canTransition(from: CentreStatus, to: CentreStatus): boolean {
  return actionFor(from, to) !== null;
}

/** Centres that may receive dispatches. */
export const isDispatchable = (status: CentreStatus): boolean => status === 'ACTIVE';
