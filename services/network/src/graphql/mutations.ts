import {
  badInput,
  conflict,
  invalidTransition,
  isDuplicateKey,
  notFound,
  throwIfInvalid,
  withIdempotency,
  type Claims,
  type RequestContext,
  type Violation,
} from '@starline/common';
import { ACTION_REQUIRES, actionFor, applyAction, type CentreStatus, type StatusAction } from '../rules/status.ts';
import { createsCycle, levelUnder, placementViolations, subtreeViolations, type SubtreeNode } from '../rules/tree.ts';
import {
  normalisePayee,
  samePayee,
  validateCentreFields,
  validateCreate,
  validatePayee,
  validateStatusChange,
  type CentreFields,
  type CentrePayeeInput,
  type ContactInput,
  type CreateCentreInput,
} from '../rules/validate.ts';
import type { CentreRecord, CentreStore } from '../store/centres.ts';
import { requireEditor, seesWholeNetwork } from './access.ts';
import type { NetworkDeps } from './deps.ts';

async function load(store: CentreStore, id: string): Promise<CentreRecord> {
  const record = await store.findById(id);
  if (!record) throw notFound('service centre', id);
  return record;
}

async function loadAfterReplay(deps: NetworkDeps, id: string): Promise<CentreRecord> {
  return load(deps.store, id);
}

const contactOf = (c: ContactInput) => ({ name: c.name.trim(), phone: c.phone, email: c.email ?? null });

/** Ancestors of `id`, nearest first (bounded: the tree is at most four levels, a broken one stops at 16). */
async function ancestorsOf(store: CentreStore, id: string): Promise<string[]> {
  const out: string[] = [];
  let current = await store.findById(id);
  while (current?.parentId && out.length < 16 && !out.includes(current.parentId)) {
    out.push(current.parentId);
    current = await store.findById(current.parentId);
  }
  return out;
}

async function descendantsOf(store: CentreStore, id: string): Promise<(SubtreeNode & { level: number })[]> {
  const out: (SubtreeNode & { level: number })[] = [];
  let frontier = [id];
  for (let depth = 1; frontier.length > 0 && depth <= 8; depth++) {
    const children = await store.children(frontier, 10_000);
    out.push(...children.map((c) => ({ id: c.id, tier: c.tier, depth, level: c.level })));
    frontier = children.map((c) => c.id);
  }
  return out;
}

/** The parent a centre may hang under: it exists and is not eliminated. */
async function loadParent(store: CentreStore, parentId: string): Promise<CentreRecord> {
  const parent = await store.findById(parentId);
  if (!parent) throw notFound('parent centre', parentId);
  if (parent.status === 'ELIMINATED')
    throw badInput('parentId', `centre ${parent.code} is ELIMINATED and takes no new centres`);
  return parent;
}

/** Product lines the standard in force does not have: a centre serving them would never get a job. */
async function unknownProductLines(deps: NetworkDeps, lines: readonly string[]): Promise<Violation[]> {
  const known = await deps.productLines();
  return lines.flatMap((line, i) =>
    known.productLines.includes(line)
      ? []
      : [
          {
            field: `productLines[${i}]`,
            message: `${line} is not a product line of standard ${known.standardVersionId}`,
          },
        ],
  );
}

export async function createServiceCentre(
  deps: NetworkDeps,
  ctx: RequestContext,
  input: CreateCentreInput,
  idempotencyKey: string | null | undefined,
): Promise<CentreRecord> {
  const claims = requireEditor(ctx.claims);
  const normalised = { ...input, parentId: input.parentId ?? null, starRating: input.starRating ?? null };
  throwIfInvalid(validateCreate(normalised));
  throwIfInvalid(await unknownProductLines(deps, normalised.productLines));
  const id = await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'createServiceCentre',
      caller: claims,
      payload: normalised,
      mayReplay: () => seesWholeNetwork(claims),
    },
    () =>
      deps.store.exclusiveTree(async () => {
        const parent = normalised.parentId ? await loadParent(deps.store, normalised.parentId) : null;
        const level = levelUnder(parent?.level ?? null);
        throwIfInvalid(placementViolations(normalised.tier, level));
        const now = deps.now();
        try {
          const created = await deps.store.insert({
            code: normalised.code,
            name: normalised.name.trim(),
            tier: normalised.tier,
            level,
            parentId: parent?.id ?? null,
            region: normalised.region,
            serviceAreas: normalised.serviceAreas,
            productLines: normalised.productLines,
            dailyCapacity: normalised.dailyCapacity,
            starRating: normalised.starRating,
            contact: contactOf(normalised.contact),
            status: 'ONBOARDING',
            statusHistory: [
              { from: null, to: 'ONBOARDING', at: now, actor: claims.sub, reason: 'created', evidence: null },
            ],
            payee: null,
            payeeHistory: [],
            createdBy: claims.sub,
            createdAt: now,
            updatedAt: now,
          });
          ctx.log.info({ centreId: created.id, code: created.code }, 'service centre created');
          return created.id;
        } catch (error) {
          if (isDuplicateKey(error))
            throw conflict(`a service centre with code ${normalised.code} already exists`, { field: 'code' });
          throw error;
        }
      }),
  );
  return loadAfterReplay(deps, id);
}

