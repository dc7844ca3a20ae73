import { randomUUID } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { CLAIMS_HEADER, signClaims, type Claims } from '@starline/common';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What http.ts puts in the GraphQL context for the subgraph calls of one request. */
export interface CallerContext {
  claims: Claims | null;
  requestId: string;
}

export const CALLER = 'starline';

/** A signed header is valid for 60 s (common/src/auth.ts); reusing it for 20 s leaves it 40 s to arrive. */
const SIGNATURE_REUSE_MS = 20_000;

/**
 * Signs claims for subgraph calls, reusing a signature for a short while: the authenticator hands
 * out the same Claims object for the same token, so a client's repeated requests (and every
 * anonymous request) share one signature instead of an HMAC per call.
 */
export function createClaimsSigner(
  signingSecret: string,
  now: () => number = Date.now,
): (claims: Claims | null) => string {
  const signed = new WeakMap<Claims, { header: string; until: number }>();
  let anonymous = { header: '', until: 0 };
  return (claims) => {
    const t = now();
    const hit = claims ? signed.get(claims) : anonymous;
    if (hit && hit.until > t) return hit.header;
    const fresh = { header: signClaims(claims, signingSecret, t), until: t + SIGNATURE_REUSE_MS };
    if (claims) signed.set(claims, fresh);
    else anonymous = fresh;
    return fresh.header;
  };
}

/**
 * Every subgraph call carries the caller's claims signed by the gateway and the request id. The
 * headers are set, never copied from the client: the runtime forwards no client header, so a
 * client-sent `x-starline-claims` never reaches a subgraph. A call made outside any request (none
 * today) goes anonymous.
 */
export function useSignedUpstreamHeaders(signingSecret: string): GatewayPlugin {
  const sign = createClaimsSigner(signingSecret);
  return {
    onFetch({ context, options, setOptions }) {
      const caller = (context as { [CALLER]?: CallerContext } | undefined)?.[CALLER];
      setOptions({
        ...options,
        headers: {
          ...(options.headers as Record<string, string> | undefined),
          [CLAIMS_HEADER]: sign(caller?.claims ?? null),
          [REQUEST_ID_HEADER]: caller?.requestId ?? randomUUID(),
        },
      });
    },
  };
}
