import { describe, expect, it } from 'vitest';
import type { StandardContent } from '../src/rules/content.ts';
import { defaultStandardContent, fillMissingParts, type StoredStandardContent } from '../src/rules/defaults.ts';
import { validateContent } from '../src/rules/validate.ts';

/** Content as versions stored before missedAppointmentMinutes, warrantyMonths, priceList and usualDailyJobs hold it. */
function storedBeforeTicketFields(content: StandardContent = defaultStandardContent()): StoredStandardContent {
  const { priceList: _priceList, ...rest } = structuredClone(content);
  const { missedAppointmentMinutes: _missed, ...slaClocks } = rest.slaClocks;
  const { usualDailyJobs: _usual, ...licencePolicy } = rest.licencePolicy;
  return {
    ...rest,
    slaClocks,
    licencePolicy,
    productLines: rest.productLines.map(({ code, name }) => ({ code, name })),
  };
}

describe('fillMissingParts', () => {
  it('reads the seeded default as stored before the new fields as today’s default standard', () => {
    const filled = fillMissingParts(storedBeforeTicketFields());
    expect(filled).toEqual(defaultStandardContent());
    expect(filled.licencePolicy.usualDailyJobs).toBe(8);
    expect(validateContent(filled)).toEqual([]);
  });

  it('fills usualDailyJobs alone, keeping the rest of a stored licence policy', () => {
    const content = defaultStandardContent();
    content.licencePolicy = {
      maxPoints: 10,
      warningAtOrBelow: 4,
      cycleMonths: 24,
      warningDailyCapPercent: 40,
      usualDailyJobs: 3,
    };
    expect(fillMissingParts(storedBeforeTicketFields(content)).licencePolicy).toEqual({
      maxPoints: 10,
      warningAtOrBelow: 4,
      cycleMonths: 24,
      warningDailyCapPercent: 40,
      usualDailyJobs: 8,
    });
  });

  it('keeps what is stored, including an empty price list', () => {
    const stored: StoredStandardContent = {
      ...storedBeforeTicketFields(),
      slaClocks: { ...defaultStandardContent().slaClocks, missedAppointmentMinutes: 90 },
      priceList: [],
      licencePolicy: { ...defaultStandardContent().licencePolicy, usualDailyJobs: 5 },
    };
    stored.productLines[1] = { ...stored.productLines[1]!, warrantyMonths: 36 };
    const filled = fillMissingParts(stored);
    expect(filled.slaClocks.missedAppointmentMinutes).toBe(90);
    expect(filled.productLines.map((l) => l.warrantyMonths)).toEqual([12, 36, 12, 12, 12]);
    expect(filled.priceList).toEqual([]);
    expect(filled.licencePolicy.usualDailyJobs).toBe(5);
  });

  it('fills the price list only with items of the version’s own product lines', () => {
    const content = defaultStandardContent();
    content.productLines = [
      ...content.productLines.filter((l) => l.code === 'TELEVISION'),
      { code: 'FREEZER', name: '冷柜', warrantyMonths: 12 },
    ];
    const filled = fillMissingParts(storedBeforeTicketFields(content));
    expect(filled.productLines).toEqual([
      { code: 'TELEVISION', name: '电视 (television)', warrantyMonths: 12 },
      { code: 'FREEZER', name: '冷柜', warrantyMonths: 12 },
    ]);
    expect(filled.priceList.map((i) => i.code)).toEqual([
      'TV-LABOUR',
      'TV-POWER-BOARD',
      'TV-MAIN-BOARD',
      'TV-BACKLIGHT',
    ]);
  });

  it('gives a version stored before the evaluation rules the defaults, and keeps stored ones', () => {
    const { evaluation: _evaluation, ...before } = storedBeforeTicketFields();
    expect(fillMissingParts(before).evaluation).toEqual({ reviewWindowDays: 3, promotionRunMonths: 3 });
    const stored = { ...storedBeforeTicketFields(), evaluation: { reviewWindowDays: 5, promotionRunMonths: 6 } };
    expect(fillMissingParts(stored).evaluation).toEqual({ reviewWindowDays: 5, promotionRunMonths: 6 });
  });

  it('gives a version stored before the settlement rules the defaults, and keeps stored ones', () => {
    const { settlement: _settlement, ...before } = storedBeforeTicketFields();
    const filled = fillMissingParts(before);
    expect(filled.settlement).toEqual({ maxAdjustmentFen: 10000000, approvalDueDay: 10 });
    expect(filled).toEqual(defaultStandardContent());
    expect(validateContent(filled)).toEqual([]);
    const stored = { ...storedBeforeTicketFields(), settlement: { maxAdjustmentFen: 500000, approvalDueDay: 28 } };
    expect(fillMissingParts(stored).settlement).toEqual({ maxAdjustmentFen: 500000, approvalDueDay: 28 });
  });

  it('hands out copies, so a caller changing a filled list changes no default', () => {
    const filled = fillMissingParts(storedBeforeTicketFields());
    filled.priceList[0]!.priceFen = 1;
    const { settlement: _settlement, ...before } = storedBeforeTicketFields();
    fillMissingParts(before).settlement.approvalDueDay = 1;
    expect(fillMissingParts(before).settlement.approvalDueDay).toBe(10);
    expect(fillMissingParts(storedBeforeTicketFields()).priceList[0]!.priceFen).toBe(8000);
    expect(defaultStandardContent().priceList[0]!.priceFen).toBe(8000);
  });
});
