import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Connection } from 'mongoose';
import { connectDatabase, DEV_JWT_SECRET, DEV_SIGNING_SECRET } from '@starline/common';
import { startStack, type Stack } from '../../infra/src/stack.ts';
import { freeStackPorts } from '../../infra/src/processes.ts';
import { gql as post, tokenFor, type GqlResponse } from './client.ts';

/**
 * What the settlement suites share: centres with payee details and an engineer, real jobs driven
 * through the gateway, and the past written into the owners' databases — the past can't be replayed
 * through the API, so two facts of it are seeded: the centres were ACTIVE months ago, and their KPI
 * counters of the month settled (which decide their grades). The evaluation, its confirmation and
 * the settlement then run through the gateway and the workflows.
 */
export type Name = 'A' | 'B' | 'C' | 'U';
export const NAMES: Name[] = ['A', 'B', 'C', 'U'];
/** REFRIGERATOR × REPAIR × URBAN in the default standard's labour fee table. */
export const FEE = 7000;
const LINE = 'REFRIGERATOR';

export const M = {
  receive: `mutation($input: IntakeInput!) { receiveTicket(input: $input) { id version state } }`,
  book:
    `mutation($id: ID!, $w: AppointmentInput!, $v: Int!) { bookAppointment(id: $id, window: $w, version: $v) { ` +
    `id version } }`,
  assign:
    `mutation($id: ID!, $e: ID!, $v: Int!) { assignEngineer(id: $id, engineerId: $e, version: $v) { id version ` +
    `} }`,
  checkIn: `mutation($id: ID!, $v: Int!) { checkIn(id: $id, version: $v) { id version } }`,
  complete:
    `mutation($id: ID!, $r: CompletionInput!, $v: Int!) { completeJob(id: $id, report: $r, version: $v) { id ` +
    `version } }`,
  callback:
    `mutation($id: ID!, $v: Int!) { recordCallback(id: $id, answer: SATISFIED, version: $v) { id version ` +
    `settlement { status reasons feeFen } } }`,
  returnPart: `mutation($id: ID!, $v: Int!) { returnOldPart(id: $id, version: $v) { id version } }`,
  autopsy:
    `mutation($id: ID!, $v: Int!) { recordAutopsy(id: $id, consistent: true, note: "as reported", version: $v) ` +
    `{ id version } }`,
  quality:
    `mutation($id: ID!, $v: Int!) { qualityCheck(id: $id, version: $v) { id version settlement { status ` +
    `reasons feeFen } } }`,
  start:
    `mutation($m: String!, $key: String) { startSettlement(month: $m, idempotencyKey: $key) { month state ` +
    `startedBy } }`,
};
export const RUN = `query($m: String!) { settlementRun(month: $m) { month state progress { done total } totals { centres
  jobs L Q R payableFen }
  paymentFile { fileName sha256 rows totalFen content } } }`;

export function ok<T = any>(res: GqlResponse, what: string): T {
  expect(res.errors, what).toBeUndefined();
  return Object.values(res.data!)[0] as T;
}

