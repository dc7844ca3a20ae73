import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, type Claims } from '@starline/common';
import { SUPERGRAPH_PATH } from '../src/compose.ts';
import { LIMIT_DEFAULTS, LIMIT_ENV, loadLimits } from '../src/limits.ts';
import { loadSupergraph, rewriteSubgraphUrls, subgraphUrlEnvName, subgraphUrls } from '../src/supergraph.ts';
import { createRateLimiter } from '../src/rate-limit.ts';
import { createAuthenticator } from '../src/authenticate.ts';
import { createClaimsSigner } from '../src/upstream.ts';

describe('limits from the environment', () => {
  it('has every limit on by default', () => {
    expect(loadLimits({})).toEqual(LIMIT_DEFAULTS);
    expect(LIMIT_DEFAULTS).toMatchObject({
      maxBodyBytes: 100_000,
      maxDepth: 10,
      maxAliases: 30,
      maxTokens: 2_000,
      maxBatch: 0,
      rateLimitPerMinute: 600,
    });
  });

  it('reads each variable', () => {
    const env = {
      GATEWAY_MAX_BODY_BYTES: '2048',
      GATEWAY_MAX_DEPTH: '4',
      GATEWAY_MAX_ALIASES: '2',
      GATEWAY_MAX_TOKENS: '50',
      GATEWAY_MAX_BATCH: '5',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '30',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '1500',
    };
    expect(loadLimits(env)).toEqual({
      maxBodyBytes: 2048,
      maxDepth: 4,
      maxAliases: 2,
      maxTokens: 50,
      maxBatch: 5,
      rateLimitPerMinute: 30,
      upstreamTimeoutMs: 1500,
    });
    expect(
      Object.values(LIMIT_ENV)
        .map((e) => e.name)
        .sort(),
    ).toEqual(Object.keys(env).sort());
  });

  it('refuses a bad value with a message naming the variable', () => {
    expect(() => loadLimits({ GATEWAY_MAX_DEPTH: 'deep' })).toThrow(ConfigError);
    expect(() => loadLimits({ GATEWAY_MAX_DEPTH: '0' })).toThrow(
      /GATEWAY_MAX_DEPTH must be a whole number from 1 to 100, got "0"/,
    );
    expect(() => loadLimits({ GATEWAY_MAX_BODY_BYTES: '-1' })).toThrow(/GATEWAY_MAX_BODY_BYTES/);
    expect(() => loadLimits({ GATEWAY_MAX_BATCH: '2.5' })).toThrow(/GATEWAY_MAX_BATCH/);
  });
});

describe('subgraph URLs at load time', () => {
  const committed = readFileSync(SUPERGRAPH_PATH, 'utf8');

  it('follows the port base of the stack', () => {
    expect(subgraphUrls(loadSupergraph({ portBase: 5000 }, {}))).toMatchObject({
      standards: 'http://127.0.0.1:5101/graphql',
    });
    expect(subgraphUrls(committed)).toMatchObject({ standards: 'http://127.0.0.1:4101/graphql' });
  });

  it('takes a per-subgraph override from SUBGRAPH_URL_<NAME>', () => {
    expect(subgraphUrlEnvName('standards')).toBe('SUBGRAPH_URL_STANDARDS');
    expect(subgraphUrlEnvName('service-x')).toBe('SUBGRAPH_URL_SERVICE_X');
    const sdl = loadSupergraph(
      { portBase: 4000 },
      { SUBGRAPH_URL_STANDARDS: 'http://standards.internal:8080/graphql' },
    );
    expect(subgraphUrls(sdl)).toMatchObject({ standards: 'http://standards.internal:8080/graphql' });
    expect(() => loadSupergraph({ portBase: 4000 }, { SUBGRAPH_URL_STANDARDS: 'not a url' })).toThrow(
      /SUBGRAPH_URL_STANDARDS must be a URL/,
    );
  });

  it('changes nothing but the URLs', () => {
    const rewritten = rewriteSubgraphUrls(committed, () => 'http://x/graphql');
    expect(
      rewriteSubgraphUrls(rewritten, (name) => `http://127.0.0.1:${name === 'standards' ? 4101 : 0}/graphql`),
    ).toBe(rewriteSubgraphUrls(committed, (name) => `http://127.0.0.1:${name === 'standards' ? 4101 : 0}/graphql`));
  });
});

