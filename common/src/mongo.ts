import mongoose, { type Connection } from 'mongoose';

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