/** The Asia/Shanghai month `back` months before now's, and its first instant. */
export function monthAgo(back: number): { month: string; start: Date } {
  const shanghai = new Date(Date.now() + 8 * 3_600_000);
  const start = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth() - back, 1) - 8 * 3_600_000);
  const d = new Date(start.getTime() + 8 * 3_600_000);
  return { month: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`, start };
}

/** Polls until `read` gives a value in `state`. */
export async function until(what: string, read: () => Promise<any>, state: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value?.state === state) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} is ${value?.state ?? 'absent'}, not ${state}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const subOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;

type Gql = (query: string, variables: Record<string, unknown>, token: string) => Promise<GqlResponse>;

/**
 * A stack of the suite's own: every ACTIVE centre is evaluated and settled in any month, so the
 * shared stack's other suites would add statements (and centres without payee details) to its months.
 */
export async function ownStack(name: string): Promise<{ stack: Stack; gql: Gql; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `starline-${name}-`));
  const stack = await startStack({
    dataDir,
    ...(await freeStackPorts()),
    env: { LOG_LEVEL: 'warn', JWT_SECRET: DEV_JWT_SECRET, GATEWAY_SIGNING_SECRET: DEV_SIGNING_SECRET },
  }).catch((error: Error) => {
    const failed = error.message.split(':')[0]!;
    const log = path.join(dataDir, 'logs', `${failed}.log`);
    throw new Error(
      `${error.message}${existsSync(log) ? `\n${readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}` : ''}`,
    );
  });
  return {
    stack,
    gql: (query, variables, token) => post(query, variables, { token, url: stack.gatewayUrl }),
    stop: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function settlementFixture(opts: { gql: Gql; mongodbUri: string; run: string; names: readonly Name[] }) {
  const { gql, run } = opts;
  const digits = run.replace(/\D/g, '');
  const region = `4${digits.slice(-5).padStart(5, '0')}`;
  const [operator, admin, callCentre] = await Promise.all([
    tokenFor('OPERATOR'),
    tokenFor('ADMIN'),
    tokenFor('CALL_CENTRE'),
  ]);
  const conn: Connection = await connectDatabase(opts.mongodbUri, 'starline_network');
  const checklist: string[] = ok<any>(
    await gql('{ standardInForce { procedure { code } } }', {}, operator),
    'standard',
  ).procedure.map((p: { code: string }) => p.code);
  const centres = {} as Record<
    Name,
    { id: string; code: string; account: string; partner: string; engineer: { id: string; token: string } }
  >;

  for (const name of opts.names) {
    const code = `E2E-ST-${run}-${name}`;
    const account = `6222020000${digits.slice(-4)}${NAMES.indexOf(name)}0`;
    const { id } = ok<{ id: string }>(
      await gql(
        'mutation($input: CreateServiceCentreInput!) { createServiceCentre(input: $input) { id } }',
        {
          input: {
            code,
            name: `Settlement e2e ${name}`,
            tier: 'CORE',
            region: `${region.slice(0, 2)}0000`,
            serviceAreas: [region],
            productLines: [LINE],
            dailyCapacity: 30,
            contact: { name: 'Sun Li', phone: '13700137002' },
          },
        },
        operator,
      ),
      `centre ${name}`,
    );
    ok(
      await gql('mutation($id: ID!) { activateServiceCentre(id: $id) { status } }', { id }, operator),
      `activate ${name}`,
    );
    ok(
      await gql(
        'mutation($id: ID!, $input: CentrePayeeInput!) { setCentrePayee(id: ' +
          '$id, input: $input, reason: "bank letter") { id } }',
        {
          id,
          input: {
            accountName: `上海${name}家电服务有限公司`,
            bank: '中国工商银行上海浦东支行',
            accountNumber: account,
          },
        },
        operator,
      ),
      `payee ${name}`,
    );
    const engineerId = ok<{ id: string }>(
      await gql(
        'mutation($input: RegisterEngineerInput!) { registerEngineer(input: $input) { id } }',
        {
          input: {
            number: `ST${name}-${digits.slice(-7)}${NAMES.indexOf(name)}`,
            name: `Engineer ${name}`,
            centreId: id,
            certifications: [
              { productLine: LINE, issuedAt: '2025-01-01T00:00:00Z', expiresAt: '2035-01-01T00:00:00Z' },
            ],
          },
        },
        operator,
      ),
      `engineer ${name}`,
    ).id;
    centres[name] = {
      id,
      code,
      account,
      partner: await tokenFor('PARTNER', { centreId: id }),
      engineer: { id: engineerId, token: await tokenFor('ENGINEER', { engineerId, centreId: id }) },
    };
  }

  let serial = 0;
  /**
   * A walk-in at the centre completed now; with a warranty part replaced it waits for the old part. Returns it
   * CALLED_BACK.
   */
  async function calledBackJob(name: Name, part: boolean): Promise<{ id: string; v: number; settlement: any }> {
    const c = centres[name];
    const input = {
      customer: { name: '钱多', phone: '13800138002', address: '上海市浦东新区世纪大道 1 号', regionCode: region },
      productLine: LINE,
      model: 'BCD-470',
      serialNumber: `ST${digits.slice(-8)}-${++serial}`,
      purchaseDate: new Date(Date.now() - 90 * 86_400_000).toISOString(),
      serviceType: 'REPAIR',
      areaClass: 'URBAN',
      faultDescription: 'not cooling',
    };
    let t = ok<any>(await gql(M.receive, { input }, c.partner), 'walk-in');
    t = ok<any>(
      await gql(
        M.book,
        {
          id: t.id,
          w: { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() },
          v: t.version,
        },
        c.partner,
      ),
      'book',
    );
    t = ok<any>(await gql(M.assign, { id: t.id, e: c.engineer.id, v: t.version }, c.partner), 'assign');
    t = ok<any>(await gql(M.checkIn, { id: t.id, v: t.version }, c.engineer.token), 'check in');
    const report = {
      workFinishedAt: new Date().toISOString(),
      checklist,
      faultCode: 'E3',
      parts: part ? [{ partNumber: 'RF-THERMOSTAT-01', oldPartSerial: `OLD-${serial}`, quantity: 1 }] : [],
    };
    t = ok<any>(await gql(M.complete, { id: t.id, r: report, v: t.version }, c.engineer.token), 'complete');
    t = ok<any>(await gql(M.callback, { id: t.id, v: t.version }, callCentre), 'callback');
    return { id: t.id, v: t.version, settlement: t.settlement };
  }

  /** A job closed now and PAYABLE at the fee. */
  async function payableJob(name: Name): Promise<string> {
    const t = await calledBackJob(name, false);
    const closed = ok<any>(await gql(M.quality, { id: t.id, v: t.v }, operator), 'quality check');
    expect(closed.settlement).toEqual({ status: 'PAYABLE', reasons: [], feeFen: FEE });
    return t.id;
  }

  /** The past: ACTIVE since six months ago, and the KPI counters of `month` by centre (grades follow from them). */
  async function seedThePast(month: string, counters: Partial<Record<Name, Record<string, number>>>): Promise<void> {
    const network = conn.useDb('starline_network');
    const since = monthAgo(6).start;
    for (const name of opts.names) {
      await network.collection('service_centres').updateOne(
        { _id: centres[name].id as never },
        {
          $set: {
            createdAt: since,
            statusHistory: [
              { from: null, to: 'ONBOARDING', at: since, actor: 'e2e-seed', reason: null, evidence: null },
              {
                from: 'ONBOARDING',
                to: 'ACTIVE',
                at: new Date(since.getTime() + 1000),
                actor: 'e2e-seed',
                reason: null,
                evidence: null,
              },
            ],
          },
        },
      );
    }
    // The network service keeps the tree in memory and reloads it when another writer's count moves.
    await network
      .collection('centre_writers')
      .updateOne({ _id: `e2e-seed-${run}` as never }, { $set: { writes: 1, at: new Date() } }, { upsert: true });
    const docs = Object.entries(counters).map(([n, c]) => ({
      _id: `${centres[n as Name].id}|${month}` as never,
      counters: c,
      applied: '[]',
    }));
    if (docs.length) await conn.useDb('starline_tickets').collection('kpi_months').insertMany(docs);
    // Reads of the tree let the network service notice the count and reload before the evaluation reads it.
    for (let i = 0; i < 3; i++) {
      await gql(
        'query($id: ID!) { networkTree(rootId: $id, depth: 0) { root { id } } }',
        { id: centres[opts.names[0]!].id },
        operator,
      );
      await new Promise((r) => setTimeout(r, 1_100));
    }
  }

  /** Evaluates and confirms a month through the gateway. */
  async function evaluated(month: string): Promise<void> {
    ok(
      await gql(`mutation($m: String!) { runMonthlyEvaluation(month: $m) { state } }`, { m: month }, operator),
      `evaluate ${month}`,
    );
    const read = () =>
      gql(`query($m: String!) { monthlyEvaluation(month: $m) { state } }`, { m: month }, operator).then((r) =>
        ok<any>(r, 'evaluation'),
      );
    await until(`evaluation ${month}`, read, 'PROVISIONAL');
    ok(
      await gql(`mutation($m: String!) { confirmMonthlyEvaluation(month: $m) { state } }`, { m: month }, admin),
      `confirm ${month}`,
    );
    await until(`evaluation ${month}`, read, 'CONFIRMED');
  }

  return {
    centres,
    operator,
    admin,
    callCentre,
    conn,
    calledBackJob,
    payableJob,
    seedThePast,
    evaluated,
    statementOf: (month: string, name: Name) => `${month}:${centres[name].id}`,
    close: () => conn.close(),
  };
}
