import { describe, expect, it } from 'vitest';
import { decodeScorecardCursor, encodeScorecardCursor } from '../src/graphql/scorecard-view.ts';
import {
  activeDuring,
  evaluatedIn,
  consequenceReason,
  earlierMonthsOfYear,
  ordinal,
  policyOf,
  policyProblems,
  reviewEndsAt,
} from '../src/rules/evaluation-run.ts';
import { DEFAULT_EVALUATION_POLICY } from './support.ts';

const at = (iso: string) => new Date(iso);

describe('activeDuring: did the centre work during the month', () => {
  // October 2026 in Asia/Shanghai is [2026-09-30T16:00Z, 2026-10-31T16:00Z).
  const created = { to: 'ONBOARDING' as const, at: at('2026-08-01T00:00:00Z') };
  const activated = { to: 'ACTIVE' as const, at: at('2026-08-02T00:00:00Z') };

  it('takes a centre ACTIVE or SUSPENDED at some instant of the month', () => {
    expect(activeDuring([created, activated], '2026-10')).toBe(true);
    expect(activeDuring([created, activated, { to: 'SUSPENDED', at: at('2026-09-01T00:00:00Z') }], '2026-10')).toBe(
      true,
    );
    // activated on 15 October: evaluated (likely too few completions to grade)
    expect(activeDuring([created, { to: 'ACTIVE', at: at('2026-10-15T00:00:00Z') }], '2026-10')).toBe(true);
    // eliminated on 20 October: it worked in October, so October judges (and settles) it
    expect(activeDuring([created, activated, { to: 'ELIMINATED', at: at('2026-10-20T00:00:00Z') }], '2026-10')).toBe(
      true,
    );
  });

  it('leaves out a centre eliminated before the month, ONBOARDING throughout, or activated after it', () => {
    expect(activeDuring([created, activated, { to: 'ELIMINATED', at: at('2026-09-20T00:00:00Z') }], '2026-10')).toBe(
      false,
    );
    expect(activeDuring([created], '2026-10')).toBe(false);
    expect(activeDuring([created, { to: 'ACTIVE', at: at('2026-10-31T16:00:00Z') }], '2026-10')).toBe(false);
    expect(
      activeDuring(
        [
          { to: 'ONBOARDING', at: at('2026-11-02T00:00:00Z') },
          { to: 'ACTIVE', at: at('2026-11-03T00:00:00Z') },
        ],
        '2026-10',
      ),
    ).toBe(false);
  });

  it('counts a change at the month’s first instant as the status the month starts with', () => {
    expect(activeDuring([created, activated, { to: 'ELIMINATED', at: at('2026-09-30T16:00:00Z') }], '2026-10')).toBe(
      false,
    );
    expect(
      activeDuring([created, activated, { to: 'ELIMINATED', at: at('2026-09-30T16:00:00.001Z') }], '2026-10'),
    ).toBe(true);
  });
});

describe('evaluatedIn', () => {
  const history = [
    { to: 'ONBOARDING' as const, at: at('2026-08-01T00:00:00Z') },
    { to: 'ACTIVE' as const, at: at('2026-08-02T00:00:00Z') },
  ];
  it('takes every ACTIVE or SUSPENDED centre, even one activated after the month', () => {
    expect(evaluatedIn({ status: 'ACTIVE', statusHistory: history }, '2026-10')).toBe(true);
    expect(evaluatedIn({ status: 'SUSPENDED', statusHistory: history }, '2026-10')).toBe(true);
    expect(
      evaluatedIn({ status: 'ACTIVE', statusHistory: [{ to: 'ACTIVE', at: at('2026-12-01T00:00:00Z') }] }, '2026-10'),
    ).toBe(true);
  });
  it('takes an ELIMINATED centre only if it worked during the month; never an ONBOARDING one', () => {
    expect(
      evaluatedIn(
        { status: 'ELIMINATED', statusHistory: [...history, { to: 'ELIMINATED', at: at('2026-10-20T00:00:00Z') }] },
        '2026-10',
      ),
    ).toBe(true);
    expect(
      evaluatedIn(
        { status: 'ELIMINATED', statusHistory: [...history, { to: 'ELIMINATED', at: at('2026-11-20T00:00:00Z') }] },
        '2026-10',
      ),
    ).toBe(true);
    expect(
      evaluatedIn(
        { status: 'ELIMINATED', statusHistory: [...history, { to: 'ELIMINATED', at: at('2026-09-20T00:00:00Z') }] },
        '2026-10',
      ),
    ).toBe(false);
    expect(evaluatedIn({ status: 'ONBOARDING', statusHistory: history.slice(0, 1) }, '2026-10')).toBe(false);
  });
});

