import { GraphQLError } from 'graphql';
import { CLIENT_ERROR_CODES, type ErrorCode } from '@starline/common';

/**
 * Codes the runtime and graphql-js use for a request the client got wrong; a client sees only the
 * codes of docs/architecture.md ("Errors"), so they become BAD_USER_INPUT.
 */
const CLIENT_MISTAKE_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

function withCode(error: GraphQLError, code: ErrorCode, message = error.message): GraphQLError {
  const { stacktrace: _s, exception: _e, http: _h, ...extensions } = error.extensions ?? {};
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...extensions, code },
  });
}

/** A parse or validation error: BAD_USER_INPUT, without graphql-js's "Syntax Error: " prefix. */
export function toBadInput(error: GraphQLError): GraphQLError {
  return withCode(error, 'BAD_USER_INPUT', error.message.replace(/^Syntax Error: /, ''));
}

/**
 * What a client may see of one execution error:
 * - our own codes (from subgraphs or the gateway) pass through, minus any stack trace;
 * - the runtime's client-mistake codes become BAD_USER_INPUT;
 * - an uncoded error becomes `uncoded` (INTERNAL during execution);
 * - anything else (a subgraph unreachable or timed out, a bug) becomes INTERNAL with no detail.
 */
export function toClientError(error: GraphQLError, uncoded: ErrorCode = 'INTERNAL'): GraphQLError {
  const code = String(error.extensions?.['code'] ?? '');
  if (CLIENT_ERROR_CODES.has(code)) {
    const ext = error.extensions ?? {};
    return 'stacktrace' in ext || 'exception' in ext || 'http' in ext ? withCode(error, code as ErrorCode) : error;
  }
  const mapped: ErrorCode = CLIENT_MISTAKE_CODES.has(code) ? 'BAD_USER_INPUT' : code ? 'INTERNAL' : uncoded;
  if (mapped === 'BAD_USER_INPUT') return toBadInput(error);
  return new GraphQLError('internal error', { path: error.path, extensions: { code: 'INTERNAL' } });
}

/** The body of an error the gateway answers itself, before any GraphQL processing. */
export function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}
