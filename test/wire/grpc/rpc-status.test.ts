import { describe, expect, it } from 'vitest';
import {
  BAD_REQUEST_TYPE_URL,
  RETRY_INFO_TYPE_URL,
  decodeBadRequest,
  decodeRetryInfoDelayMs,
  decodeRpcStatus,
  encodeBadRequest,
  encodeRetryInfo,
  encodeRpcStatus,
} from '../../../src/wire/grpc/rpc-status.js';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import { loadProtoRoot } from '../otlp/protobuf-fixtures.js';

const root = loadProtoRoot();
const Status = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');
const BadRequest = root.lookupType('google.rpc.BadRequest');

describe('google.rpc.Status', () => {
  it('round-trips code, message and details', () => {
    const retry = encodeRetryInfo(1500);
    const bad = encodeBadRequest([{ field: 'resource_spans[0].scope_spans[0].spans[3].trace_id', description: 'must be 16 bytes' }]);
    const decoded = decodeRpcStatus(encodeRpcStatus({ code: 14, message: 'queue full — retry later', details: [retry, bad] }));
    expect(decoded.code).toBe(14);
    expect(decoded.message).toBe('queue full — retry later');
    expect(decoded.details.map((d) => d.typeUrl)).toEqual([RETRY_INFO_TYPE_URL, BAD_REQUEST_TYPE_URL]);
    expect(decodeRetryInfoDelayMs(decoded.details)).toBe(1500);
    expect(decodeBadRequest(decoded.details[1]!.value)).toEqual([
      { field: 'resource_spans[0].scope_spans[0].spans[3].trace_id', description: 'must be 16 bytes' },
    ]);
  });

  it('encodes OK with no message as the empty message', () => {
    expect(encodeRpcStatus({ code: 0, message: '' })).toEqual(new Uint8Array(0));
    expect(decodeRpcStatus(new Uint8Array(0))).toEqual({ code: 0, message: '', details: [] });
  });

  it('agrees with protobufjs in both directions', () => {
    const ours = encodeRpcStatus({ code: 3, message: 'bad', details: [encodeBadRequest([{ field: 'f', description: 'd' }])] });
    const viaPbjs = Status.toObject(Status.decode(ours)) as any;
    expect(viaPbjs.code).toBe(3);
    expect(viaPbjs.message).toBe('bad');
    expect(viaPbjs.details[0].type_url ?? viaPbjs.details[0].typeUrl).toBe(BAD_REQUEST_TYPE_URL);
    expect(BadRequest.toObject(BadRequest.decode(viaPbjs.details[0].value))).toEqual({ fieldViolations: [{ field: 'f', description: 'd' }] });

    const retry = RetryInfo.toObject(RetryInfo.decode(encodeRetryInfo(2250).value), { longs: Number }) as any;
    expect(retry).toEqual({ retryDelay: { seconds: 2, nanos: 250_000_000 } });

    const pbjsRetry = RetryInfo.encode(RetryInfo.fromObject({ retryDelay: { seconds: 30, nanos: 5_000_000 } })).finish();
    const pbjsStatus = Status.encode(
      Status.fromObject({ code: 8, message: 'slow down', details: [{ type_url: RETRY_INFO_TYPE_URL, value: pbjsRetry }] }),
    ).finish();
    const decoded = decodeRpcStatus(pbjsStatus);
    expect(decoded.code).toBe(8);
    expect(decodeRetryInfoDelayMs(decoded.details)).toBe(30_005);
  });

  it('handles odd retry delays and missing or malformed RetryInfo', () => {
    expect(decodeRetryInfoDelayMs([encodeRetryInfo(0)])).toBe(0);
    expect(decodeRetryInfoDelayMs([encodeRetryInfo(-5)])).toBe(0);
    expect(decodeRetryInfoDelayMs([encodeRetryInfo(Number.NaN)])).toBe(0);
    expect(decodeRetryInfoDelayMs([encodeRetryInfo(0.5)])).toBe(0.5);
    expect(decodeRetryInfoDelayMs([])).toBeUndefined();
    expect(decodeRetryInfoDelayMs([encodeBadRequest([])])).toBeUndefined();
    expect(decodeRetryInfoDelayMs([{ typeUrl: RETRY_INFO_TYPE_URL, value: Uint8Array.of(0x0a, 0x05) }])).toBeUndefined();
  });

  it('keeps a negative code and throws DecodeError on garbage', () => {
    expect(decodeRpcStatus(encodeRpcStatus({ code: -1, message: '' })).code).toBe(-1);
    expect(() => decodeRpcStatus(Uint8Array.of(0x1a, 0x04, 0x0a))).toThrow(DecodeError);
  });

  it('copies detail values out of the input, so the input buffer may be reused', () => {
    const buf = encodeRpcStatus({ code: 14, message: '', details: [encodeRetryInfo(1000)] });
    const decoded = decodeRpcStatus(buf);
    buf.fill(0);
    expect(decodeRetryInfoDelayMs(decoded.details)).toBe(1000);
  });
});
