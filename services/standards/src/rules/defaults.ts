import type {
  AreaClass,
  ConductCode,
  KpiDefinition,
  LabourFee,
  LicencePolicy,
  PointRule,
  PriceListItem,
  ProcedureStep,
  ProductLine,
  ServiceType,
  SlaClocks,
  StandardContent,
} from './content.ts';

/**
 * The default standard (docs/domain.md §3). These are starting values an operator changes by
 * publishing a new version; nothing else in the platform may hard-code them.
 */

const pointRules: PointRule[] = [
  { code: 'PROMISE_BROKEN', kind: 'VIOLATION', points: -3, label: '承诺不兑现' },
  { code: 'NON_STANDARD_SERVICE', kind: 'VIOLATION', points: -2, label: '服务不规范' },
  { code: 'OVERCHARGE', kind: 'VIOLATION', points: -6, label: '乱收费' },
  { code: 'REPEAT_REPAIR', kind: 'VIOLATION', points: -3, label: '一次服务不到位、多次维修' },
  { code: 'LATE_ARRIVAL', kind: 'VIOLATION', points: -1, label: '上门服务迟到' },
  { code: 'MAJOR_COMPLAINT', kind: 'VIOLATION', points: -6, label: '重大服务投诉' },
  { code: 'CUSTOMER_DELIGHT', kind: 'CREDIT', points: 1, label: '创造用户感动' },
  { code: 'SMALL_IMPROVEMENT', kind: 'CREDIT', points: 2, label: '小改小革' },
  { code: 'QUALITY_INFO_ADOPTED', kind: 'CREDIT', points: 1, label: '质量信息采纳' },
];

const kpis: KpiDefinition[] = [
  {
    code: 'SATISFACTION_RATE',
    name: '服务满意率 (satisfaction rate)',
    formula: 'satisfied callbacks / answered callbacks',
    direction: 'HIGHER_IS_BETTER',
    target: 0.95,
    floor: 0.8,
    weight: 30,
  },
  {
    code: 'INFORMATION_TIMELINESS',
    name: '信息及时率 (information timeliness)',
    formula: 'completions reported within SLA / completions',
    direction: 'HIGHER_IS_BETTER',
    target: 0.98,
    floor: 0.85,
    weight: 15,
  },
  {
    code: 'DISPATCH_LEFTOVER',
    name: '派单遗留率 (dispatch leftover)',
    formula: 'jobs past due and still open at month end / jobs dispatched',
    direction: 'LOWER_IS_BETTER',
    target: 0.02,
    floor: 0.1,
    weight: 15,
  },
  {
    code: 'COMPLAINT_RATE',
    name: '客户投诉率 (complaint rate)',
    formula: 'complaints / completions',
    direction: 'LOWER_IS_BETTER',
    target: 0.01,
    floor: 0.05,
    weight: 20,
  },
  {
    code: 'PARTS_MISJUDGEMENT',
    name: '备件使用(错判)率 (parts misjudgement)',
    formula: 'parts judged wrongly replaced / parts replaced',
    direction: 'LOWER_IS_BETTER',
    target: 0.03,
    floor: 0.15,
    weight: 10,
  },
  {
    code: 'DELIGHT_RATE',
    name: '感动增值率 (delight rate)',
    formula: 'completions with a recorded delight or value-add / completions',
    direction: 'HIGHER_IS_BETTER',
    target: 0.05,
    floor: 0,
    weight: 10,
  },
];

/** The national 三包 rules give the whole unit one year of warranty. */
const WHOLE_UNIT_WARRANTY_MONTHS = 12;

const productLines: ProductLine[] = [
  { code: 'AIR_CONDITIONER', name: '空调 (air conditioner)', warrantyMonths: WHOLE_UNIT_WARRANTY_MONTHS },
  { code: 'REFRIGERATOR', name: '冰箱 (refrigerator)', warrantyMonths: WHOLE_UNIT_WARRANTY_MONTHS },
  { code: 'WASHING_MACHINE', name: '洗衣机 (washing machine)', warrantyMonths: WHOLE_UNIT_WARRANTY_MONTHS },
  { code: 'WATER_HEATER', name: '热水器 (water heater)', warrantyMonths: WHOLE_UNIT_WARRANTY_MONTHS },
  { code: 'TELEVISION', name: '电视 (television)', warrantyMonths: WHOLE_UNIT_WARRANTY_MONTHS },
];

