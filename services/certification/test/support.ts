import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { runnerFor, snapshotOf, testDatabase, type Runner } from '../../../common/test/harness.ts';
import type { CentreRef } from '@starline/common';
import type { LicencePolicy } from '../src/rules/policy.ts';
import { DEFAULT_LICENCE_POLICY } from './policy.ts';
import { buildCertificationSchema } from '../src/schema.ts';
import { createCertificationStore, type CertificationStore } from '../src/store/certification.ts';

/**
 * The centres the network service would know, for resolver tests that run without it (the real
 * call through Temporal is tested in temporal.int.test.ts and end to end).
 */
export const KNOWN_CENTRES: ReadonlyMap<string, CentreRef> = new Map(
  [
    ...['centre-1', 'centre-2', 'centre-7', 'centre-8', 'centre-A', 'centre-B'].map((id) => ({
      id,
      code: id.toUpperCase(),
      status: 'ACTIVE' as const,
      tier: 'STANDARD' as const,
    })),
    { id: 'centre-gone', code: 'GONE', status: 'ELIMINATED' as const, tier: 'STANDARD' as const },
  ].map((c) => [c.id, { ...c, serviceAreas: ['310115'], productLines: ['AIR_CONDITIONER'] }]),
);

export interface Harness {
  db: Connection;
  store: CertificationStore;
  schema: GraphQLSchema;
  run: Runner;
  snapshot: () => Promise<string>;
}

export async function startHarness(
  prefix: string,
  now: () => Date = () => new Date(),
  policy: () => Promise<LicencePolicy> = async () => DEFAULT_LICENCE_POLICY,
): Promise<Harness> {
  const db = await testDatabase(prefix);
  const store = createCertificationStore(db);
  await store.syncIndexes();
  const schema = buildCertificationSchema({
    store,
    now,
    policy,
    centre: async (id) => KNOWN_CENTRES.get(id) ?? null,
  });
  const run = runnerFor(schema);
  const snapshot = snapshotOf(db, ['write_leases']);
  return { db, store, schema, run, snapshot };
}

export { expectError, expectOk, type Result } from '../../../common/test/harness.ts';

export const ENGINEER_FIELDS = /* GraphQL */ `
  fragment E on Engineer {
    id
    number
    name
    centreId
    centre {
      id
    }
    level
    certifications {
      productLine
      issuedAt
      expiresAt
    }
    exams {
      id
      kind
      passed
      score
      takenAt
    }
    licence {
      id
      generation
      cycleStart
      cycleEnd
      maxPoints
      pointsRemaining
      status
      revokedAt
      archivedAt
      ledger {
        id
        code
        kind
        points
        evidenceKey
        recordedBy
        recordedAt
        note
        cycleIndex
        standardVersionId
      }
    }
    licenceHistory {
      id
      generation
      status
      archivedAt
    }
    reviewFlags {
      cycleEnd
      reason
    }
    createdBy
    createdAt
    updatedAt
  }
`;

export const Q = {
  engineer: `query ($id: ID!) { engineer(id: $id) { ...E } } ${ENGINEER_FIELDS}`,
  byNumber: `query ($number: String!) { engineerByNumber(number: $number) { id number } }`,
  ledger:
    `query ($id: ID!) { engineer(id: $id) { id licence { pointsRemaining status ledger { id code points ` +
    `evidenceKey } } } }`,
  list: `query ($filter: EngineerFilter, $first: Int, $after: String) {
    engineers(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges {
    cursor node { id number centreId } } } }`,
  centreEngineers:
    `query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on ServiceCentre { id ` +
    `engineers(first: $first) { totalCount edges { node { id number } } } } } }`,
  register:
    `mutation ($input: RegisterEngineerInput!, $key: String) { registerEngineer(input: $input, ` +
    `idempotencyKey: $key) { ...E } } ${ENGINEER_FIELDS}`,
  certify:
    `mutation ($id: ID!, $c: CertificationInput!) { certifyEngineer(engineerId: $id, certification: $c) { id ` +
    `certifications { productLine issuedAt expiresAt } } }`,
  event: `mutation ($id: ID!, $code: String!, $key: String!, $note: String) {
    recordLicenceEvent(engineerId: $id, code: $code, evidenceKey: $key, note: $note) { id code kind points evidenceKey
    recordedBy recordedAt note } }`,
  exam:
    `mutation ($input: ExamResultInput!) { recordExamResult(input: $input) { id kind passed score takenAt ` +
    `recordedBy } }`,
  promote: `mutation ($id: ID!, $to: CareerLevel!) { promoteEngineer(engineerId: $id, to: $to) { id level } }`,
  reinstate:
    `mutation ($id: ID!) { reinstateLicence(engineerId: $id) { id generation pointsRemaining status ledger { ` +
    `id } } }`,
};

let seq = 0;
/** A valid registration; `number` is unique per call unless given. */
export function engineerInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    number: `E-${String(Date.now() % 1_000_000).padStart(6, '0')}${String(seq).padStart(3, '0')}`,
    name: `Engineer ${seq}`,
    centreId: 'centre-1',
    certifications: [
      { productLine: 'AIR_CONDITIONER', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' },
    ],
    ...overrides,
  };
}