export type UpdateCentreInput = Partial<{ [K in keyof CentreFields]: CentreFields[K] | null }>;

const NOT_NULLABLE = ['name', 'tier', 'region', 'serviceAreas', 'productLines', 'dailyCapacity', 'contact'] as const;

export async function updateServiceCentre(
  deps: NetworkDeps,
  ctx: RequestContext,
  id: string,
  input: UpdateCentreInput,
  idempotencyKey: string | null | undefined,
): Promise<CentreRecord> {
  const claims = requireEditor(ctx.claims);
  const violations: Violation[] = NOT_NULLABLE.filter((k) => k in input && input[k] === null).map((k) => ({
    field: k,
    message: 'cannot be removed; leave it out to keep the current value',
  }));
  throwIfInvalid([...violations, ...validateCentreFields(input)]);
  if (input.productLines) throwIfInvalid(await unknownProductLines(deps, input.productLines));
  const moves = 'parentId' in input || 'tier' in input;
  const work = () =>
    deps.store.exclusiveCentre(id, async () => {
      const current = await load(deps.store, id);
      if (current.status === 'ELIMINATED')
        throw invalidTransition('an ELIMINATED centre is final and cannot be changed', current.status);
      const now = deps.now();
      const set: Record<string, unknown> = {};
      let descendantLevels: { id: string; level: number }[] = [];
      if (moves) {
        const tier = input.tier ?? current.tier;
        const parentId = 'parentId' in input ? (input.parentId ?? null) : current.parentId;
        if (parentId !== current.parentId || tier !== current.tier) {
          let parent: CentreRecord | null = null;
          if (parentId !== null) {
            if (createsCycle(id, parentId, parentId === id ? [] : await ancestorsOf(deps.store, parentId))) {
              throw badInput('parentId', 'would make the centre its own ancestor');
            }
            parent =
              parentId === current.parentId ? await load(deps.store, parentId) : await loadParent(deps.store, parentId);
          }
          const level = levelUnder(parent?.level ?? null);
          const descendants = await descendantsOf(deps.store, id);
          throwIfInvalid([...placementViolations(tier, level), ...subtreeViolations(level, descendants)]);
          Object.assign(set, { tier, parentId, level });
          descendantLevels = descendants
            .filter((d) => d.level !== level + d.depth)
            .map((d) => ({ id: d.id, level: level + d.depth }));
        }
      }
      if (input.name !== undefined && input.name !== null) set['name'] = input.name.trim();
      for (const k of ['region', 'serviceAreas', 'productLines', 'dailyCapacity'] as const)
        if (input[k] !== undefined) set[k] = input[k];
      if ('starRating' in input) set['starRating'] = input.starRating ?? null;
      if (input.contact) set['contact'] = contactOf(input.contact);
      if (Object.keys(set).length === 0) return current.id;
      set['updatedAt'] = now;
      await deps.store.update(id, set);
      if (descendantLevels.length > 0) await deps.store.setLevels(descendantLevels, now);
      ctx.log.info({ centreId: id, changed: Object.keys(set) }, 'service centre updated');
      return current.id;
    });
  const updatedId = await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'updateServiceCentre',
      caller: claims,
      payload: { id, input },
      mayReplay: () => seesWholeNetwork(claims),
    },
    () => (moves ? deps.store.exclusiveTree(work) : work()),
  );
  return loadAfterReplay(deps, updatedId);
}

/**
 * Sets a centre's payee details (OPERATOR, ADMIN), recording who, when, why and the values before
 * and after in `payeeHistory`. The same values again change nothing. Refused for an ELIMINATED
 * centre like every other edit.
 */
