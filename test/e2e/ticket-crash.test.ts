/**
 * A job survives a worker crash or restart at any step with no lost or doubled effect.
 *
 * A stack of its own (its own FerretDB, Temporal dev server and platform processes, so killing
 * them disturbs no other suite and dispatch sees only this test's centre). One ticket is driven
 * through the gateway from intake to CLOSED while the processes that do the work are killed with
 * SIGKILL at several points:
 *
 *   1. the workflow worker while the lifecycle's dispatch activity is in flight, after it wrote the
 *      ticket and before it delivered the change to the partner feed (the test holds the centre's
 *      feed lease); the activity then completes with no workflow worker to take its result;
 *   2. with the workflow worker still down, the tickets service (subgraph + `tickets` activity
 *      worker) while a partner's `acceptJob` waits on its workflow update: its idempotency key is
 *      recorded, its answer never sent;
 *   3. the workflow worker while `assignEngineer`'s activity runs (held at the ticket's write lease),
 *      which then completes: the caller, waiting on the workflow update, gets its answer anyway;
 *   4. both, while `completeJob` is in flight after the ticket document was written and before its
 *      outbox was delivered (the feed lease again), the command producing licence evidence.
 *
 * Then every effect is checked exactly once: state and version, timeline, the partner feed
 * (jobChanges), KPI facts, the engineer's licence ledger, and the client's retry (same
 * idempotencyKey) of each command that was in flight returns the first result.
 *
 * Holding a lease is how the test makes "in flight" observable and deterministic: no sleeps, every
 * wait polls a condition with a deadline. The activity killed in 4 is retried by Temporal only
 * after its startToCloseTimeout (30 s); restarts (the workflow worker bundles its code) are the rest.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectDatabase,
  connectTemporalClient,
  DEV_JWT_SECRET,
  DEV_SIGNING_SECRET,
  shanghaiMonth,
  type Claims,
  type Role,
} from '@starline/common';
import { startStack, type Stack } from '../../infra/src/stack.ts';
import { freeStackPorts } from '../../infra/src/processes.ts';
import { gql as post, tokenFor } from './client.ts';

const run = `${process.pid}-${Date.now() % 100000}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'starline-crash-'));

let stack: Stack;
let ticketsDb: Connection;
let temporal: Awaited<ReturnType<typeof connectTemporalClient>>;

const gql = (query: string, variables: Record<string, unknown>, token: string) =>
  post(query, variables, { token, url: stack.gatewayUrl });
const token = (role: Role, extra: Partial<Claims> = {}) => tokenFor(role, extra);

/** Polls `check` until it returns a value (not undefined), or fails naming `what` at the deadline. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not after ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  stack = await startStack({
    dataDir,
    ...(await freeStackPorts()),
    env: {
      LOG_LEVEL: 'warn',
      JWT_SECRET: DEV_JWT_SECRET,
      GATEWAY_SIGNING_SECRET: DEV_SIGNING_SECRET,
      // Kill 3 has the caller wait on its workflow update across a workflow worker restart, longer
      // than the gateway's default 10 s timeout (which would answer UNAVAILABLE, for a retry).
      GATEWAY_UPSTREAM_TIMEOUT_MS_TICKETS: '60000',
    },
  }).catch((error: Error) => {
    // The folder goes with afterAll: the failing process's log goes with the error.
    const name = error.message.split(':')[0]!;
    const log = path.join(dataDir, 'logs', `${name}.log`);
    throw new Error(
      `${error.message}${existsSync(log) ? `\n${readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}` : ''}`,
    );
  });
  ticketsDb = await connectDatabase(stack.mongodbUri, 'starline_tickets');
  temporal = await connectTemporalClient({ address: stack.temporalAddress, namespace: 'default' });
}, 180_000);

afterAll(async () => {
  await temporal?.connection.close();
  await ticketsDb?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

// ---- what the test observes and holds ----------------------------------------------------------

const TICKET = `query($id: ID!) { ticket(id: $id) {
  id number version state centreId engineerId
  timeline { type actor data }
  callback { result } settlement { status reasons }
} }`;

async function ticketNow(id: string, operator: string): Promise<any> {
  const res = await gql(TICKET, { id }, operator);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.ticket;
}

/** The lease a command's writer takes (common/src/lease.ts): held by the test, writers wait for it. */
async function holdLease(name: string): Promise<() => Promise<void>> {
  const leases = ticketsDb.collection<{ _id: string; owner: string; expiresAt: Date }>('write_leases');
  await leases.insertOne({ _id: name, owner: `crash-test-${run}`, expiresAt: new Date(Date.now() + 10 * 60_000) });
  return async () => {
    await leases.deleteOne({ _id: name, owner: `crash-test-${run}` });
  };
}

