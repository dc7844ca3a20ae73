import type { PointKind } from './policy.ts';

/**
 * The ledger credits the monthly centre evaluation counts as incentives (docs/domain.md §6): quality
 * information adopted = QUALITY_INFO_ADOPTED credits of the centre's engineers, service innovation =
 * their SMALL_IMPROVEMENT (小改小革) credits. Keys as in `CentreMonthCredits`.
 */
export const INCENTIVE_CODES = {
  QUALITY_INFO_ADOPTED: 'qualityInfoAdopted',
  SMALL_IMPROVEMENT: 'serviceInnovation',
} as const satisfies Record<string, IncentiveKey>;

export type IncentiveKey = 'qualityInfoAdopted' | 'serviceInnovation';

/** A month as the evaluation names it: YYYY-MM (Asia/Shanghai). */
export const MONTH_PATTERN = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/** Which incentive a ledger entry counts for, or null (violations and other credits count for none). */
export function incentiveOf(entry: { code: string; kind: PointKind }): IncentiveKey | null {
  if (entry.kind !== 'CREDIT') return null;
  return Object.hasOwn(INCENTIVE_CODES, entry.code)
    ? (INCENTIVE_CODES as Record<string, IncentiveKey>)[entry.code]!
    : null;
}

/** The counts of a (centre, month) from the entries it counted, each `[entryId, code]` once. */
export function tally(counted: readonly (readonly [string, string])[]): Record<IncentiveKey, number> {
  const out: Record<IncentiveKey, number> = { qualityInfoAdopted: 0, serviceInnovation: 0 };
  for (const [, code] of counted) {
    const key = incentiveOf({ code, kind: 'CREDIT' });
    if (key) out[key]++;
  }
  return out;
}
