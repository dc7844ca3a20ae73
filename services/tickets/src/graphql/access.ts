import {
  DomainError,
  badInput,
  forbidden,
  hasRole,
  requireRole,
  type CentreRef,
  type Claims,
  type EngineerRef,
  type Role,
} from '@starline/common';

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
export const requireReader = (claims: Claims | null): Claims =>
  requireRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE', 'PARTNER', 'ENGINEER');

export const seesAll = (claims: Claims | null): boolean =>
  hasRole(claims, 'OPERATOR', 'ADMIN', 'CALL_CENTRE', 'FINANCE');

export function canSee(claims: Claims | null, t: Holder): boolean {
  if (!claims) return false;
  if (seesAll(claims)) return true;
  if (hasRole(claims, 'PARTNER') && claims.centreId && t.centreId === claims.centreId) return true;
  return hasRole(claims, 'ENGINEER') && !!claims.engineerId && t.engineerId === claims.engineerId;
}

export const forbiddenTicket = () =>
  forbidden('you may only see and change the tickets your centre holds, or those assigned to you');

/**
 * Who may send which step (docs/domain.md §1): the centre holding the job runs it, its engineer checks in
 * and completes, the call centre takes requests and callbacks, HQ operators do everything including
 * the warehouse and quality steps.
 */
export type Step =
  | 'DISPATCH'
  | 'ACCEPT'
  | 'REFUSE'
  | 'CONTACT'
  | 'BOOK'
  | 'ASSIGN'
  | 'CHECK_IN'
  | 'COMPLETE'
  | 'CALLBACK_ATTEMPT'
  | 'RETURN_OLD_PART'
  | 'RECORD_AUTOPSY'
  | 'QUALITY_CHECK'
  | 'CANCEL';

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

/**
 * Every record a request names besides the ticket is authorised too (docs/domain.md §1). A partner or
 * engineer naming a record it may not see gets FORBIDDEN whether that record exists or not, so ids
 * can't be probed; HQ gets NOT_FOUND, or BAD_USER_INPUT naming the field when the record exists but
 * may not be used here.
 */
function missing(claims: Claims, what: string, field: string, id: string): DomainError {
  if (seesAll(claims)) return new DomainError('NOT_FOUND', `${what} ${id} does not exist`, { field });
  return forbidden(`${field}: you may only name records of your own centre`);
}

/** The engineer assigned works for the centre holding the job (and so is visible to that centre). */
export function requireAssignable(claims: Claims, job: Holder, engineerId: string, engineer: EngineerRef | null): void {
  if (!engineer) throw missing(claims, 'engineer', 'engineerId', engineerId);
  if (engineer.centreId === job.centreId) return;
  if (!seesAll(claims)) throw forbidden('engineerId: you may only assign your own centre’s engineers');
  throw badInput(
    'engineerId',
    `engineer ${engineerId} works for another centre than the one holding the job (${job.centreId ?? 'none'})`,
  );
}

/** The centre dispatched to exists, takes work (ACTIVE) and covers the job's region and product line (§2, §5). */
export function requireDispatchable(
  claims: Claims,
  job: { regionCode: string; productLine: string },
  centreId: string,
  centre: CentreRef | null,
): void {
  if (!centre) throw missing(claims, 'service centre', 'centreId', centreId);
  if (centre.status !== 'ACTIVE')
    throw badInput('centreId', `centre ${centre.code} is ${centre.status} and receives no dispatch`);
  if (!centre.serviceAreas.includes(job.regionCode))
    throw badInput('centreId', `centre ${centre.code} does not serve region ${job.regionCode}`);
  if (!centre.productLines.includes(job.productLine))
    throw badInput('centreId', `centre ${centre.code} does not serve ${job.productLine}`);
}

/** A complaint is about a ticket the caller may see. */
export function requireVisibleTicket(claims: Claims, t: Holder | null, ticketId: string): void {
  if (!t) throw missing(claims, 'ticket', 'ticketId', ticketId);
  if (!canSee(claims, t)) throw forbiddenTicket();
}
