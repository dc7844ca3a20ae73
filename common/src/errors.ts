import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The error codes every Starline API speaks (architecture.md, "Errors"). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_TRANSITION'
  | 'RATE_LIMITED'
  | 'INTERNAL';

export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'INVALID_TRANSITION', 'RATE_LIMITED',
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

export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} does not exist`);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const unauthenticated = (message = 'sign in first: send a valid bearer token') => new DomainError('UNAUTHENTICATED', message);
export const conflict = (message: string, extra: Record<string, unknown> = {}) => new DomainError('CONFLICT', message, extra);
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
 * their message, anything else (a bug, a database error) becomes INTERNAL with no detail.
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
  void original;
  return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL' } };
}
