import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { asActivity, type SettlementActivities } from '@starline/common';
import { approvalProblems } from './rules/approval.ts';
import { isMonth, approvalDueAt } from './rules/month.ts';
import { paymentFile, type PaymentRow } from './rules/payment-file.ts';
import { buildStatement, refigured, SETTLEMENT_ACTOR } from './statements.ts';
import { openRun, statementId, type RunRecord, type SettlementStore, type StatementRecord } from './store/settlement.ts';

const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadActivityInput');
const refused = (type: string, message: string) => ApplicationFailure.nonRetryable(message, type);
const BATCH_MAX = 200;

function month(value: unknown): string {
  if (!isMonth(value)) throw bad(`month must be YYYY-MM, got ${JSON.stringify(value)}`);
  return value;
}

export function createSettlementActivities(store: SettlementStore, now: () => Date = () => new Date()): SettlementActivities {
  async function run(m: string): Promise<RunRecord> {
    const r = await store.findRun(m);
    if (!r) throw refused('NOT_FOUND', `no settlement of ${m} was started`);
    return r;
  }
  const touch = (r: RunRecord, changes: Partial<RunRecord>): RunRecord => ({ ...r, ...changes, updatedAt: now().toISOString() });

  /** Every statement of the month, in build order (read by `_id` in chunks). */
  const statementsOf = async (m: string): Promise<StatementRecord[]> => store.findStatements(await store.statementIds(m));

  return {
    async openSettlement({ month: m, startedBy }) {
      month(m);
      return asActivity(async () => ({ state: (await store.exclusiveMonth(m, () => openRun(store, m, startedBy, now()))).state }));
    },

    async beginBuild({ month: m, policy, total }) {
      month(m);
      return asActivity(() => store.exclusiveMonth(m, async () => {
        const r = await run(m);
        if (r.state !== 'WAITING_FOR_EVALUATION') return { state: r.state };
        const dueAt = approvalDueAt(m, policy.approvalDueDay).toISOString();
        await store.putRun(touch(r, { state: 'BUILDING', policy, standardVersionId: policy.standardVersionId, total, dueAt }));
        return { state: 'BUILDING' };
      }));
    },

    async buildStatements({ month: m, centres }) {
      month(m);
      if (!Array.isArray(centres) || centres.length > BATCH_MAX) throw bad(`centres must be a list of at most ${BATCH_MAX}`);
      return asActivity(() => store.exclusiveMonth(m, async () => {
        const r = await run(m);
        // A batch repeated after the build finished (a retry) changes nothing.
        if (r.state !== 'BUILDING') return { built: 0 };
        const at = now();
        const ids = centres.map((c) => statementId(m, c.award.centreId));
        const earlier = new Map((await store.findStatements(ids)).map((s) => [s.id, s] as const));
        for (const c of centres) {
          const previous = earlier.get(statementId(m, c.award.centreId)) ?? null;
          const statement = await buildStatement(store, { month: m, award: c.award, jobs: c.jobs, policy: r.policy!, by: SETTLEMENT_ACTOR, at, earlier: null });
          // A retried batch rebuilds the same DRAFT (same claims): its version and history stay the first build's.
          await store.putStatement(previous ? { ...statement, history: previous.history, version: previous.version } : statement);
        }
        await store.listStatements(m, ids);
        const done = (await store.statementIds(m)).length;
        await store.putRun(touch(r, { done }));
        return { built: centres.length };
      }));
    },

    async finishBuild({ month: m }) {
      month(m);
      return asActivity(() => store.exclusiveMonth(m, async () => {
        const r = await run(m);
        if (r.state !== 'BUILDING') return { state: r.state, dueAt: r.dueAt! };
        const statements = await statementsOf(m);
        for (const s of statements) if (s.state === 'DRAFT') await store.putStatement({ ...s, state: 'IN_REVIEW' });
        await store.putRun(touch(r, { state: 'IN_REVIEW', totals: totalsOf(statements) }));
        return { state: 'IN_REVIEW', dueAt: r.dueAt! };
      }));
    },

    async flagOverdue({ month: m }) {
      month(m);
      await asActivity(() => store.exclusiveMonth(m, async () => {
        const r = await run(m);
        if (r.state === 'IN_REVIEW' && !r.overdue) await store.putRun(touch(r, { overdue: true }));
      }));
    },

    async rebuildStatement({ statementId: id, jobs, by }) {
      if (typeof id !== 'string') throw bad(`statementId must be a statement id, got ${JSON.stringify(id)}`);
      const m = id.split(':')[0]!;
      month(m);
      return asActivity(() => store.exclusiveMonth(m, async () => {
        const [r, s] = [await run(m), await store.findStatement(id)];
        if (!s) throw refused('NOT_FOUND', `no statement ${id}`);
        if (r.state !== 'IN_REVIEW' || (s.state !== 'IN_REVIEW' && s.state !== 'ON_HOLD')) {
          throw refused('INVALID_TRANSITION', `statement ${id} is ${s.state} in a run ${r.state}: only a statement under review is rebuilt`);
        }
        const award = { centreId: s.centreId, month: m, grade: s.grade, rank: null, awardFen: 0, penaltyFen: 0 };
        // Jobs it holds and still pays stay claimed; the ones it no longer pays are given back only once the
        // rebuilt statement is stored, so a crash in between never leaves a stored line without its claim.
        const rebuilt = await buildStatement(store, { month: m, award, jobs, policy: r.policy!, by, at: now(), earlier: s });
        // The evaluation's award and penalty stay the statement's: refigure with them (the award above carries none).
        await store.putStatement(refigured({ ...rebuilt, evaluationItems: s.evaluationItems }, r.policy!));
        const kept = new Set(rebuilt.lines.map((l) => l.ticketId));
        await store.release(id, s.lines.map((l) => l.ticketId).filter((t) => !kept.has(t)));
        await store.putRun(touch(r, { totals: totalsOf(await statementsOf(m)) }));
        return { version: rebuilt.version };
      }));
    },

    async payableCentres({ month: m }) {
      month(m);
      return (await statementsOf(m)).filter((s) => s.figures.payableFen > 0).map((s) => s.centreId);
    },

    async approveSettlement({ month: m, approvedBy, payees }) {
      month(m);
      return asActivity(() => store.exclusiveMonth(m, async () => {
        const r = await run(m);
        if (r.state === 'APPROVED' || r.state === 'EXPORTED') {
          if (r.approvedBy === approvedBy.sub) return { approvedAt: r.approvedAt!, sha256: (await store.findPaymentFile(m))!.sha256 };
          throw refused('INVALID_TRANSITION', `the settlement of ${m} is ${r.state}`);
        }
        if (r.state !== 'IN_REVIEW') throw refused('INVALID_TRANSITION', `the settlement of ${m} is ${r.state}: only one IN_REVIEW is approved`);
        const statements = await statementsOf(m);
        const problems = approvalProblems({ approver: { sub: approvedBy.sub, roles: approvedBy.roles as never }, startedBy: r.startedBy, statements: statements.map((s) => ({ id: s.id, state: s.state, items: s.adjustments })) });
        if (problems.length) throw refused(problems.some((p) => p.includes('ON_HOLD')) && problems.length === 1 ? 'CONFLICT' : 'FORBIDDEN', problems.join('; '));
        const byCentre = new Map(payees.map((p) => [p.centreId, p] as const));
        const rows: PaymentRow[] = [];
        for (const s of statements.filter((x) => x.figures.payableFen > 0)) {
          const p = byCentre.get(s.centreId);
          if (!p?.payee) throw refused('CONFLICT', `centre ${p?.code ?? s.centreId} is paid ${s.figures.payableFen} fen but has no payee details: an operator must enter them first`);
          rows.push({ centreCode: p.code, payeeName: p.payee.accountName, bank: p.payee.bank, accountNumber: p.payee.accountNumber, amountFen: s.figures.payableFen, statementId: s.id });
        }
        const content = paymentFile(rows);
        const sha256 = createHash('sha256').update(content, 'utf8').digest('hex');
        const at = now();
        await store.putPaymentFile({ _id: m, fileName: `starline-settlement-${m}.csv`, sha256, rows: rows.length, totalFen: rows.reduce((a, x) => a + x.amountFen, 0), content, generatedAt: at });
        for (const s of statements) {
          await store.putStatement({ ...s, state: 'APPROVED', history: [...s.history, { at: at.toISOString(), by: approvedBy.sub, action: 'APPROVED', note: null }] });
        }
        await store.putRun(touch(r, { state: 'APPROVED', approvedBy: approvedBy.sub, approvedAt: at.toISOString() }));
        return { approvedAt: at.toISOString(), sha256 };
      }));
    },

    async settledJobs({ month: m, after, limit }) {
      month(m);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad('limit must be 1–1000');
      const ids = await store.statementIds(m);
      const start = after === null ? 0 : ids.indexOf(after) + 1;
      const page = await store.findStatements(ids.slice(start, start + limit));
      const next = start + limit < ids.length ? ids[start + limit - 1]! : null;
      return {
        statements: page.map((s) => ({ centreId: s.centreId, statementId: s.id, ticketIds: [...s.lines.map((l) => l.ticketId), ...s.notPayable] })),
        nextCursor: next,
      };
    },
  };
}

/** The run's totals over its statements. */
export function totalsOf(statements: readonly StatementRecord[]): NonNullable<RunRecord['totals']> {
  const sum = (f: (s: StatementRecord) => number) => statements.reduce((a, s) => a + f(s), 0);
  return {
    centres: statements.length, jobs: sum((s) => s.lines.length), L: sum((s) => s.figures.L), Q: sum((s) => s.figures.Q),
    R: sum((s) => s.figures.R), payableFen: sum((s) => s.figures.payableFen),
  };
}
