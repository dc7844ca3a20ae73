import { ROLES, forbidden, hasRole, requireRole, type Claims } from '@starline/common';
import type { CentreRecord } from '../store/centres.ts';

/**
 * Who sees which centres. HQ roles (OPERATOR, ADMIN), CALL_CENTRE and FINANCE see the whole network.
 * A PARTNER sees its own centre (claims.centreId) and the UMBRELLA stores whose parent it is; an
 * ENGINEER sees its own centre when its token names one. Only OPERATOR and ADMIN change anything.
 */
export const requireReader = (claims: Claims | null): Claims => requireRole(claims, ...ROLES);
export const requireEditor = (claims: Claims | null): Claims => requireRole(claims, 'OPERATOR', 'ADMIN');

export const seesWholeNetwork = (claims: Claims | null): boolean => hasRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE');

export function canSee(claims: Claims | null, centre: Pick<CentreRecord, 'id' | 'parentId' | 'tier'>): boolean {
  if (!claims) return false;
  if (seesWholeNetwork(claims)) return true;
  const own = claims.centreId;
  if (!own) return false;
  if (hasRole(claims, 'PARTNER') && centre.parentId === own && centre.tier === 'UMBRELLA') return true;
  return (hasRole(claims, 'PARTNER') || hasRole(claims, 'ENGINEER')) && centre.id === own;
}

export const forbiddenCentre = () => forbidden('you may only see your own centre and its umbrella stores');
