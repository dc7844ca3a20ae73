import type { Connection, Model } from 'mongoose';
import { findByIds, writeLease, type LeaseOptions, type WriteLeaseDoc } from '@starline/common';
import type { KpiFact } from '../effects.ts';
import { KPI_COUNTERS, type KpiCounter } from '@starline/common';
import { kpiMonthModel, type KpiMonthDoc } from './models.ts';
import { pack, unpack } from './packed.ts';

export type KpiTotals = Record<KpiCounter, number>;

export const kpiMonthId = (centreId: string, month: string): string => `${centreId}|${month}`;
export const kpiMonthLease = (id: string): string => `kpi:${id}`;

export const zeroTotals = (): KpiTotals => Object.fromEntries(KPI_COUNTERS.map((c) => [c, 0])) as KpiTotals;

/**
 * The delivery a fact came with: its id without the `:<counter>:<centreId>` tail — `<ticketId>:<version>`
 * for a ticket's change, `complaint:<id>` for a complaint's opening. Every fact of one delivery for one
 * (centre, month) is counted in the same write, so one id per delivery is enough (a job's month holds
 * about four, not one per counter).
 */
export function deliveryIdOf(f: Pick<KpiFact, 'id' | 'counter' | 'centreId'>): string {
  const tail = `:${f.counter}:${f.centreId}`;
  return f.id.endsWith(tail) ? f.id.slice(0, -tail.length) : f.id;
}

/**
 * Per-centre, per-month KPI counters (`kpi_months`, see models.ts): the single store of KPI facts.
 * A delivery (a ticket's or a complaint's outbox) adds its facts to each (centre, month) document they
 * name, read-modify-written under that document's lease and skipped when its delivery id is already
 * applied, so the outbox may deliver as often as it likes. The evaluation reads N centres' months by
 * one `_id` `$in`, never the facts themselves.
 */
export function createKpiMonths(conn: Connection, leases: Model<WriteLeaseDoc>, lease: LeaseOptions) {
  const months = kpiMonthModel(conn);

  function addTo(id: string, facts: readonly KpiFact[]): Promise<number> {
    return writeLease(
      leases,
      kpiMonthLease(id),
      lease,
    )(async () => {
      const doc = await months.findById(id).lean<KpiMonthDoc>();
      const applied = doc ? unpack<string[]>(doc.applied) : [];
      const seen = new Set(applied);
      const fresh = facts.filter((f) => !seen.has(deliveryIdOf(f)));
      if (!fresh.length) return 0;
      const counters = { ...zeroTotals(), ...doc?.counters };
      for (const f of fresh) counters[f.counter] += f.by;
      for (const d of new Set(fresh.map(deliveryIdOf))) applied.push(d);
      await months.updateOne({ _id: id }, { $set: { counters, applied: pack(applied) } }, { upsert: true });
      return fresh.length;
    });
  }

  return {
    models: [months] as const,

    /**
     * Counts the facts of one delivery not counted before (each (centre, month) under its lease, one at a time);
     * returns how many were new.
     */
    async apply(facts: readonly KpiFact[]): Promise<number> {
      const byMonth = new Map<string, KpiFact[]>();
      for (const f of facts) {
        const id = kpiMonthId(f.centreId, f.month);
        byMonth.set(id, [...(byMonth.get(id) ?? []), f]);
      }
      let added = 0;
      for (const [id, group] of byMonth) added += await addTo(id, group);
      return added;
    },

    /**
     * Each centre's counters of the month (0s when nothing happened), by one `_id` `$in` (per 500), without the applied
     * ids.
     */
    async totals(centreIds: readonly string[], month: string): Promise<Map<string, KpiTotals>> {
      const docs = await findByIds(
        months,
        centreIds.map((c) => kpiMonthId(c, month)),
        { applied: 0 },
      );
      const byId = new Map(docs.map((d) => [d._id, d.counters] as const));
      return new Map(centreIds.map((c) => [c, { ...zeroTotals(), ...byId.get(kpiMonthId(c, month)) }]));
    },
  };
}
