import { describe, expect, it } from 'vitest';
import {
  remoteActivities,
  type CertificationActivities,
  type NetworkActivities,
  type StandardsActivities,
  type TicketsActivities,
} from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { serviceUnderTest } from '../../../common/test/service-process.ts';
import { startTickets } from '../src/main.ts';
import { DEFAULT_TICKET_POLICY } from './fixtures/policy.ts';
import { Q, intake } from './graphql-support.ts';

/** The neighbours the lifecycle and the subgraph ask, as stand-ins on their task queues; the workflow code is real. */
const standards: Pick<StandardsActivities, 'ticketPolicyAt'> = {
  ticketPolicyAt: async () => ({ ...DEFAULT_TICKET_POLICY, validUntil: null }),
};
const network: Pick<NetworkActivities, 'centreRef' | 'eligibleCentres'> = {
  centreRef: async ({ centreId }) =>
    centreId === 'centre-1'
      ? {
          id: centreId,
          code: 'C1',
          status: 'ACTIVE',
          tier: 'STANDARD',
          serviceAreas: ['310115'],
          productLines: DEFAULT_TICKET_POLICY.productLines.map((l) => l.code),
        }
      : null,
  eligibleCentres: async () => [
    { centreId: 'centre-1', code: 'C1', grade: 'A', dailyCapacity: 20, openJobs: 0, remaining: 20 },
  ],
};
const certification: Pick<CertificationActivities, 'engineerRef' | 'mayTakeJob' | 'recordLicenceEvent'> = {
  engineerRef: async ({ engineerId }) => (engineerId === 'eng-1' ? { id: engineerId, centreId: 'centre-1' } : null),
  mayTakeJob: async () => ({ allowed: true, reason: '' }),
  recordLicenceEvent: async () => ({ entryId: 'x', created: true, pointsRemaining: 12, status: 'NORMAL' }),
};

const svc = serviceUnderTest({
  name: 'tickets',
  databaseVariable: 'TICKETS_DB',
  start: startTickets,
  neighbours: { standards, network, certification },
});
const gql = svc.gql;
const data = async (claims: Parameters<typeof gql>[0], query: string, variables: Record<string, unknown>) => {
  const { body } = await gql(claims, query, variables);
  expect(body.errors ?? []).toEqual([]);
  return Object.values(body.data)[0] as any;
};
const codeOf = async (claims: Parameters<typeof gql>[0], query: string, variables: Record<string, unknown>) =>
  (await gql(claims, query, variables)).body.errors?.map((e: any) => [
    e.extensions.code,
    e.extensions.currentState,
    e.extensions.currentVersion,
  ]);

describe('the tickets process with the real lifecycle workflow', () => {
  it('serves health and readiness', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${svc.url}/ready`)).json()).toMatchObject({ status: 'ready', service: 'tickets' });
  });

  it('intake starts the lifecycle, which dispatches; partner steps go through the workflow update', async () => {
    const t = await data(as.callCentre(), Q.receive, { input: intake(), key: 'temporal-intake-1' });
    expect(t.state).toBe('RECEIVED');
    let offered = t;
    for (let i = 0; i < 100 && offered.state !== 'OFFERED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      offered = await data(as.operator(), Q.ticket, { id: t.id });
    }
    expect(offered).toMatchObject({ state: 'OFFERED', centreId: 'centre-1', version: 2 });
    const accepted = await data(as.partner('centre-1'), Q.accept, { id: t.id, version: 2, key: 'temporal-accept-1' });
    expect(accepted).toMatchObject({ state: 'ACCEPTED', version: 3 });
    // A replay of the key returns the first result; a stale version and a step out of order are refused.
    expect(await data(as.partner('centre-1'), Q.accept, { id: t.id, version: 2, key: 'temporal-accept-1' })).toEqual(
      accepted,
    );
    expect(await codeOf(as.partner('centre-1'), Q.contact, { id: t.id, version: 2 })).toEqual([
      ['CONFLICT', 'ACCEPTED', 3],
    ]);
    expect(await codeOf(as.partner('centre-1'), Q.checkIn, { id: t.id, version: 3 })).toEqual([
      ['INVALID_TRANSITION', 'ACCEPTED', 3],
    ]);
    const from = new Date(Date.now() + 24 * 3_600_000);
    const booked = await data(as.partner('centre-1'), Q.book, {
      id: t.id,
      version: 3,
      window: { from: from.toISOString(), to: new Date(from.getTime() + 7_200_000).toISOString() },
    });
    expect(booked).toMatchObject({ state: 'BOOKED', version: 4 });
    const assigned = await data(as.partner('centre-1'), Q.assign, { id: t.id, version: 4, engineerId: 'eng-1' });
    expect(assigned).toMatchObject({ state: 'ASSIGNED', engineerId: 'eng-1' });
    const changes = await data(as.partner('centre-1'), Q.changes, { since: null });
    expect(changes.changes.map((c: any) => c.version)).toEqual([2, 3, 4, 5]);
  }, 60_000);

  it('recallCentreJobs (the evaluation, through Temporal) recalls the centre’s job through its workflow, which then moves it on', async () => {
    const t = await data(as.callCentre(), Q.receive, { input: intake(), key: 'temporal-intake-recall' });
    let offered = t;
    for (let i = 0; i < 100 && offered.state !== 'OFFERED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      offered = await data(as.operator(), Q.ticket, { id: t.id });
    }
    const accepted = await data(as.partner('centre-1'), Q.accept, {
      id: t.id,
      version: offered.version,
      key: 'temporal-accept-recall',
    });
    expect(accepted).toMatchObject({ state: 'ACCEPTED', centreId: 'centre-1' });

    const tickets = remoteActivities<TicketsActivities>(svc.client, 'tickets', 30_000);
    const input = {
      centreId: 'centre-1',
      reason: 'centre eliminated by the evaluation of 2026-10',
      evidence: 'evaluation:recall-test',
    };
    // This job, and the first test's (ASSIGNED) when that ran before.
    const open = (
      await data(as.operator(), Q.openTickets, { reps: [{ __typename: 'ServiceCentre', id: 'centre-1' }] })
    )[0].openTickets;
    expect(open.map((o: any) => o.id)).toContain(t.id);
    expect(await tickets.recallCentreJobs(input)).toEqual({ recalled: open.length });
    expect(
      (await data(as.operator(), Q.openTickets, { reps: [{ __typename: 'ServiceCentre', id: 'centre-1' }] }))[0]
        .openTickets,
    ).toEqual([]);
    // The lifecycle dispatches the RECEIVED job again: the only eligible centre was tried this round, so it
    // escalates.
    let after = await data(as.operator(), Q.ticket, { id: t.id });
    for (let i = 0; i < 100 && after.state !== 'ESCALATED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await data(as.operator(), Q.ticket, { id: t.id });
    }
    expect(after).toMatchObject({ state: 'ESCALATED', centreId: null });
    expect(after.timeline.slice(-2).map((e: any) => [e.type, e.actor])).toEqual([
      ['RECALLED', 'system:evaluation'],
      ['ESCALATED', 'system:lifecycle'],
    ]);
    expect(await tickets.recallCentreJobs(input)).toEqual({ recalled: 0 });
  }, 60_000);
});
