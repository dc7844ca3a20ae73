import { describe, expect, it } from 'vitest';
import {
  COMPLAINT_STATES,
  COMPLAINT_STEP_FROM,
  COMPLAINT_TEXT_MAX,
  checkText,
  decideComplaint,
  openComplaint,
  type ComplaintCommand,
  type ComplaintSnapshot,
  type ComplaintState,
  type ComplaintStep,
} from '../src/rules/complaint.ts';
import { majorComplaint } from '../src/rules/evidence.ts';
import { kpiFacts } from '../src/rules/kpi-facts.ts';
import { complaintKpiFacts } from '../src/store/complaints.ts';
import { DEFAULT_TICKET_POLICY as P, policyWith } from './fixtures/policy.ts';
import { journey, plus, T0 } from './fixtures/tickets.ts';

const HOUR = 60;
const completed = journey('COMPLETED', { engineerId: 'E-7' });
const opened = (severity: number, at = plus(T0, 3 * 24 * HOUR), t = completed, policy = P) => {
  const r = openComplaint(t, { id: 'K-1', severity, description: ' rude engineer ' }, at, policy);
  if (!r.ok) throw new Error(r.message);
  return r;
};

/** A complaint driven through the rules to `state`. */
function at(state: ComplaintState, severity = 2): ComplaintSnapshot {
  let c = opened(severity).complaint;
  const steps: [ComplaintState, ComplaintCommand][] = [
    ['RESPONDED', { type: 'RESPOND', note: 'called back' }],
    ['RESOLVED', { type: 'RESOLVE', responsible: 'ENGINEER', rootCause: 'no shoe covers', resolution: 'retrained' }],
    ['CLOSED', { type: 'CLOSE' }],
  ];
  for (const [s, command] of steps) {
    if (c.state === state) return c;
    const d = decideComplaint(c, command, plus(c.openedAt, 60));
    if (!d.ok) throw new Error(d.message);
    c = { ...c, ...d.patch };
    expect(c.state).toBe(s);
  }
  return c;
}

describe('openComplaint', () => {
  it('records an OPEN complaint on the centre and engineer of the job, due by the severity’s clock', () => {
    const when = plus(T0, 3 * 24 * HOUR);
    for (const [severity, hours] of [
      [1, 2],
      [2, 8],
      [3, 24],
    ] as const) {
      const r = opened(severity, when);
      expect(r.complaint).toMatchObject({
        id: 'K-1',
        ticketId: 'T-1',
        centreId: 'C-1',
        engineerId: 'E-7',
        severity,
        state: 'OPEN',
        openedAt: when,
        respondedAt: null,
        responsibleParty: null,
      });
      expect(r.complaint.responseBy).toEqual(plus(when, hours * HOUR));
      expect(r.opened).toEqual({
        type: 'COMPLAINT_OPENED',
        at: when,
        data: { complaintId: 'K-1', ticketId: 'T-1', centreId: 'C-1', severity },
      });
    }
  });
  it('takes the clock from the ticket’s standard', () => {
    const p = policyWith({ complaintResponseHours: { level1: 1, level2: 4, level3: 48 } });
    expect(opened(1, T0, completed, p).complaint.responseBy).toEqual(plus(T0, 60));
    expect(opened(3, T0, completed, p).complaint.responseBy).toEqual(plus(T0, 48 * HOUR));
  });
  it('names the assigned engineer before completion', () => {
    expect(opened(2, T0, journey('ASSIGNED', { engineerId: 'E-9' })).complaint.engineerId).toBe('E-9');
    expect(opened(2, T0, journey('ACCEPTED')).complaint.engineerId).toBeNull();
  });
  it('refuses a job no centre has taken yet, naming the ticket state', () => {
    for (const state of ['RECEIVED', 'OFFERED'] as const) {
      const r = openComplaint(journey(state), { id: 'K-1', severity: 2, description: 'slow' }, T0, P);
      expect(r).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', state });
    }
  });
  it('refuses a severity other than 1, 2, 3 and a missing or oversized description, naming the field', () => {
    for (const severity of [0, 4, 1.5, -1, Number.NaN]) {
      expect(openComplaint(completed, { id: 'K', severity, description: 'x' }, T0, P)).toMatchObject({
        ok: false,
        code: 'BAD_USER_INPUT',
        violations: [{ field: 'severity' }],
      });
    }
    for (const description of ['', '   ', 'x'.repeat(COMPLAINT_TEXT_MAX.description + 1), 'bad\u0000byte']) {
      expect(openComplaint(completed, { id: 'K', severity: 2, description }, T0, P)).toMatchObject({
        ok: false,
        code: 'BAD_USER_INPUT',
        violations: [{ field: 'description' }],
      });
    }
    expect(
      openComplaint(completed, { id: 'K', severity: 2, description: 'x'.repeat(COMPLAINT_TEXT_MAX.description) }, T0, P)
        .ok,
    ).toBe(true);
  });
});

