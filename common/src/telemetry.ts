import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing for every process. Spans are always made (so each log line carries a
 * trace id, and ids propagate gateway → subgraph → Temporal → activity), and exported over
 * OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
export interface Telemetry {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Whether spans leave the process (OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  exporting: boolean;
  shutdown(): Promise<void>;
}

let installed: Telemetry | undefined;

/** Installs the tracer provider once per process (a second call returns the first); `service` names it. */
export function initTelemetry(service: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  if (installed) return installed;
  const resource = new Resource({ 'service.name': `starline-${service}`, 'service.namespace': 'starline' });
  const exporting = Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim());
  if (/^true$/i.test(env['OTEL_SDK_DISABLED'] ?? '')) {
    // The standard switch: no tracer at all (spans are no-ops, log lines carry the request id only).
    installed = { resource, spanProcessor: new NoopSpanProcessor(), exporting: false, shutdown: async () => undefined };
    return installed;
  }
  // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS) itself and posts to <endpoint>/v1/traces.
  const spanProcessor = exporting ? new BatchSpanProcessor(new OTLPTraceExporter()) : new NoopSpanProcessor();
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // AsyncLocalStorage context, W3C traceparent + baggage propagation
  installed = { resource, spanProcessor, exporting, shutdown: () => provider.shutdown() };
  return installed;
}

export const tracer = () => trace.getTracer('starline');

const REQUEST_ID = 'starline.request_id';

/** The trace and request ids of the current context, for a log line. */
export function logContext(): Record<string, string> {
  const out: Record<string, string> = {};
  const active = context.active();
  const span = trace.getSpanContext(active);
  if (span && trace.isSpanContextValid(span)) {
    out['traceId'] = span.traceId;
    out['spanId'] = span.spanId;
  }
  const requestId = propagation.getBaggage(active)?.getEntry(REQUEST_ID)?.value;
  if (requestId) out['requestId'] = requestId;
  return out;
}

/** `ctx` carrying the request id as baggage, so it travels with the trace (to subgraphs, activities). */
export function withRequestId(ctx: Context, requestId: string): Context {
  const baggage = (propagation.getBaggage(ctx) ?? propagation.createBaggage()).setEntry(REQUEST_ID, {
    value: requestId,
  });
  return propagation.setBaggage(ctx, baggage);
}

/** The context a caller sent (traceparent, baggage) in these headers, or a fresh root. */
export function contextFrom(headers: IncomingHttpHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Adds the current context's traceparent and baggage to outgoing headers. */
export function injectContext(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/**
 * Runs `work` in a span of the given kind (a child of `parent`, default the active context) that
 * ends when it settles, recording a thrown error.
 */
export async function inSpan<T>(
  name: string,
  opts: { kind?: SpanKind; parent?: Context; attributes?: Record<string, string | number> },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes },
    opts.parent ?? context.active(),
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind, SpanStatusCode };
