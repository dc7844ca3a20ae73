import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, createRemoteJWKSet, type JWTPayload } from 'jose';
import { forbidden, unauthenticated } from './errors.ts';

export const ROLES = ['ADMIN', 'OPERATOR', 'CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the gateway vouches for it to the subgraphs. */
export interface Claims {
  sub: string;
  roles: Role[];
  centreId?: string;
  engineerId?: string;
}

/** The internal header that carries gateway-signed claims to subgraphs. Clients cannot forge it. */
export const CLAIMS_HEADER = 'x-starline-claims';
export const JWT_ISSUER = 'starline';
export const JWT_AUDIENCE = 'starline-api';
const CLAIMS_TTL_SECONDS = 60;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Turn a verified JWT payload into claims; anything malformed is UNAUTHENTICATED. */
export function claimsFromPayload(payload: JWTPayload): Claims {
  const roles = payload['roles'];
  if (typeof payload.sub !== 'string' || !Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
    throw unauthenticated('token has no subject or no known roles');
  }
  const claims: Claims = { sub: payload.sub, roles };
  const centreId = payload['centreId'];
  const engineerId = payload['engineerId'];
  if (roles.includes('PARTNER')) {
    if (typeof centreId !== 'string' || !centreId) throw unauthenticated('a PARTNER token must carry a centreId claim');
    claims.centreId = centreId;
  }
  if (roles.includes('ENGINEER')) {
    if (typeof engineerId !== 'string' || !engineerId)
      throw unauthenticated('an ENGINEER token must carry an engineerId claim');
    claims.engineerId = engineerId;
    if (typeof centreId === 'string' && centreId) claims.centreId = centreId;
  }
  return claims;
}

/** Mint a development token (HS256). Production tokens come from the identity provider. */
export async function mintToken(claims: Claims, secret: string, expiresIn: string | number = '8h'): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

export type TokenVerifier = (token: string) => Promise<Claims>;

/** HS256 with a shared secret (local), or RS/ES keys from a JWKS URL (production). */
export function tokenVerifier(opts: { secret?: string; jwksUrl?: string }): TokenVerifier {
  const key = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : new TextEncoder().encode(opts.secret ?? '');
  const algorithms = opts.jwksUrl ? ['RS256', 'ES256', 'PS256'] : ['HS256'];
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        algorithms,
      });
      return claimsFromPayload(payload);
    } catch (e) {
      if (e instanceof Error && 'extensions' in e) throw e;
      const reason = (e as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'token has expired' : 'token is not valid';
      throw unauthenticated(reason);
    }
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const hmac = (data: string, secret: string) => createHmac('sha256', secret).update(data).digest('base64url');

/** Gateway side: `<payload>.<hmac>` with a short expiry, so a captured header soon stops working. */
export function signClaims(claims: Claims | null, secret: string, now = Date.now()): string {
  const payload = b64(JSON.stringify({ c: claims, exp: Math.floor(now / 1000) + CLAIMS_TTL_SECONDS }));
  return `${payload}.${hmac(payload, secret)}`;
}

/** Subgraph side: the claims the gateway vouched for (null = anonymous), or UNAUTHENTICATED. */
export function verifyClaims(header: string | undefined, secret: string, now = Date.now()): Claims | null {
  if (!header) throw unauthenticated('requests must come through the gateway');
  const [payload, sig] = header.split('.');
  if (!payload || !sig) throw unauthenticated('requests must come through the gateway');
  const expected = Buffer.from(hmac(payload, secret));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw unauthenticated('requests must come through the gateway');
  }
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { c: Claims | null; exp: number };
  if (body.exp * 1000 < now) throw unauthenticated('gateway signature has expired');
  return body.c;
}

export function hasRole(claims: Claims | null, ...roles: Role[]): boolean {
  return !!claims && claims.roles.some((r) => roles.includes(r));
}

/** Authorise: the caller holds one of `roles`, or FORBIDDEN (UNAUTHENTICATED when anonymous). */
export function requireRole(claims: Claims | null, ...roles: Role[]): Claims {
  if (!claims) throw unauthenticated();
  if (!hasRole(claims, ...roles)) throw forbidden(`requires one of the roles ${roles.join(', ')}`);
  return claims;
}

/**
 * A centre's month figures (KPI counters, credits, scorecards) are read by HQ (OPERATOR, ADMIN,
 * CALL_CENTRE) and FINANCE for every centre, by a PARTNER for its own centre only, by an ENGINEER never.
 */
export const seesEveryCentreMonth = (claims: Claims | null): boolean =>
  hasRole(claims, 'OPERATOR', 'ADMIN', 'FINANCE', 'CALL_CENTRE');
export const maySeeCentreMonth = (claims: Claims | null, centreId: string): boolean =>
  seesEveryCentreMonth(claims) || (hasRole(claims, 'PARTNER') && !!claims?.centreId && claims.centreId === centreId);