export async function setCentrePayee(
  deps: NetworkDeps,
  ctx: RequestContext,
  id: string,
  input: CentrePayeeInput,
  reason: string,
  idempotencyKey: string | null | undefined,
): Promise<CentreRecord> {
  const claims = requireEditor(ctx.claims);
  throwIfInvalid(validatePayee(input, reason));
  const values = normalisePayee(input);
  const why = reason.trim();
  const changedId = await withIdempotency(
    deps.store.idempotency,
    {
      key: idempotencyKey,
      operation: 'setCentrePayee',
      caller: claims,
      payload: { id, input, reason },
      mayReplay: () => seesWholeNetwork(claims),
    },
    () =>
      deps.store.exclusiveCentre(id, async () => {
        const current = await load(deps.store, id);
        if (current.status === 'ELIMINATED')
          throw invalidTransition('an ELIMINATED centre is final and cannot be changed', current.status);
        if (samePayee(current.payee, values)) return current.id;
        const now = deps.now();
        const from = current.payee && {
          accountName: current.payee.accountName,
          bank: current.payee.bank,
          accountNumber: current.payee.accountNumber,
        };
        const changed = await deps.store.setPayee(
          id,
          { ...values, updatedAt: now, updatedBy: claims.sub },
          { at: now, actor: claims.sub, reason: why, from, to: values },
        );
        if (!changed) throw notFound('service centre', id);
        // Never the account number itself: logs are read more widely than the payee details.
        ctx.log.info({ centreId: id, first: from === null }, 'service centre payee details changed');
        return current.id;
      }),
  );
  return loadAfterReplay(deps, changedId);
}

export interface StatusArgs {
  id: string;
  /** A named action (activate, suspend…), or… */
  action?: StatusAction;
  /** …the target status, reached by the one legal action from the current one. */
  to?: CentreStatus;
  reason?: string | null;
  evidence?: string | null;
  idempotencyKey?: string | null;
}

type TransitionArgs = {
  id: string;
  action?: StatusAction;
  to?: CentreStatus;
  reason: string | null;
  evidence: string | null;
};

/**
 * One status change; call under the centre's lease. Checks the machine, then writes the change and its history entry.
 */
export async function transitionLocked(
  store: CentreStore,
  actor: string,
  now: Date,
  args: TransitionArgs,
): Promise<CentreRecord> {
  const current = await load(store, args.id);
  const action = args.action ?? (args.to ? actionFor(current.status, args.to) : null);
  if (!action) {
    throw invalidTransition(`a ${current.status} centre cannot become ${args.to ?? '?'}`, current.status);
  }
  const result = applyAction(current.status, action);
  if (!result.ok) throw invalidTransition(result.message, current.status);
  throwIfInvalid(validateStatusChange(ACTION_REQUIRES[action], args.reason, args.evidence));
  const changed = await store.changeStatus(args.id, current.status, {
    from: current.status,
    to: result.to,
    at: now,
    actor,
    reason: args.reason?.trim() || null,
    evidence: args.evidence || null,
  });
  if (!changed) throw conflict('the centre changed meanwhile; reload it and try again');
  return changed;
}

/**
 * One status change under the centre's lease. Elimination also holds the tree lease, so it can't
 * race with a new centre being attached under the one being eliminated.
 */
export function transitionCentre(
  store: CentreStore,
  actor: string,
  now: Date,
  args: TransitionArgs,
): Promise<CentreRecord> {
  const locked = () => store.exclusiveCentre(args.id, () => transitionLocked(store, actor, now, args));
  return args.action === 'ELIMINATE' || args.to === 'ELIMINATED' ? store.exclusiveTree(locked) : locked();
}

export async function changeCentreStatus(
  deps: NetworkDeps,
  ctx: RequestContext,
  operation: string,
  args: StatusArgs,
): Promise<CentreRecord> {
  const claims: Claims = requireEditor(ctx.claims);
  // Formats first (nothing required yet: which fields are required depends on the current status).
  throwIfInvalid(validateStatusChange({ reason: false, evidence: false }, args.reason, args.evidence));
  if (args.action) throwIfInvalid(validateStatusChange(ACTION_REQUIRES[args.action], args.reason, args.evidence));
  const payload = {
    id: args.id,
    action: args.action ?? null,
    to: args.to ?? null,
    reason: args.reason ?? null,
    evidence: args.evidence ?? null,
  };
  const id = await withIdempotency(
    deps.store.idempotency,
    { key: args.idempotencyKey, operation, caller: claims, payload, mayReplay: () => seesWholeNetwork(claims) },
    async () => {
      const changed = await transitionCentre(deps.store, claims.sub, deps.now(), {
        id: args.id,
        ...(args.action ? { action: args.action } : {}),
        ...(args.to ? { to: args.to } : {}),
        reason: args.reason ?? null,
        evidence: args.evidence ?? null,
      });
      ctx.log.info({ centreId: changed.id, status: changed.status }, 'service centre status changed');
      return changed.id;
    },
  );
  return loadAfterReplay(deps, id);
}
