import type { CentreMonthCredits, CentreMonthTickets, EvaluationPolicyInput } from '@starline/common';
import type { CentreStore } from '../store/centres.ts';
import type { EvaluationWorkflow } from './evaluation-workflow.ts';

/** What the live scorecard asks of the services that own the facts (through Temporal in production). */
export interface LiveSources {
  /** The evaluation policy of the standard in force now (cached until it may change, like the product lines). */
  policy: () => Promise<EvaluationPolicyInput>;
  /** The tickets service's `centreMonthFacts`: counters of the month and dispatch leftover as of `asOf`. */
  facts: (input: { month: string; asOf: string; centreIds: string[] }) => Promise<CentreMonthTickets[]>;
  /** The certification service's `centreMonthCredits`. */
  credits: (input: { month: string; centreIds: string[] }) => Promise<CentreMonthCredits[]>;
}

export interface NetworkDeps {
  store: CentreStore;
  now: () => Date;
  /** The product lines of the standard in force now, as the standards service tells them. */
  productLines: () => Promise<{ standardVersionId: string; productLines: readonly string[] }>;
  /** The monthly evaluation workflows (evaluation-workflow.ts): started, re-run, confirmed, woken. */
  evaluationWorkflow: EvaluationWorkflow;
  live: LiveSources;
}
