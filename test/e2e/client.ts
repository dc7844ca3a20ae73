import { inject } from 'vitest';
import '../setup/provided.ts';
import { mintToken, type Claims, type Role } from '@starline/common';

export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; extensions?: { code?: string; [k: string]: unknown } }[] | undefined;
  codes: string[];
}

/** POST a GraphQL operation to the gateway, the way the operator portal or a partner system does. */
export async function gql<T = Record<string, any>>(
  query: string,
  variables: Record<string, unknown> = {},
  opts: { token?: string; headers?: Record<string, string>; url?: string } = {},
): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const res = await fetch(opts.url ?? inject('gatewayUrl'), {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GqlResponse['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return {
    status: res.status,
    data: body.data,
    errors: body.errors,
    codes: (body.errors ?? []).map((e) => String(e.extensions?.code)),
  };
}

let counter = 0;
/** A fresh token for a role; each call gets its own subject so rate limits never couple tests. */
export async function tokenFor(
  role: Role,
  extra: Partial<Claims> = {},
  expiresIn: string | number = '1h',
): Promise<string> {
  counter += 1;
  const claims: Claims = { sub: `e2e-${role.toLowerCase()}-${process.pid}-${counter}`, roles: [role], ...extra };
  if (role === 'PARTNER' && !claims.centreId) claims.centreId = 'C-E2E-001';
  if (role === 'ENGINEER' && !claims.engineerId) claims.engineerId = 'E-E2E-001';
  return mintToken(claims, inject('jwtSecret'), expiresIn);
}

export function subgraphUrl(offset: number): string {
  return `http://127.0.0.1:${inject('portBase') + offset}/graphql`;
}

export const ALL_ROLES: Role[] = ['ADMIN', 'OPERATOR', 'CALL_CENTRE', 'PARTNER', 'FINANCE', 'ENGINEER'];
