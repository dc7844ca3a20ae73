/**
 * Every limit, against the gateway in-process (fixture.ts). Each test sends a request just over the
 * limit (refused) and one at it (served), so it fails if the limit were off or off by one.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMIT_DEFAULTS } from '../src/limits.ts';
import { startFixture, tokenFor, type Fixture } from './fixture.ts';

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const json = (res: Response) => res.json() as Promise<Body>;
const codes = (body: Body) => (body.errors ?? []).map((e) => e.extensions?.['code']);

/** `{ items { child { child … { id } } } }` with `depth` levels of selection. */
const nested = (depth: number) => `{ items { ${'child { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;
const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: items { id }`).join(' ')} }`;

describe('with the default limits', () => {
  let f: Fixture;
  beforeAll(async () => void (f = await startFixture()));
  afterAll(() => f.stop());

  it('refuses a query deeper than 10', async () => {
    expect(LIMIT_DEFAULTS.maxDepth).toBe(10);
    const deep = await f.post({ query: nested(11) });
    expect(deep.status).toBe(200); // a validation failure: 200 in application/json (400 in application/graphql-response+json)
    expect(await json(deep)).toEqual({
      errors: [{ message: 'Query depth limit of 10 exceeded, found 11.', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect((await json(await f.post({ query: nested(10) }))).errors).toBeUndefined();
  });

  it('refuses more than 30 aliases', async () => {
    const flood = await f.post({ query: aliased(31) });
    expect(flood.status).toBe(200);
    expect((await json(flood)).errors?.[0]).toMatchObject({
      message: 'Aliases limit of 30 exceeded, found 31.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await json(await f.post({ query: aliased(30) }))).errors).toBeUndefined();
  });

  it('refuses a document of more than 2000 tokens before building it', async () => {
    // Many small operations, one of them run: `query Qi { items { id } }` is 8 tokens, and a last
    // one selecting `name` too makes 9. Nothing else here is near a limit.
    const tokens = (n: number) => {
      const ops = Array.from({ length: Math.floor(n / 8) }, (_, i) => `query Q${i} { items { id } }`);
      if (n % 8 === 1) ops[ops.length - 1] = `query Q${ops.length - 1} { items { id name } }`;
      return ops.join('\n');
    };
    const long = await f.post({ query: tokens(2001), operationName: 'Q0' });
    expect(long.status).toBe(200);
    expect((await json(long)).errors?.[0]).toMatchObject({
      message: expect.stringMatching(/more that 2000 tokens/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await json(await f.post({ query: tokens(2000), operationName: 'Q0' }))).errors).toBeUndefined();
  });

  it('refuses a body over 100 KB with 413, announced or chunked', async () => {
    const body = (size: number) => {
      const base = JSON.stringify({ query: '{ items { id } }', variables: { pad: '' } });
      return base.replace('"pad":""', `"pad":"${'x'.repeat(size - base.length)}"`);
    };
    expect(body(100_000)).toHaveLength(100_000);
    const big = await fetch(f.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(100_001),
    });
    expect(big.status).toBe(413);
    expect(await json(big)).toEqual({
      errors: [{ message: 'the request body is larger than 100000 bytes', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    const ok = await fetch(f.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(100_000),
    });
    expect(ok.status).toBe(200);

    // Without Content-Length (chunked), the gateway counts as it reads.
    const chunked = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(f.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      const payload = body(150_000);
      for (let i = 0; i < payload.length; i += 10_000) req.write(payload.slice(i, i + 10_000));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses batched requests', async () => {
    const res = await f.post([{ query: '{ items { id } }' }]);
    expect(res.status).toBe(400);
    expect((await json(res)).errors?.[0]).toMatchObject({
      message: expect.stringMatching(/not accepted/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('refuses introspection outside development mode', async () => {
    const res = await f.post({ query: '{ __schema { queryType { name } } }' });
    expect(res.status).toBe(200);
    expect(codes(await json(res))).toContain('BAD_USER_INPUT');
    expect((await json(await f.post({ query: '{ items { __typename } }' }))).errors).toBeUndefined();
  });

  it('hides field suggestions outside development mode', async () => {
    const body = await json(await f.post({ query: '{ items { nam } }' }));
    expect(body.errors?.[0]?.message).toBe('Cannot query field "nam" on type "Item".');
  });

  it('refuses requests a browser could send cross-site without a preflight (CSRF)', async () => {
    const simple = await fetch(f.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ items { id } }' }),
    });
    expect(simple.status).toBe(403);
    expect(codes(await json(simple))).toEqual(['BAD_USER_INPUT']);
    const get = `${f.gateway.url}?query=${encodeURIComponent('{ items { id } }')}`;
    expect((await fetch(get)).status).toBe(403);
    const preflighted = await fetch(get, { headers: { 'x-graphql-client-name': 'portal' } });
    expect(preflighted.status).toBe(200);
    expect((await json(preflighted)).data?.items).toHaveLength(2);
  });

  it('runs no mutation sent with GET', async () => {
    const res = await fetch(`${f.gateway.url}?query=${encodeURIComponent('mutation { touch }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(res.status).toBe(405);
    expect(await json(res)).toEqual({
      errors: [{ message: 'mutations must be sent with POST', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect((await json(await f.post({ query: 'mutation { touch }' }))).data).toEqual({ touch: true });
  });
});

describe('with limits from configuration', () => {
  let f: Fixture;
  beforeAll(async () => void (f = await startFixture({ maxBatch: 2, rateLimitPerMinute: 3, upstreamTimeoutMs: 200 })));
  afterAll(() => f.stop());

  it('accepts a batch up to the configured size', async () => {
    const ok = await f.post([{ query: '{ items { id } }' }, { query: '{ viewer { sub } }' }], {
      authorization: `Bearer ${await tokenFor({ sub: 'batcher', roles: ['ADMIN'] })}`,
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([
      { data: { items: [{ id: '1' }, { id: '2' }] } },
      { data: { viewer: { sub: 'batcher' } } },
    ]);
    const tooMany = await f.post(
      [1, 2, 3].map(() => ({ query: '{ items { id } }' })),
      { authorization: `Bearer ${await tokenFor({ sub: 'batcher2', roles: ['ADMIN'] })}` },
    );
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).errors?.[0]?.message).toBe('a batch holds 1 to 2 operations, this one has 3');
  });

  it('gives up on a subgraph that does not answer in time', async () => {
    const started = Date.now();
    const res = await f.post(
      { query: '{ slow }' },
      { authorization: `Bearer ${await tokenFor({ sub: 'patient', roles: ['ADMIN'] })}` },
    );
    expect(Date.now() - started).toBeLessThan(900);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.data?.slow ?? null).toBeNull();
    // Named, not INTERNAL: the client can tell which service is down and that a retry may help.
    expect(body.errors).toEqual([
      {
        message: 'the fixture service did not answer within 200 ms',
        path: ['slow'],
        extensions: { code: 'UNAVAILABLE', service: 'fixture', serviceName: 'fixture' },
      },
    ]);
  });

  it('rate-limits each client by its token subject, with 429 RATE_LIMITED', async () => {
    const ada = { authorization: `Bearer ${await tokenFor({ sub: 'ada', roles: ['ADMIN'] })}` };
    for (let i = 0; i < 3; i++) expect((await f.post({ query: '{ items { id } }' }, ada)).status).toBe(200);
    const limited = await f.post({ query: '{ items { id } }' }, ada);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await json(limited)).errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^too many requests/),
      extensions: { code: 'RATE_LIMITED' },
    });
    // Another subject has its own allowance; so does the same person with a new token.
    const bob = { authorization: `Bearer ${await tokenFor({ sub: 'bob', roles: ['ADMIN'] })}` };
    expect((await f.post({ query: '{ items { id } }' }, bob)).status).toBe(200);
    const adaAgain = { authorization: `Bearer ${await tokenFor({ sub: 'ada', roles: ['ADMIN'] }, '2h')}` };
    expect((await f.post({ query: '{ items { id } }' }, adaAgain)).status).toBe(429);
  });

  it('rate-limits anonymous callers, and failed sign-ins, by address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await f.post({ query: '{ items { id } }' })).status);
    statuses.push((await f.post({ query: '{ items { id } }' }, { authorization: 'Bearer not-a-token' })).status);
    statuses.push((await f.post({ query: '{ items { id } }' }, { authorization: 'Bearer not-a-token' })).status);
    statuses.push((await f.post({ query: '{ items { id } }' })).status);
    expect(statuses).toEqual([200, 200, 401, 429, 429]);
  });
});

describe('in development mode', () => {
  let f: Fixture;
  beforeAll(async () => void (f = await startFixture({}, true)));
  afterAll(() => f.stop());

  it('allows introspection and field suggestions', async () => {
    expect((await json(await f.post({ query: '{ __schema { queryType { name } } }' }))).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    expect((await json(await f.post({ query: '{ items { nam } }' }))).errors?.[0]?.message).toMatch(
      /Did you mean "name"\?/,
    );
  });

  it('serves GraphiQL to a browser', async () => {
    const page = await fetch(f.gateway.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});
