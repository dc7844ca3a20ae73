import {
  DomainError,
  badInput,
  conflict,
  invalidTransition,
  isDuplicateKey,
  notFound,
  requireRole,
  throwIfInvalid,
  withIdempotency,
  type RequestContext,
  type Violation,
} from '@starline/common';
import { canPromote, canReinstate, type CareerLevel, type ExamKind } from '../rules/career.ts';
import { foldLedger } from '../rules/licence.ts';
import { cycleEndFrom, pointRuleFor, type LicencePolicy } from '../rules/policy.ts';
import {
  validateCertification,
  validateEvent,
  validateExam,
  validateRegister,
  type CertificationInput,
  type RegisterEngineerInput,
} from '../rules/validate.ts';
import type { CertificationStore, EngineerRecord, EntryRecord, LicenceRecord } from '../store/certification.ts';
import { maySeeEngineer, requireEditor, requireOwnCentre } from './access.ts';
import type { CertificationDeps } from './deps.ts';

async function loadEngineer(store: CertificationStore, id: string): Promise<EngineerRecord> {
  const record = await store.findEngineer(id);
  if (!record) throw notFound('engineer', id);
  return record;
}

async function loadLicence(store: CertificationStore, engineerId: string): Promise<LicenceRecord> {
  const licence = await store.activeLicence(engineerId);
  if (!licence) throw notFound('licence of engineer', engineerId);
  return licence;
}

/** Product lines the standard in force does not know, as violations of `field`. */
function unknownProductLines(
  policy: LicencePolicy,
  lines: readonly { productLine: string }[],
  field: (i: number) => string,
): Violation[] {
  return lines.flatMap((c, i) =>
    policy.productLines.includes(c.productLine)
      ? []
      : [{ field: field(i), message: `${c.productLine} is not a product line of the standard in force` }],
  );
}

/**
 * Registers an engineer and issues licence generation 1 at full points. The centre must exist and
 * not be ELIMINATED (asked of the network service), and every certification must name a product
 * line of the standard in force.
 */
export async function registerEngineer(
  deps: CertificationDeps,
  ctx: RequestContext,
  input: RegisterEngineerInput,
  idempotencyKey: string | null | undefined,
): Promise<EngineerRecord> {
  const claims = requireRole(ctx.claims, 'PARTNER', 'OPERATOR', 'ADMIN');
  requireOwnCentre(claims, input.centreId);
  const normalised = {
    number: input.number,
    name: input.name.trim(),
    centreId: input.centreId,
    level: (input.level ?? 'SERVICE_TECHNICIAN') as CareerLevel,
    certifications: (input.certifications ?? []).map((c) => ({
      productLine: c.productLine,
      issuedAt: c.issuedAt,
      expiresAt: c.expiresAt,
    })),
  };
  throwIfInvalid(validateRegister({ ...input, name: input.name }));
  const policy = await deps.policy();
  throwIfInvalid(unknownProductLines(policy, normalised.certifications, (i) => `certifications[${i}].productLine`));
  const centre = await deps.centre(input.centreId);
  if (!centre)
    throw new DomainError('NOT_FOUND', `service centre ${input.centreId} does not exist`, { field: 'centreId' });
  if (centre.status === 'ELIMINATED')
    throw badInput('centreId', `centre ${centre.code} is ELIMINATED and takes no new engineers`);
  const id = await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'registerEngineer',
      caller: claims,
      payload: normalised,
      mayReplay: (engineerId) => maySeeEngineer(deps.store, claims, engineerId),
    },
    async () => {
      const now = deps.now();
      let created: EngineerRecord;
      try {
        created = await deps.store.insertEngineer({
          ...normalised,
          createdBy: claims.sub,
          createdAt: now,
          updatedAt: now,
        });
      } catch (error) {
        if (isDuplicateKey(error))
          throw conflict(`an engineer with number ${normalised.number} already exists`, { field: 'number' });
        throw error;
      }
      await deps.store.issueLicence(created.id, 1, now, cycleEndFrom(now, policy.cycleMonths), policy);
      ctx.log.info({ engineerId: created.id, number: created.number }, 'engineer registered');
      return created.id;
    },
  );
  return loadEngineer(deps.store, id);
}

