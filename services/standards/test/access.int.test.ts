import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { DEFAULT_STANDARD_ID } from '../src/store/standards.ts';
import { HOUR, Q, expectError, expectOk, inMs, startHarness, type Harness } from './support.ts';

let h: Harness;
let draftId: string;
let childOfDraftId: string;
let scheduledId: string;

beforeAll(async () => {
  h = await startHarness('standards_access');
  draftId = expectOk(await h.run(as.operator(), Q.create, { input: { content: { name: 'hq draft' } } }))
    .createStandardDraft.id;
  const scheduled = expectOk(await h.run(as.operator(), Q.create, { input: { basedOn: draftId } })).createStandardDraft;
  childOfDraftId = scheduled.id;
  expectOk(await h.run(as.admin(), Q.publish, { id: scheduled.id, effectiveFrom: inMs(HOUR) }));
  scheduledId = scheduled.id;
});
afterAll(async () => {
  await h.db.close();
});

const HQ: [string, Claims][] = [
  ['ADMIN', as.admin()],
  ['OPERATOR', as.operator()],
];
const NETWORK: [string, Claims][] = [
  ['CALL_CENTRE', as.callCentre()],
  ['FINANCE', as.finance()],
  ['PARTNER', as.partner()],
  ['ENGINEER', as.engineer()],
];
const EVERYONE = [...HQ, ...NETWORK];

const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on StandardVersion { id status } } }`;

describe('reading', () => {
  it.each(EVERYONE)('%s reads published and scheduled versions and the one in force', async (_role, claims) => {
    expect(expectOk(await h.run(claims, Q.version, { id: DEFAULT_STANDARD_ID })).standardVersion.status).toBe(
      'PUBLISHED',
    );
    expect(expectOk(await h.run(claims, Q.version, { id: scheduledId })).standardVersion.status).toBe('SCHEDULED');
    expect(expectOk(await h.run(claims, Q.inForce)).standardInForce.id).toBe(DEFAULT_STANDARD_ID);
    const entities = expectOk(
      await h.run(claims, ENTITIES, { r: [{ __typename: 'StandardVersion', id: scheduledId }] }),
    )._entities;
    expect(entities).toEqual([{ id: scheduledId, status: 'SCHEDULED' }]);
  });

  it.each(HQ)('%s sees drafts everywhere', async (_role, claims) => {
    expect(expectOk(await h.run(claims, Q.version, { id: draftId })).standardVersion.name).toBe('hq draft');
    const list = expectOk(await h.run(claims, Q.list, {})).standardVersions;
    expect(list.totalCount).toBe(3);
    expect(expectOk(await h.run(claims, Q.list, { status: 'DRAFT' })).standardVersions.totalCount).toBe(1);
    const child = expectOk(await h.run(claims, Q.version, { id: childOfDraftId })).standardVersion;
    expect(child.basedOn).toEqual({ id: draftId, number: 2 });
    const entities = expectOk(
      await h.run(claims, ENTITIES, { r: [{ __typename: 'StandardVersion', id: draftId }] }),
    )._entities;
    expect(entities).toEqual([{ id: draftId, status: 'DRAFT' }]);
  });

  it.each(NETWORK)('%s does not see drafts at all', async (_role, claims) => {
    expect(expectOk(await h.run(claims, Q.version, { id: draftId })).standardVersion).toBeNull();
    const list = expectOk(await h.run(claims, Q.list, {})).standardVersions;
    expect(list.totalCount).toBe(2);
    expect(list.edges.map((e: { node: { status: string } }) => e.node.status).sort()).toEqual([
      'PUBLISHED',
      'SCHEDULED',
    ]);
    expect(expectOk(await h.run(claims, Q.list, { status: 'DRAFT' })).standardVersions).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [],
    });
    const child = expectOk(await h.run(claims, Q.version, { id: childOfDraftId })).standardVersion;
    expect(child.basedOn).toBeNull();
    const entities = expectOk(
      await h.run(claims, ENTITIES, { r: [{ __typename: 'StandardVersion', id: draftId }] }),
    )._entities;
    expect(entities).toEqual([null]);
  });

  it('refuses anonymous callers', async () => {
    for (const [source, variables] of [
      [Q.version, { id: DEFAULT_STANDARD_ID }],
      [Q.inForce, {}],
      [Q.list, {}],
      [ENTITIES, { r: [{ __typename: 'StandardVersion', id: DEFAULT_STANDARD_ID }] }],
    ] as const) {
      expectError(await h.run(null, source, variables), 'UNAUTHENTICATED');
    }
  });
});

describe('writing', () => {
  const attempts = (): [string, string, Record<string, unknown>][] => [
    ['createStandardDraft', Q.create, { input: { content: { name: 'x' } } }],
    ['updateStandardDraft', Q.update, { id: draftId, content: { name: 'x' } }],
    ['discardStandardDraft', Q.discard, { id: draftId }],
    ['publishStandardVersion', Q.publish, { id: draftId }],
    ['cancelScheduledPublication', Q.cancel, { id: scheduledId }],
  ];

  it.each([...NETWORK, ['anonymous', null] as [string, Claims | null]])(
    '%s can change nothing',
    async (role, claims) => {
      for (const [, source, variables] of attempts()) {
        const before = await h.snapshot();
        expectError(await h.run(claims, source, variables), role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        expect(await h.snapshot()).toBe(before);
      }
    },
  );

  it('an OPERATOR edits drafts but may not publish or cancel', async () => {
    const mine = expectOk(await h.run(as.operator(), Q.create, { input: {} })).createStandardDraft;
    expectOk(await h.run(as.operator(), Q.update, { id: mine.id, content: { name: 'operator edit' } }));
    const before = await h.snapshot();
    expectError(await h.run(as.operator(), Q.publish, { id: mine.id }), 'FORBIDDEN');
    expectError(await h.run(as.operator(), Q.cancel, { id: scheduledId }), 'FORBIDDEN');
    expect(await h.snapshot()).toBe(before);
    expect(expectOk(await h.run(as.operator(), Q.discard, { id: mine.id })).discardStandardDraft).toBe(mine.id);
  });

  it('an ADMIN does everything', async () => {
    const mine = expectOk(await h.run(as.admin(), Q.create, { input: {} })).createStandardDraft;
    expectOk(await h.run(as.admin(), Q.update, { id: mine.id, content: { name: 'admin edit' } }));
    expectOk(await h.run(as.admin(), Q.publish, { id: mine.id, effectiveFrom: inMs(2 * HOUR) }));
    expect(expectOk(await h.run(as.admin(), Q.cancel, { id: mine.id })).cancelScheduledPublication.status).toBe(
      'DRAFT',
    );
    expectOk(await h.run(as.admin(), Q.discard, { id: mine.id }));
  });
});
