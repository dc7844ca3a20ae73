import {
  IDS_PER_QUERY,
  KPI_COUNTERS,
  shanghaiMonth,
  type CentreMonthCredits,
  type CentreMonthTickets,
  type KpiCounters,
  type RequestContext,
} from '@starline/common';
import { atRiskOfSuspension, cGradesEarlierInYear, consequenceOf } from '../rules/consequences.ts';
import { earlierMonthsOfYear, policyOf, policyProblems } from '../rules/evaluation-run.ts';
import { scorecard } from '../rules/scorecard.ts';
import type { CentreRecord } from '../store/centres.ts';
import { forbiddenScorecards, maySeeScorecardsOf, requireEvaluationReader, seesAllScorecards } from './access.ts';
import type { NetworkDeps } from './deps.ts';
import { liveScorecardView, type ScorecardView } from './scorecard-view.ts';

/** Asks in chunks (each answer has one entry per centre asked) and joins the answers by centre. */
async function byCentre<T extends { centreId: string }>(
  ids: readonly string[],
  ask: (chunk: string[]) => Promise<T[]>,
): Promise<Map<string, T>> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) chunks.push(ids.slice(i, i + IDS_PER_QUERY));
  const answers = await Promise.all(chunks.map(ask));
  return new Map(answers.flat().map((a) => [a.centreId, a] as const));
}

const NO_COUNTERS = Object.fromEntries(KPI_COUNTERS.map((c) => [c, 0])) as KpiCounters;

/** What the live scorecards of a month are computed from: the owners' figures as of `asOf`. */
interface MonthSoFar {
  month: string;
  asOf: Date;
  facts: ReadonlyMap<string, CentreMonthTickets>;
  credits: ReadonlyMap<string, CentreMonthCredits>;
}

/**
 * Scores each centre's month so far (docs/domain.md §6 live scorecard) with the standard in force now.
 * The warning (`atRiskOfSuspension`) compares the month's grade so far with the C grades recorded
 * earlier in the year.
 */
async function scoreSoFar(
  deps: NetworkDeps,
  centres: readonly CentreRecord[],
  soFar: MonthSoFar,
): Promise<ScorecardView[]> {
  const { month, asOf } = soFar;
  const [policyInput, grades] = await Promise.all([
    deps.live.policy(),
    deps.store.gradesIn(
      centres.map((c) => c.id),
      earlierMonthsOfYear(month),
    ),
  ]);
  const problems = policyProblems(policyInput);
  if (problems.length > 0)
    throw new Error(`the evaluation policy of the standard in force is unusable: ${problems.join('; ')}`);
  const policy = policyOf(policyInput);
  return centres.map((c) => {
    const t = soFar.facts.get(c.id);
    const k = soFar.credits.get(c.id);
    const card = scorecard(
      {
        ...(t?.counters ?? NO_COUNTERS),
        leftover: t?.leftover ?? 0,
        qualityInfoAdopted: k?.qualityInfoAdopted ?? 0,
        serviceInnovation: k?.serviceInnovation ?? 0,
      },
      policy,
    );
    const cGradesBefore = cGradesEarlierInYear(
      grades.filter((g) => g.centreId === c.id),
      month,
    );
    return liveScorecardView(c, month, asOf, policy.standardVersionId, card, {
      cGradesBefore,
      consequence: consequenceOf(cGradesBefore, card.grade, policy.consequences),
      atRiskOfSuspension: atRiskOfSuspension(card.grade, cGradesBefore, policy.consequences),
    });
  });
}

