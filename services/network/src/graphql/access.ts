import {
  ROLES,
  forbidden,
  hasRole,
  maySeeCentreMonth,
  requireRole,
  seesEveryCentreMonth,
  type Claims,
} from '@starline/common';
import type { CentreRecord } from '../store/centres.ts';

/**
 * Who sees which centres. HQ roles (OPERATOR, ADMIN), CALL_CENTRE and FINANCE see the whole network.
 * A PARTNER sees its own centre (claims.centreId) and the UMBRELLA stores whose parent it is; an
 * ENGINEER sees its own centre when its token names one. Only OPERATOR and ADMIN change anything.
 */
export const requireReader = (claims: Claims | null): Claims => requireRole(claims, ...ROLES);
export const requireEditor = (claims: Claims | null): Claims => requireRole(claims, 'OPERATOR', 'ADMIN');

export const seesWholeNetwork = (claims: Claims | null): boolean =>
  hasRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE');

export function canSee(claims: Claims | null, centre: Pick<CentreRecord, 'id' | 'parentId' | 'tier'>): boolean {
  if (!claims) return false;
  if (seesWholeNetwork(claims)) return true;
  const own = claims.centreId;
  if (!own) return false;
  if (hasRole(claims, 'PARTNER') && centre.parentId === own && centre.tier === 'UMBRELLA') return true;
  return (hasRole(claims, 'PARTNER') || hasRole(claims, 'ENGINEER')) && centre.id === own;
}

export const forbiddenCentre = () => forbidden('you may only see your own centre and its umbrella stores');

/**
 * The monthly evaluation (scorecards, live scorecards, disputes, promotion candidates). HQ roles —
 * OPERATOR, ADMIN, FINANCE (settlement needs the grades) and CALL_CENTRE (HQ staff who already see
 * the whole network; read only) — see every centre's. A PARTNER sees its own centre's only (not its
 * umbrella stores': each is graded on its own), an ENGINEER none. Only OPERATOR and ADMIN run,
 * re-run and decide disputes; only ADMIN confirms; only a PARTNER disputes, its own scorecard.
 */
export const requireEvaluationReader = (claims: Claims | null): Claims =>
  requireRole(claims, 'OPERATOR', 'ADMIN', 'FINANCE', 'CALL_CENTRE', 'PARTNER');
export const seesAllScorecards = seesEveryCentreMonth;
export const maySeeScorecardsOf = maySeeCentreMonth;
export const forbiddenScorecards = () => forbidden("you may only see your own centre's scorecards and disputes");

/**
 * A centre's payee details and their history (docs/domain.md §7): OPERATOR, ADMIN and FINANCE for every
 * centre; a PARTNER for its own centre only (not its umbrella stores': each is paid on its own);
 * nobody else (CALL_CENTRE, ENGINEER). Only OPERATOR and ADMIN change them (requireEditor). As with
 * the scorecards, a caller who may see the centre but not this is FORBIDDEN, not given null: a null
 * payee means "none recorded yet".
 */
export const seesEveryPayee = (claims: Claims | null): boolean => hasRole(claims, 'OPERATOR', 'ADMIN', 'FINANCE');
export const maySeePayeeOf = (claims: Claims | null, centreId: string): boolean =>
  seesEveryPayee(claims) || (hasRole(claims, 'PARTNER') && !!claims?.centreId && claims.centreId === centreId);
export function requirePayeeReader(claims: Claims | null, centreId: string): Claims {
  const caller = requireRole(claims, 'OPERATOR', 'ADMIN', 'FINANCE', 'PARTNER');
  if (!maySeePayeeOf(caller, centreId)) throw forbidden("you may only see your own centre's payee details");
  return caller;
}
