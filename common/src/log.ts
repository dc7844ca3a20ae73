import { pino, type Logger } from 'pino';
import { initTelemetry, logContext } from './telemetry.ts';

export type { Logger };

/**
 * Structured JSON logs on stdout, one logger per process, tagged with the component. Every line
 * logged while serving a request carries its requestId and traceId (the active OpenTelemetry
 * context); creating the process's logger also installs its tracing (telemetry.ts), so no process
 * can log without it.
 */
export function createLogger(component: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  initTelemetry(component);
  return pino({ level, base: { component }, timestamp: pino.stdTimeFunctions.isoTime, mixin: logContext });
}
