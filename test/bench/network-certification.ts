/**
 * Network and certification at scale (a benchmark, not a timed test). Starts the whole
 * platform with the project's launcher on a throwaway data folder and free ports, seeds a realistic
 * network through the services' own store models — 5,500 centres in the four-level tree (1 HQ,
 * 30 regional centres, 1,500 star centres, 3,969 umbrella stores) and 100,000 engineers, each with a
 * licence, its yearly cycles and, for some, ledger entries — then measures through the gateway, one
 * request at a time after a warm-up, the p50/p99/max latency of:
 *   tree        networkTree under a regional centre (a province's whole network);
 *   centre      one centre with the first page of its engineers and their licence status;
 *   engineer    one engineer in full: centre, licence and ledger, licence history, exams, flags
 *               (it shows an engineer's detail reads by _id);
 *   violation   recordLicenceEvent with a fresh evidence key on a varied engineer.
 * Target: p99 < 100 ms for each. Every answer is checked for `errors`; an operation that gets one
 * stops, is reported FAILED and the run exits 1, so the figures printed are honest.
 *   node test/bench/network-certification.ts          (or ./starline bench:network)
 * Settings (defaults): BENCH_REQUESTS (300) measured requests per operation, BENCH_WARMUP (20),
 * BENCH_BUDGET_S (300) seconds per operation after which it stops early (for slow operations),
 * BENCH_SEED (42) for the generated data, BENCH_ENGINEERS (100000; fewer for a quick trial, at
 * least one per level-3/4 centre).
 * Prints the seeding times and a table, then the figures as JSON on the last line.
 */
import { randomUUID } from 'node:crypto';
import { DEV_JWT_SECRET, connectDatabase, env, mintToken } from '@starline/common';
import { percentile, post, startBenchStack } from './support.ts';
import {
  centreModel,
  writerModel,
  type CentreDoc,
  type StatusChangeDoc,
} from '../../services/network/src/store/models.ts';
import type { CentreStatus } from '../../services/network/src/rules/status.ts';
import { levelUnder } from '../../services/network/src/rules/tree.ts';
import { validateCreate, type CentreTier } from '../../services/network/src/rules/validate.ts';
import {
  cycleModel,
  engineerModel,
  entryModel,
  examModel,
  licenceModel,
  rosterModel,
  type CycleDoc,
  type EngineerDoc,
  type EntryDoc,
  type ExamDoc,
  type LicenceDoc,
} from '../../services/certification/src/store/models.ts';
import { cycleId, entryId, examId, licenceId } from '../../services/certification/src/store/certification.ts';
import { CAREER_LEVELS, EXAM_FOR_LEVEL, type CareerLevel } from '../../services/certification/src/rules/career.ts';
import { foldLedger, type LicenceStatus } from '../../services/certification/src/rules/licence.ts';
import { cycleEndFrom, type PointRule } from '../../services/certification/src/rules/policy.ts';
import { validateRegister } from '../../services/certification/src/rules/validate.ts';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 300);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 20);
const BUDGET_S = Number(process.env['BENCH_BUDGET_S'] ?? 300);
const SEED = Number(process.env['BENCH_SEED'] ?? 42);
const ENGINEERS = Number(process.env['BENCH_ENGINEERS'] ?? 100_000);
const STAR_CENTRES = 1_500;
const UMBRELLA_STORES = 3_969;
const CHUNK = 1_000;
const TARGET_P99_MS = 100;
const DAY_MS = 86_400_000;

/** What the seed takes from the standard in force, as the services do (they ask the standards service). */
export interface Standard {
  standardVersionId: string;
  maxPoints: number;
  warningAtOrBelow: number;
  cycleMonths: number;
  pointRules: PointRule[];
  productLines: string[];
}

// ---------------------------------------------------------------- deterministic randomness

/** mulberry32: the same seed gives the same network on every run, so runs are comparable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The draws a bench seeds with, from its own stream: uniform, whole, picked, weighted, an instant between. */
export function draws(seed: number) {
  const rand = prng(seed);
  const between = (min: number, max: number) => min + rand() * (max - min);
  return {
    rand,
    between,
    int: (min: number, max: number) => min + Math.floor(rand() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!,
    weighted<T>(items: readonly (readonly [T, number])[]): T {
      let r = rand() * items.reduce((sum, [, w]) => sum + w, 0);
      for (const [item, w] of items) if ((r -= w) < 0) return item;
      return items.at(-1)![0];
    },
    at: (from: number, to: number) => new Date(Math.floor(between(from, to))),
  };
}
const rand = prng(SEED);
const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
function weighted<T>(items: readonly (readonly [T, number])[]): T {
  let r = rand() * items.reduce((sum, [, w]) => sum + w, 0);
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items.at(-1)![0];
}
/** Distinct items, in the list's order. */
const sample = <T>(items: readonly T[], n: number): T[] => {
  const chosen = new Set<T>();
  while (chosen.size < Math.min(n, items.length)) chosen.add(pick(items));
  return items.filter((i) => chosen.has(i));
};
/** Splits `total` over `weights` exactly (largest remainder), at least `min` each. */
export function allocate(total: number, weights: readonly number[], min = 0): number[] {
  const rest = total - min * weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (rest * w) / sum);
  const counts = exact.map((x) => Math.floor(x));
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  const short = rest - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < short; k++) counts[order[k]![1]]! += 1;
  return counts.map((c) => c + min);
}

