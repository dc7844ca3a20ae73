import { describe, expect, it } from 'vitest';
import type { EvaluationPolicy, KpiPolicy } from '../src/rules/evaluation-policy.ts';
import { gradeFor, scoreKpi, scorecard, type CentreMonthFacts } from '../src/rules/scorecard.ts';

/** The default standard's numbers (docs/domain.md §3), written out: the tests must not read them from code. */
const policy: EvaluationPolicy = {
  kpis: [
    { code: 'SATISFACTION_RATE', direction: 'HIGHER_IS_BETTER', target: 0.95, floor: 0.8, weight: 30 },
    { code: 'INFORMATION_TIMELINESS', direction: 'HIGHER_IS_BETTER', target: 0.98, floor: 0.85, weight: 15 },
    { code: 'DISPATCH_LEFTOVER', direction: 'LOWER_IS_BETTER', target: 0.02, floor: 0.1, weight: 15 },
    { code: 'COMPLAINT_RATE', direction: 'LOWER_IS_BETTER', target: 0.01, floor: 0.05, weight: 20 },
    { code: 'PARTS_MISJUDGEMENT', direction: 'LOWER_IS_BETTER', target: 0.03, floor: 0.15, weight: 10 },
    { code: 'DELIGHT_RATE', direction: 'HIGHER_IS_BETTER', target: 0.05, floor: 0, weight: 10 },
  ],
  incentivePoints: { qualityInfoAdopted: 2, serviceInnovation: 2, majorComplaint: -10 },
  grading: { aMinScore: 90, bMinScore: 75, minCompletions: 10 },
  consequences: {
    suspendAtCGrades: 2,
    eliminateAtCGrades: 3,
    awardTopN: 10,
    penaltyBottomN: 10,
    awardFen: 200_000,
    penaltyFen: 200_000,
  },
  reviewWindowDays: 3,
  promotionRunMonths: 3,
};
const kpi = (code: KpiPolicy['code']) => policy.kpis.find((k) => k.code === code)!;

/**
 * 20 completions, every KPI at its target: satisfaction 38/40 = 0.95, timeliness 20/20, leftover
 * 0/25, complaints 0/20, parts misjudged 0/10, delight 1/20 = 0.05. Tests change what they study.
 */
const atTarget: CentreMonthFacts = {
  dispatched: 25,
  completions: 20,
  completionsReportedInTime: 20,
  answeredCallbacks: 40,
  satisfiedCallbacks: 38,
  complaints: 0,
  majorComplaints: 0,
  partsReplaced: 10,
  partsMisjudged: 0,
  delightCompletions: 1,
  leftover: 0,
  qualityInfoAdopted: 0,
  serviceInnovation: 0,
};

describe('scoreKpi, higher is better', () => {
  const satisfaction = kpi('SATISFACTION_RATE'); // target 0.95, floor 0.80
  const delight = kpi('DELIGHT_RATE'); // target 0.05, floor 0
  it('scores 100 at the target and beyond it', () => {
    expect(scoreKpi(satisfaction, 0.95)).toBe(100);
    expect(scoreKpi(satisfaction, 1)).toBe(100);
  });
  it('scores 0 at the floor and beyond it', () => {
    expect(scoreKpi(satisfaction, 0.8)).toBe(0);
    expect(scoreKpi(satisfaction, 0.5)).toBe(0);
    expect(scoreKpi(delight, 0)).toBe(0);
  });
  it('is linear between floor and target', () => {
    expect(scoreKpi(satisfaction, 0.875)).toBe(50); // 0.075 / 0.15
    expect(scoreKpi(satisfaction, 0.86)).toBe(40); // 0.06 / 0.15
    expect(scoreKpi(delight, 0.01)).toBe(20); // 0.01 / 0.05
    expect(scoreKpi(satisfaction, 0.9)).toBe(66.666667); // 0.1 / 0.15, six decimals
  });
  it('rounds float noise away: 0.905 is exactly 70, not 70.00000000000003', () => {
    expect(scoreKpi(satisfaction, 0.905)).toBe(70);
  });
});

