import { forbidden, hasRole, requireRole, type Claims } from '@starline/common';
import type { CertificationStore, EngineerRecord } from '../store/certification.ts';

/**
 * Who sees which engineers. OPERATOR, ADMIN and CALL_CENTRE see everyone (the call centre needs an
 * engineer's standing when handling a complaint). A PARTNER sees the engineers of its own centre
 * (claims.centreId); an ENGINEER sees only itself (claims.engineerId), its licences and ledger.
 * FINANCE sees none: settlement is per centre and needs no engineer data (FORBIDDEN).
 * OPERATOR and ADMIN change everything; a PARTNER may only register engineers for its own centre.
 */
export const requireReader = (claims: Claims | null): Claims =>
  requireRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'PARTNER', 'ENGINEER');
export const requireEditor = (claims: Claims | null): Claims => requireRole(claims, 'OPERATOR', 'ADMIN');

export const seesEveryone = (claims: Claims | null): boolean => hasRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE');

export function canSee(claims: Claims | null, engineer: Pick<EngineerRecord, 'id' | 'centreId'>): boolean {
  if (!claims) return false;
  if (seesEveryone(claims)) return true;
  if (hasRole(claims, 'PARTNER') && claims.centreId && engineer.centreId === claims.centreId) return true;
  return hasRole(claims, 'ENGINEER') && claims.engineerId === engineer.id;
}

export const forbiddenEngineer = () =>
  forbidden('you may only see your own engineer record, or your own centre’s engineers');

/**
 * References a request names (docs/domain.md §1): a centre an engineer is registered at must be the
 * partner's own; HQ may name any (the centre's existence and status are checked with the network).
 */
export function requireOwnCentre(claims: Claims, centreId: string): void {
  if (hasRole(claims, 'OPERATOR', 'ADMIN')) return;
  if (!claims.centreId || centreId !== claims.centreId)
    throw forbidden('a partner may only register engineers for its own centre');
}

/** A replayed result names an engineer: answered only while the caller may still see that engineer. */
export async function maySeeEngineer(store: CertificationStore, claims: Claims, engineerId: string): Promise<boolean> {
  const engineer = await store.findEngineer(engineerId);
  return !!engineer && canSee(claims, engineer);
}
