import type { Violation } from '@starline/common';
import {
  AREA_CLASSES,
  KPI_CODES,
  KPI_DIRECTIONS,
  POINT_RULE_KINDS,
  PRICE_ITEM_KINDS,
  SERVICE_TYPES,
  type StandardContent,
} from './content.ts';
import { KPI_NATURAL_DIRECTION, REQUIRED_POINT_RULES } from './defaults.ts';

export const LIMITS = {
  nameLength: 200,
  textLength: 2000,
  codeLength: 64,
  listLength: 100,
  conductItems: 50,
  maxSlaMinutes: 7 * 24 * 60,
  maxSlaHours: 7 * 24,
  maxMissedAppointmentMinutes: 24 * 60,
  maxRepeatRepairDays: 366,
  maxAttempts: 20,
  maxPointsPerRule: 100,
  maxIncentive: 100,
  maxCGradesPerYear: 12,
  maxReviewWindowDays: 30,
  maxPromotionRunMonths: 12,
  maxRankedCentres: 10_000,
  maxMinCompletions: 100_000,
  maxLicencePoints: 100,
  maxUsualDailyJobs: 50,
  maxCoefficient: 5,
  /** Whole hundredths: settlement applies T in integer hundredths (docs/domain.md §7). */
  coefficientDecimals: 2,
  maxAdjustmentFen: 1_000_000_000,
  /** Every month has a 28th. */
  maxApprovalDueDay: 28,
  maxWarrantyMonths: 120,
  priceListLength: 2000,
  maxPriceFen: 10_000_000,
  priceDescriptionLength: 120,
} as const;

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
/** Price-list codes follow part numbers (AC-COMPRESSOR, 0060401827): upper case and digits, hyphen-separated. */
const PRICE_CODE = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;

/** Collects violations with the path of the offending field, so a form can point at it. */
class Checker {
  readonly violations: Violation[] = [];

  add(field: string, message: string): void {
    this.violations.push({ field, message });
  }

  integer(field: string, value: unknown, min: number, max: number): value is number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(field, `must be a whole number from ${min} to ${max}`);
      return false;
    }
    return true;
  }

  finite(field: string, value: unknown, min: number, max: number): value is number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.add(field, `must be a number from ${min} to ${max}`);
      return false;
    }
    return true;
  }

  fen(field: string, value: unknown): void {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.add(field, 'must be a whole, non-negative number of fen');
    }
  }

  text(field: string, value: unknown, max: number, required = true): void {
    if (value === null || value === undefined) {
      if (required) this.add(field, 'is required');
      return;
    }
    if (typeof value !== 'string') return this.add(field, 'must be text');
    if (required && value.trim() === '') return this.add(field, 'must not be blank');
    if (value.length > max) this.add(field, `must be at most ${max} characters`);
  }

  code(field: string, value: unknown, pattern = UPPER_SNAKE, shape = 'UPPER_SNAKE_CASE'): void {
    if (typeof value !== 'string' || !pattern.test(value) || value.length > LIMITS.codeLength) {
      this.add(field, `must be ${shape}, at most ${LIMITS.codeLength} characters`);
    }
  }

  oneOf(field: string, value: unknown, allowed: readonly string[]): boolean {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.add(field, `must be one of ${allowed.join(', ')}`);
      return false;
    }
    return true;
  }

  list(field: string, value: unknown, max: number, min = 1): value is unknown[] {
    if (!Array.isArray(value)) {
      this.add(field, 'must be a list');
      return false;
    }
    if (value.length < min || value.length > max) {
      this.add(field, `must have ${min} to ${max} entries`);
      return false;
    }
    return true;
  }

  unique(field: (i: number) => string, values: readonly unknown[], what: string): void {
    const seen = new Set<unknown>();
    values.forEach((v, i) => {
      if (seen.has(v)) this.add(field(i), `duplicate ${what} ${String(v)}`);
      seen.add(v);
    });
  }
}

