import type { Connection, Model } from 'mongoose';
import { isDuplicateKey } from '@starline/common';
import type { KpiFact, OpenedComplaint } from '../effects.ts';
import { KPI_COUNTERS, type KpiCounter } from '../rules/kpi-facts.ts';
import { complaintModel, kpiFactModel } from './models.ts';

export type KpiTotals = Record<KpiCounter, number>;

/** Inserts a document unless its `_id` exists: the deterministic `_id` is the exactly-once. */
export async function insertOnce<T>(model: Model<T>, doc: T): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * KPI facts and callback-opened complaints: insert-only documents with deterministic ids. FerretDB loses concurrent
 * `$inc`s, so no counter is ever updated; a centre's monthly totals are a $match + $group($sum).
 */
export function createFactsStore(conn: Connection) {
  const kpi = kpiFactModel(conn);
  const complaints = complaintModel(conn);

  return {
    models: [kpi, complaints] as const,

    /** Inserts the facts not inserted before; returns how many were new. */
    async insertKpiFacts(facts: readonly KpiFact[]): Promise<number> {
      let inserted = 0;
      for (const { id, ...fact } of facts) if (await insertOnce(kpi, { _id: id, ...fact })) inserted++;
      return inserted;
    },

    /**
     * Every counter of the centre's month (Asia/Shanghai YYYY-MM), 0 when nothing happened. A scan on
     * FerretDB v1 (the index serves it on MongoDB): for the monthly evaluation, not a request path.
     */
    async kpiTotals(centreId: string, month: string): Promise<KpiTotals> {
      // One accumulator per $group: FerretDB v1 answered 0 for a second `$sum: 1` in the same stage.
      const rows = await kpi.aggregate<{ _id: KpiCounter; total: number }>([
        { $match: { centreId, month } },
        { $group: { _id: '$counter', total: { $sum: '$by' } } },
      ]);
      const totals = Object.fromEntries(KPI_COUNTERS.map((c) => [c, 0])) as KpiTotals;
      for (const row of rows) if (row._id in totals) totals[row._id] = row.total;
      return totals;
    },

    /** Opens the callback's complaint unless it is open already; true when this call opened it. (Its later changes: store/complaints.ts.) */
    openComplaint({ id, ...complaint }: OpenedComplaint): Promise<boolean> {
      return insertOnce(complaints, { _id: id, ...complaint });
    },
  };
}
