import { describe, expect, it } from 'vitest';
import { approvalProblems, type ApprovalRequest } from '../src/rules/approval.ts';

const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  approver: { sub: 'fin-wang', roles: ['FINANCE'] },
  startedBy: 'fin-li',
  statements: [
    { id: 'st-A', onHold: false, adjustedBy: ['fin-li'] },
    { id: 'st-B', onHold: false, adjustedBy: ['fin-zhao'] },
    { id: 'st-C', onHold: false, adjustedBy: [] },
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
    expect(approvalProblems(request({ approver: { sub: 'admin-1', roles: ['ADMIN', 'OPERATOR'] } }))).toEqual([
      'the approver must hold the FINANCE role',
    ]);
  });

  it('refuses while a statement is ON_HOLD', () => {
    const statements = request().statements.map((s) => (s.id === 'st-C' ? { ...s, onHold: true } : s));
    expect(approvalProblems(request({ statements }))).toEqual(['statements st-C are ON_HOLD: release them first']);
  });

  it('lists every problem at once, and at most ten ids of each', () => {
    const held = Array.from({ length: 12 }, (_, i) => ({ id: `st-${i + 1}`, onHold: true, adjustedBy: ['ops-9'] }));
    expect(
      approvalProblems({ approver: { sub: 'ops-9', roles: ['OPERATOR'] }, startedBy: 'ops-9', statements: held }),
    ).toEqual([
      'the approver must hold the FINANCE role',
      'the approver started this settlement run: another FINANCE user must approve it (four eyes)',
      'the approver wrote adjustments on statements st-1, st-2, st-3, st-4, st-5, st-6, st-7, st-8, st-9, ' +
        'st-10 and 2 more: another FINANCE user must approve them (four eyes)',
      'statements st-1, st-2, st-3, st-4, st-5, st-6, st-7, st-8, ' +
        'st-9, st-10 and 2 more are ON_HOLD: release them first',
    ]);
  });
});
