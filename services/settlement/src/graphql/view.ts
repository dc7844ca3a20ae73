import { statementStateIn } from '../rules/state.ts';
import type { RunRecord, StatementEvent, StatementRecord } from '../store/settlement.ts';

/**
 * A statement as the schema shows it: the figures flattened, its state its run's unless held, and the
 * month's approval and export in its history (stored once, on the run).
 */
export function statementView(
  s: StatementRecord,
  run: Pick<RunRecord, 'state' | 'approvedBy' | 'approvedAt' | 'exportedBy' | 'exportedAt'> | null,
) {
  const monthEvents: StatementEvent[] = [];
  if (run?.approvedAt)
    monthEvents.push({ at: run.approvedAt, by: run.approvedBy ?? '', action: 'APPROVED', note: null });
  if (run?.exportedAt)
    monthEvents.push({ at: run.exportedAt, by: run.exportedBy ?? '', action: 'EXPORTED', note: null });
  return {
    id: s.id,
    month: s.month,
    centreId: s.centreId,
    state: statementStateIn(run?.state ?? 'BUILDING', s.onHold),
    standardVersionId: s.standardVersionId,
    grade: s.grade,
    lines: s.lines.map((l) => ({ ...l, statementId: s.id })),
    L: s.figures.L,
    T: s.figures.T,
    LT: s.figures.LT,
    items: s.figures.items,
    Q: s.figures.Q,
    R: s.figures.R,
    payableFen: s.figures.payableFen,
    carriedOutFen: s.figures.carriedOutFen,
    heldJobs: s.held,
    pendingJobs: s.pendingJobs,
    history: [...s.history, ...monthEvents],
    version: s.version,
  };
}
export type StatementView = ReturnType<typeof statementView>;

export function runView(r: RunRecord) {
  return { ...r, progress: { done: r.done, total: r.total } };
}
export type RunView = ReturnType<typeof runView>;