describe('rate limiter', () => {
  it('allows the limit per minute per client, then says when to retry', () => {
    let now = 60_000 * 1000; // the start of a minute
    const limiter = createRateLimiter(3, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take('sub:a').ok).toBe(true);
    const refused = limiter.take('sub:a');
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(limiter.take('sub:b').ok).toBe(true); // clients are counted apart
    now += 30_000;
    expect(limiter.take('sub:a')).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it('weighs the previous minute, so a burst across the boundary is still limited', () => {
    let now = 60_000 * 1000 + 50_000;
    const limiter = createRateLimiter(10, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.take('ip:1').ok).toBe(true);
    now += 15_000; // 5 s into the next minute: 10 × 55/60 of the last minute still counts
    expect(limiter.take('ip:1').ok).toBe(true);
    expect(limiter.take('ip:1').ok).toBe(false);
    now += 60_000; // a quiet minute later everything is forgotten
    expect(limiter.take('ip:1').ok).toBe(true);
  });

  it('is off at 0', () => {
    const limiter = createRateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('x').ok).toBe(true);
  });
});

describe('authenticator', () => {
  const claims: Claims = { sub: 'u1', roles: ['ADMIN'] };
  const token = (exp?: number) =>
    ['h', Buffer.from(JSON.stringify({ sub: 'u1', ...(exp ? { exp } : {}) })).toString('base64url'), 's'].join('.');

  it('treats no header as anonymous and refuses other schemes', async () => {
    const auth = createAuthenticator({ verify: async () => claims });
    expect(await auth(undefined)).toBeNull();
    expect(await auth('')).toBeNull();
    await expect(auth('Basic dXNlcjpwYXNz')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(auth('Bearer')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('verifies a token once, then answers from the cache until the token or the cache entry expires', async () => {
    let now = 1_000_000;
    const verify = vi.fn(async () => claims);
    const auth = createAuthenticator({ verify, cacheTtlMs: 60_000, now: () => now });
    const t = token(Math.floor(now / 1000) + 30);
    expect(await auth(`Bearer ${t}`)).toBe(claims);
    expect(await auth(`bearer ${t}`)).toBe(claims);
    expect(verify).toHaveBeenCalledTimes(1);
    now += 31_000; // past the token's own expiry: verified again (and refused by the real verifier)
    await auth(`Bearer ${t}`);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('never caches a failure, and keeps the cache bounded', async () => {
    let fail = true;
    const verify = vi.fn(async () => {
      if (fail) throw Object.assign(new Error('token is not valid'), { extensions: { code: 'UNAUTHENTICATED' } });
      return claims;
    });
    const auth = createAuthenticator({ verify, cacheSize: 2 });
    await expect(auth(`Bearer ${token()}`)).rejects.toThrow('token is not valid');
    fail = false;
    await expect(auth(`Bearer ${token()}`)).resolves.toBe(claims);
    for (const t of ['a.b.c', 'd.e.f', 'g.h.i']) await auth(`Bearer ${t}`);
    await auth('Bearer a.b.c'); // dropped as least recently used: verified again
    expect(verify).toHaveBeenCalledTimes(6);
  });
});

describe('claims signer', () => {
  it('reuses a signature for the same claims for a while, then signs afresh', () => {
    let now = 1_000_000;
    const sign = createClaimsSigner('secret', () => now);
    const claims: Claims = { sub: 'u1', roles: ['ADMIN'] };
    const first = sign(claims);
    now += 10_000; // a fresh signature now would carry a later expiry
    expect(sign(claims)).toBe(first);
    expect(sign({ ...claims })).not.toBe(first); // another token's claims object
    expect(sign(null)).not.toBe(first);
    now += 10_001;
    expect(sign(claims)).not.toBe(first);
  });
});