export async function certifyEngineer(
  deps: CertificationDeps,
  ctx: RequestContext,
  engineerId: string,
  cert: CertificationInput,
  idempotencyKey: string | null | undefined,
): Promise<EngineerRecord> {
  const claims = requireEditor(ctx.claims);
  throwIfInvalid(validateCertification(cert, 'certification'));
  throwIfInvalid(unknownProductLines(await deps.policy(), [cert], () => 'certification.productLine'));
  await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'certifyEngineer',
      caller: claims,
      payload: { engineerId, cert },
      mayReplay: (id) => maySeeEngineer(deps.store, claims, id),
    },
    () =>
      deps.store.exclusiveEngineer(engineerId, async () => {
        const current = await loadEngineer(deps.store, engineerId);
        const certifications = [
          ...current.certifications.filter((c) => c.productLine !== cert.productLine),
          { ...cert },
        ];
        await deps.store.updateEngineer(engineerId, { certifications, updatedAt: deps.now() });
        return engineerId;
      }),
  );
  return loadEngineer(deps.store, engineerId);
}

export interface RecordEventArgs {
  engineerId: string;
  code: string;
  evidenceKey: string;
  note?: string | null;
  recordedBy: string;
}

/**
 * Appends one ledger entry to the engineer's active licence and refreshes the cached summary.
 * The insert (`<licenceId>|<evidenceKey>`) is the idempotency: a repeat returns the first entry.
 * Runs under the licence's lease so the cycle read and the summary write see one order.
 */
export async function recordEvent(store: CertificationStore, policy: LicencePolicy, now: Date, args: RecordEventArgs) {
  throwIfInvalid(validateEvent(args));
  const rule = pointRuleFor(policy, args.code);
  if (!rule)
    throw badInput(
      'code',
      `${args.code} is not in the violation and credit catalogue of standard ${policy.standardVersionId}`,
    );
  const engineer = await loadEngineer(store, args.engineerId);
  return appendUnderLease(store, policy, now, { ...args, centreId: engineer.centreId }, rule, 0);
}

/**
 * The one path every ledger entry is appended by (the mutation and the activity alike). After the
 * insert, on a replay too, the entry is noted in its cycle and, if an incentive credit, counted in
 * its centre's month (`countCredit`): each of those writes is repaired by a replay if a crash fell
 * between it and the insert, and does nothing when already done.
 */
async function appendUnderLease(
  store: CertificationStore,
  policy: LicencePolicy,
  now: Date,
  args: RecordEventArgs & { centreId: string },
  rule: NonNullable<ReturnType<typeof pointRuleFor>>,
  attempt: number,
): Promise<{ entry: EntryRecord; created: boolean; summary: ReturnType<typeof foldLedger> }> {
  const licence = await loadLicence(store, args.engineerId);
  const result = await store.exclusiveLicence(licence.id, async () => {
    // A reinstatement (under this same lease) may have issued a newer licence meanwhile: file there.
    if ((await store.activeLicence(args.engineerId))?.id !== licence.id) return null;
    // Evidence already counted on an earlier (archived) licence is not counted again on the new one.
    const earlier = await store.findEntryByEvidence(args.engineerId, args.evidenceKey, licence.generation);
    if (earlier && earlier.licenceId !== licence.id) {
      await store.countCredit(earlier);
      return { entry: earlier, created: false, summary: (await store.stateOf(licence, policy)).summary };
    }
    const cycle = await store.currentCycle(licence);
    if (!cycle) throw new Error(`licence ${licence.id} has no cycle`);
    const { entry, created } = await store.appendEntry({
      licenceId: licence.id,
      engineerId: args.engineerId,
      centreId: args.centreId,
      cycleIndex: cycle.index,
      code: rule.code,
      kind: rule.kind,
      points: rule.points,
      evidenceKey: args.evidenceKey,
      recordedBy: args.recordedBy,
      recordedAt: now,
      note: args.note?.trim() || null,
      standardVersionId: policy.standardVersionId,
    });
    // The entry's own cycle (a replay may find it filed in an earlier one, which the fold no longer reads).
    if (entry.cycleIndex === cycle.index) await store.noteInCycle(cycle, entry);
    // Counted in the centre and month it was first recorded in (a replay's clock does not move it).
    await store.countCredit(entry);
    const state = await store.stateOf(licence, policy);
    // The cache is rewritten only when it differs (a replay changes nothing; a crash before this write is repaired).
    const cached = (await store.findLicence(licence.id))?.summary;
    if (!cached || cached.pointsRemaining !== state.summary.pointsRemaining || cached.status !== state.summary.status) {
      await store.writeSummary(licence.id, state.summary, now);
    }
    return { entry, created, summary: state.summary };
  });
  if (result) return result;
  if (attempt >= 2) throw conflict('the licence changed meanwhile; try again');
  return appendUnderLease(store, policy, now, args, rule, attempt + 1);
}

