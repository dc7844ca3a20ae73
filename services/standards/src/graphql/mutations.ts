import {
  conflict,
  invalidTransition,
  notFound,
  throwIfInvalid,
  withIdempotency,
  type Claims,
  type RequestContext,
  type Violation,
} from '@starline/common';
import { mergeContent, type ContentChanges, type StandardContent } from '../rules/content.ts';
import { defaultStandardContent } from '../rules/defaults.ts';
import { planPublication, transition, versionInForce } from '../rules/lifecycle.ts';
import { validateContent } from '../rules/validate.ts';
import type { StandardVersionRecord } from '../store/standards.ts';
import { canSeeDrafts, requireEditor, requirePublisher } from './access.ts';
import type { StandardsDeps } from './deps.ts';
import { toView, type StandardVersionView } from './view.ts';

function rejectInput(violations: Violation[]): never {
  throwIfInvalid(violations);
  throw new Error('rejectInput needs at least one violation');
}

/** The merged content, or BAD_USER_INPUT naming every offending field. */
function applyChanges(base: StandardContent, changes: ContentChanges) {
  const merged = mergeContent(base, changes);
  const violations: Violation[] = merged.nulled.map((part) => ({
    field: part,
    message: 'cannot be removed; leave it out to keep the current value',
  }));
  throwIfInvalid([...violations, ...validateContent(merged.content)]);
  return merged;
}

async function load(deps: StandardsDeps, id: string): Promise<StandardVersionRecord> {
  const record = await deps.store.findById(id);
  if (!record) throw notFound('standard version', id);
  return record;
}

/** Explains why a conditional update matched nothing: the version moved on, or someone edited it. */
async function lostRace(deps: StandardsDeps, id: string, expected: StandardVersionRecord['status']): Promise<never> {
  const current = await load(deps, id);
  if (current.status !== expected) {
    throw invalidTransition(`standard version ${current.number} became ${current.status} meanwhile`, current.status);
  }
  throw conflict(`standard version ${current.number} was changed by someone else meanwhile; reload it and try again`, {
    currentState: current.status,
  });
}

async function loadAfterReplay(deps: StandardsDeps, id: string): Promise<StandardVersionView> {
  const record = await deps.store.findById(id);
  if (!record) throw notFound('standard version (discarded since this request first ran)', id);
  return toView(record);
}

export async function createStandardDraft(
  deps: StandardsDeps,
  ctx: RequestContext,
  input: { basedOn?: string | null; content?: ContentChanges | null; idempotencyKey?: string | null },
): Promise<StandardVersionView> {
  const claims = requireEditor(ctx.claims);
  const payload = { basedOn: input.basedOn ?? null, content: input.content ?? null };
  const id = await withIdempotency(
    deps.store.idempotency,
    // A draft is HQ's work in progress: a replay answers only a caller who may still see drafts.
    {
      key: input.idempotencyKey,
      operation: 'createStandardDraft',
      caller: claims,
      payload,
      mayReplay: () => canSeeDrafts(claims),
    },
    () =>
      deps.store.exclusively(async () => {
        const now = deps.now();
        const base = input.basedOn ? await load(deps, input.basedOn) : await inForce(deps, now);
        const merged = applyChanges(base?.content ?? defaultStandardContent(), input.content ?? {});
        const created = await deps.store.insertDraft({
          content: merged.content,
          basedOn: base?.id ?? null,
          actor: claims.sub,
          now,
          detail: base ? `copied from version ${base.number}` : 'copied from the built-in defaults',
        });
        ctx.log.info({ versionId: created.id, number: created.number }, 'standard draft created');
        return created.id;
      }),
  );
  return loadAfterReplay(deps, id);
}

async function inForce(deps: StandardsDeps, at: Date): Promise<StandardVersionRecord | null> {
  const entry = versionInForce(await deps.store.timeline(), at);
  return entry ? deps.store.findById(entry.id) : null;
}

export async function updateStandardDraft(
  deps: StandardsDeps,
  ctx: RequestContext,
  id: string,
  changes: ContentChanges,
): Promise<StandardVersionView> {
  const claims = requireEditor(ctx.claims);
  const updated = await deps.store.exclusively(async () => {
    const current = await load(deps, id);
    transition(current.status, 'EDIT');
    const merged = applyChanges(current.content, changes);
    if (merged.changed.length === 0) return current;
    const detail = `changed ${merged.changed.join(', ')}`;
    return (
      (await deps.store.updateDraft(id, current.revision, merged.content, claims.sub, deps.now(), detail)) ??
      lostRace(deps, id, 'DRAFT')
    );
  });
  return toView(updated);
}

