import type { Role } from '@starline/common';

export interface ApprovalRequest {
  approver: { sub: string; roles: readonly Role[] };
  /** Who started the month's settlement run. */
  startedBy: string;
  /** The month's statements under review: which are held, and who adjusted each. */
  statements: readonly { id: string; onHold: boolean; adjustedBy: readonly string[] }[];
}

/** Lists at most this many statement ids in one problem, so 5,500 held statements make one readable line. */
const LISTED = 10;
const list = (ids: readonly string[]): string =>
  ids.length > LISTED ? `${ids.slice(0, LISTED).join(', ')} and ${ids.length - LISTED} more` : ids.join(', ');

/**
 * Why this approver may not approve the month now (docs/domain.md §7, four eyes): empty when they may.
 * Every problem is listed, so one refusal tells finance everything to fix.
 */
export function approvalProblems({ approver, startedBy, statements }: ApprovalRequest): string[] {
  const problems: string[] = [];
  if (!approver.roles.includes('FINANCE')) problems.push('the approver must hold the FINANCE role');
  if (approver.sub === startedBy)
    problems.push('the approver started this settlement run: another FINANCE user must approve it (four eyes)');
  const adjusted = statements.filter((s) => s.adjustedBy.includes(approver.sub)).map((s) => s.id);
  if (adjusted.length)
    problems.push(
      `the approver wrote adjustments on statements ${list(adjusted)}: another FINANCE user must approve ` +
        `them (four eyes)`,
    );
  const held = statements.filter((s) => s.onHold).map((s) => s.id);
  if (held.length) problems.push(`statements ${list(held)} are ON_HOLD: release them first`);
  return problems;
}
