import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  asActivity,
  DomainError,
  parseInstant,
  type SettledStatement,
  type SettlementJob,
  type TicketEvidence,
  type TicketsActivities,
} from '@starline/common';
import { centreMonths } from './centre-month.ts';
import { badActivityInput, commandHash, toTicketCommand } from './commands.ts';
import { effectsOf } from './effects.ts';
import type { Lifecycle } from './graphql/lifecycle.ts';
import { appointmentEvidence, repeatRepair, ticketEvidence } from './rules/evidence.ts';
import { ALLOWED_FROM, applyPatch, decide } from './rules/lifecycle.ts';
import type { TicketPolicy } from './rules/policy.ts';
import { currentAppointment, type TicketSnapshot } from './rules/ticket.ts';
import { ID_PATTERN, validateReason } from './rules/validate.ts';
import { shanghaiDate } from './shanghai.ts';
import { snapshotOf, type TicketRecord, type TicketsStore } from './store/tickets.ts';
import { summaryOf } from './summary.ts';

const COMMAND_ID_MAX = 200;
const CENTRES_MAX = 1000;
/** `${evidence}:recall:${ticketId}` must stay within the lifecycle's 200-character request ids (ids are ≤ 64). */
const RECALL_EVIDENCE_MAX = 120;
const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
/** Who the evaluation's recalls are recorded as. */
export const EVALUATION_ACTOR = 'system:evaluation';
/** Centres per unsettledJobs call: each may list hundreds of jobs, and the answer is one activity result. */
const SETTLEMENT_CENTRES_MAX = 100;
/**
 * Statements per jobsSettled call (a page of the approved month's), and their ids in all (an id is ≤ 64 characters).
 */
const STATEMENTS_MAX = 200;
const SETTLED_IDS_MAX = 20_000;
const STATEMENT_ID_MAX = 200;

/** The Temporal activity's logger, when running in a worker (tests call the activities directly). */
function activityLog(): Context['log'] | null {
  try {
    return Context.current().log;
  } catch {
    return null;
  }
}

function id(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    throw badActivityInput(`${field} must be an id, got ${JSON.stringify(value)}`);
  return value;
}

const idsIn = (statements: readonly SettledStatement[]): number =>
  statements.reduce((n, s) => n + s.ticketIds.length, 0);

/** One settled statement, well-formed (BadActivityInput naming the bad field otherwise). */
function settledStatement(value: unknown, at: string): SettledStatement {
  if (typeof value !== 'object' || value === null)
    throw badActivityInput(`${at} must be a statement { centreId, statementId, ticketIds }`);
  const { centreId, statementId, ticketIds } = value as Record<string, unknown>;
  if (typeof statementId !== 'string' || statementId.trim() === '' || statementId.length > STATEMENT_ID_MAX) {
    throw badActivityInput(`${at}.statementId must be a non-empty string of at most ${STATEMENT_ID_MAX} characters`);
  }
  if (!Array.isArray(ticketIds)) throw badActivityInput(`${at}.ticketIds must be a list of ids`);
  return {
    centreId: id(`${at}.centreId`, centreId),
    statementId,
    ticketIds: ticketIds.map((t, j) => id(`${at}.ticketIds[${j}]`, t)),
  };
}

/** A page of 1–STATEMENTS_MAX settled statements holding at most SETTLED_IDS_MAX ids in all. */
function settledStatements(value: unknown): SettledStatement[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > STATEMENTS_MAX) {
    throw badActivityInput(`statements must be a list of 1 to ${STATEMENTS_MAX} statements`);
  }
  const page = value.map((s, i) => settledStatement(s, `statements[${i}]`));
  const ids = idsIn(page);
  if (ids > SETTLED_IDS_MAX)
    throw badActivityInput(`statements must hold at most ${SETTLED_IDS_MAX} ticket ids in all, got ${ids}`);
  return page;
}

/** Each centre's settled ids, statements of the same centre merged: one list write per centre. */
function idsByCentre(statements: readonly SettledStatement[]): Map<string, string[]> {
  const byCentre = new Map<string, string[]>();
  for (const s of statements) byCentre.set(s.centreId, [...(byCentre.get(s.centreId) ?? []), ...s.ticketIds]);
  return byCentre;
}

