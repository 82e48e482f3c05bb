import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationSchema, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['0s', 0],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1000000ns', 1],
    ['1h2m3s4ms', 3_723_004],
    [' 10s ', 10_000],
    ['+3s', 3_000],
    ['.5s', 500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  it('requires a unit', () => {
    expect(() => parseDuration('500')).toThrow(/unit is required/);
    expect(() => parseDuration('1m30')).toThrow(/unit is required/);
    expect(() => parseDuration('0')).toThrow(/unit is required/);
  });

  it.each(['', '   ', 's', '5x', '5 s', 'five seconds', '+', '1.2.3s', '5sec'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });

  it('refuses negative durations', () => {
    expect(() => parseDuration('-5s')).toThrow(/negative/);
  });
});

describe('durationSchema', () => {
  it('turns a duration string into milliseconds', () => {
    expect(durationSchema.parse('1m30s')).toBe(90_000);
  });

  it('reports a bad duration as an issue at the field, with the reason', () => {
    const schema = z.strictObject({ timeout: durationSchema });
    const result = schema.safeParse({ timeout: '30' });
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path).toEqual(['timeout']);
    expect(issue.message).toMatch(/invalid duration "30": a unit is required/);
  });

  it('refuses a number with a message asking for a unit', () => {
    const result = durationSchema.safeParse(5);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/duration string with a unit/);
  });

  it('gives its output type to a default', () => {
    const schema = z.strictObject({ timeout: durationSchema.default(5_000) });
    expect(schema.parse({})).toEqual({ timeout: 5_000 });
  });
});
