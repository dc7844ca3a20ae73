import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { CLAIMS_HEADER, verifyClaims, type Claims } from './auth.ts';
import type { Readiness } from './dependencies.ts';
import { DomainError, maskError } from './errors.ts';
import type { Logger } from './log.ts';
import { answerMetrics, operationLabel, recordOperation } from './metrics.ts';
import { contextFrom, inSpan, SpanKind, withRequestId } from './telemetry.ts';

export interface RequestContext extends BaseContext {
  claims: Claims | null;
  requestId: string;
  log: Logger;
}

export interface SubgraphOptions {
  name: string;
  schema: GraphQLSchema;
  port: number;
  host: string;
  log: Logger;
  signingSecret: string;
  /** Local development only: accept calls that bypass the gateway (they run anonymous). */
  allowDirectAccess: boolean;
  devMode: boolean;
  /** Readiness: true when the process can serve, or each dependency's state (checkDependencies). */
  ready: () => Promise<boolean | Readiness>;
}

const MAX_BODY_BYTES = 1_000_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new DomainError('BAD_USER_INPUT', 'request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** GET /health (the process is alive) and GET /ready (it can serve); true when it answered. */
export async function answerHealth(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  ready: () => Promise<boolean | Readiness>,
): Promise<boolean> {
  if (req.method !== 'GET') return false;
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (answerMetrics(req, res, pathname)) return true;
  if (pathname === '/health') {
    sendJson(res, 200, { status: 'ok', service: name });
    return true;
  }
  if (pathname === '/ready') {
    const state = await ready().catch(() => false);
    const ok = typeof state === 'boolean' ? state : state.ok;
    const dependencies = typeof state === 'boolean' ? {} : { dependencies: state.dependencies };
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', service: name, ...dependencies });
    return true;
  }
  return false;
}

/** A process with no API of its own (a worker) still answers /health and /ready. */
export async function serveHealth(opts: {
  name: string;
  port: number;
  host: string;
  ready: () => Promise<boolean | Readiness>;
}): Promise<Server> {
  const server = createServer((req, res) => {
    void answerHealth(req, res, opts.name, opts.ready).then(
      (answered) => answered || sendJson(res, 404, { error: 'not found' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  return server;
}

/** Each operation's count, outcome (ok or its first error code as the client sees it) and duration. */
function metricsPlugin(service: string): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          const body = rc.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          const outcome = errors?.length ? String(errors[0]!.extensions?.['code'] ?? 'INTERNAL') : 'ok';
          recordOperation(
            service,
            operationLabel(rc.operationName),
            rc.operation?.operation ?? 'none',
            outcome,
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}

/**
 * Serves one subgraph over HTTP: POST /graphql, GET /health (alive), GET /ready (can serve).
 * Claims come only from the gateway's signed header; a missing or bad signature is refused
 * before any resolver runs.
 */
export async function serveSubgraph(opts: SubgraphOptions): Promise<Server> {
  const apollo = new ApolloServer<RequestContext>({
    schema: opts.schema,
    introspection: opts.devMode,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: maskError,
    plugins: [metricsPlugin(opts.name)],
    logger: {
      debug: (m) => opts.log.debug(m),
      info: (m) => opts.log.info(m),
      warn: (m) => opts.log.warn(m),
      error: (m) => opts.log.error(m),
    },
  });
  await apollo.start();

  const contextFor = (req: IncomingMessage, requestId: string): RequestContext => {
    const header = req.headers[CLAIMS_HEADER];
    const signed = Array.isArray(header) ? header[0] : header;
    const claims = !signed && opts.allowDirectAccess ? null : verifyClaims(signed, opts.signingSecret);
    // No child binding for the request id: the log mixin adds it (and the trace id) from the context.
    return { claims, requestId, log: opts.log };
  };

  // Everything it throws is answered inside (the catch below), so nothing is left to reject.
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (await answerHealth(req, res, opts.name, opts.ready)) return;
      if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });

      const requestId = String(req.headers['x-request-id'] ?? randomUUID());
      // The gateway's trace continues here, and on into the workflows and activities this request starts.
      const parent = withRequestId(contextFrom(req.headers), requestId);
      return await inSpan(
        `graphql ${opts.name}`,
        { kind: SpanKind.SERVER, parent, attributes: { 'starline.request_id': requestId } },
        async () => {
          const headers = new HeaderMap();
          for (const [key, value] of Object.entries(req.headers)) {
            if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
          }
          const context = contextFor(req, requestId);
          const raw = req.method === 'POST' ? await readBody(req) : '';
          let body: unknown = raw;
          if (raw && headers.get('content-type')?.includes('application/json')) {
            try {
              body = JSON.parse(raw);
            } catch {
              return sendJson(res, 400, {
                errors: [{ message: 'body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }],
              });
            }
          }
          const result = await apollo.executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
            context: async () => context,
          });
          for (const [key, value] of result.headers) res.setHeader(key, value);
          res.setHeader('x-request-id', requestId);
          res.statusCode = result.status ?? 200;
          if (result.body.kind === 'complete') return void res.end(result.body.string);
          for await (const chunk of result.body.asyncIterator) res.write(chunk);
          res.end();
        },
      );
    } catch (error) {
      if (error instanceof DomainError) {
        const status = error.code === 'UNAUTHENTICATED' ? 401 : 400;
        return sendJson(res, status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      }
      opts.log.error({ err: error }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL' } }] });
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  server.on('close', () => void apollo.stop());
  opts.log.info({ port: opts.port }, `${opts.name} subgraph listening`);
  return server;
}
