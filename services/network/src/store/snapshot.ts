import type { CentreRecord } from './centres.ts';

/** What the snapshot reads: every centre, and each writing process's count of its own writes. */
export interface SnapshotSource {
  loadAll(): Promise<CentreRecord[]>;
  writeCounts(): Promise<ReadonlyMap<string, number>>;
}

export interface SnapshotOptions {
  /** This process's row in the write counts; its own writes reach the snapshot directly. */
  writerId: string;
  /** How often a read may trigger a look at the other processes' write counts. */
  checkEveryMs: number;
  now?: () => number;
  onReloadError?: (err: unknown) => void;
}

interface Loaded {
  /** The other writers' counts the centres were read after. */
  counts: ReadonlyMap<string, number>;
  byId: Map<string, CentreRecord>;
  /** Children by parent id, ordered by code; rebuilt on the next read after a write. */
  children: Map<string, CentreRecord[]> | null;
}

const byCode = (a: CentreRecord, b: CentreRecord) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

function childrenIndex(byId: ReadonlyMap<string, CentreRecord>): Map<string, CentreRecord[]> {
  const index = new Map<string, CentreRecord[]>();
  for (const c of byId.values()) {
    if (!c.parentId) continue;
    const siblings = index.get(c.parentId);
    if (siblings) siblings.push(c);
    else index.set(c.parentId, [c]);
  }
  for (const siblings of index.values()) siblings.sort(byCode);
  return index;
}

function sameOtherCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>, self: string): boolean {
  const others = (m: ReadonlyMap<string, number>) => [...m].filter(([id]) => id !== self);
  const left = others(a);
  return left.length === others(b).length && left.every(([id, n]) => b.get(id) === n);
}

/**
 * The whole network in memory, for the one read FerretDB can only answer by scanning: the
 * children of a centre (the network tree). A network is a few thousand centres, a few MB.
 *
 * This process's writes land here as they happen. Another process's writes are noticed by its
 * write count moving: a read at most every `checkEveryMs` looks (one small collection) and, if it
 * moved, reloads in the background while reads keep the previous snapshot. So a tree read never
 * waits on the database after the first load, and another instance's change shows within
 * `checkEveryMs` plus one reload. The counts are read before the centres, so a write that lands
 * during a reload moves a count past what the reload recorded and triggers the next one.
 */
export function centreSnapshot(source: SnapshotSource, opts: SnapshotOptions) {
  const now = opts.now ?? Date.now;
  let loaded: Loaded | null = null;
  let firstLoad: Promise<Loaded> | null = null;
  let refreshing: Promise<void> | null = null;
  let lastCheck = -Infinity;
  /** Own writes made while a reload is reading, re-applied on top of what it read. */
  let writesDuringReload: Map<string, CentreRecord> | null = null;

  async function load(): Promise<Loaded> {
    const counts = await source.writeCounts();
    writesDuringReload = new Map();
    try {
      const byId = new Map((await source.loadAll()).map((c) => [c.id, c] as const));
      for (const [id, c] of writesDuringReload) byId.set(id, c);
      return { counts, byId, children: null };
    } finally {
      writesDuringReload = null;
    }
  }

  async function refresh(current: Loaded): Promise<void> {
    const counts = await source.writeCounts();
    if (sameOtherCounts(counts, current.counts, opts.writerId)) return;
    loaded = await load();
  }

  async function current(): Promise<Loaded> {
    if (!loaded) {
      firstLoad ??= load().finally(() => (firstLoad = null));
      loaded = await firstLoad;
      lastCheck = now();
      return loaded;
    }
    if (!refreshing && now() - lastCheck >= opts.checkEveryMs) {
      lastCheck = now();
      refreshing = refresh(loaded)
        .catch((err) => opts.onReloadError?.(err))
        .finally(() => (refreshing = null));
    }
    return loaded;
  }

  return {
    /** Loads now rather than on the first read. */
    async warm(): Promise<void> {
      await current();
    },

    /** Children of any of `parentIds`, ordered by code, at most `limit`. */
    async children(parentIds: readonly string[], limit: number): Promise<CentreRecord[]> {
      const snap = await current();
      snap.children ??= childrenIndex(snap.byId);
      const out: CentreRecord[] = [];
      for (const id of parentIds) out.push(...(snap.children.get(id) ?? []));
      return out.sort(byCode).slice(0, limit);
    },

    /**
     * Every centre, ordered by id: what a batch over the whole network pages through (the monthly
     * evaluation), without a scan of the collection per page.
     */
    async all(): Promise<CentreRecord[]> {
      const snap = await current();
      return [...snap.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    /** Ids of the centres (any status) serving the area and product line, as this snapshot holds them. */
    async serving(regionCode: string, productLine: string): Promise<string[]> {
      const snap = await current();
      return [...snap.byId.values()]
        .filter((c) => c.serviceAreas.includes(regionCode) && c.productLines.includes(productLine))
        .map((c) => c.id);
    },

    /** A centre as this process just wrote it. */
    put(record: CentreRecord): void {
      writesDuringReload?.set(record.id, record);
      if (!loaded) return;
      loaded.byId.set(record.id, record);
      loaded.children = null;
    },

    /** Resolves when a reload in progress (if any) has finished; for tests. */
    settled: (): Promise<void> => refreshing ?? Promise.resolve(),
  };
}

export type CentreSnapshot = ReturnType<typeof centreSnapshot>;
