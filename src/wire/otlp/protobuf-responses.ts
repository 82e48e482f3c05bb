import { ProtoReader } from '../protobuf/reader.js';
import { ProtoWriter, WIRE_LEN, WIRE_VARINT } from '../protobuf/writer.js';
import type { PartialSuccess } from './export-result.js';

// ExportTraceServiceResponse and ExportLogsServiceResponse share one shape:
// {partial_success = 1: {rejected_<items> = 1: int64, error_message = 2: string}}.
// Full success is the empty message, so a client that predates partial success reads it unchanged.

const FULL_SUCCESS: PartialSuccess = Object.freeze({ rejected: 0, errorMessage: '' });

export function encodeTracesResponse(p: PartialSuccess): Uint8Array {
  return encodeResponse(p);
}

export function encodeLogsResponse(p: PartialSuccess): Uint8Array {
  return encodeResponse(p);
}

/** Throws DecodeError when the bytes are not an ExportTraceServiceResponse. */
export function decodeTracesResponse(buf: Uint8Array): PartialSuccess {
  return decodeResponse(buf);
}

/** Throws DecodeError when the bytes are not an ExportLogsServiceResponse. */
export function decodeLogsResponse(buf: Uint8Array): PartialSuccess {
  return decodeResponse(buf);
}

function encodeResponse(p: PartialSuccess): Uint8Array {
  if (p.rejected === 0 && p.errorMessage === '') return new Uint8Array(0);
  const w = new ProtoWriter(16 + p.errorMessage.length * 3);
  const at = w.beginMessage(1);
  if (p.rejected !== 0) {
    w.tag(1, WIRE_VARINT);
    w.varint64(BigInt(Math.trunc(p.rejected)));
  }
  if (p.errorMessage !== '') {
    w.tag(2, WIRE_LEN);
    w.string(p.errorMessage);
  }
  w.endMessage(at);
  return w.finish();
}

function decodeResponse(buf: Uint8Array): PartialSuccess {
  const r = new ProtoReader(buf);
  let result = FULL_SUCCESS;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag !== 10) {
      r.skip(tag & 7);
      continue;
    }
    const end = r.lengthEnd();
    const outer = r.end;
    r.end = end;
    let rejected = 0;
    let errorMessage = '';
    while (r.pos < end) {
      const t = r.tag();
      if (t === 8) rejected = Number(r.varint64());
      else if (t === 18) errorMessage = r.string();
      else r.skip(t & 7);
    }
    r.end = outer;
    result = { rejected, errorMessage };
  }
  return result;
}
