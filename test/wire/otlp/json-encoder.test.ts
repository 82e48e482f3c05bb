import { describe, expect, it } from 'vitest';
import type { AnyValue } from '../../../src/model/attributes.js';
import { logBatch, traceBatch } from '../../../src/model/batch.js';
import type { LogBatch, TraceBatch } from '../../../src/model/batch.js';
import { hexToId } from '../../../src/model/ids.js';
import { SeverityNumber } from '../../../src/model/log-record.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import { SpanKind, StatusCode } from '../../../src/model/span.js';
import type { Span } from '../../../src/model/span.js';
import { encodeLogsJson, encodeTracesJson } from '../../../src/wire/otlp/json-encoder.js';
import { decodeLogsJson } from '../../../src/wire/otlp/json-logs-decoder.js';
import { decodeTracesJson } from '../../../src/wire/otlp/json-traces-decoder.js';

const id = (hex: string): Uint8Array => hexToId(hex)!;

const EVERY_VALUE: AnyValue = {
  type: 'kvlist',
  value: [
    { key: 'str', value: { type: 'string', value: 'Grüße 🚀 "q" \\ \n' } },
    { key: 'empty-str', value: { type: 'string', value: '' } },
    { key: 'true', value: { type: 'bool', value: true } },
    { key: 'false', value: { type: 'bool', value: false } },
    { key: 'zero', value: { type: 'int', value: 0n } },
    { key: 'int-min', value: { type: 'int', value: -9223372036854775808n } },
    { key: 'int-max', value: { type: 'int', value: 9223372036854775807n } },
    { key: 'dbl', value: { type: 'double', value: 0.1 } },
    { key: 'dbl-zero', value: { type: 'double', value: 0 } },
    { key: 'nan', value: { type: 'double', value: Number.NaN } },
    { key: 'inf', value: { type: 'double', value: Number.POSITIVE_INFINITY } },
    { key: 'ninf', value: { type: 'double', value: Number.NEGATIVE_INFINITY } },
    { key: 'bytes', value: { type: 'bytes', value: new Uint8Array([0, 0xfb, 0xff, 0x3e]) } },
    { key: 'no-bytes', value: { type: 'bytes', value: new Uint8Array(0) } },
    { key: 'empty', value: { type: 'empty' } },
    { key: 'empty-array', value: { type: 'array', value: [] } },
    { key: 'empty-kvlist', value: { type: 'kvlist', value: [] } },
    {
      key: 'nested',
      value: {
        type: 'array',
        value: [
          { type: 'array', value: [{ type: 'int', value: 1n }, { type: 'empty' }] },
          { type: 'kvlist', value: [{ key: 'k', value: { type: 'kvlist', value: [{ key: 'deep', value: { type: 'bool', value: false } }] } }] },
        ],
      },
    },
  ],
};

const FULL_SPAN: Span = {
  traceId: id('5b8efff798038103d269b633813fc60c'),
  spanId: id('eee19b7ec3c1b174'),
  traceState: 'rojo=00f067aa0ba902b7',
  parentSpanId: id('eee19b7ec3c1b173'),
  flags: 0x301,
  name: 'GET /cart',
  kind: SpanKind.Server,
  startTimeUnixNano: 18446744073709551615n,
  endTimeUnixNano: 1544712661000000001n,
  attributes: [{ key: 'all', value: EVERY_VALUE }],
  droppedAttributesCount: 1,
  events: [
    { timeUnixNano: 1544712660500000000n, name: 'retry', attributes: [{ key: 'n', value: { type: 'int', value: 2n } }], droppedAttributesCount: 2 },
    { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 },
  ],
  droppedEventsCount: 3,
  links: [
    {
      traceId: id('0af7651916cd43dd8448eb211c80319c'),
      spanId: id('b7ad6b7169203331'),
      traceState: 'congo=t61rcWkgMzE',
      attributes: [{ key: 'why', value: { type: 'string', value: 'batch' } }],
      droppedAttributesCount: 4,
      flags: 1,
    },
  ],
  droppedLinksCount: 5,
  status: { code: StatusCode.Error, message: 'upstream unavailable' },
};

const BARE_SPAN: Span = {
  traceId: id('00000000000000000000000000000001'),
  spanId: id('0000000000000002'),
  traceState: '',
  parentSpanId: new Uint8Array(0),
  flags: 0,
  name: '',
  kind: SpanKind.Unspecified,
  startTimeUnixNano: 0n,
  endTimeUnixNano: 0n,
  attributes: [],
  droppedAttributesCount: 0,
  events: [],
  droppedEventsCount: 0,
  links: [],
  droppedLinksCount: 0,
  status: { code: StatusCode.Unset, message: '' },
};

function sampleTraces(): TraceBatch {
  return traceBatch([
    {
      resource: { attributes: [{ key: 'service.name', value: { type: 'string', value: 'checkout' } }], droppedAttributesCount: 6 },
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      scopeSpans: [
        {
          scope: { name: 'io.corrgate', version: '1.0.0', attributes: [{ key: 's', value: { type: 'bool', value: true } }], droppedAttributesCount: 7 },
          schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
          spans: [FULL_SPAN, BARE_SPAN],
        },
        { scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans: [{ ...BARE_SPAN, kind: SpanKind.Consumer, status: { code: StatusCode.Ok, message: '' } }] },
      ],
    },
    { resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [] },
  ]);
}

