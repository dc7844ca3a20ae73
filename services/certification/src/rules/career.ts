import type { LicenceStatus } from './licence.ts';

/** The career ladder (晋升, docs/domain.md §4), lowest first. */
export const CAREER_LEVELS = ['SERVICE_TECHNICIAN', 'SERVICE_ENGINEER', 'SENIOR_ENGINEER', 'GOLD_ENGINEER'] as const;
export type CareerLevel = (typeof CAREER_LEVELS)[number];

/** Skill exams 初级/中级/高级, plus the retraining exam after revocation and the annual-review exam. */
export const EXAM_KINDS = ['JUNIOR', 'INTERMEDIATE', 'SENIOR', 'RETRAINING', 'ANNUAL_REVIEW'] as const;
export type ExamKind = (typeof EXAM_KINDS)[number];

/** The exam that opens each level above the first. */
export const EXAM_FOR_LEVEL: Record<Exclude<CareerLevel, 'SERVICE_TECHNICIAN'>, ExamKind> = {
  SERVICE_ENGINEER: 'JUNIOR',
  SENIOR_ENGINEER: 'INTERMEDIATE',
  GOLD_ENGINEER: 'SENIOR',
};

export interface ExamFact {
  kind: ExamKind;
  passed: boolean;
  takenAt: Date;
}

export type Decision = { ok: true } | { ok: false; code: 'INVALID_TRANSITION' | 'BAD_USER_INPUT'; reason: string };

export function nextLevel(level: CareerLevel): CareerLevel | null {
  return CAREER_LEVELS[CAREER_LEVELS.indexOf(level) + 1] ?? null;
}

/**
 * Promotion: one step up the ladder, only with a passed exam for the target level and an EXEMPLARY
 * licence. Skipping a level, or a target at/below the current level, is BAD_USER_INPUT; a missing exam
 * or a licence that is not EXEMPLARY is INVALID_TRANSITION.
 */
export function canPromote(
  current: CareerLevel,
  target: CareerLevel,
  licence: LicenceStatus | null,
  exams: readonly ExamFact[],
): Decision {
  const next = nextLevel(current);
  if (next === null)
    return { ok: false, code: 'INVALID_TRANSITION', reason: `${current} is the top of the career ladder` };
  if (target !== next) {
    return { ok: false, code: 'BAD_USER_INPUT', reason: `a ${current} can only be promoted to ${next}, not ${target}` };
  }
  const exam = EXAM_FOR_LEVEL[next as keyof typeof EXAM_FOR_LEVEL];
  if (!exams.some((e) => e.kind === exam && e.passed)) {
    return { ok: false, code: 'INVALID_TRANSITION', reason: `promotion to ${next} needs a passed ${exam} exam` };
  }
  if (licence !== 'EXEMPLARY') {
    return {
      ok: false,
      code: 'INVALID_TRANSITION',
      reason: `promotion needs an EXEMPLARY licence; it is ${licence ?? 'missing'}`,
    };
  }
  return { ok: true };
}

/** Reinstatement: only a REVOKED licence, and only after a passed RETRAINING exam taken after the revocation. */
export function canReinstate(status: LicenceStatus, revokedAt: Date | null, exams: readonly ExamFact[]): Decision {
  if (status !== 'REVOKED' || !revokedAt)
    return {
      ok: false,
      code: 'INVALID_TRANSITION',
      reason: `only a REVOKED licence can be reinstated; it is ${status}`,
    };
  if (!exams.some((e) => e.kind === 'RETRAINING' && e.passed && e.takenAt.getTime() > revokedAt.getTime())) {
    return {
      ok: false,
      code: 'INVALID_TRANSITION',
      reason: 'reinstatement needs a passed RETRAINING exam taken after the revocation',
    };
  }
  return { ok: true };
}

/** Annual review (年审) failed: a failed ANNUAL_REVIEW exam in the cycle [start, end), or a REVOKED licence. */
export function reviewFailure(
  status: LicenceStatus,
  exams: readonly ExamFact[],
  cycle: { start: Date; end: Date },
): 'REVOKED' | 'FAILED_REVIEW_EXAM' | null {
  if (status === 'REVOKED') return 'REVOKED';
  const inCycle = (e: ExamFact) => e.takenAt >= cycle.start && e.takenAt < cycle.end;
  return exams.some((e) => e.kind === 'ANNUAL_REVIEW' && !e.passed && inCycle(e)) ? 'FAILED_REVIEW_EXAM' : null;
}
