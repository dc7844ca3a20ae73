import type { EvaluationPolicyInput, KpiCounters, NetworkActivities } from '@starline/common';
import { as } from '../../../common/test/harness.ts';
import { DEFAULT_EVALUATION_POLICY, Q, ZERO_COUNTERS, centreInput, expectOk, type Harness } from './support.ts';

/**
 * A small network and its October 2026, shared by the evaluation tests. Every figure below is worked
 * out by hand in the tests from these counts and the default standard (docs/domain.md §3).
 */
export const MONTH = '2026-10';

/** The default standard, but only the top 1 A is awarded and the bottom 1 C penalised (so the cut shows). */
export const POLICY: EvaluationPolicyInput = {
  ...DEFAULT_EVALUATION_POLICY,
  consequences: {
    ...DEFAULT_EVALUATION_POLICY.consequences,
    awardTopN: 1,
    penaltyBottomN: 1,
    awardFen: 200_000,
    penaltyFen: 150_000,
  },
};

export type Name = 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X';

interface MonthFacts {
  counters: KpiCounters;
  leftover: number;
  qualityInfoAdopted: number;
  serviceInnovation: number;
}

const month = (counters: Partial<KpiCounters>, extra: Partial<Omit<MonthFacts, 'counters'>> = {}): MonthFacts => ({
  counters: { ...ZERO_COUNTERS, ...counters },
  leftover: 0,
  qualityInfoAdopted: 0,
  serviceInnovation: 0,
  ...extra,
});

/** October's counts of each centre evaluated (V, W are not: never active / eliminated in September). */
export const OCTOBER: Partial<Record<Name, MonthFacts>> = {
  // Perfect, parts not measured (none replaced), one quality report adopted: 100 + 2 = 102, A.
  P: month(
    {
      dispatched: 20,
      completions: 20,
      completionsReportedInTime: 20,
      answeredCallbacks: 20,
      satisfiedCallbacks: 20,
      delightCompletions: 2,
    },
    { qualityInfoAdopted: 1 },
  ),
  // Leftover 1/20 = 0.05 between target 0.02 and floor 0.10 → 62.5; the rest 100: 94.375, A.
  Q: month(
    {
      dispatched: 20,
      completions: 20,
      completionsReportedInTime: 20,
      answeredCallbacks: 20,
      satisfiedCallbacks: 19,
      partsReplaced: 2,
      delightCompletions: 1,
    },
    { leftover: 1 },
  ),
  // Satisfaction 7/8 = 0.875 → 50; parts no data, weights over 90: (30×50 + 15×100 + 15×100 + 20×100 + 10×100) / 90 =
  // 83.333333, B.
  R: month({
    dispatched: 10,
    completions: 10,
    completionsReportedInTime: 10,
    answeredCallbacks: 8,
    satisfiedCallbacks: 7,
    delightCompletions: 1,
  }),
  // Satisfaction 4/5 = 0.8 → 0, complaints 1/10 → 0, delight 0 → 0: 3000 / 90 = 33.333333, one major complaint −10 →
  // 23.333333, C.
  S: month({
    dispatched: 10,
    completions: 10,
    completionsReportedInTime: 10,
    answeredCallbacks: 5,
    satisfiedCallbacks: 4,
    complaints: 1,
    majorComplaints: 1,
  }),
  // As S without the major complaint: 33.333333, C.
  T: month({
    dispatched: 10,
    completions: 10,
    completionsReportedInTime: 10,
    answeredCallbacks: 5,
    satisfiedCallbacks: 4,
    complaints: 1,
  }),
  // Everything at target (100) but 3 completions < 10: not graded.
  U: month({
    dispatched: 3,
    completions: 3,
    completionsReportedInTime: 3,
    answeredCallbacks: 3,
    satisfiedCallbacks: 3,
    delightCompletions: 1,
  }),
  // Eliminated on 20 October after a quiet month: nothing measured, not graded.
  X: month({}),
};

export interface Network {
  ids: Record<Name, string>;
  codes: Record<Name, string>;
}

/**
 * Creates the network while the clock reads 2026 (the status history is what says who was active in
 * October): P…U and X active since August, V still ONBOARDING, W eliminated in September, X on
 * 20 October. S has a C in March (and one in 2025), T in February and May: October's C is S's 2nd
 * and T's 3rd. P has A in August and September (a run of three with October), Q in September only.
 */