/** Fen per visit, [URBAN, RURAL]; rural visits pay more for the longer journey. */
const FEE_MATRIX: Record<string, Record<ServiceType, readonly [number, number]>> = {
  AIR_CONDITIONER: {
    INSTALL: [15000, 18000],
    REPAIR: [8000, 10000],
    MAINTENANCE: [6000, 7500],
    INSPECTION: [3000, 4000],
  },
  REFRIGERATOR: { INSTALL: [3000, 4000], REPAIR: [7000, 8500], MAINTENANCE: [4000, 5000], INSPECTION: [2000, 3000] },
  WASHING_MACHINE: { INSTALL: [4000, 5000], REPAIR: [6000, 7500], MAINTENANCE: [4000, 5000], INSPECTION: [2000, 3000] },
  WATER_HEATER: { INSTALL: [8000, 10000], REPAIR: [6000, 7500], MAINTENANCE: [5000, 6000], INSPECTION: [2500, 3500] },
  TELEVISION: { INSTALL: [5000, 6000], REPAIR: [6000, 7500], MAINTENANCE: [3000, 4000], INSPECTION: [2000, 3000] },
};

const labourFees: LabourFee[] = Object.entries(FEE_MATRIX).flatMap(([productLine, byType]) =>
  (Object.entries(byType) as [ServiceType, readonly [number, number]][]).flatMap(([serviceType, [urban, rural]]) =>
    (
      [
        ['URBAN', urban],
        ['RURAL', rural],
      ] as [AreaClass, number][]
    ).map(([areaClass, feeFen]) => ({
      productLine,
      serviceType,
      areaClass,
      feeFen,
    })),
  ),
);

/**
 * 超保收费: the most a centre may charge a customer out of warranty, in fen. Per line the labour of a
 * repair visit (the same as the line's urban REPAIR labour fee, so a customer pays no more than the
 * manufacturer would) and the parts that fail most often.
 */
const PRICE_LIST: readonly (readonly [string, string, PriceListItem['kind'], string, number])[] = [
  [
    'AC-LABOUR',
    'AIR_CONDITIONER',
    'LABOUR',
    '超保维修人工费，每次上门 (out-of-warranty repair labour, per visit)',
    8000,
  ],
  ['AC-COMPRESSOR', 'AIR_CONDITIONER', 'PART', '压缩机 (compressor)', 120000],
  ['AC-CAPACITOR', 'AIR_CONDITIONER', 'PART', '压缩机启动电容 (compressor start capacitor)', 4500],
  ['AC-FAN-MOTOR', 'AIR_CONDITIONER', 'PART', '室内风机电机 (indoor fan motor)', 28000],
  ['RF-LABOUR', 'REFRIGERATOR', 'LABOUR', '超保维修人工费，每次上门 (out-of-warranty repair labour, per visit)', 7000],
  ['RF-THERMOSTAT', 'REFRIGERATOR', 'PART', '温控器 (thermostat)', 6000],
  ['RF-DOOR-SEAL', 'REFRIGERATOR', 'PART', '门封条 (door gasket)', 9000],
  ['RF-DEFROST-HEATER', 'REFRIGERATOR', 'PART', '化霜加热器 (defrost heater)', 8000],
  [
    'WM-LABOUR',
    'WASHING_MACHINE',
    'LABOUR',
    '超保维修人工费，每次上门 (out-of-warranty repair labour, per visit)',
    6000,
  ],
  ['WM-DRAIN-PUMP', 'WASHING_MACHINE', 'PART', '排水泵 (drain pump)', 8000],
  ['WM-DOOR-LOCK', 'WASHING_MACHINE', 'PART', '门锁 (door lock)', 5000],
  ['WM-DRIVE-BELT', 'WASHING_MACHINE', 'PART', '传动皮带 (drive belt)', 3500],
  ['WH-LABOUR', 'WATER_HEATER', 'LABOUR', '超保维修人工费，每次上门 (out-of-warranty repair labour, per visit)', 6000],
  ['WH-HEATING-ELEMENT', 'WATER_HEATER', 'PART', '加热管 (heating element)', 12000],
  ['WH-ANODE-ROD', 'WATER_HEATER', 'PART', '镁棒 (magnesium anode rod)', 5000],
  ['WH-THERMOSTAT', 'WATER_HEATER', 'PART', '温控器 (thermostat)', 6000],
  ['TV-LABOUR', 'TELEVISION', 'LABOUR', '超保维修人工费，每次上门 (out-of-warranty repair labour, per visit)', 6000],
  ['TV-POWER-BOARD', 'TELEVISION', 'PART', '电源板 (power supply board)', 25000],
  ['TV-MAIN-BOARD', 'TELEVISION', 'PART', '主板 (main board)', 45000],
  ['TV-BACKLIGHT', 'TELEVISION', 'PART', '背光灯条，整套 (LED backlight strips, set)', 30000],
];

