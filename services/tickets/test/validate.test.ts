import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  normalizeCompletion,
  validateAppointmentWindow,
  validateCompletion,
  validateIntake,
  validateReason,
  type CompletionContext,
  type CompletionInput,
} from '../src/rules/validate.ts';
import { DEFAULT_TICKET_POLICY as P } from './fixtures/policy.ts';
import { intakeInput, part, plus, report } from './fixtures/tickets.ts';

const fields = (v: { field: string }[]) => v.map((x) => x.field);
const NOW = new Date('2026-10-12T01:00:00Z');
const MS = 1;

describe('validateIntake', () => {
  it('accepts a well-formed request', () => expect(validateIntake(intakeInput(), NOW, P)).toEqual([]));

  it.each([
    ['customer.name', { customer: { ...intakeInput().customer, name: '' } }],
    ['customer.name', { customer: { ...intakeInput().customer, name: 'x'.repeat(101) } }],
    ['customer.phone', { customer: { ...intakeInput().customer, phone: '12800138000' } }],
    ['customer.phone', { customer: { ...intakeInput().customer, phone: '1380013800' } }],
    ['customer.address', { customer: { ...intakeInput().customer, address: '   ' } }],
    ['customer.address', { customer: { ...intakeInput().customer, address: 'x'.repeat(301) } }],
    ['customer.regionCode', { customer: { ...intakeInput().customer, regionCode: '010115' } }],
    ['customer.regionCode', { customer: { ...intakeInput().customer, regionCode: '31011' } }],
    ['productLine', { productLine: 'DRONE' }],
    ['model', { model: 'x'.repeat(65) }],
    ['serialNumber', { serialNumber: 'AB123' }],
    ['serialNumber', { serialNumber: '-AB1234' }],
    ['serialNumber', { serialNumber: 'A'.repeat(41) }],
    ['serialNumber', { serialNumber: 'AB 1234' }],
    ['purchaseDate', { purchaseDate: new Date('1989-12-31T00:00:00Z') }],
    ['purchaseDate', { purchaseDate: new Date('2026-10-13T00:00:00Z') }],
    ['purchaseDate', { purchaseDate: new Date('nope') }],
    ['serviceType', { serviceType: 'PAINT' as never }],
    ['areaClass', { areaClass: 'SUBURBAN' as never }],
    ['faultDescription', { faultDescription: 'x'.repeat(2001) }],
    ['faultDescription', { serviceType: 'REPAIR' as const, faultDescription: null }],
  ])('refuses %s', (field, over) => {
    expect(fields(validateIntake(intakeInput(over), NOW, P))).toEqual([field]);
  });

  it.each(['13800138000', '+8613800138000', '021-12345678', '0755-1234567'])(
    'accepts phone %s (the network service’s rule)',
    (phone) => {
      expect(validateIntake(intakeInput({ customer: { ...intakeInput().customer, phone } }), NOW, P)).toEqual([]);
    },
  );

  it('accepts serials of 6 and 40 characters in either case, trimmed', () => {
    for (const serialNumber of ['ab1234', 'A'.repeat(40), ' ac2025-000123 '])
      expect(validateIntake(intakeInput({ serialNumber }), NOW, P)).toEqual([]);
  });

  it('accepts 1990-01-01 and today in China (already tomorrow in UTC before 08:00)', () => {
    expect(validateIntake(intakeInput({ purchaseDate: new Date('1990-01-01T00:00:00Z') }), NOW, P)).toEqual([]);
    expect(
      validateIntake(
        intakeInput({ purchaseDate: new Date('2026-10-12T00:00:00Z') }),
        new Date('2026-10-11T17:00:00Z'),
        P,
      ),
    ).toEqual([]);
    expect(
      fields(
        validateIntake(
          intakeInput({ purchaseDate: new Date('2026-10-12T00:00:00Z') }),
          new Date('2026-10-11T15:59:00Z'),
          P,
        ),
      ),
    ).toEqual(['purchaseDate']);
  });

  it('needs a fault description only for a repair', () => {
    expect(validateIntake(intakeInput({ serviceType: 'INSTALL', faultDescription: null }), NOW, P)).toEqual([]);
  });

  it('knows only the product lines of the standard in force', () => {
    expect(
      fields(validateIntake(intakeInput(), NOW, { ...P, productLines: [{ code: 'TELEVISION', warrantyMonths: 12 }] })),
    ).toEqual(['productLine']);
  });
});

describe('validateAppointmentWindow', () => {
  const w = (fromMin: number, lengthMin: number) => ({ from: plus(NOW, fromMin), to: plus(NOW, fromMin + lengthMin) });
  it('accepts up to 8 hours, starting no earlier than 5 minutes ago and no later than 30 days ahead', () => {
    expect(validateAppointmentWindow(w(60, 8 * 60), NOW)).toEqual([]);
    expect(validateAppointmentWindow(w(-5, 60), NOW)).toEqual([]);
    expect(validateAppointmentWindow(w(30 * 24 * 60, 60), NOW)).toEqual([]);
  });
  it('refuses an empty or reversed window, one over 8 h, one in the past, one too far ahead', () => {
    expect(fields(validateAppointmentWindow(w(60, 0), NOW))).toEqual(['window.to']);
    expect(fields(validateAppointmentWindow(w(60, -30), NOW))).toEqual(['window.to']);
    const tooLong = w(60, 8 * 60);
    expect(fields(validateAppointmentWindow({ ...tooLong, to: new Date(tooLong.to.getTime() + MS) }, NOW))).toEqual([
      'window.to',
    ]);
    const past = w(-5, 60);
    expect(fields(validateAppointmentWindow({ ...past, from: new Date(past.from.getTime() - MS) }, NOW))).toEqual([
      'window.from',
    ]);
    const far = w(30 * 24 * 60, 60);
    expect(fields(validateAppointmentWindow({ from: new Date(far.from.getTime() + MS), to: far.to }, NOW))).toEqual([
      'window.from',
    ]);
    expect(fields(validateAppointmentWindow(null, NOW))).toEqual(['window']);
  });
});

