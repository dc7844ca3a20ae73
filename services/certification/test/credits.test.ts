import { describe, expect, it } from 'vitest';
import { MONTH_PATTERN, incentiveOf, tally } from '../src/rules/credits.ts';

describe('incentive credits', () => {
  it('counts QUALITY_INFO_ADOPTED and SMALL_IMPROVEMENT credits only', () => {
    expect(incentiveOf({ code: 'QUALITY_INFO_ADOPTED', kind: 'CREDIT' })).toBe('qualityInfoAdopted');
    expect(incentiveOf({ code: 'SMALL_IMPROVEMENT', kind: 'CREDIT' })).toBe('serviceInnovation');
    expect(incentiveOf({ code: 'CUSTOMER_DELIGHT', kind: 'CREDIT' })).toBeNull();
    expect(incentiveOf({ code: 'MAJOR_COMPLAINT', kind: 'VIOLATION' })).toBeNull();
    // A standard that made one of these codes a deduction would not make it an incentive.
    expect(incentiveOf({ code: 'SMALL_IMPROVEMENT', kind: 'VIOLATION' })).toBeNull();
    expect(incentiveOf({ code: 'toString', kind: 'CREDIT' })).toBeNull();
  });

  it('tallies counted entries by code', () => {
    expect(tally([])).toEqual({ qualityInfoAdopted: 0, serviceInnovation: 0 });
    expect(
      tally([
        ['e1', 'QUALITY_INFO_ADOPTED'],
        ['e2', 'SMALL_IMPROVEMENT'],
        ['e3', 'SMALL_IMPROVEMENT'],
      ]),
    ).toEqual({ qualityInfoAdopted: 1, serviceInnovation: 2 });
  });

  it('takes months as YYYY-MM', () => {
    for (const ok of ['2026-01', '2026-12', '1999-09']) expect(MONTH_PATTERN.test(ok)).toBe(true);
    for (const bad of ['2026-00', '2026-13', '2026-1', '26-01', '2026-01-01', ' 2026-01'])
      expect(MONTH_PATTERN.test(bad)).toBe(false);
  });
});
