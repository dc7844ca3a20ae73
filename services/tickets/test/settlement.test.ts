import { describe, expect, it } from 'vitest';
import { labourFeeOf, settlementOf } from '../src/rules/settlement.ts';
import { DEFAULT_TICKET_POLICY as P, defaultTicketPolicy } from './fixtures/policy.ts';
import { journey, part, plus, step, T0 } from './fixtures/tickets.ts';

const withPart = { report: { parts: [part()] } };
const late = plus(T0, 10_000);

describe('labourFeeOf (product line × service type × area class)', () => {
  it('looks the job up in the standard’s fee table', () => {
    expect(labourFeeOf(journey('CLOSED'), P)).toBe(8000);
    expect(labourFeeOf(journey('CLOSED', { intake: { areaClass: 'RURAL' } }), P)).toBe(10000);
    expect(
      labourFeeOf(
        journey('CLOSED', { intake: { productLine: 'TELEVISION', serviceType: 'INSTALL', faultDescription: null } }),
        P,
      ),
    ).toBe(5000);
  });
  it('null when the standard has no fee for it', () => {
    expect(labourFeeOf(journey('CLOSED'), { ...defaultTicketPolicy(), labourFees: [] })).toBeNull();
  });
});

describe('settlementOf', () => {
  it('PENDING until the callback is final', () => {
    expect(settlementOf(journey('ON_SITE'), P)).toEqual({ status: 'PENDING', waitingFor: 'COMPLETION' });
    expect(settlementOf(journey('COMPLETED'), P)).toEqual({ status: 'PENDING', waitingFor: 'CALLBACK' });
  });

  it('PENDING for the quality check when nothing failed', () => {
    expect(settlementOf(journey('CALLED_BACK'), P)).toEqual({ status: 'PENDING', waitingFor: 'QUALITY_CHECK' });
  });

  it('PAYABLE with its fee once quality-checked; an UNREACHABLE customer does not hold it', () => {
    expect(settlementOf(journey('CLOSED'), P)).toEqual({ status: 'PAYABLE', feeFen: 8000 });
    let t = journey('COMPLETED');
    for (let i = 0; i < 5; i++) t = step(t, { type: 'CALLBACK_ATTEMPT', answer: 'NO_ANSWER' }, plus(T0, 3000 + i));
    t = step(t, { type: 'QUALITY_CHECK' }, plus(T0, 3100));
    expect(settlementOf(t, P)).toEqual({ status: 'PAYABLE', feeFen: 8000 });
  });

  it('HELD when the callback was UNSATISFIED, before and after the quality check', () => {
    const t = journey('CALLED_BACK', { callback: 'UNSATISFIED' });
    expect(settlementOf(t, P)).toEqual({ status: 'HELD', reasons: ['CALLBACK_UNSATISFIED'] });
    expect(settlementOf(step(t, { type: 'QUALITY_CHECK' }, late), P)).toEqual({
      status: 'HELD',
      reasons: ['CALLBACK_UNSATISFIED'],
    });
  });

  it('HELD while a warranty part’s old part is not back; then PENDING for the autopsy; HELD if it is inconsistent', () => {
    let t = journey('CALLED_BACK', withPart);
    expect(settlementOf(t, P)).toEqual({ status: 'HELD', reasons: ['OLD_PART_NOT_RETURNED'] });
    t = step(t, { type: 'RETURN_OLD_PART' }, late);
    expect(settlementOf(t, P)).toEqual({ status: 'PENDING', waitingFor: 'AUTOPSY' });
    const wrong = step(t, { type: 'RECORD_AUTOPSY', consistent: false, note: 'capacitor tested fine' }, plus(late, 1));
    expect(settlementOf(wrong, P)).toEqual({ status: 'HELD', reasons: ['AUTOPSY_INCONSISTENT'] });
    expect(settlementOf(step(wrong, { type: 'QUALITY_CHECK' }, plus(late, 2)), P)).toEqual({
      status: 'HELD',
      reasons: ['AUTOPSY_INCONSISTENT'],
    });
    const right = step(
      step(t, { type: 'RECORD_AUTOPSY', consistent: true, note: 'burnt' }, plus(late, 1)),
      { type: 'QUALITY_CHECK' },
      plus(late, 2),
    );
    expect(settlementOf(right, P)).toEqual({ status: 'PAYABLE', feeFen: 8000 });
  });

  it('lists every failed audit item', () => {
    expect(settlementOf(journey('CALLED_BACK', { ...withPart, callback: 'UNSATISFIED' }), P)).toEqual({
      status: 'HELD',
      reasons: ['CALLBACK_UNSATISFIED', 'OLD_PART_NOT_RETURNED'],
    });
  });

  it('an out-of-warranty part belongs to the customer: no return needed', () => {
    const t = journey('CLOSED', { intake: { purchaseDate: new Date('2024-01-01T00:00:00Z') }, ...withPart });
    expect(settlementOf(t, P)).toEqual({ status: 'PAYABLE', feeFen: 8000 });
  });

  it('NOT_PAYABLE when cancelled or superseded by a repeat repair, whatever else happened', () => {
    expect(settlementOf(step(journey('ASSIGNED'), { type: 'CANCEL', reason: 'dup' }, late), P)).toEqual({
      status: 'NOT_PAYABLE',
      reason: 'CANCELLED',
    });
    expect(settlementOf({ ...journey('CLOSED'), supersededBy: 'T-2' }, P)).toEqual({
      status: 'NOT_PAYABLE',
      reason: 'REPEAT_REPAIR',
    });
  });

  it('HELD, not dropped, when the standard has no fee for the job', () => {
    expect(settlementOf(journey('CLOSED'), { ...defaultTicketPolicy(), labourFees: [] })).toEqual({
      status: 'HELD',
      reasons: ['NO_LABOUR_FEE'],
    });
  });
});
