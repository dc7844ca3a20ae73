import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { asActivity, type SettledStatement, type SettlementActivities } from '@starline/common';
import { approvalProblems } from './rules/approval.ts';
import { isMonth, approvalDueAt, previousMonth } from './rules/month.ts';
import { statementStateIn } from './rules/state.ts';
import { paymentFile, type PaymentRow } from './rules/payment-file.ts';
import { buildStatements, refigured, SETTLEMENT_ACTOR } from './statements.ts';
import { openRun, statementId, totalsOf, type RunRecord, type SettlementStore } from './store/settlement.ts';

const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadActivityInput');
const refused = (type: string, message: string) => ApplicationFailure.nonRetryable(message, type);
const BATCH_MAX = 200;
/** Job ids per page of settledJobs: what one jobsSettled call of the tickets service accepts. */
const SETTLED_IDS_PER_PAGE = 20_000;

function month(value: unknown): string {
  if (!isMonth(value)) throw bad(`month must be YYYY-MM, got ${JSON.stringify(value)}`);
  return value;
}

export function createSettlementActivities(
  store: SettlementStore,
  now: () => Date = () => new Date(),
): SettlementActivities {
  async function run(m: string): Promise<RunRecord> {
    const r = await store.findRun(m);
    if (!r) throw refused('NOT_FOUND', `no settlement of ${m} was started`);
    return r;
  }
  const touch = (r: RunRecord, changes: Partial<RunRecord>): RunRecord => ({
    ...r,
    ...changes,
    updatedAt: now().toISOString(),
  });
  const statementsById = async (m: string, centreIds: readonly string[]) =>
    new Map((await store.findStatements(centreIds.map((c) => statementId(m, c)))).map((s) => [s.id, s] as const));

  return {
    async openSettlement({ month: m, startedBy }) {
      month(m);
      return asActivity(async () => ({
        state: (await store.exclusiveMonth(m, () => openRun(store, m, startedBy, now()))).state,
      }));
    },

    async beginBuild({ month: m, policy, total }) {
      month(m);
      return asActivity(() =>
        store.exclusiveMonth(m, async () => {
          const r = await run(m);
          if (r.state !== 'WAITING_FOR_EVALUATION') return { state: r.state };
          const dueAt = approvalDueAt(m, policy.approvalDueDay).toISOString();
          await store.putRun(
            touch(r, { state: 'BUILDING', policy, standardVersionId: policy.standardVersionId, total, dueAt }),
          );
          return { state: 'BUILDING' };
        }),
      );
    },

    async buildStatements({ month: m, centres }) {
      month(m);
      if (!Array.isArray(centres) || centres.length > BATCH_MAX)
        throw bad(`centres must be a list of at most ${BATCH_MAX}`);
      return asActivity(() =>
        store.exclusiveMonth(m, async () => {
          const r = await run(m);
          // A batch repeated after the build finished (a retry) changes nothing.
          if (r.state !== 'BUILDING') return { built: 0 };
          const [at, page] = [now(), await store.nextPage(m)];
          const centreIds = centres.map((c) => c.award.centreId);
          const [earlier, lastMonth] = await Promise.all([
            statementsById(m, centreIds),
            statementsById(previousMonth(m), centreIds),
          ]);
          const built = await buildStatements(
            store,
            centres.map((c) => ({
              month: m,
              award: c.award,
              jobs: c.jobs,
              policy: r.policy!,
              by: SETTLEMENT_ACTOR,
              at,
              earlier: null,
              lastMonth: lastMonth.get(statementId(previousMonth(m), c.award.centreId)) ?? null,
              page,
            })),
          );
          // A retried batch rebuilds the same DRAFTs (same claims): their versions, histories and index pages stay
          // the first build's.
          const statements = built.map((s) => {
            const previous = earlier.get(s.id);
            return previous ? { ...s, history: previous.history, version: previous.version, page: previous.page } : s;
          });
          const done = await store.putStatements(m, statements, new Set(earlier.keys()));
          await store.putRun(touch(r, { done }));
          return { built: centres.length };
        }),
      );
    },

    async finishBuild({ month: m }) {
      month(m);
      return asActivity(() =>
        store.exclusiveMonth(m, async () => {
          const r = await run(m);
          if (r.state !== 'BUILDING') return { state: r.state, dueAt: r.dueAt! };
          await store.putRun(touch(r, { state: 'IN_REVIEW', totals: totalsOf(await store.summaries(m)) }));
          return { state: 'IN_REVIEW', dueAt: r.dueAt! };
        }),
      );
    },

    async flagOverdue({ month: m }) {
      month(m);
      await asActivity(() =>
        store.exclusiveMonth(m, async () => {
          const r = await run(m);
          if (r.state === 'IN_REVIEW' && !r.overdue) await store.putRun(touch(r, { overdue: true }));
        }),
      );
    },

    async rebuildStatement({ statementId: id, jobs, by }) {
      if (typeof id !== 'string') throw bad(`statementId must be a statement id, got ${JSON.stringify(id)}`);
      const m = id.split(':')[0]!;
      month(m);
      return asActivity(() =>
        store.exclusiveMonth(m, async () => {
          const [r, s] = [await run(m), await store.findStatement(id)];
          if (!s) throw refused('NOT_FOUND', `no statement ${id}`);
          if (r.state !== 'IN_REVIEW') {
            throw refused(
              'INVALID_TRANSITION',
              `statement ${id} is ${statementStateIn(r.state, s.onHold)}: only a statement under review is rebuilt`,
            );
          }
          const award = { centreId: s.centreId, month: m, grade: s.grade, rank: null, awardFen: 0, penaltyFen: 0 };
          // Jobs it holds and still pays stay claimed; the ones it no longer pays are given back only once the
          // rebuilt statement is stored, so a crash in between never leaves a stored line without its claim.
          const lastMonth = await store.findStatement(statementId(previousMonth(m), s.centreId));
          const rebuilt = (
            await buildStatements(store, [
              { month: m, award, jobs, policy: r.policy!, by, at: now(), earlier: s, lastMonth, page: s.page },
            ])
          )[0]!;
          // The evaluation's award and penalty stay the statement's: refigure with them (the award above carries none).
          await store.putStatements(m, [refigured({ ...rebuilt, evaluationItems: s.evaluationItems }, r.policy!)]);
          const kept = new Set(rebuilt.lines.map((l) => l.ticketId));
          await store.release(
            id,
            s.lines.map((l) => l.ticketId).filter((t) => !kept.has(t)),
          );
          await store.putRun(touch(r, { totals: totalsOf(await store.summaries(m)) }));
          return { version: rebuilt.version };
        }),
      );
    },

    async payableCentres({ month: m }) {
      month(m);
      return (await store.summaries(m)).filter((s) => s.payableFen > 0).map((s) => s.centreId);
    },

    async approveSettlement({ month: m, approvedBy, payees }) {
      month(m);
      return asActivity(() =>
        store.exclusiveMonth(m, async () => {
          const r = await run(m);
          if (r.state === 'APPROVED' || r.state === 'EXPORTED') {
            if (r.approvedBy === approvedBy.sub)
              return { approvedAt: r.approvedAt!, sha256: (await store.findPaymentFile(m))!.sha256 };
            throw refused('INVALID_TRANSITION', `the settlement of ${m} is ${r.state}`);
          }
          if (r.state !== 'IN_REVIEW')
            throw refused('INVALID_TRANSITION', `the settlement of ${m} is ${r.state}: only one IN_REVIEW is approved`);
          const statements = await store.summaries(m);
          const problems = approvalProblems({
            approver: { sub: approvedBy.sub, roles: approvedBy.roles as never },
            startedBy: r.startedBy,
            statements,
          });
          if (problems.length)
            throw refused(
              problems.some((p) => p.includes('ON_HOLD')) && problems.length === 1 ? 'CONFLICT' : 'FORBIDDEN',
              problems.join('; '),
            );
          const byCentre = new Map(payees.map((p) => [p.centreId, p] as const));
          const rows: PaymentRow[] = [];
          for (const s of statements.filter((x) => x.payableFen > 0)) {
            const p = byCentre.get(s.centreId);
            if (!p?.payee)
              throw refused(
                'CONFLICT',
                `centre ${p?.code ?? s.centreId} is paid ${s.payableFen} fen but has no payee details: an ` +
                  `operator must enter them first`,
              );
            rows.push({
              centreCode: p.code,
              payeeName: p.payee.accountName,
              bank: p.payee.bank,
              accountNumber: p.payee.accountNumber,
              amountFen: s.payableFen,
              statementId: s.id,
            });
          }
          const content = paymentFile(rows);
          const sha256 = createHash('sha256').update(content, 'utf8').digest('hex');
          const at = now();
          await store.putPaymentFile({
            _id: m,
            fileName: `starline-settlement-${m}.csv`,
            sha256,
            rows: rows.length,
            totalFen: rows.reduce((a, x) => a + x.amountFen, 0),
            content,
            generatedAt: at,
          });
          await store.putRun(touch(r, { state: 'APPROVED', approvedBy: approvedBy.sub, approvedAt: at.toISOString() }));
          return { approvedAt: at.toISOString(), sha256 };
        }),
      );
    },

    async settledJobs({ month: m, after, limit }) {
      month(m);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad('limit must be 1–1000');
      const ids = await store.statementIds(m);
      const start = after === null ? 0 : ids.indexOf(after) + 1;
      const statements: SettledStatement[] = [];
      let jobs = 0;
      for (const s of await store.findStatements(ids.slice(start, start + limit))) {
        const ticketIds = [...s.lines.map((l) => l.ticketId), ...s.notPayable];
        // A page is one tickets activity call: it stops before the ids it names would exceed the call's bound.
        if (statements.length > 0 && jobs + ticketIds.length > SETTLED_IDS_PER_PAGE) break;
        statements.push({ centreId: s.centreId, statementId: s.id, ticketIds });
        jobs += ticketIds.length;
      }
      const end = start + statements.length;
      return { statements, nextCursor: end < ids.length ? ids[end - 1]! : null };
    },
  };
}
