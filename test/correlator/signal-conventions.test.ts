import { describe, expect, it } from 'vitest';
import { bool, int, str } from '../../src/model/attributes.js';
import { SeverityNumber } from '../../src/model/log-record.js';
import type { LogRecord } from '../../src/model/log-record.js';
import { SpanKind, StatusCode } from '../../src/model/span.js';
import { SpanReader, logIsError } from '../../src/correlator/signal-conventions.js';
import type { Span } from '../../src/model/span.js';

const reader = new SpanReader();
const spanIsError = (span: Span) => reader.read(span);
const spanPeer = (span: Span) => (reader.read({ ...span, kind: SpanKind.Client }), reader.peer);
import { makeSpan } from '../helpers/batches.js';

const log = (overrides: Partial<LogRecord>): LogRecord => ({
  timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: SeverityNumber.Info, severityText: '', body: str(''),
  attributes: [], droppedAttributesCount: 0, flags: 0, traceId: new Uint8Array(0), spanId: new Uint8Array(0), eventName: '',
  ...overrides,
});

describe('signal conventions', () => {
  it('takes span status ERROR, and OK as final', () => {
    expect(spanIsError(makeSpan({ status: { code: StatusCode.Error, message: '' } }))).toBe(true);
    expect(spanIsError(makeSpan({ status: { code: StatusCode.Ok, message: '' }, attributes: [{ key: 'http.response.status_code', value: int(500) }] }))).toBe(false);
  });

  it('reads server errors under current and older HTTP conventions, and gRPC codes', () => {
    const server = (key: string, value: ReturnType<typeof int>) => makeSpan({ kind: SpanKind.Server, attributes: [{ key, value }] });
    expect(spanIsError(server('http.response.status_code', int(503)))).toBe(true);
    expect(spanIsError(server('http.status_code', int(502)))).toBe(true);
    expect(spanIsError(server('http.status_code', str('500') as never))).toBe(true);
    expect(spanIsError(server('http.response.status_code', int(404)))).toBe(false);
    expect(spanIsError(server('rpc.grpc.status_code', int(14)))).toBe(true);
    expect(spanIsError(server('rpc.grpc.status_code', int(5)))).toBe(false);
    // A client seeing a 5xx has not failed itself unless its status says so.
    expect(spanIsError(makeSpan({ kind: SpanKind.Client, attributes: [{ key: 'http.response.status_code', value: int(503) }] }))).toBe(false);
  });

  it("reads Envoy's response flags and the older error tag", () => {
    expect(spanIsError(makeSpan({ kind: SpanKind.Client, attributes: [{ key: 'response_flags', value: str('UF,URX') }] }))).toBe(true);
    expect(spanIsError(makeSpan({ kind: SpanKind.Client, attributes: [{ key: 'response_flags', value: str('-') }] }))).toBe(false);
    expect(spanIsError(makeSpan({ kind: SpanKind.Server, attributes: [{ key: 'error', value: bool(true) }] }))).toBe(true);
    expect(spanIsError(makeSpan({ kind: SpanKind.Internal, attributes: [{ key: 'error', value: bool(true) }] }))).toBe(false);
  });

  it("finds a client span's peer under current and older names", () => {
    expect(spanPeer(makeSpan({ attributes: [{ key: 'server.address', value: str('payments.svc') }] }))).toBe('payments.svc');
    expect(spanPeer(makeSpan({ attributes: [{ key: 'net.peer.name', value: str('db-1') }] }))).toBe('db-1');
    expect(spanPeer(makeSpan({ attributes: [{ key: 'upstream_cluster', value: str('outbound|8080||payments.default.svc.cluster.local') }] }))).toBe('outbound|8080||payments.default.svc.cluster.local');
    expect(spanPeer(makeSpan({ attributes: [] }))).toBeUndefined();
  });

  it('counts ERROR logs and failed-request access logs as errors', () => {
    expect(logIsError(log({ severityNumber: SeverityNumber.Error }))).toBe(true);
    expect(logIsError(log({ attributes: [{ key: 'response_code', value: int(503) }] }))).toBe(true);
    expect(logIsError(log({ attributes: [{ key: 'http.status_code', value: int(200) }] }))).toBe(false);
    expect(logIsError(log({ attributes: [{ key: 'response_flags', value: str('UH') }] }))).toBe(true);
    expect(logIsError(log({}))).toBe(false);
  });
});
