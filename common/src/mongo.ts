import mongoose, { type Connection, type Model, type RootFilterQuery } from 'mongoose';

/**
 * One database per service: the service's own connection, never the global mongoose one.
 * Index creation is explicit (syncIndexes at start-up), not a side effect of the first query.
 */
export async function connectDatabase(uri: string, dbName: string): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: 20,
  });
  await conn.asPromise();
  return conn;
}

/** MongoDB and FerretDB both report a unique-index violation as code 11000. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * Our FerretDB build answers an `_id` `$in` of up to 1,000 ids from the `_id` index (infra/ferretdb.patch);
 * a longer list would scan the collection, so lists are read in chunks of this many.
 */
export const IDS_PER_QUERY = 500;

/** The documents with these `_id`s (missing ones absent, in no particular order), by indexed `$in` chunks. */
export async function findByIds<D extends { _id: string }>(model: Model<D>, ids: readonly string[], projection?: Record<string, 0>): Promise<D[]> {
  const docs: D[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    docs.push(...(await model.find({ _id: { $in: ids.slice(i, i + IDS_PER_QUERY) } } as RootFilterQuery<D>, projection).lean<D[]>()));
  }
  return docs;
}
