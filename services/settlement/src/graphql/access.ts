import { forbidden, hasRole, requireRole, type Claims } from '@starline/common';

/**
 * Who sees and does what in settlement (docs/domain.md §7). FINANCE runs it; OPERATOR and ADMIN read every
 * centre's; a PARTNER reads its own centre's statements (every line, hold reason and the R breakdown),
 * never another's; CALL_CENTRE and ENGINEER nothing.
 */
export const requireFinance = (claims: Claims | null): Claims => requireRole(claims, 'FINANCE');
export const requireRunReader = (claims: Claims | null): Claims => requireRole(claims, 'FINANCE', 'OPERATOR', 'ADMIN');
export const requireStatementReader = (claims: Claims | null): Claims =>
  requireRole(claims, 'FINANCE', 'OPERATOR', 'ADMIN', 'PARTNER');
export const seesEveryStatement = (claims: Claims | null): boolean => hasRole(claims, 'FINANCE', 'OPERATOR', 'ADMIN');
export const maySeeStatementsOf = (claims: Claims | null, centreId: string): boolean =>
  seesEveryStatement(claims) || (hasRole(claims, 'PARTNER') && !!claims?.centreId && claims.centreId === centreId);
export const forbiddenStatement = () => forbidden("you may only see your own centre's statements");
