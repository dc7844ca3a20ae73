import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { Q, engineerInput, expectError, expectOk, startHarness, type Harness } from './support.ts';

let h: Harness;

const register = async (overrides: Record<string, unknown> = {}, claims: Claims = as.operator()) =>
  expectOk(await h.run(claims, Q.register, { input: engineerInput(overrides) })).registerEngineer;
const event = (id: string, code: string, key: string, claims: Claims = as.operator()) =>
  h.run(claims, Q.event, { id, code, key });
const licenceOf = async (id: string) => expectOk(await h.run(as.operator(), Q.ledger, { id })).engineer.licence;
const exam = (engineerId: string, kind: string, passed = true, takenAt = new Date().toISOString()) =>
  h.run(as.operator(), Q.exam, { input: { engineerId, kind, passed, score: passed ? 88 : 40, takenAt } });

beforeAll(async () => {
  h = await startHarness('certification_mutations');
});
afterAll(async () => {
  await h.db.close();
});

async function refused(claims: Claims | null, source: string, variables: Record<string, unknown>, code: string) {
  const before = await h.snapshot();
  const error = expectError(await h.run(claims, source, variables), code);
  expect(await h.snapshot()).toBe(before);
  return error;
}

const ROLES_NOT_EDITORS = [
  ['CALL_CENTRE', as.callCentre(), 'FORBIDDEN'],
  ['FINANCE', as.finance(), 'FORBIDDEN'],
  ['PARTNER', as.partner('centre-1'), 'FORBIDDEN'],
  ['ENGINEER', as.engineer(), 'FORBIDDEN'],
  ['anonymous', null, 'UNAUTHENTICATED'],
] as const;

