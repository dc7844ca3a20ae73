/**
 * A month's settlement survives the workflow worker and the settlement service being killed
 * (SIGKILL) while it builds: every PAYABLE job is paid once, by one statement, and the totals
 * reconcile with the jobs' fees.
 *
 * A stack of its own (settlement-fixture.ts), so killing its processes disturbs no other suite. The settlement is
 * started before the month's evaluation is confirmed, and once it waits the test holds the month's write lease, so when the
 * confirmation wakes it the build is in flight and waiting, deterministically (no sleeps): then both
 * processes are killed. The lost activity attempt is retried once its start-to-close timeout has
 * passed; restarting the processes is the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTemporalClient, isDuplicateKey } from '@starline/common';
import { tokenFor } from './client.ts';
import { FEE, M, RUN, monthAgo, ok, ownStack, settlementFixture, until } from './settlement-fixture.ts';

const run = `${process.pid % 100000}${Date.now() % 10000}`;
const SETTLED = monthAgo(4).month;

let own: Awaited<ReturnType<typeof ownStack>>;
let f: Awaited<ReturnType<typeof settlementFixture>>;
let temporal: Awaited<ReturnType<typeof connectTemporalClient>>;
const gql: Parameters<typeof settlementFixture>[0]['gql'] = (query, variables, token) =>
  own.gql(query, variables, token);

beforeAll(async () => {
  own = await ownStack('settlement-crash');
  temporal = await connectTemporalClient({ address: own.stack.temporalAddress, namespace: 'default' });
  f = await settlementFixture({ gql, mongodbUri: own.stack.mongodbUri, run, names: ['A', 'B'] });
}, 180_000);

afterAll(async () => {
  await f?.close();
  await temporal?.connection.close();
  await own?.stop();
});

/** The month's lease (common/src/lease.ts), held by the test: the settlement's writers wait for it. */
async function holdMonthLease(): Promise<() => Promise<void>> {
  const leases = f.conn
    .useDb('starline_settlement')
    .collection<{ _id: string; owner: string; expiresAt: Date }>('write_leases');
  const name = `settlement:${SETTLED}`;
  // Another writer (a query's repair of the run, say) may hold it a moment: wait our turn, as they do.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await leases.insertOne({ _id: name, owner: `crash-test-${run}`, expiresAt: new Date(Date.now() + 10 * 60_000) });
      break;
    } catch (error) {
      if (!isDuplicateKey(error) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return async () => void (await leases.deleteOne({ _id: name, owner: `crash-test-${run}` }));
}

/** The workflow has opened its run and sleeps until the evaluation is confirmed (its recheck timer started). */
async function waitingForEvaluation(): Promise<boolean> {
  const TIMER_STARTED = 17; // temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED
  const { events } = await temporal.workflow.getHandle(`settlement-${SETTLED}`).fetchHistory();
  return (events ?? []).some((e) => Number(e.eventType) === TIMER_STARTED);
}

/** The build (beginBuild, then buildStatements) has been picked up by the settlement worker and is running. */
async function buildInFlight(): Promise<boolean> {
  const { raw } = await temporal.workflow.getHandle(`settlement-${SETTLED}`).describe();
  return (raw.pendingActivities ?? []).some(
    (a) =>
      ['beginBuild', 'buildStatements'].includes(a.activityType?.name ?? '') &&
      String(a.state) !== '1' &&
      String(a.state) !== 'PENDING_ACTIVITY_STATE_SCHEDULED',
  );
}

describe('the monthly settlement survives its workers being killed', () => {
  it('pays every job once after the workflow worker and the settlement service die mid-build', async () => {
    const paid = [await f.payableJob('A'), await f.payableJob('A'), await f.payableJob('B')];
    const held = await f.calledBackJob('B', true);
    await f.seedThePast(SETTLED, {});

    const starter = await tokenFor('FINANCE');
    ok(await gql(M.start, { m: SETTLED }, starter), 'start');
    // Started before the evaluation is confirmed: it waits, visibly.
    expect(ok<any>(await gql(RUN, { m: SETTLED }, starter), 'run').state).toBe('WAITING_FOR_EVALUATION');
    const workflow = async () => ({ state: (await waitingForEvaluation()) ? 'ASLEEP' : 'OPENING' });
    await until('the settlement workflow', workflow, 'ASLEEP');

    const release = await holdMonthLease();
    await f.evaluated(SETTLED);
    const deadline = Date.now() + 150_000;
    while (!(await buildInFlight())) {
      if (Date.now() > deadline) throw new Error('no settlement activity in flight after the evaluation was confirmed');
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all([own.stack.kill('workflows'), own.stack.kill('settlement')]);
    await release();
    await Promise.all([own.stack.restart('settlement'), own.stack.restart('workflows')]);

    // Nobody graded (no KPI counters): T = 1.00, no awards. A: 2 jobs, 14,000; B: 1 job, 7,000, one held.
    const built = await until(
      'settlement',
      () => gql(RUN, { m: SETTLED }, starter).then((r) => ok<any>(r, 'run')),
      'IN_REVIEW',
      150_000,
    );
    expect(built.totals).toEqual({ centres: 2, jobs: 3, L: 3 * FEE, Q: 0, R: 3 * FEE, payableFen: 3 * FEE });
    const claims = await f.conn.useDb('starline_settlement').collection('paid_jobs').find({}).toArray();
    expect(claims.map((c) => String(c._id)).sort()).toEqual([...paid].sort());
    const statement = (name: 'A' | 'B') =>
      gql(
        `query($id: ID!) { statement(id: $id) { L lines { ticketId } heldJobs { ticketId } } }`,
        { id: f.statementOf(SETTLED, name) },
        starter,
      ).then((r) => ok<any>(r, 'statement'));
    expect((await statement('A')).lines.map((l: any) => l.ticketId).sort()).toEqual(paid.slice(0, 2).sort());
    expect(await statement('B')).toEqual({ L: FEE, lines: [{ ticketId: paid[2] }], heldJobs: [{ ticketId: held.id }] });
  }, 420_000);
});
