import type { Connection } from 'mongoose';
import {
  DEFAULT_LEASE,
  findByIds,
  idempotencyModel,
  isDuplicateKey,
  writeLease,
  writeLeaseModel,
  type LeaseOptions,
  type SettlementPolicyInput,
} from '@starline/common';
import type { QItem } from '../rules/incentives.ts';
import type { StatementFigures, StatementLine } from '../rules/statement.ts';
import { claimModel, indexModel, paymentFileModel, runModel, statementModel, type PaymentFileDoc } from './models.ts';

export type RunState = 'WAITING_FOR_EVALUATION' | 'BUILDING' | 'IN_REVIEW' | 'APPROVED' | 'EXPORTED';

/** A month's settlement run (docs/domain.md §7). */
export interface RunRecord {
  month: string;
  state: RunState;
  startedBy: string;
  startedAt: string;
  /** Known once the month's evaluation is confirmed. */
  standardVersionId: string | null;
  policy: SettlementPolicyInput | null;
  /** Statements built of `total` (the evaluation's centres). */
  done: number;
  total: number;
  totals: { centres: number; jobs: number; L: number; Q: number; R: number; payableFen: number } | null;
  /** FINANCE users who wrote an adjustment in the month: none of them may approve it (four eyes). */
  adjustedBy: string[];
  approvedBy: string | null;
  approvedAt: string | null;
  /** The day approval is due (the standard's approvalDueDay of the next month, end of day in China time). */
  dueAt: string | null;
  overdue: boolean;
  exportedBy: string | null;
  exportedAt: string | null;
  updatedAt: string;
}

/** A job the statement does not pay now, carried forward (docs/domain.md §7). */
export interface HeldJob {
  ticketId: string;
  ticketNumber: string;
  completedMonth: string | null;
  reasons: string[];
}

export interface StatementEvent {
  at: string;
  by: string;
  action: 'BUILT' | 'ADJUSTED' | 'HELD' | 'RELEASED' | 'REBUILT' | 'APPROVED' | 'EXPORTED';
  note: string | null;
}

/** A centre's statement of a month: R = L × T + Q with its lines, items, holds and history. */
export interface StatementRecord {
  id: string;
  month: string;
  centreId: string;
  /** Held by finance; otherwise its state is its run's (rules/state.ts statementStateIn). */
  onHold: boolean;
  standardVersionId: string;
  grade: 'A' | 'B' | 'C' | null;
  /** The evaluation's award and penalty (Q items by the evaluation), kept apart from finance's adjustments. */
  evaluationItems: QItem[];
  adjustments: QItem[];
  carriedIn: { fromMonth: string; amountFen: number } | null;
  figures: StatementFigures;
  lines: StatementLine[];
  held: HeldJob[];
  pendingJobs: number;
  /** Jobs found NOT_PAYABLE (cancelled, repeat repair): never paid, taken off the centre's list on approval. */
  notPayable: string[];
  history: StatementEvent[];
  version: number;
  /** The page of the month's index that holds its summary. */
  page: number;
}

export const statementId = (month: string, centreId: string) => `${month}:${centreId}`;

/** What the month's index keeps of a statement: enough for totals, holds, four eyes and the payment file. */
export interface StatementSummary {
  id: string;
  centreId: string;
  jobs: number;
  L: number;
  Q: number;
  R: number;
  payableFen: number;
  onHold: boolean;
  /** Who wrote its adjustments. */
  adjustedBy: string[];
}

export const summaryOf = (s: StatementRecord): StatementSummary => ({
  id: s.id,
  centreId: s.centreId,
  jobs: s.lines.length,
  L: s.figures.L,
  Q: s.figures.Q,
  R: s.figures.R,
  payableFen: s.figures.payableFen,
  onHold: s.onHold,
  adjustedBy: [...new Set(s.adjustments.map((a) => a.by))],
});

const pack = JSON.stringify;
/** An unordered insert that failed only on `_id`s already there. */
const onlyDuplicates = (error: unknown): boolean => {
  const writeErrors = (error as { writeErrors?: { code?: number; err?: { code?: number } }[] } | null)?.writeErrors;
  return (
    isDuplicateKey(error) || (Array.isArray(writeErrors) && writeErrors.every((w) => (w.code ?? w.err?.code) === 11000))
  );
};
const unpack = <T>(body: string): T => JSON.parse(body) as T;

