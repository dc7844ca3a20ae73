/**
 * The activity contracts of each service's task queue. Workflows import these types only
 * (never a service's code), and each service implements its own interface.
 */
export interface PublishedStandardRef {
  id: string;
  number: number;
  status: 'DRAFT' | 'SCHEDULED' | 'PUBLISHED';
  effectiveFrom: string | null;
  publishedAt: string | null;
}

export interface StandardsActivities {
  /** Put a SCHEDULED version in force. Idempotent: publishing a published version returns it. */
  publishScheduledVersion(input: { versionId: string; publishedBy: string }): Promise<PublishedStandardRef>;
  /**
   * The licence policy, point catalogue and product lines of the standard in force at `at` (ISO
   * instant), with `validUntil`: when the next version already scheduled or published after `at`
   * takes over (null when none is known yet), so a caller may cache the answer until then.
   */
  licencePolicyAt(input: { at: string }): Promise<LicencePolicyInput & { validUntil: string | null }>;
  /** A standard version by id (any status), or null when there is none: for checking a reference. */
  standardVersion(input: { versionId: string }): Promise<PublishedStandardRef | null>;
  /** The product-line codes of the standard in force at `at`, with `validUntil` as above. */
  productLinesAt(input: {
    at: string;
  }): Promise<{ standardVersionId: string; productLines: string[]; validUntil: string | null }>;
  /** What the ticket lifecycle needs of the standard in force at `at`, with validUntil as licencePolicyAt. */
  ticketPolicyAt(input: { at: string }): Promise<TicketPolicyInput & { validUntil: string | null }>;
  /** The monthly evaluation's numbers of the standard in force at `at` (the month's last instant), with validUntil as licencePolicyAt. */
  evaluationPolicyAt(input: { at: string }): Promise<EvaluationPolicyInput & { validUntil: string | null }>;
  /**
   * The settlement numbers of a published standard version (docs/domain.md §7): what a month's statements
   * use, the version being the one its evaluation used. Refused (StandardVersionNotFound) otherwise.
   */
  settlementPolicyOf(input: { versionId: string }): Promise<SettlementPolicyInput>;
}

/**
 * The numbers of the monthly centre evaluation (docs/domain.md §3, §6), as the standard holds them. Rates
 * are fractions (0.95 = 95 %); KPI weights sum to 100; amounts in fen.
 */
export interface EvaluationPolicyInput {
  standardVersionId: string;
  kpis: {
    code:
      | 'SATISFACTION_RATE'
      | 'INFORMATION_TIMELINESS'
      | 'DISPATCH_LEFTOVER'
      | 'COMPLAINT_RATE'
      | 'PARTS_MISJUDGEMENT'
      | 'DELIGHT_RATE';
    direction: 'HIGHER_IS_BETTER' | 'LOWER_IS_BETTER';
    target: number;
    floor: number;
    weight: number;
  }[];
  incentivePoints: { qualityInfoAdopted: number; serviceInnovation: number; majorComplaint: number };
  grading: { aMinScore: number; bMinScore: number; minCompletions: number };
  consequences: {
    suspendAtCGrades: number;
    eliminateAtCGrades: number;
    awardTopN: number;
    penaltyBottomN: number;
    awardFen: number;
    penaltyFen: number;
  };
  reviewWindowDays: number;
  promotionRunMonths: number;
}

/** The tickets service's KPI counters of one centre's month: what the evaluation's scorecard is computed from. */
export const KPI_COUNTERS = [
  'dispatched',
  'completions',
  'completionsReportedInTime',
  'answeredCallbacks',
  'satisfiedCallbacks',
  'complaints',
  'majorComplaints',
  'partsReplaced',
  'partsMisjudged',
  'delightCompletions',
] as const;
export type KpiCounter = (typeof KPI_COUNTERS)[number];
export type KpiCounters = Record<KpiCounter, number>;

/** One centre's month as the tickets service knows it, for the evaluation. */
export interface CentreMonthTickets {
  centreId: string;
  counters: KpiCounters;
  /** Jobs the centre held at `asOf`, accepted and not completed, past due then (docs/domain.md §6 dispatch leftover). */
  leftover: number;
}

/** One centre's month as the certification service knows it: its engineers' credits that count as incentives. */
export interface CentreMonthCredits {
  centreId: string;
  /** QUALITY_INFO_ADOPTED credits recorded in the month (Asia/Shanghai) on engineers of the centre. */
  qualityInfoAdopted: number;
  /** SMALL_IMPROVEMENT credits (小改小革, service innovation), likewise. */
  serviceInnovation: number;
}

