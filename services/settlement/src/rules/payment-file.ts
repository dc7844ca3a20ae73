import { isFen, type Fen } from '@starline/common';

/**
 * The month's payment file (docs/domain.md §7): CSV for the bank and for Excel. UTF-8 with a BOM (Excel
 * reads it as UTF-8 then, so Chinese payee names survive), CRLF, RFC 4180 quoting. Columns:
 *   Centre code, Payee name, Bank, Account number, Amount (fen), Amount (yuan), Statement id
 * one row per centre paid (R > 0) by centre code, then a TOTAL row with the sums. The caller hashes
 * the text (sha256): this stays pure.
 */
export const PAYMENT_FILE_HEADER = [
  'Centre code',
  'Payee name',
  'Bank',
  'Account number',
  'Amount (fen)',
  'Amount (yuan)',
  'Statement id',
] as const;
export const TOTAL_LABEL = 'TOTAL';

export interface PaymentRow {
  centreCode: string;
  payeeName: string;
  bank: string;
  accountNumber: string;
  /** The statement's payableFen. */
  amountFen: Fen;
  statementId: string;
}

/**
 * "1234.56" from 123456: integer arithmetic, no float formatting (common's formatFen adds ¥ and commas, for people).
 */
export function yuan(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount must be whole fen, got ${fen}`);
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${(abs - (abs % 100)) / 100}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * One field: a leading = + - @ (or tab, CR) gets an apostrophe so a spreadsheet shows it as text
 * instead of running it as a formula; then quoted when it holds a comma, quote or line break.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const record = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\r\n`;
const byCode = (a: PaymentRow, b: PaymentRow): number =>
  a.centreCode < b.centreCode ? -1 : a.centreCode > b.centreCode ? 1 : 0;

/**
 * The file's text. Rows paying nothing are left out; a centre twice, or a paid centre without payee details, throws.
 */
export function paymentFile(rows: readonly PaymentRow[]): string {
  const paid = rows.filter((r) => r.amountFen !== 0).sort(byCode);
  paid.forEach((r, i) => {
    if (!isFen(r.amountFen))
      throw new RangeError(`centre ${r.centreCode}: amount must be whole fen ≥ 0, got ${r.amountFen}`);
    if (i > 0 && paid[i - 1]!.centreCode === r.centreCode)
      throw new RangeError(`centre ${r.centreCode} has two rows: one payment per centre`);
    if (![r.payeeName, r.bank, r.accountNumber].every((f) => typeof f === 'string' && f.trim() !== '')) {
      throw new RangeError(`centre ${r.centreCode} is paid but has no payee name, bank or account number`);
    }
  });
  const total = paid.reduce((sum, r) => sum + r.amountFen, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError('total is beyond exact integer arithmetic');
  return (
    '\uFEFF' +
    record(PAYMENT_FILE_HEADER) +
    paid
      .map((r) =>
        record([
          r.centreCode,
          r.payeeName,
          r.bank,
          r.accountNumber,
          String(r.amountFen),
          yuan(r.amountFen),
          r.statementId,
        ]),
      )
      .join('') +
    record([TOTAL_LABEL, '', '', '', String(total), yuan(total), ''])
  );
}
