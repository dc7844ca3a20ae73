import { describe, expect, it } from 'vitest';
import type { CentreRecord } from '../src/store/centres.ts';
import { centreSnapshot, type SnapshotSource } from '../src/store/snapshot.ts';

const centre = (id: string, parentId: string | null, code = id.toUpperCase()) =>
  ({ id, code, parentId }) as CentreRecord;

/** A database stand-in whose reads can be held open, to put writes in the middle of a reload. */
function fakeSource(initial: CentreRecord[]) {
  const rows = new Map(initial.map((c) => [c.id, c]));
  const counts = new Map<string, number>();
  let hold: { released: Promise<void>; entered: () => void } | null = null;
  let loads = 0;
  const source: SnapshotSource = {
    async loadAll() {
      loads++;
      const snapshot = [...rows.values()];
      if (hold) {
        hold.entered();
        await hold.released;
      }
      return snapshot;
    },
    writeCounts: async () => new Map(counts),
  };
  return {
    source,
    loads: () => loads,
    write(writer: string, c: CentreRecord) {
      rows.set(c.id, c);
      counts.set(writer, (counts.get(writer) ?? 0) + 1);
    },
    /** The next load reads the rows, then waits; `entered` resolves once it has read them. */
    holdLoads() {
      let release!: () => void;
      let entered!: () => void;
      const reading = new Promise<void>((r) => (entered = r));
      hold = { released: new Promise((r) => (release = r)), entered };
      return {
        entered: reading,
        release: () => {
          hold = null;
          release();
        },
      };
    },
  };
}

const ids = (cs: CentreRecord[]) => cs.map((c) => c.id);

describe('the network tree in memory', () => {
  it('lists every centre by id, this process’s writes included (the evaluation pages through it)', async () => {
    const db = fakeSource([centre('r', null, 'Z'), centre('c', 'r', 'A'), centre('b', 'r', 'B')]);
    const tree = centreSnapshot(db.source, { writerId: 'me', checkEveryMs: 1000, now: () => 0 });
    expect(ids(await tree.all())).toEqual(['b', 'c', 'r']);
    tree.put(centre('a', 'r', 'Y'));
    expect(ids(await tree.all())).toEqual(['a', 'b', 'c', 'r']);
  });

  it('lists children of several parents together, ordered by code, up to the limit', async () => {
    const db = fakeSource([
      centre('r', null),
      centre('a', 'r', 'C'),
      centre('b', 'r', 'A'),
      centre('c', 'a', 'B'),
      centre('d', 'b', 'D'),
    ]);
    const tree = centreSnapshot(db.source, { writerId: 'me', checkEveryMs: 1000, now: () => 0 });
    expect(ids(await tree.children(['r'], 10))).toEqual(['b', 'a']);
    expect(ids(await tree.children(['a', 'b'], 10))).toEqual(['c', 'd']);
    expect(ids(await tree.children(['a', 'b'], 1))).toEqual(['c']);
    expect(await tree.children(['nobody'], 10)).toEqual([]);
  });

  it("shows this process's writes at once, without reloading", async () => {
    const db = fakeSource([centre('r', null)]);
    const tree = centreSnapshot(db.source, { writerId: 'me', checkEveryMs: 0, now: () => 0 });
    await tree.warm();
    db.write('me', centre('x', 'r'));
    tree.put(centre('x', 'r'));
    expect(ids(await tree.children(['r'], 10))).toEqual(['x']);
    // Moving away from a parent takes the centre off that parent's list.
    tree.put(centre('x', null));
    expect(await tree.children(['r'], 10)).toEqual([]);
    await tree.settled();
    expect(db.loads()).toBe(1);
  });

  it("sees another process's write once its count moves, after the check interval, without blocking reads", async () => {
    let clock = 0;
    const db = fakeSource([centre('r', null)]);
    const tree = centreSnapshot(db.source, { writerId: 'me', checkEveryMs: 1000, now: () => clock });
    await tree.warm();
    db.write('other', centre('y', 'r'));
    clock = 999;
    expect(await tree.children(['r'], 10)).toEqual([]);
    await tree.settled();
    expect(db.loads()).toBe(1);
    clock = 1000;
    // This read starts the reload but is answered from the snapshot it had.
    expect(await tree.children(['r'], 10)).toEqual([]);
    await tree.settled();
    expect(ids(await tree.children(['r'], 10))).toEqual(['y']);
    expect(db.loads()).toBe(2);
  });

  it('keeps an own write made while a reload was reading', async () => {
    let clock = 0;
    const db = fakeSource([centre('r', null)]);
    const tree = centreSnapshot(db.source, { writerId: 'me', checkEveryMs: 10, now: () => clock });
    await tree.warm();
    db.write('other', centre('y', 'r'));
    const held = db.holdLoads();
    clock = 10;
    await tree.children(['r'], 10); // starts a reload, which reads before the write below
    await held.entered;
    db.write('me', centre('z', 'r'));
    tree.put(centre('z', 'r'));
    held.release();
    await tree.settled();
    expect(ids(await tree.children(['r'], 10))).toEqual(['y', 'z']);
  });

  it('reloads again when another process wrote during the reload', async () => {
    let clock = 0;
    const db = fakeSource([centre('r', null)]);
    const tree = centreSnapshot(db.source, { writerId: 'me', checkEveryMs: 10, now: () => clock });
    await tree.warm();
    db.write('other', centre('y', 'r'));
    const held = db.holdLoads();
    clock = 10;
    await tree.children(['r'], 10);
    await held.entered;
    db.write('other', centre('w', 'r')); // lands after the reload read the centres
    held.release();
    await tree.settled();
    expect(ids(await tree.children(['r'], 10))).toEqual(['y']);
    clock = 20;
    await tree.children(['r'], 10);
    await tree.settled();
    expect(ids(await tree.children(['r'], 10))).toEqual(['w', 'y']);
  });

  it('keeps serving the last snapshot when a reload fails', async () => {
    let clock = 0;
    const errors: unknown[] = [];
    const db = fakeSource([centre('r', null), centre('a', 'r')]);
    const tree = centreSnapshot(
      {
        ...db.source,
        loadAll: async () => (db.loads() === 0 ? db.source.loadAll() : Promise.reject(new Error('database down'))),
      },
      { writerId: 'me', checkEveryMs: 10, now: () => clock, onReloadError: (e) => errors.push(e) },
    );
    await tree.warm();
    db.write('other', centre('b', 'r'));
    clock = 10;
    await tree.children(['r'], 10);
    await tree.settled();
    expect(ids(await tree.children(['r'], 10))).toEqual(['a']);
    expect(errors).toHaveLength(1);
  });
});
