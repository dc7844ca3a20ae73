import type { RunRecord, StatementRecord } from '../store/settlement.ts';

/** A statement as the schema shows it: the figures flattened; EXPORTED once its month's file was taken. */
export function statementView(s: StatementRecord, run: Pick<RunRecord, 'state'> | null) {
  return {
    id: s.id, month: s.month, centreId: s.centreId,
    state: s.state === 'APPROVED' && run?.state === 'EXPORTED' ? 'EXPORTED' : s.state,
    standardVersionId: s.standardVersionId, grade: s.grade,
    lines: s.lines.map((l) => ({ ...l, statementId: s.id })),
    L: s.figures.L, T: s.figures.T, LT: s.figures.LT, items: s.figures.items, Q: s.figures.Q, R: s.figures.R,
    payableFen: s.figures.payableFen, carriedOutFen: s.figures.carriedOutFen,
    heldJobs: s.held, pendingJobs: s.pendingJobs, history: s.history, version: s.version,
  };
}
export type StatementView = ReturnType<typeof statementView>;

export function runView(r: RunRecord) {
  return { ...r, progress: { done: r.done, total: r.total } };
}
export type RunView = ReturnType<typeof runView>;
