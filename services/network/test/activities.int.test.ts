import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import type { PublishedStandardRef } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { CONSEQUENCE_ACTOR, createNetworkActivities } from '../src/activities.ts';
import type { NetworkActivities } from '../src/contract.ts';
import { Q, centreInput, expectOk, startHarness, type Harness } from './support.ts';

let h: Harness;
let acts: NetworkActivities;

const create = async (overrides: Record<string, unknown> = {}, activate = true): Promise<string> => {
  const id = expectOk(await h.run(as.operator(), Q.create, { input: centreInput(overrides) })).createServiceCentre
    .id as string;
  if (activate) expectOk(await h.run(as.operator(), Q.activate, { id }));
  return id;
};
const grade = (centreId: string, month: string, g: 'A' | 'B' | 'C', score = 80) =>
  acts.recordGrade({
    centreId,
    month,
    grade: g,
    score,
    standardVersionId: 'standard-default',
    evaluationId: `eval-${month}`,
  });

/** The standards service's answers: one published version, one still a draft. */
const STANDARD_VERSIONS = new Map<string, PublishedStandardRef>([
  [
    'standard-default',
    {
      id: 'standard-default',
      number: 1,
      status: 'PUBLISHED',
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      publishedAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  ['standard-draft', { id: 'standard-draft', number: 2, status: 'DRAFT', effectiveFrom: null, publishedAt: null }],
]);

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

beforeAll(async () => {
  h = await startHarness('network_activities');
  acts = createNetworkActivities(h.store, async (versionId) => STANDARD_VERSIONS.get(versionId) ?? null);
});
afterAll(async () => {
  await h.db.close();
});

describe('centreRef', () => {
  it('tells another service what it needs of a centre, and null for an unknown id', async () => {
    const id = await create({}, false);
    const code = expectOk(await h.run(as.operator(), Q.centre, { id })).serviceCentre.code as string;
    expect(await acts.centreRef({ centreId: id })).toEqual({
      id,
      code,
      status: 'ONBOARDING',
      tier: 'STANDARD',
      serviceAreas: ['310115'],
      productLines: ['AIR_CONDITIONER'],
    });
    expect(await acts.centreRef({ centreId: 'no-such-centre' })).toBeNull();
    expect((await failure(acts.centreRef({ centreId: '' }))).type).toBe('BadActivityInput');
  });
});

describe('recordGrade', () => {
  it('is idempotent per (centre, month): twice → one grade', async () => {
    const id = await create();
    expect(await grade(id, '2026-10', 'B', 81.5)).toEqual({ centreId: id, month: '2026-10', changed: true });
    const before = await h.snapshot();
    expect(await grade(id, '2026-10', 'B', 81.5)).toEqual({ centreId: id, month: '2026-10', changed: false });
    expect(await h.snapshot()).toBe(before);
    const grades = expectOk(await h.run(as.operator(), Q.centre, { id })).serviceCentre.grades;
    expect(grades).toEqual([{ month: '2026-10', grade: 'B', score: 81.5 }]);
  });

  it('a re-run of the evaluation with new values replaces that month’s grade', async () => {
    const id = await create();
    await grade(id, '2026-09', 'A', 95);
    await grade(id, '2026-10', 'C', 60);
    expect((await grade(id, '2026-10', 'B', 76)).changed).toBe(true);
    const grades = expectOk(await h.run(as.operator(), Q.centre, { id })).serviceCentre.grades;
    expect(grades).toEqual([
      { month: '2026-10', grade: 'B', score: 76 },
      { month: '2026-09', grade: 'A', score: 95 },
    ]);
  });

  it('concurrent identical calls record one grade', async () => {
    const id = await create();
    const results = await Promise.all(Array.from({ length: 5 }, () => grade(id, '2026-08', 'A', 91)));
    expect(results.filter((r) => r.changed)).toHaveLength(1);
  });

  it('refuses bad input non-retryably, writing nothing', async () => {
    const id = await create();
    const before = await h.snapshot();
    for (const call of [
      grade(id, '2026-13', 'A'),
      acts.recordGrade({
        centreId: id,
        month: '2026-10',
        grade: 'D' as 'A',
        score: 1,
        standardVersionId: 's',
        evaluationId: 'e',
      }),
      acts.recordGrade({
        centreId: id,
        month: '2026-10',
        grade: 'A',
        score: Number.NaN,
        standardVersionId: 's',
        evaluationId: 'e',
      }),
      grade('missing', '2026-10', 'A'),
    ]) {
      expect((await failure(call)).nonRetryable).toBe(true);
    }
    // A grade names the published standard it was given under: an unknown or unpublished one is refused.
    for (const standardVersionId of ['standard-nope', 'standard-draft']) {
      const f = await failure(
        acts.recordGrade({
          centreId: id,
          month: '2026-10',
          grade: 'A',
          score: 90,
          standardVersionId,
          evaluationId: 'e',
        }),
      );
      expect([f.nonRetryable, f.type]).toEqual([true, 'StandardVersionNotFound']);
    }
    expect(await h.snapshot()).toBe(before);
  });
});

describe('applyStatusConsequence', () => {
  it('is idempotent by evidence: twice → one change', async () => {
    const id = await create();
    const evidence = `evaluation:2026-10:${id}`;
    expect(
      await acts.applyStatusConsequence({
        centreId: id,
        to: 'SUSPENDED',
        reason: 'second C grade this year',
        evidence,
      }),
    ).toEqual({ centreId: id, status: 'SUSPENDED', applied: true });
    const before = await h.snapshot();
    expect(
      await acts.applyStatusConsequence({
        centreId: id,
        to: 'SUSPENDED',
        reason: 'second C grade this year',
        evidence,
      }),
    ).toEqual({ centreId: id, status: 'SUSPENDED', applied: false });
    expect(await h.snapshot()).toBe(before);
    // reinstated by an operator, then a late retry of the same consequence: still nothing
    expectOk(await h.run(as.operator(), Q.reinstate, { id, reason: 'rectified' }));
    expect(
      (await acts.applyStatusConsequence({ centreId: id, to: 'SUSPENDED', reason: 'retry', evidence })).applied,
    ).toBe(false);
    const history = expectOk(await h.run(as.operator(), Q.centre, { id })).serviceCentre.statusHistory;
    expect(history.filter((e: { evidence: string | null }) => e.evidence === evidence)).toEqual([
      expect.objectContaining({
        from: 'ACTIVE',
        to: 'SUSPENDED',
        actor: CONSEQUENCE_ACTOR,
        reason: 'second C grade this year',
      }),
    ]);
  });

  it('eliminates from ACTIVE or SUSPENDED and leaves an eliminated centre alone', async () => {
    const id = await create();
    await acts.applyStatusConsequence({
      centreId: id,
      to: 'SUSPENDED',
      reason: '2nd C',
      evidence: `evaluation:2026-09:${id}`,
    });
    expect(
      await acts.applyStatusConsequence({
        centreId: id,
        to: 'ELIMINATED',
        reason: '3rd C',
        evidence: `evaluation:2026-10:${id}`,
      }),
    ).toEqual({ centreId: id, status: 'ELIMINATED', applied: true });
    expect(
      await acts.applyStatusConsequence({
        centreId: id,
        to: 'SUSPENDED',
        reason: 'late',
        evidence: `evaluation:2026-11:${id}`,
      }),
    ).toEqual({ centreId: id, status: 'ELIMINATED', applied: false });
  });

  it('concurrent identical calls apply once', async () => {
    const id = await create();
    const evidence = `evaluation:2026-07:${id}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        acts.applyStatusConsequence({ centreId: id, to: 'ELIMINATED', reason: 'x', evidence }),
      ),
    );
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    const history = expectOk(await h.run(as.operator(), Q.centre, { id })).serviceCentre.statusHistory;
    expect(history.filter((e: { to: string }) => e.to === 'ELIMINATED')).toHaveLength(1);
  });

  it('refuses an illegal transition, bad evidence or an unknown centre non-retryably, writing nothing', async () => {
    const onboarding = await create({}, false);
    const before = await h.snapshot();
    const illegal = await failure(
      acts.applyStatusConsequence({ centreId: onboarding, to: 'SUSPENDED', reason: 'x', evidence: 'evaluation:1:2' }),
    );
    expect([illegal.nonRetryable, illegal.type]).toEqual([true, 'InvalidTransition']);
    expect(
      (
        await failure(
          acts.applyStatusConsequence({
            centreId: onboarding,
            to: 'SUSPENDED',
            reason: 'x',
            evidence: 'no spaces allowed',
          }),
        )
      ).nonRetryable,
    ).toBe(true);
    expect(
      (
        await failure(
          acts.applyStatusConsequence({
            centreId: onboarding,
            to: 'ACTIVE' as 'SUSPENDED',
            reason: 'x',
            evidence: 'evaluation:1:2',
          }),
        )
      ).nonRetryable,
    ).toBe(true);
    expect(
      (
        await failure(
          acts.applyStatusConsequence({
            centreId: 'missing',
            to: 'SUSPENDED',
            reason: 'x',
            evidence: 'evaluation:1:2',
          }),
        )
      ).type,
    ).toBe('CentreNotFound');
    expect(await h.snapshot()).toBe(before);
  });
});

describe('eligibleCentres', () => {
  const AREA = '440106';
  it('lists ACTIVE centres covering the area and line, by grade then load, with room today', async () => {
    const make = (code: string, extra: Record<string, unknown> = {}, activate = true) =>
      create(
        {
          code,
          serviceAreas: [AREA, '440105'],
          productLines: ['REFRIGERATOR', 'WASHING_MACHINE'],
          dailyCapacity: 10,
          ...extra,
        },
        activate,
      );
    const a = await make('GZ-A');
    const a2 = await make('GZ-A2', { dailyCapacity: 100 });
    const b = await make('GZ-B');
    const c = await make('GZ-C');
    const u = await make('GZ-UNGRADED');
    const full = await make('GZ-FULL');
    const onboarding = await make('GZ-ONBOARDING', {}, false);
    const suspended = await make('GZ-SUSPENDED');
    expectOk(await h.run(as.operator(), Q.suspend, { id: suspended, reason: 'x' }));
    await make('GZ-OTHER-AREA', { serviceAreas: ['440105'] });
    await make('GZ-OTHER-LINE', { productLines: ['TELEVISION'] });
    await grade(a, '2026-09', 'C');
    await grade(a, '2026-10', 'A');
    await grade(a2, '2026-10', 'A');
    await grade(b, '2026-10', 'B');
    await grade(c, '2026-10', 'C');
    await grade(full, '2026-10', 'A');
    await grade(u, '2026-11', 'A'); // November's grade does not exist yet on 2026-11-20
    void onboarding;

    const result = await acts.eligibleCentres({
      regionCode: AREA,
      productLine: 'REFRIGERATOR',
      at: '2026-11-20T02:00:00Z',
      openJobs: { [a]: 5, [a2]: 5, [full]: 10, [b]: 0 },
    });
    expect(result.map((r) => [r.code, r.grade, r.openJobs, r.remaining])).toEqual([
      ['GZ-A2', 'A', 5, 95],
      ['GZ-A', 'A', 5, 5],
      ['GZ-B', 'B', 0, 10],
      ['GZ-C', 'C', 0, 10],
      ['GZ-UNGRADED', null, 0, 10],
    ]);
    // in October, the latest grades were September's
    const october = await acts.eligibleCentres({
      regionCode: AREA,
      productLine: 'WASHING_MACHINE',
      at: '2026-10-15T00:00:00Z',
    });
    expect(october.map((r) => [r.code, r.grade])).toEqual([
      ['GZ-A', 'C'],
      ['GZ-A2', null],
      ['GZ-B', null],
      ['GZ-C', null],
      ['GZ-FULL', null],
      ['GZ-UNGRADED', null],
    ]);
  });

  it('refuses malformed input non-retryably', async () => {
    expect(
      (
        await failure(
          acts.eligibleCentres({ regionCode: '44', productLine: 'REFRIGERATOR', at: '2026-11-20T00:00:00Z' }),
        )
      ).nonRetryable,
    ).toBe(true);
    expect(
      (await failure(acts.eligibleCentres({ regionCode: '440106', productLine: 'fridge', at: '2026-11-20T00:00:00Z' })))
        .nonRetryable,
    ).toBe(true);
    expect(
      (await failure(acts.eligibleCentres({ regionCode: '440106', productLine: 'REFRIGERATOR', at: 'yesterday' })))
        .nonRetryable,
    ).toBe(true);
  });
});
