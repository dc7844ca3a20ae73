import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@starline/common';
import {
  ACTOR,
  POLICY,
  T0,
  apply,
  cmd,
  drive,
  failure,
  plus,
  receivedTicket,
  startHarness,
  timesFrom,
  uniqueId,
  uniqueSerial,
  type Harness,
} from './support.ts';
import { policyWith } from './fixtures/policy.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('tickets_activities');
});
afterAll(async () => {
  await h.db.close();
});

const DAY = 24 * 60;

describe('applyTicketCommand: one job from dispatch to quality check', () => {
  it('moves version by version, with the summary the workflow needs at each step', async () => {
    const centre = uniqueId('C');
    const t = await receivedTicket(h);
    expect(t).toMatchObject({ version: 1, state: 'RECEIVED', standardVersionId: 'default', pending: null });
    expect(t.ticketNumber).toMatch(/^T20261012\d{6}$/);
    expect(await h.acts.ticketSummary({ ticketId: t.id })).toMatchObject({
      id: t.id,
      version: 1,
      state: 'RECEIVED',
      receivedAt: T0.toISOString(),
    });

    const at = timesFrom(T0);
    const iso = (d: Date) => d.toISOString();
    const steps: [Date, Parameters<typeof apply>[3], Partial<TicketSummary>][] = [
      [
        at.dispatch,
        cmd.dispatch(centre),
        {
          state: 'OFFERED',
          centreId: centre,
          acceptBy: iso(plus(at.dispatch, 30)),
          triedCentres: [centre],
          failedAttempts: 0,
          mustEscalate: false,
        },
      ],
      [at.accept, cmd.accept(), { state: 'ACCEPTED', acceptBy: null }],
      [at.contact, cmd.contact(), { state: 'ACCEPTED' }],
      [
        at.book,
        cmd.book(at.from, at.to),
        { state: 'BOOKED', appointment: { no: 1, to: iso(at.to), missedAt: iso(at.missedAt) } },
      ],
      [at.assign, cmd.assign('E-7'), { state: 'ASSIGNED', engineerId: 'E-7' }],
      [at.checkIn, cmd.checkIn(), { state: 'ON_SITE', checkedInAt: iso(at.checkIn) }],
      [
        at.completed,
        cmd.complete(at.finished),
        {
          state: 'COMPLETED',
          completedAt: iso(at.completed),
          callbackBy: iso(plus(at.completed, DAY)),
          callbackAttempts: 0,
        },
      ],
      [at.callback, cmd.callback('SATISFIED'), { state: 'CALLED_BACK', callbackAttempts: 1 }],
      [at.qualityCheck, cmd.qualityCheck(), { state: 'CLOSED', engineerId: 'E-7', centreId: centre }],
    ];
    let version = 1;
    for (const [when, command, expected] of steps) {
      const outcome = await apply(h, t.id, when, command, { expectedVersion: version });
      version++;
      expect(outcome.ticket).toMatchObject({ id: t.id, version, standardVersionId: 'default', ...expected });
      expect(outcome.evidence).toEqual([]);
    }
    expect(await h.acts.ticketSummary({ ticketId: t.id })).toMatchObject({ version: 10, state: 'CLOSED' });

    const stored = (await h.store.findTicket(t.id))!;
    expect(stored.timeline.map((e) => `${e.version}:${e.type}`)).toEqual([
      '1:RECEIVED',
      '2:DISPATCHED',
      '3:ACCEPTED',
      '4:CONTACTED',
      '5:BOOKED',
      '6:ASSIGNED',
      '7:CHECKED_IN',
      '8:COMPLETED',
      '9:CALLBACK_ATTEMPTED',
      '9:CALLED_BACK',
      '10:CLOSED',
    ]);
    expect(stored.appliedCommands.map((c) => c.version)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(stored.pending).toBeNull();

    // The centre's feed: one entry per version from the offer on (nobody saw the RECEIVED one), in order.
    const feed = await h.store.changesSince(centre, 0, 100);
    expect(feed.map((c) => [c.seq, c.version, c.state])).toEqual([
      [1, 2, 'OFFERED'],
      [2, 3, 'ACCEPTED'],
      [3, 4, 'ACCEPTED'],
      [4, 5, 'BOOKED'],
      [5, 6, 'ASSIGNED'],
      [6, 7, 'ON_SITE'],
      [7, 8, 'COMPLETED'],
      [8, 9, 'CALLED_BACK'],
      [9, 10, 'CLOSED'],
    ]);
    expect(feed[7]).toMatchObject({
      ticketId: t.id,
      centreId: centre,
      types: ['CALLBACK_ATTEMPTED', 'CALLED_BACK'],
      at: at.callback,
    });
    expect(await h.store.changesSince(centre, 1, 100)).toHaveLength(8);

    expect(await h.store.kpiTotals(centre, '2026-10')).toMatchObject({
      dispatched: 1,
      completions: 1,
      completionsReportedInTime: 1,
      answeredCallbacks: 1,
      satisfiedCallbacks: 1,
      complaints: 0,
      delightCompletions: 0,
    });
  });

  it('a refused offer stays visible to the centre that refused it', async () => {
    const t = await receivedTicket(h);
    const [c1, c2] = [uniqueId('C'), uniqueId('C')];
    await apply(h, t.id, plus(T0, 1), cmd.dispatch(c1));
    const refused = await apply(h, t.id, plus(T0, 2), cmd.refuse());
    expect(refused.ticket).toMatchObject({
      state: 'OFFERED',
      centreId: null,
      acceptBy: null,
      failedAttempts: 1,
      triedCentres: [c1],
    });
    await apply(h, t.id, plus(T0, 3), cmd.dispatch(c2));
    expect((await h.store.changesSince(c1, 0, 100)).map((c) => [c.types, c.centreId])).toEqual([
      [['DISPATCHED'], c1],
      [['REFUSED'], null],
    ]);
    expect((await h.store.changesSince(c2, 0, 100)).map((c) => c.types)).toEqual([['DISPATCHED']]);
  });
});

describe('idempotency and refusals', () => {
  it('a replayed commandId returns the first outcome and writes nothing', async () => {
    const t = await receivedTicket(h);
    const first = await apply(h, t.id, plus(T0, 1), cmd.dispatch(), { commandId: 'wf:v1:DISPATCH' });
    const before = await h.snapshot();
    const again = await apply(h, t.id, plus(T0, 50), cmd.dispatch(), {
      commandId: 'wf:v1:DISPATCH',
      expectedVersion: 1,
    });
    expect(again).toEqual(first);
    expect(await h.snapshot()).toBe(before);
  });

  it('a replay after later commands returns the first evidence with the ticket as it is now, and writes nothing', async () => {
    const t = await receivedTicket(h);
    const outcomes = await drive(h, t, 'COMPLETED', { report: { checklist: ['DIAGNOSE'] } });
    const completed = outcomes.at(-1)!;
    expect(completed.evidence.map((e) => e.code)).toContain('NON_STANDARD_SERVICE');
    const commandId = (await h.store.findTicket(t.id))!.appliedCommands.at(-1)!.commandId;
    const at = timesFrom(T0);
    h.clock.now = plus(at.completed, 10);
    const called = await apply(h, t.id, plus(at.completed, 10), cmd.callback('SATISFIED'));
    const before = await h.snapshot();
    const again = await apply(h, t.id, plus(at.completed, 20), cmd.complete(at.finished, { checklist: ['DIAGNOSE'] }), {
      commandId,
    });
    expect(again.evidence).toEqual(completed.evidence);
    expect(again.ticket).toEqual(called.ticket);
    expect(again.ticket.version).toBe(completed.ticket.version + 1);
    expect(await h.snapshot()).toBe(before);
  });

  it('the same commandId for another command is a CONFLICT', async () => {
    const t = await receivedTicket(h);
    const first = await apply(h, t.id, plus(T0, 1), cmd.dispatch('C-1'), { commandId: 'req-1' });
    const before = await h.snapshot();
    const f = await failure(apply(h, t.id, plus(T0, 2), cmd.dispatch('C-2'), { commandId: 'req-1' }));
    expect(f).toMatchObject({ type: 'CONFLICT', nonRetryable: true });
    expect(f.message).toContain('req-1');
    expect(await h.snapshot()).toBe(before);
    // Field order doesn't make another command: the same one replays.
    expect(
      await apply(h, t.id, plus(T0, 3), { actor: ACTOR, centreId: 'C-1', type: 'DISPATCH' }, { commandId: 'req-1' }),
    ).toEqual(first);
    expect(await h.snapshot()).toBe(before);
  });

  it('a command that changes nothing (the same window booked again) is recorded without a new version', async () => {
    const t = await receivedTicket(h);
    const [outcome] = (await drive(h, t, 'BOOKED')).slice(-1);
    const at = timesFrom(T0);
    const again = await apply(h, t.id, plus(at.book, 1), cmd.book(at.from, at.to));
    expect(again.ticket).toEqual(outcome!.ticket);
    const stored = (await h.store.findTicket(t.id))!;
    expect(stored.version).toBe(outcome!.ticket.version);
    expect(stored.appliedCommands.at(-1)).toMatchObject({ type: 'BOOK', version: outcome!.ticket.version });
  });

  it('a stale expectedVersion is a CONFLICT with the current state, and writes nothing', async () => {
    const t = await receivedTicket(h);
    await apply(h, t.id, plus(T0, 1), cmd.dispatch());
    const before = await h.snapshot();
    const f = await failure(apply(h, t.id, plus(T0, 2), cmd.accept(), { expectedVersion: 1 }));
    expect(f).toMatchObject({ type: 'CONFLICT', nonRetryable: true });
    expect(f.details).toEqual([{ ticketId: t.id, state: 'OFFERED', version: 2 }]);
    expect(await h.snapshot()).toBe(before);
  });

  it('an illegal step is INVALID_TRANSITION naming the state, and writes nothing', async () => {
    const t = await receivedTicket(h);
    const before = await h.snapshot();
    const f = await failure(apply(h, t.id, plus(T0, 1), cmd.accept()));
    expect(f).toMatchObject({ type: 'INVALID_TRANSITION', nonRetryable: true });
    expect(f.message).toContain('RECEIVED');
    expect(f.details).toEqual([{ ticketId: t.id, state: 'RECEIVED', version: 1, violations: [] }]);
    expect(await h.snapshot()).toBe(before);
  });

  it('bad input is BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const t = await receivedTicket(h);
    await drive(h, t, 'ACCEPTED');
    const before = await h.snapshot();
    const f = await failure(
      apply(h, t.id, plus(T0, 30), {
        type: 'BOOK',
        window: { from: 'tomorrow', to: plus(T0, 600).toISOString() },
        actor: ACTOR,
      }),
    );
    expect(f).toMatchObject({ type: 'BAD_USER_INPUT', nonRetryable: true });
    expect(f.message).toContain('window');
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses a malformed call non-retryably: command, ids, unknown ticket', async () => {
    const t = await receivedTicket(h);
    expect(await failure(apply(h, t.id, plus(T0, 1), { type: 'DISPATCH', centreId: 'C-1' } as never))).toMatchObject({
      type: 'BadActivityInput',
    });
    expect(await failure(apply(h, t.id, plus(T0, 1), { type: 'TELEPORT', actor: ACTOR } as never))).toMatchObject({
      type: 'BAD_USER_INPUT',
    });
    expect(await failure(apply(h, 'T-missing', plus(T0, 1), cmd.dispatch()))).toMatchObject({
      type: 'NOT_FOUND',
      nonRetryable: true,
    });
    expect(await failure(h.acts.ticketSummary({ ticketId: 'not an id!' }))).toMatchObject({ type: 'BadActivityInput' });
    expect(await failure(h.acts.ticketSummary({ ticketId: 'T-missing' }))).toMatchObject({ type: 'NOT_FOUND' });
  });

  it('malformed ids and versions are refused before anything is read, and write nothing', async () => {
    const t = await receivedTicket(h);
    await apply(h, t.id, plus(T0, 1), cmd.dispatch());
    await apply(h, t.id, plus(T0, 2), cmd.accept());
    const before = await h.snapshot();
    for (const ticketId of ['', 'T 1', 'T|1', 'x'.repeat(65), 42 as never]) {
      expect(await failure(apply(h, ticketId, plus(T0, 3), cmd.contact()))).toMatchObject({
        type: 'BadActivityInput',
        nonRetryable: true,
      });
    }
    for (const commandId of ['', '   ', 'c'.repeat(201)]) {
      expect(await failure(apply(h, t.id, plus(T0, 3), cmd.contact(), { commandId }))).toMatchObject({
        type: 'BadActivityInput',
      });
    }
    expect(await failure(apply(h, t.id, plus(T0, 3), cmd.contact(), { expectedVersion: 2.5 }))).toMatchObject({
      type: 'BadActivityInput',
    });
    // Ids inside a command are the rules' to judge (BAD_USER_INPUT naming the field): they become _id keys.
    // ACCEPTED can't be assigned before booking: the state check comes first.
    expect(
      await failure(apply(h, t.id, plus(T0, 3), { type: 'ASSIGN', engineerId: 'E|1', actor: ACTOR })),
    ).toMatchObject({ type: 'INVALID_TRANSITION' });
    expect(await h.snapshot()).toBe(before);
    await apply(h, t.id, plus(T0, 4), cmd.book(plus(T0, 24 * 60), plus(T0, 26 * 60)));
    const booked = await h.snapshot();
    const f = await failure(apply(h, t.id, plus(T0, 5), { type: 'ASSIGN', engineerId: 'E|1', actor: ACTOR }));
    expect(f).toMatchObject({ type: 'BAD_USER_INPUT', nonRetryable: true });
    expect(f.message).toContain('engineerId');
    expect(await h.snapshot()).toBe(booked);
    const other = await receivedTicket(h);
    const otherBefore = await h.snapshot();
    expect(await failure(apply(h, other.id, plus(T0, 1), cmd.dispatch('C:1|x')))).toMatchObject({
      type: 'BAD_USER_INPUT',
    });
    expect(await h.snapshot()).toBe(otherBefore);
  });
});

