import type { Connection } from 'mongoose';
import { ApplicationFailure } from '@temporalio/activity';
import {
  RemoteCallError,
  type CentreRef,
  type CertificationActivities,
  type TicketsActivities,
} from '@starline/common';
import { runnerFor, snapshotOf, testDatabase, type Runner } from '../../../common/test/harness.ts';
import { createTicketsActivities } from '../src/activities.ts';
import { refusalError, type Lifecycle } from '../src/graphql/lifecycle.ts';
import type { TicketsDeps } from '../src/graphql/deps.ts';
import { buildTicketsSchema } from '../src/schema.ts';
import { createTicketsStore, type TicketsStore } from '../src/store/tickets.ts';
import { DEFAULT_TICKET_POLICY } from './fixtures/policy.ts';
import { T0 } from './fixtures/tickets.ts';

export { expectError, expectOk, as, type Result } from '../../../common/test/harness.ts';
export { DEFAULT_TICKET_POLICY, T0 };

/** What every test centre serves: the intake's region and every product line of the test standard. */
const SERVES = {
  serviceAreas: ['310115', '110105'],
  productLines: DEFAULT_TICKET_POLICY.productLines.map((l) => l.code),
};

/** The centres the network service would know (the real call through Temporal is tested in temporal.int.test.ts). */
export const CENTRES: ReadonlyMap<string, CentreRef> = new Map(
  [
    ...['centre-1', 'centre-2', 'centre-x1', 'centre-x2', 'centre-x3', 'centre-sf'].map((id) => ({
      id,
      code: id.toUpperCase(),
      status: 'ACTIVE' as const,
      tier: 'STANDARD' as const,
      ...SERVES,
    })),
    { id: 'centre-sus', code: 'SUS', status: 'SUSPENDED' as const, tier: 'STANDARD' as const, ...SERVES },
    {
      id: 'centre-far',
      code: 'FAR',
      status: 'ACTIVE' as const,
      tier: 'STANDARD' as const,
      serviceAreas: ['110101'],
      productLines: SERVES.productLines,
    },
    {
      id: 'centre-wm',
      code: 'WM',
      status: 'ACTIVE' as const,
      tier: 'STANDARD' as const,
      serviceAreas: SERVES.serviceAreas,
      productLines: ['WASHING_MACHINE'],
    },
  ].map((c) => [c.id, c]),
);

/**
 * The lifecycle workflow's part in a mutation, in process: the command goes to applyTicketCommand
 * with the ticket's own policy and the request id as its commandId, and a refusal comes back as the
 * DomainError the real client (lifecycle.ts) makes of the workflow's. The workflow itself is driven
 * for real in temporal.int.test.ts.
 */
export function inProcessLifecycle(acts: TicketsActivities, _store: TicketsStore): Lifecycle & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    async start(ticket) {
      started.push(ticket.id);
    },
    async command(ticketId, command, { expectedVersion, requestId }) {
      try {
        return (await acts.applyTicketCommand({ ticketId, commandId: requestId, command, expectedVersion })).ticket;
      } catch (error) {
        if (error instanceof ApplicationFailure)
          throw refusalError(error.type ?? undefined, error.message, error.details as unknown[] | undefined) ?? error;
        throw error;
      }
    },
  };
}

/**
 * Certification's recordLicenceEvent as the tickets service calls it through Temporal: idempotent by
 * evidence key (a repeat creates nothing). `down` makes it fail as an unreachable service does.
 */
export function fakeLicences() {
  const entries = new Map<string, { engineerId: string; code: string; evidenceKey: string; recordedBy: string }>();
  const state = { down: false, calls: 0, entries };
  const record: CertificationActivities['recordLicenceEvent'] = async (input) => {
    state.calls++;
    if (state.down) throw new RemoteCallError('certification.recordLicenceEvent: timed out', null);
    const created = !entries.has(input.evidenceKey);
    if (created)
      entries.set(input.evidenceKey, {
        engineerId: input.engineerId,
        code: input.code,
        evidenceKey: input.evidenceKey,
        recordedBy: input.recordedBy,
      });
    return { entryId: input.evidenceKey, created, pointsRemaining: 6, status: 'WARNING' };
  };
  return Object.assign(state, { record });
}

export interface Harness {
  licences: ReturnType<typeof fakeLicences>;
  db: Connection;
  store: TicketsStore;
  /** What the schema was built with (for what the service runs beside it, e.g. the complaint sweep). */
  deps: TicketsDeps;
  run: Runner;
  clock: { now: Date };
  lifecycle: ReturnType<typeof inProcessLifecycle>;
  /** The engineers the certification service would know: id → the centre they work for (tests add theirs). */
  engineers: Map<string, string>;
  /** Every document but the write leases, to prove a refused request wrote nothing. */
  snapshot: () => Promise<string>;
}

