import { Agent, request, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** A subgraph call abandoned because the subgraph sent nothing for `ms` milliseconds. */
export class UpstreamTimeout extends Error {
  readonly ms: number;
  constructor(ms: number) {
    super(`did not answer within ${ms} ms`);
    this.ms = ms;
  }
}

/** The part of a fetch init the subgraph executor passes. */
export interface UpstreamInit {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: string | Uint8Array | null;
  signal?: AbortSignal | null;
}

/** The part of a Response the subgraph executor reads (status, headers, text/json). */
export interface UpstreamResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: ResponseHeaders;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type UpstreamFetch = (url: string, init?: UpstreamInit) => Promise<UpstreamResponse>;

/** Read-only Headers over Node's parsed (lower-cased) response headers. */
class ResponseHeaders {
  #raw: IncomingHttpHeaders;
  constructor(raw: IncomingHttpHeaders) {
    this.#raw = raw;
  }
  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const key of Object.keys(this.#raw)) yield [key, this.get(key)!];
  }
  keys(): IterableIterator<string> {
    return Object.keys(this.#raw)[Symbol.iterator]();
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(fn: (value: string, key: string) => void): void {
    for (const [key, value] of this.entries()) fn(value, key);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

function bufferedResponse(
  url: string,
  status: number,
  statusText: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): UpstreamResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    url,
    redirected: false,
    headers: new ResponseHeaders(headers),
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')),
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
  };
}

export function plainHeaders(headers: UpstreamInit['headers']): Record<string, string> {
  if (!headers) return {};
  // A Headers object (native or the runtime's ponyfill) rather than a plain record.
  if (typeof (headers as Headers).forEach === 'function') {
    const out: Record<string, string> = {};
    (headers as Headers).forEach((value, key) => (out[key] = value));
    return out;
  }
  return headers as Record<string, string>;
}

/**
 * The gateway's fetch for subgraph calls: node:http on keep-alive agents, each response read whole
 * (subgraph answers are JSON documents) and handed over as a minimal Response.
 *
 * Why not the runtime's default fetch: it pipes every response through WHATWG stream adapters with
 * an abort signal per request, and its per-call upstream timeout (AbortSignal.timeout plus a
 * listener kept until it fires) was the costliest step of a request in our benchmark
 * (test/bench/gateway.ts). Here the timeout is the socket's own inactivity timer, which costs
 * nothing until it fires.
 */
export function createUpstreamFetch(opts: {
  timeoutMs: number | ((url: string) => number);
  maxSockets?: number;
}): UpstreamFetch {
  const timeoutFor = typeof opts.timeoutMs === 'number' ? () => opts.timeoutMs as number : opts.timeoutMs;
  const agentOpts = { keepAlive: true, noDelay: true, maxSockets: opts.maxSockets ?? 256, scheduling: 'lifo' as const };
  const agents = { http: new Agent(agentOpts), https: new HttpsAgent(agentOpts) };
  // Subgraph URLs are few and fixed: parse each once.
  const targets = new Map<string, RequestOptions & { secure: boolean }>();
  const target = (url: string) => {
    let t = targets.get(url);
    if (!t) {
      const u = new URL(url);
      const secure = u.protocol === 'https:';
      t = {
        secure,
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname + u.search,
        agent: secure ? agents.https : agents.http,
      };
      if (targets.size < 1_000) targets.set(url, t);
    }
    return t;
  };

  return (url, init = {}) =>
    new Promise<UpstreamResponse>((resolve, reject) => {
      const { secure, ...base } = target(url);
      const options: RequestOptions = { ...base, method: init.method ?? 'GET', headers: plainHeaders(init.headers) };
      if (init.signal) options.signal = init.signal;
      const req = (secure ? httpsRequest : request)(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve(bufferedResponse(url, res.statusCode ?? 502, res.statusMessage ?? '', res.headers, body));
        });
      });
      const timeoutMs = timeoutFor(url);
      req.setTimeout(timeoutMs, () => req.destroy(new UpstreamTimeout(timeoutMs)));
      req.on('error', reject);
      req.end(init.body ?? undefined);
    });
}
