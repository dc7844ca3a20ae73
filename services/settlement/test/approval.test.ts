import { describe, expect, it } from 'vitest';
import { approvalProblems, type ApprovalRequest } from '../src/rules/approval.ts';

const award = { kind: 'AWARD' as const, by: 'evaluation-2026-10' };
const adjustmentBy = (by: string) => ({ kind: 'ADJUSTMENT' as const, by });

const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  approver: { sub: 'fin-wang', roles: ['FINANCE'] },
  startedBy: 'fin-li',
  statements: [
    { id: 'st-A', state: 'IN_REVIEW', items: [award, adjustmentBy('fin-li')] },
    { id: 'st-B', state: 'IN_REVIEW', items: [adjustmentBy('fin-zhao')] },
    { id: 'st-C', state: 'IN_REVIEW', items: [] },
  ],
  ...over,
});

describe('approvalProblems: four eyes', () => {
  it('a second FINANCE user who wrote no adjustment may approve', () => {
    expect(approvalProblems(request())).toEqual([]);
  });

  it('refuses whoever started the run', () => {
    expect(approvalProblems(request({ approver: { sub: 'fin-li', roles: ['FINANCE'] } }))).toEqual([
      'the approver started this settlement run: another FINANCE user must approve it (four eyes)',
      'the approver wrote adjustments on statements st-A: another FINANCE user must approve them (four eyes)',
    ]);
  });

  it('refuses the author of any adjustment, naming the statements', () => {
    expect(approvalProblems(request({ approver: { sub: 'fin-zhao', roles: ['FINANCE'] } }))).toEqual([
      'the approver wrote adjustments on statements st-B: another FINANCE user must approve them (four eyes)',
    ]);
  });

  it('refuses a user without FINANCE, even an ADMIN', () => {
    expect(approvalProblems(request({ approver: { sub: 'admin-1', roles: ['ADMIN', 'OPERATOR'] } }))).toEqual(['the approver must hold the FINANCE role']);
  });

  it('refuses while a statement is ON_HOLD', () => {
    const statements = request().statements.map((s) => (s.id === 'st-C' ? { ...s, state: 'ON_HOLD' as const } : s));
    expect(approvalProblems(request({ statements }))).toEqual(['statements st-C are ON_HOLD: release them first']);
  });

  it('refuses while a statement is still being built or already past review', () => {
    const statements = [
      { id: 'st-1', state: 'DRAFT' as const, items: [] },
      { id: 'st-2', state: 'APPROVED' as const, items: [] },
      { id: 'st-3', state: 'DRAFT' as const, items: [] },
    ];
    expect(approvalProblems(request({ statements }))).toEqual([
      'statements st-1, st-3 are DRAFT, not IN_REVIEW',
      'statements st-2 are APPROVED, not IN_REVIEW',
    ]);
  });

  it('lists every problem at once, and at most ten ids of each', () => {
    const held = Array.from({ length: 12 }, (_, i) => ({ id: `st-${i + 1}`, state: 'ON_HOLD' as const, items: [adjustmentBy('ops-9')] }));
    expect(approvalProblems({ approver: { sub: 'ops-9', roles: ['OPERATOR'] }, startedBy: 'ops-9', statements: held })).toEqual([
      'the approver must hold the FINANCE role',
      'the approver started this settlement run: another FINANCE user must approve it (four eyes)',
      'the approver wrote adjustments on statements st-1, st-2, st-3, st-4, st-5, st-6, st-7, st-8, st-9, st-10 and 2 more: another FINANCE user must approve them (four eyes)',
      'statements st-1, st-2, st-3, st-4, st-5, st-6, st-7, st-8, st-9, st-10 and 2 more are ON_HOLD: release them first',
    ]);
  });

  it('an award or penalty is not an adjustment: its author is the evaluation', () => {
    const statements = [{ id: 'st-A', state: 'IN_REVIEW' as const, items: [{ kind: 'PENALTY' as const, by: 'fin-wang' }] }];
    expect(approvalProblems(request({ statements }))).toEqual([]);
  });
});
