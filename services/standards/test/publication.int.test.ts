import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import { as } from '../../../common/test/harness.ts';
import { createStandardsActivities } from '../src/activities.ts';
import { resumeScheduledPublications } from '../src/publication.ts';
import { DEFAULT_STANDARD_ID } from '../src/store/standards.ts';
import { HOUR, Q, expectError, expectOk, inMs, startHarness, type Harness } from './support.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness('standards_publication');
});
afterEach(async () => {
  await h.db.close();
});

const draft = async (name = 'next standard') =>
  expectOk(await h.run(as.operator(), Q.create, { input: { content: { name } } })).createStandardDraft;
const publish = (id: string, effectiveFrom?: string, key?: string) =>
  h.run(as.admin(), Q.publish, { id, effectiveFrom, key });
const inForceAt = async (at?: string) => expectOk(await h.run(as.partner(), Q.inForce, { at })).standardInForce;
const activities = () => createStandardsActivities(h.store);

describe('publishing now', () => {
  it('puts the draft in force from now and records who did it', async () => {
    const d = await draft();
    const before = Date.now();
    const published = expectOk(await publish(d.id)).publishStandardVersion;
    expect(published).toMatchObject({ id: d.id, status: 'PUBLISHED', publishedBy: 'admin-1' });
    const effective = Date.parse(published.effectiveFrom);
    expect(effective).toBeGreaterThanOrEqual(before - 1);
    expect(effective).toBeLessThanOrEqual(Date.now());
    expect(published.publishedAt).toBe(published.effectiveFrom);
    expect(published.history.map((e: { action: string }) => e.action)).toEqual(['CREATED', 'PUBLISHED']);
    expect(h.scheduler.scheduled).toEqual([]);

    expect((await inForceAt()).id).toBe(d.id);
    expect((await inForceAt(new Date(effective + 1).toISOString())).id).toBe(d.id);
    expect((await inForceAt(new Date(effective - 1).toISOString())).id).toBe(DEFAULT_STANDARD_ID);
    expect((await inForceAt('2020-06-01T00:00:00Z')).id).toBe(DEFAULT_STANDARD_ID);
    expect(await inForceAt('1999-12-31T23:59:59Z')).toBeNull();
  });

  it('refuses to publish it again, naming its state', async () => {
    const d = await draft();
    expectOk(await publish(d.id));
    const error = expectError(await publish(d.id), 'INVALID_TRANSITION');
    expect(error.extensions['currentState']).toBe('PUBLISHED');
  });

  it('publishes a version exactly once when asked many times at once', async () => {
    const d = await draft();
    const results = await Promise.all(Array.from({ length: 6 }, () => publish(d.id)));
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    expect(results.flatMap((r) => r.errors.map((e) => e.code)).sort()).toEqual(Array(5).fill('INVALID_TRANSITION'));
  });

  it('lets either a concurrent edit or the publication win, never a mix', async () => {
    for (let round = 0; round < 4; round++) {
      const d = await draft(`race ${round}`);
      const [edit, pub] = await Promise.all([
        h.run(as.operator(), Q.update, { id: d.id, content: { name: `edited ${round}` } }),
        publish(d.id),
      ]);
      expect(pub.errors).toEqual([]);
      const final = expectOk(await h.run(as.admin(), Q.version, { id: d.id })).standardVersion;
      expect(final.status).toBe('PUBLISHED');
      if (edit.errors.length === 0) {
        // The edit came first, so what went in force is the edited content.
        expect(final.name).toBe(`edited ${round}`);
        expect(final.history.map((e: { action: string }) => e.action)).toEqual(['CREATED', 'UPDATED', 'PUBLISHED']);
      } else {
        expect(edit.errors[0]!.code).toBe('INVALID_TRANSITION');
        expect(final.name).toBe(`race ${round}`);
      }
      // Leave the next round a free future: the next publication must be later than this one.
    }
  });
});

