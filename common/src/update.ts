import { createHash, randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DomainError, type ErrorCode } from './errors.ts';
import { callerScope } from './idempotency.ts';
import type { Claims } from './auth.ts';

/** Workflow Updates that services send for a request (the monthly evaluation's, the settlement's). */
const CLIENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INVALID_TRANSITION',
  'BAD_USER_INPUT',
  'CONFLICT',
  'NOT_FOUND',
  'FORBIDDEN',
]);

/**
 * An Update's refusal (WorkflowUpdateFailedError whose cause, at some depth, is an ApplicationFailure
 * typed with a client error code) as that DomainError; anything else is returned as it is (INTERNAL).
 */
export function updateRefusal(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError)) return error;
  let cause = error.cause as { type?: string; message?: string; details?: unknown[]; cause?: unknown } | undefined;
  while (cause && !(cause.type && CLIENT_CODES.has(cause.type)) && cause.cause) cause = cause.cause as typeof cause;
  if (!cause?.type || !CLIENT_CODES.has(cause.type)) return error;
  const detail = (cause.details?.[0] ?? {}) as { state?: string };
  return new DomainError(
    cause.type as ErrorCode,
    cause.message ?? cause.type,
    detail.state ? { currentState: detail.state } : {},
  );
}

/** An Update id for a request: derived from the caller's scope and key (a retry is the same Update), else fresh. */
export function updateIdOf(claims: Claims, operation: string, key: string | null | undefined): string {
  if (!key) return `${operation}:${randomUUID()}`;
  return `${operation}:${createHash('sha256')
    .update(`${callerScope(claims)}|${operation}|${key}`)
    .digest('hex')
    .slice(0, 40)}`;
}
