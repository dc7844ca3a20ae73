import type { RequestContext } from '@starline/common';
import { maskAccountNumber } from '../rules/validate.ts';
import type { CentreRecord, PayeeRecord } from '../store/centres.ts';
import type { PayeeValuesDoc } from '../store/models.ts';
import { requirePayeeReader } from './access.ts';

/** ServiceCentre.payee: the details in full, for those who may see them (access.ts); null when none are recorded. */
export function payeeOf(ctx: RequestContext, centre: CentreRecord): PayeeRecord | null {
  requirePayeeReader(ctx.claims, centre.id);
  return centre.payee;
}

const masked = (v: PayeeValuesDoc) => ({
  accountName: v.accountName,
  bank: v.bank,
  maskedAccountNumber: maskAccountNumber(v.accountNumber),
});

/** ServiceCentre.payeeHistory: every change, oldest first, the account numbers masked but for their last 4 digits. */
export function payeeHistoryOf(ctx: RequestContext, centre: CentreRecord) {
  requirePayeeReader(ctx.claims, centre.id);
  return centre.payeeHistory.map((h) => ({
    at: h.at,
    actor: h.actor,
    reason: h.reason,
    from: h.from && masked(h.from),
    to: masked(h.to),
  }));
}