export async function discardStandardDraft(deps: StandardsDeps, ctx: RequestContext, id: string): Promise<string> {
  requireEditor(ctx.claims);
  const discarded = await deps.store.exclusively(async () => {
    const current = await load(deps, id);
    transition(current.status, 'DISCARD');
    if (!(await deps.store.deleteDraft(id))) await lostRace(deps, id, 'DRAFT');
    return current;
  });
  ctx.log.info({ versionId: id, number: discarded.number }, 'standard draft discarded');
  return id;
}

export async function publishStandardVersion(
  deps: StandardsDeps,
  ctx: RequestContext,
  args: { id: string; effectiveFrom?: Date | null; idempotencyKey?: string | null },
): Promise<StandardVersionView> {
  const claims = requirePublisher(ctx.claims);
  const requested = args.effectiveFrom ?? null;
  const payload = { id: args.id, effectiveFrom: requested?.toISOString() ?? null };
  const id = await withIdempotency(
    deps.store.idempotency,
    {
      key: args.idempotencyKey,
      operation: 'publishStandardVersion',
      caller: claims,
      payload,
      mayReplay: () => canSeeDrafts(claims),
    },
    () => publish(deps, ctx, claims, args.id, requested),
  );
  return loadAfterReplay(deps, id);
}

async function publish(
  deps: StandardsDeps,
  ctx: RequestContext,
  claims: Claims,
  id: string,
  requested: Date | null,
): Promise<string> {
  const changed = await deps.store.exclusively(async () => {
    const draft = await load(deps, id);
    transition(draft.status, 'PUBLISH');
    // Rules may have tightened since the draft was saved; nothing invalid goes in force.
    throwIfInvalid(validateContent(draft.content));
    const now = deps.now();
    const plan = planPublication(requested, now, await deps.store.timeline());
    if (!plan.ok) return rejectInput(plan.violations);
    const update = plan.action === 'PUBLISH' ? deps.store.publishDraft : deps.store.scheduleDraft;
    return (await update(id, draft.revision, plan.effectiveFrom, claims.sub, now)) ?? lostRace(deps, id, 'DRAFT');
  });
  // Outside the lease: a slow Temporal must not hold up every other standards write.
  if (changed.status === 'SCHEDULED') await schedule(deps, ctx, claims, changed);
  ctx.log.info(
    { versionId: id, number: changed.number, status: changed.status, effectiveFrom: changed.effectiveFrom },
    'standard version published',
  );
  return id;
}

/** A SCHEDULED version without a workflow would never take effect: on failure it goes back to DRAFT. */
async function schedule(
  deps: StandardsDeps,
  ctx: RequestContext,
  claims: Claims,
  version: StandardVersionRecord,
): Promise<void> {
  try {
    await deps.publication.schedulePublication(version.id, version.effectiveFrom!, claims.sub);
  } catch (error) {
    ctx.log.error(
      { err: error, versionId: version.id },
      'could not schedule the publication; returning the version to DRAFT',
    );
    const reverted = await deps.store.exclusively(() =>
      deps.store.unschedule(
        version.id,
        version.revision,
        claims.sub,
        deps.now(),
        'SCHEDULE_FAILED',
        'the publication workflow could not be started',
      ),
    );
    // Not SCHEDULED any more: the workflow did start after all and has already put it in force.
    if (!reverted) return;
    // In case the start reached Temporal after all; the activity refuses a draft anyway.
    await deps.publication.cancelPublication(version.id).catch(() => undefined);
    throw new Error('the publication could not be scheduled; the version is a draft again', { cause: error });
  }
}

export async function cancelScheduledPublication(
  deps: StandardsDeps,
  ctx: RequestContext,
  id: string,
): Promise<StandardVersionView> {
  const claims = requirePublisher(ctx.claims);
  const reverted = await deps.store.exclusively(async () => {
    const current = await load(deps, id);
    transition(current.status, 'CANCEL_SCHEDULE');
    const detail = `was to take effect at ${current.effectiveFrom?.toISOString()}`;
    return (
      (await deps.store.unschedule(id, current.revision, claims.sub, deps.now(), 'SCHEDULE_CANCELLED', detail)) ??
      lostRace(deps, id, 'SCHEDULED')
    );
  });
  // The version is a draft now, which the publishing activity refuses; stopping the workflow is tidiness.
  await deps.publication.cancelPublication(id).catch((error: unknown) => {
    ctx.log.warn(
      { err: error, versionId: id },
      'could not cancel the publication workflow; it will find a draft and stop',
    );
  });
  ctx.log.info({ versionId: id, number: reverted.number }, 'scheduled publication cancelled');
  return toView(reverted);
}