// ---------------------------------------------------------------- the network

/** 30 provinces (GB/T 2260 prefixes), weighted roughly by population; prefecture-level cities each. */
const PROVINCES = [
  ['110000', 'BJ', '北京', 4, 1],
  ['120000', 'TJ', '天津', 3, 1],
  ['130000', 'HE', '河北', 6, 11],
  ['140000', 'SX', '山西', 3, 11],
  ['150000', 'NM', '内蒙古', 2, 12],
  ['210000', 'LN', '辽宁', 4, 14],
  ['220000', 'JL', '吉林', 2, 9],
  ['230000', 'HL', '黑龙江', 3, 13],
  ['310000', 'SH', '上海', 4, 1],
  ['320000', 'JS', '江苏', 7, 13],
  ['330000', 'ZJ', '浙江', 6, 11],
  ['340000', 'AH', '安徽', 5, 16],
  ['350000', 'FJ', '福建', 4, 9],
  ['360000', 'JX', '江西', 4, 11],
  ['370000', 'SD', '山东', 7, 16],
  ['410000', 'HA', '河南', 7, 17],
  ['420000', 'HB', '湖北', 5, 13],
  ['430000', 'HN', '湖南', 5, 14],
  ['440000', 'GD', '广东', 8, 21],
  ['450000', 'GX', '广西', 4, 14],
  ['460000', 'HI', '海南', 1, 4],
  ['500000', 'CQ', '重庆', 3, 1],
  ['510000', 'SC', '四川', 6, 21],
  ['520000', 'GZ', '贵州', 3, 9],
  ['530000', 'YN', '云南', 4, 16],
  ['610000', 'SN', '陕西', 4, 10],
  ['620000', 'GS', '甘肃', 2, 14],
  ['630000', 'QH', '青海', 1, 8],
  ['640000', 'NX', '宁夏', 1, 5],
  ['650000', 'XJ', '新疆', 2, 14],
] as const;

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕鹏飞宇浩然晨阳子轩梓涵一鸣欣怡俊杰思远嘉怡文博';
const personName = () => pick([...SURNAMES]) + pick([...GIVEN]) + (rand() < 0.6 ? pick([...GIVEN]) : '');
const mobile = () => `1${int(3, 9)}${String(int(0, 999_999_999)).padStart(9, '0')}`;
const daysAgo = (now: Date, min: number, max: number) =>
  new Date(now.getTime() - int(min * 24, max * 24) * 3_600_000 - int(0, 3_599_999));
/** A district of a city: PPCCDD (municipalities have one "city", 01, and more districts). */
const district = (prefix: string, city: number, cities: number) =>
  `${prefix.slice(0, 2)}${String(city).padStart(2, '0')}${String(int(1, cities === 1 ? 16 : 9)).padStart(2, '0')}`;

const TIER_NAMES: Record<CentreTier, string> = {
  FLAGSHIP: '旗舰店',
  CORE: '核心站',
  STANDARD: '标准服务店',
  UMBRELLA: '伞下店',
};

export interface Built {
  centres: CentreDoc[];
  regional: CentreDoc[];
  /** Level 3 and 4: where engineers work. */
  outlets: CentreDoc[];
}

/** The history a centre would have from createServiceCentre and the status mutations, ending in `status`. */
function history(status: CentreStatus, createdAt: Date, now: Date, code: string, id: string): StatusChangeDoc[] {
  const at = (after: Date) =>
    new Date(
      after.getTime() + int(1, Math.max(1, Math.floor((now.getTime() - after.getTime()) / DAY_MS / 4))) * DAY_MS,
    );
  const out: StatusChangeDoc[] = [
    { from: null, to: 'ONBOARDING', at: createdAt, actor: 'ops-network', reason: 'created', evidence: null },
  ];
  if (status === 'ONBOARDING') return out;
  out.push({ from: 'ONBOARDING', to: 'ACTIVE', at: at(createdAt), actor: 'ops-network', reason: null, evidence: null });
  if (status === 'ACTIVE') return out;
  const suspendedAt = at(out.at(-1)!.at);
  const month = suspendedAt.toISOString().slice(0, 7);
  out.push({
    from: 'ACTIVE',
    to: 'SUSPENDED',
    at: suspendedAt,
    actor: 'system:evaluation',
    reason: `C grade in ${month}`,
    evidence: `evaluation:${month}:${id}`,
  });
  if (status === 'SUSPENDED') return out;
  out.push({
    from: 'SUSPENDED',
    to: 'ELIMINATED',
    at: at(suspendedAt),
    actor: 'ops-network',
    reason: `${code}: rectification failed`,
    evidence: `audit:${month}:${id}`,
  });
  return out;
}

