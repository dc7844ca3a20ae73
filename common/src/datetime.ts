import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** ISO 8601 with an explicit zone; a local time without one would mean a different instant per server. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/;

const invalid = (value: unknown) =>
  new GraphQLError(
    `DateTime must be an ISO 8601 instant with a time zone, e.g. 2026-11-01T00:00:00Z; got ${JSON.stringify(value)}`,
    {
      extensions: { code: 'BAD_USER_INPUT' },
    },
  );

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses strictly: Date.parse alone would turn 2026-02-30 into 2 March. */
export function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || value.length > 40) throw invalid(value);
  const m = ISO_INSTANT.exec(value);
  if (!m) throw invalid(value);
  const [year, month, day, hour, minute, second = 0, offH = 0, offM = 0] = [
    m[1],
    m[2],
    m[3],
    m[4],
    m[5],
    m[6],
    m[9],
    m[10],
  ].map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const fieldsValid =
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth(year!, month!) &&
    hour! <= 23 &&
    minute! <= 59 &&
    second <= 59 &&
    offH <= 23 &&
    offM <= 59;
  const time = Date.parse(value);
  if (!fieldsValid || Number.isNaN(time)) throw invalid(value);
  return new Date(time);
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in UTC, ISO 8601 (e.g. 2026-11-01T00:00:00.000Z).',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    if (typeof value === 'string') return parseInstant(value).toISOString();
    throw new GraphQLError('DateTime cannot represent a non-date value');
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid(ast.kind);
    return parseInstant(ast.value);
  },
});