const priceList: PriceListItem[] = PRICE_LIST.map(([code, productLine, kind, description, priceFen]) => ({
  code,
  productLine,
  kind,
  description,
  priceFen,
}));

/**
 * 服务的24个环节 (seed 003, p.20). A completion report confirms the steps every visit goes
 * through at the customer's home; steps that only some visits have (diagnosis and repair do not
 * apply to an installation, a charge only out of warranty) or that happen away from the visit
 * (travel, callback) are not demanded of the engineer's report.
 */
const PROCEDURE: readonly (readonly [string, string, string, boolean])[] = [
  ['RECEIVE_INFO', 'Receive the service information', '服务人员接收信息', false],
  ['ANALYSE_CUSTOMER_INFO', "Analyse the customer's information", '对用户信息如何进行分析', false],
  ['CONTACT_CUSTOMER', 'Contact the customer', '联系用户', true],
  ['PREPARE', 'Prepare before the visit', '上门前的准备工作', false],
  ['DEPART', 'Depart', '出发', false],
  ['EN_ROUTE', 'En route', '路上', false],
  ['PREPARE_AT_DOOR', 'Prepare at the door', '进门前的准备工作', false],
  ['KNOCK', 'Knock on the door', '敲门', false],
  ['ENTER', 'Enter', '进门', false],
  ['SHOE_COVERS', 'Put on shoe covers', '穿鞋套', true],
  ['PLACE_TOOLBOX', 'Place the toolbox', '放好工具箱', true],
  ['LISTEN_TO_CUSTOMER', 'Listen patiently to the customer', '耐心听取用户意见', true],
  ['CHECK_AUTHENTICITY', 'Check the product is genuine', '产品真伪判断', false],
  ['DIAGNOSE', 'Diagnose the fault', '故障诊断', false],
  ['REPAIR', 'Repair the fault', '故障维修', false],
  ['TEST_RUN', 'Test run and check', '试机通检', true],
  ['USAGE_GUIDANCE', 'Guide the customer in using the product', '指导使用', true],
  ['CLEAN_UP', 'Clean the product and the site', '产品清擦及现场清理', true],
  ['OUT_OF_WARRANTY_CHARGE', 'Charge out-of-warranty work per the price list', '超保收费', false],
  ['ASK_OPINION', "Ask the customer's opinion", '征询用户意见', true],
  ['ONE_STOP_CHECK', "One-stop check of the customer's other products", '一站式产品通检服务', true],
  ['FAREWELL', 'Hand over the service card and say goodbye', '递服务名片向用户道别', true],
  ['FOLLOW_UP', 'Follow-up callback', '回访', false],
  ['VALUE_ADD_FEEDBACK', 'Feed back value-adding information', '增值信息反馈', false],
];

const procedure: ProcedureStep[] = PROCEDURE.map(([code, name, nameZh, requiredInCompletion], i) => ({
  order: i + 1,
  code,
  name,
  nameZh,
  requiredInCompletion,
}));

/** 海尔服务“十要十不准” (seed 003, p.23), verbatim. */
const conductCode: ConductCode = {
  dos: [
    '安装服务要致谢',
    '维修服务要道歉',
    '咨询服务要微笑',
    '上门服务要准时',
    '言谈举止要文明',
    '服装鞋帽要整洁',
    '对待客户要真诚',
    '解决问题要彻底',
    '工作作风要迅速',
    '爱护企业要同心',
  ],
  donts: [
    '公共场所不准大声喧哗',
    '上门服务不准迟到拖延',
    '预约咨询不准含糊不清',
    '服务规范不准执行有偏',
    '同事之间不准嬉闹打骂',
    '工具携带不准丢三落四',
    '在用户家不准随意乱动',
    '对待问题不准推委扯皮',
    '车辆工具不准乱停乱放',
    '信息传递不准遗漏延误',
  ],
};

