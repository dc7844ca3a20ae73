import { describe, expect, it } from 'vitest';
import {
  claimsFromPayload,
  mintToken,
  requireRole,
  signClaims,
  tokenVerifier,
  verifyClaims,
  type Claims,
} from '../src/auth.ts';

const SECRET = 'a-test-secret-of-at-least-thirty-two-chars';
const admin: Claims = { sub: 'a', roles: ['ADMIN'] };

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
};
const asyncCodeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e) => (e as { extensions?: { code?: string } }).extensions?.code,
  );

describe('tokens', () => {
  it('round-trips claims through a minted token', async () => {
    const verify = tokenVerifier({ secret: SECRET });
    const claims = await verify(await mintToken({ sub: 'p1', roles: ['PARTNER'], centreId: 'C-1' }, SECRET));
    expect(claims).toEqual({ sub: 'p1', roles: ['PARTNER'], centreId: 'C-1' });
  });

  it('rejects expired tokens, other secrets and unknown roles as UNAUTHENTICATED', async () => {
    const verify = tokenVerifier({ secret: SECRET });
    expect(await asyncCodeOf(verify(await mintToken(admin, SECRET, Math.floor(Date.now() / 1000) - 5)))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await asyncCodeOf(verify(await mintToken(admin, `${SECRET}-other`)))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => claimsFromPayload({ sub: 'x', roles: ['ROOT'] }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => claimsFromPayload({ sub: 'x', roles: ['PARTNER'] }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => claimsFromPayload({ sub: 'x', roles: ['ENGINEER'] }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => claimsFromPayload({ roles: ['ADMIN'] }))).toBe('UNAUTHENTICATED');
  });
});

describe('gateway-signed claims', () => {
  it('verifies what the gateway signed, including anonymous', () => {
    expect(verifyClaims(signClaims(admin, SECRET), SECRET)).toEqual(admin);
    expect(verifyClaims(signClaims(null, SECRET), SECRET)).toBeNull();
  });

  it('refuses a missing, tampered, foreign or expired signature', () => {
    const signed = signClaims(admin, SECRET);
    const [payload, sig] = signed.split('.');
    const forged = Buffer.from(JSON.stringify({ c: { sub: 'a', roles: ['ADMIN', 'FINANCE'] }, exp: 9e9 }));
    const tampered = `${forged.toString('base64url')}.${sig}`;
    expect(codeOf(() => verifyClaims(undefined, SECRET))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifyClaims(payload, SECRET))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifyClaims(tampered, SECRET))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifyClaims(signClaims(admin, 'another-secret'), SECRET))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifyClaims(signClaims(admin, SECRET, Date.now() - 120_000), SECRET))).toBe('UNAUTHENTICATED');
  });
});

describe('requireRole', () => {
  it('is UNAUTHENTICATED for anonymous and FORBIDDEN for the wrong role', () => {
    expect(codeOf(() => requireRole(null, 'ADMIN'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requireRole({ sub: 'o', roles: ['OPERATOR'] }, 'ADMIN'))).toBe('FORBIDDEN');
    expect(requireRole({ sub: 'o', roles: ['OPERATOR'] }, 'ADMIN', 'OPERATOR').sub).toBe('o');
  });
});
