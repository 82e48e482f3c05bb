import { describe, expect, it } from 'vitest';
import { measureRuleSchema } from '../../src/gates/gate-spec.js';
import { evaluateThreshold } from '../../src/gates/rules/threshold.js';
import { evidence } from './evidence-fixtures.js';

const ctx = { minSamples: 50 };
const rule = (input: Record<string, unknown>) => measureRuleSchema.parse({ name: 'r', ...input });

describe('threshold rules', () => {
  it('passes an error ratio at or under its maximum and fails one above it', () => {
    const r = rule({ measure: 'error_ratio', threshold: { max: 0.05 } });
    const ok = evaluateThreshold(r, evidence({ spans: 200, errors: 10 }), undefined, ctx);
    expect(ok).toMatchObject({ outcome: 'pass', observed: 0.05, threshold: '<= 0.05', samples: { current: 200, baseline: undefined } });
    const bad = evaluateThreshold(r, evidence({ spans: 200, errors: 11 }), undefined, ctx);
    expect(bad.outcome).toBe('fail');
    expect(bad.observed).toBeCloseTo(0.055, 12);
    expect(bad.reason).toBe('error_ratio 0.055 is above the maximum 0.05.');
  });

  it('gives nodata for a ratio over fewer than min_samples spans, however bad it looks', () => {
    const r = rule({ measure: 'error_ratio', threshold: { max: 0.05 } });
    const result = evaluateThreshold(r, evidence({ spans: 49, errors: 40 }), undefined, ctx);
    expect(result.outcome).toBe('nodata');
    expect(result.reason).toMatch(/Only 49 spans .* min_samples 50/);
  });

  it.each([
    ['latency_p50', { p50: 120 }, 100, 'fail'],
    ['latency_p90', { p90: 300 }, 300, 'pass'],
    ['latency_p95', { p95: 450.5 }, 450, 'fail'],
    ['latency_p99', { p99: 799 }, 800, 'pass'],
  ] as const)('judges %s in milliseconds', (measure, latency, max, outcome) => {
    const result = evaluateThreshold(rule({ measure, threshold: { max } }), evidence({ spans: 100, latency }), undefined, ctx);
    expect(result.outcome).toBe(outcome);
    expect(result.observed).toBe(Object.values(latency)[0]);
    if (outcome === 'fail') expect(result.reason).toContain(`above the maximum ${max} ms`);
  });

  it('gives nodata when the window has spans but no latency quantile', () => {
    const result = evaluateThreshold(rule({ measure: 'latency_p99', threshold: { max: 800 } }), evidence({ spans: 100 }), undefined, ctx);
    expect(result.outcome).toBe('nodata');
    expect(result.reason).toBe('No latency_p99 could be computed for the window.');
  });

  it('fails a request rate below its minimum even with no traffic at all (no min_samples excuse)', () => {
    const r = rule({ measure: 'request_rate', threshold: { min: 1 } });
    // 600 spans over 600 s = 1/s exactly.
    expect(evaluateThreshold(r, evidence({ spans: 600 }), undefined, ctx)).toMatchObject({ outcome: 'pass', observed: 1, threshold: '>= 1' });
    const none = evaluateThreshold(r, evidence({ spans: 0 }), undefined, ctx);
    expect(none).toMatchObject({ outcome: 'fail', observed: 0 });
    expect(none.reason).toBe('request_rate 0/s is below the minimum 1/s.');
  });

  it('checks a request rate against both a minimum and a maximum', () => {
    const r = rule({ measure: 'request_rate', threshold: { min: 1, max: 10 } });
    expect(evaluateThreshold(r, evidence({ spans: 6_600 }), undefined, ctx)).toMatchObject({ outcome: 'fail', observed: 11, threshold: '>= 1 and <= 10' });
    expect(evaluateThreshold(r, evidence({ spans: 3_000 }), undefined, ctx)).toMatchObject({ outcome: 'pass', observed: 5 });
  });

  it('counts error logs without needing min_samples spans', () => {
    const r = rule({ measure: 'error_logs', threshold: { max: 20 } });
    expect(evaluateThreshold(r, evidence({ spans: 3, errorLogs: 20 }), undefined, ctx)).toMatchObject({ outcome: 'pass', observed: 20 });
    expect(evaluateThreshold(r, evidence({ spans: 3, errorLogs: 21 }), undefined, ctx)).toMatchObject({ outcome: 'fail', observed: 21 });
  });

  it('shows the baseline value beside the observed one without judging by it', () => {
    const r = rule({ measure: 'error_ratio', threshold: { max: 0.05 } });
    const result = evaluateThreshold(r, evidence({ spans: 100, errors: 4 }), evidence({ spans: 400, errors: 4 }), ctx);
    expect(result).toMatchObject({ outcome: 'pass', observed: 0.04, baseline: 0.01, samples: { current: 100, baseline: 400 } });
  });

  it('carries the rule identity into its result', () => {
    const r = rule({ name: 'p99-ceiling', measure: 'latency_p99', threshold: { max: 800 }, critical: true, weight: 3 });
    expect(evaluateThreshold(r, evidence({ spans: 100, latency: { p99: 900 } }), undefined, ctx)).toMatchObject({
      name: 'p99-ceiling',
      critical: true,
      weight: 3,
      measure: 'latency_p99',
      outcome: 'fail',
    });
  });
});
