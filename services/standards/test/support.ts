import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { runnerFor, snapshotOf, testDatabase, type Runner } from '../../../common/test/harness.ts';
import type { PublicationScheduler } from '../src/publication.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';
import { buildStandardsSchema } from '../src/schema.ts';
import { DEFAULT_STANDARD_ID, createStandardStore, type StandardStore } from '../src/store/standards.ts';

/** The one stand-in the tests use: records what would have gone to Temporal, and can refuse. */
export class RecordingScheduler implements PublicationScheduler {
  scheduled: { versionId: string; effectiveFrom: string; requestedBy: string }[] = [];
  cancelled: string[] = [];
  failSchedule = false;
  failCancel = false;

  async schedulePublication(versionId: string, effectiveFrom: Date, requestedBy: string): Promise<void> {
    if (this.failSchedule) throw new Error('temporal unavailable');
    this.scheduled.push({ versionId, effectiveFrom: effectiveFrom.toISOString(), requestedBy });
  }

  async cancelPublication(versionId: string): Promise<void> {
    if (this.failCancel) throw new Error('temporal unavailable');
    this.cancelled.push(versionId);
  }
}

export interface Harness {
  db: Connection;
  store: StandardStore;
  schema: GraphQLSchema;
  scheduler: RecordingScheduler;
  run: Runner;
  snapshot: () => Promise<string>;
}

export async function startHarness(prefix: string): Promise<Harness> {
  const db = await testDatabase(prefix);
  const store = createStandardStore(db);
  await store.syncIndexes();
  await store.ensureDefaultStandard();
  const scheduler = new RecordingScheduler();
  const schema = buildStandardsSchema({ store, publication: scheduler, now: () => new Date() });
  const run = runnerFor(schema);
  const snapshot = snapshotOf(db);
  return { db, store, schema, scheduler, run, snapshot };
}

/**
 * Rewrites the stored default standard as it was first stored, before missedAppointmentMinutes,
 * warrantyMonths, priceList, licencePolicy.usualDailyJobs, evaluation and settlement existed, and gives a harness whose
 * store has not read it yet.
 */
export async function withDefaultStoredAsSeeded(h: Harness): Promise<Harness> {
  const result = await h.db.db!.collection('standard_versions').updateOne(
    { _id: DEFAULT_STANDARD_ID as never },
    {
      $unset: {
        'content.priceList': '',
        'content.slaClocks.missedAppointmentMinutes': '',
        'content.licencePolicy.usualDailyJobs': '',
        'content.evaluation': '',
        'content.settlement': '',
      },
      $set: { 'content.productLines': defaultStandardContent().productLines.map(({ code, name }) => ({ code, name })) },
    },
  );
  if (result.modifiedCount !== 1) throw new Error('the default standard was not rewritten');
  // A new store: the harness's own keeps the default as it first read it.
  const store = createStandardStore(h.db);
  const schema = buildStandardsSchema({ store, publication: h.scheduler, now: () => new Date() });
  return { ...h, store, schema, run: runnerFor(schema) };
}

export { expectError, expectOk, type Result } from '../../../common/test/harness.ts';

export const VERSION_FIELDS = /* GraphQL */ `
  fragment V on StandardVersion {
    id
    number
    name
    description
    status
    effectiveFrom
    createdBy
    createdAt
    updatedAt
    publishedBy
    publishedAt
    basedOn {
      id
      number
    }
    slaClocks {
      acceptMinutes
      maxDispatchAttempts
      firstContactMinutes
      missedAppointmentMinutes
      completionReportMinutes
      callbackHours
      callbackMaxAttempts
      repeatRepairDays
      complaintResponseHours {
        level1
        level2
        level3
      }
    }
    pointRules {
      code
      kind
      points
      label
    }
    kpis {
      code
      name
      formula
      direction
      target
      floor
      weight
    }
    incentivePoints {
      qualityInfoAdopted
      serviceInnovation
      majorComplaint
    }
    grading {
      aMinScore
      bMinScore
      minCompletions
    }
    consequences {
      suspendAtCGrades
      eliminateAtCGrades
      awardTopN
      penaltyBottomN
      awardFen
      penaltyFen
    }
    evaluation {
      reviewWindowDays
      promotionRunMonths
    }
    settlementCoefficients {
      A
      B
      C
      ungraded
    }
    settlement {
      maxAdjustmentFen
      approvalDueDay
    }
    productLines {
      code
      name
      warrantyMonths
    }
    labourFees {
      productLine
      serviceType
      areaClass
      feeFen
    }
    priceList {
      code
      productLine
      kind
      description
      priceFen
    }
    licencePolicy {
      maxPoints
      warningAtOrBelow
      cycleMonths
      warningDailyCapPercent
      usualDailyJobs
    }
    procedure {
      order
      code
      name
      nameZh
      requiredInCompletion
    }
    conductCode {
      dos
      donts
    }
    history {
      at
      actor
      action
      detail
    }
  }
`;

export const CONTENT_KEYS = [
  'name',
  'description',
  'slaClocks',
  'pointRules',
  'kpis',
  'incentivePoints',
  'grading',
  'consequences',
  'evaluation',
  'settlementCoefficients',
  'settlement',
  'productLines',
  'labourFees',
  'priceList',
  'licencePolicy',
  'procedure',
  'conductCode',
] as const;

export const contentOf = (version: Record<string, unknown>) =>
  Object.fromEntries(CONTENT_KEYS.map((k) => [k, version[k]]));

export const Q = {
  version: `query ($id: ID!) { standardVersion(id: $id) { ...V } } ${VERSION_FIELDS}`,
  inForce: `query ($at: DateTime) { standardInForce(at: $at) { id number status effectiveFrom } }`,
  list: `query ($status: StandardStatus, $first: Int, $after: String) {
    standardVersions(status: $status, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id number status } } } }`,
  create:
    `mutation ($input: CreateStandardDraftInput!) { createStandardDraft(input: $input) { ...V } } ` +
    `${VERSION_FIELDS}`,
  update:
    `mutation ($id: ID!, $content: StandardContentInput!) { updateStandardDraft(id: $id, content: $content) { ` +
    `...V } } ${VERSION_FIELDS}`,
  discard: `mutation ($id: ID!) { discardStandardDraft(id: $id) }`,
  publish: `mutation ($id: ID!, $effectiveFrom: DateTime, $key: String) {
    publishStandardVersion(id: $id, effectiveFrom: $effectiveFrom, idempotencyKey: $key) { ...V } } ${VERSION_FIELDS}`,
  cancel: `mutation ($id: ID!) { cancelScheduledPublication(id: $id) { ...V } } ${VERSION_FIELDS}`,
};

export const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
export const HOUR = 3600_000;