describe('evidence', () => {
  it('a completion missing a required step: NON_STANDARD_SERVICE once', async () => {
    const t = await receivedTicket(h);
    await drive(h, t, 'ON_SITE', { engineerId: 'E-N' });
    const at = timesFrom(T0);
    const complete = cmd.complete(at.finished, { checklist: POLICY.requiredSteps.slice(1) });
    const first = await apply(h, t.id, at.completed, complete, { commandId: 'complete-1' });
    const expected = {
      code: 'NON_STANDARD_SERVICE',
      engineerId: 'E-N',
      evidenceKey: `ticket:${t.id}:NON_STANDARD_SERVICE`,
      ticketId: t.id,
    };
    expect(first.evidence).toEqual([expected]);
    // A retry (Temporal's, after a lost answer) gets the first outcome: the evidence is not lost, and
    // certification records it once by its key.
    expect(await apply(h, t.id, plus(at.completed, 1), complete, { commandId: 'complete-1' })).toEqual(first);
    // No later command reports it again.
    expect((await apply(h, t.id, at.callback, cmd.callback('SATISFIED'))).evidence).toEqual([]);
    expect((await apply(h, t.id, at.qualityCheck, cmd.qualityCheck())).evidence).toEqual([]);
    expect((await h.store.findTicket(t.id))!.recordedEvidence).toEqual([expected.evidenceKey]);
  });

  it('a charge above the price list: OVERCHARGE', async () => {
    const t = await receivedTicket(h, { intake: { purchaseDate: new Date('2024-01-01T00:00:00Z') } });
    expect(t.warranty).toBe('OUT_OF_WARRANTY');
    await drive(h, t, 'ON_SITE', { engineerId: 'E-O' });
    const at = timesFrom(T0);
    const outcome = await apply(
      h,
      t.id,
      at.completed,
      cmd.complete(at.finished, { charges: [{ code: 'AC-CAPACITOR', quantity: 1, amountFen: 9000 }] }),
    );
    expect(outcome.evidence).toEqual([
      { code: 'OVERCHARGE', engineerId: 'E-O', evidenceKey: `ticket:${t.id}:OVERCHARGE`, ticketId: t.id },
    ]);
  });

  describe('REPEAT_REPAIR (repeatRepairDays 90, from the earlier completion to the later request)', () => {
    it('within the window: evidence for the earlier engineer, and the earlier job is superseded', async () => {
      const serialNumber = uniqueSerial();
      const centre = uniqueId('C');
      const earlier = await receivedTicket(h, { intake: { serialNumber } });
      await drive(h, earlier, 'CLOSED', { engineerId: 'E-EARLY', centreId: centre });
      const done = (await h.store.findTicket(earlier.id))!;
      const later = await receivedTicket(h, { intake: { serialNumber }, at: plus(done.completedAt!, 89 * DAY) });
      const outcomes = await drive(h, later, 'COMPLETED', { engineerId: 'E-LATE' });
      const evidence = {
        code: 'REPEAT_REPAIR',
        engineerId: 'E-EARLY',
        evidenceKey: `ticket:${earlier.id}:REPEAT_REPAIR`,
        ticketId: earlier.id,
      };
      expect(outcomes.at(-1)!.evidence).toEqual([evidence]);

      const marked = (await h.store.findTicket(earlier.id))!;
      expect(marked).toMatchObject({
        supersededBy: later.id,
        version: done.version + 1,
        state: 'CLOSED',
        recordedEvidence: [evidence.evidenceKey],
      });
      // Its centre sees it become not payable.
      expect((await h.store.changesSince(centre, 0, 100)).at(-1)).toMatchObject({
        ticketId: earlier.id,
        version: done.version + 1,
        types: ['SUPERSEDED'],
      });

      // A third repair of the same machine repeats the later one, not the earlier again.
      const third = await receivedTicket(h, { intake: { serialNumber }, at: plus(later.receivedAt, 10 * DAY) });
      const last = (await drive(h, third, 'COMPLETED', { engineerId: 'E-THIRD' })).at(-1)!;
      expect(last.evidence).toEqual([
        {
          code: 'REPEAT_REPAIR',
          engineerId: 'E-LATE',
          evidenceKey: `ticket:${later.id}:REPEAT_REPAIR`,
          ticketId: later.id,
        },
      ]);
      expect((await h.store.findTicket(earlier.id))!.supersededBy).toBe(later.id);
    });

    it('one day past the window: nothing', async () => {
      const serialNumber = uniqueSerial();
      const earlier = await receivedTicket(h, { intake: { serialNumber } });
      await drive(h, earlier, 'COMPLETED', { engineerId: 'E-EARLY' });
      const completedAt = (await h.store.findTicket(earlier.id))!.completedAt!;
      const later = await receivedTicket(h, { intake: { serialNumber }, at: plus(completedAt, 91 * DAY) });
      expect((await drive(h, later, 'COMPLETED')).at(-1)!.evidence).toEqual([]);
      expect((await h.store.findTicket(earlier.id))!.supersededBy).toBeNull();
    });
  });

  it('a final UNSATISFIED callback opens exactly one complaint', async () => {
    const centre = uniqueId('C');
    const t = await receivedTicket(h);
    await drive(h, t, 'COMPLETED', { centreId: centre, engineerId: 'E-U' });
    const at = timesFrom(T0);
    const command = cmd.callback('UNSATISFIED');
    const outcome = await apply(h, t.id, at.callback, command, { commandId: 'callback-1' });
    expect(outcome.ticket).toMatchObject({ state: 'CALLED_BACK' });
    await apply(h, t.id, plus(at.callback, 5), command, { commandId: 'callback-1' });
    expect(await h.store.findComplaint(`${t.id}:callback`)).toEqual(
      expect.objectContaining({
        id: `${t.id}:callback`,
        ticketId: t.id,
        centreId: centre,
        engineerId: 'E-U',
        severity: 2,
        openedAt: at.callback,
        respondedAt: null,
      }),
    );
    expect(await h.store.kpiTotals(centre, '2026-10')).toMatchObject({
      complaints: 1,
      answeredCallbacks: 1,
      satisfiedCallbacks: 0,
    });
  });

  it('a SATISFIED one opens none', async () => {
    const t = await receivedTicket(h);
    await drive(h, t, 'CALLED_BACK');
    expect(await h.store.findComplaint(`${t.id}:callback`)).toBeNull();
  });
});

