import { describe, expect, it } from 'vitest';
import { receive } from '../src/rules/intake.ts';
import { decide } from '../src/rules/lifecycle.ts';
import { ticketSlas } from '../src/rules/sla.ts';
import { DEFAULT_TICKET_POLICY as P } from './fixtures/policy.ts';
import { intakeInput, T0 } from './fixtures/tickets.ts';

describe('receive (intake)', () => {
  it('records a verified request as RECEIVED, serial upper-cased, warranty fixed at the report instant', () => {
    const r = receive(
      'T-1',
      intakeInput({ serialNumber: ' ac2025-000123 ', purchaseDate: new Date('2025-10-12T00:00:00Z') }),
      new Date('2026-10-11T23:59:00Z'),
      P,
      'agent:A-1',
    );
    expect(r).toMatchObject({
      ok: true,
      ticket: {
        id: 'T-1',
        state: 'RECEIVED',
        warranty: 'IN_WARRANTY',
        product: { serialNumber: 'AC2025-000123' },
        centreId: null,
        offers: [],
      },
      events: [{ type: 'RECEIVED', actor: 'agent:A-1', data: { warranty: 'IN_WARRANTY' } }],
    });
    const next = receive(
      'T-2',
      intakeInput({ purchaseDate: new Date('2025-10-12T00:00:00Z') }),
      new Date('2026-10-12T00:00:00Z'),
      P,
    );
    expect(next.ok && next.ticket.warranty).toBe('OUT_OF_WARRANTY');
  });

  it('refuses bad input with every violation and creates nothing', () => {
    const r = receive('T-1', intakeInput({ productLine: 'DRONE', model: '' }), T0, P);
    expect(r).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      violations: [{ field: 'productLine' }, { field: 'model' }],
    });
  });

  it('stores a blank fault description as null', () => {
    const r = receive('T-1', intakeInput({ serviceType: 'INSTALL', faultDescription: '  ' }), T0, P);
    expect(r.ok && r.ticket.faultDescription).toBeNull();
  });

  it('starts a walk-in ACCEPTED at the receiving centre, first contact made at intake, with no offer', () => {
    const r = receive('T-1', intakeInput(), T0, P, 'partner:C-7', { centreId: 'C-7' });
    expect(r).toMatchObject({
      ok: true,
      ticket: {
        state: 'ACCEPTED',
        centreId: 'C-7',
        acceptedAt: T0,
        firstContactAt: T0,
        offers: [],
        warranty: 'IN_WARRANTY',
      },
      events: [
        { type: 'RECEIVED', actor: 'partner:C-7', data: { walkInCentreId: 'C-7' } },
        { type: 'ACCEPTED', actor: 'partner:C-7', data: { centreId: 'C-7' } },
        { type: 'CONTACTED', actor: 'partner:C-7', data: { centreId: 'C-7' } },
      ],
    });
  });

  it('from a walk-in on, the job runs like any accepted one, and dispatch is never a step of it', () => {
    const r = receive('T-1', intakeInput(), T0, P, 'partner:C-7', { centreId: 'C-7' });
    if (!r.ok) throw new Error('not received');
    const at = new Date(T0.getTime() + 60_000);
    const window = { from: new Date(T0.getTime() + 3_600_000), to: new Date(T0.getTime() + 7_200_000) };
    expect(decide(r.ticket, { type: 'BOOK', window, actor: 'partner:C-7' }, at, P)).toMatchObject({
      ok: true,
      patch: { state: 'BOOKED' },
    });
    expect(decide(r.ticket, { type: 'DISPATCH', centreId: 'C-8', actor: 'system' }, at, P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      state: 'ACCEPTED',
    });
    expect(decide(r.ticket, { type: 'ACCEPT', actor: 'partner:C-7' }, at, P)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
    // Its SLA clocks: no acceptance clock, the first contact met at intake.
    expect(ticketSlas(r.ticket, at, P).map((s) => [s.clock, s.status])).toEqual([['FIRST_CONTACT', 'MET']]);
  });

  it('refuses a walk-in for a malformed centre id, with the intake violations', () => {
    const r = receive('T-1', intakeInput({ model: '' }), T0, P, 'partner:x', { centreId: 'bad centre!' });
    expect(r).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      violations: [{ field: 'model' }, { field: 'centreId' }],
    });
  });
});
