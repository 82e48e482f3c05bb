import { DecodeError } from '../otlp/export-result.js';
import { ProtoReader } from '../protobuf/reader.js';
import { ProtoWriter, WIRE_LEN, WIRE_VARINT } from '../protobuf/writer.js';

// google.rpc.Status and the two detail messages OTLP cares about. gRPC carries the Status in the
// grpc-status-details-bin trailer and OTLP/HTTP sends it as the body of a 4xx/5xx answer, so both
// transports share these encoders. Field numbers are those of google/rpc/{status,error_details}.proto.

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

/** A google.protobuf.Any: the type URL says how to read `value`. */
export interface StatusDetail {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface RpcStatus {
  readonly code: number;
  readonly message: string;
  readonly details: readonly StatusDetail[];
}

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export function encodeRpcStatus(s: {
  code: number;
  message: string;
  details?: readonly StatusDetail[];
}): Uint8Array {
  const w = new ProtoWriter(64 + s.message.length * 3);
  if (s.code !== 0) {
    w.tag(1, WIRE_VARINT);
    // int32: a negative code is sign-extended to ten bytes, as protobuf encodes int32.
    if (s.code < 0) w.varint64(BigInt(s.code));
    else w.varint(s.code);
  }
  if (s.message !== '') {
    w.tag(2, WIRE_LEN);
    w.string(s.message);
  }
  for (const d of s.details ?? []) {
    const at = w.beginMessage(3);
    if (d.typeUrl !== '') {
      w.tag(1, WIRE_LEN);
      w.string(d.typeUrl);
    }
    if (d.value.length > 0) {
      w.tag(2, WIRE_LEN);
      w.bytes(d.value);
    }
    w.endMessage(at);
  }
  return w.finish();
}

/** Throws DecodeError when the bytes are not a Status message. */
export function decodeRpcStatus(buf: Uint8Array): RpcStatus {
  const r = new ProtoReader(buf);
  let code = 0;
  let message = '';
  const details: StatusDetail[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_VARINT) code = r.int32();
    else if (field === 2 && wt === WIRE_LEN) message = r.string();
    else if (field === 3 && wt === WIRE_LEN) details.push(readAny(r, r.lengthEnd()));
    else r.skip(wt);
  }
  return { code, message, details };
}

function readAny(r: ProtoReader, end: number): StatusDetail {
  let typeUrl = '';
  let value: Uint8Array = new Uint8Array(0);
  const outer = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_LEN) typeUrl = r.string();
    else if (field === 2 && wt === WIRE_LEN) value = r.bytesView().slice();
    else r.skip(wt);
  }
  r.end = outer;
  return { typeUrl, value };
}

/** google.rpc.RetryInfo{retry_delay: Duration}; negative or non-finite delays become zero. */
export function encodeRetryInfo(delayMs: number): { typeUrl: typeof RETRY_INFO_TYPE_URL; value: Uint8Array } {
  const ms = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  const w = new ProtoWriter(32);
  const at = w.beginMessage(1);
  if (seconds !== 0) {
    w.tag(1, WIRE_VARINT);
    w.varint(seconds);
  }
  if (nanos !== 0) {
    w.tag(2, WIRE_VARINT);
    w.varint(nanos);
  }
  w.endMessage(at);
  return { typeUrl: RETRY_INFO_TYPE_URL, value: w.finish() };
}

/**
 * The retry delay in milliseconds from the first RetryInfo among the details; undefined when there
 * is none or it cannot be read (a malformed hint is ignored rather than failing the export).
 */
export function decodeRetryInfoDelayMs(details: readonly StatusDetail[]): number | undefined {
  for (const d of details) {
    if (d.typeUrl !== RETRY_INFO_TYPE_URL) continue;
    try {
      return readRetryDelayMs(d.value);
    } catch (err) {
      if (err instanceof DecodeError) return undefined;
      throw err;
    }
  }
  return undefined;
}

function readRetryDelayMs(buf: Uint8Array): number {
  const r = new ProtoReader(buf);
  let ms = 0;
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const end = r.lengthEnd();
      let seconds = 0n;
      let nanos = 0;
      const outer = r.end;
      r.end = end;
      while (r.pos < end) {
        const t = r.varint();
        if (t >>> 3 === 1 && (t & 7) === WIRE_VARINT) seconds = r.varint64();
        else if (t >>> 3 === 2 && (t & 7) === WIRE_VARINT) nanos = r.int32();
        else r.skip(t & 7);
      }
      r.end = outer;
      ms = Number(seconds) * 1000 + nanos / 1e6;
    } else {
      r.skip(tag & 7);
    }
  }
  return ms < 0 ? 0 : ms;
}

/** google.rpc.BadRequest{field_violations}, packed as an Any for a Status's details. */
export function encodeBadRequest(violations: readonly FieldViolation[]): { typeUrl: typeof BAD_REQUEST_TYPE_URL; value: Uint8Array } {
  const w = new ProtoWriter(64);
  for (const v of violations) {
    const at = w.beginMessage(1);
    if (v.field !== '') {
      w.tag(1, WIRE_LEN);
      w.string(v.field);
    }
    if (v.description !== '') {
      w.tag(2, WIRE_LEN);
      w.string(v.description);
    }
    w.endMessage(at);
  }
  return { typeUrl: BAD_REQUEST_TYPE_URL, value: w.finish() };
}

/** The field violations of a google.rpc.BadRequest detail's value. Throws DecodeError when malformed. */
export function decodeBadRequest(buf: Uint8Array): FieldViolation[] {
  const r = new ProtoReader(buf);
  const out: FieldViolation[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const end = r.lengthEnd();
      const outer = r.end;
      r.end = end;
      let field = '';
      let description = '';
      while (r.pos < end) {
        const t = r.varint();
        if (t >>> 3 === 1 && (t & 7) === WIRE_LEN) field = r.string();
        else if (t >>> 3 === 2 && (t & 7) === WIRE_LEN) description = r.string();
        else r.skip(t & 7);
      }
      r.end = outer;
      out.push({ field, description });
    } else {
      r.skip(tag & 7);
    }
  }
  return out;
}