export async function recordLicenceEvent(
  deps: CertificationDeps,
  ctx: RequestContext,
  args: Omit<RecordEventArgs, 'recordedBy'>,
): Promise<EntryRecord> {
  const claims = requireEditor(ctx.claims);
  const result = await recordEvent(deps.store, await deps.policy(), deps.now(), { ...args, recordedBy: claims.sub });
  ctx.log.info(
    { engineerId: args.engineerId, code: args.code, evidenceKey: args.evidenceKey, created: result.created },
    'licence event recorded',
  );
  return result.entry;
}

export interface ExamInput {
  engineerId: string;
  kind: ExamKind;
  passed: boolean;
  score: number;
  takenAt: Date;
}

export async function recordExamResult(
  deps: CertificationDeps,
  ctx: RequestContext,
  input: ExamInput,
  idempotencyKey: string | null | undefined,
) {
  const claims = requireEditor(ctx.claims);
  const now = deps.now();
  throwIfInvalid(validateExam(input, now));
  const id = await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'recordExamResult',
      caller: claims,
      payload: input,
      mayReplay: () => maySeeEngineer(deps.store, claims, input.engineerId),
    },
    async () => {
      await loadEngineer(deps.store, input.engineerId);
      const exam = await deps.store.insertExam({ ...input, recordedBy: claims.sub, recordedAt: now });
      return exam.id;
    },
  );
  const exams = await deps.store.examsOf(input.engineerId);
  const exam = exams.find((e) => e.id === id);
  if (!exam) throw notFound('exam result', id);
  return exam;
}

const refuse = (decision: { code: 'INVALID_TRANSITION' | 'BAD_USER_INPUT'; reason: string }, state: string) =>
  decision.code === 'BAD_USER_INPUT'
    ? new DomainError('BAD_USER_INPUT', `to: ${decision.reason}`, { field: 'to' })
    : invalidTransition(decision.reason, state);

export async function promoteEngineer(
  deps: CertificationDeps,
  ctx: RequestContext,
  engineerId: string,
  to: CareerLevel,
  idempotencyKey: string | null | undefined,
): Promise<EngineerRecord> {
  const claims = requireEditor(ctx.claims);
  const policy = await deps.policy();
  await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'promoteEngineer',
      caller: claims,
      payload: { engineerId, to },
      mayReplay: (id) => maySeeEngineer(deps.store, claims, id),
    },
    () =>
      deps.store.exclusiveEngineer(engineerId, async () => {
        const current = await loadEngineer(deps.store, engineerId);
        const licence = await deps.store.activeLicence(engineerId);
        const status = licence ? (await deps.store.stateOf(licence, policy)).summary.status : null;
        const decision = canPromote(current.level, to, status, await deps.store.examsOf(engineerId));
        if (!decision.ok) throw refuse(decision, current.level);
        await deps.store.updateEngineer(engineerId, { level: to, updatedAt: deps.now() });
        ctx.log.info({ engineerId, from: current.level, to }, 'engineer promoted');
        return engineerId;
      }),
  );
  return loadEngineer(deps.store, engineerId);
}

/** REVOKED + passed RETRAINING after the revocation → licence generation + 1 at full points; the old one archived. */
export async function reinstateLicence(
  deps: CertificationDeps,
  ctx: RequestContext,
  engineerId: string,
  idempotencyKey: string | null | undefined,
) {
  const claims = requireEditor(ctx.claims);
  const policy = await deps.policy();
  const id = await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'reinstateLicence',
      caller: claims,
      payload: { engineerId },
      mayReplay: () => maySeeEngineer(deps.store, claims, engineerId),
    },
    async () => {
      await loadEngineer(deps.store, engineerId);
      const old = await loadLicence(deps.store, engineerId);
      return deps.store.exclusiveLicence(old.id, async () => {
        const state = await deps.store.stateOf(old, policy);
        const decision = canReinstate(
          state.summary.status,
          state.summary.revokedAt,
          await deps.store.examsOf(engineerId),
        );
        if (!decision.ok) throw refuse(decision, state.summary.status);
        const now = deps.now();
        const issued = await deps.store.issueLicence(
          engineerId,
          old.generation + 1,
          now,
          cycleEndFrom(now, policy.cycleMonths),
          policy,
        );
        if (!issued) throw conflict('the licence was reinstated meanwhile; reload it');
        await deps.store.archiveLicence(old.id, now, 'reinstated');
        ctx.log.info({ engineerId, generation: old.generation + 1 }, 'licence reinstated');
        return `${engineerId}:${old.generation + 1}`;
      });
    },
  );
  const licence = await deps.store.findLicence(id);
  if (!licence) throw notFound('licence', id);
  return licence;
}
