import type { Connection, Model } from 'mongoose';
import {
  findByIds,
  isDuplicateKey,
  writeLease,
  type EvaluationPolicyInput,
  type LeaseOptions,
  type WriteLeaseDoc,
} from '@starline/common';
import type { CentreMonthFacts, IncentiveLine, KpiLine, UngradedReason } from '../rules/scorecard.ts';
import type { Grade } from '../rules/validate.ts';
import { createDisputeStore } from './disputes.ts';
import {
  evaluationIndexModel,
  evaluationModel,
  scorecardModel,
  type EvaluationDoc,
  type EvaluationIndexDoc,
  type ScorecardDoc,
} from './evaluation-models.ts';

/** The policy a run used, as the standards service gave it (without `validUntil`). */
export type EvaluationPolicyUsed = EvaluationPolicyInput;

export interface GradeCounts {
  A: number;
  B: number;
  C: number;
  ungraded: number;
}

export type EvaluationRecord = Omit<EvaluationDoc, '_id' | 'policy' | 'gradeCounts'> & {
  month: string;
  policy: EvaluationPolicyUsed | null;
  gradeCounts: GradeCounts | null;
};

/** A centre a run evaluates: [centreId, code, region], the list ordered by id. */
export type RunCentre = [centreId: string, code: string, region: string];
/**
 * A line of the ranking, in rank order (ungraded last): [centreId, code, region, grade, rank, awardFen, penaltyFen].
 */
export type RankingEntry = [
  centreId: string,
  code: string,
  region: string,
  grade: Grade | null,
  rank: number | null,
  awardFen: number,
  penaltyFen: number,
];
/** A promotion candidate: [centreId, code, region, the months of its run of A grades, oldest first]. */
export type PromotionEntry = [centreId: string, code: string, region: string, months: string[]];

export interface ScorecardRecord {
  month: string;
  centreId: string;
  code: string;
  region: string;
  run: number;
  standardVersionId: string;
  cGradesBefore: number;
  facts: CentreMonthFacts;
  kpis: KpiLine[];
  incentives: IncentiveLine[];
  weightedScore: number | null;
  incentivePoints: number;
  adjustedScore: number | null;
  completions: number;
  grade: Grade | null;
  ungradedReason: UngradedReason | null;
  rank: number | null;
  awardFen: number;
  penaltyFen: number;
  consequence: 'SUSPENDED' | 'ELIMINATED' | null;
  atRisk: boolean;
  computedAt: Date;
}

export const scorecardId = (month: string, centreId: string): string => `${month}|${centreId}`;
export const indexId = (month: string, list: 'centres' | 'ranking' | 'disputes' | 'promotions'): string =>
  `${month}|${list}`;
export const evaluationLease = (month: string): string => `evaluation:${month}`;

function toRecord(doc: EvaluationDoc): EvaluationRecord {
  const { _id, policy, gradeCounts, ...rest } = doc;
  return {
    ...rest,
    month: _id,
    policy: policy ? (JSON.parse(policy) as EvaluationPolicyUsed) : null,
    gradeCounts: gradeCounts ? (JSON.parse(gradeCounts) as GradeCounts) : null,
    computedAt: doc.computedAt ?? null,
    confirmedAt: doc.confirmedAt ?? null,
    confirmedBy: doc.confirmedBy ?? null,
    completedAt: doc.completedAt ?? null,
  };
}

function toDoc(r: EvaluationRecord): EvaluationDoc {
  const { month, policy, gradeCounts, ...rest } = r;
  return {
    _id: month,
    ...rest,
    policy: policy ? JSON.stringify(policy) : null,
    gradeCounts: gradeCounts ? JSON.stringify(gradeCounts) : null,
  };
}

interface PackedCard {
  kpis: KpiLine[];
  incentives: IncentiveLine[];
  weightedScore: number | null;
  incentivePoints: number;
  ungradedReason: UngradedReason | null;
}

export function scorecardRecord(doc: ScorecardDoc): ScorecardRecord {
  const { _id: _ignored, facts, card, ...rest } = doc;
  const c = JSON.parse(card) as PackedCard;
  return {
    ...rest,
    facts: JSON.parse(facts) as CentreMonthFacts,
    kpis: c.kpis,
    incentives: c.incentives,
    weightedScore: c.weightedScore,
    incentivePoints: c.incentivePoints,
    ungradedReason: c.ungradedReason,
    adjustedScore: doc.adjustedScore ?? null,
    grade: doc.grade ?? null,
    rank: doc.rank ?? null,
    consequence: doc.consequence ?? null,
  };
}

export function scorecardDoc(r: ScorecardRecord): ScorecardDoc {
  const { facts, kpis, incentives, weightedScore, incentivePoints, ungradedReason, ...rest } = r;
  const card: PackedCard = { kpis, incentives, weightedScore, incentivePoints, ungradedReason };
  return { _id: scorecardId(r.month, r.centreId), ...rest, facts: JSON.stringify(facts), card: JSON.stringify(card) };
}

