/** One trace per request: the gateway continues a client's traceparent, or starts one, and hands it to every subgraph call. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFrom, inSpan, logContext, withRequestId } from '@starline/common';
import { startFixture, type Fixture } from './fixture.ts';

let f: Fixture;
beforeAll(async () => void (f = await startFixture()));
afterAll(() => f?.stop());

describe('tracing', () => {
  it('sends the request’s trace and request id to the subgraph, and names the trace in the response', async () => {
    const res = await f.post({ query: '{ items { id } }' }, { 'x-request-id': 'req-trace-1' });
    const traceId = res.headers.get('x-trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const seen = f.subgraph.seen.at(-1)!.headers;
    expect(seen['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(seen['baggage']).toContain('starline.request_id=req-trace-1');
  });

  it('continues the trace a client sent', async () => {
    const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await f.post({ query: '{ items { id } }' }, { traceparent: `00-${clientTrace}-00f067aa0ba902b7-01` });
    expect(res.headers.get('x-trace-id')).toBe(clientTrace);
    expect(f.subgraph.seen.at(-1)!.headers['traceparent']).toMatch(new RegExp(`^00-${clientTrace}-`));
  });

  it('puts the trace and request ids on every log line logged while serving', async () => {
    expect(logContext()).toEqual({});
    await inSpan('work', { parent: withRequestId(contextFrom({}), 'req-42') }, async (span) => {
      await new Promise((r) => setTimeout(r, 1));
      expect(logContext()).toEqual({
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        requestId: 'req-42',
      });
    });
  });
});