export async function seedNetwork(
  h: Harness,
  acts: NetworkActivities,
  setClock: (iso: string) => void,
): Promise<Network> {
  const ids = {} as Record<Name, string>;
  const codes = {} as Record<Name, string>;
  setClock('2026-08-10T02:00:00Z');
  const hq = expectOk(
    await h.run(as.operator(), Q.create, {
      input: centreInput({ tier: 'FLAGSHIP', region: '110101', serviceAreas: ['110101'] }),
    }),
  ).createServiceCentre;
  for (const name of ['P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X'] as Name[]) {
    // P and Q sit in Shanghai 310115, the rest in Hangzhou 330106 (for the region filter).
    const region = name === 'P' || name === 'Q' ? '310115' : '330106';
    const c = expectOk(
      await h.run(as.operator(), Q.create, {
        input: centreInput({
          code: `EV-${name}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`,
          parentId: hq.id,
          region,
          serviceAreas: [region],
        }),
      }),
    ).createServiceCentre;
    ids[name] = c.id;
    codes[name] = c.code;
    if (name !== 'V') expectOk(await h.run(as.operator(), Q.activate, { id: c.id }));
  }
  setClock('2026-09-10T02:00:00Z');
  expectOk(
    await h.run(as.operator(), Q.eliminate, { id: ids.W, reason: 'closed down', evidence: 'audit:2026-09:closure' }),
  );
  setClock('2026-10-20T02:00:00Z');
  expectOk(
    await h.run(as.operator(), Q.eliminate, {
      id: ids.X,
      reason: 'contract ended',
      evidence: 'audit:2026-10:contract',
    }),
  );
  const grade = (name: Name, m: string, g: 'A' | 'B' | 'C') =>
    acts.recordGrade({
      centreId: ids[name],
      month: m,
      grade: g,
      score: g === 'A' ? 95 : g === 'B' ? 80 : 60,
      standardVersionId: 'standard-default',
      evaluationId: `evaluation-${m}`,
    });
  await grade('S', '2025-11', 'C');
  await grade('S', '2026-03', 'C');
  await grade('T', '2026-02', 'C');
  await grade('T', '2026-05', 'C');
  await grade('P', '2026-08', 'A');
  await grade('P', '2026-09', 'A');
  await grade('Q', '2026-09', 'A');
  setClock('2026-12-04T02:00:00Z');
  return { ids, codes };
}

/** The workflow's compute phase, by hand: begin, then pages of centres with their facts, stored, then ranked. */
export async function compute(
  acts: NetworkActivities,
  net: Network,
  opts: {
    run: number;
    facts?: Partial<Record<Name, MonthFacts>>;
    batch?: number;
    policy?: EvaluationPolicyInput;
    requestedBy?: string;
  },
) {
  const facts = opts.facts ?? OCTOBER;
  const policy = opts.policy ?? POLICY;
  const nameOf = new Map(Object.entries(net.ids).map(([n, id]) => [id, n as Name]));
  const begun = await acts.beginEvaluationRun({
    month: MONTH,
    run: opts.run,
    standardVersionId: policy.standardVersionId,
    requestedBy: opts.requestedBy ?? 'operator-1',
  });
  let after: string | null = null;
  let done = 0;
  do {
    const page: Awaited<ReturnType<NetworkActivities['evaluationCentres']>> = await acts.evaluationCentres({
      month: MONTH,
      after,
      limit: opts.batch ?? 3,
    });
    const centres = page.centres.map((centre) => {
      const f = facts[nameOf.get(centre.centreId)!] ?? month({});
      return {
        centre,
        tickets: { centreId: centre.centreId, counters: f.counters, leftover: f.leftover },
        credits: {
          centreId: centre.centreId,
          qualityInfoAdopted: f.qualityInfoAdopted,
          serviceInnovation: f.serviceInnovation,
        },
      };
    });
    if (centres.length > 0)
      await acts.storeScorecards({ month: MONTH, run: opts.run, policy, doneBefore: done, centres });
    done += centres.length;
    after = page.nextCursor;
  } while (after);
  const finished = await acts.finishEvaluationRun({ month: MONTH, run: opts.run });
  return { begun, finished };
}