export async function startHarness(prefix: string): Promise<Harness> {
  const db = await testDatabase(prefix);
  const store = createTicketsStore(db);
  await store.syncIndexes();
  const clock = { now: T0 };
  const now = () => clock.now;
  const lifecycle = inProcessLifecycle(createTicketsActivities(store, now), store);
  const licences = fakeLicences();
  const engineers = new Map<string, string>();
  const deps: TicketsDeps = {
    store,
    now,
    lifecycle,
    recordLicenceEvent: licences.record,
    ticketPolicy: async () => DEFAULT_TICKET_POLICY,
    centre: async (id) => CENTRES.get(id) ?? null,
    engineer: async (id) => (engineers.has(id) ? { id, centreId: engineers.get(id)! } : null),
  };
  const schema = buildTicketsSchema(deps);
  return {
    licences,
    db,
    store,
    deps,
    run: runnerFor(schema),
    clock,
    lifecycle,
    engineers,
    snapshot: snapshotOf(db, ['write_leases']),
  };
}

let serialSeq = 0;
export const intake = (over: Record<string, unknown> = {}) => ({
  customer: { name: '张伟', phone: '13800138000', address: '上海市浦东新区张江路 100 号', regionCode: '310115' },
  productLine: 'AIR_CONDITIONER',
  model: 'KFR-35GW',
  serialNumber: `AC${Date.now().toString(36).toUpperCase()}-${++serialSeq}`,
  purchaseDate: '2026-03-01T00:00:00Z',
  serviceType: 'REPAIR',
  areaClass: 'URBAN',
  faultDescription: 'not cooling',
  ...over,
});

export const TICKET = /* GraphQL */ `
  fragment T on Ticket {
    id
    number
    version
    state
    standardVersionId
    centreId
    engineerId
    warranty
    serviceType
    customer {
      name
      phone
      regionCode
    }
    product {
      productLine
      serialNumber
    }
    appointment {
      no
      from
      to
    }
    slas {
      clock
      deadline
      status
      doneAt
      ref
    }
    timeline {
      type
      at
      actor
      data
    }
    report {
      workFinishedAt
      checklist
      faultCode
      parts {
        partNumber
        quantity
      }
      charges {
        code
        amountFen
      }
    }
    callback {
      attempts {
        answer
      }
      result
    }
    settlement {
      status
      reasons
      feeFen
    }
    complaints {
      id
      severity
      state
      responseBy
      responseSla {
        status
      }
    }
    receivedAt
    updatedAt
  }
`;

const M = (name: string, args: string, params: string) =>
  `mutation (${params}$version: Int!, $key: String) { ${name}(${args}version: $version, idempotencyKey: ` +
  `$key) { ...T } } ${TICKET}`;

export const Q = {
  ticket: `query ($id: ID!) { ticket(id: $id) { ...T } } ${TICKET}`,
  byNumber: `query ($n: String!) { ticketByNumber(number: $n) { id number } }`,
  search: `query ($f: TicketFilter, $first: Int, $after: String) { tickets(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id number state centreId } } } }`,
  changes: `query ($since: String, $first: Int) { jobChanges(since: $since, first: $first) {
    cursor hasMore changes { cursor ticketId version state centreId events at ticket { id version } } } }`,
  openTickets:
    `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ServiceCentre { id openTickets { id ` +
    `state } } } }`,
  ticketsSoFar: `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ServiceCentre { ticketsSoFar {
    month asOf leftover dispatched completions completionsReportedInTime answeredCallbacks satisfiedCallbacks complaints
    majorComplaints
    partsReplaced partsMisjudged delightCompletions } } } }`,
  engineerTickets:
    `query ($reps: [_Any!]!, $day: String) { _entities(representations: $reps) { ... on Engineer { id ` +
    `tickets(day: $day) { id state } } } }`,
  ticketRef: `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Ticket { id number } } }`,
  receive:
    `mutation ($input: IntakeInput!, $key: String) { receiveTicket(input: $input, idempotencyKey: $key) { ` +
    `...T } } ${TICKET}`,
  dispatch: M('dispatchTicket', 'id: $id, centreId: $centreId, ', '$id: ID!, $centreId: ID!, '),
  accept: M('acceptJob', 'id: $id, ', '$id: ID!, '),
  refuse: M('refuseJob', 'id: $id, reason: $reason, ', '$id: ID!, $reason: String!, '),
  contact: M('recordContact', 'id: $id, ', '$id: ID!, '),
  book: M('bookAppointment', 'id: $id, window: $window, ', '$id: ID!, $window: AppointmentInput!, '),
  assign: M('assignEngineer', 'id: $id, engineerId: $engineerId, ', '$id: ID!, $engineerId: ID!, '),
  checkIn: M('checkIn', 'id: $id, ', '$id: ID!, '),
  complete: M('completeJob', 'id: $id, report: $report, ', '$id: ID!, $report: CompletionInput!, '),
  callback: M('recordCallback', 'id: $id, answer: $answer, ', '$id: ID!, $answer: CallbackAnswer!, '),
  returnOldPart: M('returnOldPart', 'id: $id, ', '$id: ID!, '),
  autopsy: M(
    'recordAutopsy',
    'id: $id, consistent: $consistent, note: $note, ',
    '$id: ID!, $consistent: Boolean!, $note: String!, ',
  ),
  qualityCheck: M('qualityCheck', 'id: $id, ', '$id: ID!, '),
  cancel: M('cancelTicket', 'id: $id, reason: $reason, ', '$id: ID!, $reason: String!, '),
  push: `mutation ($updates: [JobUpdateInput!]!) { pushJobUpdates(updates: $updates) {
    index idempotencyKey ticketId ok ticket { id version state } error { code message field currentState currentVersion
    } } }`,
};
