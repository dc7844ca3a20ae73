import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '@starline/common';

/** The month's settlement workflow (workflows/src/settlement.ts): one per month. */
export const settlementWorkflowId = (month: string): string => `settlement-${month}`;

/**
 * The settlement workflow as the subgraph drives it. The real one is `temporalSettlementWorkflow`;
 * resolver tests pass an in-process fake. Refusals come back as Temporal reports them (see updateRefusal).
 */
export interface SettlementWorkflow {
  /** Starts `monthlySettlement`; `started: false` when the month's is already there. */
  start(month: string, startedBy: string): Promise<{ started: boolean }>;
  /** The Update `approve` (four eyes in its validator; the service checks again). */
  approve(month: string, args: { approver: { sub: string; roles: string[] }; updateId: string }): Promise<void>;
  /** The Update `rebuild` of one statement from its centre's jobs as they are now. */
  rebuild(month: string, args: { statementId: string; centreId: string; by: string; updateId: string }): Promise<void>;
  /** The signal `adjusted`: who adjusted a statement, for the approval's validator. */
  adjusted(month: string, by: string): Promise<void>;
}

export function temporalSettlementWorkflow(client: Client): SettlementWorkflow {
  const handle = (month: string) => client.workflow.getHandle(settlementWorkflowId(month));
  return {
    async start(month, startedBy) {
      try {
        await client.workflow.start('monthlySettlement', {
          taskQueue: TASK_QUEUES.workflows,
          workflowId: settlementWorkflowId(month),
          args: [{ month, startedBy }],
          // A month whose workflow failed may be started again; one that ran is that one.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        });
        return { started: true };
      } catch (error) {
        if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') return { started: false };
        throw error;
      }
    },
    async approve(month, { approver, updateId }) {
      await handle(month).executeUpdate('approve', { args: [approver], updateId });
    },
    async rebuild(month, { statementId, centreId, by, updateId }) {
      await handle(month).executeUpdate('rebuild', { args: [{ statementId, centreId, by }], updateId });
    },
    async adjusted(month, by) {
      await handle(month).signal('adjusted', { by });
    },
  };
}
