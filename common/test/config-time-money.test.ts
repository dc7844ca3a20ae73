import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadPlatformConfig, servicePort } from '../src/config.ts';
import { shanghaiMonth, shanghaiMonthRange } from '../src/time.ts';
import { formatFen, isFen } from '../src/money.ts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('configuration', () => {
  it('runs with nothing set', () => {
    for (const k of [
      'STARLINE_ENV',
      'MONGODB_URI',
      'TEMPORAL_ADDRESS',
      'JWT_SECRET',
      'STARLINE_PORT_BASE',
      'STANDARD_CACHE_TTL_MS',
    ])
      delete process.env[k];
    const cfg = loadPlatformConfig();
    expect(cfg).toMatchObject({
      environment: 'development',
      mongodbUri: 'mongodb://127.0.0.1:27017/',
      temporalAddress: '127.0.0.1:7233',
      portBase: 4000,
      standardCacheTtlMs: 30_000,
    });
    expect(servicePort(cfg, 'standards')).toBe(4101);
  });

  it('names the variable that is wrong', () => {
    process.env['STARLINE_PORT_BASE'] = 'abc';
    expect(() => loadPlatformConfig()).toThrow(/STARLINE_PORT_BASE/);
    process.env['STARLINE_PORT_BASE'] = '4000';
    process.env['ALLOW_DIRECT_SUBGRAPH_ACCESS'] = 'maybe';
    expect(() => loadPlatformConfig()).toThrow(/ALLOW_DIRECT_SUBGRAPH_ACCESS/);
    delete process.env['ALLOW_DIRECT_SUBGRAPH_ACCESS'];
    process.env['STANDARD_CACHE_TTL_MS'] = '-1';
    expect(() => loadPlatformConfig()).toThrow(/STANDARD_CACHE_TTL_MS/);
  });

  it('refuses development secrets in production', () => {
    process.env['STARLINE_ENV'] = 'production';
    delete process.env['JWT_SECRET'];
    expect(() => loadPlatformConfig()).toThrow(ConfigError);
    process.env['JWT_SECRET'] = 'x'.repeat(40);
    expect(() => loadPlatformConfig()).toThrow(/GATEWAY_SIGNING_SECRET/);
    process.env['GATEWAY_SIGNING_SECRET'] = 'y'.repeat(40);
    expect(loadPlatformConfig().environment).toBe('production');
  });
});

describe('Shanghai months', () => {
  it('puts 16:00 UTC on the last day into the next Shanghai month', () => {
    expect(shanghaiMonth(new Date('2026-10-31T15:59:59.999Z'))).toBe('2026-10');
    expect(shanghaiMonth(new Date('2026-10-31T16:00:00.000Z'))).toBe('2026-11');
  });

  it('gives [start, end) in UTC, across a year end', () => {
    expect(shanghaiMonthRange('2026-12')).toEqual({
      start: new Date('2026-11-30T16:00:00Z'),
      end: new Date('2026-12-31T16:00:00Z'),
    });
    expect(() => shanghaiMonthRange('2026-13')).toThrow(RangeError);
  });
});

describe('money', () => {
  it('is whole non-negative fen', () => {
    expect(isFen(200000)).toBe(true);
    expect(isFen(1.5)).toBe(false);
    expect(isFen(-1)).toBe(false);
    expect(formatFen(200000)).toBe('¥2,000.00');
    expect(formatFen(-105)).toBe('-¥1.05');
  });
});
