import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { as } from '../../../common/test/harness.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { DEFAULT_STANDARD_ID } from '../src/store/standards.ts';
import { HOUR, Q, contentOf, expectError, expectOk, inMs, startHarness, type Harness } from './support.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness('standards_drafts');
});
afterEach(async () => {
  await h.db.close();
});

const create = async (input: Record<string, unknown> = {}) =>
  expectOk(await h.run(as.operator(), Q.create, { input })).createStandardDraft;

describe('creating drafts', () => {
  it('copies the version in force and applies the given parts', async () => {
    const grading = { aMinScore: 92, bMinScore: 78, minCompletions: 12 };
    const draft = await create({ content: { name: '2027 standard', grading } });
    expect(draft).toMatchObject({
      number: 2,
      status: 'DRAFT',
      name: '2027 standard',
      effectiveFrom: null,
      basedOn: { id: DEFAULT_STANDARD_ID, number: 1 },
      createdBy: 'operator-1',
      publishedBy: null,
      publishedAt: null,
      grading,
    });
    expect(contentOf(draft)).toEqual({ ...defaultStandardContent(), name: '2027 standard', grading });
    expect(draft.history).toEqual([
      { at: draft.createdAt, actor: 'operator-1', action: 'CREATED', detail: 'copied from version 1' },
    ]);
  });

  it('copies a named version, including another draft', async () => {
    const first = await create({ content: { description: 'first' } });
    const second = await create({ basedOn: first.id });
    expect(second.basedOn).toEqual({ id: first.id, number: first.number });
    expect(second.description).toBe('first');
    expect(second.number).toBe(first.number + 1);
  });

  it('gives concurrent creations distinct numbers', async () => {
    const drafts = await Promise.all(Array.from({ length: 8 }, () => create()));
    expect(new Set(drafts.map((d) => d.number)).size).toBe(8);
  });
});

describe('editing drafts', () => {
  it('replaces the given parts, records who changed what, and keeps the rest', async () => {
    const draft = await create();
    const kpis = defaultStandardContent().kpis.map((k) => (k.code === 'COMPLAINT_RATE' ? { ...k, target: 0.005 } : k));
    const edited = expectOk(
      await h.run(as.admin(), Q.update, { id: draft.id, content: { kpis, description: null } }),
    ).updateStandardDraft;
    expect(edited.kpis[3].target).toBe(0.005);
    expect(edited.description).toBeNull();
    expect(edited.grading).toEqual(draft.grading);
    expect(edited.updatedAt >= draft.updatedAt).toBe(true);
    expect(edited.history.map((e: { action: string }) => e.action)).toEqual(['CREATED', 'UPDATED']);
    expect(edited.history[1]).toMatchObject({ actor: 'admin-1', detail: 'changed description, kpis' });
    const reread = expectOk(await h.run(as.operator(), Q.version, { id: draft.id })).standardVersion;
    expect(reread).toEqual(edited);
  });

  it('applies concurrent edits of different parts both', async () => {
    const draft = await create();
    const grading = { aMinScore: 95, bMinScore: 80, minCompletions: 5 };
    const licencePolicy = {
      maxPoints: 10,
      warningAtOrBelow: 4,
      cycleMonths: 12,
      warningDailyCapPercent: 40,
      usualDailyJobs: 6,
    };
    const results = await Promise.all([
      h.run(as.operator(), Q.update, { id: draft.id, content: { grading } }),
      h.run(as.admin(), Q.update, { id: draft.id, content: { licencePolicy } }),
    ]);
    results.forEach(expectOk);
    const final = expectOk(await h.run(as.operator(), Q.version, { id: draft.id })).standardVersion;
    expect(final).toMatchObject({ grading, licencePolicy });
  });

  it('refuses to edit a published or scheduled version, which stays as it was', async () => {
    const scheduled = await create();
    expectOk(await h.run(as.admin(), Q.publish, { id: scheduled.id, effectiveFrom: inMs(HOUR) }));
    for (const id of [DEFAULT_STANDARD_ID, scheduled.id]) {
      const before = expectOk(await h.run(as.admin(), Q.version, { id })).standardVersion;
      const error = expectError(
        await h.run(as.admin(), Q.update, { id, content: { name: 'changed' } }),
        'INVALID_TRANSITION',
      );
      expect(error.extensions['currentState']).toBe(before.status);
      expect(expectOk(await h.run(as.admin(), Q.version, { id })).standardVersion).toEqual(before);
    }
  });
});

