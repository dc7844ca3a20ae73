import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import {
  DEFAULT_LEASE,
  findByIds,
  idempotencyModel,
  isDuplicateKey,
  shanghaiMonth,
  writeLease,
  writeLeaseModel,
  type CentreMonthCredits,
  type LeaseOptions,
} from '@starline/common';
import { incentiveOf, tally } from '../rules/credits.ts';
import type { CareerLevel } from '../rules/career.ts';
import { foldLedger, orderEntries, type LicenceSummary } from '../rules/licence.ts';
import type { LicencePolicy } from '../rules/policy.ts';
import {
  centreCreditsModel,
  cycleModel,
  engineerModel,
  entryModel,
  examModel,
  flagModel,
  licenceModel,
  rosterModel,
  type CentreCreditsDoc,
  type CertificationDoc,
  type CycleDoc,
  type EngineerDoc,
  type EntryDoc,
  type ExamDoc,
  type LicenceDoc,
  type ReviewFlagDoc,
  type RosterDoc,
} from './models.ts';

export type EngineerRecord = Omit<EngineerDoc, '_id'> & { id: string };
export type LicenceRecord = Omit<LicenceDoc, '_id'> & { id: string };
export type CycleRecord = Omit<CycleDoc, '_id'> & { id: string };
export type EntryRecord = Omit<EntryDoc, '_id'> & { id: string };
export type ExamRecord = Omit<ExamDoc, '_id'> & { id: string };
export type FlagRecord = Omit<ReviewFlagDoc, '_id'> & { id: string };

const rec = <D extends { _id: string }>(doc: D): Omit<D, '_id'> & { id: string } => {
  const { _id, ...rest } = doc;
  return { ...rest, id: _id };
};

const engineerRecord = (doc: EngineerDoc): EngineerRecord => ({
  ...rec(doc),
  certifications: (doc.certifications ?? []).map((c) => ({
    productLine: c.productLine,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
  })),
});

export const licenceId = (engineerId: string, generation: number) => `${engineerId}:${generation}`;
export const cycleId = (licence: string, index: number) => `${licence}#${index}`;
export const entryId = (licence: string, evidenceKey: string) => `${licence}|${evidenceKey}`;
export const examId = (engineerId: string, n: number) => `${engineerId}/${n}`;
export const flagId = (engineerId: string, cycleEnd: Date) => `${engineerId}|${cycleEnd.toISOString()}`;
export const licenceLease = (id: string) => `licence:${id}`;
export const engineerLease = (id: string) => `engineer:${id}`;
export const rosterLease = (centreId: string) => `roster:${centreId}`;
export const creditsId = (centreId: string, month: string) => `${centreId}|${month}`;
export const creditsLease = (id: string) => `credits:${id}`;

/** The `[entryId, code]` pairs a (centre, month) counted, from its packed `counted` string. */
const unpackCounted = (doc: Pick<CentreCreditsDoc, 'counted'> | null): [string, string][] =>
  doc ? (JSON.parse(doc.counted) as [string, string][]) : [];

/** A licence with its current cycle and the state derived from that cycle's ledger. */
export interface LicenceState {
  licence: LicenceRecord;
  cycle: CycleRecord;
  summary: LicenceSummary;
}

export type CertificationStore = ReturnType<typeof createCertificationStore>;

/**
 * Every read and write of the certification database. FerretDB v1 answers only `_id` lookups without
 * scanning the whole collection, so the paths a request takes read by `_id` alone: licence
 * generations and cycles are contiguous and found by probing their `_id`s, a cycle carries the facts
 * its points are folded from, and a centre's roster lists its engineers. FerretDB v1 applies no update atomically, so
 * the facts that matter are inserts with deterministic `_id`s (ledger entries, cycles, licence
 * generations, review flags): a duplicate insert is the idempotency. Documents that are updated
 * (an engineer's level and certifications, a licence's cached summary and archive mark) are written
 * under a write lease: `engineer:<id>` or `licence:<id>`; a centre's roster under `roster:<centre>`, its
 month's incentive credits under `credits:<centre>|<month>` (taken inside a licence lease, never the
 other way round).
 */
