import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Connection } from 'mongoose';
import { connectDatabase } from '@starline/common';
import { testDatabase } from '../../../common/test/harness.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { versionInForce } from '../src/rules/lifecycle.ts';
import { DEFAULT_STANDARD_ID, TIMELINE_TTL_MS, createStandardStore } from '../src/store/standards.ts';

const open: Connection[] = [];
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

describe('the read cache of the standards store', () => {
  it('sees its own publication at once and another replica’s within the timeline TTL', async () => {
    const a = await testDatabase('standards_cache');
    const b = await connectDatabase(inject('mongodbUri'), a.name);
    open.push(a, b);
    const replicaA = createStandardStore(a);
    const replicaB = createStandardStore(b);
    await replicaA.syncIndexes();
    await replicaA.ensureDefaultStandard();
    const now = new Date();
    const inForce = async (store: typeof replicaA) => versionInForce(await store.timeline(), new Date())?.id;
    expect(await inForce(replicaA)).toBe(DEFAULT_STANDARD_ID);
    expect(await inForce(replicaB)).toBe(DEFAULT_STANDARD_ID);

    const draft = await replicaB.exclusively(() =>
      replicaB.insertDraft({
        content: defaultStandardContent(),
        basedOn: DEFAULT_STANDARD_ID,
        actor: 'admin-1',
        now,
        detail: 'test',
      }),
    );
    const published = await replicaB.publishDraft(
      draft.id,
      draft.revision,
      new Date(now.getTime() - 1),
      'admin-1',
      now,
    );
    expect(published?.status).toBe('PUBLISHED');

    // The replica that wrote sees it immediately; the other one within the TTL.
    expect(await inForce(replicaB)).toBe(draft.id);
    await new Promise((r) => setTimeout(r, TIMELINE_TTL_MS + 50));
    expect(await inForce(replicaA)).toBe(draft.id);
  });

  it('serves a published version unchanged from memory, and never caches a draft', async () => {
    const db = await testDatabase('standards_cache');
    open.push(db);
    const store = createStandardStore(db);
    await store.syncIndexes();
    const seeded = await store.ensureDefaultStandard();
    expect((await store.findById(DEFAULT_STANDARD_ID))?.number).toBe(seeded.number);
    // A change behind the store's back (only possible by hand: published versions are immutable)
    // is not seen, which proves the read came from memory.
    await db.collection('standard_versions').updateOne({ _id: DEFAULT_STANDARD_ID as never }, { $set: { number: 99 } });
    expect((await store.findById(DEFAULT_STANDARD_ID))?.number).toBe(seeded.number);

    const draft = await store.exclusively(() =>
      store.insertDraft({
        content: defaultStandardContent(),
        basedOn: null,
        actor: 'op',
        now: new Date(),
        detail: 'test',
      }),
    );
    await db
      .collection('standard_versions')
      .updateOne({ _id: draft.id as never }, { $set: { 'content.name': 'changed' } });
    expect((await store.findById(draft.id))?.content.name).toBe('changed');
  });
});
