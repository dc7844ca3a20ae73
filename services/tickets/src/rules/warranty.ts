import { productLineOf, type TicketPolicy } from './policy.ts';
import type { WarrantyStatus } from './ticket.ts';

/**
 * Warranty (保修) by calendar months in UTC dates: the purchase date is a calendar date, so only
 * the UTC day of each instant counts. A product bought on 15 March with 12 months is covered up
 * to and including 14 March of the next year.
 */

/** Midnight UTC of the instant's UTC day. */
export const utcDay = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/**
 * The same day `months` calendar months later, clamped to the end of a shorter month
 * (31 Jan + 1 month = 28/29 Feb): Date's own setUTCMonth would roll over into March and
 * give the customer days the warranty never promised.
 */
export function addCalendarMonths(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)));
}

/** The first UTC day no longer covered. */
export function warrantyEnds(purchaseDate: Date, warrantyMonths: number): Date {
  return addCalendarMonths(utcDay(purchaseDate), warrantyMonths);
}

/**
 * The warranty status at `at`. Tickets fix it at intake (the instant the fault was reported), so a
 * visit that happens after expiry for a fault reported inside the warranty is still covered.
 * The product line must be one of the policy's (validateIntake checks that first).
 */
export function warrantyStatus(
  purchaseDate: Date,
  productLine: string,
  at: Date,
  policy: TicketPolicy,
): WarrantyStatus {
  const line = productLineOf(policy, productLine);
  if (!line) throw new RangeError(`product line ${productLine} is not in standard ${policy.standardVersionId}`);
  return utcDay(at).getTime() < warrantyEnds(purchaseDate, line.warrantyMonths).getTime()
    ? 'IN_WARRANTY'
    : 'OUT_OF_WARRANTY';
}