describe('validateCompletion', () => {
  const ctx: CompletionContext = {
    policy: P,
    productLine: 'AIR_CONDITIONER',
    serviceType: 'REPAIR',
    checkedInAt: plus(NOW, -120),
    now: NOW,
  };
  const check = (over: Partial<CompletionInput>, c = ctx) =>
    fields(validateCompletion(report(plus(NOW, -30), over), c));

  it('accepts a full report', () =>
    expect(check({ parts: [part()], charges: [{ code: 'AC-CAPACITOR', quantity: 1, amountFen: 4500 }] })).toEqual([]));

  it('a missing required step is not an input error; an unknown or repeated step is', () => {
    expect(check({ checklist: [] })).toEqual([]);
    expect(check({ checklist: ['TEST_RUN', 'DANCE', 'TEST_RUN'] })).toEqual(['checklist[1]', 'checklist[2]']);
    expect(check({ checklist: Array.from({ length: 101 }, () => 'TEST_RUN') })).toEqual(['checklist']);
  });

  it('needs a well-formed fault code for a repair, none for an installation', () => {
    expect(check({ faultCode: null })).toEqual(['faultCode']);
    expect(check({ faultCode: 'E 1' })).toEqual(['faultCode']);
    expect(check({ faultCode: 'x'.repeat(17) })).toEqual(['faultCode']);
    expect(check({ faultCode: 'f-03' })).toEqual([]);
    expect(check({ faultCode: null }, { ...ctx, serviceType: 'INSTALL' })).toEqual([]);
  });

  it('bounds parts: 20 lines, each with part number, old-part serial and 1–10 units', () => {
    expect(check({ parts: Array.from({ length: 20 }, () => part()) })).toEqual([]);
    expect(check({ parts: Array.from({ length: 21 }, () => part()) })).toEqual(['parts']);
    expect(check({ parts: [part({ partNumber: '' })] })).toEqual(['parts[0].partNumber']);
    expect(check({ parts: [part({ oldPartSerial: 'x' })] })).toEqual(['parts[0].oldPartSerial']);
    for (const quantity of [0, 11, 1.5]) expect(check({ parts: [part({ quantity })] })).toEqual(['parts[0].quantity']);
    expect(check({ parts: [part({ quantity: 10 })] })).toEqual([]);
  });

  it('charges: a price-list code of the product line, whole fen 0–10,000,000, 1–10 units, one line per code', () => {
    const ch = (code: string, amountFen: number, quantity = 1) => ({ code, quantity, amountFen });
    expect(check({ charges: [ch('AC-LABOUR', 10_000_000)] })).toEqual([]);
    expect(check({ charges: [ch('AC-LABOUR', 0)] })).toEqual([]);
    expect(check({ charges: [ch('TV-REMOTE', 100)] })).toEqual(['charges[0].code']);
    expect(check({ charges: [ch('AC-LABOUR', 10_000_001)] })).toEqual(['charges[0].amountFen']);
    expect(check({ charges: [ch('AC-LABOUR', -1)] })).toEqual(['charges[0].amountFen']);
    expect(check({ charges: [ch('AC-LABOUR', 10.5)] })).toEqual(['charges[0].amountFen']);
    expect(check({ charges: [ch('AC-LABOUR', 100, 11)] })).toEqual(['charges[0].quantity']);
    expect(check({ charges: [ch('AC-LABOUR', 100), ch('AC-LABOUR', 100)] })).toEqual(['charges[1].code']);
    expect(check({ charges: Array.from({ length: 21 }, () => ch('AC-LABOUR', 1)) })).toEqual(['charges']);
  });

  it('notes up to 2000 characters', () => {
    expect(check({ notes: 'x'.repeat(LIMITS.textMax), delightNote: 'x'.repeat(2000) })).toEqual([]);
    expect(check({ notes: 'x'.repeat(2001), delightNote: 'x'.repeat(2001), valueAddNote: 'x'.repeat(2001) })).toEqual([
      'delightNote',
      'valueAddNote',
      'notes',
    ]);
  });

  it('work finished between the check-in and now (5 minutes of clock skew)', () => {
    expect(fields(validateCompletion(report(plus(NOW, -121)), ctx))).toEqual(['workFinishedAt']);
    expect(fields(validateCompletion(report(plus(NOW, 5)), ctx))).toEqual([]);
    expect(fields(validateCompletion(report(plus(NOW, 6)), ctx))).toEqual(['workFinishedAt']);
  });
});

describe('normalizeCompletion', () => {
  it('upper-cases codes and serials, turns blank notes into null', () => {
    const r = normalizeCompletion(
      report(NOW, {
        faultCode: ' e1 ',
        parts: [part({ partNumber: 'ac-cap', oldPartSerial: 'old-1234' })],
        notes: '  ',
        delightNote: ' thanked ',
      }),
    );
    expect(r).toMatchObject({
      faultCode: 'E1',
      parts: [{ partNumber: 'AC-CAP', oldPartSerial: 'OLD-1234', quantity: 1 }],
      notes: null,
      delightNote: 'thanked',
      valueAddNote: null,
    });
  });
});

describe('validateReason', () => {
  it('1–500 characters', () => {
    expect(validateReason('reason', 'x'.repeat(500))).toEqual([]);
    expect(fields(validateReason('reason', 'x'.repeat(501)))).toEqual(['reason']);
    expect(fields(validateReason('reason', undefined))).toEqual(['reason']);
  });
});
