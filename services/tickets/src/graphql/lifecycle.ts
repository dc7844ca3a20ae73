import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  DomainError,
  TASK_QUEUES,
  type ErrorCode,
  type TicketCommandInput,
  type TicketSummary,
} from '@starline/common';

/** The lifecycle workflow of a ticket: one per ticket, id `ticket-<ticketId>` (workflows/src/ticket-lifecycle.ts). */
export const lifecycleWorkflowId = (ticketId: string) => `ticket-${ticketId}`;

export interface Lifecycle {
  /**
   * Starts the lifecycle of a ticket just received; starting it again is harmless. It starts from the
   * ticket as stored, so it asks nobody before dispatching.
   */
  start(ticket: TicketSummary): Promise<void>;
  /**
   * Sends one command through the running lifecycle and waits for its outcome. `requestId` makes it
   * idempotent: the same id applies once. A refusal comes back as the DomainError it is.
   */
  command(
    ticketId: string,
    command: TicketCommandInput,
    opts: { expectedVersion: number | null; requestId: string },
  ): Promise<TicketSummary>;
}

const CLIENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INVALID_TRANSITION',
  'BAD_USER_INPUT',
  'CONFLICT',
  'NOT_FOUND',
  'FORBIDDEN',
]);

/**
 * A refusal (failure type, message, details [{state, version, violations}]) as the DomainError a client acts on; null
 * when it is no client error.
 */
export function refusalError(
  type: string | undefined,
  message: string | undefined,
  details: unknown[] | undefined,
): DomainError | null {
  if (!type || !CLIENT_CODES.has(type)) return null;
  const detail = (details?.[0] ?? {}) as { state?: string; violations?: unknown; version?: number };
  const extra: Record<string, unknown> = {};
  if (detail.state) extra['currentState'] = detail.state;
  if (detail.version !== undefined) extra['currentVersion'] = detail.version;
  if (Array.isArray(detail.violations) && detail.violations.length) {
    extra['violations'] = detail.violations;
    extra['field'] = (detail.violations[0] as { field?: string }).field;
  }
  return new DomainError(type as ErrorCode, message ?? type, extra);
}

/** The refusal an update carried, as the error a client can act on; anything else is rethrown (INTERNAL). */
function asDomainError(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError)) return error;
  let cause = error.cause as { type?: string; message?: string; details?: unknown[]; cause?: unknown } | undefined;
  while (cause && !(cause.type && CLIENT_CODES.has(cause.type)) && cause.cause) cause = cause.cause as typeof cause;
  return refusalError(cause?.type, cause?.message, cause?.details) ?? error;
}

export function temporalLifecycle(client: Client): Lifecycle {
  return {
    async start(ticket) {
      await client.workflow
        .start('ticketLifecycle', {
          taskQueue: TASK_QUEUES.workflows,
          workflowId: lifecycleWorkflowId(ticket.id),
          args: [{ ticketId: ticket.id, carried: { summary: ticket, judgedAppointment: 0, recentRequests: [] } }],
        })
        .catch((error: unknown) => {
          // A retried intake finds its lifecycle already running: that is the one we want.
          if ((error as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw error;
        });
    },
    async command(ticketId, command, { expectedVersion, requestId }) {
      const handle = client.workflow.getHandle(lifecycleWorkflowId(ticketId));
      try {
        return await handle.executeUpdate<
          TicketSummary,
          [{ command: TicketCommandInput; expectedVersion: number | null; requestId: string }]
        >('command', {
          args: [{ command, expectedVersion, requestId }],
          updateId: requestId,
        });
      } catch (error) {
        throw asDomainError(error);
      }
    },
  };
}

export const newRequestId = () => randomUUID();
