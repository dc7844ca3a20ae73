import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { testDatabase } from '../../../common/test/harness.ts';
import { createStandardsActivities } from '../src/activities.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { DEFAULT_STANDARD_ID, createStandardStore } from '../src/store/standards.ts';

const open: Connection[] = [];
afterAll(async () => Promise.all(open.map((c) => c.close())));

describe('the evaluationPolicyAt activity', () => {
  it('gives the monthly evaluation’s numbers of the version in force at the instant, and when it stops being so', async () => {
    const db = await testDatabase('standards_evaluation_policy');
    open.push(db);
    const store = createStandardStore(db);
    await store.syncIndexes();
    await store.ensureDefaultStandard();
    const now = new Date();
    const next = defaultStandardContent();
    next.evaluation.reviewWindowDays = 5;
    next.consequences.awardTopN = 3;
    next.kpis[0]!.target = 0.97;
    const draft = await store.exclusively(() =>
      store.insertDraft({ content: next, basedOn: DEFAULT_STANDARD_ID, actor: 'admin', now, detail: 't' }),
    );
    await store.publishDraft(draft.id, draft.revision, now, 'admin', now);
    const activities = createStandardsActivities(store);

    const before = await activities.evaluationPolicyAt({ at: new Date(now.getTime() - 1).toISOString() });
    expect(before).toEqual({
      standardVersionId: DEFAULT_STANDARD_ID,
      kpis: [
        { code: 'SATISFACTION_RATE', direction: 'HIGHER_IS_BETTER', target: 0.95, floor: 0.8, weight: 30 },
        { code: 'INFORMATION_TIMELINESS', direction: 'HIGHER_IS_BETTER', target: 0.98, floor: 0.85, weight: 15 },
        { code: 'DISPATCH_LEFTOVER', direction: 'LOWER_IS_BETTER', target: 0.02, floor: 0.1, weight: 15 },
        { code: 'COMPLAINT_RATE', direction: 'LOWER_IS_BETTER', target: 0.01, floor: 0.05, weight: 20 },
        { code: 'PARTS_MISJUDGEMENT', direction: 'LOWER_IS_BETTER', target: 0.03, floor: 0.15, weight: 10 },
        { code: 'DELIGHT_RATE', direction: 'HIGHER_IS_BETTER', target: 0.05, floor: 0, weight: 10 },
      ],
      incentivePoints: { qualityInfoAdopted: 2, serviceInnovation: 2, majorComplaint: -10 },
      grading: { aMinScore: 90, bMinScore: 75, minCompletions: 10 },
      consequences: {
        suspendAtCGrades: 2,
        eliminateAtCGrades: 3,
        awardTopN: 10,
        penaltyBottomN: 10,
        awardFen: 200_000,
        penaltyFen: 200_000,
      },
      reviewWindowDays: 3,
      promotionRunMonths: 3,
      validUntil: now.toISOString(),
    });
    const after = await activities.evaluationPolicyAt({ at: new Date(now.getTime() + 1).toISOString() });
    expect(after).toMatchObject({
      standardVersionId: draft.id,
      reviewWindowDays: 5,
      consequences: { awardTopN: 3 },
      validUntil: null,
    });
    expect(after.kpis[0]).toEqual({
      code: 'SATISFACTION_RATE',
      direction: 'HIGHER_IS_BETTER',
      target: 0.97,
      floor: 0.8,
      weight: 30,
    });
    await expect(activities.evaluationPolicyAt({ at: '1999-01-01T00:00:00Z' })).rejects.toMatchObject({
      type: 'NoStandardInForce',
      nonRetryable: true,
    });
    await expect(activities.evaluationPolicyAt({ at: 'last month' })).rejects.toMatchObject({
      type: 'BadInstant',
      nonRetryable: true,
    });
  });
});
