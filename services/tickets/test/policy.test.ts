import { describe, expect, it } from 'vitest';
import { policyViolations, priceItemOf } from '../src/rules/policy.ts';
import { DEFAULT_TICKET_POLICY as P, defaultTicketPolicy, policyWith } from './fixtures/policy.ts';

const fields = (v: { field: string }[]) => v.map((x) => x.field);

describe('policyViolations', () => {
  it('accepts the default standard', () => expect(policyViolations(P)).toEqual([]));

  it('refuses clocks that are not positive whole numbers', () => {
    expect(
      fields(policyViolations(policyWith({ acceptMinutes: 0, repeatRepairDays: 1.5, missedAppointmentMinutes: -1 }))),
    ).toEqual(['slaClocks.acceptMinutes', 'slaClocks.missedAppointmentMinutes', 'slaClocks.repeatRepairDays']);
  });

  it('refuses a required step that is not a step, a duplicate step, price or product line', () => {
    const p = defaultTicketPolicy();
    p.requiredSteps = [...p.requiredSteps, 'SING'];
    p.procedureSteps = [...p.procedureSteps, 'KNOCK'];
    p.priceList = [
      ...p.priceList,
      { ...p.priceList[0]! },
      { code: 'X-1', productLine: 'DRONE', kind: 'PART', description: 'x', priceFen: -5 },
    ];
    p.productLines = [...p.productLines, { code: 'TELEVISION', warrantyMonths: 12 }];
    expect(fields(policyViolations(p))).toEqual([
      'procedureSteps[24]',
      'requiredSteps[10]',
      'productLines[5]',
      'priceList[16]',
      'priceList[17].productLine',
      'priceList[17].priceFen',
    ]);
  });
});

describe('priceItemOf', () => {
  it('finds an item only under its own product line', () => {
    expect(priceItemOf(P, 'AIR_CONDITIONER', 'AC-CAPACITOR')?.priceFen).toBe(4500);
    expect(priceItemOf(P, 'TELEVISION', 'AC-CAPACITOR')).toBeNull();
  });
});
