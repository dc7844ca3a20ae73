import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import type { NetworkActivities } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { createNetworkActivities } from '../src/activities.ts';
import { Q, centreInput, expectOk, startHarness, type Harness } from './support.ts';

/** What the settlement workflow asks of the network: the month's evaluation, and the centres' payee details. */
let h: Harness;
let acts: NetworkActivities;
let clock = new Date('2026-08-10T02:00:00Z');
const ids: Record<string, string> = {};
const codes: Record<string, string> = {};

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const PAYEE = { accountName: '杭州西湖家电服务部', bank: '招商银行杭州分行', accountNumber: '5719 0123 4567 801' };

beforeAll(async () => {
  h = await startHarness('network_settlement_activities', { now: () => clock });
  acts = createNetworkActivities(
    h.store,
    async () => null,
    () => clock,
  );
  const hq = expectOk(
    await h.run(as.admin(), Q.create, { input: centreInput({ tier: 'FLAGSHIP' }) }),
  ).createServiceCentre;
  for (const name of ['A', 'B', 'C', 'ONBOARDING']) {
    const c = expectOk(
      await h.run(as.admin(), Q.create, { input: centreInput({ parentId: hq.id }) }),
    ).createServiceCentre;
    ids[name] = c.id;
    codes[name] = c.code;
    if (name !== 'ONBOARDING') expectOk(await h.run(as.admin(), Q.activate, { id: c.id }));
  }
  for (const name of ['A', 'C']) {
    expectOk(
      await h.run(
        as.operator(),
        `mutation ($id: ID!, $input: CentrePayeeInput!) { setCentrePayee(id: $id, input: $input, reason: ` +
          `"opening") { id } }`,
        {
          id: ids[name],
          input: { ...PAYEE, accountName: `${PAYEE.accountName}${name}` },
        },
      ),
    );
  }
  clock = new Date('2026-10-03T02:00:00Z');
});
afterAll(async () => {
  await h.db.close();
});

describe('evaluationOf', () => {
  it('is null for a month never evaluated', async () => {
    expect(await acts.evaluationOf({ month: '2026-09' })).toBeNull();
  });

  it('tells the state, the standard version and how many centres the run evaluates, writing nothing', async () => {
    await acts.beginEvaluationRun({
      month: '2026-09',
      run: 1,
      standardVersionId: 'standard-2026',
      requestedBy: 'operator-1',
    });
    const before = await h.snapshot();
    // The three ACTIVE in September: HQ never activated, the ONBOARDING one not either.
    expect(await acts.evaluationOf({ month: '2026-09' })).toEqual({
      state: 'RUNNING',
      standardVersionId: 'standard-2026',
      centres: 3,
    });
    expect(await h.snapshot()).toBe(before);
    const rec = (await h.store.evaluations.find('2026-09'))!;
    await h.store.evaluations.put({
      ...rec,
      state: 'CONFIRMED',
      confirmedAt: clock,
      confirmedBy: 'admin-1',
      completedAt: clock,
    });
    expect(await acts.evaluationOf({ month: '2026-09' })).toEqual({
      state: 'CONFIRMED',
      standardVersionId: 'standard-2026',
      centres: 3,
    });
    expect(await acts.evaluationOf({ month: '2026-08' })).toBeNull();
  });

  it.each(['2026-13', '2026-9', '202609', '', 'September'])('refuses month %j non-retryably', async (month) => {
    const f = await failure(acts.evaluationOf({ month }));
    expect([f.type, f.nonRetryable]).toEqual(['BadActivityInput', true]);
  });
});

describe('payeesOf', () => {
  it('answers in the order asked, with null for a centre without details, leaving out centres that do not exist', async () => {
    const before = await h.snapshot();
    const payees = await acts.payeesOf({ centreIds: [ids['C']!, 'no-such-centre', ids['B']!, ids['A']!] });
    expect(payees).toEqual([
      {
        centreId: ids['C'],
        code: codes['C'],
        payee: { accountName: '杭州西湖家电服务部C', bank: '招商银行杭州分行', accountNumber: '571901234567801' },
      },
      { centreId: ids['B'], code: codes['B'], payee: null },
      {
        centreId: ids['A'],
        code: codes['A'],
        payee: { accountName: '杭州西湖家电服务部A', bank: '招商银行杭州分行', accountNumber: '571901234567801' },
      },
    ]);
    expect(await h.snapshot()).toBe(before);
    expect(await acts.payeesOf({ centreIds: ['no-such-centre'] })).toEqual([]);
  });

  it('answers 1000 ids at once', async () => {
    const centreIds = [ids['A']!, ...Array.from({ length: 998 }, (_, i) => `missing-${i}`), ids['C']!];
    expect((await acts.payeesOf({ centreIds })).map((p) => p.centreId)).toEqual([ids['A'], ids['C']]);
  });

  it.each([
    ['no ids', () => []],
    ['1001 ids', () => Array.from({ length: 1001 }, (_, i) => `c-${i}`)],
    ['an empty id', () => [ids['A']!, '']],
    ['an id that is no string', () => [42 as unknown as string]],
    ['an id too long', () => ['x'.repeat(65)]],
    ['a centre twice', () => [ids['A']!, ids['B']!, ids['A']!]],
    ['no list', () => null as unknown as string[]],
  ])('refuses %s non-retryably', async (_what, centreIds) => {
    const f = await failure(acts.payeesOf({ centreIds: centreIds() }));
    expect([f.type, f.nonRetryable]).toEqual(['BadActivityInput', true]);
  });
});
