import type { EvaluationAward, SettlementJob, SettlementPolicyInput } from '@starline/common';
import { evaluationItems, SETTLEMENT_ACTOR } from './rules/incentives.ts';
import { computeStatement, type StatementLine } from './rules/statement.ts';
import { statementId, type SettlementStore, type StatementRecord } from './store/settlement.ts';

const lineOf = (j: SettlementJob): StatementLine => ({
  ticketId: j.ticketId,
  ticketNumber: j.number,
  completedMonth: j.completedMonth ?? '',
  productLine: j.productLine,
  serviceType: j.serviceType as StatementLine['serviceType'],
  areaClass: j.areaClass as StatementLine['areaClass'],
  feeFen: j.feeFen ?? 0,
});

export interface StatementBuild {
  month: string;
  award: EvaluationAward;
  jobs: readonly SettlementJob[];
  policy: SettlementPolicyInput;
  by: string;
  at: Date;
  /** The statement being rebuilt, if any. */
  earlier: StatementRecord | null;
  /** The centre's statement of the month before, whose shortfall this one carries in. */
  lastMonth: StatementRecord | null;
  /** The index page a new statement's summary goes to (a rebuilt one keeps its own). */
  page: number;
}

/**
 * Builds (or rebuilds) centres' DRAFT statements from their unsettled jobs as the tickets service
 * judged them: PAYABLE ones are claimed, all in one write (a job another statement paid is left
 * out), HELD ones listed with their reasons, PENDING ones counted; last month's shortfall is carried
 * in. Call under the month's lease.
 */
export async function buildStatements(
  store: SettlementStore,
  builds: readonly StatementBuild[],
): Promise<StatementRecord[]> {
  const claimed = await store.claim(
    builds.map((b) => ({
      statementId: statementId(b.month, b.award.centreId),
      lines: b.jobs.filter((j) => j.status === 'PAYABLE').map(lineOf),
    })),
  );
  return builds.map((b, i) => statementOf(b, claimed[i]!));
}

function statementOf(input: StatementBuild, lines: StatementLine[]): StatementRecord {
  const { month, award, jobs, policy, at, earlier, lastMonth } = input;
  const carriedIn =
    lastMonth && lastMonth.figures.carriedOutFen > 0
      ? { fromMonth: lastMonth.month, amountFen: lastMonth.figures.carriedOutFen }
      : null;
  const items = evaluationItems(award);
  const adjustments = earlier?.adjustments ?? [];
  const figures = computeStatement({
    lines,
    coefficient: policy.coefficients[award.grade ?? 'ungraded'],
    items: [...items, ...adjustments],
    carriedIn,
  });
  return {
    id: statementId(month, award.centreId),
    month,
    centreId: award.centreId,
    onHold: earlier?.onHold ?? false,
    standardVersionId: policy.standardVersionId,
    grade: award.grade,
    evaluationItems: items,
    adjustments,
    carriedIn,
    figures,
    lines,
    held: jobs
      .filter((j) => j.status === 'HELD')
      .map((j) => ({
        ticketId: j.ticketId,
        ticketNumber: j.number,
        completedMonth: j.completedMonth,
        reasons: j.reasons,
      })),
    pendingJobs: jobs.filter((j) => j.status === 'PENDING').length,
    notPayable: jobs.filter((j) => j.status === 'NOT_PAYABLE').map((j) => j.ticketId),
    history: [
      ...(earlier?.history ?? []),
      { at: at.toISOString(), by: input.by, action: earlier ? 'REBUILT' : 'BUILT', note: null },
    ],
    version: (earlier?.version ?? 0) + 1,
    page: earlier?.page ?? input.page,
  };
}

/** The statement's figures again after its adjustments changed (lines and carried deduction as built). */
export function refigured(s: StatementRecord, policy: SettlementPolicyInput): StatementRecord {
  const figures = computeStatement({
    lines: s.lines,
    coefficient: policy.coefficients[s.grade ?? 'ungraded'],
    items: [...s.evaluationItems, ...s.adjustments],
    carriedIn: s.carriedIn,
  });
  return { ...s, figures };
}

export { SETTLEMENT_ACTOR };
