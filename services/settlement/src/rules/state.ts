/**
 * The statement's states (docs/domain.md §7):
 *   DRAFT → IN_REVIEW        built
 *   IN_REVIEW ⇄ ON_HOLD      finance holds a disputed statement, and releases it
 *   IN_REVIEW → APPROVED     four-eyes approval of the month (approval.ts); immutable from here
 *   APPROVED → EXPORTED      the payment file was taken
 */
export const STATEMENT_STATES = ['DRAFT', 'IN_REVIEW', 'ON_HOLD', 'APPROVED', 'EXPORTED'] as const;
export type StatementState = (typeof STATEMENT_STATES)[number];

const NEXT: Record<StatementState, readonly StatementState[]> = {
  DRAFT: ['IN_REVIEW'],
  IN_REVIEW: ['ON_HOLD', 'APPROVED'],
  ON_HOLD: ['IN_REVIEW'],
  APPROVED: ['EXPORTED'],
  EXPORTED: [],
};

export type TransitionCheck = { ok: true } | { ok: false; message: string };

export function checkTransition(from: StatementState, to: StatementState): TransitionCheck {
  if (NEXT[from].includes(to)) return { ok: true };
  const allowed = NEXT[from].length ? `only to ${NEXT[from].join(' or ')}` : 'it is final';
  return { ok: false, message: `a statement that is ${from} cannot become ${to} (${allowed})` };
}

export const canTransition = (from: StatementState, to: StatementState): boolean => NEXT[from].includes(to);

/** Finance adjusts only a statement under review: an approved month is corrected in a later one. */
export const acceptsAdjustments = (state: StatementState): boolean => state === 'IN_REVIEW';

/**
 * A statement's state as shown: it follows its month's run, except a hold, the one state a statement
 * keeps of its own — so finishing the build or approving the month rewrites no statement.
 */
export function statementStateIn(
  run: 'WAITING_FOR_EVALUATION' | 'BUILDING' | 'IN_REVIEW' | 'APPROVED' | 'EXPORTED',
  onHold: boolean,
): StatementState {
  switch (run) {
    case 'WAITING_FOR_EVALUATION':
    case 'BUILDING':
      return 'DRAFT';
    case 'IN_REVIEW':
      return onHold ? 'ON_HOLD' : 'IN_REVIEW';
    case 'APPROVED':
    case 'EXPORTED':
      return run;
  }
}
