/**
 * Loads together the keys that one level of a GraphQL response asks for. graphql-js calls the
 * resolvers of a list's items in the same turn of the event loop, so the keys gathered until the next
 * tick go to `load` in one call: twenty engineers' licences are one query, not twenty.
 */
export function batchLoader<K, V>(load: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let keys: K[] = [];
  let loaded: Promise<Map<K, V>> | null = null;
  return (key) => {
    if (!loaded) {
      const batch = (keys = []);
      loaded = new Promise<void>((resolve) => process.nextTick(resolve)).then(() => {
        loaded = null;
        return load(batch);
      });
    }
    keys.push(key);
    return loaded.then((found) => found.get(key));
  };
}

const loaders = new WeakMap<object, Map<string, unknown>>();

/**
 * The request's own loader of one kind, made on first use: a loader lives no longer than the request
 * (keyed by its context), so it never serves one caller's batch to another.
 */
export function loaderFor<K, V>(
  ctx: object,
  kind: string,
  load: (keys: K[]) => Promise<Map<K, V>>,
): (key: K) => Promise<V | undefined> {
  let kinds = loaders.get(ctx);
  if (!kinds) loaders.set(ctx, (kinds = new Map()));
  let loader = kinds.get(kind) as ((key: K) => Promise<V | undefined>) | undefined;
  if (!loader) kinds.set(kind, (loader = batchLoader(load)));
  return loader;
}
