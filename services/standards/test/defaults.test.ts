import { describe, expect, it } from 'vitest';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { validateContent } from '../src/rules/validate.ts';

const d = defaultStandardContent();

describe('the default standard (docs/domain.md §3)', () => {
  it('passes its own validation', () => {
    expect(validateContent(defaultStandardContent())).toEqual([]);
  });

  it('hands out a fresh copy each time', () => {
    const a = defaultStandardContent();
    a.grading.aMinScore = 1;
    a.kpis.pop();
    expect(defaultStandardContent().grading.aMinScore).toBe(90);
    expect(defaultStandardContent().kpis).toHaveLength(6);
  });

  it('has the SLA clocks', () => {
    expect(d.slaClocks).toEqual({
      acceptMinutes: 30,
      maxDispatchAttempts: 3,
      firstContactMinutes: 30,
      missedAppointmentMinutes: 120,
      completionReportMinutes: 120,
      callbackHours: 24,
      callbackMaxAttempts: 5,
      repeatRepairDays: 90,
      complaintResponseHours: { level1: 2, level2: 8, level3: 24 },
    });
  });

  it('has the violation and credit catalogue', () => {
    expect(d.pointRules.map((r) => [r.code, r.kind, r.points, r.label])).toEqual([
      ['PROMISE_BROKEN', 'VIOLATION', -3, '承诺不兑现'],
      ['NON_STANDARD_SERVICE', 'VIOLATION', -2, '服务不规范'],
      ['OVERCHARGE', 'VIOLATION', -6, '乱收费'],
      ['REPEAT_REPAIR', 'VIOLATION', -3, '一次服务不到位、多次维修'],
      ['LATE_ARRIVAL', 'VIOLATION', -1, '上门服务迟到'],
      ['MAJOR_COMPLAINT', 'VIOLATION', -6, '重大服务投诉'],
      ['CUSTOMER_DELIGHT', 'CREDIT', 1, '创造用户感动'],
      ['SMALL_IMPROVEMENT', 'CREDIT', 2, '小改小革'],
      ['QUALITY_INFO_ADOPTED', 'CREDIT', 1, '质量信息采纳'],
    ]);
  });

  it('has the six KPIs with the table’s direction, target, floor and weight', () => {
    expect(d.kpis.map((k) => [k.code, k.direction, k.target, k.floor, k.weight])).toEqual([
      ['SATISFACTION_RATE', 'HIGHER_IS_BETTER', 0.95, 0.8, 30],
      ['INFORMATION_TIMELINESS', 'HIGHER_IS_BETTER', 0.98, 0.85, 15],
      ['DISPATCH_LEFTOVER', 'LOWER_IS_BETTER', 0.02, 0.1, 15],
      ['COMPLAINT_RATE', 'LOWER_IS_BETTER', 0.01, 0.05, 20],
      ['PARTS_MISJUDGEMENT', 'LOWER_IS_BETTER', 0.03, 0.15, 10],
      ['DELIGHT_RATE', 'HIGHER_IS_BETTER', 0.05, 0, 10],
    ]);
    expect(d.kpis.map((k) => k.formula)).toEqual([
      'satisfied callbacks / answered callbacks',
      'completions reported within SLA / completions',
      'jobs past due and still open at month end / jobs dispatched',
      'complaints / completions',
      'parts judged wrongly replaced / parts replaced',
      'completions with a recorded delight or value-add / completions',
    ]);
  });

  it('has the incentive points, grading, consequences and coefficients', () => {
    expect(d.incentivePoints).toEqual({ qualityInfoAdopted: 2, serviceInnovation: 2, majorComplaint: -10 });
    expect(d.grading).toEqual({ aMinScore: 90, bMinScore: 75, minCompletions: 10 });
    expect(d.consequences).toEqual({
      suspendAtCGrades: 2,
      eliminateAtCGrades: 3,
      awardTopN: 10,
      penaltyBottomN: 10,
      awardFen: 200000,
      penaltyFen: 200000,
    });
    expect(d.settlementCoefficients).toEqual({ A: 1.1, B: 1, C: 0.9, ungraded: 1 });
  });

  it('confirms an evaluation 3 days after its run and lists promotion candidates after 3 A months', () => {
    expect(d.evaluation).toEqual({ reviewWindowDays: 3, promotionRunMonths: 3 });
  });

  it('caps a finance adjustment at ¥100,000 either way and wants a month approved by the 10th', () => {
    expect(d.settlement).toEqual({ maxAdjustmentFen: 10000000, approvalDueDay: 10 });
  });

  it('has the licence policy', () => {
    expect(d.licencePolicy).toEqual({
      maxPoints: 12,
      warningAtOrBelow: 6,
      cycleMonths: 12,
      warningDailyCapPercent: 50,
      usualDailyJobs: 8,
    });
  });

  it('has the 24 procedure steps in order, with the handbook’s Chinese names', () => {
    expect(d.procedure).toHaveLength(24);
    expect(d.procedure.map((s) => s.order)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(d.procedure.map((s) => s.nameZh)).toEqual([
      '服务人员接收信息',
      '对用户信息如何进行分析',
      '联系用户',
      '上门前的准备工作',
      '出发',
      '路上',
      '进门前的准备工作',
      '敲门',
      '进门',
      '穿鞋套',
      '放好工具箱',
      '耐心听取用户意见',
      '产品真伪判断',
      '故障诊断',
      '故障维修',
      '试机通检',
      '指导使用',
      '产品清擦及现场清理',
      '超保收费',
      '征询用户意见',
      '一站式产品通检服务',
      '递服务名片向用户道别',
      '回访',
      '增值信息反馈',
    ]);
    expect(d.procedure.filter((s) => s.requiredInCompletion).map((s) => s.code)).toEqual([
      'CONTACT_CUSTOMER',
      'SHOE_COVERS',
      'PLACE_TOOLBOX',
      'LISTEN_TO_CUSTOMER',
      'TEST_RUN',
      'USAGE_GUIDANCE',
      'CLEAN_UP',
      'ASK_OPINION',
      'ONE_STOP_CHECK',
      'FAREWELL',
    ]);
  });

  it('has the ten dos and ten don’ts', () => {
    expect(d.conductCode.dos).toHaveLength(10);
    expect(d.conductCode.donts).toHaveLength(10);
    expect(d.conductCode.dos[0]).toBe('安装服务要致谢');
    expect(d.conductCode.donts[1]).toBe('上门服务不准迟到拖延');
  });

  it('has a complete labour fee table in fen for every product line', () => {
    expect(d.productLines.map((l) => l.code)).toEqual([
      'AIR_CONDITIONER',
      'REFRIGERATOR',
      'WASHING_MACHINE',
      'WATER_HEATER',
      'TELEVISION',
    ]);
    expect(d.labourFees).toHaveLength(5 * 4 * 2);
    for (const fee of d.labourFees) expect(Number.isSafeInteger(fee.feeFen) && fee.feeFen > 0).toBe(true);
    const fee = (line: string, type: string, area: string) =>
      d.labourFees.find((f) => f.productLine === line && f.serviceType === type && f.areaClass === area)?.feeFen;
    expect(fee('AIR_CONDITIONER', 'INSTALL', 'URBAN')).toBe(15000);
    expect(fee('AIR_CONDITIONER', 'INSTALL', 'RURAL')).toBe(18000);
    expect(fee('TELEVISION', 'INSPECTION', 'URBAN')).toBe(2000);
  });

  it('gives every product line the one-year whole-unit warranty (三包)', () => {
    expect(d.productLines.map((l) => [l.code, l.warrantyMonths])).toEqual([
      ['AIR_CONDITIONER', 12],
      ['REFRIGERATOR', 12],
      ['WASHING_MACHINE', 12],
      ['WATER_HEATER', 12],
      ['TELEVISION', 12],
    ]);
  });

  it('has an out-of-warranty price list: per line one labour item and common parts, in fen', () => {
    for (const line of d.productLines) {
      const items = d.priceList.filter((i) => i.productLine === line.code);
      expect(
        items.filter((i) => i.kind === 'LABOUR'),
        line.code,
      ).toHaveLength(1);
      expect(items.filter((i) => i.kind === 'PART').length, line.code).toBeGreaterThanOrEqual(2);
      expect(items.filter((i) => i.kind === 'PART').length, line.code).toBeLessThanOrEqual(3);
    }
    expect(d.priceList).toHaveLength(20);
    for (const item of d.priceList)
      expect(Number.isSafeInteger(item.priceFen) && item.priceFen > 0, item.code).toBe(true);
    const price = (code: string) => d.priceList.find((i) => i.code === code)?.priceFen;
    expect(price('AC-COMPRESSOR')).toBe(120000);
    expect(price('RF-THERMOSTAT')).toBe(6000);
    expect(price('WM-DRAIN-PUMP')).toBe(8000);
    expect(price('WH-HEATING-ELEMENT')).toBe(12000);
    expect(price('TV-POWER-BOARD')).toBe(25000);
  });

  it('charges out-of-warranty labour no higher than the urban repair fee the manufacturer pays', () => {
    for (const labour of d.priceList.filter((i) => i.kind === 'LABOUR')) {
      const fee = d.labourFees.find(
        (f) => f.productLine === labour.productLine && f.serviceType === 'REPAIR' && f.areaClass === 'URBAN',
      );
      expect(labour.priceFen, labour.code).toBe(fee?.feeFen);
    }
  });
});