export function createCertificationStore(conn: Connection, lease: LeaseOptions = DEFAULT_LEASE) {
  const engineers = engineerModel(conn);
  const licences = licenceModel(conn);
  const cycles = cycleModel(conn);
  const entries = entryModel(conn);
  const exams = examModel(conn);
  const flags = flagModel(conn);
  const leases = writeLeaseModel(conn);
  const idempotency = idempotencyModel(conn);
  const rosters = rosterModel(conn);
  const credits = centreCreditsModel(conn);

  const rosterOf = async (centreId: string): Promise<RosterDoc['engineers']> =>
    (await rosters.findById(centreId).lean<RosterDoc>())?.engineers.map(({ id, number }) => ({ id, number })) ?? [];

  /**
   * For each key, the run of contiguous `_id`s `id(key, first(key))`, `id(key, first + 1)`, … that
   * exist, in order. Probed `width` at a time for every key in one `_id` `$in` query, so the usual
   * short run (one or two generations, a few yearly cycles) costs one round trip however many keys
   * there are. A key whose first `_id` is missing has an empty run.
   */
  async function runsOf<D extends { _id: string }>(
    fetch: (ids: string[]) => Promise<D[]>,
    keys: string[],
    id: (key: string, n: number) => string,
    first: (key: string) => number,
    width: number,
  ): Promise<Map<string, D[]>> {
    const runs = new Map<string, D[]>(keys.map((key) => [key, []]));
    let open = [...runs.keys()].map((key) => ({ key, n: first(key) }));
    while (open.length > 0) {
      const found = new Map(
        (await fetch(open.flatMap(({ key, n }) => Array.from({ length: width }, (_, i) => id(key, n + i))))).map(
          (d) => [d._id, d],
        ),
      );
      open = open
        .filter(({ key, n }) => {
          for (let i = 0; i < width; i++) {
            const doc = found.get(id(key, n + i));
            if (!doc) return false;
            runs.get(key)!.push(doc);
          }
          return true;
        })
        .map(({ key, n }) => ({ key, n: n + width }));
    }
    return runs;
  }

  /** The last document of each key's run (a key with none is absent). */
  async function lastOfEach<D extends { _id: string }>(...args: Parameters<typeof runsOf<D>>): Promise<Map<string, D>> {
    const last = new Map<string, D>();
    for (const [key, run] of await runsOf(...args)) if (run.length > 0) last.set(key, run.at(-1)!);
    return last;
  }

  const byIds =
    <D extends { _id: string }>(model: Model<D>) =>
    (ids: string[]) =>
      findByIds(model, ids);

  const cycleRecord = (doc: CycleDoc): CycleRecord => rec({ ...doc, facts: doc.facts ?? [] });

  /** Each licence's last cycle, searched from its hint (from the first cycle where the hint is wrong). */
  async function currentCycles(list: Pick<LicenceRecord, 'id' | 'cycleHint'>[]): Promise<Map<string, CycleRecord>> {
    const hints = new Map(list.map((l) => [l.id, l.cycleHint ?? 0]));
    const fetch = byIds<CycleDoc>(cycles);
    const found = await lastOfEach(fetch, [...hints.keys()], cycleId, (l) => hints.get(l)!, 2);
    const wrongHints = [...hints].filter(([l, hint]) => hint > 0 && !found.has(l)).map(([l]) => l);
    if (wrongHints.length > 0)
      for (const [l, doc] of await lastOfEach(fetch, wrongHints, cycleId, () => 0, 4)) found.set(l, doc);
    return new Map([...found].map(([l, doc]) => [l, cycleRecord(doc)]));
  }

  const currentCycle = async (licence: Pick<LicenceRecord, 'id' | 'cycleHint'>): Promise<CycleRecord | null> =>
    (await currentCycles([licence])).get(licence.id) ?? null;

  /** Every cycle of each licence, oldest first. */
  const cyclesOfEach = async (licenceIds: string[]): Promise<Map<string, CycleRecord[]>> =>
    new Map(
      [...(await runsOf(byIds<CycleDoc>(cycles), licenceIds, cycleId, () => 0, 4))].map(([l, run]) => [
        l,
        run.map(cycleRecord),
      ]),
    );

  /**
   * A licence's ledger (of one cycle, or all), in recorded order: the entries its cycles count, read
   * by their `_id`s. An entry filed by a call that died before its cycle counted it appears, and
   * counts, once a replay of that call repairs the cycle.
   */
  const entriesOf = async (licence: string, cycleIndex?: number): Promise<EntryRecord[]> => {
    const all = (await cyclesOfEach([licence])).get(licence)!;
    const ids = all
      .filter((c) => cycleIndex === undefined || c.index === cycleIndex)
      .flatMap((c) => c.facts.map((f) => f.id));
    return orderEntries((await findByIds(entries, ids)).map(rec));
  };

  /**
   * The derived state of each licence: its current cycle's ledger folded by the cycle's own terms
   * (by `policy`, the standard in force, for a cycle older than its terms).
   */
  async function statesOf(list: LicenceRecord[], policy: LicencePolicy): Promise<LicenceState[]> {
    const found = await currentCycles(list);
    return list.map((licence) => {
      const cycle = found.get(licence.id);
      if (!cycle) throw new Error(`licence ${licence.id} has no cycle`);
      return { licence, cycle, summary: foldLedger(cycle.facts, cycle.terms ?? policy) };
    });
  }

  const keyedExams = async (engineerId: string): Promise<ExamDoc[]> =>
    (await runsOf(byIds<ExamDoc>(exams), [engineerId], examId, () => 1, 8)).get(engineerId)!;
  /** Whether the database holds exams from before keyed ids (asked once; none are written since). */
  let legacyExams: Promise<boolean> | null = null;

  /** Each engineer's newest licence generation (an engineer without one is absent). */
  async function activeLicences(engineerIds: string[]): Promise<Map<string, LicenceRecord>> {
    const found = await lastOfEach(byIds<LicenceDoc>(licences), engineerIds, licenceId, () => 1, 2);
    return new Map([...found].map(([e, doc]) => [e, rec(doc)]));
  }

  const activeLicence = async (engineerId: string): Promise<LicenceRecord | null> =>
    (await activeLicences([engineerId])).get(engineerId) ?? null;

  return {
    idempotency,
    exclusiveLicence: <T>(id: string, work: () => Promise<T>) => writeLease(leases, licenceLease(id), lease)(work),
    exclusiveEngineer: <T>(id: string, work: () => Promise<T>) => writeLease(leases, engineerLease(id), lease)(work),

    async syncIndexes(): Promise<void> {
      for (const m of [
        engineers,
        licences,
        cycles,
        entries,
        exams,
        flags,
        leases,
        idempotency,
        rosters,
        credits,
      ] as const)
        await m.syncIndexes();
    },

    async findEngineer(id: string): Promise<EngineerRecord | null> {
      const doc = await engineers.findById(id).lean<EngineerDoc>();
      return doc ? engineerRecord(doc) : null;
    },

    async findEngineerByNumber(number: string): Promise<EngineerRecord | null> {
      const doc = await engineers.findOne({ number }).lean<EngineerDoc>();
      return doc ? engineerRecord(doc) : null;
    },

    /**
     * A page ordered by number (`afterNumber` continues one) and the count of the whole list. A
     * centre's engineers come from its roster, read once, and are fetched by `_id` in one query; other
     * filters scan (they serve HQ's occasional lists).
     */
    async pageEngineers(
      filter: { centreId?: string | null; level?: CareerLevel | null },
      afterNumber: string | null,
      limit: number,
    ): Promise<{ records: EngineerRecord[]; totalCount: number }> {
      if (filter.centreId && !filter.level) {
        const roster = await rosterOf(filter.centreId);
        const page = roster.filter((e) => afterNumber === null || e.number > afterNumber).slice(0, limit);
        const docs = new Map(
          (
            await findByIds<EngineerDoc>(
              engineers,
              page.map((e) => e.id),
            )
          ).map((d) => [d._id, d]),
        );
        // An id whose registration failed after it was listed has no engineer: skip it.
        const records = page
          .map((e) => docs.get(e.id))
          .filter((d): d is EngineerDoc => d !== undefined && d.centreId === filter.centreId);
        return { records: records.map(engineerRecord), totalCount: roster.length };
      }
      const q: Record<string, unknown> = {};
      if (filter.centreId) q['centreId'] = filter.centreId;
      if (filter.level) q['level'] = filter.level;
      const [docs, totalCount] = await Promise.all([
        engineers
          .find(afterNumber === null ? q : { ...q, number: { $gt: afterNumber } })
          .sort({ number: 1 })
          .limit(limit)
          .lean<EngineerDoc[]>(),
        engineers.countDocuments(q),
      ]);
      return { records: docs.map(engineerRecord), totalCount };
    },

    /**
     * A duplicate number surfaces as the driver's 11000. The engineer joins the centre's roster
     * first (under the roster's lease) and leaves it again if the insert fails, so a listed id
     * without an engineer can only come from a crash in between, and reads skip it.
     */
    async insertEngineer(fields: Omit<EngineerRecord, 'id'>): Promise<EngineerRecord> {
      const doc: EngineerDoc = { _id: randomUUID(), ...fields };
      const roster = (change: (list: RosterDoc['engineers']) => RosterDoc['engineers']) =>
        writeLease(
          leases,
          rosterLease(fields.centreId),
          lease,
        )(async () => {
          const list = change(await rosterOf(fields.centreId));
          await rosters.updateOne({ _id: fields.centreId }, { $set: { engineers: list } }, { upsert: true });
        });
      await roster((list) =>
        [...list, { id: doc._id, number: doc.number }].sort((a, b) =>
          a.number < b.number ? -1 : a.number > b.number ? 1 : 0,
        ),
      );
      try {
        await engineers.create(doc);
      } catch (error) {
        await roster((list) => list.filter((e) => e.id !== doc._id));
        throw error;
      }
      return engineerRecord(doc);
    },

    /** Call under the engineer's lease. */
    async updateEngineer(
      id: string,
      set: { level?: CareerLevel; certifications?: CertificationDoc[]; updatedAt: Date },
    ): Promise<void> {
      await engineers.updateOne({ _id: id }, { $set: set });
    },

    /**
     * Issues licence `generation` with its first cycle. Returns false when that generation exists
     * already (a concurrent or repeated issue): the `_id` makes the insert the decision.
     */
    async issueLicence(
      engineerId: string,
      generation: number,
      start: Date,
      end: Date,
      policy: LicencePolicy,
    ): Promise<boolean> {
      const id = licenceId(engineerId, generation);
      try {
        await licences.create({
          _id: id,
          engineerId,
          generation,
          issuedAt: start,
          archivedAt: null,
          archivedReason: null,
          summary: { pointsRemaining: policy.maxPoints, status: 'NORMAL', computedAt: start },
          cycleHint: 0,
        });
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
      await this.insertCycle(id, 0, start, end, policy);
      return true;
    },

    /** Inserts cycle `index`, under the numbers of `policy` (the standard in force as it begins). */
    async insertCycle(licence: string, index: number, start: Date, end: Date, policy: LicencePolicy): Promise<boolean> {
      let inserted = true;
      try {
        const terms = {
          standardVersionId: policy.standardVersionId,
          maxPoints: policy.maxPoints,
          warningAtOrBelow: policy.warningAtOrBelow,
        };
        await cycles.create({ _id: cycleId(licence, index), licenceId: licence, index, start, end, facts: [], terms });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        inserted = false;
      }
      // Also after a duplicate: the attempt that inserted it may have died before raising the hint.
      if (index > 0) await licences.updateOne({ _id: licence }, { $max: { cycleHint: index } });
      return inserted;
    },

    activeLicence,
    activeLicences,

    async findLicence(id: string): Promise<LicenceRecord | null> {
      const doc = await licences.findById(id).lean<LicenceDoc>();
      return doc ? rec(doc) : null;
    },

    /** Every generation of the engineer's licence, newest first. */
    async licencesOf(engineerId: string): Promise<LicenceRecord[]> {
      const run = (await runsOf(byIds<LicenceDoc>(licences), [engineerId], licenceId, () => 1, 4)).get(engineerId)!;
      return run.reverse().map(rec);
    },

    /** Licences ordered by `_id` after `after`, for the annual review to page through. */
    async pageLicences(after: string | null, limit: number): Promise<LicenceRecord[]> {
      const q = after ? { _id: { $gt: after } } : {};
      const docs = await licences.find(q).sort({ _id: 1 }).limit(limit).lean<LicenceDoc[]>();
      return docs.map(rec);
    },

    currentCycle,
    currentCycles,

    entriesOf,

    async countEntries(licence: string): Promise<number> {
      return entries.countDocuments({ licenceId: licence });
    },

    statesOf,

    async stateOf(licence: LicenceRecord, policy: LicencePolicy): Promise<LicenceState> {
      return (await statesOf([licence], policy))[0]!;
    },

    /**
     * Puts the entry's facts on its cycle unless they are there (call under the licence's lease after
     * appendEntry, also on a replay: that repairs a crash between the two writes).
     */
    async noteInCycle(cycle: CycleRecord, entry: EntryRecord): Promise<void> {
      if (cycle.facts.some((f) => f.id === entry.id)) return;
      const fact = { id: entry.id, kind: entry.kind, points: entry.points, recordedAt: entry.recordedAt };
      await cycles.updateOne({ _id: cycle.id }, { $set: { facts: [...cycle.facts, fact] } });
      cycle.facts.push(fact);
    },

    /** Appends an entry; `{ created: false }` with the first entry when the evidence key was used before. */
    async appendEntry(fields: Omit<EntryRecord, 'id'>): Promise<{ entry: EntryRecord; created: boolean }> {
      const id = entryId(fields.licenceId, fields.evidenceKey);
      try {
        const doc: EntryDoc = { _id: id, ...fields };
        await entries.create(doc);
        return { entry: rec(doc), created: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const first = await entries.findById(id).lean<EntryDoc>();
        if (!first) throw error;
        return { entry: rec(first), created: false };
      }
    },

    /**
     * Counts the entry in its centre's month (the Asia/Shanghai month of its `recordedAt`) when it is
     * an incentive credit (rules/credits.ts), unless that month counted it already. Call after
     * appendEntry on every path, replays included: that repairs a crash between the entry's insert
     * and this write, and the entry ids kept in the document make a repeat count nothing. An entry
     * recorded before credits were counted (no `centreId`) is not counted. Returns whether it counted.
     */
    async countCredit(entry: Pick<EntryRecord, 'id' | 'centreId' | 'code' | 'kind' | 'recordedAt'>): Promise<boolean> {
      if (!incentiveOf(entry) || !entry.centreId) return false;
      const centreId = entry.centreId;
      const month = shanghaiMonth(entry.recordedAt);
      const id = creditsId(centreId, month);
      const read = async () => unpackCounted(await credits.findById(id).lean<CentreCreditsDoc>());
      // Ids are only ever added, so one found outside the lease stays counted: a replay writes nothing.
      if ((await read()).some(([e]) => e === entry.id)) return false;
      return writeLease(
        leases,
        creditsLease(id),
        lease,
      )(async () => {
        const counted = await read();
        if (counted.some(([e]) => e === entry.id)) return false;
        counted.push([entry.id, entry.code]);
        await credits.updateOne(
          { _id: id },
          { $set: { centreId, month, ...tally(counted), counted: JSON.stringify(counted) } },
          { upsert: true },
        );
        return true;
      });
    },

    /**
     * The month's incentive credits of each centre asked, in the order asked (0s for a centre with
     * none): one `_id` `$in` read of the (centre, month) documents, without their entry lists.
     */
    async centreMonthCredits(month: string, centreIds: readonly string[]): Promise<CentreMonthCredits[]> {
      const ids = [...new Set(centreIds)].map((c) => creditsId(c, month));
      const found = new Map((await findByIds(credits, ids, { counted: 0 })).map((d) => [d._id, d]));
      return centreIds.map((centreId) => {
        const doc = found.get(creditsId(centreId, month));
        return {
          centreId,
          qualityInfoAdopted: doc?.qualityInfoAdopted ?? 0,
          serviceInnovation: doc?.serviceInnovation ?? 0,
        };
      });
    },

    /**
     * The entry for this evidence on any of the engineer's licences up to `generation` (a retry after a reinstatement).
     */
    async findEntryByEvidence(
      engineerId: string,
      evidenceKey: string,
      generation: number,
    ): Promise<EntryRecord | null> {
      const found = await Promise.all(
        Array.from({ length: generation }, (_, g) =>
          entries.findById(entryId(licenceId(engineerId, g + 1), evidenceKey)).lean<EntryDoc>(),
        ),
      );
      const first = found.find((d): d is EntryDoc => d !== null);
      return first ? rec(first) : null;
    },

    /** Call under the licence's lease. */
    async writeSummary(
      licence: string,
      summary: { pointsRemaining: number; status: LicenceSummary['status'] },
      at: Date,
    ): Promise<void> {
      await licences.updateOne(
        { _id: licence },
        { $set: { summary: { pointsRemaining: summary.pointsRemaining, status: summary.status, computedAt: at } } },
      );
    },

    /** Call under the licence's lease. */
    async archiveLicence(licence: string, at: Date, reason: string): Promise<void> {
      await licences.updateOne({ _id: licence }, { $set: { archivedAt: at, archivedReason: reason } });
    },

    /**
     * Files the exam as the engineer's next number. Two concurrent inserts may pick the same one:
     * the `_id` lets one win, and the other takes the number after it.
     */
    async insertExam(fields: Omit<ExamRecord, 'id' | 'n'>): Promise<ExamRecord> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const n = (await keyedExams(fields.engineerId)).length + 1;
        const doc: ExamDoc = { _id: examId(fields.engineerId, n), n, ...fields };
        try {
          await exams.create(doc);
          return rec(doc);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      throw new Error(`could not file an exam for ${fields.engineerId}: too many concurrent inserts`);
    },

    /** The engineer's exams, by when they were taken. */
    async examsOf(engineerId: string): Promise<ExamRecord[]> {
      const docs = await keyedExams(engineerId);
      // Exams stored before keyed ids are found by engineer, only where the database has any.
      if (await (legacyExams ??= exams.exists({ n: { $exists: false } }).then(Boolean))) {
        docs.push(...(await exams.find({ engineerId, n: { $exists: false } }).lean<ExamDoc[]>()));
      }
      return docs.sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime() || (a._id < b._id ? -1 : 1)).map(rec);
    },

    /** Inserts the flag for (engineer, cycle end); false when it exists. */
    async insertFlag(fields: Omit<FlagRecord, 'id'>): Promise<boolean> {
      try {
        await flags.create({ _id: flagId(fields.engineerId, fields.cycleEnd), ...fields });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    /** The engineer's review flags, oldest first: one possible per cycle end of each of its licences. */
    async flagsOf(engineerId: string): Promise<FlagRecord[]> {
      const licenceIds = (await this.licencesOf(engineerId)).map((l) => l.id);
      const ends = [...(await cyclesOfEach(licenceIds)).values()].flat().map((c) => flagId(engineerId, c.end));
      const docs = ends.length > 0 ? await byIds(flags)([...new Set(ends)]) : [];
      return docs.sort((a, b) => a.cycleEnd.getTime() - b.cycleEnd.getTime()).map(rec);
    },
  };
}
