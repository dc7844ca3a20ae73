import type { LicencePolicy, PointKind } from './policy.ts';

export type LicenceStatus = 'EXEMPLARY' | 'NORMAL' | 'WARNING' | 'REVOKED';

/** One ledger entry as the fold needs it. */
export interface LedgerFact {
  kind: PointKind;
  /** Signed, as the catalogue gives it. */
  points: number;
  recordedAt: Date;
  /** Tie-breaker for entries recorded at the same instant. */
  id: string;
}

export interface LicenceSummary {
  pointsRemaining: number;
  status: LicenceStatus;
  deductions: number;
  credits: number;
  /** When the entry that brought the licence to 0 was recorded; null while not revoked. */
  revokedAt: Date | null;
}

export function orderEntries<T extends LedgerFact>(entries: readonly T[]): T[] {
  return [...entries].sort(
    (a, b) => a.recordedAt.getTime() - b.recordedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * Folds one cycle's ledger (in recorded order) into points and status (docs/domain.md §4):
 * start at maxPoints; a violation deducts (never below 0); a credit adds but never above maxPoints;
 * reaching 0 revokes at once and nothing after that (credits included) lifts it — only a reinstatement
 * (a new licence) does. EXEMPLARY = no deductions this cycle and at least one credit; WARNING =
 * points ≤ warningAtOrBelow; otherwise NORMAL.
 */
export function foldLedger(
  entries: readonly LedgerFact[],
  policy: Pick<LicencePolicy, 'maxPoints' | 'warningAtOrBelow'>,
): LicenceSummary {
  let points = policy.maxPoints;
  let deductions = 0;
  let credits = 0;
  let revokedAt: Date | null = null;
  for (const e of orderEntries(entries)) {
    if (e.kind === 'VIOLATION') deductions++;
    else credits++;
    if (revokedAt) continue;
    const next = points + e.points;
    points = Math.max(0, Math.min(policy.maxPoints, next));
    if (points === 0) revokedAt = e.recordedAt;
  }
  return {
    pointsRemaining: points,
    status: statusOf(points, deductions, credits, revokedAt !== null, policy),
    deductions,
    credits,
    revokedAt,
  };
}

export function statusOf(
  points: number,
  deductions: number,
  credits: number,
  revoked: boolean,
  policy: Pick<LicencePolicy, 'warningAtOrBelow'>,
): LicenceStatus {
  if (revoked || points <= 0) return 'REVOKED';
  if (points <= policy.warningAtOrBelow) return 'WARNING';
  if (deductions === 0 && credits > 0) return 'EXEMPLARY';
  return 'NORMAL';
}