export type EvaluationState = 'RUNNING' | 'PROVISIONAL' | 'CONFIRMING' | 'CONFIRMED';

/** A centre to evaluate, with what its consequences and promotion need from its grade history. */
export interface EvaluationCentre {
  centreId: string;
  code: string;
  region: string;
  /** C grades recorded in the calendar year of the month, before the month. */
  cGradesBefore: number;
}

/** A centre's award or penalty of a confirmed month, for settlement's Q. */
export interface EvaluationAward {
  centreId: string;
  month: string;
  grade: 'A' | 'B' | 'C' | null;
  rank: number | null;
  awardFen: number;
  penaltyFen: number;
}

export interface EligibleCentre {
  centreId: string;
  code: string;
  /** Latest grade from a month before `at`'s (Asia/Shanghai) month; null when ungraded. */
  grade: 'A' | 'B' | 'C' | null;
  dailyCapacity: number;
  openJobs: number;
  /** dailyCapacity − openJobs, always > 0 here. */
  remaining: number;
}

/** What another service needs to know of a centre it refers to. */
export interface CentreRef {
  id: string;
  code: string;
  status: 'ONBOARDING' | 'ACTIVE' | 'SUSPENDED' | 'ELIMINATED';
  tier: 'FLAGSHIP' | 'CORE' | 'STANDARD' | 'UMBRELLA';
  /** Region codes (6-digit) and product-line codes it serves: what a manual dispatch must match. */
  serviceAreas: string[];
  productLines: string[];
}

/** What another service needs to know of an engineer it refers to. */
export interface EngineerRef {
  id: string;
  centreId: string;
}

/**
 * The settlement numbers of a standard version (docs/domain.md §7). T per grade in hundredths (110 = 1.10),
 * so L × T is integer arithmetic; amounts in fen.
 */
export interface SettlementPolicyInput {
  standardVersionId: string;
  coefficients: { A: number; B: number; C: number; ungraded: number };
  /** The largest adjustment finance may enter, either sign, in fen. */
  maxAdjustmentFen: number;
  /** The day of the following month (1–28) by which a month's settlement should be approved. */
  approvalDueDay: number;
}

/** A centre's bank details for the payment file (docs/domain.md §7); null fields never: a centre has all or none. */
export interface CentrePayee {
  centreId: string;
  code: string;
  payee: { accountName: string; bank: string; accountNumber: string } | null;
}

/**
 * A job of a centre not yet settled, as the tickets service judges it now (docs/domain.md §7). PAYABLE ones
 * carry the fee; HELD ones their reasons; PENDING ones what they wait for; NOT_PAYABLE ones are never
 * paid (cancelled, repeat repair) and leave the centre's list once settlement has seen them.
 */
export interface SettlementJob {
  ticketId: string;
  number: string;
  /** YYYY-MM (Asia/Shanghai) the job was completed in; null when not completed. */
  completedMonth: string | null;
  productLine: string;
  serviceType: string;
  areaClass: string;
  status: 'PAYABLE' | 'HELD' | 'PENDING' | 'NOT_PAYABLE';
  feeFen: number | null;
  /** HELD: the hold reasons; PENDING: the step awaited; NOT_PAYABLE: why. */
  reasons: string[];
}

/** A statement's settled jobs (paid, or found NOT_PAYABLE), to be taken off its centre's unsettled list. */
export interface SettledStatement {
  centreId: string;
  statementId: string;
  ticketIds: string[];
}

export interface NetworkActivities {
  /** The centre with this id, or null when there is none. Reads only. */
  centreRef(input: { centreId: string }): Promise<CentreRef | null>;

  // ---- the monthly evaluation (workflow monthlyEvaluation, id `evaluation-YYYY-MM`) ----