describe('small rules', () => {
  it('earlier months of the year', () => {
    expect(earlierMonthsOfYear('2026-01')).toEqual([]);
    expect(earlierMonthsOfYear('2026-04')).toEqual(['2026-01', '2026-02', '2026-03']);
  });

  it('ordinals and the consequence reason naming the C count', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
    expect(consequenceReason(2, '2026-10')).toBe('2nd C grade of 2026 (monthly evaluation 2026-10)');
    expect(consequenceReason(3, '2027-01')).toBe('3rd C grade of 2027 (monthly evaluation 2027-01)');
  });

  it('the review window ends reviewWindowDays after the run was computed', () => {
    expect(reviewEndsAt(at('2026-11-01T02:00:00Z'), 3)).toEqual(at('2026-11-04T02:00:00Z'));
    expect(reviewEndsAt(null, 3)).toBeNull();
    expect(reviewEndsAt(at('2026-11-01T02:00:00Z'), null)).toBeNull();
  });

  it('a results cursor round-trips and refuses anything else', () => {
    const cursor = encodeScorecardCursor(2, 'c0a8e6e2-0d1c-4d5e-9d3f-123456789abc');
    expect(decodeScorecardCursor(cursor)).toEqual({ run: 2, centreId: 'c0a8e6e2-0d1c-4d5e-9d3f-123456789abc' });
    expect(decodeScorecardCursor('not a cursor!')).toBeNull();
    expect(decodeScorecardCursor(Buffer.from('service-centre:ABC').toString('base64url'))).toBeNull();
  });
});

describe('policyProblems / policyOf: the policy as it arrives over Temporal', () => {
  it('accepts the default standard’s and keeps only the policy’s own fields', () => {
    expect(policyProblems(DEFAULT_EVALUATION_POLICY)).toEqual([]);
    const sent = { ...DEFAULT_EVALUATION_POLICY, validUntil: null, extra: 1 } as typeof DEFAULT_EVALUATION_POLICY;
    expect(policyOf(sent)).toEqual(DEFAULT_EVALUATION_POLICY);
    expect(Object.keys(policyOf(sent))).not.toContain('validUntil');
  });

  it('names each problem', () => {
    expect(policyProblems(null)).toEqual(['policy is required']);
    const broken = {
      ...DEFAULT_EVALUATION_POLICY,
      standardVersionId: '',
      kpis: [{ code: 'SMILES', direction: 'UP', target: 'high', floor: 0, weight: -1 }],
      grading: { aMinScore: 90, bMinScore: 75, minCompletions: 2.5 },
      consequences: { ...DEFAULT_EVALUATION_POLICY.consequences, awardFen: -1 },
      promotionRunMonths: 0,
    };
    expect(policyProblems(broken)).toEqual([
      'policy.standardVersionId must be an id',
      'policy.kpis[0].code is unknown or repeated',
      'policy.kpis[0].direction is unknown',
      'policy.kpis[0].target must be a number',
      'policy.kpis[0].weight must be a number ≥ 0',
      'policy.grading.minCompletions must be a whole number',
      'policy.consequences.awardFen must be a whole number',
      'policy.promotionRunMonths must be a whole number ≥ 1',
    ]);
  });
});
