import { forbidden, hasRole, requireRole, type Claims, type Role } from '@starline/common';

/** What access needs of a ticket: who holds it. */
export interface Holder {
  centreId: string | null;
  engineerId: string | null;
}

/**
 * Who sees which tickets. OPERATOR, ADMIN, CALL_CENTRE and FINANCE see all (the call centre handles
 * callbacks and complaints, finance audits settlement). A PARTNER sees the tickets its centre holds
 * or is offered; an ENGINEER the tickets assigned to it. Anything else is FORBIDDEN, including an id
 * that does not exist, so ids cannot be probed.
 */
export const requireReader = (claims: Claims | null): Claims => requireRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE', 'PARTNER', 'ENGINEER');

export const seesAll = (claims: Claims | null): boolean => hasRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE');

export function canSee(claims: Claims | null, t: Holder): boolean {
  if (!claims) return false;
  if (seesAll(claims)) return true;
  if (hasRole(claims, 'PARTNER') && claims.centreId && t.centreId === claims.centreId) return true;
  return hasRole(claims, 'ENGINEER') && !!claims.engineerId && t.engineerId === claims.engineerId;
}

export const forbiddenTicket = () => forbidden('you may only see and change the tickets your centre holds, or those assigned to you');

/**
 * Who may send which step (domain.md §1): the centre holding the job runs it, its engineer checks in
 * and completes, the call centre takes requests and callbacks, HQ operators do everything including
 * the warehouse and quality steps.
 */
export type Step = 'DISPATCH' | 'ACCEPT' | 'REFUSE' | 'CONTACT' | 'BOOK' | 'ASSIGN' | 'CHECK_IN' | 'COMPLETE' | 'CALLBACK_ATTEMPT' | 'RETURN_OLD_PART' | 'RECORD_AUTOPSY' | 'QUALITY_CHECK' | 'CANCEL';

const HQ: Role[] = ['OPERATOR', 'ADMIN'];
const BY_CENTRE: Role[] = [...HQ, 'PARTNER'];
export const STEP_ROLES: Readonly<Record<Step, readonly Role[]>> = {
  DISPATCH: HQ,
  ACCEPT: BY_CENTRE,
  REFUSE: BY_CENTRE,
  CONTACT: BY_CENTRE,
  BOOK: BY_CENTRE,
  ASSIGN: BY_CENTRE,
  CHECK_IN: [...BY_CENTRE, 'ENGINEER'],
  COMPLETE: [...BY_CENTRE, 'ENGINEER'],
  CALLBACK_ATTEMPT: [...HQ, 'CALL_CENTRE'],
  RETURN_OLD_PART: HQ,
  RECORD_AUTOPSY: HQ,
  QUALITY_CHECK: HQ,
  CANCEL: [...HQ, 'CALL_CENTRE'],
};

/** The caller may send `step` to this ticket: the role allows it, and a partner or engineer holds the job. */
export function requireStep(claims: Claims | null, step: Step, t: Holder): Claims {
  const caller = requireRole(claims, ...STEP_ROLES[step]);
  if (hasRole(caller, ...HQ, 'CALL_CENTRE')) return caller;
  if (hasRole(caller, 'PARTNER') && caller.centreId && t.centreId === caller.centreId) return caller;
  if (hasRole(caller, 'ENGINEER') && caller.engineerId && t.engineerId === caller.engineerId) return caller;
  throw forbiddenTicket();
}
