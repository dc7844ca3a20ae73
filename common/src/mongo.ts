import mongoose, { type Connection, type Model, type RootFilterQuery } from 'mongoose';
import type { Span } from '@opentelemetry/api';
import { asInt, env } from './config.ts';
import { SpanKind, SpanStatusCode, tracer } from './telemetry.ts';

/** Driver chatter that is no database call of ours. */
const UNTRACED = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'saslStart',
  'saslContinue',
  'endSessions',
  'buildInfo',
  'getMore',
]);

/**
 * A span per MongoDB command, from the driver's command monitoring: it fires in the caller's async
 * context, so each span is a child of the request or activity that made the call.
 */
function traceCommands(conn: Connection, dbName: string): void {
  const open = new Map<number, Span>();
  const client = conn.getClient();
  client.on('commandStarted', (e) => {
    if (UNTRACED.has(e.commandName)) return;
    const collection = (e.command as Record<string, unknown>)[e.commandName];
    open.set(
      e.requestId,
      tracer().startSpan(`mongodb ${e.commandName}${typeof collection === 'string' ? ` ${collection}` : ''}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system': 'mongodb',
          'db.name': dbName,
          'db.operation': e.commandName,
          ...(typeof collection === 'string' ? { 'db.mongodb.collection': collection } : {}),
        },
      }),
    );
  });
  client.on('commandSucceeded', (e) => {
    open.get(e.requestId)?.end();
    open.delete(e.requestId);
  });
  client.on('commandFailed', (e) => {
    const span = open.get(e.requestId);
    if (!span) return;
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.failure.message });
    span.end();
    open.delete(e.requestId);
  });
}

/**
 * One database per service: the service's own connection, never the global mongoose one.
 * Index creation is explicit (syncIndexes at start-up), not a side effect of the first query.
 */
export async function connectDatabase(uri: string, dbName: string): Promise<Connection> {
  // How long a call waits for an unreachable database before failing (UNAVAILABLE to a client):
  // shorter than the gateway's timeout, so the client is told it is the database.
  const timeoutMs = env('MONGODB_TIMEOUT_MS', 3_000, asInt(100, 60_000));
  mongoose.set('bufferTimeoutMS', timeoutMs); // a call made while disconnected waits this long too
  const conn = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    serverSelectionTimeoutMS: timeoutMs,
    // Notice a database that came back within 2 s (default 10 s), so a service recovers by itself quickly.
    heartbeatFrequencyMS: 2_000,
    maxPoolSize: 20,
    monitorCommands: true, // the command events traceCommands turns into spans
  });
  await conn.asPromise();
  traceCommands(conn, dbName);
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
export async function findByIds<D extends { _id: string }>(
  model: Model<D>,
  ids: readonly string[],
  projection?: Record<string, 0>,
): Promise<D[]> {
  const docs: D[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    docs.push(
      ...(await model
        .find({ _id: { $in: ids.slice(i, i + IDS_PER_QUERY) } } as RootFilterQuery<D>, projection)
        .lean<D[]>()),
    );
  }
  return docs;
}
