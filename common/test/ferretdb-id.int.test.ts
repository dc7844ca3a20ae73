import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types, type Connection } from 'mongoose';
import { testDatabase } from './harness.ts';

/**
 * The local FerretDB is built with infra/ferretdb.patch: lookups by `_id` and `_id` `$in` batches go
 * to the `_id` index. These tests hold the patch to giving MongoDB's answers, and show (through
 * FerretDB's explain) that the batch is pushed down rather than scanned.
 */
let conn: Connection;
const docs = [
  { _id: 'a', n: 1 },
  { _id: 'b', n: 2 },
  { _id: 'c', n: 3 },
  { _id: new Types.ObjectId('65a000000000000000000001'), n: 4 },
  { _id: 7, n: 5 },
];

beforeAll(async () => {
  conn = await testDatabase('ferretdb');
  await conn.collection('things').insertMany(docs as never[]);
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

const ns = (found: { n: number }[]) => found.map((d) => d.n).sort();
const find = (filter: object) =>
  conn
    .collection('things')
    .find(filter as never)
    .toArray() as unknown as Promise<{ n: number }[]>;

describe('FerretDB _id lookups (our build)', () => {
  it('answers an _id $in batch as MongoDB does: listed ids only, missing ones skipped, duplicates once', async () => {
    expect(ns(await find({ _id: { $in: ['a', 'c', 'missing', 'a'] } }))).toEqual([1, 3]);
    expect(ns(await find({ _id: { $in: ['b', new Types.ObjectId('65a000000000000000000001')] } }))).toEqual([2, 4]);
    expect(await find({ _id: { $in: ['zz'] } })).toEqual([]);
  });

  it('still answers what it does not push down: other id types, other operators, extra conditions', async () => {
    expect(ns(await find({ _id: { $in: ['a', 7] } }))).toEqual([1, 5]);
    expect(ns(await find({ _id: { $in: ['a', 'b'] }, n: { $gt: 1 } }))).toEqual([2]);
    expect(ns(await find({ _id: { $in: ['a', 'b'], $ne: 'a' } }))).toEqual([2]);
    expect(ns(await find({ _id: { $nin: ['a', 'b'] } }))).toEqual([3, 4, 5]);
  });

  it('pushes an _id equality and a string $in down to the index, and nothing else', async () => {
    const pushed = async (filter: object) =>
      (
        (await conn.db!.command({ explain: { find: 'things', filter }, verbosity: 'queryPlanner' })) as {
          filterPushdown?: boolean;
        }
      ).filterPushdown;
    expect(await pushed({ _id: 'a' })).toBe(true);
    expect(await pushed({ _id: { $in: ['a', 'b'] } })).toBe(true);
    expect(await pushed({ _id: { $in: ['a', 7] } })).toBe(false);
    expect(await pushed({ n: 1 })).toBe(false);
  });
});