/** The lifecycle's applyTicketCommand activity has been picked up by a tickets worker and is running. */
async function applyInFlight(ticketId: string): Promise<true | undefined> {
  const { raw } = await temporal.workflow.getHandle(`ticket-${ticketId}`).describe();
  const started = (raw.pendingActivities ?? []).some(
    (a) =>
      a.activityType?.name === 'applyTicketCommand' &&
      String(a.state) !== '1' &&
      String(a.state) !== 'PENDING_ACTIVITY_STATE_SCHEDULED',
  );
  return started ? true : undefined;
}

/** A mutation sent and not awaited: its answer (or the error of a killed upstream) is kept for later. */
function send(query: string, variables: Record<string, unknown>, tok: string) {
  return gql(query, variables, tok).catch((error: Error) => ({
    status: 0,
    data: null,
    errors: [{ message: error.message }],
    codes: ['NETWORK'],
  }));
}

// ---- the journey -------------------------------------------------------------------------------

const VIEW = 'id version state centreId engineerId';
const M = {
  receive:
    `mutation($input: IntakeInput!, $key: String) { receiveTicket(input: $input, idempotencyKey: $key) { ` +
    `${VIEW} number } }`,
  accept:
    `mutation($id: ID!, $v: Int!, $key: String) { acceptJob(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${VIEW} } }`,
  contact:
    `mutation($id: ID!, $v: Int!, $key: String) { recordContact(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${VIEW} } }`,
  book:
    `mutation($id: ID!, $v: Int!, $key: String, $w: AppointmentInput!) { bookAppointment(id: $id, window: $w, ` +
    `version: $v, idempotencyKey: $key) { ${VIEW} } }`,
  assign:
    `mutation($id: ID!, $v: Int!, $key: String, $e: ID!) { assignEngineer(id: $id, engineerId: $e, version: ` +
    `$v, idempotencyKey: $key) { ${VIEW} } }`,
  checkIn:
    `mutation($id: ID!, $v: Int!, $key: String) { checkIn(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${VIEW} } }`,
  complete:
    `mutation($id: ID!, $v: Int!, $key: String, $r: CompletionInput!) { completeJob(id: $id, report: $r, ` +
    `version: $v, idempotencyKey: $key) { ${VIEW} } }`,
  callback:
    `mutation($id: ID!, $v: Int!, $key: String) { recordCallback(id: $id, answer: SATISFIED, version: $v, ` +
    `idempotencyKey: $key) { ${VIEW} } }`,
  qualityCheck:
    `mutation($id: ID!, $v: Int!, $key: String) { qualityCheck(id: $id, version: $v, idempotencyKey: $key) { ` +
    `${VIEW} } }`,
};

function ok(res: { errors?: unknown; data?: any }, what: string): any {
  expect(res.errors, what).toBeUndefined();
  return Object.values(res.data!)[0];
}