function hasAtMostDecimals(value: number, decimals: number): boolean {
  const scaled = value * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

function checkSlaClocks(c: Checker, s: StandardContent['slaClocks']): void {
  const p = 'slaClocks';
  c.integer(`${p}.acceptMinutes`, s.acceptMinutes, 1, LIMITS.maxSlaMinutes);
  c.integer(`${p}.maxDispatchAttempts`, s.maxDispatchAttempts, 1, LIMITS.maxAttempts);
  c.integer(`${p}.firstContactMinutes`, s.firstContactMinutes, 1, LIMITS.maxSlaMinutes);
  c.integer(`${p}.missedAppointmentMinutes`, s.missedAppointmentMinutes, 1, LIMITS.maxMissedAppointmentMinutes);
  c.integer(`${p}.completionReportMinutes`, s.completionReportMinutes, 1, LIMITS.maxSlaMinutes);
  c.integer(`${p}.callbackHours`, s.callbackHours, 1, LIMITS.maxSlaHours);
  c.integer(`${p}.callbackMaxAttempts`, s.callbackMaxAttempts, 1, LIMITS.maxAttempts);
  c.integer(`${p}.repeatRepairDays`, s.repeatRepairDays, 1, LIMITS.maxRepeatRepairDays);
  const h = s.complaintResponseHours;
  const okLevels = [h.level1, h.level2, h.level3].map((v, i) =>
    c.integer(`${p}.complaintResponseHours.level${i + 1}`, v, 1, LIMITS.maxSlaHours),
  );
  // Level 1 is the most severe complaint, so it may never wait longer than a milder one.
  if (okLevels[0] && okLevels[1] && h.level1 > h.level2) {
    c.add(`${p}.complaintResponseHours.level2`, `must be at least level1 (${h.level1} h)`);
  }
  if (okLevels[1] && okLevels[2] && h.level2 > h.level3) {
    c.add(`${p}.complaintResponseHours.level3`, `must be at least level2 (${h.level2} h)`);
  }
}

function checkPointRules(c: Checker, rules: StandardContent['pointRules']): void {
  if (!c.list('pointRules', rules, LIMITS.listLength)) return;
  rules.forEach((r, i) => {
    const p = `pointRules[${i}]`;
    c.code(`${p}.code`, r.code);
    c.text(`${p}.label`, r.label, LIMITS.nameLength);
    if (!c.oneOf(`${p}.kind`, r.kind, POINT_RULE_KINDS)) return;
    if (!c.integer(`${p}.points`, r.points, -LIMITS.maxPointsPerRule, LIMITS.maxPointsPerRule)) return;
    if (r.kind === 'VIOLATION' && r.points >= 0) c.add(`${p}.points`, 'a violation must deduct points (negative)');
    if (r.kind === 'CREDIT' && r.points <= 0) c.add(`${p}.points`, 'a credit must add points (positive)');
  });
  c.unique(
    (i) => `pointRules[${i}].code`,
    rules.map((r) => r.code),
    'code',
  );
  for (const [code, kind] of Object.entries(REQUIRED_POINT_RULES)) {
    const rule = rules.find((r) => r.code === code);
    if (!rule) c.add('pointRules', `must include ${code} (evidence from jobs and complaints is scored with it)`);
    else if (rule.kind !== kind) c.add(`pointRules[${rules.indexOf(rule)}].kind`, `${code} must be a ${kind}`);
  }
}

function checkKpis(c: Checker, kpis: StandardContent['kpis']): void {
  if (!c.list('kpis', kpis, LIMITS.listLength)) return;
  let weightsValid = true;
  kpis.forEach((k, i) => {
    const p = `kpis[${i}]`;
    const knownCode = c.oneOf(`${p}.code`, k.code, KPI_CODES);
    c.text(`${p}.name`, k.name, LIMITS.nameLength);
    c.text(`${p}.formula`, k.formula, LIMITS.textLength);
    weightsValid = c.integer(`${p}.weight`, k.weight, 0, 100) && weightsValid;
    const rates = c.finite(`${p}.target`, k.target, 0, 1) && c.finite(`${p}.floor`, k.floor, 0, 1);
    if (!c.oneOf(`${p}.direction`, k.direction, KPI_DIRECTIONS)) return;
    if (knownCode && k.direction !== KPI_NATURAL_DIRECTION[k.code]) {
      c.add(`${p}.direction`, `${k.code} is ${KPI_NATURAL_DIRECTION[k.code]}`);
    }
    if (!rates) return;
    if (k.direction === 'HIGHER_IS_BETTER' && !(k.target > k.floor)) {
      c.add(`${p}.floor`, `must be below the target (${k.target}) when higher is better`);
    }
    if (k.direction === 'LOWER_IS_BETTER' && !(k.target < k.floor)) {
      c.add(`${p}.floor`, `must be above the target (${k.target}) when lower is better`);
    }
  });
  c.unique(
    (i) => `kpis[${i}].code`,
    kpis.map((k) => k.code),
    'KPI',
  );
  for (const code of KPI_CODES) {
    if (!kpis.some((k) => k.code === code)) c.add('kpis', `must define ${code}`);
  }
  const total = kpis.reduce((sum, k) => sum + (typeof k.weight === 'number' ? k.weight : 0), 0);
  if (weightsValid && total !== 100) c.add('kpis', `weights must sum to 100, they sum to ${total}`);
}

function checkIncentives(c: Checker, points: StandardContent['incentivePoints']): void {
  c.finite('incentivePoints.qualityInfoAdopted', points.qualityInfoAdopted, 0, LIMITS.maxIncentive);
  c.finite('incentivePoints.serviceInnovation', points.serviceInnovation, 0, LIMITS.maxIncentive);
  c.finite('incentivePoints.majorComplaint', points.majorComplaint, -LIMITS.maxIncentive, 0);
}

function checkGrading(c: Checker, g: StandardContent['grading']): void {
  const a = c.finite('grading.aMinScore', g.aMinScore, 0, 100);
  const b = c.finite('grading.bMinScore', g.bMinScore, 0, 100);
  if (a && b && !(g.aMinScore > g.bMinScore)) c.add('grading.bMinScore', `must be below aMinScore (${g.aMinScore})`);
  c.integer('grading.minCompletions', g.minCompletions, 0, LIMITS.maxMinCompletions);
}

function checkConsequences(c: Checker, q: StandardContent['consequences']): void {
  const p = 'consequences';
  const suspend = c.integer(`${p}.suspendAtCGrades`, q.suspendAtCGrades, 1, LIMITS.maxCGradesPerYear);
  const eliminate = c.integer(`${p}.eliminateAtCGrades`, q.eliminateAtCGrades, 1, LIMITS.maxCGradesPerYear);
  if (suspend && eliminate && !(q.eliminateAtCGrades > q.suspendAtCGrades)) {
    c.add(`${p}.eliminateAtCGrades`, `must be more than suspendAtCGrades (${q.suspendAtCGrades})`);
  }
  c.integer(`${p}.awardTopN`, q.awardTopN, 0, LIMITS.maxRankedCentres);
  c.integer(`${p}.penaltyBottomN`, q.penaltyBottomN, 0, LIMITS.maxRankedCentres);
  c.fen(`${p}.awardFen`, q.awardFen);
  c.fen(`${p}.penaltyFen`, q.penaltyFen);
}

function checkEvaluation(c: Checker, e: StandardContent['evaluation']): void {
  c.integer('evaluation.reviewWindowDays', e.reviewWindowDays, 1, LIMITS.maxReviewWindowDays);
  c.integer('evaluation.promotionRunMonths', e.promotionRunMonths, 1, LIMITS.maxPromotionRunMonths);
}

function checkCoefficients(c: Checker, t: StandardContent['settlementCoefficients']): void {
  for (const key of ['A', 'B', 'C', 'ungraded'] as const) {
    const field = `settlementCoefficients.${key}`;
    const value = t[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > LIMITS.maxCoefficient) {
      c.add(field, `must be more than 0 and at most ${LIMITS.maxCoefficient}`);
    } else if (!hasAtMostDecimals(value, LIMITS.coefficientDecimals)) {
      c.add(field, `must be whole hundredths (at most ${LIMITS.coefficientDecimals} decimals)`);
    }
  }
}

function checkSettlement(c: Checker, s: StandardContent['settlement']): void {
  c.integer('settlement.maxAdjustmentFen', s.maxAdjustmentFen, 1, LIMITS.maxAdjustmentFen);
  c.integer('settlement.approvalDueDay', s.approvalDueDay, 1, LIMITS.maxApprovalDueDay);
}

/** The codes of the product lines, or null when the list itself is unusable (other parts then skip the cross-check). */
function checkProductLines(c: Checker, lines: StandardContent['productLines']): Set<string> | null {
  if (!c.list('productLines', lines, LIMITS.listLength)) return null;
  lines.forEach((l, i) => {
    c.code(`productLines[${i}].code`, l.code);
    c.text(`productLines[${i}].name`, l.name, LIMITS.nameLength);
    c.integer(`productLines[${i}].warrantyMonths`, l.warrantyMonths, 0, LIMITS.maxWarrantyMonths);
  });
  c.unique(
    (i) => `productLines[${i}].code`,
    lines.map((l) => l.code),
    'product line',
  );
  return new Set(lines.map((l) => l.code));
}

function checkLabourFees(c: Checker, fees: StandardContent['labourFees'], known: Set<string> | null): void {
  const maxFees = LIMITS.listLength * SERVICE_TYPES.length * AREA_CLASSES.length;
  if (!c.list('labourFees', fees, maxFees)) return;
  const seen = new Set<string>();
  fees.forEach((f, i) => {
    const p = `labourFees[${i}]`;
    if (known && !known.has(f.productLine)) c.add(`${p}.productLine`, `unknown product line ${String(f.productLine)}`);
    c.oneOf(`${p}.serviceType`, f.serviceType, SERVICE_TYPES);
    c.oneOf(`${p}.areaClass`, f.areaClass, AREA_CLASSES);
    c.fen(`${p}.feeFen`, f.feeFen);
    const key = `${f.productLine} ${f.serviceType} ${f.areaClass}`;
    if (seen.has(key)) c.add(p, `duplicate fee for ${key}`);
    seen.add(key);
  });
  if (!known) return;
  // Every job must find its fee: a gap would hold every such job's settlement.
  for (const line of known) {
    for (const type of SERVICE_TYPES) {
      for (const area of AREA_CLASSES) {
        if (!seen.has(`${line} ${type} ${area}`)) c.add('labourFees', `missing fee for ${line} ${type} ${area}`);
      }
    }
  }
}

/**
 * An empty list is allowed: it means nothing may be charged out of warranty. Lines need not all
 * have items for the same reason; an item may only name a line the standard has.
 */
function checkPriceList(c: Checker, items: StandardContent['priceList'], known: Set<string> | null): void {
  if (!c.list('priceList', items, LIMITS.priceListLength, 0)) return;
  items.forEach((item, i) => {
    const p = `priceList[${i}]`;
    c.code(`${p}.code`, item.code, PRICE_CODE, 'upper-case letters and digits separated by hyphens');
    if (known && !known.has(item.productLine))
      c.add(`${p}.productLine`, `unknown product line ${String(item.productLine)}`);
    c.oneOf(`${p}.kind`, item.kind, PRICE_ITEM_KINDS);
    c.text(`${p}.description`, item.description, LIMITS.priceDescriptionLength);
    c.integer(`${p}.priceFen`, item.priceFen, 0, LIMITS.maxPriceFen);
  });
  c.unique(
    (i) => `priceList[${i}].code`,
    items.map((item) => item.code),
    'code',
  );
}

function checkLicencePolicy(c: Checker, l: StandardContent['licencePolicy']): void {
  const p = 'licencePolicy';
  if (c.integer(`${p}.maxPoints`, l.maxPoints, 1, LIMITS.maxLicencePoints)) {
    c.integer(`${p}.warningAtOrBelow`, l.warningAtOrBelow, 0, l.maxPoints - 1);
  } else {
    c.integer(`${p}.warningAtOrBelow`, l.warningAtOrBelow, 0, LIMITS.maxLicencePoints - 1);
  }
  c.integer(`${p}.cycleMonths`, l.cycleMonths, 1, 36);
  c.integer(`${p}.warningDailyCapPercent`, l.warningDailyCapPercent, 1, 100);
  c.integer(`${p}.usualDailyJobs`, l.usualDailyJobs, 1, LIMITS.maxUsualDailyJobs);
}

function checkProcedure(c: Checker, steps: StandardContent['procedure']): void {
  if (!c.list('procedure', steps, LIMITS.listLength)) return;
  steps.forEach((s, i) => {
    const p = `procedure[${i}]`;
    c.integer(`${p}.order`, s.order, 1, steps.length);
    c.code(`${p}.code`, s.code);
    c.text(`${p}.name`, s.name, LIMITS.nameLength);
    c.text(`${p}.nameZh`, s.nameZh, LIMITS.nameLength);
    if (typeof s.requiredInCompletion !== 'boolean') c.add(`${p}.requiredInCompletion`, 'must be true or false');
  });
  c.unique(
    (i) => `procedure[${i}].order`,
    steps.map((s) => s.order),
    'order',
  );
  c.unique(
    (i) => `procedure[${i}].code`,
    steps.map((s) => s.code),
    'code',
  );
}

function checkConductCode(c: Checker, code: StandardContent['conductCode']): void {
  for (const side of ['dos', 'donts'] as const) {
    const items = code[side];
    if (!c.list(`conductCode.${side}`, items, LIMITS.conductItems)) continue;
    items.forEach((text, i) => c.text(`conductCode.${side}[${i}]`, text, LIMITS.textLength));
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every rule a standard must satisfy before it can be stored as a draft or published. */
export function validateContent(content: StandardContent): Violation[] {
  const c = new Checker();
  c.text('name', content.name, LIMITS.nameLength);
  c.text('description', content.description, LIMITS.textLength, false);
  // A missing part is reported once rather than crashing the checks that read inside it.
  const objectParts = [
    'slaClocks',
    'incentivePoints',
    'grading',
    'consequences',
    'evaluation',
    'settlementCoefficients',
    'settlement',
    'licencePolicy',
    'conductCode',
  ] as const;
  const present = new Set(objectParts.filter((part) => isRecord(content[part])));
  for (const part of objectParts) if (!present.has(part)) c.add(part, 'is required');
  if (present.has('slaClocks')) {
    if (isRecord(content.slaClocks.complaintResponseHours)) checkSlaClocks(c, content.slaClocks);
    else c.add('slaClocks.complaintResponseHours', 'is required');
  }
  checkPointRules(c, content.pointRules);
  checkKpis(c, content.kpis);
  if (present.has('incentivePoints')) checkIncentives(c, content.incentivePoints);
  if (present.has('grading')) checkGrading(c, content.grading);
  if (present.has('consequences')) checkConsequences(c, content.consequences);
  if (present.has('evaluation')) checkEvaluation(c, content.evaluation);
  if (present.has('settlementCoefficients')) checkCoefficients(c, content.settlementCoefficients);
  if (present.has('settlement')) checkSettlement(c, content.settlement);
  const productLines = checkProductLines(c, content.productLines);
  checkLabourFees(c, content.labourFees, productLines);
  checkPriceList(c, content.priceList, productLines);
  if (present.has('licencePolicy')) checkLicencePolicy(c, content.licencePolicy);
  checkProcedure(c, content.procedure);
  if (present.has('conductCode')) checkConductCode(c, content.conductCode);
  return c.violations;
}
