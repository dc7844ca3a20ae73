import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { LIMIT_DEFAULTS } from '@starline/gateway';
import { gql, tokenFor } from './client.ts';

/** The gateway's limits, at their defaults, as a client meets them on the running stack. */
let token: string;
beforeAll(async () => {
  token = await tokenFor('OPERATOR');
});

const nested = (depth: number) => {
  // basedOn nests a StandardVersion in a StandardVersion: one level per step.
  let selection = 'id';
  for (let i = 0; i < depth; i++) selection = `basedOn { ${selection} }`;
  return `{ standardInForce { ${selection} } }`;
};

describe('gateway limits (defaults)', () => {
  it('refuses a body over the size limit with 413 and a GraphQL error', async () => {
    const query = `{ standardInForce { id } } # ${'x'.repeat(LIMIT_DEFAULTS.maxBodyBytes)}`;
    const res = await gql(query, {}, { token });
    expect(res.status).toBe(413);
    expect(res.codes).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a query deeper than the depth limit, and serves one at it', async () => {
    const over = await gql(nested(LIMIT_DEFAULTS.maxDepth), {}, { token });
    expect(over.codes).toEqual(['BAD_USER_INPUT']);
    expect(over.errors![0]!.message).toMatch(/depth/i);
    const within = await gql(nested(3), {}, { token });
    expect(within.errors).toBeUndefined();
  });

  it('refuses an alias flood', async () => {
    const aliases = Array.from(
      { length: LIMIT_DEFAULTS.maxAliases + 1 },
      (_, i) => `a${i}: standardInForce { id }`,
    ).join(' ');
    const res = await gql(`{ ${aliases} }`, {}, { token });
    expect(res.codes).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(/alias/i);
  });

  it('refuses a document over the token limit', async () => {
    const fields = Array.from({ length: LIMIT_DEFAULTS.maxTokens }, () => 'id').join(' ');
    const res = await gql(`{ standardInForce { ${fields} } }`, {}, { token });
    expect(res.codes).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(/token/i);
  });

  it('refuses batched operations', async () => {
    const res = await fetch(inject('gatewayUrl'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([{ query: '{ standardInForce { id } }' }, { query: '{ standardInForce { id } }' }]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('keeps introspection and field suggestions off', async () => {
    const schema = await gql('{ __schema { types { name } } }', {}, { token });
    expect(schema.codes.length).toBeGreaterThan(0);
    expect(new Set(schema.codes)).toEqual(new Set(['BAD_USER_INPUT']));
    expect(schema.data?.__schema ?? null).toBeNull();
    const typo = await gql('{ standardInForc { id } }', {}, { token });
    expect(typo.codes).toEqual(['BAD_USER_INPUT']);
    expect(typo.errors![0]!.message).not.toMatch(/did you mean/i);
  });

  it('prevents CSRF: a simple cross-site request is refused, a mutation by GET too', async () => {
    const url = inject('gatewayUrl');
    const simpleGet = await fetch(`${url}?query=${encodeURIComponent('{ standardInForce { id } }')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(simpleGet.status).toBe(403);
    const form = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ standardInForce { id } }' }),
    });
    expect(form.status).toBe(403);
    const mutation = encodeURIComponent('mutation { discardStandardDraft(id: "x") }');
    const getMutation = await fetch(`${url}?query=${mutation}`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    expect(getMutation.status).toBe(405);
    // The same GET query with a preflight-forcing header is served.
    const preflighted = await fetch(`${url}?query=${encodeURIComponent('{ standardInForce { id } }')}`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });

  it('rate-limits one client without touching another', async () => {
    const greedy = await tokenFor('CALL_CENTRE');
    const query = '{ standardInForce { id } }';
    // The limiter counts per clock minute and lets in the part of the last minute's count that has
    // slid out of the 60 s window: a burst that crosses a minute boundary may rightly pass more.
    // So the burst starts with at least 40 s of its minute left (it takes a few seconds).
    const leftInMinute = 60_000 - (Date.now() % 60_000);
    if (leftInMinute < 40_000) await new Promise((r) => setTimeout(r, leftInMinute + 100));
    const statuses: number[] = [];
    for (let sent = 0; sent < LIMIT_DEFAULTS.rateLimitPerMinute + 5; sent += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => gql(query, {}, { token: greedy })));
      statuses.push(...batch.map((r) => r.status));
    }
    const limited = await gql(query, {}, { token: greedy });
    expect(limited.status).toBe(429);
    expect(limited.codes).toEqual(['RATE_LIMITED']);
    expect(statuses.filter((s) => s === 200).length).toBe(LIMIT_DEFAULTS.rateLimitPerMinute);
    const other = await gql(query, {}, { token: await tokenFor('CALL_CENTRE') });
    expect(other.status).toBe(200);
  }, 120_000);
});