describe('the ticket lifecycle survives its workers being killed', () => {
  it('drives a ticket to CLOSED through four kills with every effect exactly once', async () => {
    const operator = await token('OPERATOR');
    const callCentre = await token('CALL_CENTRE');

    // --- seed: the standard's product line and steps, an active centre, a certified engineer ---
    const standard = await gql(
      '{ standardInForce { productLines { code } procedure { code requiredInCompletion } } }',
      {},
      operator,
    );
    const { productLines, procedure } = ok(standard, 'standardInForce');
    const productLine: string = productLines[0].code;
    const required: string[] = procedure.filter((s: any) => s.requiredInCompletion).map((s: any) => s.code);
    expect(required.length).toBeGreaterThan(1);
    const region = '310115';
    const centre = ok(
      await gql(
        'mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }',
        {
          input: {
            code: `E2E-CRASH-${run}`,
            name: 'Crash test centre',
            tier: 'CORE',
            region: '310000',
            serviceAreas: [region],
            productLines: [productLine],
            dailyCapacity: 20,
            contact: { name: 'Han Meimei', phone: '13900139000' },
          },
        },
        operator,
      ),
      'createServiceCentre',
    );
    const centreId: string = centre.id;
    ok(
      await gql(
        'mutation($id: ID!) { activateServiceCentre(id: $id, reason: "crash test") { status } }',
        { id: centreId },
        operator,
      ),
      'activate',
    );
    const partner = await token('PARTNER', { centreId });
    const registered = ok(
      await gql(
        'mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id } }',
        {
          input: {
            number: `E${run.replace(/\D/g, '').slice(0, 8)}`,
            name: 'Zhao Liu',
            centreId,
            certifications: [
              {
                productLine,
                issuedAt: new Date(Date.now() - 86_400_000).toISOString(),
                expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
              },
            ],
          },
        },
        operator,
      ),
      'registerEngineer',
    );
    const engineerId: string = registered.id;
    const engineer = await token('ENGINEER', { engineerId });

    // --- intake, then kill 1: the workflow worker while its dispatch activity is in flight, after the
    // ticket was written; the activity then completes with no workflow worker to take its result ---
    const ticketDoc = async (id: string) => ticketsDb.collection('tickets').findOne({ _id: id as any });
    let release = await holdLease(`feed:${centreId}`);
    const received = ok(
      await gql(
        M.receive,
        {
          key: `crash-intake-${run}`,
          input: {
            customer: {
              name: '张伟',
              phone: '13800138000',
              address: '上海市浦东新区张江路 100 号',
              regionCode: region,
            },
            productLine,
            model: 'KFR-35GW',
            serialNumber: `SN-CRASH-${run}`,
            purchaseDate: new Date(Date.now() - 30 * 86_400_000).toISOString(),
            serviceType: 'REPAIR',
            areaClass: 'URBAN',
            faultDescription: 'not cooling',
          },
        },
        callCentre,
      ),
      'receiveTicket',
    );
    const id: string = received.id;
    expect(received).toMatchObject({ state: 'RECEIVED', version: 1 });
    await until(
      'dispatch written, its delivery pending',
      async () => {
        const doc = await ticketDoc(id);
        return doc?.['version'] === 2 && doc['pending'] ? true : undefined;
      },
      30_000,
    );
    await stack.kill('workflows');
    await release();
    await until('dispatch delivered', async () => ((await ticketDoc(id))?.['pending'] ? undefined : true), 20_000);
    expect(await ticketNow(id, operator)).toMatchObject({ state: 'OFFERED', version: 2, centreId });

    // --- kill 2, the workflow worker still down: the tickets service while acceptJob waits on its workflow update ---
    const acceptArgs = { id, v: 2, key: `crash-accept-${run}` };
    const acceptSent = send(M.accept, acceptArgs, partner);
    const keys = ticketsDb.collection('idempotency_keys');
    await until(
      'acceptJob under way',
      async () => ((await keys.findOne({ operation: 'acceptJob', state: 'PENDING' })) ? true : undefined),
      20_000,
    );
    await stack.kill('tickets');
    expect((await acceptSent).errors, 'the caller of the killed service got no answer').toBeDefined();
    expect((await ticketDoc(id))!['version'], 'nothing applied yet').toBe(2);
    await Promise.all([stack.restart('tickets'), stack.restart('workflows')]);
    // The client retries with its key: the command applies once and the retry gets its outcome.
    const acceptRetry = await gql(M.accept, acceptArgs, partner);
    expect(ok(acceptRetry, 'acceptJob retried with its key')).toMatchObject({ id, state: 'ACCEPTED', version: 3 });

    expect(ok(await gql(M.contact, { id, v: 3, key: `crash-contact-${run}` }, partner), 'contact')).toMatchObject({
      state: 'ACCEPTED',
      version: 4,
    });

    const from = new Date(Date.now() + 3_600_000);
    const window = { from: from.toISOString(), to: new Date(from.getTime() + 2 * 3_600_000).toISOString() };
    expect(ok(await gql(M.book, { id, v: 4, key: `crash-book-${run}`, w: window }, partner), 'book')).toMatchObject({
      state: 'BOOKED',
      version: 5,
    });

    // --- kill 3: the workflow worker while assignEngineer's activity runs; it completes meanwhile ---
    release = await holdLease(`ticket:${id}`);
    const assignSent = send(M.assign, { id, v: 5, key: `crash-assign-${run}`, e: engineerId }, partner);
    await until('assignEngineer applying', () => applyInFlight(id), 20_000);
    await stack.kill('workflows');
    await release();
    await until(
      'the assignment written with no workflow worker',
      async () => ((await ticketNow(id, operator)).version === 6 ? true : undefined),
      20_000,
    );
    await stack.restart('workflows');
    // The caller was waiting on the workflow update, which outlived the worker.
    expect(ok(await assignSent, 'assignEngineer answered across the restart')).toMatchObject({
      state: 'ASSIGNED',
      version: 6,
      engineerId,
    });

    expect(ok(await gql(M.checkIn, { id, v: 6, key: `crash-checkin-${run}` }, engineer), 'checkIn')).toMatchObject({
      state: 'ON_SITE',
      version: 7,
    });

    // --- kill 4: both, after completeJob wrote the ticket and before its outbox reached the feed ---
    const report = {
      workFinishedAt: new Date().toISOString(),
      faultCode: 'E1',
      // One required step left out: NON_STANDARD_SERVICE evidence on the engineer's licence.
      checklist: required.slice(1),
    };
    const completeArgs = { id, v: 7, key: `crash-complete-${run}`, r: report };
    release = await holdLease(`feed:${centreId}`);
    const completeSent = send(M.complete, completeArgs, engineer);
    await until(
      'completeJob written, its delivery pending',
      async () => {
        const doc = await ticketDoc(id);
        return doc?.['version'] === 8 && doc['pending'] ? true : undefined;
      },
      20_000,
    );
    await Promise.all([stack.kill('tickets'), stack.kill('workflows')]);
    expect((await completeSent).errors, 'the caller of the killed service got no answer').toBeDefined();
    await release();
    await Promise.all([stack.restart('tickets'), stack.restart('workflows')]);
    await until(
      'completeJob delivered after the restart',
      async () => {
        const doc = await ticketDoc(id);
        return doc && !doc['pending'] ? true : undefined;
      },
      90_000,
    );
    const completeRetry = await until(
      'completeJob retried with its key',
      async () => {
        const res = await gql(M.complete, completeArgs, engineer);
        return res.errors ? undefined : res;
      },
      60_000,
    );
    expect(ok(completeRetry, 'completeJob retry')).toMatchObject({ id, state: 'COMPLETED', version: 8 });

    expect(ok(await gql(M.callback, { id, v: 8, key: `crash-callback-${run}` }, callCentre), 'callback')).toMatchObject(
      { state: 'CALLED_BACK', version: 9 },
    );
    expect(ok(await gql(M.qualityCheck, { id, v: 9, key: `crash-qc-${run}` }, operator), 'qualityCheck')).toMatchObject(
      { state: 'CLOSED', version: 10 },
    );

    // --- the outcome ---
    const result = await temporal.workflow.getHandle(`ticket-${id}`).result();
    expect(result).toMatchObject({ state: 'CLOSED', version: 10 });

    const final = await ticketNow(id, operator);
    expect(final).toMatchObject({
      state: 'CLOSED',
      version: 10,
      centreId,
      engineerId,
      callback: { result: 'SATISFIED' },
    });
    const types: string[] = final.timeline.map((e: any) => e.type);
    expect(new Set(types).size, `each event once: ${types.join(', ')}`).toBe(types.length);
    expect(types[0]).toBe('RECEIVED');
    for (const t of ['DISPATCHED', 'ACCEPTED', 'BOOKED', 'ASSIGNED', 'CHECKED_IN', 'COMPLETED'])
      expect(types).toContain(t);

    // The partner feed: every change once, in order, the same events as the timeline.
    const feed = ok(
      await gql('{ jobChanges(first: 500) { changes { ticketId version state events } hasMore } }', {}, partner),
      'jobChanges',
    );
    expect(feed.hasMore).toBe(false);
    const changes = feed.changes.filter((c: any) => c.ticketId === id);
    expect(changes.map((c: any) => c.version)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(changes.flatMap((c: any) => c.events)).toEqual(types.slice(1));
    expect(changes.at(-1).state).toBe('CLOSED');

    // KPI facts: one of each counter the journey counts, none twice (the centre is this test's own, so its month holds
    // this job only).
    const month = await ticketsDb
      .collection('kpi_months')
      .findOne({ _id: `${centreId}|${shanghaiMonth(new Date())}` as never });
    const totals = Object.fromEntries(
      Object.entries(month!['counters'] as Record<string, number>).filter(([, n]) => n !== 0),
    );
    expect(totals).toEqual({
      dispatched: 1,
      completions: 1,
      answeredCallbacks: 1,
      satisfiedCallbacks: 1,
      completionsReportedInTime: 1,
    });

    // The engineer's licence: the evidence of the completion recorded once (certification subgraph).
    const licence = ok(
      await gql(
        'query($e: ID!) { engineer(id: $e) { licence { pointsRemaining ledger { code evidenceKey } } } }',
        { e: engineerId },
        operator,
      ),
      'engineer',
    );
    expect(licence.licence.ledger.filter((l: any) => l.evidenceKey.startsWith(`ticket:${id}:`))).toEqual([
      { code: 'NON_STANDARD_SERVICE', evidenceKey: `ticket:${id}:NON_STANDARD_SERVICE` },
    ]);

    // Each in-flight command's retry, once more, still answers its first outcome and changes nothing.
    expect(ok(await gql(M.accept, acceptArgs, partner), 'acceptJob retried again')).toMatchObject({
      id,
      state: 'ACCEPTED',
      version: 3,
    });
    expect(ok(await gql(M.complete, completeArgs, engineer), 'completeJob retried again')).toMatchObject({
      id,
      state: 'COMPLETED',
      version: 8,
    });
    expect((await ticketNow(id, operator)).version).toBe(10);
  }, 240_000);
});