describe('the state machine OPEN → RESPONDED → RESOLVED → CLOSED', () => {
  const commands: Record<ComplaintStep, ComplaintCommand> = {
    RESPOND: { type: 'RESPOND' },
    RESOLVE: { type: 'RESOLVE', responsible: 'CENTRE', rootCause: 'late', resolution: 'apologised' },
    CLOSE: { type: 'CLOSE' },
  };
  // An independent table: the only legal (state, step) pairs.
  const legal = new Set(['OPEN/RESPOND', 'RESPONDED/RESOLVE', 'RESOLVED/CLOSE']);
  for (const state of COMPLAINT_STATES) {
    for (const step of Object.keys(commands) as ComplaintStep[]) {
      it(
        `${step} from ${state} is ` +
          `${legal.has(`${state}/${step}`) ? 'allowed' : 'INVALID_TRANSITION naming the state'}`,
        () => {
          const d = decideComplaint(at(state), commands[step], plus(T0, 5 * 24 * HOUR));
          if (legal.has(`${state}/${step}`)) expect(d.ok).toBe(true);
          else {
            expect(d).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', state });
            if (!d.ok) expect(d.message).toContain(state);
          }
        },
      );
    }
  }
  it('checks the state before the input', () => {
    expect(
      decideComplaint(at('OPEN'), { type: 'RESOLVE', responsible: 'CENTRE', rootCause: '', resolution: '' }, T0),
    ).toMatchObject({ code: 'INVALID_TRANSITION' });
  });
  it('COMPLAINT_STEP_FROM is what decideComplaint enforces', () => {
    expect(COMPLAINT_STEP_FROM).toEqual({ RESPOND: 'OPEN', RESOLVE: 'RESPONDED', CLOSE: 'RESOLVED' });
  });
});

describe('respond', () => {
  it('met exactly at the deadline, missed one millisecond later', () => {
    const c = at('OPEN', 1);
    expect(decideComplaint(c, { type: 'RESPOND' }, c.responseBy)).toMatchObject({
      ok: true,
      patch: { state: 'RESPONDED', respondedAt: c.responseBy, responseMet: true },
    });
    const late = new Date(c.responseBy.getTime() + 1);
    expect(decideComplaint(c, { type: 'RESPOND' }, late)).toMatchObject({ ok: true, patch: { responseMet: false } });
  });
  it('keeps a trimmed note, refuses an oversized one', () => {
    expect(decideComplaint(at('OPEN'), { type: 'RESPOND', note: ' sorry ' }, T0)).toMatchObject({
      ok: true,
      patch: { responseNote: 'sorry' },
    });
    expect(
      decideComplaint(at('OPEN'), { type: 'RESPOND', note: 'x'.repeat(COMPLAINT_TEXT_MAX.note + 1) }, T0),
    ).toMatchObject({ code: 'BAD_USER_INPUT', violations: [{ field: 'note' }] });
  });
});

