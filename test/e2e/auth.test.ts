import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SignJWT } from 'jose';
import { CLAIMS_HEADER, JWT_AUDIENCE, JWT_ISSUER, signClaims } from '@starline/common';
import { ALL_ROLES, gql, subgraphUrl, tokenFor } from './client.ts';

const IN_FORCE = '{ standardInForce { id number status } }';
const adminClaims = { sub: 'mallory', roles: ['ADMIN' as const] };

describe('authentication at the gateway', () => {
  it('lets every role read the standard in force with a valid token', async () => {
    for (const role of ALL_ROLES) {
      const res = await gql(IN_FORCE, {}, { token: await tokenFor(role) });
      expect(res.errors, role).toBeUndefined();
      expect(res.data?.standardInForce?.status).toBe('PUBLISHED');
    }
  });

  it('answers UNAUTHENTICATED without a token', async () => {
    const res = await gql(IN_FORCE);
    expect(res.codes).toContain('UNAUTHENTICATED');
    expect(res.data?.standardInForce ?? null).toBeNull();
  });

  it('refuses an expired token', async () => {
    const token = await tokenFor('ADMIN', {}, Math.floor(Date.now() / 1000) - 60);
    const res = await gql(IN_FORCE, {}, { token });
    expect(res.status).toBe(401);
    expect(res.codes).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await new SignJWT({ roles: ['ADMIN'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
    const res = await gql(IN_FORCE, {}, { token });
    expect(res.status).toBe(401);
    expect(res.codes).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an unsigned (alg none) token and a token that is not a JWT', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'mallory', roles: ['ADMIN'], iss: JWT_ISSUER, aud: JWT_AUDIENCE, exp: 9999999999 }),
    ).toString('base64url');
    for (const token of [`${header}.${payload}.`, 'garbage']) {
      const res = await gql(IN_FORCE, {}, { token });
      expect(res.status).toBe(401);
      expect(res.codes).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('refuses a PARTNER token without a centre', async () => {
    const token = await new SignJWT({ roles: ['PARTNER'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('p')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(inject('jwtSecret')));
    const res = await gql(IN_FORCE, {}, { token });
    expect(res.codes).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the internal claims header cannot be forged', () => {
  it('gives a client nothing for sending the header to the gateway itself', async () => {
    const forged = signClaims(adminClaims, 'guessed-secret');
    const res = await gql(IN_FORCE, {}, { headers: { [CLAIMS_HEADER]: forged } });
    expect(res.codes).toContain('UNAUTHENTICATED');
    // Even a correctly signed header (a leaked one) is replaced by the gateway's own.
    const leaked = signClaims(adminClaims, inject('signingSecret'));
    const again = await gql(
      'mutation { createStandardDraft(input: {}) { id } }',
      {},
      { headers: { [CLAIMS_HEADER]: leaked } },
    );
    expect(again.codes).toContain('UNAUTHENTICATED');
  });

  it('makes subgraphs refuse calls that did not come through the gateway', async () => {
    const direct = subgraphUrl(101);
    const none = await gql(IN_FORCE, {}, { url: direct });
    expect(none.status).toBe(401);
    expect(none.codes).toEqual(['UNAUTHENTICATED']);
    const forged = await gql(
      IN_FORCE,
      {},
      { url: direct, headers: { [CLAIMS_HEADER]: signClaims(adminClaims, 'guessed-secret') } },
    );
    expect(forged.status).toBe(401);
    expect(forged.codes).toEqual(['UNAUTHENTICATED']);
    const expired = await gql(
      IN_FORCE,
      {},
      {
        url: direct,
        headers: { [CLAIMS_HEADER]: signClaims(adminClaims, inject('signingSecret'), Date.now() - 10 * 60_000) },
      },
    );
    expect(expired.codes).toEqual(['UNAUTHENTICATED']);
    // The same request with the gateway's signature is served: the refusals above are about the signature.
    const signed = await gql(
      IN_FORCE,
      {},
      { url: direct, headers: { [CLAIMS_HEADER]: signClaims(adminClaims, inject('signingSecret')) } },
    );
    expect(signed.errors).toBeUndefined();
    expect(signed.data?.standardInForce?.status).toBe('PUBLISHED');
  });
});

describe('health', () => {
  it('answers /health on every process', async () => {
    const base = inject('portBase');
    for (const offset of [0, 100, 101]) {
      const res = await fetch(`http://127.0.0.1:${base + offset}/health`);
      expect(res.status, `port ${base + offset}`).toBe(200);
    }
  });
});
