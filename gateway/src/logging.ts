import { Logger as HiveLogger, type LogLevel } from '@graphql-hive/gateway-runtime';
import type { Logger } from '@starline/common';

const HIVE_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * The runtime logs through its own logger; this one writes every line into our pino logger so the
 * gateway has one structured JSON stream. The level follows pino's, so the runtime does not even
 * build the messages pino would drop.
 */
export function hiveLoggerFor(log: Logger): HiveLogger {
  const level = (HIVE_LEVELS as readonly string[]).includes(log.level)
    ? (log.level as LogLevel)
    : log.level === 'silent'
      ? false
      : 'error';
  const runtime = log.child({ source: 'hive-gateway' });
  return new HiveLogger({
    level,
    writers: [
      {
        write(lvl, attrs, msg) {
          const fields = attrs && !Array.isArray(attrs) ? attrs : attrs ? { attrs } : {};
          runtime[lvl](fields, msg ?? '');
        },
      },
    ],
  });
}
