import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { testDatabase } from '../../../common/test/harness.ts';
import { createStandardsActivities } from '../src/activities.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { DEFAULT_STANDARD_ID, createStandardStore } from '../src/store/standards.ts';
import { startHarness, withDefaultStoredAsSeeded } from './support.ts';

const open: Connection[] = [];
afterAll(async () => Promise.all(open.map((c) => c.close())));

describe('the licencePolicyAt and productLinesAt activities', () => {
  it('gives the licence policy and point catalogue of the version in force at the instant', async () => {
    const db = await testDatabase('standards_policy');
    open.push(db);
    const store = createStandardStore(db);
    await store.syncIndexes();
    await store.ensureDefaultStandard();
    const now = new Date();
    const stricter = defaultStandardContent();
    stricter.licencePolicy = { ...stricter.licencePolicy, maxPoints: 10, warningAtOrBelow: 4, usualDailyJobs: 6 };
    const draft = await store.exclusively(() =>
      store.insertDraft({ content: stricter, basedOn: DEFAULT_STANDARD_ID, actor: 'admin', now, detail: 't' }),
    );
    await store.publishDraft(draft.id, draft.revision, now, 'admin', now);
    const activities = createStandardsActivities(store);

    const before = await activities.licencePolicyAt({ at: new Date(now.getTime() - 1).toISOString() });
    expect(before).toMatchObject({
      standardVersionId: DEFAULT_STANDARD_ID,
      maxPoints: 12,
      warningAtOrBelow: 6,
      cycleMonths: 12,
      warningDailyCapPercent: 50,
      usualDailyJobs: 8,
    });
    expect(before.pointRules).toContainEqual({ code: 'OVERCHARGE', kind: 'VIOLATION', points: -6 });
    expect(before.productLines).toEqual([
      'AIR_CONDITIONER',
      'REFRIGERATOR',
      'WASHING_MACHINE',
      'WATER_HEATER',
      'TELEVISION',
    ]);
    // Cacheable until the next version takes over.
    expect(before.validUntil).toBe(now.toISOString());
    const after = await activities.licencePolicyAt({ at: new Date(now.getTime() + 1).toISOString() });
    expect(after).toMatchObject({
      standardVersionId: draft.id,
      maxPoints: 10,
      warningAtOrBelow: 4,
      usualDailyJobs: 6,
      validUntil: null,
    });
    await expect(activities.licencePolicyAt({ at: '1999-01-01T00:00:00Z' })).rejects.toMatchObject({
      type: 'NoStandardInForce',
      nonRetryable: true,
    });
    await expect(activities.licencePolicyAt({ at: 'yesterday' })).rejects.toMatchObject({
      type: 'BadInstant',
      nonRetryable: true,
    });

    expect(await activities.productLinesAt({ at: new Date(now.getTime() - 1).toISOString() })).toEqual({
      standardVersionId: DEFAULT_STANDARD_ID,
      productLines: ['AIR_CONDITIONER', 'REFRIGERATOR', 'WASHING_MACHINE', 'WATER_HEATER', 'TELEVISION'],
      validUntil: now.toISOString(),
    });
    expect((await activities.productLinesAt({ at: new Date(now.getTime() + 1).toISOString() })).standardVersionId).toBe(
      draft.id,
    );
  });

  it('answers usualDailyJobs for a default standard stored before it existed, with the default filled in', async () => {
    const h = await withDefaultStoredAsSeeded(await startHarness('standards_policy'));
    open.push(h.db);
    const stored = await h.db.db!.collection('standard_versions').findOne({ _id: DEFAULT_STANDARD_ID as never });
    expect(stored!['content'].licencePolicy).not.toHaveProperty('usualDailyJobs');
    const policy = await createStandardsActivities(h.store).licencePolicyAt({ at: new Date().toISOString() });
    expect(policy).toMatchObject({
      standardVersionId: DEFAULT_STANDARD_ID,
      warningDailyCapPercent: 50,
      usualDailyJobs: 8,
    });
  });

  it('looks a version up by id for a reference check: its status, or null when there is none', async () => {
    const db = await testDatabase('standards_ref');
    open.push(db);
    const store = createStandardStore(db);
    await store.syncIndexes();
    await store.ensureDefaultStandard();
    const now = new Date();
    const draft = await store.exclusively(() =>
      store.insertDraft({
        content: defaultStandardContent(),
        basedOn: DEFAULT_STANDARD_ID,
        actor: 'admin',
        now,
        detail: 't',
      }),
    );
    const activities = createStandardsActivities(store);
    expect(await activities.standardVersion({ versionId: DEFAULT_STANDARD_ID })).toMatchObject({
      id: DEFAULT_STANDARD_ID,
      status: 'PUBLISHED',
    });
    expect(await activities.standardVersion({ versionId: draft.id })).toMatchObject({
      id: draft.id,
      status: 'DRAFT',
      publishedAt: null,
    });
    expect(await activities.standardVersion({ versionId: 'no-such-version' })).toBeNull();
    await expect(activities.standardVersion({ versionId: '' })).rejects.toMatchObject({
      type: 'BadActivityInput',
      nonRetryable: true,
    });
  });
});
