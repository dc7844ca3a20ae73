import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase } from '@starline/common';
import type { Connection } from 'mongoose';
import { as, testDatabase } from '../../../common/test/harness.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { DEFAULT_STANDARD_ID, createStandardStore } from '../src/store/standards.ts';
import { Q, contentOf, expectOk, startHarness, withDefaultStoredAsSeeded } from './support.ts';

const open: Connection[] = [];
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

describe('the default standard', () => {
  it('is created exactly once when several processes start at the same time', async () => {
    const first = await testDatabase('standards_seed');
    // A second connection to the same database stands in for a second process.
    const second = await connectDatabase(inject('mongodbUri'), first.name);
    open.push(first, second);
    const stores = [createStandardStore(first), createStandardStore(second)];
    await stores[0]!.syncIndexes();
    const results = await Promise.all([...stores, ...stores, ...stores].map((s) => s.ensureDefaultStandard()));
    expect(new Set(results.map((r) => r.id))).toEqual(new Set([DEFAULT_STANDARD_ID]));
    const docs = await first.db!.collection('standard_versions').find().toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      _id: DEFAULT_STANDARD_ID,
      number: 1,
      status: 'PUBLISHED',
      effectiveFrom: new Date('2000-01-01T00:00:00.000Z'),
      createdBy: 'system',
      publishedBy: 'system',
    });
    expect(await first.db!.collection('counters').findOne({ _id: 'standard_versions' as never })).toMatchObject({
      seq: 1,
    });
  });

  it('leaves the next number to the first draft and serves the defaults unchanged', async () => {
    const h = await startHarness('standards_seed');
    open.push(h.db);
    await h.store.ensureDefaultStandard();
    const inForce = expectOk(await h.run(as.partner(), Q.inForce)).standardInForce;
    expect(inForce).toEqual({
      id: DEFAULT_STANDARD_ID,
      number: 1,
      status: 'PUBLISHED',
      effectiveFrom: '2000-01-01T00:00:00.000Z',
    });
    const served = expectOk(await h.run(as.engineer(), Q.version, { id: DEFAULT_STANDARD_ID })).standardVersion;
    expect(contentOf(served)).toEqual(defaultStandardContent());
    expect(served.history).toEqual([expect.objectContaining({ actor: 'system', action: 'PUBLISHED' })]);
    const draft = expectOk(await h.run(as.operator(), Q.create, { input: {} })).createStandardDraft;
    expect(draft.number).toBe(2);
  });

  it('keeps working when stored before missedAppointmentMinutes, warrantyMonths, priceList and usualDailyJobs existed', async () => {
    const h = await withDefaultStoredAsSeeded(await startHarness('standards_seed'));
    open.push(h.db);
    await h.store.ensureDefaultStandard();
    // Served with the defaults filled in, though the stored document was not rewritten.
    const served = expectOk(await h.run(as.partner(), Q.version, { id: DEFAULT_STANDARD_ID })).standardVersion;
    expect(contentOf(served)).toEqual(defaultStandardContent());
    const stored = await h.db.db!.collection('standard_versions').findOne({ _id: DEFAULT_STANDARD_ID as never });
    expect(stored!['content']).not.toHaveProperty('priceList');
    expect(stored!['content'].slaClocks).not.toHaveProperty('missedAppointmentMinutes');
    expect(stored!['content'].licencePolicy).not.toHaveProperty('usualDailyJobs');
    expect(served.licencePolicy).toEqual({
      maxPoints: 12,
      warningAtOrBelow: 6,
      cycleMonths: 12,
      warningDailyCapPercent: 50,
      usualDailyJobs: 8,
    });
    // A draft copied from it holds the fields, and can be edited and published.
    const draft = expectOk(
      await h.run(as.operator(), Q.create, { input: { content: { name: 'next' } } }),
    ).createStandardDraft;
    expect(contentOf(draft)).toEqual({ ...defaultStandardContent(), name: 'next' });
    const published = expectOk(await h.run(as.admin(), Q.publish, { id: draft.id })).publishStandardVersion;
    expect(published.status).toBe('PUBLISHED');
    const copy = await h.db.db!.collection('standard_versions').findOne({ _id: draft.id as never });
    expect(copy!['content'].priceList).toHaveLength(20);
    expect(copy!['content'].licencePolicy.usualDailyJobs).toBe(8);
  });
});
