import { isFen, type Fen, type TicketPolicyInput } from '@starline/common';
import { carriedDeduction, Q_KINDS, type QItem } from './incentives.ts';
import { isMonth } from './month.ts';

type LabourFee = TicketPolicyInput['labourFees'][number];

/** A PAYABLE job paid by the statement, with the fee its own standard set (劳务费). */
export interface StatementLine {
  ticketId: string;
  ticketNumber: string;
  /** The month it was completed in: earlier than the statement's when a hold was resolved late. */
  completedMonth: string;
  productLine: string;
  serviceType: LabourFee['serviceType'];
  areaClass: LabourFee['areaClass'];
  feeFen: Fen;
}

export interface StatementInput {
  lines: readonly StatementLine[];
  /** T in hundredths (110 = 1.10), from coefficientFor. */
  coefficient: number;
  /** Awards, penalties and adjustments; the carried deduction comes from `carriedIn`, not here. */
  items: readonly QItem[];
  /** Last month's shortfall (its carriedOutFen), if any. */
  carriedIn: { fromMonth: string; amountFen: Fen } | null;
}

/** R = L × T + Q (docs/domain.md §7); all amounts integer fen. */
export interface StatementFigures {
  /** Sum of the lines' fees. */
  L: Fen;
  /** In hundredths. */
  T: number;
  /** L × T / 100, rounded half up to the fen. */
  LT: Fen;
  /** Q's items, the carried deduction first. */
  items: QItem[];
  Q: number;
  R: number;
  /** What the payment file pays: R, or 0 when R is negative. */
  payableFen: Fen;
  /** −R when R is negative: next month's carriedIn. */
  carriedOutFen: Fen;
}

/** a × b / 100 rounded half up, for a, b ≥ 0, without floats: the remainder decides. */
export function hundredthsOf(amountFen: Fen, hundredths: number): Fen {
  const product = amountFen * hundredths;
  if (!Number.isSafeInteger(product))
    throw new RangeError(`${amountFen} × ${hundredths} is beyond exact integer arithmetic`);
  const rest = product % 100;
  return (product - rest) / 100 + (rest >= 50 ? 1 : 0);
}

const sum = (amounts: readonly number[]): number => {
  const total = amounts.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError('total is beyond exact integer arithmetic');
  return total;
};

/**
 * A centre's month statement. Throws on input no caller should send (a fee or amount that is not
 * whole fen, a job listed twice, a carried deduction among the items): a statement must not hide it.
 */
export function computeStatement(input: StatementInput): StatementFigures {
  const seen = new Set<string>();
  for (const line of input.lines) {
    if (seen.has(line.ticketId)) throw new RangeError(`job ${line.ticketNumber} is listed twice: a job is paid once`);
    seen.add(line.ticketId);
    if (!isFen(line.feeFen))
      throw new RangeError(`job ${line.ticketNumber}: fee must be whole fen ≥ 0, got ${line.feeFen}`);
  }
  if (!Number.isSafeInteger(input.coefficient) || input.coefficient <= 0) {
    throw new RangeError(`T must be a positive whole number of hundredths, got ${input.coefficient}`);
  }
  for (const item of input.items) {
    if (!Q_KINDS.includes(item.kind) || item.kind === 'CARRIED_DEDUCTION')
      throw new RangeError(`Q item kind ${item.kind} is not accepted here`);
    if (!Number.isSafeInteger(item.amountFen))
      throw new RangeError(`Q item "${item.reason}": amount must be whole fen, got ${item.amountFen}`);
  }
  const { carriedIn } = input;
  if (carriedIn && (!isFen(carriedIn.amountFen) || !isMonth(carriedIn.fromMonth))) {
    throw new RangeError('carriedIn needs a month (YYYY-MM) and whole fen ≥ 0');
  }

  const items = [
    ...(carriedIn && carriedIn.amountFen > 0 ? [carriedDeduction(carriedIn.fromMonth, carriedIn.amountFen)] : []),
    ...input.items,
  ];
  const L = sum(input.lines.map((l) => l.feeFen));
  const LT = hundredthsOf(L, input.coefficient);
  const Q = sum(items.map((i) => i.amountFen));
  const R = sum([LT, Q]);
  return { L, T: input.coefficient, LT, items, Q, R, payableFen: Math.max(R, 0), carriedOutFen: Math.max(-R, 0) };
}