/**
 * The four-level tree: 1 HQ, 30 regional centres, then star centres and umbrella stores in the
 * default proportions (1,500 and 3,969 for the default 5,500 centres; `size` at least 32 scales them).
 */
export function buildNetwork(
  now: Date,
  standard: Pick<Standard, 'productLines'>,
  size = STAR_CENTRES + UMBRELLA_STORES + 1 + PROVINCES.length,
): Built {
  const below = size - 1 - PROVINCES.length;
  if (!Number.isInteger(size) || below < 1)
    throw new RangeError(`a network needs at least ${2 + PROVINCES.length} centres, got ${size}`);
  const starCentres = Math.max(1, Math.round((below * STAR_CENTRES) / (STAR_CENTRES + UMBRELLA_STORES)));
  const umbrellaStores = below - starCentres;
  const centres: CentreDoc[] = [];
  const make = (f: {
    code: string;
    name: string;
    tier: CentreTier;
    parent: CentreDoc | null;
    region: string;
    serviceAreas: string[];
    productLines: string[];
    dailyCapacity: number;
    starRating: number | null;
    status: CentreStatus;
    createdAt: Date;
  }): CentreDoc => {
    const input = {
      code: f.code,
      name: f.name,
      tier: f.tier,
      parentId: f.parent?._id ?? null,
      region: f.region,
      serviceAreas: [...new Set(f.serviceAreas)],
      productLines: f.productLines,
      dailyCapacity: f.dailyCapacity,
      starRating: f.starRating,
      contact: { name: personName(), phone: mobile(), email: `${f.code.toLowerCase()}@partner.example.com` },
    };
    // The same rules createServiceCentre applies, so the seed holds nothing the API would refuse.
    const violations = validateCreate(input);
    if (violations.length > 0) throw new Error(`seed centre ${f.code} is invalid: ${JSON.stringify(violations)}`);
    const _id = randomUUID();
    const statusHistory = history(f.status, f.createdAt, now, f.code, _id);
    const doc: CentreDoc = {
      _id,
      ...input,
      level: levelUnder(f.parent?.level ?? null),
      status: f.status,
      statusHistory,
      createdBy: 'ops-network',
      createdAt: f.createdAt,
      updatedAt: statusHistory.at(-1)!.at,
    };
    centres.push(doc);
    return doc;
  };
  const all = standard.productLines;
  const hq = make({
    code: 'HQ',
    name: '顾客服务总部',
    tier: 'FLAGSHIP',
    parent: null,
    region: '370212',
    serviceAreas: PROVINCES.map((p) => p[0]),
    productLines: all,
    dailyCapacity: 0,
    starRating: null,
    status: 'ACTIVE',
    createdAt: daysAgo(now, 3000, 3300),
  });
  const regional: CentreDoc[] = [];
  const stars: { doc: CentreDoc; city: number; cities: number; prefix: string }[] = [];
  const starsPerProvince = allocate(
    starCentres,
    PROVINCES.map((p) => p[3]),
  );
  PROVINCES.forEach(([prefix, abbr, name, , cities], p) => {
    const capital = `${prefix.slice(0, 2)}0100`;
    const region = make({
      code: `R-${abbr}`,
      name: `${name}工贸技术服务中心`,
      tier: 'CORE',
      parent: hq,
      region: capital,
      serviceAreas: Array.from(
        { length: cities },
        (_, c) => `${prefix.slice(0, 2)}${String(c + 1).padStart(2, '0')}00`,
      ),
      productLines: all,
      dailyCapacity: int(20, 60),
      starRating: 5,
      status: 'ACTIVE',
      createdAt: daysAgo(now, 2500, 2900),
    });
    regional.push(region);
    for (let s = 1; s <= starsPerProvince[p]!; s++) {
      // The provincial capital has more centres than any other city.
      const city = rand() < 0.3 ? 1 : int(1, cities);
      const tier = weighted<CentreTier>([
        ['FLAGSHIP', 1],
        ['CORE', 2],
        ['STANDARD', 7],
      ]);
      const home = district(prefix, city, cities);
      const doc = make({
        code: `${abbr}${String(city).padStart(2, '0')}-${String(s).padStart(3, '0')}`,
        name: `${name}${TIER_NAMES[tier]}${s}号`,
        tier,
        parent: region,
        region: home,
        serviceAreas: [home, ...Array.from({ length: int(1, 5) }, () => district(prefix, city, cities))],
        productLines: tier === 'FLAGSHIP' ? all : sample(all, tier === 'CORE' ? int(4, 5) : int(2, 4)),
        dailyCapacity: tier === 'FLAGSHIP' ? int(80, 200) : tier === 'CORE' ? int(40, 100) : int(15, 50),
        starRating: tier === 'FLAGSHIP' ? 5 : int(2, 5),
        status: weighted<CentreStatus>([
          ['ACTIVE', 95],
          ['ONBOARDING', 3],
          ['SUSPENDED', 2],
        ]),
        createdAt: daysAgo(now, 60, 2400),
      });
      stars.push({ doc, city, cities, prefix });
    }
  });
  // An ONBOARDING star centre has no umbrella stores yet; bigger tiers carry more.
  const tierWeight = { FLAGSHIP: 5, CORE: 3.5, STANDARD: 2, UMBRELLA: 0 } as const;
  const umbrellaCounts = allocate(
    umbrellaStores,
    stars.map(({ doc }) => (doc.status === 'ONBOARDING' ? 0 : tierWeight[doc.tier] * (0.5 + rand()))),
  );
  stars.forEach(({ doc: star, city, cities, prefix }, i) => {
    for (let u = 1; u <= umbrellaCounts[i]!; u++) {
      const home = rand() < 0.5 ? star.region : district(prefix, city, cities);
      make({
        code: `${star.code}-U${u}`,
        name: `${star.name}伞下店${u}`,
        tier: 'UMBRELLA',
        parent: star,
        region: home,
        serviceAreas: [home, ...(rand() < 0.4 ? [pick(star.serviceAreas)] : [])],
        productLines: sample(star.productLines, int(1, Math.min(3, star.productLines.length))),
        dailyCapacity: int(4, 15),
        starRating: rand() < 0.3 ? null : int(1, 3),
        status:
          star.status === 'SUSPENDED'
            ? 'ACTIVE'
            : weighted<CentreStatus>([
                ['ACTIVE', 92],
                ['ONBOARDING', 3],
                ['SUSPENDED', 3],
                ['ELIMINATED', 2],
              ]),
        createdAt: new Date(Math.max(star.createdAt.getTime() + DAY_MS, daysAgo(now, 30, 1800).getTime())),
      });
    }
  });
  return { centres, regional, outlets: centres.filter((c) => c.level >= 3) };
}

