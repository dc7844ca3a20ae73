/**
 * The licence policy and the violation/credit catalogue (docs/domain.md §3).
 *
 * The standards subgraph is the source of these numbers: a published standard version carries
 * `pointRules`, `licencePolicy` and `productLines`. This service never reads the standards database,
 * so every rule takes the policy as input: a workflow passes the version it works under, and
 * requests use the version in force, asked of the standards service (main.ts).
 */
export type PointKind = 'VIOLATION' | 'CREDIT';

export interface PointRule {
  code: string;
  kind: PointKind;
  /** Signed: negative for a violation, positive for a credit. */
  points: number;
}

export interface LicencePolicy {
  maxPoints: number;
  warningAtOrBelow: number;
  cycleMonths: number;
  /** A WARNING engineer's daily job cap, as a percentage of the usual one. */
  warningDailyCapPercent: number;
  /** A field engineer's usual day of visits: the daily job cap when dispatch names none. */
  usualDailyJobs: number;
  pointRules: readonly PointRule[];
  /** Product lines an engineer can be certified for. */
  productLines: readonly string[];
  /** Which standard version the numbers came from. */
  standardVersionId: string;
}

export function pointRuleFor(policy: LicencePolicy, code: string): PointRule | null {
  return policy.pointRules.find((r) => r.code === code) ?? null;
}

/** The end of a cycle that starts at `start`: `cycleMonths` calendar months later (UTC). */
export function cycleEndFrom(start: Date, cycleMonths: number): Date {
  const end = new Date(start.getTime());
  end.setUTCMonth(end.getUTCMonth() + cycleMonths);
  return end;
}
