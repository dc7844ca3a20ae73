import { invalidTransition, type Violation } from '@starline/common';

/**
 * A standard version's life: drafts are edited, then published now or scheduled for a later
 * instant; a scheduled version is put in force by a workflow unless an admin cancels it first.
 * Scheduled and published versions never change, so an evaluation can always name the rules it used.
 */
export const STANDARD_STATUSES = ['DRAFT', 'SCHEDULED', 'PUBLISHED'] as const;
export type StandardStatus = (typeof STANDARD_STATUSES)[number];

export const TRANSITIONS = {
  EDIT: { from: 'DRAFT', to: 'DRAFT', verb: 'edit' },
  DISCARD: { from: 'DRAFT', to: null, verb: 'discard' },
  PUBLISH: { from: 'DRAFT', to: 'PUBLISHED', verb: 'publish' },
  SCHEDULE: { from: 'DRAFT', to: 'SCHEDULED', verb: 'schedule' },
  CANCEL_SCHEDULE: { from: 'SCHEDULED', to: 'DRAFT', verb: 'cancel the scheduled publication of' },
  PUT_IN_FORCE: { from: 'SCHEDULED', to: 'PUBLISHED', verb: 'put in force' },
} as const satisfies Record<string, { from: StandardStatus; to: StandardStatus | null; verb: string }>;

export type StandardAction = keyof typeof TRANSITIONS;

export function allowedActions(status: StandardStatus): StandardAction[] {
  return (Object.keys(TRANSITIONS) as StandardAction[]).filter((action) => TRANSITIONS[action].from === status);
}

export function canPerform(status: StandardStatus, action: StandardAction): boolean {
  return TRANSITIONS[action].from === status;
}

/** The status after `action`, or INVALID_TRANSITION naming the status the version is in. */
export function transition(status: StandardStatus, action: StandardAction): StandardStatus | null {
  const t = TRANSITIONS[action];
  if (t.from !== status) {
    throw invalidTransition(`cannot ${t.verb} a ${status} standard version; only a ${t.from} one`, status);
  }
  return t.to;
}

/** Clocks of the caller and the server may disagree this much about "now". */
export const CLOCK_SKEW_MS = 60_000;
/** A publication this close to now goes in force at once instead of through a workflow. */
export const IMMEDIATE_TOLERANCE_MS = 5_000;
/** Scheduling further ahead is almost certainly a typo (a year 2062 for 2026). */
export const MAX_SCHEDULE_AHEAD_MS = 10 * 366 * 24 * 3600_000;

export interface TimelineEntry {
  id: string;
  number: number;
  status: StandardStatus;
  effectiveFrom: Date | null;
}

export type PublicationPlan =
  { ok: true; action: 'PUBLISH' | 'SCHEDULE'; effectiveFrom: Date } | { ok: false; violations: Violation[] };

/**
 * When a draft may take effect. History is linear: a new version starts after every version
 * already scheduled or published, so no published period is ever rewritten.
 */
export function planPublication(
  requested: Date | null,
  now: Date,
  timeline: readonly TimelineEntry[],
): PublicationPlan {
  const at = requested ?? now;
  const fail = (message: string): PublicationPlan => ({ ok: false, violations: [{ field: 'effectiveFrom', message }] });
  if (at.getTime() < now.getTime() - CLOCK_SKEW_MS)
    return fail(`must not be in the past (now is ${now.toISOString()})`);
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_AHEAD_MS) return fail('must be within ten years from now');
  const immediate = at.getTime() <= now.getTime() + IMMEDIATE_TOLERANCE_MS;
  // A time just behind the server's clock means "now"; in force any earlier would rewrite the past.
  let effectiveFrom = immediate && at < now ? now : at;
  const latest = latestOnTimeline(timeline);
  // Two publications "now" within the same millisecond both mean now; the later one goes 1 ms after.
  if (
    immediate &&
    latest?.effectiveFrom &&
    latest.effectiveFrom.getTime() === effectiveFrom.getTime() &&
    effectiveFrom <= now
  ) {
    effectiveFrom = new Date(latest.effectiveFrom.getTime() + 1);
  }
  if (latest?.effectiveFrom && effectiveFrom.getTime() <= latest.effectiveFrom.getTime()) {
    return fail(
      `must be later than ${latest.effectiveFrom.toISOString()}, when version ${latest.number} ` +
        `(${latest.status}) takes effect; cancel that scheduled version first to go earlier`,
    );
  }
  return { ok: true, action: immediate ? 'PUBLISH' : 'SCHEDULE', effectiveFrom };
}

/** The scheduled or published version that takes effect last. */
export function latestOnTimeline<T extends TimelineEntry>(timeline: readonly T[]): T | undefined {
  let latest: T | undefined;
  for (const entry of timeline) {
    if (entry.status === 'DRAFT' || !entry.effectiveFrom) continue;
    if (!latest?.effectiveFrom || entry.effectiveFrom > latest.effectiveFrom) latest = entry;
  }
  return latest;
}

/** The published version with the greatest effectiveFrom at or before `at` (ties: the later number). */
export function versionInForce<T extends TimelineEntry>(versions: readonly T[], at: Date): T | undefined {
  let best: T | undefined;
  for (const v of versions) {
    if (v.status !== 'PUBLISHED' || !v.effectiveFrom || v.effectiveFrom.getTime() > at.getTime()) continue;
    const bestTime = best?.effectiveFrom?.getTime() ?? -Infinity;
    const time = v.effectiveFrom.getTime();
    if (time > bestTime || (time === bestTime && best && v.number > best.number)) best = v;
  }
  return best;
}

/**
 * The earliest instant after `at` at which a scheduled or published version takes effect: until
 * then, the version in force at `at` stays in force unless someone publishes another meanwhile.
 */
export function nextEffectiveAfter(versions: readonly TimelineEntry[], at: Date): Date | undefined {
  let next: Date | undefined;
  for (const v of versions) {
    if (v.status === 'DRAFT' || !v.effectiveFrom || v.effectiveFrom.getTime() <= at.getTime()) continue;
    if (!next || v.effectiveFrom < next) next = v.effectiveFrom;
  }
  return next;
}
