import { ApplicationFailure } from '@temporalio/activity';
import type {
  CentrePayee,
  EvaluationAward,
  EvaluationState,
  NetworkActivities,
  SettlementActivities,
  SettlementJob,
  SettlementPolicyInput,
  StandardsActivities,
  TicketsActivities,
} from '@starline/common';

export const DAY = 86_400_000;
export const MINUTE = 60_000;
export const MONTH = '2026-10';
export const STANDARD = 'standard-7';

/** Centre ids that sort as they are numbered, so the last id of a page is the cursor of the next. */
export const centreIds = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(5, '0')}`);
/** Every 25th centre has jobs: one PAYABLE, one NOT_PAYABLE (both leave its list once settled). */
const jobsOf = (centreId: string, index: number): SettlementJob[] =>
  index % 25 === 0
    ? [
        {
          ticketId: `${centreId}-t1`,
          number: `N-${centreId}-1`,
          completedMonth: MONTH,
          productLine: 'AC',
          serviceType: 'INSTALL',
          areaClass: 'CITY',
          status: 'PAYABLE',
          feeFen: 5000,
          reasons: [],
        },
        {
          ticketId: `${centreId}-t2`,
          number: `N-${centreId}-2`,
          completedMonth: MONTH,
          productLine: 'AC',
          serviceType: 'REPAIR',
          areaClass: 'CITY',
          status: 'NOT_PAYABLE',
          feeFen: null,
          reasons: ['CANCELLED'],
        },
      ]
    : [];

interface FakeStatement {
  id: string;
  centreId: string;
  ticketIds: string[];
  version: number;
}

/** A gate an activity waits at until the test opens it. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * The four services as stand-ins for the settlement workflow: a tiny in-memory settlement service (its
 * run, statements and claims in maps, idempotent as the real one), the evaluation's awards paged by
 * centre id, each centre's unsettled jobs, payees. Every call is recorded with `clock()` (the test
 * server's clock where time is skipped). It tests the orchestration, not the rules.
 */
export function settlementServices(
  clock: () => Promise<number>,
  opts: { centres?: number; evaluation?: EvaluationState | null; dueInMs?: number } = {},
) {
  const ids = centreIds(opts.centres ?? 3);
  const calls: { name: string; arg?: unknown; at: number }[] = [];
  const note = async (name: string, arg?: unknown) => void calls.push({ name, arg, at: await clock() });
  const state = {
    evaluation: (opts.evaluation === undefined ? 'CONFIRMED' : opts.evaluation) as EvaluationState | null,
    /** The evaluation turns CONFIRMED once the clock reaches this. */
    confirmAt: null as number | null,
    run: null as null | {
      startedBy: string;
      state: string;
      dueAt: string | null;
      overdue: boolean;
      approvedBy: string | null;
    },
    statements: new Map<string, FakeStatement>(),
    /** How many times each centre's statement was built (a retried batch builds again, idempotently). */
    builds: new Map<string, number>(),
    /** Ticket id → the statement that claimed it: a job is claimed once, ever. */
    claims: new Map<string, string>(),
    unsettled: new Map(ids.map((id, i) => [id, jobsOf(id, i)] as const)),
    /** The next `refuseApprovals` approvals are refused by the service (FORBIDDEN). */
    refuseApprovals: 0,
    /** When set, buildStatements / settledJobs wait until it opens. */
    buildGate: null as Promise<void> | null,
    settleGate: null as Promise<void> | null,
  };
  const requireRun = () => {
    if (!state.run) throw ApplicationFailure.nonRetryable('no settlement was started', 'NOT_FOUND');
    return state.run;
  };

  const standards: Pick<StandardsActivities, 'settlementPolicyOf'> = {
    settlementPolicyOf: async ({ versionId }) => {
      await note('settlementPolicyOf', versionId);
      return {
        standardVersionId: versionId,
        coefficients: { A: 110, B: 100, C: 90, ungraded: 100 },
        maxAdjustmentFen: 1_000_000,
        approvalDueDay: 10,
      } satisfies SettlementPolicyInput;
    },
  };

  const evaluationState = async () =>
    state.confirmAt !== null && (await clock()) >= state.confirmAt ? 'CONFIRMED' : state.evaluation;
  const network: Pick<NetworkActivities, 'evaluationOf' | 'evaluationAwards' | 'payeesOf'> = {
    evaluationOf: async ({ month }) => {
      await note('evaluationOf', month);
      const s = await evaluationState();
      return s === null ? null : { state: s, standardVersionId: STANDARD, centres: ids.length };
    },
    evaluationAwards: async ({ month, after, limit }) => {
      await note('evaluationAwards', { after, limit });
      if ((await evaluationState()) !== 'CONFIRMED')
        throw ApplicationFailure.nonRetryable(`${month} is not confirmed`, 'NOT_FOUND');
      const from = after === null ? 0 : ids.indexOf(after) + 1;
      const page = ids.slice(from, from + limit);
      const awards: EvaluationAward[] = page.map((centreId) => ({
        centreId,
        month,
        grade: 'B',
        rank: null,
        awardFen: 100,
        penaltyFen: 0,
      }));
      return { awards, nextCursor: from + limit < ids.length ? page[page.length - 1]! : null };
    },
    payeesOf: async ({ centreIds: asked }) => {
      await note('payeesOf', asked.length);
      return asked.map((centreId): CentrePayee => ({
        centreId,
        code: centreId.toUpperCase(),
        payee: { accountName: `Centre ${centreId}`, bank: 'ICBC', accountNumber: '6222000000000000' },
      }));
    },
  };

  const tickets: Pick<TicketsActivities, 'unsettledJobs' | 'jobsSettled'> = {
    unsettledJobs: async ({ centreIds: asked }) => {
      await note('unsettledJobs', asked);
      return asked.map((centreId) => ({ centreId, jobs: state.unsettled.get(centreId) ?? [] }));
    },
    jobsSettled: async ({ statements }) => {
      let removed = 0;
      for (const { centreId, ticketIds, statementId } of statements) {
        await note('jobsSettled', { centreId, ticketIds, statementId });
        const before = state.unsettled.get(centreId) ?? [];
        const left = before.filter((j) => !ticketIds.includes(j.ticketId));
        state.unsettled.set(centreId, left);
        removed += before.length - left.length;
      }
      return { removed };
    },
  };

  const statementOf = (centreId: string, jobs: SettlementJob[], version: number): FakeStatement => {
    const id = `${MONTH}:${centreId}`;
    // A job already claimed by another statement is never put on this one (claims are by ticket id).
    const mine = jobs.filter(
      (j) => j.status !== 'HELD' && j.status !== 'PENDING' && (state.claims.get(j.ticketId) ?? id) === id,
    );
    for (const j of mine) state.claims.set(j.ticketId, id);
    return { id, centreId, ticketIds: mine.map((j) => j.ticketId), version };
  };

  const settlement: SettlementActivities = {
    openSettlement: async ({ month, startedBy }) => {
      await note('openSettlement', { month, startedBy });
      state.run ??= { startedBy, state: 'WAITING_FOR_EVALUATION', dueAt: null, overdue: false, approvedBy: null };
      return { state: state.run.state };
    },
    beginBuild: async ({ month, policy, total }) => {
      await note('beginBuild', { month, standardVersionId: policy.standardVersionId, total });
      const r = requireRun();
      if (r.state === 'WAITING_FOR_EVALUATION')
        Object.assign(r, {
          state: 'BUILDING',
          dueAt: new Date((await clock()) + (opts.dueInMs ?? 3 * DAY)).toISOString(),
        });
      return { state: r.state };
    },
    buildStatements: async ({ centres }) => {
      if (state.buildGate) await state.buildGate;
      await note(
        'buildStatements',
        centres.map((c) => c.award.centreId),
      );
      if (requireRun().state !== 'BUILDING') return { built: 0 };
      for (const { award, jobs } of centres) {
        state.builds.set(award.centreId, (state.builds.get(award.centreId) ?? 0) + 1);
        state.statements.set(award.centreId, statementOf(award.centreId, jobs, 1));
      }
      return { built: centres.length };
    },
    finishBuild: async () => {
      await note('finishBuild');
      const r = requireRun();
      if (r.state === 'BUILDING') r.state = 'IN_REVIEW';
      return { state: r.state, dueAt: r.dueAt! };
    },
    flagOverdue: async () => {
      await note('flagOverdue');
      const r = requireRun();
      if (r.state === 'IN_REVIEW') r.overdue = true;
    },
    rebuildStatement: async ({ statementId, jobs, by }) => {
      await note('rebuildStatement', { statementId, ticketIds: jobs.map((j) => j.ticketId), by });
      const centreId = statementId.split(':')[1]!;
      const s = state.statements.get(centreId);
      if (!s) throw ApplicationFailure.nonRetryable(`no statement ${statementId}`, 'NOT_FOUND');
      if (requireRun().state !== 'IN_REVIEW')
        throw ApplicationFailure.nonRetryable(`statement ${statementId} is not under review`, 'INVALID_TRANSITION');
      for (const t of s.ticketIds) state.claims.delete(t);
      const rebuilt = statementOf(centreId, jobs, s.version + 1);
      state.statements.set(centreId, rebuilt);
      return { version: rebuilt.version };
    },
    payableCentres: async () => {
      await note('payableCentres');
      return [...state.statements.keys()].sort();
    },
    approveSettlement: async ({ approvedBy, payees }) => {
      await note('approveSettlement', { sub: approvedBy.sub, payees: payees.length });
      const r = requireRun();
      if (r.state === 'APPROVED' && r.approvedBy === approvedBy.sub) return { approvedAt: 'again', sha256: 'f00d' };
      if (r.state !== 'IN_REVIEW')
        throw ApplicationFailure.nonRetryable(`the settlement is ${r.state}`, 'INVALID_TRANSITION');
      if (state.refuseApprovals > 0) {
        state.refuseApprovals--;
        throw ApplicationFailure.nonRetryable(`${approvedBy.sub} adjusted a statement of this settlement`, 'FORBIDDEN');
      }
      Object.assign(r, { state: 'APPROVED', approvedBy: approvedBy.sub });
      return { approvedAt: new Date(await clock()).toISOString(), sha256: 'f00d' };
    },
    settledJobs: async ({ after, limit }) => {
      if (state.settleGate) await state.settleGate;
      await note('settledJobs', { after, limit });
      const all = [...state.statements.values()].sort((a, b) => a.id.localeCompare(b.id));
      const from = after === null ? 0 : all.findIndex((s) => s.id === after) + 1;
      const page = all.slice(from, from + limit);
      return {
        statements: page.map((s) => ({ centreId: s.centreId, statementId: s.id, ticketIds: s.ticketIds })),
        nextCursor: from + limit < all.length ? page[page.length - 1]!.id : null,
      };
    },
  };

  const names = () => calls.map((c) => c.name);
  const of = (name: string) => calls.filter((c) => c.name === name);
  return { ids, standards, network, tickets, settlement, calls, state, names, of };
}

export type SettlementStubs = ReturnType<typeof settlementServices>;
