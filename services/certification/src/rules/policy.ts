/**
 * The licence policy and the violation/credit catalogue (domain.md §3).
 *
 * The standards subgraph is the source of these numbers: a published standard version carries
 * `pointRules` and `licencePolicy`. This service must not read the standards database, so every rule
 * takes the policy as input. DEFAULT_LICENCE_POLICY below holds the default standard's values and is
 * used ONLY when the standard in force is not supplied (the GraphQL mutations today; a later workflow
 * will pass the in-force version to the activities).
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
  warningDailyCapPercent: number;
  pointRules: readonly PointRule[];
  /** Which standard version the numbers came from ('default' when none was supplied). */
  standardVersionId: string;
}

/** Defaults for when the standard is not supplied — copy of services/standards/src/rules/defaults.ts. */
export const DEFAULT_LICENCE_POLICY: LicencePolicy = {
  maxPoints: 12,
  warningAtOrBelow: 6,
  cycleMonths: 12,
  warningDailyCapPercent: 50,
  standardVersionId: 'default',
  pointRules: [
    { code: 'PROMISE_BROKEN', kind: 'VIOLATION', points: -3 },
    { code: 'NON_STANDARD_SERVICE', kind: 'VIOLATION', points: -2 },
    { code: 'OVERCHARGE', kind: 'VIOLATION', points: -6 },
    { code: 'REPEAT_REPAIR', kind: 'VIOLATION', points: -3 },
    { code: 'LATE_ARRIVAL', kind: 'VIOLATION', points: -1 },
    { code: 'MAJOR_COMPLAINT', kind: 'VIOLATION', points: -6 },
    { code: 'CUSTOMER_DELIGHT', kind: 'CREDIT', points: 1 },
    { code: 'SMALL_IMPROVEMENT', kind: 'CREDIT', points: 2 },
    { code: 'QUALITY_INFO_ADOPTED', kind: 'CREDIT', points: 1 },
  ],
};

export function pointRuleFor(policy: LicencePolicy, code: string): PointRule | null {
  return policy.pointRules.find((r) => r.code === code) ?? null;
}

/** The end of a cycle that starts at `start`: `cycleMonths` calendar months later (UTC). */
export function cycleEndFrom(start: Date, cycleMonths: number): Date {
  const end = new Date(start.getTime());
  end.setUTCMonth(end.getUTCMonth() + cycleMonths);
  return end;
}
