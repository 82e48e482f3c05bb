import { describe, expect, it } from 'vitest';
import { measureRuleSchema } from '../../src/gates/gate-spec.js';
import { evaluateRelative, relativeLimit } from '../../src/gates/rules/relative.js';
import { evidence } from './evidence-fixtures.js';

const ctx = { minSamples: 50 };
const rule = (input: Record<string, unknown>) => measureRuleSchema.parse({ name: 'r', ...input });

describe('relative rules', () => {
  it('allows the larger of baseline x ratio and baseline + delta', () => {
    expect(relativeLimit(0.1, { max_increase_ratio: 1.5, max_increase_delta: 0.01 })).toBeCloseTo(0.15, 12);
    expect(relativeLimit(0.001, { max_increase_ratio: 1.5, max_increase_delta: 0.01 })).toBeCloseTo(0.011, 12);
    expect(relativeLimit(200, { max_increase_ratio: 1.2 })).toBe(240);
    expect(relativeLimit(200, { max_increase_delta: 25 })).toBe(225);
  });

  it('fails an error ratio that grew past x1.5 and +0.01 of the baseline', () => {
    const r = rule({ measure: 'error_ratio', relative: { max_increase_ratio: 1.5, max_increase_delta: 0.01 } });
    const baseline = evidence({ spans: 1_000, errors: 20 }); // 0.02: limit max(0.03, 0.03)
    const fail = evaluateRelative(r, evidence({ spans: 500, errors: 16 }), baseline, ctx); // 0.032
    expect(fail.outcome).toBe('fail');
    expect(fail.observed).toBeCloseTo(0.032, 12);
    expect(fail.baseline).toBeCloseTo(0.02, 12);
    expect(fail.threshold).toBe('<= 0.03 (baseline x 1.5 or baseline + 0.01)');
    expect(fail.statistic?.name).toBe('increase_ratio');
    expect(fail.statistic?.value).toBeCloseTo(1.6, 12);
    expect(fail.reason).toBe('error_ratio 0.032 against a baseline of 0.02 is above the allowed 0.03.');
    const pass = evaluateRelative(r, evidence({ spans: 500, errors: 15 }), baseline, ctx); // 0.03
    expect(pass.outcome).toBe('pass');
  });

  it('lets a tiny baseline error ratio grow by the delta rather than failing on a doubled 0.1%', () => {
    const r = rule({ measure: 'error_ratio', relative: { max_increase_ratio: 1.5, max_increase_delta: 0.01 } });
    const result = evaluateRelative(r, evidence({ spans: 1_000, errors: 2 }), evidence({ spans: 1_000, errors: 1 }), ctx);
    expect(result.outcome).toBe('pass');
    expect(result.threshold).toBe('<= 0.011 (baseline x 1.5 or baseline + 0.01)');
  });

  it('fails latency p99 more than x1.2 the baseline', () => {
    const r = rule({ measure: 'latency_p99', relative: { max_increase_ratio: 1.2 } });
    const baseline = evidence({ spans: 500, latency: { p99: 250 } });
    expect(evaluateRelative(r, evidence({ spans: 100, latency: { p99: 300 } }), baseline, ctx)).toMatchObject({ outcome: 'pass', observed: 300, baseline: 250, threshold: '<= 300 (baseline x 1.2)' });
    const fail = evaluateRelative(r, evidence({ spans: 100, latency: { p99: 301 } }), baseline, ctx);
    expect(fail.outcome).toBe('fail');
    expect(fail.reason).toBe('latency_p99 301 ms against a baseline of 250 ms is above the allowed 300 ms.');
  });

  it('gives nodata when the baseline has too few spans', () => {
    const r = rule({ measure: 'latency_p99', relative: { max_increase_ratio: 1.2 } });
    const result = evaluateRelative(r, evidence({ spans: 100, latency: { p99: 900 } }), evidence({ spans: 49, latency: { p99: 100 } }), ctx);
    expect(result).toMatchObject({ outcome: 'nodata', samples: { current: 100, baseline: 49 } });
    expect(result.reason).toBe('100 spans in the window and 49 in the baseline; both need min_samples 50 to compare latency_p99.');
  });

  it('gives nodata without baseline evidence, and when the current window is thin', () => {
    const r = rule({ measure: 'error_ratio', relative: { max_increase_delta: 0.01 } });
    expect(evaluateRelative(r, evidence({ spans: 100, errors: 50 }), undefined, ctx)).toMatchObject({ outcome: 'nodata', threshold: '<= baseline + 0.01' });
    expect(evaluateRelative(r, evidence({ spans: 10, errors: 5 }), evidence({ spans: 100 }), ctx).outcome).toBe('nodata');
  });

  it('compares request rates and error log counts too', () => {
    const rate = rule({ measure: 'request_rate', relative: { max_increase_ratio: 2 } });
    // 3000 spans in 600 s = 5/s against 600 = 1/s.
    expect(evaluateRelative(rate, evidence({ spans: 3_000 }), evidence({ spans: 600 }), ctx)).toMatchObject({ outcome: 'fail', observed: 5, baseline: 1 });
    const logs = rule({ measure: 'error_logs', relative: { max_increase_delta: 5 } });
    expect(evaluateRelative(logs, evidence({ spans: 100, errorLogs: 12 }), evidence({ spans: 100, errorLogs: 7 }), ctx)).toMatchObject({ outcome: 'pass', observed: 12, baseline: 7 });
  });
});
