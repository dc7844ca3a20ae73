import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { testDatabase } from '../../../common/test/harness.ts';
import { createStandardsActivities } from '../src/activities.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { DEFAULT_STANDARD_ID, createStandardStore } from '../src/store/standards.ts';
import { startHarness, withDefaultStoredAsSeeded } from './support.ts';

const open: Connection[] = [];
afterAll(async () => Promise.all(open.map((c) => c.close())));

describe('the settlementPolicyOf activity', () => {
  it('gives the settlement numbers of any published version by id, coefficients in integer hundredths', async () => {
    const db = await testDatabase('standards_settlement_policy');
    open.push(db);
    const store = createStandardStore(db);
    await store.syncIndexes();
    await store.ensureDefaultStandard();
    const now = new Date();
    const next = defaultStandardContent();
    next.settlementCoefficients = { A: 1.15, B: 0.95, C: 0.29, ungraded: 1.01 };
    next.settlement = { maxAdjustmentFen: 500_000, approvalDueDay: 28 };
    const newer = await store.exclusively(() =>
      store.insertDraft({ content: next, basedOn: DEFAULT_STANDARD_ID, actor: 'admin', now, detail: 't' }),
    );
    await store.publishDraft(newer.id, newer.revision, now, 'admin', now);
    const activities = createStandardsActivities(store);

    // The default standard: A 1.1, B 1.0, C 0.9, ungraded 1.0; ¥100,000; the 10th.
    expect(await activities.settlementPolicyOf({ versionId: DEFAULT_STANDARD_ID })).toEqual({
      standardVersionId: DEFAULT_STANDARD_ID,
      coefficients: { A: 110, B: 100, C: 90, ungraded: 100 },
      maxAdjustmentFen: 10000000,
      approvalDueDay: 10,
    });
    // 1.15 × 100 and 0.29 × 100 are not whole in binary floating point (114.99999999999999, 28.999999999999996).
    expect(await activities.settlementPolicyOf({ versionId: newer.id })).toEqual({
      standardVersionId: newer.id,
      coefficients: { A: 115, B: 95, C: 29, ungraded: 101 },
      maxAdjustmentFen: 500000,
      approvalDueDay: 28,
    });
    // A month evaluated under the older version is settled with it, though it is no longer in force.
    expect(await activities.settlementPolicyOf({ versionId: DEFAULT_STANDARD_ID })).toMatchObject({
      standardVersionId: DEFAULT_STANDARD_ID,
      coefficients: { A: 110, B: 100, C: 90, ungraded: 100 },
    });
  });

  it('refuses a draft, a scheduled and an unknown version as StandardVersionNotFound, and a malformed id as BadActivityInput', async () => {
    const db = await testDatabase('standards_settlement_refused');
    open.push(db);
    const store = createStandardStore(db);
    await store.syncIndexes();
    await store.ensureDefaultStandard();
    const now = new Date();
    const insert = () =>
      store.exclusively(() =>
        store.insertDraft({
          content: defaultStandardContent(),
          basedOn: DEFAULT_STANDARD_ID,
          actor: 'admin',
          now,
          detail: 't',
        }),
      );
    const draft = await insert();
    const toSchedule = await insert();
    const scheduled = await store.scheduleDraft(
      toSchedule.id,
      toSchedule.revision,
      new Date(now.getTime() + 3600_000),
      'admin',
      now,
    );
    expect(scheduled?.status).toBe('SCHEDULED');
    const activities = createStandardsActivities(store);

    for (const versionId of [draft.id, toSchedule.id, 'no-such-version']) {
      await expect(activities.settlementPolicyOf({ versionId }), versionId).rejects.toMatchObject({
        type: 'StandardVersionNotFound',
        nonRetryable: true,
      });
    }
    await expect(activities.settlementPolicyOf({ versionId: draft.id })).rejects.toThrow(
      `standard version ${draft.id} is DRAFT, not published`,
    );
    await expect(activities.settlementPolicyOf({ versionId: 'no-such-version' })).rejects.toThrow(
      'standard version no-such-version does not exist',
    );
    for (const versionId of ['', 'x'.repeat(65), 42, null]) {
      await expect(
        activities.settlementPolicyOf({ versionId: versionId as string }),
        String(versionId),
      ).rejects.toMatchObject({ type: 'BadActivityInput', nonRetryable: true });
    }
  });

  it('answers for a default standard stored before the settlement rules existed, with the defaults filled in', async () => {
    const h = await withDefaultStoredAsSeeded(await startHarness('standards_settlement_seeded'));
    open.push(h.db);
    const stored = await h.db.db!.collection('standard_versions').findOne({ _id: DEFAULT_STANDARD_ID as never });
    expect(stored!['content']).not.toHaveProperty('settlement');
    expect(await createStandardsActivities(h.store).settlementPolicyOf({ versionId: DEFAULT_STANDARD_ID })).toEqual({
      standardVersionId: DEFAULT_STANDARD_ID,
      coefficients: { A: 110, B: 100, C: 90, ungraded: 100 },
      maxAdjustmentFen: 10000000,
      approvalDueDay: 10,
    });
  });
});
