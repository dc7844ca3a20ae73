/**
 * What a standard holds (docs/domain.md §3). The same shape is stored, validated and served, so a
 * reader can follow one field from the contract to the database without a translation layer.
 */

export const KPI_CODES = [
  'SATISFACTION_RATE',
  'INFORMATION_TIMELINESS',
  'DISPATCH_LEFTOVER',
  'COMPLAINT_RATE',
  'PARTS_MISJUDGEMENT',
  'DELIGHT_RATE',
] as const;
export type KpiCode = (typeof KPI_CODES)[number];

export const KPI_DIRECTIONS = ['HIGHER_IS_BETTER', 'LOWER_IS_BETTER'] as const;
export type KpiDirection = (typeof KPI_DIRECTIONS)[number];

export const POINT_RULE_KINDS = ['VIOLATION', 'CREDIT'] as const;
export type PointRuleKind = (typeof POINT_RULE_KINDS)[number];

export const SERVICE_TYPES = ['INSTALL', 'REPAIR', 'MAINTENANCE', 'INSPECTION'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const AREA_CLASSES = ['URBAN', 'RURAL'] as const;
export type AreaClass = (typeof AREA_CLASSES)[number];

/** An out-of-warranty charge is for a part or for the work itself. */
export const PRICE_ITEM_KINDS = ['PART', 'LABOUR'] as const;
export type PriceItemKind = (typeof PRICE_ITEM_KINDS)[number];

export type Grade = 'A' | 'B' | 'C';

export interface ComplaintResponseHours {
  level1: number;
  level2: number;
  level3: number;
}

export interface SlaClocks {
  acceptMinutes: number;
  maxDispatchAttempts: number;
  firstContactMinutes: number;
  /**
   * No check-in this long after the appointment window's end is a missed appointment (承诺不兑现);
   * a check-in after the window's end but before this is a late arrival.
   */
  missedAppointmentMinutes: number;
  completionReportMinutes: number;
  callbackHours: number;
  callbackMaxAttempts: number;
  repeatRepairDays: number;
  complaintResponseHours: ComplaintResponseHours;
}

export interface PointRule {
  code: string;
  kind: PointRuleKind;
  points: number;
  label: string;
}

export interface KpiDefinition {
  code: KpiCode;
  name: string;
  formula: string;
  direction: KpiDirection;
  target: number;
  floor: number;
  weight: number;
}

export interface IncentivePoints {
  qualityInfoAdopted: number;
  serviceInnovation: number;
  majorComplaint: number;
}

export interface Grading {
  aMinScore: number;
  bMinScore: number;
  minCompletions: number;
}

export interface Consequences {
  suspendAtCGrades: number;
  eliminateAtCGrades: number;
  awardTopN: number;
  penaltyBottomN: number;
  awardFen: number;
  penaltyFen: number;
}

/** How the monthly evaluation runs (docs/domain.md §6), beyond how it scores. */
export interface EvaluationRules {
  /** Days after a run until its PROVISIONAL results confirm themselves, if no dispute is open. */
  reviewWindowDays: number;
  /** Consecutive A months (the evaluated month included) that make a promotion candidate. */
  promotionRunMonths: number;
}

/**
 * Settlement coefficient T per grade (R = L × T + Q, docs/domain.md §7). Whole hundredths (1.1, never
 * 1.105): settlement applies T in integer hundredths.
 */
export interface SettlementCoefficients {
  A: number;
  B: number;
  C: number;
  ungraded: number;
}

/** How the monthly settlement runs (docs/domain.md §7), beyond the coefficients. */
export interface SettlementRules {
  /** The largest adjustment finance may enter in a statement, either sign, in fen. */
  maxAdjustmentFen: number;
  /** The day of the following month (1–28) by which a month's settlement should be approved. */
  approvalDueDay: number;
}

export interface ProductLine {
  code: string;
  name: string;
  /** Whole-unit warranty (三包) from purchase; a repair after it is charged per the price list. */
  warrantyMonths: number;
}

export interface LabourFee {
  productLine: string;
  serviceType: ServiceType;
  areaClass: AreaClass;
  feeFen: number;
}

/** One line of the out-of-warranty price list (超保收费): the most a centre may charge for it. */
export interface PriceListItem {
  code: string;
  productLine: string;
  kind: PriceItemKind;
  description: string;
  priceFen: number;
}

export interface LicencePolicy {
  maxPoints: number;
  warningAtOrBelow: number;
  cycleMonths: number;
  /** A WARNING engineer's daily job cap, as a percentage of `usualDailyJobs`. */
  warningDailyCapPercent: number;
  /** A field engineer's usual day of visits: the daily job cap the WARNING cap is a share of. */
  usualDailyJobs: number;
}

export interface ProcedureStep {
  order: number;
  code: string;
  name: string;
  nameZh: string;
  requiredInCompletion: boolean;
}

export interface ConductCode {
  dos: string[];
  donts: string[];
}

export interface StandardContent {
  name: string;
  description: string | null;
  slaClocks: SlaClocks;
  pointRules: PointRule[];
  kpis: KpiDefinition[];
  incentivePoints: IncentivePoints;
  grading: Grading;
  consequences: Consequences;
  evaluation: EvaluationRules;
  settlementCoefficients: SettlementCoefficients;
  settlement: SettlementRules;
  productLines: ProductLine[];
  labourFees: LabourFee[];
  priceList: PriceListItem[];
  licencePolicy: LicencePolicy;
  procedure: ProcedureStep[];
  conductCode: ConductCode;
}

export type ContentPart = keyof StandardContent;

export const CONTENT_PARTS: readonly ContentPart[] = [
  'name',
  'description',
  'slaClocks',
  'pointRules',
  'kpis',
  'incentivePoints',
  'grading',
  'consequences',
  'evaluation',
  'settlementCoefficients',
  'settlement',
  'productLines',
  'labourFees',
  'priceList',
  'licencePolicy',
  'procedure',
  'conductCode',
];

/** The parts of a standard a caller sets; `undefined` keeps a part, `null` clears it where it may be cleared. */
export type ContentChanges = { [P in ContentPart]?: StandardContent[P] | null };

export interface MergeResult {
  content: StandardContent;
  changed: ContentPart[];
  nulled: ContentPart[];
}

/**
 * Each part given replaces that part whole (the contract says so), which keeps a draft's parts
 * internally consistent: a labour fee table is never half old and half new.
 * Only `description` may be cleared; a null for any other part is reported by the caller.
 */
export function mergeContent(base: StandardContent, changes: ContentChanges): MergeResult {
  const content = structuredClone(base);
  const changed: ContentPart[] = [];
  const nulled: ContentPart[] = [];
  for (const part of CONTENT_PARTS) {
    const value = changes[part];
    if (value === undefined) continue;
    if (value === null && part !== 'description') {
      nulled.push(part);
      continue;
    }
    (content as unknown as Record<string, unknown>)[part] = structuredClone(value);
    changed.push(part);
  }
  return { content, changed, nulled };
}
