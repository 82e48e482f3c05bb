import type { AnyValue } from '../model/attributes.js';
import { logAttribute } from '../model/log-record.js';
import type { LogRecord } from '../model/log-record.js';
import { AttributePicker } from '../model/attribute-picker.js';
import { SpanKind, StatusCode, pickSpanAttributes } from '../model/span.js';
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

// The span attributes the correlator reads, in one pass per span (slot order matters below).
const SPAN_KEYS = new AttributePicker([
  'http.response.status_code',
  'http.status_code',
  'rpc.grpc.status_code',
  'response_flags',
  'error',
  'server.address',
  'network.peer.address',
  'net.peer.name',
  'net.peer.ip',
  'upstream_cluster',
]);
const enum Slot {
  HttpStatus,
  HttpStatusOld,
  GrpcStatus,
  ResponseFlags,
  ErrorTag,
  ServerAddress,
  NetworkPeerAddress,
  NetPeerName,
  NetPeerIp,
  UpstreamCluster,
}

/**
 * Reads what the correlator needs from a span with at most one pass over its attributes: whether
 * it is an error and, for a client span, where its request went. Reuses its slots between spans,
 * so it allocates nothing per span; not reentrant (one per correlator).
 */
export class SpanReader {
  private readonly slots = SPAN_KEYS.slots();
  /** The client span's peer from the last read(), or undefined. */
  peer: string | undefined;

  /**
   * A span is an error when its status says so, or when it records a server-side failure: HTTP 5xx
   * on a server span (current `http.response.status_code` or older `http.status_code`), a gRPC server
   * error code, Envoy response flags, or the older `error=true` tag.
   */
  read(span: Span): boolean {
    this.peer = undefined;
    const kind = span.kind;
    const status = span.status.code;
    const client = kind === SpanKind.Client;
    const server = kind === SpanKind.Server || kind === SpanKind.Unspecified;
    if (!client && !server) return status === StatusCode.Error;
    if (status === StatusCode.Error && !client) return true;
    if (status === StatusCode.Ok && !client) return false;
    const v = this.slots;
    pickSpanAttributes(span, SPAN_KEYS, v);
    if (client) {
      this.peer =
        asString(v[Slot.ServerAddress]) ?? asString(v[Slot.NetworkPeerAddress]) ?? asString(v[Slot.NetPeerName]) ?? asString(v[Slot.NetPeerIp]) ?? asString(v[Slot.UpstreamCluster]);
    }
    if (status !== StatusCode.Unset) return status === StatusCode.Error;
    if (server) {
      const http = asNumber(v[Slot.HttpStatus]) ?? asNumber(v[Slot.HttpStatusOld]);
      if (http !== undefined) return http >= 500;
      const grpc = asNumber(v[Slot.GrpcStatus]);
      if (grpc !== undefined && GRPC_SERVER_ERRORS.has(grpc)) return true;
    }
    return hasResponseFlags(v[Slot.ResponseFlags]) || isTrue(v[Slot.ErrorTag]);
  }
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