const FULL_RECORD: LogRecord = {
  timeUnixNano: 1544712660300000000n,
  observedTimeUnixNano: 18446744073709551615n,
  severityNumber: SeverityNumber.Fatal4,
  severityText: 'emerg',
  body: EVERY_VALUE,
  attributes: [{ key: 'syslog.msgid', value: { type: 'string', value: 'ID47' } }],
  droppedAttributesCount: 8,
  flags: 1,
  traceId: id('5b8efff798038103d269b633813fc60c'),
  spanId: id('eee19b7ec3c1b174'),
  eventName: 'device.reboot',
};

const BARE_RECORD: LogRecord = {
  timeUnixNano: 0n,
  observedTimeUnixNano: 0n,
  severityNumber: SeverityNumber.Unspecified,
  severityText: '',
  body: { type: 'empty' },
  attributes: [],
  droppedAttributesCount: 0,
  flags: 0,
  traceId: new Uint8Array(0),
  spanId: new Uint8Array(0),
  eventName: '',
};

function sampleLogs(): LogBatch {
  return logBatch([
    {
      resource: { attributes: [{ key: 'host.name', value: { type: 'string', value: 'sw-01' } }], droppedAttributesCount: 1 },
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      scopeLogs: [
        {
          scope: { name: 'syslog', version: '2', attributes: [], droppedAttributesCount: 0 },
          schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
          logRecords: [FULL_RECORD, BARE_RECORD, { ...BARE_RECORD, body: { type: 'string', value: '' } }],
        },
      ],
    },
  ]);
}

describe('encodeTracesJson', () => {
  it('round-trips every field through decodeTracesJson', () => {
    const batch = sampleTraces();
    const { batch: decoded, rejected } = decodeTracesJson(encodeTracesJson(batch));
    expect(rejected).toBe(0);
    expect(decoded).toEqual(batch);
    expect(decoded.itemCount).toBe(3);
  });

  it('writes one compact line in the spec shape: hex IDs, string int64s, integer enums', () => {
    const text = encodeTracesJson(sampleTraces());
    expect(text).not.toContain('\n');
    expect(text).not.toMatch(/\s"|":\s/);
    const json = JSON.parse(text) as {
      resourceSpans: Array<{ resource: Record<string, unknown>; schemaUrl: string; scopeSpans: Array<{ scope: unknown; spans: Array<Record<string, unknown>> }> }>;
    };
    const span = json.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(span.spanId).toBe('eee19b7ec3c1b174');
    expect(span.parentSpanId).toBe('eee19b7ec3c1b173');
    expect(span.startTimeUnixNano).toBe('18446744073709551615');
    expect(span.endTimeUnixNano).toBe('1544712661000000001');
    expect(span.kind).toBe(2);
    expect(span.flags).toBe(0x301);
    expect(span.status).toEqual({ message: 'upstream unavailable', code: 2 });
    expect(span.droppedEventsCount).toBe(3);
    expect((span.events as Array<Record<string, unknown>>)[0]!.timeUnixNano).toBe('1544712660500000000');
    expect((span.links as Array<Record<string, unknown>>)[0]).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });

    const values = ((span.attributes as Array<{ value: { kvlistValue: { values: Array<{ key: string; value: unknown }> } } }>)[0]!.value.kvlistValue.values);
    const byKey = Object.fromEntries(values.map((kv) => [kv.key, kv.value]));
    expect(byKey['empty-str']).toEqual({ stringValue: '' });
    expect(byKey.false).toEqual({ boolValue: false });
    expect(byKey.zero).toEqual({ intValue: '0' });
    expect(byKey['int-min']).toEqual({ intValue: '-9223372036854775808' });
    expect(byKey['dbl-zero']).toEqual({ doubleValue: 0 });
    expect(byKey.nan).toEqual({ doubleValue: 'NaN' });
    expect(byKey.inf).toEqual({ doubleValue: 'Infinity' });
    expect(byKey.ninf).toEqual({ doubleValue: '-Infinity' });
    expect(byKey.bytes).toEqual({ bytesValue: 'APv/Pg==' });
    expect(byKey.empty).toEqual({});
    expect(byKey['empty-array']).toEqual({ arrayValue: { values: [] } });
    expect(json.resourceSpans[0]!.resource).toEqual({
      attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }],
      droppedAttributesCount: 6,
    });
    expect(json.resourceSpans[0]!.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
  });

  it('leaves out fields that hold their default value', () => {
    const json = JSON.parse(encodeTracesJson(traceBatch([{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans: [BARE_SPAN] }] }]))) as unknown;
    expect(json).toEqual({
      resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans: [{ traceId: '00000000000000000000000000000001', spanId: '0000000000000002' }] }] }],
    });
  });

  it('writes an empty batch as an empty list', () => {
    expect(encodeTracesJson(traceBatch([]))).toBe('{"resourceSpans":[]}');
    expect(decodeTracesJson(encodeTracesJson(traceBatch([]))).batch.itemCount).toBe(0);
  });
});

describe('encodeLogsJson', () => {
  it('round-trips every field through decodeLogsJson', () => {
    const batch = sampleLogs();
    const { batch: decoded, rejected } = decodeLogsJson(encodeLogsJson(batch));
    expect(rejected).toBe(0);
    expect(decoded).toEqual(batch);
  });

  it('writes one compact line in the spec shape', () => {
    const text = encodeLogsJson(sampleLogs());
    expect(text).not.toContain('\n');
    const json = JSON.parse(text) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<Record<string, unknown>> }> }> };
    const [full, bare, emptyString] = json.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(full).toMatchObject({
      timeUnixNano: '1544712660300000000',
      observedTimeUnixNano: '18446744073709551615',
      severityNumber: 24,
      severityText: 'emerg',
      droppedAttributesCount: 8,
      flags: 1,
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      eventName: 'device.reboot',
    });
    expect(bare).toEqual({});
    expect(emptyString).toEqual({ body: { stringValue: '' } });
  });
});
