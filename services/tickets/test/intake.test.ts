import { describe, expect, it } from 'vitest';
import { receive } from '../src/rules/intake.ts';
import { DEFAULT_TICKET_POLICY as P } from './fixtures/policy.ts';
import { intakeInput, T0 } from './fixtures/tickets.ts';

describe('receive (intake)', () => {
  it('records a verified request as RECEIVED, serial upper-cased, warranty fixed at the report instant', () => {
    const r = receive('T-1', intakeInput({ serialNumber: ' ac2025-000123 ', purchaseDate: new Date('2025-10-12T00:00:00Z') }), new Date('2026-10-11T23:59:00Z'), P, 'agent:A-1');
    expect(r).toMatchObject({
      ok: true,
      ticket: { id: 'T-1', state: 'RECEIVED', warranty: 'IN_WARRANTY', product: { serialNumber: 'AC2025-000123' }, centreId: null, offers: [] },
      events: [{ type: 'RECEIVED', actor: 'agent:A-1', data: { warranty: 'IN_WARRANTY' } }],
    });
    const next = receive('T-2', intakeInput({ purchaseDate: new Date('2025-10-12T00:00:00Z') }), new Date('2026-10-12T00:00:00Z'), P);
    expect(next.ok && next.ticket.warranty).toBe('OUT_OF_WARRANTY');
  });

  it('refuses bad input with every violation and creates nothing', () => {
    const r = receive('T-1', intakeInput({ productLine: 'DRONE', model: '' }), T0, P);
    expect(r).toMatchObject({ ok: false, code: 'BAD_USER_INPUT', violations: [{ field: 'productLine' }, { field: 'model' }] });
  });

  it('stores a blank fault description as null', () => {
    const r = receive('T-1', intakeInput({ serviceType: 'INSTALL', faultDescription: '  ' }), T0, P);
    expect(r.ok && r.ticket.faultDescription).toBeNull();
  });
});
