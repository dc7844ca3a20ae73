import { describe, expect, it } from 'vitest';
import {
  ACTION_REQUIRES,
  CENTRE_STATUSES,
  STATUS_ACTIONS,
  actionFor,
  applyAction,
  canTransition,
  isDispatchable,
  type CentreStatus,
  type StatusAction,
} from '../src/rules/status.ts';

const LEGAL: [CentreStatus, StatusAction, CentreStatus][] = [
  ['ONBOARDING', 'ACTIVATE', 'ACTIVE'],
  ['ACTIVE', 'SUSPEND', 'SUSPENDED'],
  ['SUSPENDED', 'REINSTATE', 'ACTIVE'],
  ['ACTIVE', 'ELIMINATE', 'ELIMINATED'],
  ['SUSPENDED', 'ELIMINATE', 'ELIMINATED'],
];
const isLegal = (from: CentreStatus, action: StatusAction) => LEGAL.some(([f, a]) => f === from && a === action);

describe('applyAction', () => {
  it.each(LEGAL)('%s --%s--> %s', (from, action, to) => {
    expect(applyAction(from, action)).toEqual({ ok: true, from, to, action });
  });

  const illegal = CENTRE_STATUSES.flatMap((from) =>
    STATUS_ACTIONS.filter((a) => !isLegal(from, a)).map((a) => [from, a] as const),
  );
  it('covers all 16 (status, action) pairs', () => expect(illegal.length + LEGAL.length).toBe(16));
  it.each(illegal)('%s refuses %s', (from, action) => {
    const result = applyAction(from, action);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.from).toBe(from);
      expect(result.message).toMatch(from === 'ELIMINATED' ? /final/ : new RegExp(from));
    }
  });
});

describe('actionFor / canTransition', () => {
  const pairs = CENTRE_STATUSES.flatMap((from) => CENTRE_STATUSES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s', (from, to) => {
    const expected = LEGAL.find(([f, , t]) => f === from && t === to)?.[1] ?? null;
    expect(actionFor(from, to)).toBe(expected);
    expect(canTransition(from, to)).toBe(expected !== null);
  });
});

describe('requirements', () => {
  it('reinstatement needs a reason; elimination a reason and evidence', () => {
    expect(ACTION_REQUIRES.REINSTATE).toEqual({ reason: true, evidence: false });
    expect(ACTION_REQUIRES.ELIMINATE).toEqual({ reason: true, evidence: true });
    expect(ACTION_REQUIRES.SUSPEND.reason).toBe(true);
    expect(ACTION_REQUIRES.ACTIVATE).toEqual({ reason: false, evidence: false });
  });
  it('only ACTIVE centres receive dispatches', () => {
    expect(CENTRE_STATUSES.filter(isDispatchable)).toEqual(['ACTIVE']);
  });
});
