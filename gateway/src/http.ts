import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayRuntime } from '@graphql-hive/gateway-runtime';
import {
  contextFrom,
  inSpan,
  operationLabel,
  recordOperation,
  SpanKind,
  withRequestId,
  type ErrorCode,
  type Logger,
} from '@starline/common';
import type { Authenticator } from './authenticate.ts';
import { errorBody } from './errors.ts';
import type { GatewayLimits } from './limits.ts';
import { negotiate, statusFor, type MediaType } from './media.ts';
import { readParams, requestError, runOperation, type OperationOutcome } from './operation.ts';
import type { RateLimiter } from './rate-limit.ts';
import { CALLER, REQUEST_ID_HEADER, type CallerContext } from './upstream.ts';

export interface EdgeOptions {
  runtime: GatewayRuntime;
  limits: GatewayLimits;
  authenticate: Authenticator;
  rateLimiter: RateLimiter;
  log: Logger;
  devMode: boolean;
  ready: () => boolean;
  /** Each subgraph's circuit state, for /ready (the gateway stays ready: it answers UNAVAILABLE for one that is down). */
  subgraphs?: () => Record<string, string>;
  /** Extra routes before GraphQL (GET /metrics); true when answered. */
  extra?: (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;
}

/** Headers a browser cannot send cross-site without a CORS preflight, so their presence rules out CSRF. */
export const CSRF_HEADERS = ['x-graphql-client-name', 'apollo-require-preflight', 'x-apollo-operation-name'] as const;
/** A client's request id is reused (and logged) only if it looks like one. */
const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

interface RequestUrl {
  pathname: string;
  searchParams: URLSearchParams;
}

/** A refusal the edge answers itself, before the GraphQL pipeline. */
class Refusal {
  status: number;
  code: ErrorCode;
  message: string;
  headers: Record<string, string>;
  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.headers = headers;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the body, refusing more than `max` bytes whether or not Content-Length announced it. */
function readBody(req: IncomingMessage, max: number): Promise<string> {
  const announced = Number(req.headers['content-length'] ?? 0);
  if (announced > max)
    return Promise.reject(new Refusal(413, 'BAD_USER_INPUT', `the request body is larger than ${max} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data').pause();
        reject(new Refusal(413, 'BAD_USER_INPUT', `the request body is larger than ${max} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

/** The operation(s) of a request: the JSON body of a POST, or the query string of a GET. */
async function readPayload(req: IncomingMessage, url: RequestUrl, limits: GatewayLimits): Promise<unknown> {
  if (req.method === 'GET') {
    const variables = url.searchParams.get('variables');
    try {
      return {
        query: url.searchParams.get('query'),
        operationName: url.searchParams.get('operationName'),
        variables: variables ? JSON.parse(variables) : null,
      };
    } catch {
      throw new Refusal(400, 'BAD_USER_INPUT', '"variables" is not valid JSON');
    }
  }
  if (!header(req, 'content-type')?.toLowerCase().startsWith('application/json')) {
    throw new Refusal(415, 'BAD_USER_INPUT', 'send the request as Content-Type: application/json');
  }
  const body = await readBody(req, limits.maxBodyBytes);
  try {
    return JSON.parse(body);
  } catch {
    throw new Refusal(400, 'BAD_USER_INPUT', 'the request body is not valid JSON');
  }
}

/**
 * CSRF prevention: a browser sends a cross-site request without a CORS preflight only as GET or as
 * a POST with a "simple" content type. A JSON POST, or any request with one of CSRF_HEADERS, has
 * passed a preflight (or comes from no browser at all).
 */
function preflighted(req: IncomingMessage): boolean {
  const type = header(req, 'content-type')?.toLowerCase();
  if (req.method === 'POST' && type?.startsWith('application/json')) return true;
  return CSRF_HEADERS.some((name) => req.headers[name] !== undefined);
}

/**
 * The gateway's HTTP edge, in front of the runtime's GraphQL pipeline: body and batch limits, CSRF
 * prevention, bearer-token authentication (absent = anonymous; bad = 401 and nothing goes
 * upstream), per-client rate limiting (JWT subject, else IP address), and one access-log line per
 * request. /health says the process is up, /ready that the supergraph is loaded.
 */
export function createRequestHandler(opts: EdgeOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { runtime, limits, log } = opts;

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
    media: MediaType = 'application/json',
  ) => {
    res
      .writeHead(status, {
        'content-type': `${media}; charset=utf-8`,
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      })
      .end(body);
  };

  const take = (client: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const decision = opts.rateLimiter.take(client);
      if (!decision.ok) {
        log.info({ client }, 'rate limited');
        throw new Refusal(429, 'RATE_LIMITED', `too many requests: retry in ${decision.retryAfterSeconds} s`, {
          'retry-after': String(decision.retryAfterSeconds),
        });
      }
    }
  };

  async function graphql(
    req: IncomingMessage,
    url: RequestUrl,
    requestId: string,
    media: MediaType,
  ): Promise<{ status: number; body: string; client: string }> {
    if (!opts.ready())
      throw new Refusal(503, 'UNAVAILABLE', 'the gateway is starting: retry in a moment', { 'retry-after': '1' });
    if (req.method !== 'GET' && req.method !== 'POST')
      throw new Refusal(405, 'BAD_USER_INPUT', 'send GraphQL requests with POST (or GET for queries)', {
        allow: 'GET, POST',
      });
    if (!preflighted(req)) {
      throw new Refusal(
        403,
        'BAD_USER_INPUT',
        `send Content-Type: application/json, or one of the headers ${CSRF_HEADERS.join(', ')}`,
      );
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    let caller: CallerContext;
    try {
      caller = { claims: await opts.authenticate(header(req, 'authorization')), requestId };
    } catch (error) {
      take(`ip:${ip}`, 1); // failed sign-ins count against the address: guessing tokens is rate-limited too
      const known = (error as { extensions?: { code?: unknown } }).extensions?.code === 'UNAUTHENTICATED';
      if (!known) log.error({ err: error }, 'token verification failed unexpectedly');
      throw new Refusal(401, 'UNAUTHENTICATED', known ? (error as Error).message : 'the token could not be verified');
    }
    const client = caller.claims ? `sub:${caller.claims.sub}` : `ip:${ip}`;
    const payload = await readPayload(req, url, limits);
    const batch = Array.isArray(payload);
    const operations: unknown[] = batch ? payload : [payload];
    if (batch && limits.maxBatch === 0)
      throw new Refusal(400, 'BAD_USER_INPUT', 'batched requests are not accepted: send one operation per request');
    if (batch && (operations.length === 0 || operations.length > limits.maxBatch)) {
      throw new Refusal(
        400,
        'BAD_USER_INPUT',
        `a batch holds 1 to ${limits.maxBatch} operations, this one has ${operations.length}`,
      );
    }
    take(client, operations.length);

    const context = { req, [CALLER]: caller };
    const outcomes = await Promise.all(
      operations.map(async (raw): Promise<OperationOutcome> => {
        const params = readParams(raw);
        if (typeof params === 'string') return requestError(400, params);
        const started = performance.now();
        const outcome = await runOperation(runtime, params, context, { method: req.method! });
        const code = outcome.result.errors?.[0]?.extensions?.['code'];
        const name = outcome.operation?.name ?? params.operationName;
        recordOperation(
          'gateway',
          operationLabel(name),
          outcome.operation?.type ?? 'none',
          code ? String(code) : 'ok',
          (performance.now() - started) / 1000,
        );
        return outcome;
      }),
    );
    const status = batch ? 200 : statusFor(media, outcomes[0]!.status, outcomes[0]!.wellFormed ?? false);
    const body = JSON.stringify(batch ? outcomes.map((o) => o.result) : outcomes[0]!.result);
    return { status, body, client };
  }

  return (req, res) => {
    const started = performance.now();
    const given = header(req, REQUEST_ID_HEADER);
    const requestId = given && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const [pathname = '/', search = ''] = (req.url ?? '/').split('?', 2);
    const url = { pathname, searchParams: new URLSearchParams(search) };

    if (req.method === 'GET' && url.pathname === '/health')
      return send(res, 200, JSON.stringify({ status: 'ok', service: 'gateway' }));
    if (req.method === 'GET' && url.pathname === '/ready') {
      const ready = opts.ready();
      const subgraphs = opts.subgraphs ? { subgraphs: opts.subgraphs() } : {};
      return send(
        res,
        ready ? 200 : 503,
        JSON.stringify({ status: ready ? 'ready' : 'not ready', service: 'gateway', ...subgraphs }),
      );
    }
    if (opts.extra?.(req, res, url.pathname)) return;
    if (url.pathname !== '/graphql') return send(res, 404, errorBody('NOT_FOUND', 'the GraphQL endpoint is /graphql'));
    // GraphiQL in development: the page is the runtime's; the queries it sends come back through here.
    if (
      opts.devMode &&
      req.method === 'GET' &&
      !url.searchParams.has('query') &&
      header(req, 'accept')?.includes('text/html')
    ) {
      return void runtime.requestListener(req, res);
    }

    const media = negotiate(header(req, 'accept'));
    // The request's trace: continued from the client's traceparent if it sent one; the request id
    // travels with it as baggage into every subgraph, workflow and activity, and every log line.
    let traceId = '';
    const parent = withRequestId(contextFrom(req.headers), requestId);
    inSpan(
      `${req.method} /graphql`,
      {
        kind: SpanKind.SERVER,
        parent,
        attributes: { 'http.method': req.method ?? '', 'starline.request_id': requestId },
      },
      (span) => {
        traceId = span.spanContext().traceId;
        res.setHeader('x-trace-id', traceId);
        return graphql(req, url, requestId, media).then(
          (answer) => (span.setAttribute('http.status_code', answer.status), answer),
        );
      },
    )
      .then(
        ({ status, body, client }) => {
          send(res, status, body, {}, media);
          const line = { requestId, traceId, client, status, ms: Math.round(performance.now() - started) };
          if (status >= 400) log.info(line, 'request refused');
          else log.debug(line, 'request served');
        },
        (error: unknown) => {
          if (error instanceof Refusal) {
            // A 413 leaves the rest of the body unread: close the connection rather than drain it.
            const close: Record<string, string> = error.status === 413 ? { connection: 'close' } : {};
            send(res, error.status, errorBody(error.code, error.message), { ...error.headers, ...close }, media);
            log.info({ requestId, traceId, status: error.status, reason: error.message }, 'request refused');
            return;
          }
          log.error({ requestId, traceId, err: error }, 'request failed');
          send(res, 500, errorBody('INTERNAL', 'internal error'), {}, media);
        },
      )
      .catch((err: unknown) => log.error({ requestId, err }, 'could not answer'));
  };
}