describe('scheduling', () => {
  it('schedules a future date through the port and publishes at the activity’s call', async () => {
    const d = await draft();
    const at = inMs(2 * HOUR);
    const scheduled = expectOk(await publish(d.id, at)).publishStandardVersion;
    expect(scheduled).toMatchObject({ status: 'SCHEDULED', effectiveFrom: at, publishedBy: null, publishedAt: null });
    expect(h.scheduler.scheduled).toEqual([{ versionId: d.id, effectiveFrom: at, requestedBy: 'admin-1' }]);
    // Readable by everyone, but not in force yet.
    expect(expectOk(await h.run(as.partner(), Q.version, { id: d.id })).standardVersion.status).toBe('SCHEDULED');
    expect((await inForceAt()).id).toBe(DEFAULT_STANDARD_ID);

    const ref = await activities().publishScheduledVersion({ versionId: d.id, publishedBy: 'admin-1' });
    expect(ref).toMatchObject({ id: d.id, number: d.number, status: 'PUBLISHED', effectiveFrom: at });
    const again = await activities().publishScheduledVersion({ versionId: d.id, publishedBy: 'admin-1' });
    expect(again).toEqual(ref);

    const atMs = Date.parse(at);
    expect((await inForceAt(new Date(atMs - 1).toISOString())).id).toBe(DEFAULT_STANDARD_ID);
    expect((await inForceAt(at)).id).toBe(d.id);
    expect((await inForceAt(new Date(atMs + HOUR).toISOString())).id).toBe(d.id);
    const final = expectOk(await h.run(as.admin(), Q.version, { id: d.id })).standardVersion;
    expect(final.history.map((e: { action: string }) => e.action)).toEqual(['CREATED', 'SCHEDULED', 'PUBLISHED']);
  });

  it('is immutable while scheduled', async () => {
    const d = await draft();
    expectOk(await publish(d.id, inMs(HOUR)));
    const before = await h.snapshot();
    expectError(await h.run(as.operator(), Q.update, { id: d.id, content: { name: 'sneaky' } }), 'INVALID_TRANSITION');
    expectError(await h.run(as.operator(), Q.discard, { id: d.id }), 'INVALID_TRANSITION');
    expectError(await publish(d.id, inMs(3 * HOUR)), 'INVALID_TRANSITION');
    expect(await h.snapshot()).toBe(before);
  });

  it('cancelling returns the version to an editable draft and stops the workflow', async () => {
    const d = await draft();
    expectOk(await publish(d.id, inMs(HOUR)));
    const cancelled = expectOk(await h.run(as.admin(), Q.cancel, { id: d.id })).cancelScheduledPublication;
    expect(cancelled).toMatchObject({ status: 'DRAFT', effectiveFrom: null });
    expect(cancelled.history.map((e: { action: string }) => e.action)).toEqual([
      'CREATED',
      'SCHEDULED',
      'SCHEDULE_CANCELLED',
    ]);
    expect(h.scheduler.cancelled).toEqual([d.id]);

    // A workflow that fires anyway finds a draft and gives up for good.
    const failure = await activities()
      .publishScheduledVersion({ versionId: d.id, publishedBy: 'admin-1' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'StandardPublicationCancelled' });
    expect(expectOk(await h.run(as.admin(), Q.version, { id: d.id })).standardVersion.status).toBe('DRAFT');

    // Its old instant no longer blocks the timeline: it can be edited and published now.
    expectOk(await h.run(as.operator(), Q.update, { id: d.id, content: { name: 'revised' } }));
    expect(expectOk(await publish(d.id)).publishStandardVersion).toMatchObject({
      status: 'PUBLISHED',
      name: 'revised',
    });
  });

  it('stays cancelled when the workflow cannot be reached', async () => {
    const d = await draft();
    expectOk(await publish(d.id, inMs(HOUR)));
    h.scheduler.failCancel = true;
    expect(expectOk(await h.run(as.admin(), Q.cancel, { id: d.id })).cancelScheduledPublication.status).toBe('DRAFT');
  });

  it('returns the version to DRAFT when the workflow cannot be started', async () => {
    const d = await draft();
    h.scheduler.failSchedule = true;
    const result = await publish(d.id, inMs(HOUR));
    expect(result.errors).toHaveLength(1);
    expect(result.data).toBeNull();
    const after = expectOk(await h.run(as.admin(), Q.version, { id: d.id })).standardVersion;
    expect(after).toMatchObject({ status: 'DRAFT', effectiveFrom: null });
    expect(after.history.at(-1)).toMatchObject({ action: 'SCHEDULE_FAILED' });
    expect(h.scheduler.scheduled).toEqual([]);
    h.scheduler.failSchedule = false;
    expect(expectOk(await publish(d.id, inMs(HOUR))).publishStandardVersion.status).toBe('SCHEDULED');
  });

  it('starts the workflow again at start-up for a version left SCHEDULED without one', async () => {
    const d = await draft();
    const at = new Date(Date.now() + HOUR);
    // As if the process died between scheduling the version and starting its workflow.
    await h.store.exclusively(() => h.store.scheduleDraft(d.id, 0, at, 'admin-2', new Date()));
    expect(await resumeScheduledPublications(h.store, h.scheduler)).toEqual([d.id]);
    expect(h.scheduler.scheduled).toEqual([
      { versionId: d.id, effectiveFrom: at.toISOString(), requestedBy: 'admin-2' },
    ]);
  });

  it('refuses an activity call for an unknown version for good', async () => {
    const failure = await activities()
      .publishScheduledVersion({ versionId: 'nope', publishedBy: 'x' })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'StandardVersionNotFound' });
  });
});

