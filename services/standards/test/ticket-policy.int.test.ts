import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { testDatabase } from '../../../common/test/harness.ts';
import { createStandardsActivities } from '../src/activities.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { DEFAULT_STANDARD_ID, createStandardStore } from '../src/store/standards.ts';
import { startHarness, withDefaultStoredAsSeeded } from './support.ts';

const open: Connection[] = [];
afterAll(async () => Promise.all(open.map((c) => c.close())));

const LINES = ['AIR_CONDITIONER', 'REFRIGERATOR', 'WASHING_MACHINE', 'WATER_HEATER', 'TELEVISION'];
const REQUIRED_STEPS = [
  'CONTACT_CUSTOMER',
  'SHOE_COVERS',
  'PLACE_TOOLBOX',
  'LISTEN_TO_CUSTOMER',
  'TEST_RUN',
  'USAGE_GUIDANCE',
  'CLEAN_UP',
  'ASK_OPINION',
  'ONE_STOP_CHECK',
  'FAREWELL',
];

describe('the ticketPolicyAt activity', () => {
  it('gives what the ticket lifecycle needs of the version in force at the instant', async () => {
    const db = await testDatabase('standards_ticket_policy');
    open.push(db);
    const store = createStandardStore(db);
    await store.syncIndexes();
    await store.ensureDefaultStandard();
    const now = new Date();
    const next = defaultStandardContent();
    next.slaClocks.missedAppointmentMinutes = 60;
    next.slaClocks.callbackHours = 12;
    next.productLines[0]!.warrantyMonths = 36;
    next.priceList = [
      { code: 'AC-COMPRESSOR', productLine: 'AIR_CONDITIONER', kind: 'PART', description: '压缩机', priceFen: 99000 },
    ];
    next.procedure[2]!.requiredInCompletion = false;
    // Stored out of step order: the answer follows `order`, not the array.
    next.procedure.reverse();
    const draft = await store.exclusively(() =>
      store.insertDraft({ content: next, basedOn: DEFAULT_STANDARD_ID, actor: 'admin', now, detail: 't' }),
    );
    await store.publishDraft(draft.id, draft.revision, now, 'admin', now);
    const activities = createStandardsActivities(store);

    const defaults = defaultStandardContent();
    const before = await activities.ticketPolicyAt({ at: new Date(now.getTime() - 1).toISOString() });
    expect(before).toEqual({
      standardVersionId: DEFAULT_STANDARD_ID,
      slaClocks: {
        acceptMinutes: 30,
        maxDispatchAttempts: 3,
        firstContactMinutes: 30,
        missedAppointmentMinutes: 120,
        completionReportMinutes: 120,
        callbackHours: 24,
        callbackMaxAttempts: 5,
        repeatRepairDays: 90,
        complaintResponseHours: { level1: 2, level2: 8, level3: 24 },
      },
      procedureSteps: defaults.procedure.map((s) => s.code),
      requiredSteps: REQUIRED_STEPS,
      productLines: LINES.map((code) => ({ code, warrantyMonths: 12 })),
      labourFees: defaults.labourFees,
      priceList: defaults.priceList,
      // Cacheable until the next version takes over.
      validUntil: now.toISOString(),
    });
    expect(before.procedureSteps).toHaveLength(24);
    expect(before.labourFees).toContainEqual({
      productLine: 'AIR_CONDITIONER',
      serviceType: 'INSTALL',
      areaClass: 'URBAN',
      feeFen: 15000,
    });
    expect(before.priceList).toContainEqual({
      code: 'AC-COMPRESSOR',
      productLine: 'AIR_CONDITIONER',
      kind: 'PART',
      description: '压缩机 (compressor)',
      priceFen: 120000,
    });

    const after = await activities.ticketPolicyAt({ at: new Date(now.getTime() + 1).toISOString() });
    expect(after).toMatchObject({
      standardVersionId: draft.id,
      slaClocks: { missedAppointmentMinutes: 60, callbackHours: 12, acceptMinutes: 30 },
      procedureSteps: defaults.procedure.map((s) => s.code),
      requiredSteps: REQUIRED_STEPS.filter((s) => s !== 'CONTACT_CUSTOMER'),
      priceList: [
        { code: 'AC-COMPRESSOR', productLine: 'AIR_CONDITIONER', kind: 'PART', description: '压缩机', priceFen: 99000 },
      ],
      validUntil: null,
    });
    expect(after.productLines[0]).toEqual({ code: 'AIR_CONDITIONER', warrantyMonths: 36 });

    await expect(activities.ticketPolicyAt({ at: '1999-01-01T00:00:00Z' })).rejects.toMatchObject({
      type: 'NoStandardInForce',
      nonRetryable: true,
    });
    await expect(activities.ticketPolicyAt({ at: 'yesterday' })).rejects.toMatchObject({
      type: 'BadInstant',
      nonRetryable: true,
    });
  });

  it('answers for a default standard stored before these fields existed, with the defaults filled in', async () => {
    const h = await withDefaultStoredAsSeeded(await startHarness('standards_ticket_policy'));
    open.push(h.db);
    const stored = await h.db.db!.collection('standard_versions').findOne({ _id: DEFAULT_STANDARD_ID as never });
    expect(stored!['content']).not.toHaveProperty('priceList');
    const policy = await createStandardsActivities(h.store).ticketPolicyAt({ at: new Date().toISOString() });
    expect(policy.slaClocks.missedAppointmentMinutes).toBe(120);
    expect(policy.productLines).toEqual(LINES.map((code) => ({ code, warrantyMonths: 12 })));
    expect(policy.priceList).toEqual(defaultStandardContent().priceList);
  });
});
