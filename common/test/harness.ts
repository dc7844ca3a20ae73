import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { graphql, type GraphQLSchema } from 'graphql';
import { expect, inject } from 'vitest';
import '../../test/setup/provided.ts';
import { connectDatabase } from '../src/mongo.ts';
import { createLogger } from '../src/log.ts';
import type { Claims } from '../src/auth.ts';
import type { RequestContext } from '../src/subgraph.ts';

/** A database of its own for one integration test file, on the FerretDB the setup started. */
export async function testDatabase(prefix: string): Promise<Connection> {
  return connectDatabase(inject('mongodbUri'), `${prefix}_${randomUUID().slice(0, 8)}`);
}

const silent = createLogger('test', 'silent');

/** A resolver context as the gateway would vouch for it. */
export function contextAs(claims: Claims | null): RequestContext {
  return { claims, requestId: randomUUID(), log: silent };
}

export const as = {
  admin: (): Claims => ({ sub: 'admin-1', roles: ['ADMIN'] }),
  operator: (): Claims => ({ sub: 'operator-1', roles: ['OPERATOR'] }),
  callCentre: (): Claims => ({ sub: 'agent-1', roles: ['CALL_CENTRE'] }),
  finance: (): Claims => ({ sub: 'finance-1', roles: ['FINANCE'] }),
  partner: (centreId = 'centre-1'): Claims => ({ sub: `partner-${centreId}`, roles: ['PARTNER'], centreId }),
  engineer: (engineerId = 'engineer-1'): Claims => ({ sub: `eng-${engineerId}`, roles: ['ENGINEER'], engineerId }),
};

/** What an operation returned, with each error's code lifted out. */
export interface Result {
  data: Record<string, any> | null;
  errors: { message: string; code: unknown; extensions: Record<string, unknown> }[];
}

export type Runner = (claims: Claims | null, source: string, variables?: Record<string, unknown>) => Promise<Result>;

/** Runs operations against a subgraph's schema as the given caller, as the subgraph server would. */
export function runnerFor(schema: GraphQLSchema): Runner {
  return async (claims, source, variables) => {
    const result = await graphql({ schema, source, variableValues: variables ?? {}, contextValue: contextAs(claims) });
    return {
      data: (result.data as Record<string, any> | null | undefined) ?? null,
      errors: (result.errors ?? []).map((e) => ({
        message: e.message,
        code: e.extensions['code'],
        extensions: e.extensions,
      })),
    };
  };
}

/** Every document of every collection (less `skip`), to prove a refused request wrote nothing. */
export function snapshotOf(db: Connection, skip: string[] = []): () => Promise<string> {
  return async () => {
    const collections = (await db.db!.listCollections().toArray())
      .map((c) => c.name)
      .filter((n) => !skip.includes(n))
      .sort();
    const dump: Record<string, unknown[]> = {};
    for (const name of collections) dump[name] = await db.db!.collection(name).find().sort({ _id: 1 }).toArray();
    return JSON.stringify(dump);
  };
}

export function expectOk(result: Result): Record<string, any> {
  expect(result.errors).toEqual([]);
  return result.data!;
}

export function expectError(result: Result, code: string): Result['errors'][number] {
  expect(result.errors.map((e) => e.code)).toEqual([code]);
  return result.errors[0]!;
}
