import { describe, expect, it } from 'vitest';
import type { PublishedStandardRef } from '../src/activities.ts';
import { inForceCache, publishedVersions } from '../src/remote.ts';

/** A clock the test moves, and a source of answers that counts how often it is asked. */
function setup(answers: { version: string; validUntil: string | null }[] | (() => never), ttlMs = 30_000) {
  let now = Date.parse('2026-11-01T00:00:00Z');
  let asked = 0;
  const stale: unknown[] = [];
  const get = inForceCache(
    async () => {
      asked++;
      if (typeof answers === 'function') return answers();
      const next = answers.shift();
      if (!next) throw new Error('standards service unreachable');
      return next;
    },
    { ttlMs, now: () => new Date(now), onStale: (e) => stale.push(e) },
  );
  return { get, advance: (ms: number) => (now += ms), asked: () => asked, stale };
}

describe('inForceCache', () => {
  it('asks once, then answers from memory; past the TTL it answers at once and refreshes behind', async () => {
    const c = setup([
      { version: 'v1', validUntil: null },
      { version: 'v2', validUntil: null },
    ]);
    expect((await c.get()).version).toBe('v1');
    c.advance(29_999);
    expect((await c.get()).version).toBe('v1');
    expect(c.asked()).toBe(1);
    c.advance(1);
    expect((await c.get()).version).toBe('v1');
    expect(c.asked()).toBe(2);
    expect((await c.get()).version).toBe('v2');
    expect(c.asked()).toBe(2);
  });

  it('asks again exactly when the next scheduled version takes over, before the TTL', async () => {
    const c = setup([
      { version: 'v1', validUntil: '2026-11-01T00:00:05.000Z' },
      { version: 'v2', validUntil: null },
    ]);
    expect((await c.get()).version).toBe('v1');
    c.advance(4_999);
    expect((await c.get()).version).toBe('v1');
    c.advance(1);
    expect((await c.get()).version).toBe('v2');
  });

  it('asks once for many concurrent callers', async () => {
    const c = setup([{ version: 'v1', validUntil: null }]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => c.get()));
    expect(answers.map((a) => a.version)).toEqual(Array(10).fill('v1'));
    expect(c.asked()).toBe(1);
  });

  it('keeps serving a still-valid answer when a refresh fails, and says so', async () => {
    const c = setup([{ version: 'v1', validUntil: '2026-11-01T01:00:00.000Z' }]);
    await c.get();
    c.advance(31_000);
    expect((await c.get()).version).toBe('v1');
    await new Promise((r) => setTimeout(r, 0));
    expect(c.stale).toHaveLength(1);
    expect((await c.get()).version).toBe('v1');
  });

  it('fails when a refresh fails and the cached answer may no longer be in force', async () => {
    const c = setup([{ version: 'v1', validUntil: '2026-11-01T00:00:10.000Z' }]);
    await c.get();
    c.advance(10_000);
    await expect(c.get()).rejects.toThrow('unreachable');
  });

  it('fails when the first ask fails, and asks again next time', async () => {
    const c = setup(() => {
      throw new Error('down');
    });
    await expect(c.get()).rejects.toThrow('down');
    await expect(c.get()).rejects.toThrow('down');
    expect(c.asked()).toBe(2);
  });
});

describe('publishedVersions', () => {
  it('asks once about a published version, and every time about any other', async () => {
    const asked: string[] = [];
    const refs: Record<string, PublishedStandardRef> = {
      v1: {
        id: 'v1',
        number: 1,
        status: 'PUBLISHED',
        effectiveFrom: '2026-01-01T00:00:00.000Z',
        publishedAt: '2026-01-01T00:00:00.000Z',
      },
      v2: { id: 'v2', number: 2, status: 'SCHEDULED', effectiveFrom: '2027-01-01T00:00:00.000Z', publishedAt: null },
    };
    const lookup = publishedVersions(async (id) => (asked.push(id), refs[id] ?? null));
    for (let i = 0; i < 3; i++) {
      expect((await lookup('v1'))?.status).toBe('PUBLISHED');
      expect((await lookup('v2'))?.status).toBe('SCHEDULED');
      expect(await lookup('v9')).toBeNull();
    }
    expect(asked).toEqual(['v1', 'v2', 'v9', 'v2', 'v9', 'v2', 'v9']);
  });
});
