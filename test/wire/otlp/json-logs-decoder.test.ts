import { describe, expect, it } from 'vitest';
import { idToHex } from '../../../src/model/ids.js';
import { SeverityNumber } from '../../../src/model/log-record.js';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import { decodeLogsJson } from '../../../src/wire/otlp/json-logs-decoder.js';

const TRACE = '5B8EFFF798038103D269B633813FC60C';
const SPAN = 'eee19b7ec3c1b174';

function request(logRecords: unknown[]): string {
  return JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] });
}

describe('decodeLogsJson', () => {
  it('decodes every field of a log record, its resource and its scope', () => {
    const text = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'host.name', value: { stringValue: 'edge-sw-01' } }] },
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          scopeLogs: [
            {
              scope: { name: 'syslog', version: '1' },
              schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
              logRecords: [
                {
                  timeUnixNano: '1544712660300000000',
                  observedTimeUnixNano: 1544712660400000000,
                  severityNumber: 17,
                  severityText: 'err',
                  body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'link down' } }] } },
                  attributes: [{ key: 'syslog.facility', value: { intValue: '23' } }],
                  droppedAttributesCount: 2,
                  flags: 1,
                  traceId: TRACE,
                  spanId: SPAN,
                  eventName: 'device.link.down',
                },
              ],
            },
          ],
        },
      ],
    });
    const { batch, rejected, errorMessage } = decodeLogsJson(text);
    expect(rejected).toBe(0);
    expect(errorMessage).toBe('');
    expect(batch.signal).toBe('logs');
    expect(batch.itemCount).toBe(1);
    const rl = batch.resourceLogs[0]!;
    expect(rl.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(rl.resource.attributes).toEqual([{ key: 'host.name', value: { type: 'string', value: 'edge-sw-01' } }]);
    const sl = rl.scopeLogs[0]!;
    expect(sl.scope).toEqual({ name: 'syslog', version: '1', attributes: [], droppedAttributesCount: 0 });
    expect(sl.schemaUrl).toBe('https://opentelemetry.io/schemas/1.24.0');
    const r = sl.logRecords[0]!;
    expect(r).toMatchObject({
      timeUnixNano: 1544712660300000000n,
      severityNumber: SeverityNumber.Error,
      severityText: 'err',
      body: { type: 'kvlist', value: [{ key: 'msg', value: { type: 'string', value: 'link down' } }] },
      attributes: [{ key: 'syslog.facility', value: { type: 'int', value: 23n } }],
      droppedAttributesCount: 2,
      flags: 1,
      eventName: 'device.link.down',
    });
    // A JSON number this large has already been rounded by JSON.parse; it must still decode.
    expect(r.observedTimeUnixNano).toBe(BigInt(1544712660400000000));
    expect(idToHex(r.traceId)).toBe(TRACE.toLowerCase());
    expect(idToHex(r.spanId)).toBe(SPAN);
  });

  it('takes log records without trace context and with empty IDs', () => {
    const { batch, rejected } = decodeLogsJson(
      request([{ body: { stringValue: 'a' } }, { traceId: '', spanId: '', body: { stringValue: 'b' } }, {}]),
    );
    expect(rejected).toBe(0);
    const records = batch.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.traceId).toHaveLength(0);
      expect(r.spanId).toHaveLength(0);
    }
    expect(records[2]).toEqual({
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
    });
  });

  it('accepts severity names', () => {
    const names = ['SEVERITY_NUMBER_UNSPECIFIED', 'SEVERITY_NUMBER_TRACE', 'SEVERITY_NUMBER_DEBUG3', 'SEVERITY_NUMBER_INFO', 'SEVERITY_NUMBER_WARN4', 'SEVERITY_NUMBER_ERROR', 'SEVERITY_NUMBER_FATAL4'];
    const { batch } = decodeLogsJson(request(names.map((severityNumber) => ({ severityNumber }))));
    expect(batch.resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => r.severityNumber)).toEqual([
      SeverityNumber.Unspecified,
      SeverityNumber.Trace,
      SeverityNumber.Debug3,
      SeverityNumber.Info,
      SeverityNumber.Warn4,
      SeverityNumber.Error,
      SeverityNumber.Fatal4,
    ]);
  });

  it('rejects log records whose present IDs are unusable, alone', () => {
    const { batch, rejected, errorMessage } = decodeLogsJson(
      request([
        { traceId: 'abcdef', body: { stringValue: 'short trace' } },
        { traceId: TRACE, spanId: 'not-hex!', body: { stringValue: 'bad span' } },
        { spanId: '0102', body: { stringValue: 'short span' } },
        { traceId: TRACE, spanId: SPAN, body: { stringValue: 'kept' } },
      ]),
    );
    expect(rejected).toBe(3);
    expect(errorMessage).toBe('3 log records rejected: trace_id must be 16 bytes (got 3)');
    expect(batch.itemCount).toBe(1);
    expect(batch.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body).toEqual({ type: 'string', value: 'kept' });

    expect(decodeLogsJson(request([{ spanId: '0102' }])).errorMessage).toBe('1 log record rejected: span_id must be 8 bytes (got 2)');
    expect(decodeLogsJson(request([{ spanId: 'xyz' }])).errorMessage).toBe('1 log record rejected: span_id is not valid hex');
  });

  it('ignores unknown fields at every level', () => {
    const x = { unknownField: [1, { a: 2 }] };
    const text = JSON.stringify({
      ...x,
      resourceLogs: [
        {
          ...x,
          resource: { ...x },
          scopeLogs: [{ ...x, scope: { ...x, name: 'n' }, logRecords: [{ ...x, body: { ...x, stringValue: 'hi' } }] }],
        },
      ],
    });
    const { batch } = decodeLogsJson(text);
    expect(batch.itemCount).toBe(1);
    expect(batch.resourceLogs[0]!.scopeLogs[0]!.scope.name).toBe('n');
    expect(batch.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body).toEqual({ type: 'string', value: 'hi' });
  });

  it('treats an empty request as an empty batch', () => {
    expect(decodeLogsJson('{}')).toEqual({ batch: { signal: 'logs', resourceLogs: [], itemCount: 0 }, rejected: 0, errorMessage: '' });
  });

  it.each([
    ['{', 'invalid JSON:'],
    ['[{}]', 'request: expected object'],
    ['{"resourceLogs":"x"}', 'resourceLogs: expected array'],
    ['{"resourceLogs":[{"scopeLogs":[{},{"logRecords":[{},{"severityText":1}]}]}]}', 'resourceLogs[0].scopeLogs[1].logRecords[1].severityText: expected string'],
    ['{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":"plain"}]}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords[0].body: expected object'],
    ['{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"arrayValue":{"values":[1]}}}]}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords[0].body.arrayValue.values[0]: expected object'],
    ['{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber: expected severity number'],
    ['{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":true}]}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano: expected unsigned 64-bit integer'],
    ['{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":[]}]}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords[0].traceId: expected hex string'],
  ])('throws DecodeError for %s', (text, message) => {
    let caught: unknown;
    try {
      decodeLogsJson(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).message.startsWith(message)).toBe(true);
  });
});
