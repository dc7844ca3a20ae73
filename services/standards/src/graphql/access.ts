import { ROLES, hasRole, requireRole, type Claims } from '@starline/common';
import type { StandardStatus } from '../rules/lifecycle.ts';

/**
 * Who may do what with standards. Published and scheduled versions are the rules everyone in the
 * network works by, so every signed-in role reads them; drafts are work in progress at HQ.
 */
export const requireReader = (claims: Claims | null): Claims => requireRole(claims, ...ROLES);
export const requireEditor = (claims: Claims | null): Claims => requireRole(claims, 'OPERATOR', 'ADMIN');
export const requirePublisher = (claims: Claims | null): Claims => requireRole(claims, 'ADMIN');

export const canSeeDrafts = (claims: Claims | null): boolean => hasRole(claims, 'OPERATOR', 'ADMIN');

export function canSee(claims: Claims | null, status: StandardStatus): boolean {
  return status !== 'DRAFT' || canSeeDrafts(claims);
}
