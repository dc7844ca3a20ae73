import { describe, expect, it } from 'vitest';
import type { StandardContent } from '../src/rules/content.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { validateContent } from '../src/rules/validate.ts';

/** The fields reported after changing one thing in an otherwise valid standard. */
function fieldsAfter(change: (c: StandardContent) => void): string[] {
  const content = defaultStandardContent();
  change(content);
  return validateContent(content).map((v) => v.field);
}

const expectOnly = (change: (c: StandardContent) => void, ...fields: string[]) =>
  expect(fieldsAfter(change)).toEqual(fields);

describe('validateContent', () => {
  it('accepts the defaults', () => {
    expect(fieldsAfter(() => {})).toEqual([]);
  });

  it('gives a message with each field', () => {
    const content = defaultStandardContent();
    content.grading.bMinScore = 95;
    expect(validateContent(content)).toEqual([{ field: 'grading.bMinScore', message: 'must be below aMinScore (90)' }]);
  });

  describe('texts', () => {
    it('requires a name of at most 200 characters', () => {
      expectOnly((c) => (c.name = '  '), 'name');
      expectOnly((c) => (c.name = 'x'.repeat(201)), 'name');
      expectOnly((c) => (c.name = 'x'.repeat(200)));
    });
    it('bounds the description to 2000 characters and lets it be empty', () => {
      expectOnly((c) => (c.description = 'x'.repeat(2001)), 'description');
      expectOnly((c) => (c.description = null));
    });
    it('bounds labels, KPI texts, step names and conduct lines', () => {
      expectOnly((c) => (c.pointRules[1]!.label = ''), 'pointRules[1].label');
      expectOnly((c) => (c.kpis[4]!.formula = 'x'.repeat(2001)), 'kpis[4].formula');
      expectOnly((c) => (c.kpis[0]!.name = 'x'.repeat(201)), 'kpis[0].name');
      expectOnly((c) => (c.procedure[3]!.nameZh = ''), 'procedure[3].nameZh');
      expectOnly((c) => (c.procedure[3]!.name = 'x'.repeat(201)), 'procedure[3].name');
      expectOnly((c) => (c.conductCode.dos[2] = ' '), 'conductCode.dos[2]');
      expectOnly((c) => (c.conductCode.donts = []), 'conductCode.donts');
    });
  });

  describe('SLA clocks', () => {
    it('requires positive minutes and hours of at most 7 days', () => {
      expectOnly((c) => (c.slaClocks.acceptMinutes = 0), 'slaClocks.acceptMinutes');
      expectOnly((c) => (c.slaClocks.firstContactMinutes = 7 * 24 * 60 + 1), 'slaClocks.firstContactMinutes');
      expectOnly((c) => (c.slaClocks.completionReportMinutes = 7 * 24 * 60));
      expectOnly((c) => (c.slaClocks.completionReportMinutes = 1.5), 'slaClocks.completionReportMinutes');
      expectOnly((c) => (c.slaClocks.callbackHours = 169), 'slaClocks.callbackHours');
      expectOnly((c) => (c.slaClocks.repeatRepairDays = 0), 'slaClocks.repeatRepairDays');
    });
    it('allows 1 to 1440 whole minutes before an appointment counts as missed', () => {
      expectOnly((c) => (c.slaClocks.missedAppointmentMinutes = 0), 'slaClocks.missedAppointmentMinutes');
      expectOnly((c) => (c.slaClocks.missedAppointmentMinutes = 1));
      expectOnly((c) => (c.slaClocks.missedAppointmentMinutes = 1440));
      expectOnly((c) => (c.slaClocks.missedAppointmentMinutes = 1441), 'slaClocks.missedAppointmentMinutes');
      expectOnly((c) => (c.slaClocks.missedAppointmentMinutes = 90.5), 'slaClocks.missedAppointmentMinutes');
      expectOnly(
        (c) => delete (c.slaClocks as Partial<StandardContent['slaClocks']>).missedAppointmentMinutes,
        'slaClocks.missedAppointmentMinutes',
      );
    });
    it('allows 1 to 20 callback and dispatch attempts', () => {
      expectOnly((c) => (c.slaClocks.callbackMaxAttempts = 21), 'slaClocks.callbackMaxAttempts');
      expectOnly((c) => (c.slaClocks.callbackMaxAttempts = 20));
      expectOnly((c) => (c.slaClocks.maxDispatchAttempts = 0), 'slaClocks.maxDispatchAttempts');
    });
    it('orders complaint response hours level1 ≤ level2 ≤ level3', () => {
      expectOnly((c) => (c.slaClocks.complaintResponseHours.level1 = 9), 'slaClocks.complaintResponseHours.level2');
      expectOnly((c) => (c.slaClocks.complaintResponseHours.level3 = 7), 'slaClocks.complaintResponseHours.level3');
      expectOnly((c) => (c.slaClocks.complaintResponseHours = { level1: 4, level2: 4, level3: 4 }));
      expectOnly((c) => (c.slaClocks.complaintResponseHours.level1 = 0), 'slaClocks.complaintResponseHours.level1');
    });
  });

  describe('violation and credit catalogue', () => {
    it('requires negative points for violations and positive for credits', () => {
      expectOnly((c) => (c.pointRules[0]!.points = 3), 'pointRules[0].points');
      expectOnly((c) => (c.pointRules[0]!.points = 0), 'pointRules[0].points');
      expectOnly((c) => (c.pointRules[6]!.points = -1), 'pointRules[6].points');
      expectOnly((c) => (c.pointRules[0]!.points = -2.5), 'pointRules[0].points');
      expectOnly((c) => (c.pointRules[6]!.points = 1.5), 'pointRules[6].points');
    });
    it('requires unique UPPER_SNAKE codes', () => {
      expectOnly(
        (c) => c.pointRules.push({ code: 'late-arrival', kind: 'VIOLATION', points: -1, label: 'x' }),
        'pointRules[9].code',
      );
      expectOnly((c) => c.pointRules.push({ ...c.pointRules[0]! }), 'pointRules[9].code');
      expectOnly((c) => c.pointRules.push({ code: 'NO_SHOW', kind: 'VIOLATION', points: -4, label: '爽约' }));
    });
    it('keeps the codes other services score evidence with, of the right kind', () => {
      expectOnly((c) => c.pointRules.splice(2, 1), 'pointRules');
      expectOnly((c) => {
        c.pointRules[7]!.kind = 'VIOLATION';
        c.pointRules[7]!.points = -2;
      }, 'pointRules[7].kind');
    });
  });

  describe('KPIs', () => {
    it('requires integer weights summing to 100', () => {
      expectOnly((c) => (c.kpis[0]!.weight = 29), 'kpis');
      expectOnly((c) => (c.kpis[0]!.weight = 29.5), 'kpis[0].weight');
      expectOnly((c) => {
        c.kpis[0]!.weight = 25;
        c.kpis[1]!.weight = 20;
      });
    });
    it('requires each of the six KPIs exactly once', () => {
      expectOnly((c) => c.kpis.pop(), 'kpis', 'kpis');
      expectOnly((c) => (c.kpis[5]!.code = 'SATISFACTION_RATE'), 'kpis[5].code', 'kpis');
    });
    it('requires rates within 0 and 1', () => {
      expectOnly((c) => (c.kpis[0]!.target = 1.2), 'kpis[0].target');
      expectOnly((c) => (c.kpis[3]!.floor = -0.1), 'kpis[3].floor');
    });
    it('requires the target above the floor when higher is better', () => {
      expectOnly((c) => (c.kpis[0]!.floor = 0.95), 'kpis[0].floor');
      expectOnly((c) => (c.kpis[0]!.floor = 0.96), 'kpis[0].floor');
    });
    it('requires the target below the floor when lower is better', () => {
      expectOnly((c) => (c.kpis[2]!.floor = 0.02), 'kpis[2].floor');
      expectOnly((c) => (c.kpis[2]!.floor = 0.01), 'kpis[2].floor');
    });
    it('keeps each KPI’s natural direction', () => {
      expectOnly((c) => {
        const k = c.kpis[3]!;
        Object.assign(k, { direction: 'HIGHER_IS_BETTER', target: 0.05, floor: 0.01 });
      }, 'kpis[3].direction');
    });
  });

  describe('incentive points', () => {
    it('requires rewards non-negative and the major complaint non-positive', () => {
      expectOnly((c) => (c.incentivePoints.majorComplaint = 10), 'incentivePoints.majorComplaint');
      expectOnly((c) => (c.incentivePoints.qualityInfoAdopted = -2), 'incentivePoints.qualityInfoAdopted');
      expectOnly((c) => (c.incentivePoints.serviceInnovation = 2.5));
    });
  });

  describe('grading', () => {
    it('requires aMinScore above bMinScore', () => {
      expectOnly((c) => (c.grading.bMinScore = 90), 'grading.bMinScore');
      expectOnly((c) => (c.grading.bMinScore = 89.99));
    });
    it('requires scores within 0–100 and minCompletions ≥ 0', () => {
      expectOnly((c) => (c.grading.aMinScore = 101), 'grading.aMinScore');
      expectOnly((c) => (c.grading.minCompletions = -1), 'grading.minCompletions');
      expectOnly((c) => (c.grading.minCompletions = 0));
    });
  });

  describe('consequences', () => {
    it('requires eliminateAtCGrades > suspendAtCGrades ≥ 1', () => {
      expectOnly((c) => (c.consequences.eliminateAtCGrades = 2), 'consequences.eliminateAtCGrades');
      expectOnly((c) => (c.consequences.suspendAtCGrades = 0), 'consequences.suspendAtCGrades');
    });
    it('requires non-negative top/bottom counts', () => {
      expectOnly((c) => (c.consequences.awardTopN = -1), 'consequences.awardTopN');
      expectOnly((c) => (c.consequences.penaltyBottomN = -1), 'consequences.penaltyBottomN');
      expectOnly((c) => (c.consequences.penaltyBottomN = 0));
    });
    it('requires money as non-negative safe integers of fen', () => {
      expectOnly((c) => (c.consequences.awardFen = -1), 'consequences.awardFen');
      expectOnly((c) => (c.consequences.penaltyFen = 2000.5), 'consequences.penaltyFen');
      expectOnly((c) => (c.consequences.penaltyFen = 2 ** 53), 'consequences.penaltyFen');
      expectOnly((c) => (c.labourFees[3]!.feeFen = -100), 'labourFees[3].feeFen');
    });
  });

  describe('evaluation rules', () => {
    it('requires a review window of 1–30 whole days', () => {
      expectOnly((c) => (c.evaluation.reviewWindowDays = 0), 'evaluation.reviewWindowDays');
      expectOnly((c) => (c.evaluation.reviewWindowDays = 31), 'evaluation.reviewWindowDays');
      expectOnly((c) => (c.evaluation.reviewWindowDays = 2.5), 'evaluation.reviewWindowDays');
      expectOnly((c) => (c.evaluation.reviewWindowDays = 1));
      expectOnly((c) => (c.evaluation.reviewWindowDays = 30));
    });
    it('requires a promotion run of 1–12 whole months', () => {
      expectOnly((c) => (c.evaluation.promotionRunMonths = 0), 'evaluation.promotionRunMonths');
      expectOnly((c) => (c.evaluation.promotionRunMonths = 13), 'evaluation.promotionRunMonths');
      expectOnly((c) => (c.evaluation.promotionRunMonths = 1.5), 'evaluation.promotionRunMonths');
      expectOnly(
        (c) => delete (c.evaluation as Partial<StandardContent['evaluation']>).promotionRunMonths,
        'evaluation.promotionRunMonths',
      );
      expectOnly((c) => (c.evaluation.promotionRunMonths = 1));
      expectOnly((c) => (c.evaluation.promotionRunMonths = 12));
      const content = defaultStandardContent();
      content.evaluation.promotionRunMonths = 13;
      expect(validateContent(content)).toEqual([
        { field: 'evaluation.promotionRunMonths', message: 'must be a whole number from 1 to 12' },
      ]);
    });
    it('reports the missing part', () => {
      expectOnly((c) => delete (c as Partial<StandardContent>).evaluation, 'evaluation');
    });
  });

  describe('settlement coefficients', () => {
    it('requires more than 0 and at most 5', () => {
      expectOnly((c) => (c.settlementCoefficients.C = 0), 'settlementCoefficients.C');
      expectOnly((c) => (c.settlementCoefficients.A = 5.0001), 'settlementCoefficients.A');
      expectOnly((c) => (c.settlementCoefficients.A = 5));
    });
    it('requires whole hundredths, since settlement applies T in integer hundredths', () => {
      expectOnly((c) => (c.settlementCoefficients.A = 1.105), 'settlementCoefficients.A');
      expectOnly((c) => (c.settlementCoefficients.B = 1.0125), 'settlementCoefficients.B');
      expectOnly((c) => (c.settlementCoefficients.C = 0.901), 'settlementCoefficients.C');
      expectOnly((c) => (c.settlementCoefficients.ungraded = 1.00001), 'settlementCoefficients.ungraded');
      expectOnly((c) => (c.settlementCoefficients.C = 0.005), 'settlementCoefficients.C');
      // Binary float noise is not a third decimal.
      expectOnly((c) => (c.settlementCoefficients.A = 1.15));
      expectOnly((c) => (c.settlementCoefficients.B = 0.29));
      expectOnly((c) => (c.settlementCoefficients.C = 0.01));
      expectOnly((c) => (c.settlementCoefficients.ungraded = 4.99));
      const content = defaultStandardContent();
      content.settlementCoefficients.A = 1.105;
      expect(validateContent(content)).toEqual([
        { field: 'settlementCoefficients.A', message: 'must be whole hundredths (at most 2 decimals)' },
      ]);
    });
    it('reports each coefficient out of range once, not also for its decimals', () => {
      expectOnly((c) => (c.settlementCoefficients.A = 5.001), 'settlementCoefficients.A');
      expectOnly((c) => (c.settlementCoefficients.B = -0.005), 'settlementCoefficients.B');
    });
  });

  describe('settlement rules', () => {
    it('requires a largest adjustment of 1 to 1,000,000,000 whole fen', () => {
      expectOnly((c) => (c.settlement.maxAdjustmentFen = 0), 'settlement.maxAdjustmentFen');
      expectOnly((c) => (c.settlement.maxAdjustmentFen = -100), 'settlement.maxAdjustmentFen');
      expectOnly((c) => (c.settlement.maxAdjustmentFen = 1_000_000_001), 'settlement.maxAdjustmentFen');
      expectOnly((c) => (c.settlement.maxAdjustmentFen = 100.5), 'settlement.maxAdjustmentFen');
      expectOnly(
        (c) => ((c.settlement as unknown as Record<string, unknown>).maxAdjustmentFen = '10000'),
        'settlement.maxAdjustmentFen',
      );
      expectOnly(
        (c) => delete (c.settlement as Partial<StandardContent['settlement']>).maxAdjustmentFen,
        'settlement.maxAdjustmentFen',
      );
      expectOnly((c) => (c.settlement.maxAdjustmentFen = 1));
      expectOnly((c) => (c.settlement.maxAdjustmentFen = 1_000_000_000));
    });
    it('requires an approval due day of 1–28, a day every month has', () => {
      expectOnly((c) => (c.settlement.approvalDueDay = 0), 'settlement.approvalDueDay');
      expectOnly((c) => (c.settlement.approvalDueDay = 29), 'settlement.approvalDueDay');
      expectOnly((c) => (c.settlement.approvalDueDay = 31), 'settlement.approvalDueDay');
      expectOnly((c) => (c.settlement.approvalDueDay = 9.5), 'settlement.approvalDueDay');
      expectOnly(
        (c) => delete (c.settlement as Partial<StandardContent['settlement']>).approvalDueDay,
        'settlement.approvalDueDay',
      );
      expectOnly((c) => (c.settlement.approvalDueDay = 1));
      expectOnly((c) => (c.settlement.approvalDueDay = 28));
      const content = defaultStandardContent();
      content.settlement.approvalDueDay = 29;
      expect(validateContent(content)).toEqual([
        { field: 'settlement.approvalDueDay', message: 'must be a whole number from 1 to 28' },
      ]);
    });
    it('reports the missing part', () => {
      expectOnly((c) => delete (c as Partial<StandardContent>).settlement, 'settlement');
      expectOnly((c) => ((c as unknown as Record<string, unknown>).settlement = null), 'settlement');
    });
  });

  describe('product lines and labour fees', () => {
    it('requires unique UPPER_SNAKE product line codes', () => {
      expect(fieldsAfter((c) => (c.productLines[0]!.code = 'air_conditioner'))).toContain('productLines[0].code');
      expectOnly(
        (c) => c.productLines.push({ code: 'TELEVISION', name: 'again', warrantyMonths: 12 }),
        'productLines[5].code',
      );
      expectOnly((c) => (c.productLines = []), 'productLines');
    });
    it('requires a warranty of 0 to 120 whole months', () => {
      expectOnly((c) => (c.productLines[2]!.warrantyMonths = -1), 'productLines[2].warrantyMonths');
      expectOnly((c) => (c.productLines[2]!.warrantyMonths = 121), 'productLines[2].warrantyMonths');
      expectOnly((c) => (c.productLines[2]!.warrantyMonths = 12.5), 'productLines[2].warrantyMonths');
      expectOnly((c) => (c.productLines[2]!.warrantyMonths = 0));
      expectOnly((c) => (c.productLines[2]!.warrantyMonths = 120));
      expect(
        validateContent({
          ...defaultStandardContent(),
          productLines: [{ code: 'TELEVISION', name: 'TV', warrantyMonths: 121 }],
        }),
      ).toContainEqual({ field: 'productLines[0].warrantyMonths', message: 'must be a whole number from 0 to 120' });
    });
    it('requires fees to name a listed product line', () => {
      expectOnly((c) => (c.labourFees[39]!.productLine = 'FREEZER'), 'labourFees[39].productLine', 'labourFees');
    });
    it('refuses two fees for the same line, type and area', () => {
      expectOnly((c) => c.labourFees.push({ ...c.labourFees[0]! }), 'labourFees[40]');
    });
    it('requires a fee for every line × service type × area', () => {
      expectOnly((c) => c.labourFees.splice(5, 1), 'labourFees');
      expectOnly(
        (c) => c.productLines.push({ code: 'FREEZER', name: '冷柜', warrantyMonths: 12 }),
        ...Array(8).fill('labourFees'),
      );
    });
  });

  describe('out-of-warranty price list', () => {
    const item = (code: string) => ({
      code,
      productLine: 'TELEVISION',
      kind: 'PART' as const,
      description: 'part',
      priceFen: 100,
    });

    it('requires codes of upper-case letters and digits separated by hyphens, at most 64 characters', () => {
      for (const bad of ['ac-labour', 'AC_LABOUR', '-AC', 'AC-', 'AC--LABOUR', 'AC LABOUR', '', 'A'.repeat(65)]) {
        expectOnly((c) => (c.priceList[1]!.code = bad), 'priceList[1].code');
      }
      for (const good of ['AC-COMPRESSOR', 'X', '0060401827', 'TV-55-BOARD2', 'A'.repeat(64)]) {
        expectOnly((c) => (c.priceList[1]!.code = good));
      }
    });
    it('requires unique codes across the list', () => {
      expectOnly((c) => c.priceList.push({ ...c.priceList[0]! }), 'priceList[20].code');
      expectOnly((c) => c.priceList.push({ ...c.priceList[0]!, productLine: 'TELEVISION' }), 'priceList[20].code');
    });
    it('requires each item to name a product line of the standard', () => {
      expectOnly((c) => (c.priceList[3]!.productLine = 'FREEZER'), 'priceList[3].productLine');
      expectOnly(
        (c) => {
          c.productLines = c.productLines.filter((l) => l.code !== 'TELEVISION');
          c.labourFees = c.labourFees.filter((f) => f.productLine !== 'TELEVISION');
        },
        'priceList[16].productLine',
        'priceList[17].productLine',
        'priceList[18].productLine',
        'priceList[19].productLine',
      );
    });
    it('requires the kind PART or LABOUR', () => {
      expectOnly((c) => ((c.priceList[1] as { kind: string }).kind = 'SERVICE'), 'priceList[1].kind');
    });
    it('requires a description of 1 to 120 characters', () => {
      expectOnly((c) => (c.priceList[2]!.description = ''), 'priceList[2].description');
      expectOnly((c) => (c.priceList[2]!.description = '  '), 'priceList[2].description');
      expectOnly((c) => (c.priceList[2]!.description = 'x'.repeat(121)), 'priceList[2].description');
      expectOnly((c) => (c.priceList[2]!.description = 'x'));
      expectOnly((c) => (c.priceList[2]!.description = 'x'.repeat(120)));
    });
    it('requires prices of 0 to 10,000,000 whole fen', () => {
      expectOnly((c) => (c.priceList[4]!.priceFen = -1), 'priceList[4].priceFen');
      expectOnly((c) => (c.priceList[4]!.priceFen = 10_000_001), 'priceList[4].priceFen');
      expectOnly((c) => (c.priceList[4]!.priceFen = 100.5), 'priceList[4].priceFen');
      expectOnly((c) => (c.priceList[4]!.priceFen = 0));
      expectOnly((c) => (c.priceList[4]!.priceFen = 10_000_000));
      const content = defaultStandardContent();
      content.priceList[4]!.priceFen = 10_000_001;
      expect(validateContent(content)).toEqual([
        { field: 'priceList[4].priceFen', message: 'must be a whole number from 0 to 10000000' },
      ]);
    });
    it('allows an empty list and at most 2000 items', () => {
      expectOnly((c) => (c.priceList = []));
      expectOnly((c) => (c.priceList = Array.from({ length: 2000 }, (_, i) => item(`P-${i}`))));
      expectOnly((c) => (c.priceList = Array.from({ length: 2001 }, (_, i) => item(`P-${i}`))), 'priceList');
      expectOnly((c) => delete (c as Partial<StandardContent>).priceList, 'priceList');
    });
  });

  describe('licence policy', () => {
    it('requires maxPoints ≥ 1 and 0 ≤ warningAtOrBelow < maxPoints', () => {
      expectOnly((c) => (c.licencePolicy.maxPoints = 0), 'licencePolicy.maxPoints');
      expectOnly((c) => (c.licencePolicy.warningAtOrBelow = 12), 'licencePolicy.warningAtOrBelow');
      expectOnly((c) => (c.licencePolicy.warningAtOrBelow = -1), 'licencePolicy.warningAtOrBelow');
      expectOnly((c) => (c.licencePolicy.warningAtOrBelow = 0));
    });
    it('requires a daily cap of 1–100 % and a cycle of 1–36 months', () => {
      expectOnly((c) => (c.licencePolicy.warningDailyCapPercent = 0), 'licencePolicy.warningDailyCapPercent');
      expectOnly((c) => (c.licencePolicy.warningDailyCapPercent = 101), 'licencePolicy.warningDailyCapPercent');
      expectOnly((c) => (c.licencePolicy.cycleMonths = 37), 'licencePolicy.cycleMonths');
      expectOnly((c) => (c.licencePolicy.cycleMonths = 0), 'licencePolicy.cycleMonths');
    });
    it('requires usual daily jobs of 1–50, whole', () => {
      expectOnly((c) => (c.licencePolicy.usualDailyJobs = 0), 'licencePolicy.usualDailyJobs');
      expectOnly((c) => (c.licencePolicy.usualDailyJobs = 51), 'licencePolicy.usualDailyJobs');
      expectOnly((c) => (c.licencePolicy.usualDailyJobs = 7.5), 'licencePolicy.usualDailyJobs');
      expectOnly(
        (c) => delete (c.licencePolicy as Partial<StandardContent['licencePolicy']>).usualDailyJobs,
        'licencePolicy.usualDailyJobs',
      );
      expectOnly((c) => (c.licencePolicy.usualDailyJobs = 1));
      expectOnly((c) => (c.licencePolicy.usualDailyJobs = 50));
      const content = defaultStandardContent();
      content.licencePolicy.usualDailyJobs = 51;
      expect(validateContent(content)).toEqual([
        { field: 'licencePolicy.usualDailyJobs', message: 'must be a whole number from 1 to 50' },
      ]);
    });
  });

  describe('procedure', () => {
    it('requires orders 1..n, each once', () => {
      expectOnly((c) => (c.procedure[1]!.order = 1), 'procedure[1].order');
      expectOnly((c) => (c.procedure[23]!.order = 25), 'procedure[23].order');
      expectOnly((c) => {
        [c.procedure[0]!.order, c.procedure[1]!.order] = [2, 1];
      });
    });
    it('requires unique UPPER_SNAKE step codes', () => {
      expectOnly((c) => (c.procedure[5]!.code = 'RECEIVE_INFO'), 'procedure[5].code');
      expectOnly((c) => (c.procedure[5]!.code = 'en route'), 'procedure[5].code');
    });
    it('requires at least one step', () => {
      expectOnly((c) => (c.procedure = []), 'procedure');
    });
  });

  it('reports a missing part instead of failing', () => {
    expectOnly((c) => ((c as unknown as Record<string, unknown>)['grading'] = null), 'grading');
  });
});