  /**
   * Opens (or finds) the month's evaluation record and starts run `run` of it: RUNNING, progress 0 of
   * the centres to evaluate. Idempotent per (month, run). A CONFIRMED month is left alone and returned
   * as it is, so the workflow ends without changing anything.
   */
  beginEvaluationRun(input: {
    month: string;
    run: number;
    standardVersionId: string;
    requestedBy: string;
  }): Promise<{ state: EvaluationState; total: number }>;
  /** The centres to evaluate (ACTIVE or SUSPENDED during the month), by id, `limit` 1–1000 after the cursor. Reads only. */
  evaluationCentres(input: {
    month: string;
    after: string | null;
    limit: number;
  }): Promise<{ centres: EvaluationCentre[]; nextCursor: string | null }>;
  /**
   * Computes and stores the PROVISIONAL scorecards of a batch for run `run` (replacing an earlier
   * run's), with the policy given; sets progress to `doneBefore` + the batch. Idempotent.
   */
  storeScorecards(input: {
    month: string;
    run: number;
    policy: EvaluationPolicyInput;
    doneBefore: number;
    centres: { centre: EvaluationCentre; tickets: CentreMonthTickets; credits: CentreMonthCredits }[];
  }): Promise<{ stored: number }>;
  /**
   * Ranks the run's scorecards (awards, penalties, consequences to come) and makes the run PROVISIONAL
   * with `computedAt`. Idempotent per (month, run). Returns the grade counts.
   */
  finishEvaluationRun(input: {
    month: string;
    run: number;
  }): Promise<{ computedAt: string; gradeCounts: { A: number; B: number; C: number; ungraded: number } }>;
  /** Disputes of the month still OPEN. Reads only. */
  openDisputes(input: { month: string }): Promise<number>;
  /** Marks the month CONFIRMING by `confirmedBy` (first call wins; a repeat returns the same). Refused (CONFLICT) while a dispute is open. */
  confirmEvaluation(input: {
    month: string;
    confirmedBy: string;
  }): Promise<{ confirmedAt: string; confirmedBy: string }>;
  /**
   * On confirmation, for a batch of the month's centres: records the grade (as recordGrade) and applies
   * the consequence (as applyStatusConsequence, evidence `evaluation:YYYY-MM`). Idempotent. Returns the
   * centres this batch eliminated, whose open jobs must be recalled and re-dispatched.
   */
  applyEvaluationBatch(input: {
    month: string;
    after: string | null;
    limit: number;
  }): Promise<{ eliminated: string[]; nextCursor: string | null }>;
  /** Marks the month CONFIRMED (idempotent). */
  completeEvaluation(input: { month: string }): Promise<{ state: 'CONFIRMED' }>;
  /** A CONFIRMED month's awards and penalties (for settlement), by centre id after the cursor; refused (NOT_FOUND type) before confirmation. */
  evaluationAwards(input: {
    month: string;
    after: string | null;
    limit: number;
  }): Promise<{ awards: EvaluationAward[]; nextCursor: string | null }>;
  /** The month's evaluation as settlement waits on it: its state, the standard version it used and how many centres it evaluated; null when never run. Reads only. */
  evaluationOf(input: {
    month: string;
  }): Promise<{ state: EvaluationState; standardVersionId: string; centres: number } | null>;
  /** The payee details of each centre asked (1–1000 ids), in the order asked; a centre that does not exist is left out. Reads only. */
  payeesOf(input: { centreIds: string[] }): Promise<CentrePayee[]>;

  /**
   * ACTIVE centres covering `regionCode` (6-digit) and `productLine` with room today, best grade
   * first (A, B, C, ungraded), then lowest load (openJobs ÷ dailyCapacity). `openJobs` maps centre id
   * → jobs it holds open today, as the tickets service counts them; centres left out count as 0.
   * `at` is an ISO instant. Reads only.
   */
  eligibleCentres(input: {
    regionCode: string;
    productLine: string;
    at: string;
    openJobs?: Record<string, number>;
  }): Promise<EligibleCentre[]>;

  /**
   * The centre's grade for one month. Idempotent per (centre, month): a repeat with the same values
   * changes nothing (`changed: false`); a re-run of the evaluation with new values replaces it.
   */
  recordGrade(input: {
    centreId: string;
    month: string;
    grade: 'A' | 'B' | 'C';
    score: number;
    standardVersionId: string;
    evaluationId: string;
  }): Promise<{ centreId: string; month: string; changed: boolean }>;

  /**
   * Suspension or elimination decided by the evaluation. Idempotent by `evidence`: once a change
   * with that evidence is in the history, a repeat returns `applied: false`. A centre already in
   * (or beyond) the target status is left alone. An illegal transition (e.g. ONBOARDING) fails
   * non-retryably with type `InvalidTransition`.
   */
  applyStatusConsequence(input: {
    centreId: string;
    to: 'SUSPENDED' | 'ELIMINATED';
    reason: string;
    evidence: string;
  }): Promise<{ centreId: string; status: 'ONBOARDING' | 'ACTIVE' | 'SUSPENDED' | 'ELIMINATED'; applied: boolean }>;
}

