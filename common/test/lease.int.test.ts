import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { testDatabase } from './harness.ts';
import { writeLease, writeLeaseModel } from '../src/lease.ts';

let db: Connection;
beforeAll(async () => {
  db = await testDatabase('common_lease');
  await writeLeaseModel(db).syncIndexes();
});
afterAll(async () => {
  await db.close();
});

describe('write leases on FerretDB', () => {
  it('makes read-modify-write sequences exact under concurrency', async () => {
    const exclusively = writeLease(writeLeaseModel(db), 'standards', { leaseMs: 30_000, waitMs: 20_000 });
    const counters = db.collection('lease_counter');
    await counters.insertOne({ _id: 'n' as never, value: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        exclusively(async () => {
          const doc = await counters.findOne({ _id: 'n' as never });
          await counters.updateOne({ _id: 'n' as never }, { $set: { value: (doc!['value'] as number) + 1 } });
        }),
      ),
    );
    expect((await counters.findOne({ _id: 'n' as never }))!['value']).toBe(20);
    expect(await writeLeaseModel(db).countDocuments()).toBe(0);
  });

  it('is released when the work fails', async () => {
    const exclusively = writeLease(writeLeaseModel(db), 'standards');
    await expect(exclusively(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await writeLeaseModel(db).countDocuments()).toBe(0);
  });

  it('makes a second writer give up with CONFLICT while a live holder works', async () => {
    const exclusively = writeLease(writeLeaseModel(db), 'standards', { leaseMs: 30_000, waitMs: 200 });
    let release!: () => void;
    const holding = exclusively(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 50));
    await expect(exclusively(async () => 'never')).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    release();
    await holding;
    expect(await exclusively(async () => 'after')).toBe('after');
  });

  it('takes over the lease of a holder that crashed', async () => {
    await writeLeaseModel(db).create({
      _id: 'standards',
      owner: 'crashed-process',
      expiresAt: new Date(Date.now() - 1),
    });
    const exclusively = writeLease(writeLeaseModel(db), 'standards', { leaseMs: 30_000, waitMs: 100 });
    expect(await exclusively(async () => 'recovered')).toBe('recovered');
    expect(await writeLeaseModel(db).countDocuments()).toBe(0);
  });

  it('lets the writers of one process in one at a time, in the order they came', async () => {
    const exclusively = writeLease(writeLeaseModel(db), 'queue', { leaseMs: 30_000, waitMs: 20_000 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => exclusively(async () => void order.push(i))));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('lets the writers behind one that gave up waiting through', async () => {
    const model = writeLeaseModel(db);
    let release!: () => void;
    const holding = writeLease(model, 'queue')(() => new Promise<void>((resolve) => (release = resolve)));
    const impatient = writeLease(model, 'queue', { leaseMs: 30_000, waitMs: 50 })(async () => 'never');
    const patient = writeLease(model, 'queue', { leaseMs: 30_000, waitMs: 20_000 })(async () => 'after');
    await expect(impatient).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    release();
    await holding;
    expect(await patient).toBe('after');
  });

  it('still excludes writers of two processes (two connections, two queues) from each other', async () => {
    const other = db.useDb(db.name, { useCache: false });
    const counters = db.collection('lease_counter');
    await counters.insertOne({ _id: 'two' as never, value: 0 });
    const bump = async () => {
      const doc = await counters.findOne({ _id: 'two' as never });
      await counters.updateOne({ _id: 'two' as never }, { $set: { value: (doc!['value'] as number) + 1 } });
    };
    const options = { leaseMs: 30_000, waitMs: 20_000 };
    await Promise.all(
      [writeLeaseModel(db), writeLeaseModel(other)].flatMap((model) =>
        Array.from({ length: 10 }, () => writeLease(model, 'two', options)(bump)),
      ),
    );
    expect((await counters.findOne({ _id: 'two' as never }))!['value']).toBe(20);
  });
});
