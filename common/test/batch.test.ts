import { describe, expect, it } from 'vitest';
import { batchLoader, loaderFor } from '../src/batch.ts';

describe('batchLoader', () => {
  const counting = () => {
    const calls: string[][] = [];
    const load = batchLoader(async (keys: string[]) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
    });
    return { calls, load };
  };

  it('loads the keys asked for in one turn in one call, and gives each caller its own value', async () => {
    const { calls, load } = counting();
    expect(await Promise.all(['a', 'b', 'missing', 'a'].map(load))).toEqual(['A', 'B', undefined, 'A']);
    expect(calls).toEqual([['a', 'b', 'missing', 'a']]);
  });

  it('starts a new batch for keys asked for after the last one went out', async () => {
    const { calls, load } = counting();
    expect(await load('a')).toBe('A');
    expect(await Promise.all([load('b'), load('c')])).toEqual(['B', 'C']);
    expect(calls).toEqual([['a'], ['b', 'c']]);
  });

  it('fails every key of a batch whose load fails, and the next batch loads afresh', async () => {
    let fail = true;
    const load = batchLoader(async (keys: string[]) => {
      if (fail) throw new Error('down');
      return new Map(keys.map((k) => [k, 1]));
    });
    const results = await Promise.allSettled([load('a'), load('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await load('a')).toBe(1);
  });
});

describe('loaderFor', () => {
  it('keeps one loader per request and kind, so requests never share a batch', async () => {
    const batches: string[][] = [];
    const load = async (keys: string[]) => (batches.push(keys), new Map(keys.map((k) => [k, k])));
    const [r1, r2] = [{}, {}];
    expect(loaderFor(r1, 'licence', load)).toBe(loaderFor(r1, 'licence', load));
    expect(loaderFor(r1, 'licence', load)).not.toBe(loaderFor(r2, 'licence', load));
    expect(loaderFor(r1, 'licence', load)).not.toBe(loaderFor(r1, 'exams', load));
    await Promise.all([loaderFor(r1, 'licence', load)('x'), loaderFor(r2, 'licence', load)('y')]);
    expect(batches).toEqual([['x'], ['y']]);
  });
});