describe('linear history', () => {
  it('refuses a version that would take effect before or with one already scheduled', async () => {
    const [a, b] = [await draft('a'), await draft('b')];
    const at = inMs(2 * HOUR);
    expectOk(await publish(a.id, at));
    for (const effectiveFrom of [undefined, inMs(HOUR), at]) {
      const error = expectError(await publish(b.id, effectiveFrom), 'BAD_USER_INPUT');
      expect(error.extensions['field']).toBe('effectiveFrom');
      expect(error.message).toMatch(new RegExp(`version ${a.number} \\(SCHEDULED\\)`));
    }
    expect(expectOk(await publish(b.id, inMs(3 * HOUR))).publishStandardVersion.status).toBe('SCHEDULED');
  });

  it('refuses a date in the past', async () => {
    const d = await draft();
    const error = expectError(await publish(d.id, inMs(-5 * 60_000)), 'BAD_USER_INPUT');
    expect(error.message).toMatch(/past/);
  });

  it('lets only one of several drafts take the same instant', async () => {
    const drafts = await Promise.all(['a', 'b', 'c', 'd'].map((n) => draft(n)));
    const at = inMs(HOUR);
    const results = await Promise.all(drafts.map((d) => publish(d.id, at)));
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    expect(results.flatMap((r) => r.errors.map((e) => e.code))).toEqual(Array(3).fill('BAD_USER_INPUT'));
    const list = expectOk(await h.run(as.admin(), Q.list, { status: 'SCHEDULED' })).standardVersions;
    expect(list.totalCount).toBe(1);
  });
});

describe('idempotent publication', () => {
  it('returns the first result on a replay and schedules once', async () => {
    const d = await draft();
    const at = inMs(HOUR);
    const first = expectOk(await publish(d.id, at, 'publish-key-0001')).publishStandardVersion;
    const afterFirst = await h.snapshot();
    const replay = expectOk(await publish(d.id, at, 'publish-key-0001')).publishStandardVersion;
    expect(replay).toEqual(first);
    expect(h.scheduler.scheduled).toHaveLength(1);
    expect(await h.snapshot()).toBe(afterFirst);
  });

  it('refuses the key with another date', async () => {
    const d = await draft();
    expectOk(await publish(d.id, inMs(HOUR), 'publish-key-0002'));
    const before = await h.snapshot();
    expectError(await publish(d.id, inMs(2 * HOUR), 'publish-key-0002'), 'CONFLICT');
    expect(await h.snapshot()).toBe(before);
  });

  it('replays an immediate publication instead of reporting it published already', async () => {
    const d = await draft();
    const first = expectOk(await publish(d.id, undefined, 'publish-key-0003')).publishStandardVersion;
    expect(expectOk(await publish(d.id, undefined, 'publish-key-0003')).publishStandardVersion).toEqual(first);
    expectError(await publish(d.id), 'INVALID_TRANSITION');
  });
});
