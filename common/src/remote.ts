import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PublishedStandardRef } from './activities.ts';
import { unavailableDependency } from './dependencies.ts';
import { TASK_QUEUES } from './temporal.ts';

/** Another service's activity refused the call (`type` is its failure type), or did not answer in time. */
export class RemoteCallError extends Error {
  readonly type: string | null;
  /** The service called: with no `type`, it (or Temporal) did not answer, and clients see it UNAVAILABLE. */
  readonly service: string | undefined;
  constructor(message: string, type: string | null, service?: string) {
    super(message);
    this.name = 'RemoteCallError';
    this.type = type;
    this.service = service;
  }
}

/** The innermost cause of a workflow failure: the activity's own ApplicationFailure, or a timeout. */
function innermost(error: unknown): { message: string; type: string | null } {
  let e = error as { message?: string; type?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return { message: e?.message ?? String(error), type: e?.type ?? null };
}

/**
 * A typed handle on another service's activities for request-time reads: each call runs the
 * `relayActivity` workflow (workflows/src/relay.ts), which calls the activity on that service's
 * own task queue. Fails with RemoteCallError after `timeoutMs` rather than keep a client waiting.
 */
export function remoteActivities<T extends object>(
  client: Client,
  service: Exclude<keyof typeof TASK_QUEUES, 'workflows'>,
  timeoutMs = 15_000,
): T {
  const call =
    (activity: string) =>
    async (...args: unknown[]) => {
      try {
        return await client.workflow.execute('relayActivity', {
          taskQueue: TASK_QUEUES.workflows,
          workflowId: `relay-${service}-${activity}-${randomUUID()}`,
          args: [{ taskQueue: TASK_QUEUES[service], activity, args }],
          workflowExecutionTimeout: timeoutMs,
        });
      } catch (error) {
        if (unavailableDependency(error) === 'temporal') throw error; // Temporal itself is down, not that service
        const cause = innermost(error);
        throw new RemoteCallError(`${service}.${activity}: ${cause.message}`, cause.type, service);
      }
    };
  // `then` must stay undefined, or awaiting the handle would treat it as a promise.
  return new Proxy({} as T, {
    get: (_target, name) => (typeof name === 'string' && name !== 'then' ? call(name) : undefined),
  });
}

/**
 * Keeps the answer of "what is in force now" (a standard, a policy) until it may change: its
 * `validUntil`, and at most `ttlMs` (a publication made now is seen within that). Past the TTL a
 * still-valid answer is served at once while one refresh runs behind it (a failed refresh is
 * reported to `onStale`), so no request waits on the other service unless the answer may no
 * longer be in force.
 */
export function inForceCache<T extends { validUntil: string | null }>(
  load: (at: Date) => Promise<T>,
  opts: { ttlMs: number; now: () => Date; onStale?: (error: unknown) => void },
): () => Promise<T> {
  let cached: { value: T; freshUntil: number; validUntil: number } | null = null;
  let loading: Promise<T> | null = null;
  const refresh = () =>
    (loading ??= (async () => {
      const at = opts.now();
      try {
        const value = await load(at);
        const validUntil = value.validUntil ? Date.parse(value.validUntil) : Infinity;
        cached = { value, validUntil, freshUntil: Math.min(validUntil, at.getTime() + opts.ttlMs) };
        return value;
      } finally {
        loading = null;
      }
    })());
  return async () => {
    const now = opts.now().getTime();
    if (cached && now < cached.freshUntil) return cached.value;
    if (cached && now < cached.validUntil) {
      refresh().catch((error: unknown) => opts.onStale?.(error));
      return cached.value;
    }
    return refresh();
  };
}

/**
 * Looks standard versions up through `lookup`, remembering the published ones: a published version
 * never changes, so it is asked about once per process. Anything else is asked again each time (a
 * scheduled version may be published, a draft edited or discarded).
 */
export function publishedVersions(
  lookup: (versionId: string) => Promise<PublishedStandardRef | null>,
): (versionId: string) => Promise<PublishedStandardRef | null> {
  const published = new Map<string, PublishedStandardRef>();
  return async (versionId) => {
    const known = published.get(versionId);
    if (known) return known;
    const ref = await lookup(versionId);
    if (ref?.status === 'PUBLISHED') published.set(versionId, ref);
    return ref;
  };
}