/** The live scorecards of many centres, their figures asked of the owners through Temporal (centresAtRisk). */
export async function liveScorecards(deps: NetworkDeps, centres: readonly CentreRecord[]): Promise<ScorecardView[]> {
  if (centres.length === 0) return [];
  const asOf = deps.now();
  const month = shanghaiMonth(asOf);
  const ids = centres.map((c) => c.id);
  const [facts, credits] = await Promise.all([
    byCentre<CentreMonthTickets>(ids, (centreIds) => deps.live.facts({ month, asOf: asOf.toISOString(), centreIds })),
    byCentre<CentreMonthCredits>(ids, (centreIds) => deps.live.credits({ month, centreIds })),
  ]);
  return scoreSoFar(deps, centres, { month, asOf, facts, credits });
}

/** The month-so-far fields the gateway fetched from the tickets and certification subgraphs (@requires). */
export interface RequiredSoFar {
  ticketsSoFar?: ({ month: string; asOf: string; leftover: number } & KpiCounters) | null;
  creditsSoFar?: { month: string; qualityInfoAdopted: number; serviceInnovation: number } | null;
}

/**
 * ServiceCentre.liveScorecard: the centre's partner and HQ roles. Its figures come with the
 * request (the gateway fetched them from their owners, one hop each, no Temporal round trip); the
 * month is the tickets subgraph's. Credits read across a month's turn are asked again for that month.
 */
export async function liveScorecard(
  deps: NetworkDeps,
  ctx: RequestContext,
  centre: CentreRecord & RequiredSoFar,
): Promise<ScorecardView | null> {
  const claims = requireEvaluationReader(ctx.claims);
  if (!maySeeScorecardsOf(claims, centre.id)) throw forbiddenScorecards();
  const tickets = centre.ticketsSoFar;
  if (!tickets) throw new Error('the tickets subgraph gave no figures for the live scorecard');
  const { month, asOf, leftover, ...counters } = tickets;
  const credits =
    centre.creditsSoFar?.month === month
      ? { centreId: centre.id, ...centre.creditsSoFar }
      : (await deps.live.credits({ month, centreIds: [centre.id] }))[0];
  const [card] = await scoreSoFar(deps, [centre], {
    month,
    asOf: new Date(asOf),
    facts: new Map([[centre.id, { centreId: centre.id, counters, leftover }]]),
    credits: new Map(credits ? [[centre.id, credits]] : []),
  });
  return card ?? null;
}

/**
 * Centres with a C recorded earlier this year whose month so far is another C (docs/domain.md §6: at risk
 * of suspension; each scorecard's `consequence` says what that C would do under the standard in
 * force). Only those centres are computed live: the candidates come from the months of the
 * year whose evaluation was confirmed (their packed rankings, one `_id` read per month), and their C
 * count is then read from the recorded grades. ELIMINATED centres are left out (nothing more can
 * happen to them). Worst adjusted score first.
 */
export async function centresAtRisk(deps: NetworkDeps, ctx: RequestContext): Promise<ScorecardView[]> {
  const claims = requireEvaluationReader(ctx.claims);
  const months = earlierMonthsOfYear(shanghaiMonth(deps.now()));
  const confirmed = (await deps.store.evaluations.findMany(months)).filter(
    (r) => r.state === 'CONFIRMING' || r.state === 'CONFIRMED',
  );
  const rankings = await Promise.all(
    confirmed.map(async (r) => ({ r, ranking: await deps.store.evaluations.ranking(r.month) })),
  );
  const withC = new Set<string>();
  for (const { r, ranking } of rankings) {
    if (ranking?.run !== r.run) continue;
    for (const [centreId, , , grade] of ranking.entries) if (grade === 'C') withC.add(centreId);
  }
  const ids = [...withC].filter((id) => seesAllScorecards(claims) || id === claims.centreId);
  const centres = (await deps.store.findMany(ids)).filter((c) => c.status === 'ACTIVE' || c.status === 'SUSPENDED');
  const live = await liveScorecards(deps, centres);
  return live
    .filter((c) => c.cGradesBefore >= 1 && c.grade === 'C')
    .sort(
      (a, b) => (a.adjustedScore ?? 0) - (b.adjustedScore ?? 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    );
}
