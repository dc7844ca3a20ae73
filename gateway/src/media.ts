/**
 * GraphQL over HTTP's two response media types. `application/graphql-response+json` lets the
 * status code carry meaning (a request error is 4xx); legacy `application/json` answers 200 for
 * every well-formed request, parse and validation failures included, as the spec asks of it.
 */
export const GRAPHQL_RESPONSE = 'application/graphql-response+json';
export const LEGACY_JSON = 'application/json';
export type MediaType = typeof GRAPHQL_RESPONSE | typeof LEGACY_JSON;

/**
 * The media type to answer in, from the Accept header: the acceptable type the client weights
 * highest (earlier wins a tie). No Accept, or nothing we serve in it: application/json, which
 * the spec lets a server use rather than refusing with 406.
 */
export function negotiate(accept: string | undefined): MediaType {
  if (!accept) return LEGACY_JSON;
  let best: { type: MediaType; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    const type =
      range === GRAPHQL_RESPONSE
        ? GRAPHQL_RESPONSE
        : range === LEGACY_JSON || range === 'application/*' || range === '*/*'
          ? LEGACY_JSON
          : undefined;
    if (type && q > 0 && (!best || q > best.q)) best = { type, q };
  }
  return best?.type ?? LEGACY_JSON;
}

/**
 * The status of a GraphQL response in the chosen media type. `status` is what
 * application/graphql-response+json gives it; `wellFormed` says the request reached GraphQL
 * (a parse, validation or variable error, not a malformed HTTP request), which application/json
 * answers with 200.
 */
export function statusFor(media: MediaType, status: number, wellFormed: boolean): number {
  return media === LEGACY_JSON && wellFormed && status === 400 ? 200 : status;
}
