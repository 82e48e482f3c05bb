import type { AnyValue } from '../model/attributes.js';
import { logAttribute } from '../model/log-record.js';
import type { LogRecord } from '../model/log-record.js';
import { SpanKind, StatusCode, spanAttribute } from '../model/span.js';
import type { Span } from '../model/span.js';

// How the correlator reads spans and log records, under both the current semantic conventions and
// the older ones that service meshes still emit (Envoy and Istio: http.status_code, response_flags,
// upstream_cluster, error=true). Attributes are read one by one through the decoder's fast path, and
// only when the cheap fields (status, kind) have not already decided.

// gRPC codes that mean the server failed (OTel semantic conventions for RPC server spans).
const GRPC_SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

function asNumber(v: AnyValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.type === 'int') return Number(v.value);
  if (v.type === 'double') return v.value;
  if (v.type === 'string' && v.value !== '') {
    const n = Number(v.value);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function asString(v: AnyValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.type === 'string') return v.value;
  if (v.type === 'int' || v.type === 'double' || v.type === 'bool') return String(v.value);
  return undefined;
}

/** Envoy's response flags: "-" (or empty) is none; anything else (UF, UH, URX, NR, ...) is a failure. */
function hasResponseFlags(v: AnyValue | undefined): boolean {
  const s = asString(v);
  return s !== undefined && s !== '' && s !== '-';
}

function isTrue(v: AnyValue | undefined): boolean {
  return v !== undefined && ((v.type === 'bool' && v.value) || (v.type === 'string' && v.value.toLowerCase() === 'true'));
}

/**
 * A span is an error when its status says so, or when it records a server-side failure: HTTP 5xx
 * on a server span (current `http.response.status_code` or older `http.status_code`), a gRPC server
 * error code, Envoy response flags, or the older `error=true` tag.
 */
export function spanIsError(span: Span): boolean {
  if (span.status.code === StatusCode.Error) return true;
  if (span.status.code === StatusCode.Ok) return false;
  const kind = span.kind;
  if (kind === SpanKind.Internal || kind === SpanKind.Producer || kind === SpanKind.Consumer) return false;
  if (kind === SpanKind.Server || kind === SpanKind.Unspecified) {
    const http = asNumber(spanAttribute(span, 'http.response.status_code')) ?? asNumber(spanAttribute(span, 'http.status_code'));
    if (http !== undefined) return http >= 500;
    const grpc = asNumber(spanAttribute(span, 'rpc.grpc.status_code'));
    if (grpc !== undefined && GRPC_SERVER_ERRORS.has(grpc)) return true;
  }
  return hasResponseFlags(spanAttribute(span, 'response_flags')) || isTrue(spanAttribute(span, 'error'));
}

/** Where a client span's request went: the address the service depends on. */
export function spanPeer(span: Span): string | undefined {
  return (
    asString(spanAttribute(span, 'server.address')) ??
    asString(spanAttribute(span, 'network.peer.address')) ??
    asString(spanAttribute(span, 'net.peer.name')) ??
    asString(spanAttribute(span, 'net.peer.ip')) ??
    asString(spanAttribute(span, 'upstream_cluster'))
  );
}

/** An error log: ERROR or worse, or an access log of a failed request (5xx, Envoy response flags). */
export function logIsError(record: LogRecord): boolean {
  if (record.severityNumber >= 17) return true;
  const status =
    asNumber(logAttribute(record, 'http.response.status_code')) ??
    asNumber(logAttribute(record, 'http.status_code')) ??
    asNumber(logAttribute(record, 'response_code'));
  if (status !== undefined && status >= 500) return true;
  return hasResponseFlags(logAttribute(record, 'response_flags'));
}

/** The device-event name of a record: the log data model's EventName field, or the `event.name` attribute. */
export function logEventName(record: LogRecord): string | undefined {
  if (record.eventName !== '') return record.eventName;
  return asString(logAttribute(record, 'event.name'));
}

export function logStringAttribute(record: LogRecord, key: string): string | undefined {
  return asString(logAttribute(record, key));
}

export function bodyText(record: LogRecord): string {
  const b = record.body;
  if (b.type === 'string') return b.value;
  if (b.type === 'empty') return '';
  return JSON.stringify(b.type === 'int' ? b.value.toString() : b.value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