export interface LicencePolicyInput {
  standardVersionId: string;
  maxPoints: number;
  warningAtOrBelow: number;
  cycleMonths: number;
  warningDailyCapPercent: number;
  /** A field engineer's usual day of visits (1–50): the daily job cap when dispatch gives none. */
  usualDailyJobs: number;
  pointRules: { code: string; kind: 'VIOLATION' | 'CREDIT'; points: number }[];
  /** Product-line codes of the standard: what an engineer can be certified for. */
  productLines: string[];
}

export interface TicketPolicyInput {
  standardVersionId: string;
  slaClocks: {
    acceptMinutes: number;
    maxDispatchAttempts: number;
    firstContactMinutes: number;
    missedAppointmentMinutes: number;
    completionReportMinutes: number;
    callbackHours: number;
    callbackMaxAttempts: number;
    repeatRepairDays: number;
    complaintResponseHours: { level1: number; level2: number; level3: number };
  };
  procedureSteps: string[]; // step codes in order
  requiredSteps: string[]; // codes with requiredInCompletion
  productLines: { code: string; warrantyMonths: number }[];
  labourFees: {
    productLine: string;
    serviceType: 'INSTALL' | 'REPAIR' | 'MAINTENANCE' | 'INSPECTION';
    areaClass: 'URBAN' | 'RURAL';
    feeFen: number;
  }[];
  priceList: { code: string; productLine: string; kind: 'PART' | 'LABOUR'; description: string; priceFen: number }[];
}

export interface AnnualReviewResult {
  /** Licences looked at in this batch. */
  processed: number;
  /** Licences moved into a new cycle at full points by this call (0 on a re-run). */
  rolled: number;
  /** Engineers newly flagged by this call (0 on a re-run). */
  flagged: number;
  /** Pass as `after` for the next batch; null when done. */
  nextCursor: string | null;
}

export interface CertificationActivities {
  /**
   * Annual review (年审) for cycles ending at or before `cycleEnd` (ISO instant). Pages through the
   * active licences (`batchSize` 1–500, after the cursor `after`): every unrevoked licence whose
   * current cycle ended rolls into new cycles at full points until its cycle contains `cycleEnd`;
   * engineers whose review failed (a REVOKED licence, or a failed ANNUAL_REVIEW exam in the cycle)
   * are flagged once per cycle. Idempotent: a re-run changes nothing.
   */
  annualReview(input: {
    cycleEnd: string;
    batchSize: number;
    after?: string | null;
    policy?: LicencePolicyInput;
  }): Promise<AnnualReviewResult>;

  /** The engineer with this id, or null when there is none. Reads only. */
  engineerRef(input: { engineerId: string }): Promise<EngineerRef | null>;

  /**
   * May the engineer take one more job of `centreId` at `at`? Works for that centre; licence not REVOKED; certified for the product line
   * and not expired at `at`; `jobsToday` below `usualDailyCap`, and for WARNING below
   * floor(usualDailyCap × warningDailyCapPercent / 100). `usualDailyCap` defaults to the policy's
   * `usualDailyJobs` (of the `policy` given, else of the standard in force). Reads only.
   */
  mayTakeJob(input: {
    engineerId: string;
    /** The centre holding the job: an engineer of another centre may not take it. */
    centreId: string;
    productLine: string;
    at: string;
    jobsToday: number;
    /** Default: the policy's `usualDailyJobs`. */
    usualDailyCap?: number;
    policy?: LicencePolicyInput;
  }): Promise<{ allowed: boolean; reason: string }>;

  /**
   * Appends a violation or credit for evidence (a job, complaint, audit). Idempotent by
   * (licence, evidenceKey): a repeat returns the first entry with `created: false`.
   */
  recordLicenceEvent(input: {
    engineerId: string;
    code: string;
    evidenceKey: string;
    note?: string | null;
    recordedBy: string;
    policy?: LicencePolicyInput;
  }): Promise<{
    entryId: string;
    created: boolean;
    pointsRemaining: number;
    status: 'EXEMPLARY' | 'NORMAL' | 'WARNING' | 'REVOKED';
  }>;

  /** The month's (YYYY-MM, Asia/Shanghai) incentive credits per centre, one entry per centre asked (0s when none). Reads one document per centre. */
  centreMonthCredits(input: { month: string; centreIds: string[] }): Promise<CentreMonthCredits[]>;
}