describe('resolve', () => {
  const resolve = (c: ComplaintSnapshot, over: Partial<Extract<ComplaintCommand, { type: 'RESOLVE' }>> = {}) =>
    decideComplaint(
      c,
      {
        type: 'RESOLVE',
        responsible: 'ENGINEER',
        rootCause: 'skipped the test run',
        resolution: 'revisited, retrained',
        ...over,
      },
      plus(T0, 5 * 24 * HOUR),
    );
  it('ENGINEER names the job’s engineer; CENTRE names nobody', () => {
    expect(resolve(at('RESPONDED'))).toMatchObject({
      ok: true,
      patch: {
        state: 'RESOLVED',
        responsibleParty: { kind: 'ENGINEER', engineerId: 'E-7' },
        rootCause: 'skipped the test run',
      },
    });
    expect(resolve(at('RESPONDED'), { responsible: 'CENTRE' })).toMatchObject({
      ok: true,
      patch: { responsibleParty: { kind: 'CENTRE' } },
    });
  });
  it('a job without an engineer can’t blame one', () => {
    const c = { ...at('RESPONDED'), engineerId: null };
    expect(resolve(c)).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
      violations: [{ field: 'responsibleParty' }],
    });
    expect(resolve(c, { responsible: 'CENTRE' }).ok).toBe(true);
  });
  it('root cause and resolution are required and bounded', () => {
    const c = at('RESPONDED');
    expect(resolve(c, { rootCause: ' ' })).toMatchObject({ violations: [{ field: 'rootCause' }] });
    expect(resolve(c, { resolution: null })).toMatchObject({ violations: [{ field: 'resolution' }] });
    expect(
      resolve(c, {
        rootCause: 'x'.repeat(COMPLAINT_TEXT_MAX.rootCause + 1),
        resolution: 'x'.repeat(COMPLAINT_TEXT_MAX.resolution + 1),
      }),
    ).toMatchObject({ violations: [{ field: 'rootCause' }, { field: 'resolution' }] });
    expect(
      resolve(c, {
        rootCause: 'x'.repeat(COMPLAINT_TEXT_MAX.rootCause),
        resolution: 'x'.repeat(COMPLAINT_TEXT_MAX.resolution),
      }).ok,
    ).toBe(true);
  });
});

describe('MAJOR_COMPLAINT evidence and the KPI facts of a complaint', () => {
  it('a severity-1 complaint resolved with the engineer responsible, keyed on the complaint', () => {
    expect(majorComplaint(at('RESOLVED', 1))).toEqual({
      code: 'MAJOR_COMPLAINT',
      engineerId: 'E-7',
      evidenceKey: 'complaint:K-1:MAJOR_COMPLAINT',
      ticketId: 'T-1',
    });
    expect(majorComplaint(at('RESOLVED', 2))).toBeNull();
    const centre = decideComplaint(
      at('RESPONDED', 1),
      { type: 'RESOLVE', responsible: 'CENTRE', rootCause: 'r', resolution: 's' },
      T0,
    );
    if (!centre.ok) throw new Error(centre.message);
    expect(majorComplaint({ ...at('RESPONDED', 1), ...centre.patch })).toBeNull();
  });
  it('opening counts a complaint, and a major complaint at severity 1, in the Shanghai month; fact ids are the complaint’s', () => {
    const late = new Date('2026-10-31T16:30:00Z'); // 1 November in Shanghai
    const facts = complaintKpiFacts(opened(1, late).opened);
    expect(facts.map((f) => [f.id, f.counter, f.month, f.centreId, f.by])).toEqual([
      ['complaint:K-1:complaints:C-1', 'complaints', '2026-11', 'C-1', 1],
      ['complaint:K-1:majorComplaints:C-1', 'majorComplaints', '2026-11', 'C-1', 1],
    ]);
    expect(complaintKpiFacts(opened(3).opened).map((f) => f.counter)).toEqual(['complaints']);
    expect(kpiFacts(opened(2).opened).map((f) => f.counter)).toEqual(['complaints']);
  });
});

describe('checkText', () => {
  it('optional text may be absent or blank, tabs and newlines are text', () => {
    expect(checkText('note', null, 5, true)).toBeNull();
    expect(checkText('note', '  ', 5, true)).toBeNull();
    expect(checkText('note', 'a\tb\nc', 5)).toBeNull();
    expect(checkText('note', 42, 5)).toEqual({ field: 'note', message: 'must be text' });
  });
});