// ---------------------------------------------------------------- engineers and licences

/**
 * How often each catalogue code happens (default catalogue): lateness and broken promises are common, overcharging
 * rare.
 */
const EVENT_FREQUENCY: Record<string, number> = {
  LATE_ARRIVAL: 30,
  PROMISE_BROKEN: 15,
  NON_STANDARD_SERVICE: 15,
  REPEAT_REPAIR: 10,
  OVERCHARGE: 2,
  MAJOR_COMPLAINT: 2,
  CUSTOMER_DELIGHT: 15,
  SMALL_IMPROVEMENT: 5,
  QUALITY_INFO_ADOPTED: 5,
};

let evidenceSeq = 0;
function ledger(
  standard: Standard,
  licence: string,
  engineerId: string,
  cycleIndex: number,
  from: Date,
  to: Date,
): EntryDoc[] {
  if (rand() >= 0.3) return [];
  const n = weighted([
    [1, 50],
    [2, 30],
    [3, 15],
    [4, 5],
  ] as const);
  return Array.from({ length: n }, () => {
    const rule = weighted(standard.pointRules.map((r) => [r, EVENT_FREQUENCY[r.code] ?? 1] as const));
    const evidenceKey =
      rule.code === 'MAJOR_COMPLAINT'
        ? `complaint:C-${++evidenceSeq}`
        : rule.kind === 'CREDIT'
          ? `feedback:F-${++evidenceSeq}`
          : `ticket:T-${++evidenceSeq}`;
    return {
      _id: entryId(licence, evidenceKey),
      licenceId: licence,
      engineerId,
      cycleIndex,
      code: rule.code,
      kind: rule.kind,
      points: rule.points,
      evidenceKey,
      recordedBy: rule.kind === 'CREDIT' ? 'ops-quality' : 'system:tickets',
      recordedAt: new Date(from.getTime() + Math.floor(rand() * (to.getTime() - from.getTime()))),
      note: null,
      standardVersionId: standard.standardVersionId,
    };
  });
}
const fold = (standard: Standard, entries: readonly EntryDoc[]) =>
  foldLedger(
    entries.map((e) => ({ ...e, id: e._id })),
    standard,
  );

