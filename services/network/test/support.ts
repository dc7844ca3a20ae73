import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { runnerFor, snapshotOf, testDatabase, type Runner } from '../../../common/test/harness.ts';
import { buildNetworkSchema } from '../src/schema.ts';
import { createCentreStore, type CentreStore } from '../src/store/centres.ts';

export interface Harness {
  db: Connection;
  store: CentreStore;
  schema: GraphQLSchema;
  run: Runner;
  snapshot: () => Promise<string>;
}

/** The default standard's product lines, as the standards service would answer `productLinesAt`. */
export const STANDARD_PRODUCT_LINES = {
  standardVersionId: 'standard-default',
  productLines: ['AIR_CONDITIONER', 'REFRIGERATOR', 'WASHING_MACHINE', 'WATER_HEATER', 'TELEVISION'],
};

export async function startHarness(prefix: string): Promise<Harness> {
  const db = await testDatabase(prefix);
  const store = createCentreStore(db);
  await store.syncIndexes();
  const schema = buildNetworkSchema({ store, now: () => new Date(), productLines: async () => STANDARD_PRODUCT_LINES });
  const run = runnerFor(schema);
  const snapshot = snapshotOf(db);
  return { db, store, schema, run, snapshot };
}

export { expectError, expectOk, type Result } from '../../../common/test/harness.ts';

export const CENTRE_FIELDS = /* GraphQL */ `
  fragment C on ServiceCentre {
    id code name tier level levelName parentId parent { id code }
    region serviceAreas productLines dailyCapacity starRating
    contact { name phone email }
    status statusHistory { from to at actor reason evidence }
    grades { month grade score }
    createdBy createdAt updatedAt
  }
`;

export const Q = {
  centre: `query ($id: ID!) { serviceCentre(id: $id) { ...C } } ${CENTRE_FIELDS}`,
  byCode: `query ($code: String!) { serviceCentreByCode(code: $code) { id code } }`,
  list: `query ($filter: ServiceCentreFilter, $first: Int, $after: String) {
    serviceCentres(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id code tier status } } } }`,
  tree: `query ($rootId: ID!, $depth: Int) { networkTree(rootId: $rootId, depth: $depth) {
    truncated root { id code } nodes { depth parentId centre { id code level levelName tier } } } }`,
  create: `mutation ($input: CreateServiceCentreInput!, $key: String) { createServiceCentre(input: $input, idempotencyKey: $key) { ...C } } ${CENTRE_FIELDS}`,
  update: `mutation ($id: ID!, $input: UpdateServiceCentreInput!, $key: String) { updateServiceCentre(id: $id, input: $input, idempotencyKey: $key) { ...C } } ${CENTRE_FIELDS}`,
  change: `mutation ($id: ID!, $to: CentreStatus!, $reason: String, $evidence: String, $key: String) {
    changeCentreStatus(id: $id, to: $to, reason: $reason, evidence: $evidence, idempotencyKey: $key) { id status statusHistory { from to actor reason evidence } } }`,
  activate: `mutation ($id: ID!, $reason: String, $key: String) { activateServiceCentre(id: $id, reason: $reason, idempotencyKey: $key) { id status } }`,
  suspend: `mutation ($id: ID!, $reason: String!, $evidence: String, $key: String) { suspendServiceCentre(id: $id, reason: $reason, evidence: $evidence, idempotencyKey: $key) { id status } }`,
  reinstate: `mutation ($id: ID!, $reason: String!, $key: String) { reinstateServiceCentre(id: $id, reason: $reason, idempotencyKey: $key) { id status } }`,
  eliminate: `mutation ($id: ID!, $reason: String!, $evidence: String!, $key: String) { eliminateServiceCentre(id: $id, reason: $reason, evidence: $evidence, idempotencyKey: $key) { id status } }`,
};

let seq = 0;
/** A valid create input; `code` is unique per call unless given. */
export function centreInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    code: `T-${String(seq).padStart(4, '0')}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`,
    name: `Centre ${seq}`,
    tier: 'STANDARD',
    region: '310115',
    serviceAreas: ['310115'],
    productLines: ['AIR_CONDITIONER'],
    dailyCapacity: 20,
    starRating: 3,
    contact: { name: 'Li Wei', phone: '13800138000', email: 'li@example.com' },
    ...overrides,
  };
}
