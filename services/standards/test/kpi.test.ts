import { describe, expect, it } from 'vitest';
import type { KpiCode, KpiDefinition } from '../src/rules/content.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { adjustedScore, coefficientFor, grade, scoreKpi, weightedScore } from '../src/rules/kpi.ts';

const standard = defaultStandardContent();
const kpi = (code: KpiCode): KpiDefinition => standard.kpis.find((k) => k.code === code)!;
const satisfaction = kpi('SATISFACTION_RATE'); // higher is better: target 0.95, floor 0.80
const complaints = kpi('COMPLAINT_RATE'); // lower is better: target 0.01, floor 0.05
const delight = kpi('DELIGHT_RATE'); // higher is better: target 0.05, floor 0

describe('scoreKpi, higher is better', () => {
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
    expect(scoreKpi(satisfaction, 0.875)).toBe(50);
    expect(scoreKpi(satisfaction, 0.86)).toBe(40);
    expect(scoreKpi(delight, 0.01)).toBe(20);
  });
});

describe('scoreKpi, lower is better', () => {
  it('scores 100 at the target and beyond it', () => {
    expect(scoreKpi(complaints, 0.01)).toBe(100);
    expect(scoreKpi(complaints, 0)).toBe(100);
  });
  it('scores 0 at the floor and beyond it', () => {
    expect(scoreKpi(complaints, 0.05)).toBe(0);
    expect(scoreKpi(complaints, 0.2)).toBe(0);
  });
  it('is linear between target and floor', () => {
    expect(scoreKpi(complaints, 0.03)).toBe(50);
    expect(scoreKpi(complaints, 0.04)).toBe(25);
    expect(scoreKpi(kpi('DISPATCH_LEFTOVER'), 0.06)).toBe(50);
  });
  it('refuses a value that is not a number', () => {
    expect(() => scoreKpi(complaints, Number.NaN)).toThrow(RangeError);
  });
});

const atTarget = Object.fromEntries(standard.kpis.map((k) => [k.code, k.target])) as Record<KpiCode, number>;
const atFloor = Object.fromEntries(standard.kpis.map((k) => [k.code, k.floor])) as Record<KpiCode, number>;

describe('weightedScore', () => {
  it('is 100 with every KPI at target and 0 with every KPI at floor', () => {
    expect(weightedScore(standard.kpis, atTarget)).toBe(100);
    expect(weightedScore(standard.kpis, atFloor)).toBe(0);
  });
  it('weights each KPI score by its weight', () => {
    // satisfaction (weight 30) at 50 points, complaint rate (weight 20) at 0: 100 − 15 − 20.
    expect(weightedScore(standard.kpis, { ...atTarget, SATISFACTION_RATE: 0.875, COMPLAINT_RATE: 0.05 })).toBe(65);
    // Only the 10-weight delight rate missing its target entirely: exactly the A threshold.
    expect(weightedScore(standard.kpis, { ...atTarget, DELIGHT_RATE: 0 })).toBe(90);
  });
  it('refuses a missing KPI value', () => {
    const { COMPLAINT_RATE: _omitted, ...partial } = atTarget;
    expect(() => weightedScore(standard.kpis, partial as Record<KpiCode, number>)).toThrow(/COMPLAINT_RATE/);
  });
});

describe('adjustedScore', () => {
  const none = { qualityInfoAdopted: 0, serviceInnovation: 0, majorComplaint: 0 };
  it('adds +2 per adopted quality information and service innovation, −10 per major complaint', () => {
    expect(adjustedScore(80, { qualityInfoAdopted: 1, serviceInnovation: 2, majorComplaint: 1 }, standard.incentivePoints)).toBe(76);
    expect(adjustedScore(80, none, standard.incentivePoints)).toBe(80);
  });
  it('is not clamped to 0–100', () => {
    expect(adjustedScore(100, { ...none, qualityInfoAdopted: 2 }, standard.incentivePoints)).toBe(104);
    expect(adjustedScore(5, { ...none, majorComplaint: 1 }, standard.incentivePoints)).toBe(-5);
  });
});

describe('grade', () => {
  const g = standard.grading;
  it('grades A from 90, B from 75, C below', () => {
    expect(grade(90, 10, g)).toBe('A');
    expect(grade(104, 10, g)).toBe('A');
    expect(grade(89.99, 10, g)).toBe('B');
    expect(grade(75, 10, g)).toBe('B');
    expect(grade(74.99, 10, g)).toBe('C');
    expect(grade(-5, 10, g)).toBe('C');
  });
  it('does not grade a centre with fewer than the minimum completions', () => {
    expect(grade(95, 9, g)).toBeNull();
    expect(grade(95, 0, g)).toBeNull();
    expect(grade(95, 10, g)).toBe('A');
  });
  it('follows the standard’s thresholds, not constants', () => {
    const strict = { aMinScore: 95, bMinScore: 80, minCompletions: 0 };
    expect(grade(94, 0, strict)).toBe('B');
    expect(grade(79, 0, strict)).toBe('C');
    expect(grade(0, 0, strict)).toBe('C');
  });
});

describe('coefficientFor', () => {
  it('maps A 1.10, B 1.00, C 0.90, ungraded 1.00', () => {
    const t = standard.settlementCoefficients;
    expect(coefficientFor('A', t)).toBe(1.1);
    expect(coefficientFor('B', t)).toBe(1);
    expect(coefficientFor('C', t)).toBe(0.9);
    expect(coefficientFor(null, { ...t, ungraded: 0.95 })).toBe(0.95);
  });
});
