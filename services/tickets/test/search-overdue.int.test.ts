import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Q, as, expectError, expectOk, intake, startHarness, type Harness } from './graphql-support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('tickets_overdue');
});
afterAll(async () => {
  await h.db.close();
});

const MIN = 60_000;
const run = async (claims: ReturnType<typeof as.operator>, source: string, variables: Record<string, unknown>) =>
  Object.values(expectOk(await h.run(claims, source, variables)))[0] as Record<string, any>;
const ids = (page: Record<string, any>) => page.edges.map((e: any) => e.node.id);

describe('tickets(filter: {overdue})', () => {
  it('an offer past its acceptance deadline is overdue; answered in time, or still running, it is not; pages and counts', async () => {
    const start = h.clock.now;
    const made = [];
    for (let i = 0; i < 3; i++) {
      const t = await run(as.callCentre(), Q.receive, { input: intake() });
      made.push(await run(as.operator(), Q.dispatch, { id: t.id, version: t.version, centreId: 'centre-x3' }));
    }
    let accepted = await run(as.partner('centre-x3'), Q.accept, { id: made[2]!.id, version: made[2]!.version });
    const f = (overdue: boolean) => ({ f: { centreId: 'centre-x3', overdue }, first: 1 });

    h.clock.now = new Date(start.getTime() + 29 * MIN); // every offer still inside its 30 min
    expect((await run(as.operator(), Q.search, f(true))).totalCount).toBe(0);
    expect((await run(as.operator(), Q.search, f(false))).totalCount).toBe(3);

    // two offers unanswered past the deadline; the accepted job's first contact too
    h.clock.now = new Date(start.getTime() + 31 * MIN);
    expect((await run(as.operator(), Q.search, f(true))).totalCount).toBe(3);
    // contacted late: done, no longer overdue
    accepted = await run(as.partner('centre-x3'), Q.contact, { id: accepted.id, version: accepted.version });
    const page1 = await run(as.operator(), Q.search, f(true));
    expect(page1.totalCount).toBe(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await run(as.operator(), Q.search, { ...f(true), after: page1.pageInfo.endCursor });
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect([...ids(page1), ...ids(page2)].sort()).toEqual([made[0]!.id, made[1]!.id].sort());
    expect(ids(await run(as.operator(), Q.search, { f: { centreId: 'centre-x3', overdue: false } }))).toEqual([
      accepted.id,
    ]);
    // A partner's search is its centre's, overdue or not.
    expect((await run(as.partner('centre-x3'), Q.search, { f: { overdue: true } })).totalCount).toBe(2);
    expect((await run(as.partner('centre-1'), Q.search, { f: { overdue: true } })).totalCount).toBe(0);
    expectError(await h.run(as.operator(), Q.search, { f: { overdue: true }, after: 'nope' }), 'BAD_USER_INPUT');
  });
});
