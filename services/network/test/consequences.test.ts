import { describe, expect, it } from 'vitest';
import {
  atRiskOfSuspension,
  cGradesEarlierInYear,
  consequenceOf,
  isPromotionCandidate,
  type MonthGrade,
} from '../src/rules/consequences.ts';
import type { ConsequencesPolicy } from '../src/rules/evaluation-policy.ts';

const policy: ConsequencesPolicy = {
  suspendAtCGrades: 2,
  eliminateAtCGrades: 3,
  awardTopN: 10,
  penaltyBottomN: 10,
  awardFen: 200_000,
  penaltyFen: 200_000,
};

describe('cGradesEarlierInYear', () => {
  const grades: MonthGrade[] = [
    { month: '2025-12', grade: 'C' }, // last year: forgotten
    { month: '2026-01', grade: 'B' },
    { month: '2026-02', grade: 'C' },
    { month: '2026-03', grade: 'C' }, // the month itself
    { month: '2026-04', grade: 'C' }, // later
  ];
  it('counts C grades of the same calendar year before the month', () => {
    expect(cGradesEarlierInYear(grades, '2026-03')).toBe(1);
    expect(cGradesEarlierInYear(grades, '2026-05')).toBe(3);
    expect(cGradesEarlierInYear(grades, '2026-01')).toBe(0);
    expect(cGradesEarlierInYear(grades, '2025-12')).toBe(0);
  });
});

describe('consequenceOf', () => {
  it('suspends on the 2nd C of the calendar year', () => {
    expect(consequenceOf(1, 'C', policy)).toBe('SUSPENDED');
  });
  it('eliminates on the 3rd C, and on any after it', () => {
    expect(consequenceOf(2, 'C', policy)).toBe('ELIMINATED');
    expect(consequenceOf(3, 'C', policy)).toBe('ELIMINATED');
  });
  it('does nothing on a first C, or on a month that is not a C', () => {
    expect(consequenceOf(0, 'C', policy)).toBeNull();
    expect(consequenceOf(1, 'B', policy)).toBeNull();
    expect(consequenceOf(2, 'A', policy)).toBeNull();
    expect(consequenceOf(2, null, policy)).toBeNull();
  });
  it('follows the standard’s counts', () => {
    const lenient = { ...policy, suspendAtCGrades: 3, eliminateAtCGrades: 5 };
    expect(consequenceOf(1, 'C', lenient)).toBeNull();
    expect(consequenceOf(2, 'C', lenient)).toBe('SUSPENDED');
    expect(consequenceOf(3, 'C', lenient)).toBe('SUSPENDED');
    expect(consequenceOf(4, 'C', lenient)).toBe('ELIMINATED');
  });
});

describe('atRiskOfSuspension', () => {
  it('warns when the live grade is C and the centre already has a C this year', () => {
    expect(atRiskOfSuspension('C', 1, policy)).toBe(true);
    expect(atRiskOfSuspension('C', 2, policy)).toBe(true);
  });
  it('does not warn on a first C, a better grade or an ungraded month', () => {
    expect(atRiskOfSuspension('C', 0, policy)).toBe(false);
    expect(atRiskOfSuspension('B', 1, policy)).toBe(false);
    expect(atRiskOfSuspension(null, 1, policy)).toBe(false);
  });
});

describe('isPromotionCandidate', () => {
  const aaa: MonthGrade[] = [
    { month: '2025-11', grade: 'A' },
    { month: '2025-12', grade: 'A' },
    { month: '2026-01', grade: 'A' },
    { month: '2026-02', grade: 'B' },
    { month: '2026-03', grade: 'A' },
  ];
  it('lists a centre graded A in each of the last N months, the evaluated month included, across a year end', () => {
    expect(isPromotionCandidate(aaa, '2026-01', 3)).toBe(true);
    expect(isPromotionCandidate(aaa, '2025-12', 2)).toBe(true);
    expect(isPromotionCandidate(aaa, '2026-03', 1)).toBe(true);
  });
  it('does not list a run broken by another grade, an ungraded or a missing month', () => {
    expect(isPromotionCandidate(aaa, '2026-03', 3)).toBe(false); // 2026-02 is a B
    expect(isPromotionCandidate(aaa, '2026-01', 4)).toBe(false); // no grade for 2025-10
    const ungraded: MonthGrade[] = [
      { month: '2026-05', grade: 'A' },
      { month: '2026-06', grade: null },
      { month: '2026-07', grade: 'A' },
    ];
    expect(isPromotionCandidate(ungraded, '2026-07', 3)).toBe(false);
  });
  it('does not list a centre for a month it was not graded A', () => {
    expect(isPromotionCandidate(aaa, '2026-02', 1)).toBe(false);
    expect(isPromotionCandidate(aaa, '2026-04', 1)).toBe(false);
  });
});