interface EngineerBatch {
  engineers: EngineerDoc[];
  licences: LicenceDoc[];
  cycles: CycleDoc[];
  entries: EntryDoc[];
  exams: ExamDoc[];
  /** Engineers by centre, for the centres' rosters (written once all engineers are in). */
  rosters: Map<string, { id: string; number: string }[]>;
}

/**
 * One engineer as registerEngineer (and later promoteEngineer, recordLicenceEvent and the annual
 * review) would have left them: licence generation 1 issued at registration, rolled into a new
 * cycle every cycleMonths while not revoked, ledger entries in its cycles, the cached summary of the
 * current cycle, and the passed exams that each promotion needed.
 */
function addEngineer(
  out: EngineerBatch,
  standard: Standard,
  seq: number,
  centre: CentreDoc,
  now: Date,
  statuses: Record<LicenceStatus, number>,
): void {
  const _id = randomUUID();
  const createdAt = new Date(Math.max(centre.createdAt.getTime(), daysAgo(now, 1, 1600).getTime()));
  const level = weighted<CareerLevel>([
    ['SERVICE_TECHNICIAN', 55],
    ['SERVICE_ENGINEER', 30],
    ['SENIOR_ENGINEER', 12],
    ['GOLD_ENGINEER', 3],
  ]);
  const certifications = sample(centre.productLines, int(1, Math.min(3, centre.productLines.length))).map(
    (productLine) => {
      const issuedAt = new Date(createdAt.getTime() + int(0, 30) * DAY_MS);
      return { productLine, issuedAt, expiresAt: cycleEndFrom(issuedAt, 36) };
    },
  );
  const engineer = {
    number: `E-${String(seq).padStart(6, '0')}`,
    name: personName(),
    centreId: centre._id,
    level,
    certifications,
  };
  const violations = validateRegister(engineer);
  if (violations.length > 0)
    throw new Error(`seed engineer ${engineer.number} is invalid: ${JSON.stringify(violations)}`);

  const licence = licenceId(_id, 1);
  let start = createdAt;
  let index = 0;
  let entries: EntryDoc[];
  for (;;) {
    const end = cycleEndFrom(start, standard.cycleMonths);
    entries = ledger(standard, licence, _id, index, start, end < now ? end : now);
    // A past cycle that revoked would have stopped the rolling; keep past cycles unrevoked.
    if (end <= now && fold(standard, entries).status === 'REVOKED')
      entries = entries.filter((e) => e.kind === 'CREDIT');
    // The cycle carries the facts its points fold from, as recordLicenceEvent leaves it.
    const facts = entries.map((e) => ({ id: e._id, kind: e.kind, points: e.points, recordedAt: e.recordedAt }));
    out.cycles.push({ _id: cycleId(licence, index), licenceId: licence, index, start, end, facts });
    out.entries.push(...entries);
    if (end > now) break;
    start = end;
    index += 1;
  }
  const summary = fold(standard, entries);
  statuses[summary.status] += 1;
  const computedAt = entries.reduce((at, e) => (e.recordedAt > at ? e.recordedAt : at), start);
  out.licences.push({
    _id: licence,
    engineerId: _id,
    generation: 1,
    issuedAt: createdAt,
    archivedAt: null,
    archivedReason: null,
    summary: { pointsRemaining: summary.pointsRemaining, status: summary.status, computedAt },
    cycleHint: index,
  });
  let updatedAt = createdAt;
  for (const [i, step] of (
    CAREER_LEVELS.slice(1, CAREER_LEVELS.indexOf(level) + 1) as Exclude<CareerLevel, 'SERVICE_TECHNICIAN'>[]
  ).entries()) {
    const takenAt = new Date(Math.min(now.getTime() - DAY_MS, updatedAt.getTime() + int(90, 300) * DAY_MS));
    out.exams.push({
      _id: examId(_id, i + 1),
      n: i + 1,
      engineerId: _id,
      kind: EXAM_FOR_LEVEL[step],
      passed: true,
      score: int(60, 100),
      takenAt,
      recordedBy: 'ops-training',
      recordedAt: takenAt,
    });
    updatedAt = new Date(takenAt.getTime() + DAY_MS);
  }
  out.engineers.push({ _id, ...engineer, createdBy: 'ops-network', createdAt, updatedAt });
  const roster = out.rosters.get(centre._id) ?? [];
  roster.push({ id: _id, number: engineer.number });
  out.rosters.set(centre._id, roster);
}

// ---------------------------------------------------------------- measuring

interface Figures {
  /** Measured requests (warm-up excluded). */
  requests: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meetsTarget: boolean;
  /** The time budget ran out before BENCH_REQUESTS. */
  cutShort: boolean;
  /** The first wrong answer or error, which ends the operation's run. */
  error: string | null;
}

/**
 * Sequential requests, one at a time, after up to `WARMUP` unmeasured ones; `check` throws on a
 * wrong answer. Stops after BENCH_REQUESTS or once BUDGET_S is spent (at least one measured
 * request), so an operation that takes seconds per request yields its figures in bounded time.
 */