export type TicketState =
  | 'RECEIVED'
  | 'OFFERED'
  | 'ESCALATED'
  | 'ACCEPTED'
  | 'BOOKED'
  | 'ASSIGNED'
  | 'ON_SITE'
  | 'COMPLETED'
  | 'CALLED_BACK'
  | 'CLOSED'
  | 'CANCELLED';

/**
 * A command to a ticket as it crosses Temporal (instants as ISO strings); the tickets service turns
 * it into its rules' TicketCommand. `actor` is who asked (a user's subject, or `system:lifecycle`).
 */
export type TicketCommandInput = (
  | { type: 'DISPATCH'; centreId: string }
  | { type: 'ACCEPT' }
  | { type: 'REFUSE'; reason: string }
  | { type: 'ACCEPT_TIMEOUT' }
  | { type: 'ESCALATE' }
  | { type: 'CONTACT' }
  | { type: 'BOOK'; window: { from: string; to: string } }
  | { type: 'ASSIGN'; engineerId: string }
  | { type: 'CHECK_IN' }
  | {
      type: 'COMPLETE';
      report: {
        workFinishedAt: string;
        checklist: string[];
        faultCode?: string | null;
        parts?: { partNumber: string; oldPartSerial: string; quantity: number }[] | null;
        charges?: { code: string; quantity: number; amountFen: number }[] | null;
        delightNote?: string | null;
        valueAddNote?: string | null;
        notes?: string | null;
      };
    }
  | { type: 'CALLBACK_ATTEMPT'; answer: 'SATISFIED' | 'UNSATISFIED' | 'NO_ANSWER' }
  | { type: 'RETURN_OLD_PART' }
  | { type: 'RECORD_AUTOPSY'; consistent: boolean; note: string }
  | { type: 'QUALITY_CHECK' }
  | { type: 'RECALL'; reason: string }
  | { type: 'CANCEL'; reason: string }
) & { actor: string };

/** What the lifecycle workflow needs of a ticket to run its clocks and dispatch. Instants are ISO strings. */
export interface TicketSummary {
  id: string;
  version: number;
  state: TicketState;
  standardVersionId: string;
  productLine: string;
  regionCode: string;
  receivedAt: string;
  /** The centre holding the open offer or the job. */
  centreId: string | null;
  engineerId: string | null;
  /** Deadline of the open offer; null when none is open. */
  acceptBy: string | null;
  /** Refusals and time-outs in the current dispatch round, and whether the next step must be escalation. */
  failedAttempts: number;
  mustEscalate: boolean;
  /** Centres offered the job before (dispatch does not offer it to them again in this round). */
  triedCentres: string[];
  /** The appointment in force: its number, its window's end and when it becomes a missed one. */
  appointment: { no: number; to: string; missedAt: string } | null;
  checkedInAt: string | null;
  completedAt: string | null;
  /** When the callback must be done by; null before completion. */
  callbackBy: string | null;
  callbackAttempts: number;
}

/** A violation a rule found in a ticket, for the engineer's licence (recorded exactly once by key). */
export interface TicketEvidence {
  code: 'LATE_ARRIVAL' | 'PROMISE_BROKEN' | 'NON_STANDARD_SERVICE' | 'OVERCHARGE' | 'REPEAT_REPAIR' | 'MAJOR_COMPLAINT';
  engineerId: string;
  evidenceKey: string;
  ticketId: string;
}

export interface TicketsActivities {
  /**
   * Applies one command under the ticket's lease with the rules of the ticket's own policy (the
   * standard in force at its receipt, which the ticket records): writes the new read
   * model (version + 1), its timeline events, the partner change feed and the centre's KPI facts.
   * Idempotent by `commandId`: a repeat writes nothing and returns the first outcome's evidence with
   * the ticket as it is now (the same summary, unless later commands moved it on). A refused
   * command fails non-retryably with the error code as type (INVALID_TRANSITION, BAD_USER_INPUT,
   * CONFLICT when `expectedVersion` is stale) and writes nothing. `evidence` lists what this
   * command newly produced (e.g. NON_STANDARD_SERVICE on completion, REPEAT_REPAIR of an earlier job).
   */
  applyTicketCommand(input: {
    ticketId: string;
    commandId: string;
    command: TicketCommandInput;
    expectedVersion?: number | null;
  }): Promise<{ ticket: TicketSummary; evidence: TicketEvidence[] }>;

  /** The ticket's summary now. */
  ticketSummary(input: { ticketId: string }): Promise<TicketSummary>;

  /** Evidence the clocks produce by `at` (a missed or late appointment), for `at` = the missed instant. Reads only. */
  evidenceAt(input: { ticketId: string; at: string }): Promise<TicketEvidence[]>;

