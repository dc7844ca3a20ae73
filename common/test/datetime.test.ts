import { describe, expect, it } from 'vitest';
import { GraphQLError, Kind } from 'graphql';
import { DateTimeScalar, parseInstant } from '../src/datetime.ts';

describe('DateTime', () => {
  it('parses ISO 8601 instants with a zone', () => {
    expect(parseInstant('2026-11-01T00:00:00Z').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseInstant('2026-11-01T08:00:00.5+08:00').toISOString()).toBe('2026-11-01T00:00:00.500Z');
    expect(parseInstant('2024-02-29T23:59Z').toISOString()).toBe('2024-02-29T23:59:00.000Z');
  });

  it.each([
    'garbage',
    '',
    '2026-11-01',
    '2026-11-01T00:00:00',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-01T24:00:00Z',
    '2026-11-01T00:60:00Z',
    '2026-11-01 00:00:00Z',
    '1767225600000',
  ])('rejects %j with BAD_USER_INPUT', (raw) => {
    let error: unknown;
    try {
      parseInstant(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions['code']).toBe('BAD_USER_INPUT');
  });

  it('rejects non-string values and literals', () => {
    expect(() => DateTimeScalar.parseValue(1767225600000)).toThrow(GraphQLError);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '1' }, {})).toThrow(GraphQLError);
  });

  it('serialises dates as UTC ISO strings', () => {
    expect(DateTimeScalar.serialize(new Date('2026-11-01T08:00:00+08:00'))).toBe('2026-11-01T00:00:00.000Z');
    expect(() => DateTimeScalar.serialize(42)).toThrow();
  });
});
