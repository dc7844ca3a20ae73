import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import type { GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { toBadInput, toClientError } from './errors.ts';

/** One GraphQL request as a client sends it (a POST body, or the query string of a GET). */
export interface OperationParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface OperationOutcome {
  /** The status in application/graphql-response+json (media.ts adapts it for application/json). */
  status: number;
  result: ExecutionResult;
  /** The request reached GraphQL: its errors are parse, validation or variable errors, not HTTP ones. */
  wellFormed?: boolean;
  /** The operation run, once one was selected (for the metrics). */
  operation?: { name: string | null; type: string };
}

export const requestError = (status: number, message: string, wellFormed = false): OperationOutcome => ({
  status,
  wellFormed,
  result: { errors: [new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } })] },
});

/** The shape checks GraphQL-over-HTTP asks for; anything else is the client's mistake. */
export function readParams(raw: unknown): OperationParams | string {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'the request must be a JSON object with a "query"';
  const { query, variables, operationName, extensions } = raw as Record<string, unknown>;
  if (typeof query !== 'string' || !query) return 'the request has no "query" string';
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables)))
    return '"variables" must be an object';
  if (operationName != null && typeof operationName !== 'string') return '"operationName" must be a string';
  if (extensions != null && (typeof extensions !== 'object' || Array.isArray(extensions)))
    return '"extensions" must be an object';
  return {
    query,
    variables: variables as OperationParams['variables'],
    operationName: operationName as OperationParams['operationName'],
  };
}

/**
 * Parses, validates and executes one operation through the runtime's GraphQL pipeline (its
 * parse/validation caches, the limit and introspection rules, error masking, the Rust query
 * planner and the subgraph calls). Errors come back in the platform's codes.
 */
export async function runOperation(
  runtime: GatewayRuntime,
  params: OperationParams,
  context: Record<string, unknown>,
  opts: { method: string },
): Promise<OperationOutcome> {
  const { parse, validate, contextFactory, execute, schema } = runtime.getEnveloped(context as never);
  let document: DocumentNode;
  try {
    document = parse(params.query);
  } catch (e) {
    if (e instanceof GraphQLError) return { status: 400, wellFormed: true, result: { errors: [toBadInput(e)] } };
    throw e;
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { status: 400, wellFormed: true, result: { errors: invalid.map(toBadInput) } };

  const operation = getOperationAST(document, params.operationName);
  if (!operation) {
    const message = params.operationName
      ? `the document has no operation named "${params.operationName}"`
      : 'the document has several operations: send "operationName"';
    return requestError(400, message, true);
  }
  const op = { name: operation.name?.value ?? null, type: operation.operation };
  if (operation.operation === 'subscription') return requestError(400, 'subscriptions are not served by this endpoint');
  if (operation.operation === 'mutation' && opts.method === 'GET')
    return requestError(405, 'mutations must be sent with POST');

  let result: ExecutionResult;
  try {
    result = (await execute({
      schema,
      document,
      contextValue: await contextFactory(),
      variableValues: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    })) as ExecutionResult;
  } catch (e) {
    if (e instanceof GraphQLError && isVariableError(e))
      return { status: 400, wellFormed: true, operation: op, result: { errors: [toBadInput(e)] } };
    throw e;
  }
  if (Symbol.asyncIterator in result)
    return requestError(400, 'incremental delivery (@defer, @stream) is not served by this endpoint');
  if (!result.errors?.length) return { status: 200, operation: op, result };
  if (!('data' in result) && result.errors.every(isVariableError)) {
    return { status: 400, wellFormed: true, operation: op, result: { errors: result.errors.map(toBadInput) } };
  }
  return { status: 200, operation: op, result: { ...result, errors: result.errors.map((e) => toClientError(e)) } };
}

/**
 * A variable value that does not fit its type: the client's mistake. The planner's executor throws
 * it; graphql-js's returns it without `data`.
 */
function isVariableError(error: GraphQLError): boolean {
  return !error.extensions?.['code'] && error.message.startsWith('Variable "$');
}
