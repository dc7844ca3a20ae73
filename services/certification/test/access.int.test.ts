import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as } from '../../../common/test/harness.ts';
import { Q, engineerInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

let h: Harness;
let mine: { id: string; number: string };
let other: { id: string; number: string };
let third: { id: string; number: string };

beforeAll(async () => {
  h = await startHarness('certification_access');
  const reg = async (centreId: string) =>
    expectOk(await h.run(as.operator(), Q.register, { input: engineerInput({ centreId }) })).registerEngineer;
  mine = await reg('centre-A');
  third = await reg('centre-A');
  other = await reg('centre-B');
  expectOk(await h.run(as.operator(), Q.event, { id: other.id, code: 'PROMISE_BROKEN', key: 'ticket:A-1' }));
});
afterAll(async () => {
  await h.db.close();
});

describe('reading engineers', () => {
  it.each([
    ['OPERATOR', as.operator()],
    ['ADMIN', as.admin()],
    ['CALL_CENTRE', as.callCentre()],
  ] as const)('%s reads anyone, ledger included', async (_r, claims) => {
    const e = expectOk(await h.run(claims, Q.ledger, { id: other.id })).engineer;
    expect(e.licence.ledger).toHaveLength(1);
    expect(expectOk(await h.run(claims, Q.list, { first: 100 })).engineers.totalCount).toBe(3);
  });

  it('FINANCE reads nothing', async () => {
    expectError(await h.run(as.finance(), Q.engineer, { id: mine.id }), 'FORBIDDEN');
    expectError(await h.run(as.finance(), Q.list, {}), 'FORBIDDEN');
  });

  it('anonymous is UNAUTHENTICATED', async () => {
    expectError(await h.run(null, Q.engineer, { id: mine.id }), 'UNAUTHENTICATED');
  });

  it('a PARTNER sees its own centre’s engineers only', async () => {
    const partner = as.partner('centre-A');
    expect(expectOk(await h.run(partner, Q.engineer, { id: mine.id })).engineer.id).toBe(mine.id);
    expectError(await h.run(partner, Q.engineer, { id: other.id }), 'FORBIDDEN');
    expectError(await h.run(partner, Q.ledger, { id: other.id }), 'FORBIDDEN');
    expectError(await h.run(partner, Q.byNumber, { number: other.number }), 'FORBIDDEN');
    // Missing ids are FORBIDDEN too, so ids can't be probed.
    expectError(await h.run(partner, Q.engineer, { id: 'nope' }), 'FORBIDDEN');
    const list = expectOk(await h.run(partner, Q.list, { first: 100 })).engineers;
    expect(list.edges.map((e: any) => e.node.id).sort()).toEqual([mine.id, third.id].sort());
    expect(expectOk(await h.run(partner, Q.list, { filter: { centreId: 'centre-B' } })).engineers.totalCount).toBe(0);
  });

  it('a PARTNER cannot change another centre’s engineer', async () => {
    expectError(
      await h.run(as.partner('centre-A'), Q.event, { id: other.id, code: 'LATE_ARRIVAL', key: 'ticket:P-9' }),
      'FORBIDDEN',
    );
    expectError(
      await h.run(as.partner('centre-A'), Q.register, { input: engineerInput({ centreId: 'centre-B' }) }),
      'FORBIDDEN',
    );
    expect(await h.store.countEntries(`${other.id}:1`)).toBe(1);
  });

  it('an ENGINEER sees itself, its licence and ledger, and nobody else', async () => {
    const self = as.engineer(other.id);
    const e = expectOk(await h.run(self, Q.ledger, { id: other.id })).engineer;
    expect(e.licence).toMatchObject({
      pointsRemaining: 9,
      ledger: [{ code: 'PROMISE_BROKEN', points: -3, evidenceKey: 'ticket:A-1' }],
    });
    expectError(await h.run(as.engineer(mine.id), Q.ledger, { id: other.id }), 'FORBIDDEN');
    const list = expectOk(await h.run(self, Q.list, {})).engineers;
    expect(list.edges.map((x: any) => x.node.id)).toEqual([other.id]);
  });

  it('_entities: engineers the caller may not see resolve to null', async () => {
    const q = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Engineer { id number } } }`;
    const reps = [
      { __typename: 'Engineer', id: mine.id },
      { __typename: 'Engineer', id: other.id },
    ];
    expect(expectOk(await h.run(as.partner('centre-A'), q, { reps }))._entities).toEqual([
      { id: mine.id, number: mine.number },
      null,
    ]);
  });

  it('ServiceCentre.engineers lists the centre’s engineers, filtered by the caller', async () => {
    const reps = [{ __typename: 'ServiceCentre', id: 'centre-A' }];
    const op = expectOk(await h.run(as.operator(), Q.centreEngineers, { reps }))._entities[0];
    expect(op.engineers.totalCount).toBe(2);
    const foreign = expectOk(await h.run(as.partner('centre-B'), Q.centreEngineers, { reps }))._entities[0];
    expect(foreign.engineers).toEqual({ totalCount: 0, edges: [] });
  });

  it('pages by number with opaque cursors; refuses bad page sizes and cursors', async () => {
    const p1 = expectOk(await h.run(as.operator(), Q.list, { first: 2 })).engineers;
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = expectOk(await h.run(as.operator(), Q.list, { first: 2, after: p1.pageInfo.endCursor })).engineers;
    expect(p2.edges).toHaveLength(1);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    expectError(await h.run(as.operator(), Q.list, { first: 0 }), 'BAD_USER_INPUT');
    expectError(await h.run(as.operator(), Q.list, { first: 101 }), 'BAD_USER_INPUT');
    expectError(await h.run(as.operator(), Q.list, { after: 'garbage!' }), 'BAD_USER_INPUT');
  });
});