/** The run's totals over its statements' summaries. */
export function totalsOf(statements: readonly StatementSummary[]): NonNullable<RunRecord['totals']> {
  const sum = (f: (s: StatementSummary) => number) => statements.reduce((a, s) => a + f(s), 0);
  return {
    centres: statements.length,
    jobs: sum((s) => s.jobs),
    L: sum((s) => s.L),
    Q: sum((s) => s.Q),
    R: sum((s) => s.R),
    payableFen: sum((s) => s.payableFen),
  };
}

const statementDoc = (s: StatementRecord) => ({
  _id: s.id,
  state: s.onHold ? 'ON_HOLD' : 'OPEN',
  body: pack(s),
  updatedAt: new Date(),
});

const pageId = (month: string, n: number) => `${month}#${n}`;

/** The settlement service's database; every read by `_id`. */
export function createSettlementStore(conn: Connection, lease: LeaseOptions = DEFAULT_LEASE) {
  const runs = runModel(conn);
  const statements = statementModel(conn);
  const claims = claimModel(conn);
  const index = indexModel(conn);
  const files = paymentFileModel(conn);
  const leases = writeLeaseModel(conn);
  const idempotency = idempotencyModel(conn);
  /** The length of each page of the month's index (its head). */
  const pageLengths = async (month: string): Promise<number[]> => {
    const head = await index.findById(month).lean();
    return head ? unpack<number[]>(head.body) : [];
  };

  return {
    idempotency,
    /** Runs `work` as the only writer of the month's run and statements. */
    exclusiveMonth: <T>(month: string, work: () => Promise<T>) =>
      writeLease(leases, `settlement:${month}`, lease)(work),

    async syncIndexes(): Promise<void> {
      for (const m of [runs, statements, claims, index, files, leases, idempotency] as const)
        await (m as typeof runs).syncIndexes();
    },

    async findRun(month: string): Promise<RunRecord | null> {
      const doc = await runs.findById(month).lean();
      return doc ? unpack<RunRecord>(doc.body) : null;
    },
    /** Call under the month's lease. */
    async putRun(run: RunRecord): Promise<void> {
      await runs.replaceOne(
        { _id: run.month },
        { _id: run.month, state: run.state, body: pack(run), updatedAt: new Date(run.updatedAt) },
        { upsert: true },
      );
    },

    async findStatement(id: string): Promise<StatementRecord | null> {
      const doc = await statements.findById(id).lean();
      return doc ? unpack<StatementRecord>(doc.body) : null;
    },
    async findStatements(ids: readonly string[]): Promise<StatementRecord[]> {
      const found = new Map(
        (await findByIds(statements, ids)).map((d) => [d._id, unpack<StatementRecord>(d.body)] as const),
      );
      return ids.flatMap((id) => found.get(id) ?? []);
    },
    /** Call under the month's lease. */
    async putStatement(s: StatementRecord): Promise<void> {
      await statements.replaceOne({ _id: s.id }, statementDoc(s), { upsert: true });
    },

    /** The month's statements in build order, as summarised when each was last stored. */
    async summaries(month: string): Promise<StatementSummary[]> {
      const lengths = await pageLengths(month);
      const pages = new Map(
        (
          await findByIds(
            index,
            lengths.map((_, n) => pageId(month, n)),
          )
        ).map((d) => [d._id, d.body]),
      );
      return lengths.flatMap((_, n) => unpack<StatementSummary[]>(pages.get(pageId(month, n)) ?? '[]'));
    },
    /** The month's statement ids, in the order they were built. */
    async statementIds(month: string): Promise<string[]> {
      return (await this.summaries(month)).map((s) => s.id);
    },
    /**
     * Stores statements of one month and their summaries in the month's index, so nothing else needs
     * reading them for totals or approval: a statement keeps its page, new ones share a new page.
     * Returns how many statements the month has. Call under the month's lease.
     */
    async putStatements(
      month: string,
      changed: readonly StatementRecord[],
      stored: ReadonlySet<string> = new Set(changed.map((s) => s.id)),
    ): Promise<number> {
      const lengths = await pageLengths(month);
      // Those not `stored` yet (a first build) are inserted in one write; the others replaced one by one.
      const fresh = changed.filter((s) => !stored.has(s.id));
      if (fresh.length) await statements.insertMany(fresh.map(statementDoc), { lean: true });
      for (const s of changed.filter((x) => stored.has(x.id))) await this.putStatement(s);
      for (const page of new Set(changed.map((s) => s.page))) {
        const doc = await index.findById(pageId(month, page)).lean();
        const entries = doc ? unpack<StatementSummary[]>(doc.body) : [];
        const at = new Map(entries.map((e, i) => [e.id, i] as const));
        for (const e of changed.filter((s) => s.page === page).map(summaryOf)) {
          const i = at.get(e.id);
          if (i === undefined) at.set(e.id, entries.push(e) - 1);
          else entries[i] = e;
        }
        await index.replaceOne(
          { _id: pageId(month, page) },
          { _id: pageId(month, page), body: pack(entries) },
          { upsert: true },
        );
        while (lengths.length <= page) lengths.push(0);
        lengths[page] = entries.length;
      }
      await index.replaceOne({ _id: month }, { _id: month, body: pack(lengths) }, { upsert: true });
      return lengths.reduce((a, n) => a + n, 0);
    },
    /** The page a statement first stored now goes to: a new one after the month's last. */
    async nextPage(month: string): Promise<number> {
      return (await pageLengths(month)).length;
    },

    /**
     * Claims each line's job for its statement, every statement's in one insert: the first claim of
     * a job wins for good (its `_id` is the ticket id). Returns, per statement, the lines it holds —
     * claimed now or by an earlier attempt of the same build — leaving out jobs another statement paid.
     */
    async claim(
      wanted: readonly { statementId: string; lines: readonly StatementLine[] }[],
    ): Promise<StatementLine[][]> {
      const docs = wanted.flatMap(({ statementId, lines }) => lines.map((l) => ({ _id: l.ticketId, statementId })));
      if (docs.length === 0) return wanted.map(() => []);
      try {
        await claims.insertMany(docs, { ordered: false, lean: true });
        return wanted.map(({ lines }) => [...lines]);
      } catch (error) {
        // Duplicates are jobs claimed before (by an earlier attempt of this build or by another statement): read below.
        if (!onlyDuplicates(error)) throw error;
      }
      const holders = new Map(
        (
          await findByIds(
            claims,
            docs.map((d) => d._id),
          )
        ).map((c) => [c._id, c.statementId] as const),
      );
      const unclaimed = docs.find((d) => !holders.has(d._id));
      if (unclaimed) throw new Error(`job ${unclaimed._id} was not claimed; the build is retried`);
      return wanted.map(({ statementId, lines }) => lines.filter((l) => holders.get(l.ticketId) === statementId));
    },
    /** Gives back a statement's claims on jobs it no longer pays (a rebuild), so another statement may pay them. */
    async release(statementIdValue: string, ticketIds: readonly string[]): Promise<void> {
      if (ticketIds.length === 0) return;
      const mine = (await findByIds(claims, ticketIds))
        .filter((c) => c.statementId === statementIdValue)
        .map((c) => c._id);
      if (mine.length) await claims.deleteMany({ _id: { $in: mine } });
    },
    /**
     * Who paid each job asked: ticket id → its claim and the line of the statement that holds it, for
     * Ticket.statementLine.
     */
    async claimsOf(
      ticketIds: readonly string[],
    ): Promise<Map<string, { statementId: string; centreId: string; month: string; line: StatementLine }>> {
      const found = await findByIds(claims, ticketIds);
      const paying = new Map(
        (await this.findStatements([...new Set(found.map((c) => c.statementId))])).map((s) => [s.id, s] as const),
      );
      return new Map(
        found.flatMap((c) => {
          const line = paying.get(c.statementId)?.lines.find((l) => l.ticketId === c._id);
          return line
            ? [
                [
                  c._id,
                  {
                    statementId: c.statementId,
                    centreId: paying.get(c.statementId)!.centreId,
                    month: paying.get(c.statementId)!.month,
                    line,
                  },
                ] as const,
              ]
            : [];
        }),
      );
    },

    async findPaymentFile(month: string): Promise<PaymentFileDoc | null> {
      return files.findById(month).lean();
    },
    /** Call under the month's lease; written once. */
    async putPaymentFile(file: PaymentFileDoc): Promise<void> {
      await files.replaceOne({ _id: file._id }, file, { upsert: true });
    },
  };
}

export type SettlementStore = ReturnType<typeof createSettlementStore>;

/** Opens the month's run, WAITING_FOR_EVALUATION (call under the month's lease); an existing run is left as it is. */
export async function openRun(store: SettlementStore, month: string, startedBy: string, now: Date): Promise<RunRecord> {
  const existing = await store.findRun(month);
  if (existing) return existing;
  const at = now.toISOString();
  const run: RunRecord = {
    month,
    state: 'WAITING_FOR_EVALUATION',
    startedBy,
    startedAt: at,
    standardVersionId: null,
    policy: null,
    done: 0,
    total: 0,
    totals: null,
    adjustedBy: [],
    approvedBy: null,
    approvedAt: null,
    dueAt: null,
    overdue: false,
    exportedBy: null,
    exportedAt: null,
    updatedAt: at,
  };
  await store.putRun(run);
  return run;
}