describe('the ticket numbers of a draft', () => {
  const slaClocks = { ...defaultStandardContent().slaClocks, missedAppointmentMinutes: 90 };
  const productLines = defaultStandardContent().productLines.map((l) =>
    l.code === 'AIR_CONDITIONER' ? { ...l, warrantyMonths: 36 } : l,
  );
  const priceList = [
    {
      code: 'AC-LABOUR',
      productLine: 'AIR_CONDITIONER',
      kind: 'LABOUR',
      description: '超保维修人工费',
      priceFen: 7500,
    },
    {
      code: 'AC-COMPRESSOR',
      productLine: 'AIR_CONDITIONER',
      kind: 'PART',
      description: '压缩机 (compressor)',
      priceFen: 110000,
    },
    { code: '0060401827', productLine: 'TELEVISION', kind: 'PART', description: 'power board', priceFen: 0 },
  ];

  it('are set through GraphQL on creation and on edit, and read back as written', async () => {
    const draft = await create({ content: { slaClocks, productLines, priceList } });
    expect(draft.slaClocks.missedAppointmentMinutes).toBe(90);
    expect(draft.productLines.map((l: { warrantyMonths: number }) => l.warrantyMonths)).toEqual([36, 12, 12, 12, 12]);
    expect(draft.priceList).toEqual(priceList);
    expect(contentOf(draft)).toEqual({ ...defaultStandardContent(), slaClocks, productLines, priceList });

    const edited = expectOk(
      await h.run(as.operator(), Q.update, { id: draft.id, content: { priceList: priceList.slice(1) } }),
    ).updateStandardDraft;
    expect(edited.priceList).toEqual(priceList.slice(1));
    expect(edited.history[1]).toMatchObject({ action: 'UPDATED', detail: 'changed priceList' });
    expect(expectOk(await h.run(as.operator(), Q.version, { id: draft.id })).standardVersion).toEqual(edited);

    const published = expectOk(await h.run(as.admin(), Q.publish, { id: draft.id })).publishStandardVersion;
    expect(published).toMatchObject({
      status: 'PUBLISHED',
      priceList: priceList.slice(1),
      slaClocks: { missedAppointmentMinutes: 90 },
    });
  });

  it('are refused when malformed, naming the field, with nothing written', async () => {
    const draft = await create();
    const bad: [Record<string, unknown>, string][] = [
      [{ slaClocks: { ...slaClocks, missedAppointmentMinutes: 1441 } }, 'slaClocks.missedAppointmentMinutes'],
      [{ slaClocks: { ...slaClocks, missedAppointmentMinutes: 0 } }, 'slaClocks.missedAppointmentMinutes'],
      [
        { productLines: productLines.map((l, i) => (i === 3 ? { ...l, warrantyMonths: 121 } : l)) },
        'productLines[3].warrantyMonths',
      ],
      [{ priceList: priceList.map((p, i) => (i === 1 ? { ...p, priceFen: 10_000_001 } : p)) }, 'priceList[1].priceFen'],
      [{ priceList: priceList.map((p, i) => (i === 2 ? { ...p, code: 'tv-board' } : p)) }, 'priceList[2].code'],
      [{ priceList: [...priceList, priceList[0]] }, 'priceList[3].code'],
      [
        { priceList: priceList.map((p, i) => (i === 0 ? { ...p, productLine: 'FREEZER' } : p)) },
        'priceList[0].productLine',
      ],
      [
        { priceList: priceList.map((p, i) => (i === 0 ? { ...p, description: 'x'.repeat(121) } : p)) },
        'priceList[0].description',
      ],
      // A product line dropped while the price list still prices it.
      [
        {
          productLines: productLines.filter((l) => l.code !== 'TELEVISION'),
          labourFees: defaultStandardContent().labourFees.filter((f) => f.productLine !== 'TELEVISION'),
          priceList,
        },
        'priceList[2].productLine',
      ],
    ];
    for (const [content, field] of bad) {
      const before = await h.snapshot();
      const created = expectError(await h.run(as.operator(), Q.create, { input: { content } }), 'BAD_USER_INPUT');
      expect(created.extensions['field'], field).toBe(field);
      expect(created.message.startsWith(`${field}: `), created.message).toBe(true);
      const updated = expectError(await h.run(as.operator(), Q.update, { id: draft.id, content }), 'BAD_USER_INPUT');
      expect(updated.extensions['field'], field).toBe(field);
      expect(await h.snapshot(), field).toBe(before);
    }
  });

  it('must be given whole: GraphQL refuses a part without them, or an unknown kind, and nothing is written', async () => {
    const before = await h.snapshot();
    const withoutWarranty = productLines.map(({ code, name }) => ({ code, name }));
    const { missedAppointmentMinutes: _missed, ...clocksWithout } = slaClocks;
    for (const content of [
      { productLines: withoutWarranty },
      { slaClocks: clocksWithout },
      { priceList: [{ ...priceList[0], kind: 'SERVICE' }] },
    ]) {
      const result = await h.run(as.operator(), Q.create, { input: { content } });
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.message).toMatch(
        /"warrantyMonths" of required type|"missedAppointmentMinutes" of required type|"SERVICE"/,
      );
    }
    expect(await h.snapshot()).toBe(before);
  });
});

