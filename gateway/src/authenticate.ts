import { unauthenticated, type Claims, type TokenVerifier } from '@starline/common';

export interface AuthenticatorOptions {
  verify: TokenVerifier;
  /** Verified tokens kept (least recently used dropped first). */
  cacheSize?: number;
  /** A cached verification is trusted at most this long (and never past the token's expiry). */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Resolves an `Authorization` header to claims (null = anonymous) or throws UNAUTHENTICATED. */
export type Authenticator = (authorization: string | null | undefined) => Promise<Claims | null>;

interface Cached {
  claims: Claims;
  until: number;
}

/** The `exp` of a token that already passed verification (milliseconds), if it has one. */
function expiryOf(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * Bearer-token authentication with a small LRU of verified tokens: clients send the same token on
 * every request, and a signature check per request (an RSA verify with JWKS) is the costliest step
 * at the edge. Failures are not cached, so a token can never be "stuck" as invalid.
 */
export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  const size = opts.cacheSize ?? 10_000;
  const ttl = opts.cacheTtlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Cached>(); // Map keeps insertion order: first key = least recently used

  return async (authorization) => {
    if (!authorization) return null;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    const token = match[1]!;
    const t = now();
    const hit = cache.get(token);
    if (hit) {
      cache.delete(token);
      if (hit.until > t) {
        cache.set(token, hit);
        return hit.claims;
      }
    }
    const claims = await opts.verify(token);
    if (size > 0) {
      cache.set(token, { claims, until: Math.min(t + ttl, expiryOf(token)) });
      if (cache.size > size) cache.delete(cache.keys().next().value!);
    }
    return claims;
  };
}
