import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unavailableDependency } from './dependencies.ts';

/** The error codes every Starline API speaks (docs/architecture.md, "Errors"; per mutation in docs/api.md). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_TRANSITION'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_TRANSITION',
  'RATE_LIMITED',
  // Not the client's fault, but it can act on it: retry later (a mutation with the same idempotency key).
  'UNAVAILABLE',
]);

/** A failure a client can act on. `field` names the offending input, where there is one. */
export class DomainError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

export const badInput = (field: string, message: string) =>
  new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} does not exist`);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const unauthenticated = (message = 'sign in first: send a valid bearer token') =>
  new DomainError('UNAUTHENTICATED', message);
export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  new DomainError('CONFLICT', message, extra);
/**
 * A dependency (a subgraph, Temporal, the database) is down or did not answer in time. Nothing was
 * half-written: a retry, with the same idempotency key for a mutation, is safe.
 */
export const unavailable = (service: string, message: string) => new DomainError('UNAVAILABLE', message, { service });
export const invalidTransition = (message: string, currentState: string) =>
  new DomainError('INVALID_TRANSITION', message, { currentState });

/** A validation failure found by a pure rule, before it becomes a GraphQL error. */
export interface Violation {
  field: string;
  message: string;
}

export function throwIfInvalid(violations: readonly Violation[]): void {
  const first = violations[0];
  if (!first) return;
  throw new DomainError('BAD_USER_INPUT', violations.map((v) => `${v.field}: ${v.message}`).join('; '), {
    field: first.field,
    violations,
  });
}

/**
 * What a client may see of an error: client errors pass through, GraphQL validation errors keep
 * their message, a dependency that is down (Temporal, the database, another service's worker)
 * becomes UNAVAILABLE naming it, anything else (a bug) becomes INTERNAL with no detail.
 */
export function maskError(formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? '');
  if (CLIENT_ERROR_CODES.has(code)) {
    const { stacktrace: _ignored, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_REQUEST') {
    return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
  }
  const down = unavailableDependency(original);
  if (down) {
    return {
      message: `${down === 'database' || down === 'temporal' ? `the ${down}` : `the ${down} service`} is unavailable: retry shortly`,
      path: formatted.path,
      extensions: { code: 'UNAVAILABLE', service: down },
    };
  }
  return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL' } };
}