describe('scoreKpi, lower is better', () => {
  const complaints = kpi('COMPLAINT_RATE'); // target 0.01, floor 0.05
  it('scores 100 at the target and beyond it', () => {
    expect(scoreKpi(complaints, 0.01)).toBe(100);
    expect(scoreKpi(complaints, 0)).toBe(100);
  });
  it('scores 0 at the floor and beyond it', () => {
    expect(scoreKpi(complaints, 0.05)).toBe(0);
    expect(scoreKpi(complaints, 0.2)).toBe(0);
  });
  it('is linear between target and floor', () => {
    expect(scoreKpi(complaints, 0.03)).toBe(50); // (0.05 − 0.03) / 0.04
    expect(scoreKpi(complaints, 0.04)).toBe(25);
    expect(scoreKpi(kpi('DISPATCH_LEFTOVER'), 0.06)).toBe(50); // (0.10 − 0.06) / 0.08
    expect(scoreKpi(kpi('DISPATCH_LEFTOVER'), 0.04)).toBe(75); // (0.10 − 0.04) / 0.08
  });
  it('refuses a rate that is not a number', () => {
    expect(() => scoreKpi(complaints, Number.NaN)).toThrow(RangeError);
  });
});

describe('gradeFor', () => {
  const g = policy.grading;
  it('grades A from 90, B from 75, C below', () => {
    expect(gradeFor(90, 10, g)).toBe('A');
    expect(gradeFor(104, 10, g)).toBe('A');
    expect(gradeFor(89.99, 10, g)).toBe('B');
    expect(gradeFor(75, 10, g)).toBe('B');
    expect(gradeFor(74.99, 10, g)).toBe('C');
    expect(gradeFor(-5, 10, g)).toBe('C');
  });
  it('does not grade a centre with fewer than the minimum completions', () => {
    expect(gradeFor(95, 9, g)).toBeNull();
    expect(gradeFor(95, 0, g)).toBeNull();
  });
  it('follows the standard’s thresholds, not constants', () => {
    const strict = { aMinScore: 95, bMinScore: 80, minCompletions: 0 };
    expect(gradeFor(94, 0, strict)).toBe('B');
    expect(gradeFor(79, 0, strict)).toBe('C');
  });
});

