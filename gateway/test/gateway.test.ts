/**
 * The gateway in-process, in front of a tiny in-process subgraph (fixture.ts): authentication,
 * the headers subgraphs receive, error mapping, health, and that the Rust query planner runs.
 * Limits are in limits.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useQueryPlan } from '@graphql-hive/router-runtime';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { CLAIMS_HEADER, mintToken, signClaims, verifyClaims } from '@starline/common';
import { JWT_SECRET, SIGNING_SECRET, startFixture, tokenFor, type Fixture } from './fixture.ts';

let f: Fixture;
const plans: unknown[] = [];

beforeAll(async () => {
  // The router runtime declares its own copy of the plugin type; it is the same shape.
  f = await startFixture({}, false, [
    useQueryPlan({ onQueryPlan: (plan) => void plans.push(plan) }) as unknown as GatewayPlugin,
  ]);
});
afterAll(() => f.stop());

const VIEWER = '{ viewer { sub roles } }';

async function json(
  res: Response,
): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  return (await res.json()) as never;
}

/** The claims header the subgraph received on its most recent request. */
const lastClaimsHeader = () => String(f.subgraph.seen.at(-1)!.headers[CLAIMS_HEADER]);

describe('authentication', () => {
  it('passes a verified token on to the subgraph as gateway-signed claims', async () => {
    const res = await f.post(
      { query: VIEWER },
      { authorization: `Bearer ${await tokenFor({ sub: 'ada', roles: ['OPERATOR'] })}` },
    );
    expect(res.status).toBe(200);
    expect((await json(res)).data).toEqual({ viewer: { sub: 'ada', roles: ['OPERATOR'] } });
    expect(verifyClaims(lastClaimsHeader(), SIGNING_SECRET)).toEqual({ sub: 'ada', roles: ['OPERATOR'] });
  });

  it('lets a request without a token through as anonymous, still signed', async () => {
    const res = await f.post({ query: VIEWER });
    expect((await json(res)).data).toEqual({ viewer: null });
    expect(verifyClaims(lastClaimsHeader(), SIGNING_SECRET)).toBeNull();
  });

  it.each([
    [
      'expired',
      async () => tokenFor({ sub: 'ada', roles: ['ADMIN'] }, Math.floor(Date.now() / 1000) - 60),
      'token has expired',
    ],
    [
      'signed with another secret',
      async () => mintToken({ sub: 'mallory', roles: ['ADMIN'] }, `not-${JWT_SECRET}`),
      'token is not valid',
    ],
    ['not a JWT', async () => 'garbage', 'token is not valid'],
  ])('refuses a token that is %s with 401, and calls no subgraph', async (_what, make, message) => {
    const before = f.subgraph.seen.length;
    const res = await f.post({ query: VIEWER }, { authorization: `Bearer ${await make()}` });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(f.subgraph.seen.length).toBe(before);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const res = await f.post({ query: VIEWER }, { authorization: 'Basic YWRhOmxvdmVsYWNl' });
    expect(res.status).toBe(401);
    expect((await json(res)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('gives each caller its own claims, even for identical concurrent requests', async () => {
    const subs = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const tokens = await Promise.all(subs.map((sub) => tokenFor({ sub, roles: ['FINANCE'] })));
    const answers = await Promise.all(
      tokens.map((t) => f.post({ query: VIEWER }, { authorization: `Bearer ${t}` }).then(json)),
    );
    expect(answers.map((a) => a.data?.viewer?.sub)).toEqual(subs);
  });
});

describe('headers to subgraphs', () => {
  it('never forwards a client-sent claims header: the subgraph sees only the gateway signature', async () => {
    const forged = signClaims({ sub: 'mallory', roles: ['ADMIN'] }, 'guessed-secret');
    const res = await f.post({ query: VIEWER }, { [CLAIMS_HEADER]: forged });
    expect((await json(res)).data).toEqual({ viewer: null });
    expect(lastClaimsHeader()).not.toBe(forged);
    expect(verifyClaims(lastClaimsHeader(), SIGNING_SECRET)).toBeNull();
  });

  it('replaces even a correctly signed (leaked) claims header with the caller’s own', async () => {
    const leaked = signClaims({ sub: 'root', roles: ['ADMIN'] }, SIGNING_SECRET);
    const token = await tokenFor({ sub: 'eve', roles: ['PARTNER'], centreId: 'C-1' });
    const res = await f.post({ query: VIEWER }, { [CLAIMS_HEADER]: leaked, authorization: `Bearer ${token}` });
    expect((await json(res)).data?.viewer?.sub).toBe('eve');
    expect(verifyClaims(lastClaimsHeader(), SIGNING_SECRET)?.sub).toBe('eve');
  });

  it('forwards the client’s x-request-id, and answers with it', async () => {
    const res = await f.post({ query: VIEWER }, { 'x-request-id': 'req-123.abc' });
    expect(res.headers.get('x-request-id')).toBe('req-123.abc');
    expect(f.subgraph.seen.at(-1)!.headers['x-request-id']).toBe('req-123.abc');
  });

  it('makes a request id when there is none, or when the given one is unsafe to log', async () => {
    for (const given of [undefined, 'bad id\nwith a newline'.replace('\n', ' ')]) {
      const res = await f.post({ query: VIEWER }, given ? { 'x-request-id': given } : {});
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(f.subgraph.seen.at(-1)!.headers['x-request-id']).toBe(id);
    }
  });
});

describe('errors', () => {
  it('keeps a subgraph’s error code', async () => {
    const body = await json(await f.post({ query: '{ fail(code: "FORBIDDEN") }' }));
    expect(body.errors?.[0]).toMatchObject({
      message: 'failed with FORBIDDEN',
      path: ['fail'],
      extensions: { code: 'FORBIDDEN' },
    });
    expect(JSON.stringify(body)).not.toMatch(/stacktrace/);
  });

  it('turns an unexpected subgraph failure into INTERNAL with no detail', async () => {
    const text = await (await f.post({ query: '{ boom }' })).text();
    expect(JSON.parse(text)).toEqual({
      data: { boom: null },
      errors: [{ message: 'internal error', path: ['boom'], extensions: { code: 'INTERNAL' } }],
    });
    expect(text).not.toMatch(/exploded|secret|stacktrace|\.ts:/);
  });

  it('answers a syntax error or an unknown field with BAD_USER_INPUT and no field suggestions (200 in application/json)', async () => {
    const syntax = await f.post({ query: '{ items { id ' });
    expect(syntax.status).toBe(200);
    expect((await json(syntax)).errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Expected Name/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const unknown = await json(await f.post({ query: '{ itemz { id } }' }));
    expect(unknown.errors?.[0]).toMatchObject({
      message: 'Cannot query field "itemz" on type "Query".',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('answers a variable of the wrong type (200 in application/json), a missing query or bad JSON (400) with BAD_USER_INPUT', async () => {
    const variable = await f.post({ query: 'query($c: String!) { fail(code: $c) }', variables: { c: 42 } });
    expect(variable.status).toBe(200);
    expect((await json(variable)).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const noQuery = await f.post({ variables: {} });
    expect(noQuery.status).toBe(400);
    expect((await json(noQuery)).errors).toEqual([
      { message: 'the request has no "query" string', extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    const notJson = await fetch(f.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":',
    });
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});

describe('federation', () => {
  it('plans with the Rust query planner of Hive Router', async () => {
    plans.length = 0;
    const res = await f.post({ query: '{ items { id name child { id } } }' });
    expect((await json(res)).data?.items).toHaveLength(2);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ kind: 'QueryPlan', node: { kind: 'Fetch', serviceName: 'fixture' } });
  });
});

describe('health', () => {
  it('answers /health and /ready, and 404 elsewhere', async () => {
    const base = f.gateway.url.replace(/\/graphql$/, '');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', service: 'gateway' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', service: 'gateway', subgraphs: { fixture: 'closed' } });
    const other = await fetch(`${base}/nope`);
    expect(other.status).toBe(404);
    expect((await json(other)).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});