async function measure(
  name: string,
  run: (i: number) => Promise<Record<string, any>>,
  check: (data: Record<string, any>) => void,
): Promise<Figures> {
  process.stderr.write(`${name}: up to ${WARMUP} warm-up requests, then ${REQUESTS} (budget ${BUDGET_S} s)…\n`);
  const began = performance.now();
  const spent = () => (performance.now() - began) / 1000;
  let reported = performance.now();
  const ms: number[] = [];
  let error: string | null = null;
  try {
    // Warming (JIT, pools, caches) gets a tenth of the budget at most: a request that takes seconds isn't cold.
    for (let i = 0; i < WARMUP && (i === 0 || spent() < BUDGET_S / 10); i++) check(await run(i));
    for (let i = WARMUP; ms.length < REQUESTS && (ms.length === 0 || spent() < BUDGET_S); i++) {
      const t = performance.now();
      const data = await run(i);
      ms.push(performance.now() - t);
      check(data);
      if (performance.now() - reported > 30_000) {
        reported = performance.now();
        process.stderr.write(`  ${ms.length} requests, ${spent().toFixed(0)} s\n`);
      }
    }
  } catch (e) {
    error = (e as Error).message;
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number | undefined) => (x === undefined ? null : +x.toFixed(1));
  const p99 = sorted.length ? percentile(sorted, 99) : Infinity;
  return {
    requests: sorted.length,
    p50Ms: round(sorted.length ? percentile(sorted, 50) : undefined),
    p99Ms: round(sorted.length ? p99 : undefined),
    maxMs: round(sorted.at(-1)),
    meetsTarget: !error && p99 < TARGET_P99_MS,
    cutShort: !error && sorted.length < REQUESTS,
    error,
  };
}