describe('scorecard', () => {
  it('shows every KPI’s numerator, denominator, rate, score and weight, and the weighted sum', () => {
    // satisfaction 35/40 = 0.875 → 50; leftover 1/25 = 0.04 → 75; the other four at target → 100.
    // weighted = (30×50 + 15×100 + 15×75 + 20×100 + 10×100 + 10×100) / 100 = 8125 / 100 = 81.25
    // incentives: 2 quality infos × 2 + 1 innovation × 2 = +6 → adjusted 87.25 → B
    const card = scorecard(
      { ...atTarget, satisfiedCallbacks: 35, leftover: 1, qualityInfoAdopted: 2, serviceInnovation: 1 },
      policy,
    );
    expect(card.kpis).toEqual([
      {
        code: 'SATISFACTION_RATE',
        numerator: 35,
        denominator: 40,
        rate: 0.875,
        score: 50,
        noData: false,
        definedWeight: 30,
        weight: 30,
      },
      {
        code: 'INFORMATION_TIMELINESS',
        numerator: 20,
        denominator: 20,
        rate: 1,
        score: 100,
        noData: false,
        definedWeight: 15,
        weight: 15,
      },
      {
        code: 'DISPATCH_LEFTOVER',
        numerator: 1,
        denominator: 25,
        rate: 0.04,
        score: 75,
        noData: false,
        definedWeight: 15,
        weight: 15,
      },
      {
        code: 'COMPLAINT_RATE',
        numerator: 0,
        denominator: 20,
        rate: 0,
        score: 100,
        noData: false,
        definedWeight: 20,
        weight: 20,
      },
      {
        code: 'PARTS_MISJUDGEMENT',
        numerator: 0,
        denominator: 10,
        rate: 0,
        score: 100,
        noData: false,
        definedWeight: 10,
        weight: 10,
      },
      {
        code: 'DELIGHT_RATE',
        numerator: 1,
        denominator: 20,
        rate: 0.05,
        score: 100,
        noData: false,
        definedWeight: 10,
        weight: 10,
      },
    ]);
    expect(card.weightedScore).toBe(81.25);
    expect(card.incentives).toEqual([
      { kind: 'QUALITY_INFO_ADOPTED', count: 2, points: 4 },
      { kind: 'SERVICE_INNOVATION', count: 1, points: 2 },
      { kind: 'MAJOR_COMPLAINT', count: 0, points: 0 },
    ]);
    expect(card.incentivePoints).toBe(6);
    expect(card.adjustedScore).toBe(87.25);
    expect(card.completions).toBe(20);
    expect(card.grade).toBe('B');
    expect(card.ungradedReason).toBeNull();
  });

  it('leaves a KPI with no data out and scales the other weights up to sum to 100', () => {
    // No parts replaced: PARTS_MISJUDGEMENT (weight 10) is "no data"; the others weigh 30+15+15+20+10 = 90.
    // Applied weights: 30×100/90 = 33.333333, 15×100/90 = 16.666667 (twice), 20×100/90 = 22.222222, 10×100/90 =
    // 11.111111.
    // Scores: satisfaction 35/40 → 50, leftover 1/25 → 75, the rest 100.
    // weighted = (30×50 + 15×100 + 15×75 + 20×100 + 10×100) / 90 = 7125 / 90 = 79.1666… → 79.166667 → B
    // (Had the missing KPI counted as 0 it would be 71.25, a C; as 100, 81.25.)
    const card = scorecard({ ...atTarget, satisfiedCallbacks: 35, leftover: 1, partsReplaced: 0 }, policy);
    const parts = card.kpis.find((k) => k.code === 'PARTS_MISJUDGEMENT');
    expect(parts).toEqual({
      code: 'PARTS_MISJUDGEMENT',
      numerator: 0,
      denominator: 0,
      rate: null,
      score: null,
      noData: true,
      definedWeight: 10,
      weight: 0,
    });
    expect(card.kpis.map((k) => k.weight)).toEqual([33.333333, 16.666667, 16.666667, 22.222222, 0, 11.111111]);
    expect(card.weightedScore).toBe(79.166667);
    expect(card.adjustedScore).toBe(79.166667);
    expect(card.grade).toBe('B');
  });

  it('grades exactly 90 as A even when the arithmetic carries float noise', () => {
    // No parts replaced (weights rescaled over 90); satisfaction 181/200 = 0.905 → 70 (70.00000000000003 unrounded).
    // weighted = (30×70 + 15×100 + 15×100 + 20×100 + 10×100) / 90 = 8100 / 90 = 90 → A
    const card = scorecard({ ...atTarget, answeredCallbacks: 200, satisfiedCallbacks: 181, partsReplaced: 0 }, policy);
    expect(card.kpis[0]!.score).toBe(70);
    expect(card.weightedScore).toBe(90);
    expect(card.grade).toBe('A');
  });

  it('grades exactly 90 as A: every KPI at target but delight at its floor', () => {
    // delight 0/20 = 0 → 0; weighted = 100 − 10 = 90
    const card = scorecard({ ...atTarget, delightCompletions: 0 }, policy);
    expect(card.weightedScore).toBe(90);
    expect(card.grade).toBe('A');
  });

  it('grades exactly 75 as B', () => {
    // satisfaction 35/40 → 50 (−30×50/100 = −15), delight 0/20 → 0 (−10): 100 − 15 − 10 = 75
    const card = scorecard({ ...atTarget, satisfiedCallbacks: 35, delightCompletions: 0 }, policy);
    expect(card.weightedScore).toBe(75);
    expect(card.grade).toBe('B');
  });

  it('grades A on the adjusted score: 82 weighted + 4 quality infos × 2 = 90', () => {
    // satisfaction 172/200 = 0.86 → (0.06/0.15)×100 = 40; weighted = 100 − 30×(100 − 40)/100 = 82; 82 + 4×2 = 90
    const card = scorecard(
      { ...atTarget, answeredCallbacks: 200, satisfiedCallbacks: 172, qualityInfoAdopted: 4 },
      policy,
    );
    expect(card.weightedScore).toBe(82);
    expect(card.adjustedScore).toBe(90);
    expect(card.grade).toBe('A');
  });

  it('does not clamp the adjusted score: it may fall below 0', () => {
    // satisfaction 7/10 → 0; timeliness 16/20 = 0.8 → 0; leftover 3/25 = 0.12 → 0; complaints 3/20 = 0.15 → 0;
    // parts 2/4 = 0.5 → 0; delight 1/20 = 0.05 → 100 → weighted = 10×100/100 = 10
    // 2 major complaints × −10 = −20 → adjusted −10 → C
    const card = scorecard(
      {
        ...atTarget,
        answeredCallbacks: 10,
        satisfiedCallbacks: 7,
        completionsReportedInTime: 16,
        leftover: 3,
        complaints: 3,
        majorComplaints: 2,
        partsReplaced: 4,
        partsMisjudged: 2,
      },
      policy,
    );
    expect(card.kpis.map((k) => k.score)).toEqual([0, 0, 0, 0, 0, 100]);
    expect(card.weightedScore).toBe(10);
    expect(card.incentives[2]).toEqual({ kind: 'MAJOR_COMPLAINT', count: 2, points: -20 });
    expect(card.adjustedScore).toBe(-10);
    expect(card.grade).toBe('C');
  });

  it('may pass 100', () => {
    // all at target = 100, + 1 quality info × 2 = 102 → A
    const card = scorecard({ ...atTarget, qualityInfoAdopted: 1 }, policy);
    expect(card.adjustedScore).toBe(102);
    expect(card.grade).toBe('A');
  });

  it('scores but does not grade a centre with fewer completions than the minimum', () => {
    // 9 completions, all reported in time, none with a complaint, 1 delight (1/9 ≥ 0.05): every KPI at target → 100
    const card = scorecard({ ...atTarget, completions: 9, completionsReportedInTime: 9 }, policy);
    expect(card.adjustedScore).toBe(100);
    expect(card.grade).toBeNull();
    expect(card.ungradedReason).toBe('TOO_FEW_COMPLETIONS');
  });

  it('neither scores nor grades a month with nothing to measure, even with incentives', () => {
    const quiet: CentreMonthFacts = {
      dispatched: 0,
      completions: 0,
      completionsReportedInTime: 0,
      answeredCallbacks: 0,
      satisfiedCallbacks: 0,
      complaints: 0,
      majorComplaints: 1,
      partsReplaced: 0,
      partsMisjudged: 0,
      delightCompletions: 0,
      leftover: 2,
      qualityInfoAdopted: 0,
      serviceInnovation: 0,
    };
    const card = scorecard(quiet, { ...policy, grading: { ...policy.grading, minCompletions: 0 } });
    expect(card.kpis.every((k) => k.noData && k.weight === 0)).toBe(true);
    expect(card.weightedScore).toBeNull();
    expect(card.incentivePoints).toBe(-10);
    expect(card.adjustedScore).toBeNull();
    expect(card.grade).toBeNull();
    expect(card.ungradedReason).toBe('NOTHING_MEASURED');
  });

  it('uses the standard’s numbers, not constants', () => {
    // Satisfaction alone at weight 100, target 0.9, floor 0.5: 35/40 = 0.875 → (0.375/0.4)×100 = 93.75
    // incentives at 5 per quality info: +5 → 98.75; A from 99 → B
    const custom: EvaluationPolicy = {
      ...policy,
      kpis: policy.kpis.map((k) =>
        k.code === 'SATISFACTION_RATE' ? { ...k, target: 0.9, floor: 0.5, weight: 100 } : { ...k, weight: 0 },
      ),
      incentivePoints: { ...policy.incentivePoints, qualityInfoAdopted: 5 },
      grading: { aMinScore: 99, bMinScore: 50, minCompletions: 20 },
    };
    const card = scorecard({ ...atTarget, satisfiedCallbacks: 35, qualityInfoAdopted: 1 }, custom);
    expect(card.weightedScore).toBe(93.75);
    expect(card.adjustedScore).toBe(98.75);
    expect(card.grade).toBe('B');
  });

  it('refuses counts that are not whole and non-negative', () => {
    expect(() => scorecard({ ...atTarget, complaints: -1 }, policy)).toThrow(/complaints/);
    expect(() => scorecard({ ...atTarget, leftover: 1.5 }, policy)).toThrow(/leftover/);
  });
});
