import type { TicketEvent } from './events.ts';
import type { TicketPolicy } from './policy.ts';
import { firstContactBy } from './sla.ts';

/**
 * Dispatch leftover (派单遗留, docs/domain.md §6): a centre's jobs past due and still open at an instant
 * (the month's last, for the evaluation). Judged from the ticket's timeline as it stood at that
 * instant — never from its state now — so a late or repeated run gives the same answer however the
 * job moved on since (rebooked, completed, recalled, taken by another centre). Pure.
 */

/** What counts of one job at the instant judged (the same shape as the network service's rule). */
export interface LeftoverJobFacts {
  acceptedAt: Date | null;
  completedAt: Date | null;
  /** End of the appointment window in force at the instant judged (a later rebooking does not count); null: none. */
  appointmentEndsAt: Date | null;
  /** Acceptance + the standard's first-contact minutes; null only for a job never accepted. */
  firstContactDueAt: Date | null;
}

/**
 * Accepted by `at`, not completed by `at`, and either its appointment window ended before `at`, or
 * it has no appointment and its first-contact deadline passed before `at`. "Before" is strict: a
 * window ending exactly at `at` is not yet missed. (Restated from services/network/src/rules/leftover.ts
 * `isPastDue`, which a service can't import; keep the two equal.)
 */
export function isPastDue(job: LeftoverJobFacts, at: Date): boolean {
  const t = at.getTime();
  if (job.acceptedAt === null || job.acceptedAt.getTime() > t) return false;
  if (job.completedAt !== null && job.completedAt.getTime() <= t) return false;
  if (job.appointmentEndsAt !== null) return job.appointmentEndsAt.getTime() < t;
  return job.firstContactDueAt !== null && job.firstContactDueAt.getTime() < t;
}

/**
 * Who held the job at `asOf` and the leftover facts of that holding, replaying the timeline's
 * events at or before `asOf` (an event exactly at `asOf` has happened): ACCEPTED starts a holding
 * (a walk-in's too), BOOKED sets the window in force (a rebooking replaces it), COMPLETED ends the
 * job's openness, RECALLED and CANCELLED end the holding. Null when no centre held it then.
 */
export function holdingAt(
  timeline: readonly Pick<TicketEvent, 'type' | 'at' | 'data'>[],
  asOf: Date,
  policy: { slaClocks: Pick<TicketPolicy['slaClocks'], 'firstContactMinutes'> },
): { centreId: string; facts: LeftoverJobFacts } | null {
  const t = asOf.getTime();
  let held: { centreId: string; acceptedAt: Date; completedAt: Date | null; appointmentEndsAt: Date | null } | null =
    null;
  for (const e of timeline) {
    if (e.at.getTime() > t) continue;
    switch (e.type) {
      case 'ACCEPTED':
        held = {
          centreId: (e.data as { centreId: string }).centreId,
          acceptedAt: e.at,
          completedAt: null,
          appointmentEndsAt: null,
        };
        break;
      case 'BOOKED':
        if (held) held.appointmentEndsAt = (e.data as { to: Date }).to;
        break;
      case 'COMPLETED':
        if (held) held.completedAt = e.at;
        break;
      case 'RECALLED':
      case 'CANCELLED':
        held = null;
        break;
      default:
        break;
    }
  }
  if (!held) return null;
  return {
    centreId: held.centreId,
    facts: {
      acceptedAt: held.acceptedAt,
      completedAt: held.completedAt,
      appointmentEndsAt: held.appointmentEndsAt,
      firstContactDueAt: firstContactBy(held.acceptedAt, policy),
    },
  };
}

/**
 * The centre for which the job was dispatch leftover at `asOf` (held, accepted, not completed, past due), else null.
 */
export function leftoverCentreAt(
  timeline: readonly Pick<TicketEvent, 'type' | 'at' | 'data'>[],
  asOf: Date,
  policy: { slaClocks: Pick<TicketPolicy['slaClocks'], 'firstContactMinutes'> },
): string | null {
  const h = holdingAt(timeline, asOf, policy);
  return h && isPastDue(h.facts, asOf) ? h.centreId : null;
}
