import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { CLAIMS_HEADER, verifyClaims, type Claims } from './auth.ts';
import { DomainError, maskError } from './errors.ts';
import type { Logger } from './log.ts';

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
  /** Readiness: true when the process can serve (database reachable, seed data in place). */
  ready: () => Promise<boolean>;
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
export async function answerHealth(req: IncomingMessage, res: ServerResponse, name: string, ready: () => Promise<boolean>): Promise<boolean> {
  if (req.method !== 'GET') return false;
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/health') {
    sendJson(res, 200, { status: 'ok', service: name });
    return true;
  }
  if (pathname === '/ready') {
    const ok = await ready().catch(() => false);
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', service: name });
    return true;
  }
  return false;
}

/** A process with no API of its own (a worker) still answers /health and /ready. */
export async function serveHealth(opts: { name: string; port: number; host: string; ready: () => Promise<boolean> }): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (!(await answerHealth(req, res, opts.name, opts.ready))) sendJson(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  return server;
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
    return { claims, requestId, log: opts.log.child({ requestId }) };
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (await answerHealth(req, res, opts.name, opts.ready)) return;
      if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });

      const requestId = String(req.headers['x-request-id'] ?? randomUUID());
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
          return sendJson(res, 400, { errors: [{ message: 'body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }] });
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
    } catch (error) {
      if (error instanceof DomainError) {
        const status = error.code === 'UNAUTHENTICATED' ? 401 : 400;
        return sendJson(res, status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      }
      opts.log.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL' } }] });
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  server.on('close', () => void apollo.stop());
  opts.log.info({ port: opts.port }, `${opts.name} subgraph listening`);
  return server;
}