describe('evidenceAt (the missed-appointment clock; reads only)', () => {
  it('PROMISE_BROKEN from the missed instant on, for the engineer holding the job; nothing before', async () => {
    const t = await receivedTicket(h);
    await drive(h, t, 'ASSIGNED', { engineerId: 'E-M' });
    const at = timesFrom(T0);
    const ask = (when: Date) => h.acts.evidenceAt({ ticketId: t.id, at: when.toISOString() });
    expect(await ask(new Date(at.missedAt.getTime() - 1))).toEqual([]);
    const before = await h.snapshot();
    const broken = [
      { code: 'PROMISE_BROKEN', engineerId: 'E-M', evidenceKey: `ticket:${t.id}:PROMISE_BROKEN:1`, ticketId: t.id },
    ];
    expect(await ask(at.missedAt)).toEqual(broken);
    expect(await ask(at.missedAt)).toEqual(broken);
    expect(await h.snapshot()).toBe(before);
  });

  it('a late check-in reports LATE_ARRIVAL itself, so the clock finds nothing more', async () => {
    const t = await receivedTicket(h);
    const outcomes = await drive(h, t, 'ON_SITE', { engineerId: 'E-L', checkInAfterFromMinutes: 150 });
    expect(outcomes.at(-1)!.evidence).toEqual([
      { code: 'LATE_ARRIVAL', engineerId: 'E-L', evidenceKey: `ticket:${t.id}:LATE_ARRIVAL:1`, ticketId: t.id },
    ]);
    expect(await h.acts.evidenceAt({ ticketId: t.id, at: timesFrom(T0).missedAt.toISOString() })).toEqual([]);
  });

  it("uses the missed-appointment clock of the ticket's own standard, whatever is in force", async () => {
    const strict = await receivedTicket(h, {
      policy: { ...policyWith({ missedAppointmentMinutes: 30 }), standardVersionId: uniqueId('SV') },
    });
    const usual = await receivedTicket(h);
    for (const t of [strict, usual]) await drive(h, t, 'ASSIGNED', { engineerId: 'E-M' });
    const at = timesFrom(T0);
    expect(await h.acts.evidenceAt({ ticketId: strict.id, at: plus(at.to, 30).toISOString() })).toHaveLength(1);
    expect(await h.acts.evidenceAt({ ticketId: usual.id, at: plus(at.to, 30).toISOString() })).toEqual([]);
    expect(await failure(h.acts.evidenceAt({ ticketId: strict.id, at: 'soon' }))).toMatchObject({
      type: 'BadActivityInput',
    });
  });
});