function instant(field: string, value: unknown): Date {
  try {
    return parseInstant(value);
  } catch {
    throw badActivityInput(`${field} must be an ISO instant, got ${JSON.stringify(value)}`);
  }
}

/**
 * The tickets task queue's activities. Each is safe to retry; only applyTicketCommand writes, and
 * recallCentreJobs sends commands through `lifecycle` (the tickets' workflows; main.ts passes the
 * Temporal one, tests an in-process one). Without a lifecycle, recallCentreJobs fails non-retryably.
 */
export function createTicketsActivities(
  store: TicketsStore,
  now: () => Date = () => new Date(),
  lifecycle: Lifecycle | null = null,
): TicketsActivities {
  async function load(ticketId: string): Promise<TicketRecord> {
    const t = await store.findTicket(ticketId);
    if (!t) throw ApplicationFailure.nonRetryable(`ticket ${ticketId} does not exist`, 'NOT_FOUND');
    return t;
  }

  /**
   * Marks the earlier job superseded by `laterId` under ITS lease (nested inside the later one's:
   * always later → earlier, and an earlier job can't be the later of its own successor, so no two
   * holders wait on each other). True when the REPEAT_REPAIR is this later job's to report: it made
   * the mark now, or it made it on an attempt that crashed before committing. A job another repair
   * superseded first keeps that successor, and its evidence was reported then.
   */
  function supersede(earlierId: string, laterId: string, evidenceKey: string | null, at: Date): Promise<boolean> {
    return store.exclusiveTicket(earlierId, async () => {
      const found = await store.findTicket(earlierId);
      if (!found) return false;
      const e = await store.settle(found);
      if (e.supersededBy !== null) return e.supersededBy === laterId;
      const before = snapshotOf(e);
      const patch = { supersededBy: laterId };
      const after = applyPatch(before, patch);
      // Its own standard, not the later job's: the change's effects (its settlement record) are the earlier job's.
      const policy = e.policy as TicketPolicy;
      const pending = effectsOf({
        before,
        after,
        ticketNumber: e.ticketNumber,
        version: e.version + 1,
        events: [],
        at,
        policy,
        types: ['SUPERSEDED'],
      });
      await store.settle(
        await store.commit(e, {
          patch,
          events: [],
          at,
          bump: true,
          applied: null,
          evidenceKeys: evidenceKey ? [evidenceKey] : [],
          pending,
        }),
      );
      return true;
    });
  }

  /** REPEAT_REPAIR (有效单: 同一台机器3个月只换一次件) for a completed repair: the earlier job's engineer. */
  async function repeatRepairEvidence(
    after: TicketSnapshot,
    policy: TicketPolicy,
    at: Date,
  ): Promise<TicketEvidence[]> {
    if (after.serviceType !== 'REPAIR') return [];
    const candidates = (await store.ticketsOfSerial(after.product.serialNumber, after.id)).map(snapshotOf);
    const found = repeatRepair(after, candidates, policy);
    if (!found) return [];
    const ours = await supersede(found.earlierTicketId, after.id, found.evidence?.evidenceKey ?? null, at);
    return ours && found.evidence ? [found.evidence] : [];
  }

  return {
    async applyTicketCommand({ ticketId, commandId, command, expectedVersion }) {
      id('ticketId', ticketId);
      if (typeof commandId !== 'string' || commandId.trim() === '' || commandId.length > COMMAND_ID_MAX) {
        throw badActivityInput(`commandId must be a non-empty string of at most ${COMMAND_ID_MAX} characters`);
      }
      if (expectedVersion != null && !Number.isInteger(expectedVersion))
        throw badActivityInput('expectedVersion must be an integer');
      const ruleCommand = toTicketCommand(command);
      const hash = commandHash(command);

      return asActivity(() =>
        store.exclusiveTicket(ticketId, async () => {
          // Deliver what a crashed earlier call left pending before anything else reads the ticket.
          let t = await store.settle(await load(ticketId));
          const p = t.policy as TicketPolicy;
          const applied = t.appliedCommands.find((c) => c.commandId === commandId);
          if (applied) {
            if (applied.commandHash !== hash) {
              throw ApplicationFailure.nonRetryable(
                `commandId ${commandId} was already used for another command (${applied.type}, version ` +
                  `${applied.version})`,
                'CONFLICT',
                { ticketId, state: t.state, version: t.version },
              );
            }
            return { ticket: summaryOf(t, p), evidence: applied.evidence };
          }
          if (expectedVersion != null && expectedVersion !== t.version) {
            throw ApplicationFailure.nonRetryable(
              `ticket ${ticketId} is at version ${t.version} (${t.state}), not ${expectedVersion}; reload ` +
                `it and decide again`,
              'CONFLICT',
              { ticketId, state: t.state, version: t.version },
            );
          }
          const at = now();
          const before = snapshotOf(t);
          const decision = decide(before, ruleCommand, at, p);
          if (!decision.ok) {
            throw ApplicationFailure.nonRetryable(decision.message, decision.code, {
              ticketId,
              state: decision.state,
              version: t.version,
              violations: decision.violations ?? [],
            });
          }
          const after = applyPatch(before, decision.patch);
          // A command that changes nothing (the same window booked again) is recorded but makes no new version.
          const bump = decision.events.length > 0;
          const version = bump ? t.version + 1 : t.version;
          const recorded = new Set(t.recordedEvidence);
          const evidence: TicketEvidence[] = ticketEvidence(after, at, p).filter((e) => !recorded.has(e.evidenceKey));
          if (ruleCommand.type === 'COMPLETE') evidence.push(...(await repeatRepairEvidence(after, p, at)));
          const ticket = summaryOf({ ...after, version, standardVersionId: t.standardVersionId }, p);
          t = await store.commit(t, {
            patch: decision.patch,
            events: decision.events,
            at,
            bump,
            applied: {
              commandId,
              commandHash: hash,
              type: ruleCommand.type,
              version,
              standardVersionId: p.standardVersionId,
              at,
              evidence,
            },
            evidenceKeys: evidence.map((e) => e.evidenceKey),
            pending: bump
              ? effectsOf({
                  before,
                  after,
                  ticketNumber: t.ticketNumber,
                  version,
                  events: decision.events,
                  at,
                  policy: p,
                })
              : null,
          });
          await store.settle(t);
          return { ticket, evidence };
        }),
      );
    },

    async ticketSummary({ ticketId }) {
      id('ticketId', ticketId);
      const t = await load(ticketId);
      return summaryOf(t, t.policy as TicketPolicy);
    },

    async evidenceAt({ ticketId, at }) {
      id('ticketId', ticketId);
      const when = instant('at', at);
      const t = await load(ticketId);
      const p = t.policy as TicketPolicy;
      const snapshot = snapshotOf(t);
      const current = currentAppointment(snapshot);
      if (!current) return [];
      const e = appointmentEvidence(snapshot, current.no, when, p);
      return e && !t.recordedEvidence.includes(e.evidenceKey) ? [e] : [];
    },

    async openJobsByCentre({ centreIds }) {
      if (!Array.isArray(centreIds) || centreIds.length > CENTRES_MAX)
        throw badActivityInput(`centreIds must be a list of at most ${CENTRES_MAX} ids`);
      const ids = [...new Set(centreIds.map((c, i) => id(`centreIds[${i}]`, c)))];
      return store.openJobsByCentre(ids);
    },

    async engineerJobsOn({ engineerId, at }) {
      id('engineerId', engineerId);
      return store.countEngineerJobs(engineerId, shanghaiDate(instant('at', at)));
    },

    /**
     * Counters: each centre's `kpi_months` document, all by one `_id` `$in`. Leftover: the jobs each
     * centre may have held at `asOf` (its open jobs now, and those that left them after `asOf`: the
     * left-open-jobs sets of `asOf`'s month up to now's), read together by `_id` `$in` and each judged
     * as of `asOf` from its timeline with its own standard (rules/leftover.ts). Reads only.
     */
    async centreMonthFacts({ month, asOf, centreIds }) {
      if (typeof month !== 'string' || !MONTH_PATTERN.test(month))
        throw badActivityInput(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
      const at = instant('asOf', asOf);
      if (!Array.isArray(centreIds) || centreIds.length < 1 || centreIds.length > CENTRES_MAX) {
        throw badActivityInput(`centreIds must be a list of 1 to ${CENTRES_MAX} ids`);
      }
      const asked = centreIds.map((c, i) => id(`centreIds[${i}]`, c));
      return asActivity(() => centreMonths(store, asked, month, at, now()));
    },

    /**
     * RECALL, through each job's lifecycle workflow, of every job the centre holds open and may still
     * give up (ACCEPTED, BOOKED, ASSIGNED; ON_SITE finishes its visit), with requestId
     * `<evidence>:recall:<ticketId>` so a retry applies each once. The lifecycle then dispatches the
     * RECEIVED job again. A job that refuses (moved on meanwhile: INVALID_TRANSITION) is skipped.
     * Offers the centre hasn't answered are not recalled: no `_id`-keyed list of a centre's pending
     * offers exists, and an offer expires by its acceptance clock (README, Monthly evaluation).
     */
    async recallCentreJobs({ centreId, reason, evidence }) {
      id('centreId', centreId);
      const bad = validateReason('reason', reason);
      if (bad.length) throw badActivityInput(bad.map((v) => `${v.field}: ${v.message}`).join('; '));
      if (typeof evidence !== 'string' || evidence.trim() === '' || evidence.length > RECALL_EVIDENCE_MAX) {
        throw badActivityInput(`evidence must be a non-empty string of at most ${RECALL_EVIDENCE_MAX} characters`);
      }
      if (!lifecycle)
        throw ApplicationFailure.nonRetryable(
          'this tickets worker has no lifecycle client to recall jobs with',
          'NotConfigured',
        );
      const lc = lifecycle;
      return asActivity(async () => {
        const jobs = (await store.openJobViews(centreId)).filter(
          (t) => t.centreId === centreId && ALLOWED_FROM.RECALL.includes(t.state),
        );
        let recalled = 0;
        for (const t of jobs) {
          try {
            const after = await lc.command(
              t.id,
              { type: 'RECALL', reason, actor: EVALUATION_ACTOR },
              { expectedVersion: null, requestId: `${evidence}:recall:${t.id}` },
            );
            // A replayed request answers with the ticket as it is now: counted only if the centre no longer holds it.
            if (after.centreId !== centreId) recalled++;
          } catch (error) {
            if (error instanceof DomainError && error.code === 'INVALID_TRANSITION') continue;
            throw error;
          }
        }
        return { recalled };
      });
    },

    /**
     * Each centre's `unsettled:<id>` set and its jobs' settlement records, all by `_id` `$in` (store
     * `unsettledJobs`: a record is the job as `settlementJobOf` judged it at the ticket's last change,
     * and a job without one is judged now from its ticket, the same way); jobs in ticket-number order,
     * centres in the order asked (one asked twice is answered twice). Reads only.
     */
    async unsettledJobs({ centreIds }) {
      if (!Array.isArray(centreIds) || centreIds.length < 1 || centreIds.length > SETTLEMENT_CENTRES_MAX) {
        throw badActivityInput(`centreIds must be a list of 1 to ${SETTLEMENT_CENTRES_MAX} ids`);
      }
      const asked = centreIds.map((c, i) => id(`centreIds[${i}]`, c));
      return asActivity(async () => {
        const lists = await store.unsettledJobs(asked);
        const judged = new Map([...lists].map(([c, jobs]) => [c, jobs.sort(byNumber)] as const));
        return asked.map((centreId) => ({ centreId, jobs: judged.get(centreId)! }));
      });
    },

    /**
     * Takes each statement's jobs off its centre's unsettled list, one read-modify-write per centre
     * under the set's lease (`set:unsettled:<id>`); ids not on it are ignored, so a retry removes
     * nothing more. The statements are only logged (and are in the workflow's history): nothing is
     * written on the tickets, and their settlement records stay (no longer asked for).
     */
    async jobsSettled({ statements }) {
      const page = settledStatements(statements);
      const byCentre = idsByCentre(page);
      const asked = idsIn(page);
      return asActivity(async () => {
        const removed = asked ? await store.jobsSettled(byCentre) : 0;
        activityLog()?.info('jobs settled', {
          statementIds: page.map((s) => s.statementId),
          centres: byCentre.size,
          asked,
          removed,
        });
        return { removed };
      });
    },
  };
}

const byNumber = (a: SettlementJob, b: SettlementJob): number =>
  a.number < b.number ? -1 : a.number > b.number ? 1 : a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0;
