import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '@starline/common';

/** The month's evaluation workflow (workflows/src/evaluation.ts): one per month. */
export const evaluationWorkflowId = (month: string): string => `evaluation-${month}`;

/**
 * The monthly evaluation workflow as the subgraph drives it. The real one is `temporalEvaluationWorkflow`;
 * resolver tests pass an in-process fake. A refusal of an Update comes back as Temporal reports it
 * (WorkflowUpdateFailedError); `evaluationRefusal` turns it into the DomainError a client acts on.
 */
export interface EvaluationWorkflow {
  /** Starts `monthlyEvaluation` for the month; `started: false` when it is already running. */
  start(month: string, requestedBy: string): Promise<{ started: boolean }>;
  /** The Update `rerun`; `updateId` makes a retried request the same Update. */
  rerun(month: string, args: { requestedBy: string; updateId: string }): Promise<void>;
  /** The Update `confirm` (refused with CONFLICT while a dispute is open, INVALID_TRANSITION once confirmed). */
  confirm(month: string, args: { confirmedBy: string; updateId: string }): Promise<void>;
  /** The signal `disputesChanged`: a dispute was opened or settled, re-check before confirming. */
  disputesChanged(month: string): Promise<void>;
}

/** An Update's refusal as the DomainError a client acts on (common/src/update.ts). */
export { updateRefusal as evaluationRefusal, updateIdOf } from '@starline/common';

export function temporalEvaluationWorkflow(client: Client): EvaluationWorkflow {
  const handle = (month: string) => client.workflow.getHandle(evaluationWorkflowId(month));
  return {
    async start(month, requestedBy) {
      try {
        await client.workflow.start('monthlyEvaluation', {
          taskQueue: TASK_QUEUES.workflows,
          workflowId: evaluationWorkflowId(month),
          args: [{ month, requestedBy }],
          // As the Schedule starts it: a month whose workflow failed may be run again, one that ran is that one.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        });
        return { started: true };
      } catch (error) {
        if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') return { started: false };
        throw error;
      }
    },
    async rerun(month, { requestedBy, updateId }) {
      await handle(month).executeUpdate('rerun', { args: [{ requestedBy }], updateId });
    },
    async confirm(month, { confirmedBy, updateId }) {
      await handle(month).executeUpdate('confirm', { args: [{ confirmedBy }], updateId });
    },
    async disputesChanged(month) {
      await handle(month).signal('disputesChanged');
    },
  };
}