describe('the usual daily jobs of a draft', () => {
  const licencePolicy = { ...defaultStandardContent().licencePolicy, usualDailyJobs: 6 };

  it('are set through GraphQL, read back and published', async () => {
    const draft = await create({ content: { licencePolicy } });
    expect(draft.licencePolicy).toEqual({
      maxPoints: 12,
      warningAtOrBelow: 6,
      cycleMonths: 12,
      warningDailyCapPercent: 50,
      usualDailyJobs: 6,
    });
    const published = expectOk(await h.run(as.admin(), Q.publish, { id: draft.id })).publishStandardVersion;
    expect(published.licencePolicy.usualDailyJobs).toBe(6);
  });

  it('are refused outside 1–50 as BAD_USER_INPUT naming licencePolicy.usualDailyJobs, with nothing written', async () => {
    const draft = await create();
    for (const usualDailyJobs of [0, 51]) {
      const content = { licencePolicy: { ...licencePolicy, usualDailyJobs } };
      const before = await h.snapshot();
      for (const result of [
        await h.run(as.operator(), Q.create, { input: { content } }),
        await h.run(as.operator(), Q.update, { id: draft.id, content }),
      ]) {
        const error = expectError(result, 'BAD_USER_INPUT');
        expect(error.extensions['field']).toBe('licencePolicy.usualDailyJobs');
        expect(error.message.startsWith('licencePolicy.usualDailyJobs: '), error.message).toBe(true);
      }
      expect(await h.snapshot()).toBe(before);
    }
  });

  it('must be given with the licence policy: GraphQL refuses one without them', async () => {
    const before = await h.snapshot();
    const { usualDailyJobs: _usual, ...withoutUsual } = licencePolicy;
    const result = await h.run(as.operator(), Q.create, { input: { content: { licencePolicy: withoutUsual } } });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(/"usualDailyJobs" of required type/);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('the settlement numbers of a draft', () => {
  const settlement = { maxAdjustmentFen: 2_500_000, approvalDueDay: 15 };
  const settlementCoefficients = { A: 1.2, B: 1, C: 0.85, ungraded: 0.95 };

  it('are readable on every version, the default’s being ¥100,000 and the 10th', async () => {
    const served = expectOk(await h.run(as.finance(), Q.version, { id: DEFAULT_STANDARD_ID })).standardVersion;
    expect(served.settlement).toEqual({ maxAdjustmentFen: 10000000, approvalDueDay: 10 });
    expect(served.settlementCoefficients).toEqual({ A: 1.1, B: 1, C: 0.9, ungraded: 1 });
  });

  it('are set through GraphQL on creation and on edit, read back as written and published', async () => {
    const draft = await create({ content: { settlement, settlementCoefficients } });
    expect(draft.settlement).toEqual(settlement);
    expect(contentOf(draft)).toEqual({ ...defaultStandardContent(), settlement, settlementCoefficients });
    const edited = expectOk(
      await h.run(as.operator(), Q.update, {
        id: draft.id,
        content: { settlement: { ...settlement, approvalDueDay: 28 } },
      }),
    ).updateStandardDraft;
    expect(edited.settlement).toEqual({ maxAdjustmentFen: 2500000, approvalDueDay: 28 });
    expect(edited.history[1]).toMatchObject({ action: 'UPDATED', detail: 'changed settlement' });
    const published = expectOk(await h.run(as.admin(), Q.publish, { id: draft.id })).publishStandardVersion;
    expect(published).toMatchObject({
      status: 'PUBLISHED',
      settlement: { maxAdjustmentFen: 2500000, approvalDueDay: 28 },
      settlementCoefficients,
    });
  });

  it('are refused when out of range or not whole hundredths, naming the field, with nothing written', async () => {
    const draft = await create();
    const bad: [Record<string, unknown>, string][] = [
      [{ settlement: { ...settlement, maxAdjustmentFen: 0 } }, 'settlement.maxAdjustmentFen'],
      [{ settlement: { ...settlement, maxAdjustmentFen: 1_000_000_001 } }, 'settlement.maxAdjustmentFen'],
      [{ settlement: { ...settlement, approvalDueDay: 0 } }, 'settlement.approvalDueDay'],
      [{ settlement: { ...settlement, approvalDueDay: 29 } }, 'settlement.approvalDueDay'],
      [{ settlementCoefficients: { ...settlementCoefficients, A: 1.105 } }, 'settlementCoefficients.A'],
      [{ settlementCoefficients: { ...settlementCoefficients, ungraded: 0.955 } }, 'settlementCoefficients.ungraded'],
    ];
    for (const [content, field] of bad) {
      const before = await h.snapshot();
      const created = expectError(await h.run(as.operator(), Q.create, { input: { content } }), 'BAD_USER_INPUT');
      expect(created.extensions['field'], field).toBe(field);
      expect(created.message.startsWith(`${field}: `), created.message).toBe(true);
      const updated = expectError(await h.run(as.operator(), Q.update, { id: draft.id, content }), 'BAD_USER_INPUT');
      expect(updated.extensions['field'], field).toBe(field);
      expect(await h.snapshot(), field).toBe(before);
    }
  });

  it('must be given whole: GraphQL refuses a settlement part without one of its fields, or a null part', async () => {
    const before = await h.snapshot();
    const { approvalDueDay: _day, ...withoutDay } = settlement;
    const missing = await h.run(as.operator(), Q.create, { input: { content: { settlement: withoutDay } } });
    expect(missing.data).toBeNull();
    expect(missing.errors?.[0]?.message).toMatch(/"approvalDueDay" of required type/);
    const fractional = await h.run(as.operator(), Q.create, {
      input: { content: { settlement: { ...settlement, approvalDueDay: 10.5 } } },
    });
    expect(fractional.data).toBeNull();
    expectError(await h.run(as.operator(), Q.create, { input: { content: { settlement: null } } }), 'BAD_USER_INPUT');
    expect(await h.snapshot()).toBe(before);
  });
});

describe('discarding drafts', () => {
  it('deletes a draft', async () => {
    const draft = await create();
    expect(expectOk(await h.run(as.operator(), Q.discard, { id: draft.id })).discardStandardDraft).toBe(draft.id);
    expect(expectOk(await h.run(as.operator(), Q.version, { id: draft.id })).standardVersion).toBeNull();
    expectError(await h.run(as.operator(), Q.discard, { id: draft.id }), 'NOT_FOUND');
  });

  it('refuses to discard a published version', async () => {
    const error = expectError(await h.run(as.admin(), Q.discard, { id: DEFAULT_STANDARD_ID }), 'INVALID_TRANSITION');
    expect(error.extensions['currentState']).toBe('PUBLISHED');
  });
});

describe('malformed input writes nothing', () => {
  const invalidKpis = defaultStandardContent().kpis.map((k, i) => (i === 2 ? { ...k, floor: 0.01 } : k));

  it.each([
    [
      'createStandardDraft: invalid content',
      as.operator(),
      'BAD_USER_INPUT',
      Q.create,
      { input: { content: { kpis: invalidKpis } } },
    ],
    [
      'createStandardDraft: invalid content with a key',
      as.operator(),
      'BAD_USER_INPUT',
      Q.create,
      { input: { content: { kpis: invalidKpis }, idempotencyKey: 'create-bad-0001' } },
    ],
    [
      'createStandardDraft: a required part set to null',
      as.operator(),
      'BAD_USER_INPUT',
      Q.create,
      { input: { content: { grading: null } } },
    ],
    [
      'createStandardDraft: an unknown basedOn',
      as.operator(),
      'NOT_FOUND',
      Q.create,
      { input: { basedOn: 'no-such-version' } },
    ],
    [
      'createStandardDraft: a malformed idempotency key',
      as.operator(),
      'BAD_USER_INPUT',
      Q.create,
      { input: { idempotencyKey: 'short' } },
    ],
    [
      'createStandardDraft: a wrongly typed field',
      as.operator(),
      null,
      Q.create,
      { input: { content: { grading: { aMinScore: 'high', bMinScore: 75, minCompletions: 10 } } } },
    ],
    ['publishStandardVersion: unknown version', as.admin(), 'NOT_FOUND', Q.publish, { id: 'no-such-version' }],
    [
      'publishStandardVersion: already published',
      as.admin(),
      'INVALID_TRANSITION',
      Q.publish,
      { id: DEFAULT_STANDARD_ID },
    ],
    [
      'publishStandardVersion: garbage date',
      as.admin(),
      'BAD_USER_INPUT',
      Q.publish,
      { id: DEFAULT_STANDARD_ID, effectiveFrom: 'next tuesday' },
    ],
    [
      'cancelScheduledPublication: a published version',
      as.admin(),
      'INVALID_TRANSITION',
      Q.cancel,
      { id: DEFAULT_STANDARD_ID },
    ],
    ['cancelScheduledPublication: unknown version', as.admin(), 'NOT_FOUND', Q.cancel, { id: 'no-such-version' }],
    [
      'updateStandardDraft: unknown version',
      as.operator(),
      'NOT_FOUND',
      Q.update,
      { id: 'no-such-version', content: { name: 'x' } },
    ],
    ['discardStandardDraft: unknown version', as.operator(), 'NOT_FOUND', Q.discard, { id: 'no-such-version' }],
  ] as const)('%s', async (_name, claims, code, source, variables) => {
    const before = await h.snapshot();
    const result = await h.run(claims, source, variables as Record<string, unknown>);
    // null: refused by GraphQL's own input coercion, which Apollo Server reports as BAD_USER_INPUT.
    if (code === null)
      expect(result).toMatchObject({ data: null, errors: [{ message: expect.stringMatching(/aMinScore/) }] });
    else expectError(result, code);
    expect(await h.snapshot()).toBe(before);
  });

  it('to updateStandardDraft, publishStandardVersion, cancel and discard of an existing draft', async () => {
    const draft = await create();
    const attempts: [string, Record<string, unknown>, string][] = [
      [Q.update, { id: draft.id, content: { kpis: invalidKpis } }, 'BAD_USER_INPUT'],
      [Q.update, { id: draft.id, content: { name: 'x'.repeat(201) } }, 'BAD_USER_INPUT'],
      [
        Q.update,
        { id: draft.id, content: { labourFees: defaultStandardContent().labourFees.slice(1) } },
        'BAD_USER_INPUT',
      ],
      [Q.update, { id: draft.id, content: { kpis: null } }, 'BAD_USER_INPUT'],
      [Q.publish, { id: draft.id, effectiveFrom: '2001-01-01T00:00:00Z' }, 'BAD_USER_INPUT'],
      [Q.publish, { id: draft.id, effectiveFrom: '2026-02-30T00:00:00Z' }, 'BAD_USER_INPUT'],
      [Q.publish, { id: draft.id, key: 'bad key with spaces' }, 'BAD_USER_INPUT'],
      [Q.cancel, { id: draft.id }, 'INVALID_TRANSITION'],
    ];
    for (const [source, variables, code] of attempts) {
      const before = await h.snapshot();
      expectError(await h.run(as.admin(), source, variables), code);
      expect(await h.snapshot()).toBe(before);
    }
  });

  it('names the offending field', async () => {
    const error = expectError(
      await h.run(as.operator(), Q.create, { input: { content: { kpis: invalidKpis } } }),
      'BAD_USER_INPUT',
    );
    expect(error.extensions['field']).toBe('kpis[2].floor');
  });
});

describe('idempotent creation', () => {
  it('returns the first draft on a replay and creates nothing more', async () => {
    const input = { content: { name: 'from the portal' }, idempotencyKey: 'portal-create-0001' };
    const first = await create(input);
    const afterFirst = await h.snapshot();
    const replay = await create(input);
    expect(replay.id).toBe(first.id);
    expect(replay.number).toBe(first.number);
    expect(await h.snapshot()).toBe(afterFirst);
  });

  it('refuses the same key with a different payload', async () => {
    await create({ content: { name: 'one' }, idempotencyKey: 'portal-create-0002' });
    const before = await h.snapshot();
    expectError(
      await h.run(as.operator(), Q.create, {
        input: { content: { name: 'two' }, idempotencyKey: 'portal-create-0002' },
      }),
      'CONFLICT',
    );
    expect(await h.snapshot()).toBe(before);
  });

  it('scopes keys to the caller', async () => {
    const input = { idempotencyKey: 'portal-create-0003' };
    const mine = await create(input);
    const theirs = expectOk(await h.run(as.admin(), Q.create, { input })).createStandardDraft;
    expect(theirs.id).not.toBe(mine.id);
  });

  it('lets the key be used again after a refused attempt', async () => {
    const key = 'portal-create-0004';
    const bad = { content: { grading: { aMinScore: 70, bMinScore: 75, minCompletions: 10 } }, idempotencyKey: key };
    expectError(await h.run(as.operator(), Q.create, { input: bad }), 'BAD_USER_INPUT');
    const good = await create({
      content: { grading: { aMinScore: 90, bMinScore: 75, minCompletions: 10 } },
      idempotencyKey: key,
    });
    expect(good.status).toBe('DRAFT');
  });
});
