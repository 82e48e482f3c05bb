import { describe, expect, it } from 'vitest';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import {
  decodeResponseJson,
  encodeLogsResponseJson,
  encodeRpcStatusJson,
  encodeTracesResponseJson,
} from '../../../src/wire/otlp/json-responses.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('export responses', () => {
  it('writes a full success as {}', () => {
    expect(encodeTracesResponseJson({ rejected: 0, errorMessage: '' })).toBe('{}');
    expect(encodeLogsResponseJson({ rejected: 0, errorMessage: '' })).toBe('{}');
  });

  it('writes rejected counts as int64 strings under the signal-specific key', () => {
    expect(encodeTracesResponseJson({ rejected: 2, errorMessage: '2 spans rejected: x' })).toBe(
      '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"2 spans rejected: x"}}',
    );
    expect(encodeLogsResponseJson({ rejected: 1, errorMessage: 'bad "id"' })).toBe(
      '{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"bad \\"id\\""}}',
    );
  });

  it('writes a warning (nothing rejected, a message) without a count', () => {
    expect(encodeTracesResponseJson({ rejected: 0, errorMessage: 'slow down' })).toBe('{"partialSuccess":{"errorMessage":"slow down"}}');
  });

  it('round-trips through decodeResponseJson', () => {
    for (const p of [
      { rejected: 0, errorMessage: '' },
      { rejected: 3, errorMessage: '3 spans rejected: trace_id must be 16 bytes (got 3)' },
      { rejected: 0, errorMessage: 'warning' },
    ]) {
      expect(decodeResponseJson(encodeTracesResponseJson(p), 'traces')).toEqual(p);
      expect(decodeResponseJson(encodeLogsResponseJson(p), 'logs')).toEqual(p);
    }
  });

  it('is read by the OpenTelemetry JS serializers as the same partial success', () => {
    const traces = JsonTraceSerializer.deserializeResponse(bytes(encodeTracesResponseJson({ rejected: 4, errorMessage: 'm' })));
    expect(traces.partialSuccess).toEqual({ rejectedSpans: '4', errorMessage: 'm' });
    const logs = JsonLogsSerializer.deserializeResponse(bytes(encodeLogsResponseJson({ rejected: 5, errorMessage: 'n' })));
    expect(logs.partialSuccess).toEqual({ rejectedLogRecords: '5', errorMessage: 'n' });
  });

  it('reads counts as numbers or strings, ignores the other signal’s key and unknown fields', () => {
    expect(decodeResponseJson('{"partialSuccess":{"rejectedSpans":7,"errorMessage":"e","x":1},"y":2}', 'traces')).toEqual({ rejected: 7, errorMessage: 'e' });
    expect(decodeResponseJson('{"partialSuccess":{"rejectedSpans":"7"}}', 'logs')).toEqual({ rejected: 0, errorMessage: '' });
    expect(decodeResponseJson('', 'logs')).toEqual({ rejected: 0, errorMessage: '' });
    expect(decodeResponseJson('{}', 'traces')).toEqual({ rejected: 0, errorMessage: '' });
    expect(decodeResponseJson('{"partialSuccess":null}', 'traces')).toEqual({ rejected: 0, errorMessage: '' });
  });

  it.each([
    ['<html>', 'invalid JSON:'],
    ['[1]', 'response: expected object'],
    ['{"partialSuccess":1}', 'partialSuccess: expected object'],
    ['{"partialSuccess":{"rejectedSpans":"many"}}', 'partialSuccess.rejectedSpans: expected unsigned 64-bit integer'],
    ['{"partialSuccess":{"errorMessage":false}}', 'partialSuccess.errorMessage: expected string'],
  ])('throws DecodeError for %s', (text, message) => {
    expect(() => decodeResponseJson(text, 'traces')).toThrow(DecodeError);
    expect(() => decodeResponseJson(text, 'traces')).toThrow(message);
  });
});

describe('encodeRpcStatusJson', () => {
  it('writes code and message, and details only when there are some', () => {
    expect(encodeRpcStatusJson(3, 'resourceSpans: expected array')).toBe('{"code":3,"message":"resourceSpans: expected array"}');
    expect(encodeRpcStatusJson(14, 'busy', [])).toBe('{"code":14,"message":"busy"}');
  });

  it('writes details as given, in order', () => {
    const badRequest = {
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'resourceSpans[0].scopeSpans[0].spans[0].name', description: 'expected string' }],
    };
    const retryInfo = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.500s' };
    const parsed = JSON.parse(encodeRpcStatusJson(3, 'bad request', [badRequest, retryInfo])) as unknown;
    expect(parsed).toEqual({ code: 3, message: 'bad request', details: [badRequest, retryInfo] });
  });

  it('writes bigint fields inside details as decimal strings', () => {
    expect(encodeRpcStatusJson(8, 'quota', [{ '@type': 't', limit: 10n }])).toBe('{"code":8,"message":"quota","details":[{"@type":"t","limit":"10"}]}');
  });
});
