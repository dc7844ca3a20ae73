/**
 * The platform's own dependencies (Temporal, the database) as a client and an operator see them:
 * an error that means one is down becomes UNAVAILABLE naming it, and /ready reports each one.
 */

const MONGO_DOWN =
  /^(MongoServerSelectionError|MongoNetworkError|MongoNetworkTimeoutError|MongoNotConnectedError|MongoTopologyClosedError|MongooseServerSelectionError|MongoPoolClearedError)$/;
/** gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4): the Temporal frontend is down or not answering. */
const GRPC_DOWN = new Set([14, 4]);

/**
 * Which dependency an error says is down: `database`, `temporal`, or another service whose worker
 * did not answer a request-time call (RemoteCallError with no failure type); null for anything else.
 */
export function unavailableDependency(error: unknown): string | null {
  let e = error as
    | {
        name?: string;
        message?: string;
        code?: unknown;
        cause?: unknown;
        originalError?: unknown;
        type?: unknown;
        service?: unknown;
      }
    | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const name = String(e.name ?? '');
    if (MONGO_DOWN.test(name)) return 'database';
    if (name === 'MongooseError' && /buffering timed out/.test(String(e.message))) return 'database';
    if (typeof e.code === 'number' && GRPC_DOWN.has(e.code) && 'details' in e) return 'temporal';
    if (name === 'RemoteCallError' && e.type === null) return typeof e.service === 'string' ? e.service : 'temporal';
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return null;
}

export type DependencyState = 'up' | 'down';

export interface Readiness {
  ok: boolean;
  dependencies: Record<string, DependencyState>;
}

/**
 * Runs each check with a deadline (a hung dependency must not hang /ready) and reports each one;
 * ready only when all are up.
 */
export async function checkDependencies(
  checks: Record<string, () => Promise<boolean>>,
  timeoutMs = 2_000,
): Promise<Readiness> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, DependencyState]> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const up = await Promise.race([check().catch(() => false), late]);
      clearTimeout(timer);
      return [name, up ? 'up' : 'down'];
    }),
  );
  const dependencies = Object.fromEntries(entries);
  return { ok: entries.every(([, s]) => s === 'up'), dependencies };
}
