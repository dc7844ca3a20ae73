import type { LicencePolicy } from '../src/rules/policy.ts';

/** The default standard's values (services/standards/src/rules/defaults.ts), for tests that need a policy. */
export const DEFAULT_LICENCE_POLICY: LicencePolicy = {
  maxPoints: 12,
  warningAtOrBelow: 6,
  cycleMonths: 12,
  warningDailyCapPercent: 50,
  usualDailyJobs: 8,
  standardVersionId: 'default',
  productLines: ['AIR_CONDITIONER', 'REFRIGERATOR', 'WASHING_MACHINE', 'WATER_HEATER', 'TELEVISION'],
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
