import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { HOUR, Q, expectError, expectOk, inMs, startHarness, type Harness } from './support.ts';

/**
 * Every reference a mutation names is authorised, not only the record it changes (docs/domain.md §1).
 * Standard versions belong to HQ, not to a centre: a PARTNER (of any centre) naming one is
 * FORBIDDEN; HQ naming one that does not exist is NOT_FOUND. Nothing is written either way.
 */
let h: Harness;
let draftId: string;
let scheduledId: string;
const MISSING = 'version-404';

beforeAll(async () => {
  h = await startHarness('standards_references');
  draftId = expectOk(await h.run(as.operator(), Q.create, { input: { content: { name: 'hq draft' } } }))
    .createStandardDraft.id;
  scheduledId = expectOk(await h.run(as.operator(), Q.create, { input: {} })).createStandardDraft.id;
  expectOk(await h.run(as.admin(), Q.publish, { id: scheduledId, effectiveFrom: inMs(HOUR) }));
});
afterAll(async () => {
  await h.db.close();
});

/** The request fails with exactly `code`, returns no data, and the database and the scheduler are unchanged. */
async function refused(claims: Claims, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const calls = JSON.stringify([h.scheduler.scheduled, h.scheduler.cancelled]);
  const result = await h.run(claims, source, variables);
  const error = expectError(result, code);
  expect(result.data).toBeNull();
  expect(await h.snapshot()).toBe(before);
  expect(JSON.stringify([h.scheduler.scheduled, h.scheduler.cancelled])).toBe(calls);
  return error;
}

interface Row {
  name: string;
  source: string;
  /** Who at HQ may call it. */
  hq: Claims;
  forbiddenMessage: string;
  /** Variables naming an existing version the partner may not touch. */
  existing: () => Record<string, unknown>;
  missing: Record<string, unknown>;
}

const EDITORS = 'requires one of the roles OPERATOR, ADMIN';
const PUBLISHERS = 'requires one of the roles ADMIN';

const ROWS: Row[] = [
  {
    name: 'createStandardDraft input.basedOn',
    source: Q.create,
    hq: as.operator(),
    forbiddenMessage: EDITORS,
    existing: () => ({ input: { basedOn: draftId } }),
    missing: { input: { basedOn: MISSING } },
  },
  {
    name: 'updateStandardDraft id',
    source: Q.update,
    hq: as.operator(),
    forbiddenMessage: EDITORS,
    existing: () => ({ id: draftId, content: { name: 'x' } }),
    missing: { id: MISSING, content: { name: 'x' } },
  },
  {
    name: 'discardStandardDraft id',
    source: Q.discard,
    hq: as.operator(),
    forbiddenMessage: EDITORS,
    existing: () => ({ id: draftId }),
    missing: { id: MISSING },
  },
  {
    name: 'publishStandardVersion id',
    source: Q.publish,
    hq: as.admin(),
    forbiddenMessage: PUBLISHERS,
    existing: () => ({ id: draftId }),
    missing: { id: MISSING },
  },
  {
    name: 'cancelScheduledPublication id',
    source: Q.cancel,
    hq: as.admin(),
    forbiddenMessage: PUBLISHERS,
    existing: () => ({ id: scheduledId }),
    missing: { id: MISSING },
  },
];

describe('every (mutation, standard version reference)', () => {
  it.each(ROWS)('$name: a PARTNER naming an HQ version is FORBIDDEN and writes nothing', async (row) => {
    for (const partner of [as.partner('centre-A'), as.partner('centre-B')]) {
      expect((await refused(partner, row.source, row.existing(), 'FORBIDDEN')).message).toBe(row.forbiddenMessage);
    }
  });

  it.each(ROWS)('$name: HQ naming a version that does not exist is NOT_FOUND and writes nothing', async (row) => {
    expect((await refused(row.hq, row.source, row.missing, 'NOT_FOUND')).message).toBe(
      'standard version version-404 does not exist',
    );
  });
});

describe('a replayed idempotency key from another caller scope', () => {
  // One subject, two role sets: each is its own scope, so the second never gets the first's result.
  const admin: Claims = { sub: 'hq-1', roles: ['ADMIN'] };
  const adminOperator: Claims = { sub: 'hq-1', roles: ['ADMIN', 'OPERATOR'] };

  it('publishStandardVersion: runs again for the other scope (INVALID_TRANSITION), writing and scheduling nothing', async () => {
    const d = expectOk(await h.run(admin, Q.create, { input: {} })).createStandardDraft;
    const vars = { id: d.id, effectiveFrom: inMs(5 * HOUR), key: 'replay-publish-01' };
    const first = expectOk(await h.run(admin, Q.publish, vars)).publishStandardVersion;
    expect(first.status).toBe('SCHEDULED');
    expect(expectOk(await h.run(admin, Q.publish, vars)).publishStandardVersion).toEqual(first);
    const error = await refused(adminOperator, Q.publish, vars, 'INVALID_TRANSITION');
    expect(error.extensions['currentState']).toBe('SCHEDULED');
    // An OPERATOR under the same subject may not publish at all.
    expect((await refused({ sub: 'hq-1', roles: ['OPERATOR'] }, Q.publish, vars, 'FORBIDDEN')).message).toBe(
      PUBLISHERS,
    );
  });

  it('createStandardDraft: the other scope gets a draft of its own, not the first', async () => {
    const input = { basedOn: draftId, idempotencyKey: 'replay-create-01' };
    const first = expectOk(await h.run(admin, Q.create, { input })).createStandardDraft;
    const second = expectOk(await h.run(adminOperator, Q.create, { input })).createStandardDraft;
    expect(second.id).not.toBe(first.id);
    expect(second.number).toBe(first.number + 1);
    expect(expectOk(await h.run(adminOperator, Q.create, { input })).createStandardDraft.id).toBe(second.id);
  });
});
