import { describe, expect, it } from 'vitest';
import {
  STATEMENT_STATES,
  acceptsAdjustments,
  canTransition,
  checkTransition,
  statementStateIn,
  type StatementState,
} from '../src/rules/state.ts';

const LEGAL: [StatementState, StatementState][] = [
  ['DRAFT', 'IN_REVIEW'],
  ['IN_REVIEW', 'ON_HOLD'],
  ['ON_HOLD', 'IN_REVIEW'],
  ['IN_REVIEW', 'APPROVED'],
  ['APPROVED', 'EXPORTED'],
];
const isLegal = (from: StatementState, to: StatementState) => LEGAL.some(([f, t]) => f === from && t === to);

describe('checkTransition', () => {
  it.each(LEGAL)('%s → %s', (from, to) => {
    expect(checkTransition(from, to)).toEqual({ ok: true });
    expect(canTransition(from, to)).toBe(true);
  });

  const illegal = STATEMENT_STATES.flatMap((from) =>
    STATEMENT_STATES.filter((to) => !isLegal(from, to)).map((to) => [from, to] as const),
  );
  it('covers all 25 pairs', () => expect(illegal.length + LEGAL.length).toBe(25));
  it.each(illegal)('%s ↛ %s, naming the current state', (from, to) => {
    const result = checkTransition(from, to);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(`that is ${from} cannot become ${to}`);
    expect(canTransition(from, to)).toBe(false);
  });

  it('says where a state may go, or that it is final', () => {
    expect(checkTransition('ON_HOLD', 'APPROVED')).toEqual({
      ok: false,
      message: 'a statement that is ON_HOLD cannot become APPROVED (only to IN_REVIEW)',
    });
    expect(checkTransition('IN_REVIEW', 'EXPORTED')).toEqual({
      ok: false,
      message: 'a statement that is IN_REVIEW cannot become EXPORTED (only to ON_HOLD or APPROVED)',
    });
    expect(checkTransition('EXPORTED', 'IN_REVIEW')).toEqual({
      ok: false,
      message: 'a statement that is EXPORTED cannot become IN_REVIEW (it is final)',
    });
  });
});

describe('acceptsAdjustments', () => {
  it('only a statement under review: not one being built, held, approved or exported', () => {
    expect(STATEMENT_STATES.filter(acceptsAdjustments)).toEqual(['IN_REVIEW']);
  });
});

describe('statementStateIn: a statement follows its run, except a hold', () => {
  it('is DRAFT while the run waits or builds, held or not', () => {
    expect([
      statementStateIn('WAITING_FOR_EVALUATION', false),
      statementStateIn('BUILDING', false),
      statementStateIn('BUILDING', true),
    ]).toEqual(['DRAFT', 'DRAFT', 'DRAFT']);
  });
  it('is IN_REVIEW or ON_HOLD while the run is in review', () => {
    expect([statementStateIn('IN_REVIEW', false), statementStateIn('IN_REVIEW', true)]).toEqual([
      'IN_REVIEW',
      'ON_HOLD',
    ]);
  });
  it('is the run’s APPROVED or EXPORTED once approved', () => {
    expect([statementStateIn('APPROVED', false), statementStateIn('EXPORTED', false)]).toEqual([
      'APPROVED',
      'EXPORTED',
    ]);
  });
});
