import { describe, expect, it } from 'vitest';
import { gradeRank, latestGradeBefore, rankEligible, type Candidate } from '../src/rules/eligibility.ts';

const c = (id: string, grade: Candidate['grade'], dailyCapacity = 10): Candidate => ({
  id,
  code: id.toUpperCase(),
  dailyCapacity,
  grade,
});

describe('rankEligible', () => {
  it('orders by grade A, B, C, ungraded, regardless of load', () => {
    const ranked = rankEligible([c('u', null), c('c', 'C'), c('a', 'A'), c('b', 'B')], { a: 9 });
    expect(ranked.map((r) => r.id)).toEqual(['a', 'b', 'c', 'u']);
    expect([gradeRank('A'), gradeRank('B'), gradeRank('C'), gradeRank(null)]).toEqual([0, 1, 2, 3]);
  });

  it('then by load (open ÷ capacity), then room, then code', () => {
    const ranked = rankEligible([c('x', 'A', 5), c('y', 'A', 100), c('z', 'A', 10), c('w', 'A', 10)], {
      x: 3,
      y: 10,
      z: 1,
      w: 1,
    });
    expect(ranked.map((r) => [r.id, r.load])).toEqual([
      ['y', 0.1],
      ['w', 0.1],
      ['z', 0.1],
      ['x', 0.6],
    ]);
  });

  it('drops centres without room today, and zero-capacity ones', () => {
    const ranked = rankEligible([c('full', 'A', 5), c('zero', 'A', 0), c('ok', 'C', 5)], { full: 5 });
    expect(ranked.map((r) => r.id)).toEqual(['ok']);
    expect(ranked[0]).toMatchObject({ openJobs: 0, remaining: 5 });
  });

  it('ignores junk open-job counts', () => {
    expect(rankEligible([c('a', null)], { a: -3 })[0]?.openJobs).toBe(0);
    expect(rankEligible([c('a', null)], { a: Number.NaN })[0]?.openJobs).toBe(0);
  });
});

describe('latestGradeBefore', () => {
  it('takes the newest month before the given one', () => {
    const grades = [
      { month: '2026-08', grade: 'C' as const },
      { month: '2026-10', grade: 'A' as const },
      { month: '2026-09', grade: 'B' as const },
    ];
    expect(latestGradeBefore(grades, '2026-11')?.grade).toBe('A');
    expect(latestGradeBefore(grades, '2026-10')?.grade).toBe('B');
    expect(latestGradeBefore(grades, '2026-08')).toBeNull();
  });
});
