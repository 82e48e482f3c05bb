import { describe, expect, it } from 'vitest';
import { JsonShapeError, MAX_VALUE_DEPTH, readAnyValue, readHexId } from '../../../src/wire/otlp/json-common.js';

function shapeError(v: unknown): JsonShapeError {
  try {
    readAnyValue(v);
  } catch (err) {
    expect(err).toBeInstanceOf(JsonShapeError);
    return err as JsonShapeError;
  }
  throw new Error('expected a JsonShapeError');
}

describe('readAnyValue', () => {
  it('reads each scalar kind', () => {
    expect(readAnyValue({ stringValue: '' })).toEqual({ type: 'string', value: '' });
    expect(readAnyValue({ boolValue: false })).toEqual({ type: 'bool', value: false });
    expect(readAnyValue({ intValue: '0' })).toEqual({ type: 'int', value: 0n });
    expect(readAnyValue({ intValue: 12 })).toEqual({ type: 'int', value: 12n });
    expect(readAnyValue({ doubleValue: -2.5e-3 })).toEqual({ type: 'double', value: -0.0025 });
    expect(readAnyValue({ doubleValue: 3 })).toEqual({ type: 'double', value: 3 });
  });

  it('reads NaN, infinities and numeric strings as doubles', () => {
    expect(readAnyValue({ doubleValue: 'NaN' })).toEqual({ type: 'double', value: Number.NaN });
    expect(readAnyValue({ doubleValue: 'Infinity' })).toEqual({ type: 'double', value: Number.POSITIVE_INFINITY });
    expect(readAnyValue({ doubleValue: '-Infinity' })).toEqual({ type: 'double', value: Number.NEGATIVE_INFINITY });
    expect(readAnyValue({ doubleValue: '1.25' })).toEqual({ type: 'double', value: 1.25 });
    expect(shapeError({ doubleValue: 'lots' }).path).toBe('doubleValue');
    expect(shapeError({ doubleValue: '' }).path).toBe('doubleValue');
  });

  it('reads bytesValue as base64, standard or URL-safe, padded or not', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const std = Buffer.from(bytes).toString('base64');
    const url = Buffer.from(bytes).toString('base64url');
    expect(std).toContain('+');
    expect(readAnyValue({ bytesValue: std })).toEqual({ type: 'bytes', value: bytes });
    expect(readAnyValue({ bytesValue: url })).toEqual({ type: 'bytes', value: bytes });
    expect(readAnyValue({ bytesValue: 'AQI=' })).toEqual({ type: 'bytes', value: new Uint8Array([1, 2]) });
    expect(readAnyValue({ bytesValue: 'AQI' })).toEqual({ type: 'bytes', value: new Uint8Array([1, 2]) });
    expect(readAnyValue({ bytesValue: '' })).toEqual({ type: 'bytes', value: new Uint8Array(0) });
    // Hex is not base64's business: "0102" is read as base64, giving three bytes, not two.
    expect(readAnyValue({ bytesValue: '0102' })).toEqual({ type: 'bytes', value: new Uint8Array(Buffer.from('0102', 'base64')) });
  });

  it.each(['not base64!', 'AQI==', 'A', 'AB+_', 'AQ=I'])('refuses %j as bytesValue', (text) => {
    const err = shapeError({ bytesValue: text });
    expect(err.path).toBe('bytesValue');
    expect(err.problem).toBe('expected base64 string');
  });

  it('reads nested arrays and kvlists, keeping order and duplicates', () => {
    const v = readAnyValue({
      arrayValue: {
        values: [
          { stringValue: 'a' },
          { arrayValue: { values: [{ intValue: '1' }, { arrayValue: {} }] } },
          {
            kvlistValue: {
              values: [
                { key: 'k', value: { boolValue: true } },
                { key: 'k', value: { kvlistValue: { values: [{ key: 'inner', value: { doubleValue: 'NaN' } }] } } },
                { key: 'none' },
              ],
            },
          },
          {},
          null,
        ],
      },
    });
    expect(v).toEqual({
      type: 'array',
      value: [
        { type: 'string', value: 'a' },
        { type: 'array', value: [{ type: 'int', value: 1n }, { type: 'array', value: [] }] },
        {
          type: 'kvlist',
          value: [
            { key: 'k', value: { type: 'bool', value: true } },
            { key: 'k', value: { type: 'kvlist', value: [{ key: 'inner', value: { type: 'double', value: Number.NaN } }] } },
            { key: 'none', value: { type: 'empty' } },
          ],
        },
        { type: 'empty' },
        { type: 'empty' },
      ],
    });
  });

  it('reads an empty object, null and unknown keys as the empty value', () => {
    expect(readAnyValue({})).toEqual({ type: 'empty' });
    expect(readAnyValue(null)).toEqual({ type: 'empty' });
    expect(readAnyValue({ futureValue: { x: 1 } })).toEqual({ type: 'empty' });
    expect(readAnyValue({ stringValue: null, intValue: '5' })).toEqual({ type: 'int', value: 5n });
  });

  it('keeps unicode, including astral characters and escapes, unchanged', () => {
    const parsed: unknown = JSON.parse('{"stringValue":"caf\\u00e9 \\ud83d\\ude80 \u4e16\u754c \\n"}');
    expect(readAnyValue(parsed)).toEqual({ type: 'string', value: 'café 🚀 世界 \n' });
  });

  it('refuses nesting past the depth limit with a path, not a stack overflow', () => {
    let v: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < MAX_VALUE_DEPTH + 5; i++) v = { arrayValue: { values: [v] } };
    const err = shapeError(v);
    expect(err.problem).toBe(`values nested deeper than ${MAX_VALUE_DEPTH}`);
    expect(err.path.startsWith('arrayValue.values[0].arrayValue.values[0]')).toBe(true);

    let ok: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < MAX_VALUE_DEPTH - 1; i++) ok = { arrayValue: { values: [ok] } };
    expect(readAnyValue(ok).type).toBe('array');
  });
});

describe('readHexId', () => {
  it('parses hex of either case, treats absent, null and "" as empty, and gives undefined for non-hex', () => {
    expect(readHexId({ id: '0aFf' }, 'id')).toEqual(new Uint8Array([0x0a, 0xff]));
    expect(readHexId({}, 'id')).toHaveLength(0);
    expect(readHexId({ id: null }, 'id')).toHaveLength(0);
    expect(readHexId({ id: '' }, 'id')).toHaveLength(0);
    expect(readHexId({ id: '0g' }, 'id')).toBeUndefined();
    expect(readHexId({ id: 'abc' }, 'id')).toBeUndefined();
    expect(() => readHexId({ id: 1 }, 'id')).toThrow(JsonShapeError);
  });
});
