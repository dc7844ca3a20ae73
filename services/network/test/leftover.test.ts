import { describe, expect, it } from 'vitest';
import { countPastDue, isPastDue, type LeftoverJobFacts } from '../src/rules/leftover.ts';

// October 2026's last instant in Asia/Shanghai: 2026-10-31 23:59:59.999 +08:00.
const at = new Date('2026-10-31T15:59:59.999Z');
const d = (iso: string) => new Date(iso);

/** Accepted on 20 October, first contact due 30 min later, no appointment, still open. */
const open: LeftoverJobFacts = {
  acceptedAt: d('2026-10-20T02:00:00Z'),
  completedAt: null,
  appointmentEndsAt: null,
  firstContactDueAt: d('2026-10-20T02:30:00Z'),
};

describe('isPastDue', () => {
  it('counts an open job whose appointment window ended before the instant', () => {
    expect(isPastDue({ ...open, appointmentEndsAt: d('2026-10-31T15:59:59.998Z') }, at)).toBe(true);
    expect(isPastDue({ ...open, appointmentEndsAt: d('2026-10-25T10:00:00Z') }, at)).toBe(true);
  });
  it('does not count a window that ends exactly at the instant, or later', () => {
    expect(isPastDue({ ...open, appointmentEndsAt: at }, at)).toBe(false);
    expect(isPastDue({ ...open, appointmentEndsAt: d('2026-11-02T10:00:00Z') }, at)).toBe(false);
  });
  it('judges a job with an appointment by the window, not by the first-contact deadline', () => {
    // first contact was due on 20 October, but the booked window is still ahead
    expect(isPastDue({ ...open, appointmentEndsAt: d('2026-11-01T04:00:00Z') }, at)).toBe(false);
  });
  it('counts a job without appointment once its first-contact deadline has passed', () => {
    expect(isPastDue(open, at)).toBe(true);
    expect(isPastDue({ ...open, firstContactDueAt: d('2026-10-31T15:59:59.998Z') }, at)).toBe(true);
  });
  it('does not count a job without appointment whose first-contact deadline is at the instant or later', () => {
    const lateAccept = { ...open, acceptedAt: d('2026-10-31T15:40:00Z') };
    expect(isPastDue({ ...lateAccept, firstContactDueAt: at }, at)).toBe(false);
    expect(isPastDue({ ...lateAccept, firstContactDueAt: d('2026-10-31T16:10:00Z') }, at)).toBe(false);
  });
  it('does not count a job completed by the instant, even exactly at it', () => {
    expect(isPastDue({ ...open, completedAt: d('2026-10-30T08:00:00Z') }, at)).toBe(false);
    expect(isPastDue({ ...open, completedAt: at }, at)).toBe(false);
  });
  it('still counts a job completed after the instant: a late run gives the same figure', () => {
    expect(isPastDue({ ...open, completedAt: d('2026-11-01T03:00:00Z') }, at)).toBe(true);
  });
  it('does not count a job not accepted, or accepted only after the instant', () => {
    expect(isPastDue({ ...open, acceptedAt: null, firstContactDueAt: null }, at)).toBe(false);
    expect(isPastDue({ ...open, acceptedAt: d('2026-10-31T16:00:00Z'), firstContactDueAt: d('2026-10-31T16:30:00Z') }, at)).toBe(false);
  });
});

describe('countPastDue', () => {
  it('counts the past-due jobs among a centre’s jobs', () => {
    const jobs: LeftoverJobFacts[] = [
      open, // past due: no appointment, first contact due 20 Oct
      { ...open, appointmentEndsAt: d('2026-10-28T10:00:00Z') }, // past due: window ended
      { ...open, appointmentEndsAt: at }, // window ends at the instant: not yet
      { ...open, completedAt: d('2026-10-29T10:00:00Z') }, // done
      { ...open, completedAt: d('2026-11-03T10:00:00Z') }, // done only after the month: past due
    ];
    expect(countPastDue(jobs, at)).toBe(3);
    expect(countPastDue([], at)).toBe(0);
  });
});