const DEFAULT_STANDARD: StandardContent = {
  name: '星级服务标准 (Star service standard, defaults)',
  description:
    'The default service standard: starting values an operator ' +
    'replaces by publishing a new version (docs/domain.md §3).',
  slaClocks: {
    acceptMinutes: 30,
    maxDispatchAttempts: 3,
    firstContactMinutes: 30,
    missedAppointmentMinutes: 120,
    completionReportMinutes: 120,
    callbackHours: 24,
    callbackMaxAttempts: 5,
    repeatRepairDays: 90,
    complaintResponseHours: { level1: 2, level2: 8, level3: 24 },
  },
  pointRules,
  kpis,
  incentivePoints: { qualityInfoAdopted: 2, serviceInnovation: 2, majorComplaint: -10 },
  grading: { aMinScore: 90, bMinScore: 75, minCompletions: 10 },
  consequences: {
    suspendAtCGrades: 2,
    eliminateAtCGrades: 3,
    awardTopN: 10,
    penaltyBottomN: 10,
    awardFen: 200_000,
    penaltyFen: 200_000,
  },
  evaluation: { reviewWindowDays: 3, promotionRunMonths: 3 },
  settlementCoefficients: { A: 1.1, B: 1.0, C: 0.9, ungraded: 1.0 },
  // ¥100,000 either way; approved by the 10th of the following month.
  settlement: { maxAdjustmentFen: 10_000_000, approvalDueDay: 10 },
  productLines,
  labourFees,
  priceList,
  licencePolicy: { maxPoints: 12, warningAtOrBelow: 6, cycleMonths: 12, warningDailyCapPercent: 50, usualDailyJobs: 8 },
  procedure,
  conductCode,
};

/** A fresh copy each call, so no caller can change the defaults another caller sees. */
export function defaultStandardContent(): StandardContent {
  return structuredClone(DEFAULT_STANDARD);
}

/** Content as stored: a version written before a field existed lacks it. */
export type StoredStandardContent = Omit<
  StandardContent,
  'slaClocks' | 'productLines' | 'priceList' | 'licencePolicy' | 'evaluation' | 'settlement'
> & {
  evaluation?: StandardContent['evaluation'];
  settlement?: StandardContent['settlement'];
  slaClocks: Omit<SlaClocks, 'missedAppointmentMinutes'> & { missedAppointmentMinutes?: number };
  productLines: (Omit<ProductLine, 'warrantyMonths'> & { warrantyMonths?: number })[];
  priceList?: PriceListItem[];
  licencePolicy: Omit<LicencePolicy, 'usualDailyJobs'> & { usualDailyJobs?: number };
};

/**
 * Stored content with the fields added since it was written taken from the defaults, so versions
 * stored before them (the seeded default among them) are still served, copied and used. Only at
 * read time: a published version is never rewritten. What is filled in is what an old version
 * means from now on, so should these defaults ever change, pin today's values here first.
 */
export function fillMissingParts(stored: StoredStandardContent): StandardContent {
  const lines = new Set(stored.productLines.map((l) => l.code));
  return {
    ...stored,
    slaClocks: {
      ...stored.slaClocks,
      missedAppointmentMinutes:
        stored.slaClocks.missedAppointmentMinutes ?? DEFAULT_STANDARD.slaClocks.missedAppointmentMinutes,
    },
    productLines: stored.productLines.map((l) => ({
      ...l,
      warrantyMonths: l.warrantyMonths ?? WHOLE_UNIT_WARRANTY_MONTHS,
    })),
    // Only items of the version's own lines: one for a line it dropped would fail validation on publication.
    priceList: stored.priceList ?? structuredClone(DEFAULT_STANDARD.priceList.filter((i) => lines.has(i.productLine))),
    licencePolicy: {
      ...stored.licencePolicy,
      usualDailyJobs: stored.licencePolicy.usualDailyJobs ?? DEFAULT_STANDARD.licencePolicy.usualDailyJobs,
    },
    evaluation: stored.evaluation ?? structuredClone(DEFAULT_STANDARD.evaluation),
    settlement: stored.settlement ?? structuredClone(DEFAULT_STANDARD.settlement),
  };
}

/** Codes other services turn evidence into; a standard without them would leave evidence unscored. */
export const REQUIRED_POINT_RULES: Readonly<Record<string, PointRule['kind']>> = Object.fromEntries(
  pointRules.map((r) => [r.code, r.kind]),
);

/** The direction each KPI's formula implies; flipping it would reward the wrong behaviour. */
export const KPI_NATURAL_DIRECTION: Readonly<Record<KpiDefinition['code'], KpiDefinition['direction']>> =
  Object.fromEntries(kpis.map((k) => [k.code, k.direction])) as Record<
    KpiDefinition['code'],
    KpiDefinition['direction']
  >;
