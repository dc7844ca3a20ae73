import { describe, expect, it } from 'vitest';
import { validateAdjustment } from '../src/rules/adjustment.ts';

const context = { statementMonth: '2026-10', maxAdjustmentFen: 500_000 };
const valid = { amountFen: -12_345, reason: '投诉罚款 complaint fine, job J-2026-77', correctsMonth: null };
const fields = (input: Parameters<typeof validateAdjustment>[0], ctx = context) =>
  validateAdjustment(input, ctx).map((v) => v.field);

describe('validateAdjustment', () => {
  it('accepts whole fen of either sign within bounds, with a reason', () => {
    expect(validateAdjustment(valid, context)).toEqual([]);
    expect(validateAdjustment({ amountFen: 1, reason: 'r' }, context)).toEqual([]);
    expect(
      validateAdjustment({ amountFen: 500_000, reason: 'at the bound', correctsMonth: '2026-09' }, context),
    ).toEqual([]);
    expect(validateAdjustment({ amountFen: -500_000, reason: 'x'.repeat(500) }, context)).toEqual([]);
  });

  it('refuses an amount that is not whole fen', () => {
    expect(validateAdjustment({ ...valid, amountFen: 12.5 }, context)).toEqual([
      { field: 'amountFen', message: 'must be a whole number of fen' },
    ]);
    expect(fields({ ...valid, amountFen: '100' })).toEqual(['amountFen']);
    expect(fields({ ...valid, amountFen: Number.NaN })).toEqual(['amountFen']);
    expect(fields({ ...valid, amountFen: 2 ** 53 })).toEqual(['amountFen']);
  });

  it('refuses zero', () => {
    expect(validateAdjustment({ ...valid, amountFen: 0 }, context)).toEqual([
      { field: 'amountFen', message: 'must not be 0' },
    ]);
  });

  it('refuses an amount beyond the bound, either way', () => {
    expect(validateAdjustment({ ...valid, amountFen: 500_001 }, context)).toEqual([
      { field: 'amountFen', message: 'must be at most 500000 fen either way' },
    ]);
    expect(fields({ ...valid, amountFen: -500_001 })).toEqual(['amountFen']);
  });

  it('takes the bound it is given: the default standard’s ¥100,000 allows exactly that much', () => {
    const ctx = { statementMonth: '2026-10', maxAdjustmentFen: 10_000_000 };
    expect(fields({ ...valid, amountFen: -10_000_000 }, ctx)).toEqual([]);
    expect(fields({ ...valid, amountFen: 10_000_001 }, ctx)).toEqual(['amountFen']);
  });

  it('requires a reason of at most 500 characters', () => {
    expect(validateAdjustment({ ...valid, reason: undefined }, context)).toEqual([
      { field: 'reason', message: 'is required' },
    ]);
    expect(fields({ ...valid, reason: '   ' })).toEqual(['reason']);
    expect(validateAdjustment({ ...valid, reason: 'x'.repeat(501) }, context)).toEqual([
      { field: 'reason', message: 'must be at most 500 characters' },
    ]);
  });

  it('requires a corrected month to be YYYY-MM and earlier than the statement’s', () => {
    expect(validateAdjustment({ ...valid, correctsMonth: '2026-10' }, context)).toEqual([
      { field: 'correctsMonth', message: "must be earlier than the statement's month 2026-10" },
    ]);
    expect(fields({ ...valid, correctsMonth: '2026-11' })).toEqual(['correctsMonth']);
    expect(validateAdjustment({ ...valid, correctsMonth: '2026-13' }, context)).toEqual([
      { field: 'correctsMonth', message: 'must be a month YYYY-MM' },
    ]);
    expect(fields({ ...valid, correctsMonth: '2026-9' })).toEqual(['correctsMonth']);
    expect(fields({ ...valid, correctsMonth: '2025-12' })).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(fields({ amountFen: 0, reason: '', correctsMonth: '2027-01' })).toEqual([
      'amountFen',
      'reason',
      'correctsMonth',
    ]);
  });
});
