/** A dependency that is down reaches a client as UNAVAILABLE naming it, never as INTERNAL. */
import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { checkDependencies, maskError, RemoteCallError, unavailableDependency } from '../src/index.ts';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('x'), { name }, extra);

describe('unavailableDependency', () => {
  it('names the database, Temporal or the service a request-time call went to', () => {
    expect(unavailableDependency(named('MongoServerSelectionError'))).toBe('database');
    expect(
      unavailableDependency(
        named('MongooseError', { message: 'Operation `tickets.find()` buffering timed out after 10000ms' }),
      ),
    ).toBe('database');
    // @temporalio/client's ServiceError wrapping gRPC UNAVAILABLE
    expect(
      unavailableDependency(
        named('ServiceError', {
          cause: Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'No connection established' }),
        }),
      ),
    ).toBe('temporal');
    expect(unavailableDependency(new RemoteCallError('network.centreRef: timed out', null, 'network'))).toBe('network');
    expect(
      unavailableDependency(new RemoteCallError('network.centreRef: no such centre', 'NOT_FOUND', 'network')),
    ).toBeNull();
    expect(unavailableDependency(new Error('a bug'))).toBeNull();
  });

  it('makes maskError answer UNAVAILABLE with the service, through the GraphQLError wrapping', () => {
    const original = new GraphQLError('x', { originalError: named('MongoNetworkError') });
    expect(maskError({ message: 'x', path: ['checkIn'] }, original)).toEqual({
      message: 'the database is unavailable: retry shortly',
      path: ['checkIn'],
      extensions: { code: 'UNAVAILABLE', service: 'database' },
    });
    expect(
      maskError({ message: 'x', path: ['a'] }, new GraphQLError('x', { originalError: new Error('bug') })),
    ).toEqual({
      message: 'internal error',
      path: ['a'],
      extensions: { code: 'INTERNAL' },
    });
  });
});

describe('checkDependencies', () => {
  it('reports each dependency, a hung check as down after the deadline', async () => {
    const started = Date.now();
    const state = await checkDependencies(
      {
        database: async () => true,
        temporal: () => new Promise<boolean>(() => undefined),
        worker: async () => {
          throw new Error('stopped');
        },
      },
      100,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(state).toEqual({ ok: false, dependencies: { database: 'up', temporal: 'down', worker: 'down' } });
    expect((await checkDependencies({ database: async () => true })).ok).toBe(true);
  });
});
