import type { Violation } from '@starline/common';
import { isMonth } from './month.ts';

export const REASON_MAX = 500;

export interface AdjustmentInput {
  amountFen: unknown;
  reason: unknown;
  correctsMonth?: unknown;
}

/**
 * What is wrong with finance's adjustment to a statement of `statementMonth` (docs/domain.md §7): whole
 * fen, non-zero, |amount| ≤ the standard's maxAdjustmentFen, a reason, and a corrected month before this one.
 */
export function validateAdjustment(
  input: AdjustmentInput,
  context: { statementMonth: string; maxAdjustmentFen: number },
): Violation[] {
  const out: Violation[] = [];
  const { amountFen, reason, correctsMonth } = input;
  if (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen))
    out.push({ field: 'amountFen', message: 'must be a whole number of fen' });
  else if (amountFen === 0) out.push({ field: 'amountFen', message: 'must not be 0' });
  else if (Math.abs(amountFen) > context.maxAdjustmentFen) {
    out.push({ field: 'amountFen', message: `must be at most ${context.maxAdjustmentFen} fen either way` });
  }
  if (typeof reason !== 'string' || reason.trim() === '') out.push({ field: 'reason', message: 'is required' });
  else if (reason.length > REASON_MAX)
    out.push({ field: 'reason', message: `must be at most ${REASON_MAX} characters` });
  if (correctsMonth !== undefined && correctsMonth !== null) {
    if (!isMonth(correctsMonth)) out.push({ field: 'correctsMonth', message: 'must be a month YYYY-MM' });
    else if (correctsMonth >= context.statementMonth) {
      out.push({
        field: 'correctsMonth',
        message: `must be earlier than the statement's month ${context.statementMonth}`,
      });
    }
  }
  return out;
}
