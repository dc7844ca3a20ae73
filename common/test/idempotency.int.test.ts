import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import type { Claims } from '../src/auth.ts';
import { callerScope, idempotencyModel, withIdempotency } from '../src/idempotency.ts';
import { testDatabase } from './harness.ts';

let conn: Connection;
beforeAll(async () => {
  conn = await testDatabase('common');
  await idempotencyModel(conn).syncIndexes();
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

const p1: Claims = { sub: 'p1', roles: ['OPERATOR'] };
const p2: Claims = { sub: 'p2', roles: ['OPERATOR'] };
const sees = () => true;

describe('withIdempotency on a real MongoDB-wire server', () => {
  it('runs once and replays the first result', async () => {
    const model = idempotencyModel(conn);
    let runs = 0;
    const call = { key: 'key-00000001', operation: 'op', caller: p1, mayReplay: sees, payload: { a: 1 } };
    const first = await withIdempotency(model, call, async () => ({ n: ++runs }));
    const second = await withIdempotency(model, call, async () => ({ n: ++runs }));
    expect(first).toEqual({ n: 1 });
    expect(second).toEqual({ n: 1 });
    expect(runs).toBe(1);
  });

  it('is a CONFLICT to reuse a key for another payload, and keys are per caller', async () => {
    const model = idempotencyModel(conn);
    await withIdempotency(
      model,
      { key: 'key-00000002', operation: 'op', caller: p1, mayReplay: sees, payload: 1 },
      async () => 'first',
    );
    await expect(
      withIdempotency(
        model,
        { key: 'key-00000002', operation: 'op', caller: p1, mayReplay: sees, payload: 2 },
        async () => 'x',
      ),
    ).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    expect(
      await withIdempotency(
        model,
        { key: 'key-00000002', operation: 'op', caller: p2, mayReplay: sees, payload: 2 },
        async () => 'other caller',
      ),
    ).toBe('other caller');
  });

  it('frees the key when the first call fails, so a retry can succeed', async () => {
    const model = idempotencyModel(conn);
    const call = { key: 'key-00000003', operation: 'op', caller: p1, mayReplay: sees, payload: {} };
    await expect(
      withIdempotency(model, call, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await withIdempotency(model, call, async () => 'retried')).toBe('retried');
  });

  it('lets only one of two concurrent first calls run', async () => {
    const model = idempotencyModel(conn);
    let runs = 0;
    const call = { key: 'key-00000004', operation: 'op', caller: p1, mayReplay: sees, payload: {} };
    const slow = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 100));
      return 'done';
    };
    const results = await Promise.allSettled([withIdempotency(model, call, slow), withIdempotency(model, call, slow)]);
    expect(runs).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.extensions.code).toBe('CONFLICT');
  });

  it('runs a resumable call again when a crash left its key PENDING, and records its result', async () => {
    const model = idempotencyModel(conn);
    const call = { key: 'key-00000005', operation: 'op', caller: p1, mayReplay: sees, payload: { a: 5 } };
    // The first call's process died after recording the key, before its result.
    let runs = 0;
    const dies = withIdempotency(model, call, () => new Promise<never>(() => {}));
    for (let i = 0; i < 100 && !(await model.findById(`${callerScope(p1)}|op|key-00000005`).lean()); i++)
      await new Promise((r) => setTimeout(r, 20));
    void dies;
    await expect(withIdempotency(model, call, async () => ++runs)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    expect(runs).toBe(0);
    expect(await withIdempotency(model, { ...call, resumable: true }, async () => ++runs)).toBe(1);
    expect(await withIdempotency(model, { ...call, resumable: true }, async () => ++runs)).toBe(1);
    expect(await withIdempotency(model, call, async () => ++runs)).toBe(1);
    await expect(
      withIdempotency(model, { ...call, payload: { a: 6 }, resumable: true }, async () => ++runs),
    ).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    expect(runs).toBe(1);
  });
});

describe('replays across callers (one integration account, several centres)', () => {
  const partnerA: Claims = { sub: 'dealer-group', roles: ['PARTNER'], centreId: 'C-A' };
  const partnerB: Claims = { sub: 'dealer-group', roles: ['PARTNER'], centreId: 'C-B' };

  it('scopes keys by role and centre or engineer, not by subject alone', () => {
    expect(callerScope(partnerA)).toBe('dealer-group/PARTNER/C-A/-');
    expect(callerScope(partnerB)).toBe('dealer-group/PARTNER/C-B/-');
    expect(callerScope({ sub: 'x', roles: ['OPERATOR', 'ADMIN'] })).toBe('x/ADMIN+OPERATOR/-/-');
    expect(callerScope({ sub: 'x', roles: ['ENGINEER'], engineerId: 'E-1', centreId: 'C-A' })).toBe(
      'x/ENGINEER/C-A/E-1',
    );
  });

  it('gives the same subject at another centre its own key: B never gets A’s stored result', async () => {
    const model = idempotencyModel(conn);
    const call = { key: 'key-00000006', operation: 'op', payload: { ticket: 'T-A' }, mayReplay: sees };
    expect(await withIdempotency(model, { ...call, caller: partnerA }, async () => 'A’s ticket')).toBe('A’s ticket');
    expect(await withIdempotency(model, { ...call, caller: partnerB }, async () => 'B’s own run')).toBe('B’s own run');
  });

  it('answers a replay only while the caller may still see the stored result’s record, else FORBIDDEN with nothing returned', async () => {
    const model = idempotencyModel(conn);
    const visible = new Set(['T-1']);
    const call = {
      key: 'key-00000007',
      operation: 'op',
      caller: partnerA,
      payload: {},
      mayReplay: (id: string) => visible.has(id),
    };
    expect(await withIdempotency(model, call, async () => 'T-1')).toBe('T-1');
    expect(await withIdempotency(model, call, async () => 'rerun')).toBe('T-1');
    visible.delete('T-1');
    await expect(withIdempotency(model, call, async () => 'rerun')).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
  });
});

describe('idempotency keys', () => {
  it('must be well formed', async () => {
    const model = idempotencyModel(conn);
    let ran = false;
    await expect(
      withIdempotency(
        model,
        { key: 'short', operation: 'op', caller: p1, mayReplay: sees, payload: {} },
        async () => (ran = true),
      ),
    ).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'idempotencyKey' },
    });
    expect(ran).toBe(false);
  });
});
