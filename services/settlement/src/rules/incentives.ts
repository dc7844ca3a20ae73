import type { EvaluationAward } from '@starline/common';

/**
 * Q's items (质改和其它考核点正负激励, docs/domain.md §7): the evaluation's award (+) and penalty (−), finance's
 * adjustments (either sign), and a shortfall carried from an earlier month (−). Amounts are signed fen.
 */
export const Q_KINDS = ['AWARD', 'PENALTY', 'ADJUSTMENT', 'CARRIED_DEDUCTION'] as const;
export type QKind = (typeof Q_KINDS)[number];

export interface QItem {
  kind: QKind;
  amountFen: number;
  reason: string;
  /** Who entered it: a FINANCE user's subject, or the evaluation / settlement that produced it. */
  by: string;
  /** The approved month an adjustment corrects (YYYY-MM), if any. */
  correctsMonth: string | null;
}

/** The evaluation's id, named as the author of its awards and penalties (as network records grades with it). */
export const evaluationId = (month: string): string => `evaluation-${month}`;
export const SETTLEMENT_ACTOR = 'system:settlement';

/** The award and penalty a confirmed evaluation hands to settlement, as Q items (none when both are 0). */
export function evaluationItems(award: EvaluationAward): QItem[] {
  const by = evaluationId(award.month);
  const grade = award.grade ?? 'ungraded';
  const rank = award.rank === null ? '' : `, rank ${award.rank}`;
  const items: QItem[] = [];
  if (award.awardFen > 0)
    items.push({
      kind: 'AWARD',
      amountFen: award.awardFen,
      reason: `incentive award (激励奖), ${award.month} grade ${grade}${rank}`,
      by,
      correctsMonth: null,
    });
  if (award.penaltyFen > 0)
    items.push({
      kind: 'PENALTY',
      amountFen: -award.penaltyFen,
      reason: `penalty (罚), ${award.month} grade ${grade}${rank}`,
      by,
      correctsMonth: null,
    });
  return items;
}

/** Last month's unpaid shortfall (its −R) as a deduction in this month's Q. */
export function carriedDeduction(fromMonth: string, amountFen: number): QItem {
  return {
    kind: 'CARRIED_DEDUCTION',
    amountFen: -amountFen,
    reason: `shortfall carried from ${fromMonth}`,
    by: SETTLEMENT_ACTOR,
    correctsMonth: null,
  };
}