const STANDARD = `{
  standardInForce { id productLines { code } pointRules { code kind points } licencePolicy { maxPoints warningAtOrBelow
  cycleMonths } }
}`;
const TREE = `query Tree($rootId: ID!) {
  networkTree(rootId: $rootId, depth: 2) { truncated root { id code } nodes { depth parentId centre { id code name tier
  level status } } }
}`;
const CENTRE = `query Centre($id: ID!) {
  serviceCentre(id: $id) {
    id code name tier level status
    engineers(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { node { id number name level licence {
    status pointsRemaining } } } }
  }
}`;
const ENGINEER = `query Engineer($id: ID!) {
  engineer(id: $id) {
    number name level centre { code name }
    licence { status pointsRemaining cycleEnd ledger { code points evidenceKey recordedAt } }
    licenceHistory { generation status } exams { kind passed takenAt } reviewFlags { cycleEnd reason }
  }
}`;
const VIOLATION = `mutation Violation($engineerId: ID!, $code: String!, $evidenceKey: String!) {
  recordLicenceEvent(engineerId: $engineerId, code: $code, evidenceKey: $evidenceKey) { id code points evidenceKey
  recordedAt }
}`;

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const bench = await startBenchStack('starline-bench-network-');
  const { stack, conns } = bench;
  await bench.run(async () => {
    const token = await mintToken({ sub: 'bench-operator', roles: ['OPERATOR'] }, DEV_JWT_SECRET, '8h');
    const url = stack.gatewayUrl;
    const inForce = (await post(url, token, STANDARD, {}))['standardInForce'] as {
      id: string;
      productLines: { code: string }[];
      pointRules: PointRule[];
      licencePolicy: Omit<Standard, 'standardVersionId' | 'pointRules' | 'productLines'>;
    };
    const standard: Standard = {
      standardVersionId: inForce.id,
      ...inForce.licencePolicy,
      pointRules: inForce.pointRules,
      productLines: inForce.productLines.map((l) => l.code),
    };
    const violations = standard.pointRules.filter((r) => r.kind === 'VIOLATION');

    // The databases the services use (each service's main.ts), with the services' own models.
    const networkDb = await connectDatabase(stack.mongodbUri, env('NETWORK_DB', 'starline_network'));
    const certificationDb = await connectDatabase(stack.mongodbUri, env('CERTIFICATION_DB', 'starline_certification'));
    conns.push(networkDb, certificationDb);
    const now = new Date();

    process.stderr.write('seeding centres…\n');
    let began = performance.now();
    const network = buildNetwork(now, standard);
    const centres = centreModel(networkDb);
    for (let i = 0; i < network.centres.length; i += CHUNK)
      await centres.insertMany(network.centres.slice(i, i + CHUNK));
    // The seed is one more writer of centres: its count tells the network service to reload its tree.
    await writerModel(networkDb).create({
      _id: `bench-seed-${randomUUID()}`,
      writes: network.centres.length,
      at: new Date(),
    });
    const centresSeconds = (performance.now() - began) / 1000;
    process.stderr.write(`  ${network.centres.length} centres in ${centresSeconds.toFixed(1)} s\n`);

    process.stderr.write('seeding engineers…\n');
    began = performance.now();
    const models = {
      engineers: engineerModel(certificationDb),
      licences: licenceModel(certificationDb),
      cycles: cycleModel(certificationDb),
      entries: entryModel(certificationDb),
      exams: examModel(certificationDb),
    };
    const perCentre = allocate(
      ENGINEERS,
      network.outlets.map(
        (c) => ({ FLAGSHIP: 60, CORE: 35, STANDARD: 20, UMBRELLA: 8 })[c.tier] * (0.6 + 0.8 * rand()),
      ),
      1,
    );
    const statuses: Record<LicenceStatus, number> = { EXEMPLARY: 0, NORMAL: 0, WARNING: 0, REVOKED: 0 };
    const counts = { engineers: 0, licences: 0, cycles: 0, entries: 0, exams: 0 };
    const engineerIds: string[] = [];
    const flush = async (b: EngineerBatch) => {
      await Promise.all([
        models.engineers.insertMany(b.engineers),
        models.licences.insertMany(b.licences),
        models.cycles.insertMany(b.cycles),
        b.entries.length > 0 ? models.entries.insertMany(b.entries) : null,
        b.exams.length > 0 ? models.exams.insertMany(b.exams) : null,
      ]);
      for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += b[k].length;
    };
    // Rosters fill across batches: a centre's engineers may span two.
    const rosters: EngineerBatch['rosters'] = new Map();
    const empty = (): EngineerBatch => ({ engineers: [], licences: [], cycles: [], entries: [], exams: [], rosters });
    let batch = empty();
    let seq = 0;
    for (const [i, centre] of network.outlets.entries()) {
      for (let k = 0; k < perCentre[i]!; k++) addEngineer(batch, standard, ++seq, centre, now, statuses);
      if (batch.engineers.length >= CHUNK) {
        engineerIds.push(...batch.engineers.map((e) => e._id));
        await flush(batch);
        batch = empty();
        if (counts.engineers % 10_000 < CHUNK)
          process.stderr.write(
            `  ${counts.engineers} engineers, ${((performance.now() - began) / 1000).toFixed(0)} s\n`,
          );
      }
    }
    engineerIds.push(...batch.engineers.map((e) => e._id));
    await flush(batch);
    const rosterDocs = [...rosters].map(([centreId, engineers]) => ({ _id: centreId, engineers }));
    for (let i = 0; i < rosterDocs.length; i += CHUNK)
      await rosterModel(certificationDb).insertMany(rosterDocs.slice(i, i + CHUNK));
    const engineersSeconds = (performance.now() - began) / 1000;
    const treeSizes = network.regional.map((r) => {
      const stars = network.centres.filter((c) => c.parentId === r._id).map((c) => c._id);
      return 1 + stars.length + network.centres.filter((c) => c.parentId !== null && stars.includes(c.parentId)).length;
    });
    console.log(
      `\nseeded ${network.centres.length} centres ` +
        `(${[1, 2, 3, 4].map((l) => network.centres.filter((c) => c.level === l).length).join(' / ')} at ` +
        `levels 1–4) in ${centresSeconds.toFixed(1)} s`,
    );
    console.log(
      `seeded ${counts.engineers} engineers with ${counts.licences} licences, ${counts.cycles} cycles, ` +
        `${counts.entries} ledger entries and ${counts.exams} exams in ${engineersSeconds.toFixed(1)} s`,
    );
    console.log(
      `licence statuses: ${Object.entries(statuses)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    );
    console.log(`a region's tree: ${Math.min(...treeSizes)}–${Math.max(...treeSizes)} nodes`);
    // What a query that reads a whole collection costs here (FerretDB v1 on SQLite pushes down only
    // a lone `_id` filter; every other filter is applied to every document): explains the figures below.
    const fullScanMs: Record<string, number> = {};
    for (const model of [centres, models.engineers, models.licences, models.cycles, models.entries] as const) {
      const t = performance.now();
      await (model.countDocuments as (filter: object) => Promise<number>)({});
      fullScanMs[model.collection.collectionName] = Math.round(performance.now() - t);
    }
    console.log(
      `one full scan (countDocuments {}): ${Object.entries(fullScanMs)
        .map(([c, ms]) => `${c} ${ms} ms`)
        .join(', ')}`,
    );
    // …and what the `_id` lookups the request paths are built from cost, on the same collections.
    const idLookupMs: Record<string, number> = {};
    const someEngineers = Array.from({ length: 50 }, () => pick(engineerIds));
    for (const [model, idOf] of [
      [models.engineers, (e: string) => e],
      [models.licences, (e: string) => licenceId(e, 1)],
      [models.cycles, (e: string) => cycleId(licenceId(e, 1), 0)],
    ] as const) {
      const t = performance.now();
      for (const e of someEngineers)
        await (model.findById as (id: string) => { lean: () => Promise<unknown> })(idOf(e)).lean();
      idLookupMs[model.collection.collectionName] = +((performance.now() - t) / someEngineers.length).toFixed(1);
    }
    console.log(
      `one _id lookup (mean of ${someEngineers.length}): ${Object.entries(idLookupMs)
        .map(([c, ms]) => `${c} ${ms} ms`)
        .join(', ')}\n`,
    );

    // The network service noticed the seed's write count on its first tree read after it; until its
    // reload finishes it answers from the tree it had (empty). Measure the tree it serves afterwards.
    began = performance.now();
    const probe = { rootId: network.regional[0]!._id };
    while ((await post(url, token, TREE, probe))['networkTree'].nodes.length < 2) {
      if (performance.now() - began > 300_000)
        throw new Error('the network service did not reload its tree within 300 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(
      `the network service reloaded its tree ${((performance.now() - began) / 1000).toFixed(1)} s after the seed\n`,
    );

    const runId = Date.now().toString(36);
    const results = {
      tree: await measure(
        'network tree of a region',
        (i) => post(url, token, TREE, { rootId: network.regional[i % network.regional.length]!._id }),
        (d) => {
          if (d['networkTree'].truncated || d['networkTree'].nodes.length < 2)
            throw new Error(`unexpected tree: ${JSON.stringify(d).slice(0, 300)}`);
        },
      ),
      centre: await measure(
        'a centre with its engineers (first page)',
        () => post(url, token, CENTRE, { id: pick(network.outlets)._id }),
        (d) => {
          const edges = d['serviceCentre']?.engineers.edges as { node: { licence: unknown } }[] | undefined;
          if (!edges?.length || edges.some((e) => !e.node.licence))
            throw new Error(`unexpected centre page: ${JSON.stringify(d).slice(0, 300)}`);
        },
      ),
      engineer: await measure(
        'one engineer in full',
        () => post(url, token, ENGINEER, { id: pick(engineerIds) }),
        (d) => {
          if (!d['engineer']?.licence || !d['engineer'].centre)
            throw new Error(`unexpected engineer: ${JSON.stringify(d).slice(0, 300)}`);
        },
      ),
      violation: await measure(
        'record a violation',
        (i) =>
          post(url, token, VIOLATION, {
            engineerId: pick(engineerIds),
            code: pick(violations).code,
            evidenceKey: `bench:${runId}:${i}`,
          }),
        (d) => {
          if (d['recordLicenceEvent']?.points >= 0) throw new Error(`unexpected entry: ${JSON.stringify(d)}`);
        },
      ),
    };

    const label = {
      tree: 'network tree of a region',
      centre: 'centre + engineers (first 20)',
      engineer: 'engineer: ledger, exams, flags',
      violation: 'record a violation',
    };
    console.log(
      `through the gateway, sequential, up to ${REQUESTS} requests each (budget ${BUDGET_S} s) after a ` +
        `warm-up; target p99 < ${TARGET_P99_MS} ms`,
    );
    console.log('operation                         requests     p50 ms     p99 ms     max ms   target');
    for (const [k, f] of Object.entries(results)) {
      const cell = (v: number | null) => (v === null ? '-' : v.toFixed(1)).padStart(11);
      const verdict = f.error ? 'FAILED' : f.meetsTarget ? 'met' : 'MISSED';
      console.log(
        `${label[k as keyof typeof label].padEnd(32)}${String(f.requests).padStart(9)}${cell(f.p50Ms)}` +
          `${cell(f.p99Ms)}${cell(f.maxMs)} ` +
          `` +
          `` +
          `  ${verdict}${f.cutShort ? ' (budget reached)' : ''}`,
      );
    }
    const failed = Object.entries(results).filter(([, f]) => f.error);
    for (const [k, f] of failed) console.log(`${k} failed: ${f.error}`);
    console.log(
      JSON.stringify({
        centres: network.centres.length,
        ...counts,
        licenceStatuses: statuses,
        seed: { centresSeconds: +centresSeconds.toFixed(1), engineersSeconds: +engineersSeconds.toFixed(1) },
        fullScanMs,
        idLookupMs,
        maxRequests: REQUESTS,
        budgetSeconds: BUDGET_S,
        targetP99Ms: TARGET_P99_MS,
        ...results,
      }),
    );
    // Failing loudly: figures with errors behind them are not figures.
    if (failed.length > 0) process.exitCode = 1;
  });
}

// Run only as the entry point: evaluation.ts imports the network builder from here.
if (import.meta.url === `file://${process.argv[1]}`) await main();