/**
 * Runs `tasks` with at most `limit` at a time (FerretDB answers single-document writes by `_id` fast; a bulk update it
 * does not).
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

export type EvaluationStore = ReturnType<typeof createEvaluationStore>;

/**
 * The monthly evaluation's documents (evaluation-models.ts). Every change of a month — its record,
 * its lists, its scorecards, its disputes — runs under the lease `evaluation:<month>`, so a dispute
 * opened and a confirmation checking for open disputes cannot cross. The lease is held for a whole
 * ranking of the network (seconds), so it lasts longer than the default.
 */
export function createEvaluationStore(conn: Connection, leases: Model<WriteLeaseDoc>, lease: LeaseOptions) {
  const evaluations = evaluationModel(conn);
  const scorecards = scorecardModel(conn);
  const indexes = evaluationIndexModel(conn);
  const monthLease: LeaseOptions = { ...lease, leaseMs: Math.max(lease.leaseMs, 120_000) };

  async function readIndex<E>(id: string): Promise<{ run: number; entries: E[] } | null> {
    const doc = await indexes.findById(id).lean<EvaluationIndexDoc>();
    return doc ? { run: doc.run, entries: JSON.parse(doc.entries) as E[] } : null;
  }

  async function writeIndex(month: string, id: string, run: number, entries: readonly unknown[]): Promise<void> {
    await indexes.replaceOne(
      { _id: id },
      { _id: id, month, run, entries: JSON.stringify(entries), updatedAt: new Date() },
      { upsert: true },
    );
  }

  const disputes = createDisputeStore(conn, { readIndex, writeIndex });

  return {
    disputes,

    async syncIndexes(): Promise<void> {
      for (const m of [evaluations, scorecards, indexes]) await m.syncIndexes();
      await disputes.syncIndexes();
    },

    /** Runs `work` as the only writer of the month's evaluation. */
    exclusiveMonth: <T>(month: string, work: () => Promise<T>): Promise<T> =>
      writeLease(leases, evaluationLease(month), monthLease)(work),

    async find(month: string): Promise<EvaluationRecord | null> {
      const doc = await evaluations.findById(month).lean<EvaluationDoc>();
      return doc ? toRecord(doc) : null;
    },

    async findMany(months: readonly string[]): Promise<EvaluationRecord[]> {
      return (await findByIds(evaluations, months)).map(toRecord);
    },

    /** Call under the month's lease: writes the whole record. */
    async put(record: EvaluationRecord): Promise<void> {
      await evaluations.replaceOne({ _id: record.month }, toDoc(record), { upsert: true });
    },

    /** The run's centres, by id. */
    runCentres: (month: string) => readIndex<RunCentre>(indexId(month, 'centres')),
    putRunCentres: (month: string, run: number, entries: readonly RunCentre[]) =>
      writeIndex(month, indexId(month, 'centres'), run, entries),
    /** The run's ranking, in rank order. */
    ranking: (month: string) => readIndex<RankingEntry>(indexId(month, 'ranking')),
    putRanking: (month: string, run: number, entries: readonly RankingEntry[]) =>
      writeIndex(month, indexId(month, 'ranking'), run, entries),
    promotions: (month: string) => readIndex<PromotionEntry>(indexId(month, 'promotions')),
    putPromotions: (month: string, run: number, entries: readonly PromotionEntry[]) =>
      writeIndex(month, indexId(month, 'promotions'), run, entries),

    async scorecard(month: string, centreId: string): Promise<ScorecardRecord | null> {
      const doc = await scorecards.findById(scorecardId(month, centreId)).lean<ScorecardDoc>();
      return doc ? scorecardRecord(doc) : null;
    },

    /** Scorecards by `_id` (`<month>|<centreId>`), missing ones absent, in no particular order. */
    async scorecardsByIds(ids: readonly string[]): Promise<ScorecardRecord[]> {
      return (await findByIds(scorecards, ids)).map(scorecardRecord);
    },

    /**
     * Call under the month's lease: replaces these scorecards. One `_id` `$in` delete and one insert
     * of the batch (FerretDB v1 runs a bulk of replacements far slower than that); a retry after a
     * crash between the two writes them again.
     */
    async replaceScorecards(records: readonly ScorecardRecord[]): Promise<void> {
      if (records.length === 0) return;
      const docs = records.map(scorecardDoc);
      await scorecards.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      try {
        await scorecards.insertMany(docs, { ordered: false });
      } catch (error) {
        // Another attempt of the same batch inserted some first: they hold the same values.
        if (!isDuplicateKey(error)) throw error;
      }
    },

    /** Call under the month's lease: sets fields of one scorecard, by `_id` alone. */
    async updateScorecard(
      month: string,
      centreId: string,
      set: Partial<Pick<ScorecardDoc, 'rank' | 'awardFen' | 'penaltyFen' | 'consequence' | 'atRisk' | 'cGradesBefore'>>,
    ): Promise<void> {
      await scorecards.updateOne({ _id: scorecardId(month, centreId) }, { $set: set });
    },
  };
}
