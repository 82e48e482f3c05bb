import { describe, expect, it } from 'vitest';
import { idToHex } from '../../../src/model/ids.js';
import { SpanKind, StatusCode } from '../../../src/model/span.js';
import { ERR_DECODE } from '../../../src/pipeline/errors.js';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import { decodeTracesJson } from '../../../src/wire/otlp/json-traces-decoder.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = 'eee19b7ec3c1b173';

function request(spans: unknown[]): string {
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

function decodeError(text: string): DecodeError {
  try {
    decodeTracesJson(text);
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('decodeTracesJson', () => {
  it('decodes every field of a span, its resource and its scope', () => {
    const text = JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }],
            droppedAttributesCount: 1,
          },
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          scopeSpans: [
            {
              scope: {
                name: 'io.corrgate',
                version: '1.2.3',
                attributes: [{ key: 'scope.attr', value: { boolValue: true } }],
                droppedAttributesCount: 2,
              },
              schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
              spans: [
                {
                  traceId: TRACE,
                  spanId: SPAN,
                  traceState: 'vendor=a',
                  parentSpanId: PARENT,
                  flags: 769,
                  name: 'GET /cart',
                  kind: 2,
                  startTimeUnixNano: '1544712660000000000',
                  endTimeUnixNano: '1544712661000000000',
                  attributes: [
                    { key: 'http.response.status_code', value: { intValue: '503' } },
                    { key: 'ratio', value: { doubleValue: 0.5 } },
                  ],
                  droppedAttributesCount: 3,
                  events: [
                    {
                      timeUnixNano: '1544712660500000000',
                      name: 'retry',
                      attributes: [{ key: 'attempt', value: { intValue: 2 } }],
                      droppedAttributesCount: 4,
                    },
                  ],
                  droppedEventsCount: 5,
                  links: [
                    {
                      traceId: TRACE,
                      spanId: PARENT,
                      traceState: 'vendor=b',
                      attributes: [{ key: 'why', value: { stringValue: 'fan-in' } }],
                      droppedAttributesCount: 6,
                      flags: 1,
                    },
                  ],
                  droppedLinksCount: 7,
                  status: { message: 'upstream unavailable', code: 2 },
                },
              ],
            },
          ],
        },
      ],
    });

    const { batch, rejected, errorMessage } = decodeTracesJson(text);
    expect(rejected).toBe(0);
    expect(errorMessage).toBe('');
    expect(batch.signal).toBe('traces');
    expect(batch.itemCount).toBe(1);
    const rs = batch.resourceSpans[0]!;
    expect(rs.resource).toEqual({
      attributes: [{ key: 'service.name', value: { type: 'string', value: 'checkout' } }],
      droppedAttributesCount: 1,
    });
    expect(rs.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    const ss = rs.scopeSpans[0]!;
    expect(ss.scope).toEqual({
      name: 'io.corrgate',
      version: '1.2.3',
      attributes: [{ key: 'scope.attr', value: { type: 'bool', value: true } }],
      droppedAttributesCount: 2,
    });
    expect(ss.schemaUrl).toBe('https://opentelemetry.io/schemas/1.25.0');
    const span = ss.spans[0]!;
    expect(idToHex(span.traceId)).toBe(TRACE);
    expect(idToHex(span.spanId)).toBe(SPAN);
    expect(idToHex(span.parentSpanId)).toBe(PARENT);
    expect(span).toMatchObject({
      traceState: 'vendor=a',
      flags: 769,
      name: 'GET /cart',
      kind: SpanKind.Server,
      startTimeUnixNano: 1544712660000000000n,
      endTimeUnixNano: 1544712661000000000n,
      droppedAttributesCount: 3,
      droppedEventsCount: 5,
      droppedLinksCount: 7,
      status: { code: StatusCode.Error, message: 'upstream unavailable' },
    });
    expect(span.attributes).toEqual([
      { key: 'http.response.status_code', value: { type: 'int', value: 503n } },
      { key: 'ratio', value: { type: 'double', value: 0.5 } },
    ]);
    expect(span.events).toEqual([
      {
        timeUnixNano: 1544712660500000000n,
        name: 'retry',
        attributes: [{ key: 'attempt', value: { type: 'int', value: 2n } }],
        droppedAttributesCount: 4,
      },
    ]);
    expect(span.links).toHaveLength(1);
    expect(idToHex(span.links[0]!.traceId)).toBe(TRACE);
    expect(idToHex(span.links[0]!.spanId)).toBe(PARENT);
    expect(span.links[0]).toMatchObject({
      traceState: 'vendor=b',
      attributes: [{ key: 'why', value: { type: 'string', value: 'fan-in' } }],
      droppedAttributesCount: 6,
      flags: 1,
    });
  });

  it('accepts upper-case and mixed-case hex IDs', () => {
    const { batch, rejected } = decodeTracesJson(
      request([{ traceId: TRACE.toUpperCase(), spanId: 'EeE19B7eC3C1b174', parentSpanId: PARENT.toUpperCase() }]),
    );
    expect(rejected).toBe(0);
    const span = batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(idToHex(span.traceId)).toBe(TRACE);
    expect(idToHex(span.spanId)).toBe(SPAN);
    expect(idToHex(span.parentSpanId)).toBe(PARENT);
  });

  it('reads 64-bit integers as decimal strings and as JSON numbers', () => {
    const { batch } = decodeTracesJson(
      request([
        { traceId: TRACE, spanId: SPAN, startTimeUnixNano: '18446744073709551615', endTimeUnixNano: 1000000 },
        {
          traceId: TRACE,
          spanId: PARENT,
          startTimeUnixNano: 1_700_000_000_000,
          droppedAttributesCount: '9',
          flags: '256',
          attributes: [
            { key: 'min', value: { intValue: '-9223372036854775808' } },
            { key: 'max', value: { intValue: '9223372036854775807' } },
            { key: 'num', value: { intValue: -42 } },
          ],
        },
      ]),
    );
    const [a, b] = batch.resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(a!.startTimeUnixNano).toBe(18446744073709551615n);
    expect(a!.endTimeUnixNano).toBe(1000000n);
    expect(b!.startTimeUnixNano).toBe(1_700_000_000_000n);
    expect(b!.droppedAttributesCount).toBe(9);
    expect(b!.flags).toBe(256);
    expect(b!.attributes.map((kv) => kv.value)).toEqual([
      { type: 'int', value: -9223372036854775808n },
      { type: 'int', value: 9223372036854775807n },
      { type: 'int', value: -42n },
    ]);
  });

  it('ignores unknown fields at every level', () => {
    const extra = { futureField: { deeply: ['nested', 1] }, another: 7 };
    const text = JSON.stringify({
      ...extra,
      resourceSpans: [
        {
          ...extra,
          resource: { ...extra, attributes: [{ ...extra, key: 'k', value: { ...extra, stringValue: 'v' } }], entityRefs: [] },
          scopeSpans: [
            {
              ...extra,
              scope: { ...extra, name: 's' },
              spans: [
                {
                  ...extra,
                  traceId: TRACE,
                  spanId: SPAN,
                  events: [{ ...extra, name: 'e' }],
                  links: [{ ...extra, traceId: TRACE, spanId: PARENT }],
                  status: { ...extra, code: 1 },
                },
              ],
            },
          ],
        },
      ],
    });
    const { batch, rejected } = decodeTracesJson(text);
    expect(rejected).toBe(0);
    const rs = batch.resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual([{ key: 'k', value: { type: 'string', value: 'v' } }]);
    const span = rs.scopeSpans[0]!.spans[0]!;
    expect(rs.scopeSpans[0]!.scope.name).toBe('s');
    expect(span.events[0]!.name).toBe('e');
    expect(span.links).toHaveLength(1);
    expect(span.status.code).toBe(StatusCode.Ok);
  });

  it('accepts enum names as well as numbers', () => {
    const { batch } = decodeTracesJson(
      request([
        { traceId: TRACE, spanId: SPAN, kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_ERROR' } },
        { traceId: TRACE, spanId: PARENT, kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_OK' } },
        { traceId: TRACE, spanId: '0000000000000001', kind: 3, status: { code: 0 } },
      ]),
    );
    const spans = batch.resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(spans.map((s) => s.kind)).toEqual([SpanKind.Consumer, SpanKind.Server, SpanKind.Client]);
    expect(spans.map((s) => s.status.code)).toEqual([StatusCode.Error, StatusCode.Ok, StatusCode.Unset]);
  });

  it('treats an empty request, empty lists and nulls as an empty batch or defaults', () => {
    for (const text of ['{}', '{"resourceSpans":[]}', '{"resourceSpans":null}']) {
      const result = decodeTracesJson(text);
      expect(result).toEqual({ batch: { signal: 'traces', resourceSpans: [], itemCount: 0 }, rejected: 0, errorMessage: '' });
    }
    const { batch } = decodeTracesJson(
      JSON.stringify({
        resourceSpans: [{ resource: null, scopeSpans: [{ scope: null, spans: [{ traceId: TRACE, spanId: SPAN, name: null }] }] }],
      }),
    );
    const span = batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.name).toBe('');
    expect(span.parentSpanId).toHaveLength(0);
    expect(span.kind).toBe(SpanKind.Unspecified);
    expect(span.status).toEqual({ code: StatusCode.Unset, message: '' });
    expect(span.startTimeUnixNano).toBe(0n);
    expect(batch.resourceSpans[0]!.resource).toEqual({ attributes: [], droppedAttributesCount: 0 });
  });

  it('rejects a span with a short trace ID alone and says why', () => {
    const { batch, rejected, errorMessage } = decodeTracesJson(
      request([
        { traceId: 'abcdef', spanId: SPAN, name: 'bad' },
        { traceId: TRACE, spanId: SPAN, name: 'good' },
      ]),
    );
    expect(rejected).toBe(1);
    expect(errorMessage).toBe('1 span rejected: trace_id must be 16 bytes (got 3)');
    expect(batch.itemCount).toBe(1);
    expect(batch.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name)).toEqual(['good']);
  });

  it('rejects each span with an unusable ID, counts them and reports the first reason', () => {
    const cases = [
      { traceId: TRACE, spanId: '00000000000000', name: 'short span id' },
      { traceId: '00000000000000000000000000000000', spanId: SPAN, name: 'zero trace id' },
      { traceId: TRACE, spanId: '0000000000000000', name: 'zero span id' },
      { traceId: 'zz8efff798038103d269b633813fc60c', spanId: SPAN, name: 'not hex' },
      { traceId: TRACE, spanId: SPAN.slice(1), name: 'odd length' },
      { traceId: '', spanId: SPAN, name: 'empty trace id' },
      { spanId: SPAN, name: 'absent trace id' },
      { traceId: TRACE, spanId: SPAN, parentSpanId: 'abcd', name: 'short parent' },
      { traceId: TRACE, spanId: SPAN, links: [{ traceId: 'xyz', spanId: SPAN }], name: 'link not hex' },
      // base64 of 16 bytes is not hex, and must not be taken for it.
      { traceId: 'W47/95gDgQPSabYzgT/GDA==', spanId: SPAN, name: 'base64' },
    ];
    const { batch, rejected, errorMessage } = decodeTracesJson(
      request([...cases, { traceId: TRACE, spanId: SPAN, name: 'ok', parentSpanId: '' }]),
    );
    expect(rejected).toBe(cases.length);
    expect(errorMessage).toBe(`${cases.length} spans rejected: span_id must be 8 bytes (got 7)`);
    expect(batch.itemCount).toBe(1);
    expect(batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name).toBe('ok');

    const reasons = cases.map((c) => decodeTracesJson(request([c])).errorMessage);
    expect(reasons).toEqual([
      '1 span rejected: span_id must be 8 bytes (got 7)',
      '1 span rejected: trace_id must not be all zeros',
      '1 span rejected: span_id must not be all zeros',
      '1 span rejected: trace_id is not valid hex',
      '1 span rejected: span_id is not valid hex',
      '1 span rejected: trace_id must be 16 bytes (got 0)',
      '1 span rejected: trace_id must be 16 bytes (got 0)',
      '1 span rejected: parent_span_id must be 8 bytes (got 2)',
      '1 span rejected: links[0].trace_id is not valid hex',
      '1 span rejected: trace_id is not valid hex',
    ]);
  });

  it('throws DecodeError naming the path of a value of the wrong type', () => {
    const spans = [0, 1, 2].map((i) => ({ traceId: TRACE, spanId: SPAN, name: `s${i}` }));
    const text = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [{ spans }, { spans: [...spans, { traceId: TRACE, spanId: SPAN, name: 42 }] }],
        },
      ],
    });
    const err = decodeError(text);
    expect(err.message).toBe('resourceSpans[0].scopeSpans[1].spans[3].name: expected string');
    expect(err.code).toBe(ERR_DECODE);
  });

  it.each([
    ['not json', 'invalid JSON:'],
    ['[]', 'request: expected object'],
    ['"text"', 'request: expected object'],
    ['null', 'request: expected object'],
    ['{"resourceSpans":{}}', 'resourceSpans: expected array'],
    ['{"resourceSpans":[7]}', 'resourceSpans[0]: expected object'],
    ['{"resourceSpans":[{"resource":[]}]}', 'resourceSpans[0].resource: expected object'],
    ['{"resourceSpans":[{"resource":{"attributes":{}}}]}', 'resourceSpans[0].resource.attributes: expected array'],
    ['{"resourceSpans":[{"scopeSpans":[{"scope":{"version":1}}]}]}', 'resourceSpans[0].scopeSpans[0].scope.version: expected string'],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":"x"}]}]}', 'resourceSpans[0].scopeSpans[0].spans: expected array'],
  ])('throws DecodeError for %s', (text, message) => {
    expect(decodeError(text).message.startsWith(message)).toBe(true);
  });

  it.each([
    [{ traceId: 12 }, 'spans[0].traceId: expected hex string'],
    [{ kind: 'SERVER' }, 'spans[0].kind: expected span kind'],
    [{ kind: 1.5 }, 'spans[0].kind: expected span kind'],
    [{ status: { code: 'STATUS_CODE_BROKEN' } }, 'spans[0].status.code: expected status code'],
    [{ status: 'ok' }, 'spans[0].status: expected object'],
    [{ startTimeUnixNano: '12abc' }, 'spans[0].startTimeUnixNano: expected unsigned 64-bit integer'],
    [{ startTimeUnixNano: '-1' }, 'spans[0].startTimeUnixNano: expected unsigned 64-bit integer'],
    [{ endTimeUnixNano: '18446744073709551616' }, 'spans[0].endTimeUnixNano: expected unsigned 64-bit integer'],
    [{ endTimeUnixNano: 1.5 }, 'spans[0].endTimeUnixNano: expected unsigned 64-bit integer'],
    [{ droppedAttributesCount: 4294967296 }, 'spans[0].droppedAttributesCount: expected unsigned 32-bit integer'],
    [{ events: [{}, { name: 'e', attributes: [{ key: 'k', value: { intValue: 'x' } }] }] }, 'spans[0].events[1].attributes[0].value.intValue: expected 64-bit integer'],
    [{ links: [{ traceId: TRACE, spanId: SPAN, flags: -1 }] }, 'spans[0].links[0].flags: expected unsigned 32-bit integer'],
    [{ attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] }, 'spans[0].attributes[0].value.intValue: expected 64-bit integer'],
    [{ attributes: [{ key: 5, value: {} }] }, 'spans[0].attributes[0].key: expected string'],
    [
      { attributes: [{ key: 'k', value: { arrayValue: { values: [{}, { kvlistValue: { values: [{ key: 'a', value: { boolValue: 'yes' } }] } }] } } }] },
      'spans[0].attributes[0].value.arrayValue.values[1].kvlistValue.values[0].value.boolValue: expected boolean',
    ],
  ])('names the path of a bad span field %j', (fields, path) => {
    const err = decodeError(request([{ traceId: TRACE, spanId: SPAN, ...fields }]));
    expect(err.message).toBe(`resourceSpans[0].scopeSpans[0].${path}`);
  });

  it('decodes unicode names and attribute values unchanged', () => {
    const name = 'Grüße 世界 🚀 \u2028 "quoted" \\ back';
    const { batch } = decodeTracesJson(
      request([{ traceId: TRACE, spanId: SPAN, name, attributes: [{ key: 'ключ', value: { stringValue: '値 ✓' } }] }]),
    );
    const span = batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.name).toBe(name);
    expect(span.attributes).toEqual([{ key: 'ключ', value: { type: 'string', value: '値 ✓' } }]);
  });
});