describe('registerEngineer', () => {
  it('registers a SERVICE_TECHNICIAN with a licence at 12 points NORMAL and the centre as a reference', async () => {
    const e = await register();
    expect(e).toMatchObject({
      level: 'SERVICE_TECHNICIAN',
      centreId: 'centre-1',
      centre: { id: 'centre-1' },
      createdBy: 'operator-1',
      exams: [],
      reviewFlags: [],
    });
    expect(e.licence).toMatchObject({
      generation: 1,
      maxPoints: 12,
      pointsRemaining: 12,
      status: 'NORMAL',
      ledger: [],
      revokedAt: null,
      archivedAt: null,
    });
    expect(new Date(e.licence.cycleEnd).getUTCFullYear() - new Date(e.licence.cycleStart).getUTCFullYear()).toBe(1);
    expect(e.certifications).toEqual([
      { productLine: 'AIR_CONDITIONER', issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2030-01-01T00:00:00.000Z' },
    ]);
  });

  it('lets a PARTNER register for its own centre only', async () => {
    const e = await register({ centreId: 'centre-7' }, as.partner('centre-7'));
    expect(e.createdBy).toBe('partner-centre-7');
    await refused(as.partner('centre-7'), Q.register, { input: engineerInput({ centreId: 'centre-8' }) }, 'FORBIDDEN');
  });

  it.each([
    ['number', { number: 'abc' }],
    ['name', { name: '   ' }],
    ['centreId', { centreId: '' }],
    ['centreId', { centreId: 'has spaces!' }],
    [
      'certifications[0].productLine',
      { certifications: [{ productLine: 'air', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' }] },
    ],
    [
      'certifications[0].expiresAt',
      { certifications: [{ productLine: 'AIR', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2025-01-01T00:00:00Z' }] },
    ],
  ])('refuses a malformed %s and writes nothing', async (field, overrides) => {
    const error = await refused(as.operator(), Q.register, { input: engineerInput(overrides) }, 'BAD_USER_INPUT');
    expect(error.extensions['field']).toBe(field);
  });

  it('refuses a centre the network does not know (NOT_FOUND) or has ELIMINATED, writing nothing', async () => {
    const unknown = await refused(
      as.operator(),
      Q.register,
      { input: engineerInput({ centreId: 'centre-404' }) },
      'NOT_FOUND',
    );
    expect(unknown.extensions['field']).toBe('centreId');
    const gone = await refused(
      as.operator(),
      Q.register,
      { input: engineerInput({ centreId: 'centre-gone' }) },
      'BAD_USER_INPUT',
    );
    expect(gone.message).toMatch(/ELIMINATED/);
  });

  it('refuses a certification for a product line the standard in force does not have', async () => {
    const certifications = [
      { productLine: 'AIR_CONDITIONER', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' },
      { productLine: 'SPACESHIP', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' },
    ];
    const error = await refused(
      as.operator(),
      Q.register,
      { input: engineerInput({ certifications }) },
      'BAD_USER_INPUT',
    );
    expect(error.extensions['field']).toBe('certifications[1].productLine');
    const e = await register();
    const certify = await refused(
      as.operator(),
      Q.certify,
      {
        id: e.id,
        c: { productLine: 'SPACESHIP', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' },
      },
      'BAD_USER_INPUT',
    );
    expect(certify.extensions['field']).toBe('certification.productLine');
  });

  it('refuses a duplicate number with CONFLICT', async () => {
    const e = await register();
    await refused(as.operator(), Q.register, { input: engineerInput({ number: e.number }) }, 'CONFLICT');
  });

  it.each([
    ['CALL_CENTRE', as.callCentre(), 'FORBIDDEN'],
    ['FINANCE', as.finance(), 'FORBIDDEN'],
    ['ENGINEER', as.engineer(), 'FORBIDDEN'],
    ['anonymous', null, 'UNAUTHENTICATED'],
  ] as const)('refuses %s', async (_r, claims, code) => {
    await refused(claims, Q.register, { input: engineerInput() }, code);
  });

  it('replays an idempotency key: one engineer', async () => {
    const input = engineerInput();
    const first = expectOk(await h.run(as.operator(), Q.register, { input, key: 'register-0001' })).registerEngineer;
    const again = expectOk(await h.run(as.operator(), Q.register, { input, key: 'register-0001' })).registerEngineer;
    expect(again.id).toBe(first.id);
    expect(
      (await h.store.pageEngineers({ centreId: 'centre-1' }, null, 100)).records.filter(
        (e) => e.number === input.number,
      ),
    ).toHaveLength(1);
  });
});

describe('recordLicenceEvent', () => {
  it('repairs a crash between filing an entry and counting it: a replay counts it once', async () => {
    const e = await register();
    const licence = (await h.store.activeLicence(e.id))!;
    // As if the process died right after the ledger insert, before the cycle learned of it.
    await h.store.appendEntry({
      licenceId: licence.id,
      engineerId: e.id,
      cycleIndex: 0,
      code: 'OVERCHARGE',
      kind: 'VIOLATION',
      points: -6,
      evidenceKey: 'ticket:CRASH-1',
      recordedBy: 'operator-1',
      recordedAt: new Date(),
      note: null,
      standardVersionId: 'default',
    });
    // Neither counted nor listed: the ledger shows what the points are folded from.
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 12, ledger: [] });
    expectOk(await event(e.id, 'OVERCHARGE', 'ticket:CRASH-1'));
    expectOk(await event(e.id, 'OVERCHARGE', 'ticket:CRASH-1'));
    expect(await licenceOf(e.id)).toMatchObject({
      pointsRemaining: 6,
      status: 'WARNING',
      ledger: [{ code: 'OVERCHARGE', evidenceKey: 'ticket:CRASH-1' }],
    });
  });

  it('lists a centre’s engineers from its roster, in number order, page by page', async () => {
    const numbers = ['E-0900003', 'E-0900001', 'E-0900002'];
    for (const number of numbers) await register({ number, centreId: 'centre-2' });
    const first = expectOk(
      await h.run(as.operator(), Q.list, { filter: { centreId: 'centre-2' }, first: 2 }),
    ).engineers;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((x: any) => x.node.number)).toEqual(['E-0900001', 'E-0900002']);
    const rest = expectOk(
      await h.run(as.operator(), Q.list, {
        filter: { centreId: 'centre-2' },
        first: 2,
        after: first.pageInfo.endCursor,
      }),
    ).engineers;
    expect(rest.edges.map((x: any) => x.node.number)).toEqual(['E-0900003']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('gives each engineer of a centre page its own licence (the page reads them in one batch)', async () => {
    const [a, b, c] = [
      await register({ centreId: 'centre-7' }),
      await register({ centreId: 'centre-7' }),
      await register({ centreId: 'centre-7' }),
    ];
    expectOk(await event(b.id, 'PROMISE_BROKEN', 'ticket:page-1'));
    for (const [i, code] of ['OVERCHARGE', 'REPEAT_REPAIR', 'MAJOR_COMPLAINT'].entries())
      expectOk(await event(c.id, code, `ticket:page-c${i}`));
    const page = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ServiceCentre {
      engineers(first: 10) { edges { node { id licence { id pointsRemaining status } } } } } } }`;
    const edges = expectOk(
      await h.run(as.operator(), page, { reps: [{ __typename: 'ServiceCentre', id: 'centre-7' }] }),
    )._entities[0].engineers.edges;
    const byId = new Map(edges.map((x: any) => [x.node.id, x.node.licence]));
    expect(byId.get(a.id)).toMatchObject({ id: `${a.id}:1`, pointsRemaining: 12, status: 'NORMAL' });
    expect(byId.get(b.id)).toMatchObject({ id: `${b.id}:1`, pointsRemaining: 9, status: 'NORMAL' });
    expect(byId.get(c.id)).toMatchObject({ id: `${c.id}:1`, pointsRemaining: 0, status: 'REVOKED' });
    for (const e of [a, b, c]) {
      const { pointsRemaining, status } = await licenceOf(e.id);
      expect(byId.get(e.id)).toMatchObject({ pointsRemaining, status });
    }
  });

  it('deducts by the catalogue: PROMISE_BROKEN −3, OVERCHARGE −6 → WARNING at 3; REVOKED at 0', async () => {
    const e = await register();
    const entry = expectOk(await event(e.id, 'PROMISE_BROKEN', 'ticket:T-1')).recordLicenceEvent;
    expect(entry).toMatchObject({
      code: 'PROMISE_BROKEN',
      kind: 'VIOLATION',
      points: -3,
      evidenceKey: 'ticket:T-1',
      recordedBy: 'operator-1',
    });
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 9, status: 'NORMAL' });
    expectOk(await event(e.id, 'OVERCHARGE', 'ticket:T-2'));
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 3, status: 'WARNING' });
    const last = expectOk(await event(e.id, 'MAJOR_COMPLAINT', 'complaint:C-1')).recordLicenceEvent;
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 0, status: 'REVOKED' });
    expectOk(await event(e.id, 'SMALL_IMPROVEMENT', 'audit:1'));
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 0, status: 'REVOKED' });
    const full = expectOk(await h.run(as.operator(), Q.engineer, { id: e.id })).engineer.licence;
    // Revoked when the entry that reached 0 was recorded; the credit after it changes nothing.
    expect(full.revokedAt).toBe(last.recordedAt);
  });

  it('credits are capped at 12 and make the licence EXEMPLARY', async () => {
    const e = await register();
    expectOk(await event(e.id, 'CUSTOMER_DELIGHT', 'ticket:D-1'));
    expectOk(await event(e.id, 'SMALL_IMPROVEMENT', 'ticket:D-2'));
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 12, status: 'EXEMPLARY' });
  });

  it('a replayed evidence key returns the first entry and deducts once', async () => {
    const e = await register();
    const first = expectOk(await event(e.id, 'PROMISE_BROKEN', 'ticket:R-1')).recordLicenceEvent;
    const before = await h.snapshot();
    const again = expectOk(await event(e.id, 'PROMISE_BROKEN', 'ticket:R-1')).recordLicenceEvent;
    expect(again).toEqual(first);
    // Even a different code with the same evidence returns the first entry.
    expect(expectOk(await event(e.id, 'OVERCHARGE', 'ticket:R-1')).recordLicenceEvent).toEqual(first);
    expect(await h.snapshot()).toBe(before);
    const licence = await licenceOf(e.id);
    expect(licence.ledger).toHaveLength(1);
    expect(licence.pointsRemaining).toBe(9);
  });

  it('refuses an unknown code, malformed evidence and an over-long note, writing nothing', async () => {
    const e = await register();
    expect(
      (await refused(as.operator(), Q.event, { id: e.id, code: 'STOLE_A_BIKE', key: 'ticket:X-1' }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('code');
    expect(
      (await refused(as.operator(), Q.event, { id: e.id, code: 'late', key: 'ticket:X-1' }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('code');
    expect(
      (await refused(as.operator(), Q.event, { id: e.id, code: 'LATE_ARRIVAL', key: 'x' }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('evidenceKey');
    expect(
      (
        await refused(
          as.operator(),
          Q.event,
          { id: e.id, code: 'LATE_ARRIVAL', key: 'ticket:X-1', note: 'n'.repeat(501) },
          'BAD_USER_INPUT',
        )
      ).extensions['field'],
    ).toBe('note');
    await refused(as.operator(), Q.event, { id: 'missing', code: 'LATE_ARRIVAL', key: 'ticket:X-1' }, 'NOT_FOUND');
  });

  it('takes no points from the caller (the schema has no such argument)', async () => {
    const e = await register();
    const result = await h.run(
      as.operator(),
      `mutation { recordLicenceEvent(engineerId: "${e.id}", code: "LATE_ARRIVAL", evidenceKey: ` +
        `"ticket:P-1", points: -12) { id } }`,
    );
    expect(result.errors).toHaveLength(1);
    expect((await licenceOf(e.id)).ledger).toHaveLength(0);
  });

  it.each(ROLES_NOT_EDITORS)('refuses %s', async (_r, claims, code) => {
    const e = await register();
    await refused(claims, Q.event, { id: e.id, code: 'LATE_ARRIVAL', key: 'ticket:U-1' }, code);
  });

  it('10 concurrent different evidence keys → exactly 10 entries and the right points', async () => {
    const e = await register();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => event(e.id, 'LATE_ARRIVAL', `ticket:C-${i}`)),
    );
    results.forEach(expectOk);
    const licence = await licenceOf(e.id);
    expect(await h.store.countEntries(`${e.id}:1`)).toBe(10);
    expect(licence.ledger).toHaveLength(10);
    expect(licence).toMatchObject({ pointsRemaining: 2, status: 'WARNING' });
    const cached = await h.store.findLicence(`${e.id}:1`);
    expect(cached?.summary).toMatchObject({ pointsRemaining: 2, status: 'WARNING' });
  });

  it('10 concurrent calls with the same evidence key → 1 entry, one deduction', async () => {
    const e = await register();
    const results = await Promise.all(Array.from({ length: 10 }, () => event(e.id, 'PROMISE_BROKEN', 'ticket:SAME-1')));
    const ids = new Set(results.map((r) => expectOk(r).recordLicenceEvent.id));
    expect(ids.size).toBe(1);
    expect(await h.store.countEntries(`${e.id}:1`)).toBe(1);
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 9 });
  });
});

describe('certifyEngineer', () => {
  it('adds or replaces one product line', async () => {
    const e = await register();
    const c = { productLine: 'AIR_CONDITIONER', issuedAt: '2026-02-01T00:00:00Z', expiresAt: '2028-02-01T00:00:00Z' };
    const out = expectOk(await h.run(as.operator(), Q.certify, { id: e.id, c })).certifyEngineer;
    expect(out.certifications).toEqual([
      { productLine: 'AIR_CONDITIONER', issuedAt: '2026-02-01T00:00:00.000Z', expiresAt: '2028-02-01T00:00:00.000Z' },
    ]);
    await refused(
      as.operator(),
      Q.certify,
      { id: e.id, c: { ...c, expiresAt: '2020-01-01T00:00:00Z' } },
      'BAD_USER_INPUT',
    );
    await refused(as.partner('centre-1'), Q.certify, { id: e.id, c }, 'FORBIDDEN');
    await refused(as.operator(), Q.certify, { id: 'missing', c }, 'NOT_FOUND');
  });
});

describe('recordExamResult', () => {
  it('records an exam; refuses out-of-range scores, future dates, unknown engineers and non-editors', async () => {
    const e = await register();
    const r = expectOk(await exam(e.id, 'JUNIOR')).recordExamResult;
    expect(r).toMatchObject({ kind: 'JUNIOR', passed: true, score: 88, recordedBy: 'operator-1' });
    const input = { engineerId: e.id, kind: 'JUNIOR', passed: true, score: 88, takenAt: '2026-01-01T00:00:00Z' };
    expect(
      (await refused(as.operator(), Q.exam, { input: { ...input, score: 101 } }, 'BAD_USER_INPUT')).extensions['field'],
    ).toBe('score');
    expect(
      (await refused(as.operator(), Q.exam, { input: { ...input, score: -1 } }, 'BAD_USER_INPUT')).extensions['field'],
    ).toBe('score');
    expect(
      (await refused(as.operator(), Q.exam, { input: { ...input, takenAt: '2999-01-01T00:00:00Z' } }, 'BAD_USER_INPUT'))
        .extensions['field'],
    ).toBe('takenAt');
    await refused(as.operator(), Q.exam, { input: { ...input, engineerId: 'missing' } }, 'NOT_FOUND');
    for (const [, claims, code] of ROLES_NOT_EDITORS) await refused(claims, Q.exam, { input }, code);
  });
});

describe('promoteEngineer', () => {
  it('promotes with a passed exam and an EXEMPLARY licence; refuses otherwise with the reason', async () => {
    const e = await register();
    let err = await refused(as.operator(), Q.promote, { id: e.id, to: 'SERVICE_ENGINEER' }, 'INVALID_TRANSITION');
    expect(err.message).toMatch(/JUNIOR/);
    expect(err.extensions['currentState']).toBe('SERVICE_TECHNICIAN');
    expectOk(await exam(e.id, 'JUNIOR'));
    err = await refused(as.operator(), Q.promote, { id: e.id, to: 'SERVICE_ENGINEER' }, 'INVALID_TRANSITION');
    expect(err.message).toMatch(/EXEMPLARY/);
    expectOk(await event(e.id, 'CUSTOMER_DELIGHT', 'ticket:PR-1'));
    err = await refused(as.operator(), Q.promote, { id: e.id, to: 'GOLD_ENGINEER' }, 'BAD_USER_INPUT');
    expect(err.message).toMatch(/only be promoted to SERVICE_ENGINEER/);
    for (const [, claims, code] of ROLES_NOT_EDITORS)
      await refused(claims, Q.promote, { id: e.id, to: 'SERVICE_ENGINEER' }, code);
    expect(
      expectOk(await h.run(as.operator(), Q.promote, { id: e.id, to: 'SERVICE_ENGINEER' })).promoteEngineer.level,
    ).toBe('SERVICE_ENGINEER');
    await refused(as.operator(), Q.promote, { id: 'missing', to: 'SERVICE_ENGINEER' }, 'NOT_FOUND');
  });

  it('refuses a licence with a deduction this cycle even when credits restored the points', async () => {
    const e = await register();
    expectOk(await exam(e.id, 'JUNIOR'));
    expectOk(await event(e.id, 'LATE_ARRIVAL', 'ticket:PR-2'));
    expectOk(await event(e.id, 'SMALL_IMPROVEMENT', 'ticket:PR-3'));
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 12, status: 'NORMAL' });
    await refused(as.operator(), Q.promote, { id: e.id, to: 'SERVICE_ENGINEER' }, 'INVALID_TRANSITION');
  });
});

describe('reinstateLicence', () => {
  it('only a REVOKED licence, after a passed RETRAINING exam recorded after the revocation → new licence at 12', async () => {
    const e = await register();
    let err = await refused(as.operator(), Q.reinstate, { id: e.id }, 'INVALID_TRANSITION');
    expect(err.message).toMatch(/only a REVOKED licence/);
    expect(err.extensions['currentState']).toBe('NORMAL');
    expectOk(await exam(e.id, 'RETRAINING', true, new Date(Date.now() - 60_000).toISOString()));
    expectOk(await event(e.id, 'OVERCHARGE', 'ticket:RV-1'));
    expectOk(await event(e.id, 'MAJOR_COMPLAINT', 'ticket:RV-2'));
    expect((await licenceOf(e.id)).status).toBe('REVOKED');
    err = await refused(as.operator(), Q.reinstate, { id: e.id }, 'INVALID_TRANSITION');
    expect(err.message).toMatch(/RETRAINING exam taken after the revocation/);
    expect(err.extensions['currentState']).toBe('REVOKED');
    expectOk(await exam(e.id, 'RETRAINING', false));
    await refused(as.operator(), Q.reinstate, { id: e.id }, 'INVALID_TRANSITION');
    await new Promise((r) => setTimeout(r, 5));
    expectOk(await exam(e.id, 'RETRAINING', true));
    for (const [, claims, code] of ROLES_NOT_EDITORS) await refused(claims, Q.reinstate, { id: e.id }, code);
    const licence = expectOk(await h.run(as.operator(), Q.reinstate, { id: e.id })).reinstateLicence;
    expect(licence).toMatchObject({ generation: 2, pointsRemaining: 12, status: 'NORMAL', ledger: [] });
    const after = expectOk(await h.run(as.operator(), Q.engineer, { id: e.id })).engineer;
    expect(after.licence.generation).toBe(2);
    expect(after.licenceHistory.map((l: any) => [l.generation, l.status, l.archivedAt !== null])).toEqual([
      [2, 'NORMAL', false],
      [1, 'REVOKED', true],
    ]);
    await refused(as.operator(), Q.reinstate, { id: e.id }, 'INVALID_TRANSITION');
    // A late retry of evidence already counted on the old licence does not hit the new one.
    const before = await h.snapshot();
    expect(expectOk(await event(e.id, 'OVERCHARGE', 'ticket:RV-1')).recordLicenceEvent.evidenceKey).toBe('ticket:RV-1');
    expect(await h.snapshot()).toBe(before);
    expect(await licenceOf(e.id)).toMatchObject({ pointsRemaining: 12, ledger: [] });
  });

  it('concurrent reinstatements issue one new licence', async () => {
    const e = await register();
    expectOk(await event(e.id, 'OVERCHARGE', 'ticket:RC-1'));
    expectOk(await event(e.id, 'OVERCHARGE', 'ticket:RC-2'));
    await new Promise((r) => setTimeout(r, 5));
    expectOk(await exam(e.id, 'RETRAINING', true));
    const results = await Promise.all(Array.from({ length: 5 }, () => h.run(as.operator(), Q.reinstate, { id: e.id })));
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    expect((await h.store.licencesOf(e.id)).map((l) => l.generation)).toEqual([2, 1]);
  });
});

describe('concurrency of the other mutations', () => {
  it('5 concurrent registrations with one number → one engineer, the rest CONFLICT', async () => {
    const input = engineerInput();
    const results = await Promise.all(Array.from({ length: 5 }, () => h.run(as.operator(), Q.register, { input })));
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    expect(results.flatMap((r) => r.errors.map((e) => e.code))).toEqual([
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
    ]);
    expect(
      (await h.store.licencesOf(expectOk(results.find((r) => r.errors.length === 0)!).registerEngineer.id)).length,
    ).toBe(1);
  });

  it('5 concurrent promotions → one step up, the rest refused', async () => {
    const e = await register();
    expectOk(await exam(e.id, 'JUNIOR'));
    expectOk(await event(e.id, 'CUSTOMER_DELIGHT', 'ticket:CP-1'));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.run(as.operator(), Q.promote, { id: e.id, to: 'SERVICE_ENGINEER' })),
    );
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    expect(new Set(results.flatMap((r) => r.errors.map((x) => x.code)))).toEqual(new Set(['BAD_USER_INPUT']));
    expect((await h.store.findEngineer(e.id))?.level).toBe('SERVICE_ENGINEER');
  });
});
