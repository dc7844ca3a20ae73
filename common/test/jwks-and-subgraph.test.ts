import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { JWT_AUDIENCE, JWT_ISSUER, signClaims, tokenVerifier } from '../src/auth.ts';
import { createLogger } from '../src/log.ts';
import { serveSubgraph, type RequestContext } from '../src/subgraph.ts';
import { CLAIMS_HEADER } from '../src/auth.ts';

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

describe('tokens verified against a JWKS (production)', () => {
  let jwks: Server;
  let url: string;
  let privateKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    url = `http://127.0.0.1:${await listen(jwks)}/.well-known/jwks.json`;
  });
  afterAll(() => jwks.close());

  const sign = (key: CryptoKey, alg = 'ES256') =>
    new SignJWT({ roles: ['FINANCE'] })
      .setProtectedHeader({ alg, kid: 'k1' })
      .setSubject('f1')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setExpirationTime('5m')
      .sign(key);

  it('accepts a token signed by a published key', async () => {
    expect(await tokenVerifier({ jwksUrl: url })(await sign(privateKey))).toEqual({ sub: 'f1', roles: ['FINANCE'] });
  });

  it('refuses a token signed by another key, and an HS256 token, as UNAUTHENTICATED', async () => {
    const other = await generateKeyPair('ES256');
    const verify = tokenVerifier({ jwksUrl: url });
    await expect(verify(await sign(other.privateKey))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const hs = await new SignJWT({ roles: ['ADMIN'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-secret-a-secret-a-secret-a-secret'));
    await expect(verify(hs)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('serveSubgraph', () => {
  const SECRET = 'subgraph-test-signing-secret';
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse('type Query { whoami: String boom: String }'),
      resolvers: {
        Query: {
          whoami: (_: unknown, __: unknown, ctx: RequestContext) => ctx.claims?.sub ?? 'anonymous',
          boom: () => {
            throw new Error('connection to mongodb://secret-host refused');
          },
        },
      },
    },
  ]);
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  async function start(allowDirectAccess: boolean, ready = true) {
    const server = await serveSubgraph({
      name: 'test',
      schema,
      port: 0,
      host: '127.0.0.1',
      log: createLogger('test', 'silent'),
      signingSecret: SECRET,
      allowDirectAccess,
      devMode: false,
      ready: async () => ready,
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }
  const ask = async (base: string, query: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        data?: { whoami?: string };
        errors?: { message: string; extensions: { code: string } }[];
      },
    };
  };

  it('refuses unsigned calls unless the local development flag allows them, as anonymous', async () => {
    const strict = await start(false);
    expect((await ask(strict, '{ whoami }')).status).toBe(401);
    const lenient = await start(true);
    expect((await ask(lenient, '{ whoami }')).body.data?.whoami).toBe('anonymous');
    // A signed header is still verified under the flag: a forged one is refused.
    expect(
      (await ask(lenient, '{ whoami }', { [CLAIMS_HEADER]: signClaims({ sub: 'm', roles: ['ADMIN'] }, 'guess') }))
        .status,
    ).toBe(401);
    expect(
      (await ask(lenient, '{ whoami }', { [CLAIMS_HEADER]: signClaims({ sub: 'a1', roles: ['ADMIN'] }, SECRET) })).body
        .data?.whoami,
    ).toBe('a1');
  });

  it('masks unexpected errors as INTERNAL with nothing about the cause', async () => {
    const base = await start(true);
    const { body } = await ask(base, '{ boom }');
    expect(body.errors![0]!.extensions.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toMatch(/mongodb|secret-host|stack/i);
  });

  it('answers /health always and /ready only when ready', async () => {
    const notReady = await start(false, false);
    expect((await fetch(`${notReady}/health`)).status).toBe(200);
    expect((await fetch(`${notReady}/ready`)).status).toBe(503);
    expect((await fetch(`${await start(false, true)}/ready`)).status).toBe(200);
  });
});