  /** Open jobs each centre holds (accepted, not yet completed), for dispatch's load order. Reads only. */
  openJobsByCentre(input: { centreIds: string[] }): Promise<Record<string, number>>;

  /** Jobs assigned to the engineer with an appointment on `at`'s day (Asia/Shanghai). Reads only. */
  engineerJobsOn(input: { engineerId: string; at: string }): Promise<number>;

  /**
   * Each centre's KPI counters of the month (YYYY-MM, Asia/Shanghai) and its dispatch leftover as of
   * `asOf` (the month's last instant; now for a live scorecard), one entry per centre asked. Reads a
   * bounded number of documents per centre, never all facts: the same answer however late it is asked.
   */
  centreMonthFacts(input: { month: string; asOf: string; centreIds: string[] }): Promise<CentreMonthTickets[]>;

  /**
   * An eliminated centre's open jobs (offered or accepted, not completed) are recalled through their
   * lifecycle workflows (RECALL, then re-dispatched), each once: idempotent by `evidence`. Returns how
   * many jobs it recalled now.
   */
  recallCentreJobs(input: { centreId: string; reason: string; evidence: string }): Promise<{ recalled: number }>;

  // ---- settlement (workflow monthlySettlement) ----

  /**
   * The jobs of each centre asked (1–100 ids) completed and not yet settled, judged now: every job the
   * centre completed stays listed until `jobsSettled` takes it off. In the order asked. Reads only.
   */
  unsettledJobs(input: { centreIds: string[] }): Promise<{ centreId: string; jobs: SettlementJob[] }[]>;
  /**
   * Takes jobs off their centres' unsettled lists once settlement has paid them (in `statementId`) or
   * found them NOT_PAYABLE: a page of statements (1–200, at most 20,000 ids) per call. Idempotent; a
   * job not on its centre's list is ignored. How many jobs left the lists now.
   */
  jobsSettled(input: { statements: SettledStatement[] }): Promise<{ removed: number }>;
}

/** The settlement service's activities (task queue `settlement`; workflow monthlySettlement, id `settlement-YYYY-MM`). */
export interface SettlementActivities {
  /** Opens the month's run, WAITING_FOR_EVALUATION, started by `startedBy` (the first call wins; a repeat returns it as it is). */
  openSettlement(input: { month: string; startedBy: string }): Promise<{ state: string }>;
  /** The month's evaluation is confirmed: records its standard's policy and the number of centres; BUILDING. Idempotent. */
  beginBuild(input: { month: string; policy: SettlementPolicyInput; total: number }): Promise<{ state: string }>;
  /**
   * Builds the DRAFT statements of a batch of the evaluation's centres from their unsettled jobs: each
   * PAYABLE job becomes a line of exactly one statement ever (claimed by ticket id). Idempotent.
   */
  buildStatements(input: {
    month: string;
    centres: { award: EvaluationAward; jobs: SettlementJob[] }[];
  }): Promise<{ built: number }>;
  /** Every statement built: IN_REVIEW, with the run's totals and approval due date. Idempotent. */
  finishBuild(input: { month: string }): Promise<{ state: string; dueAt: string }>;
  /** Approval is due and has not come: the run is flagged overdue. Idempotent. */
  flagOverdue(input: { month: string }): Promise<void>;
  /** Rebuilds one statement under review from its centre's jobs as they are now (its claims given back first). */
  rebuildStatement(input: { statementId: string; jobs: SettlementJob[]; by: string }): Promise<{ version: number }>;
  /** The centres whose statements pay something (R > 0): whose payee details the payment file needs. Reads only. */
  payableCentres(input: { month: string }): Promise<string[]>;
  /**
   * Approves the month as stored now — four eyes (not who started it, not an adjustment's author), no
   * statement ON_HOLD, every paid centre with payee details — writes the payment file and makes the
   * run and its statements APPROVED. Refused (FORBIDDEN, CONFLICT, INVALID_TRANSITION) otherwise.
   */
  approveSettlement(input: {
    month: string;
    approvedBy: { sub: string; roles: string[] };
    payees: CentrePayee[];
  }): Promise<{ approvedAt: string; sha256: string }>;
  /** An approved month's settled jobs (paid, or found NOT_PAYABLE) per statement, a page at a time. Reads only. */
  settledJobs(input: {
    month: string;
    after: string | null;
    limit: number;
  }): Promise<{ statements: SettledStatement[]; nextCursor: string | null }>;
}
