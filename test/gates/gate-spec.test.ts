import { describe, expect, it } from 'vitest';
import { GateSpecError, baselineOf, parseGateSpec, scopeSelectorOf } from '../../src/gates/gate-spec.js';

const NOW = Date.parse('2026-11-25T10:05:00Z');

const minimal = () => ({
  id: 'checkout-canary',
  scope: { services: ['checkout'], versions: ['2.1.0'] },
  window: { duration: '10m' },
  rules: [{ name: 'errors', measure: 'error_ratio', threshold: { max: 0.05 } }],
});

function issuesOf(input: unknown): readonly string[] {
  try {
    parseGateSpec(input, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(GateSpecError);
    expect((err as GateSpecError).code).toBe('CORRGATE_ERR_GATE_SPEC');
    return (err as GateSpecError).issues;
  }
  throw new Error('expected the spec to be refused');
}

describe('parseGateSpec', () => {
  it('fills the defaults and resolves "now" and durations to milliseconds', () => {
    const spec = parseGateSpec(minimal(), NOW);
    expect(spec).toEqual({
      id: 'checkout-canary',
      scope: { services: ['checkout'], versions: ['2.1.0'], include_dependencies: false, include_dependents: false },
      window: { startMs: NOW, endMs: NOW + 600_000 },
      interval: 30_000,
      baseline: { kind: 'none' },
      min_samples: 50,
      scoring: { pass: 90, marginal: 75 },
      dry_run: false,
      rules: [{ name: 'errors', measure: 'error_ratio', threshold: { max: 0.05 }, critical: false, weight: 1 }],
    });
  });

  it('reads an RFC 3339 start with a zone, and an open window', () => {
    const fixed = parseGateSpec({ ...minimal(), window: { start: '2026-11-25T11:00:00+01:00', duration: '1h30m' } }, NOW);
    expect(fixed.window).toEqual({ startMs: Date.parse('2026-11-25T10:00:00Z'), endMs: Date.parse('2026-11-25T11:30:00Z') });
    const open = parseGateSpec({ ...minimal(), window: { until_closed: true } }, NOW);
    expect(open.window).toEqual({ startMs: NOW, endMs: undefined });
  });

  it('names the path of every problem', () => {
    const issues = issuesOf({
      id: 'Checkout',
      scope: { services: ['checkout'], hots: ['node-1'] },
      window: { start: 'yesterday', duration: '10' },
      interval: '30s',
      rules: [
        { name: 'a', measure: 'error_ratio', threshold: { max: 0.05 } },
        { name: 'b', measure: 'latency_p99', threshold: { max: 800 } },
        { name: 'c', measure: 'error_ratio', threshold: { max: '0.05' } },
        { name: 'd', measure: 'latency_p42', threshold: { max: 1 } },
        { name: 'e', measure: 'error_ratio' },
        { name: 'f', measure: 'mann_whitney', confidence: 1.5 },
        { name: 'a', measure: 'device_events', event: 'LinkDown' },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'id: must match [a-z0-9][a-z0-9._-]*',
        'scope.hots: unknown key',
        'window.start: expected "now" or an RFC 3339 time such as 2026-11-25T10:00:00Z',
        'window.duration: invalid duration "10": a unit is required (ns, us, ms, s, m, h)',
        'rules[2].threshold.max: expected number',
        'rules[4].threshold: give threshold or relative (one of them)',
        'rules[6].event: must be a dotted lower-case event name such as network.interface.down',
      ]),
    );
    expect(issues).toContain(
      'rules[3].measure: expected one of error_ratio, latency_p50, latency_p90, latency_p95, latency_p99, request_rate, error_logs, device_events, chains, mann_whitney, two_proportion',
    );
    expect(issues).toContain('rules[5].confidence: must be < 1');
    expect(issues).toHaveLength(9);
  });

  it('refuses duplicate rule names and statistical rules without a baseline', () => {
    const issues = issuesOf({
      ...minimal(),
      rules: [
        { name: 'x', measure: 'two_proportion' },
        { name: 'x', measure: 'latency_p99', relative: { max_increase_ratio: 1.2 } },
      ],
    });
    expect(issues).toContain('rules[1].name: duplicate rule name "x" (also rules[0])');
    expect(issues).toContain('baseline.kind: rules[0] (x) compares against a baseline: set baseline.kind to stable_version, stable_selector, previous_window or previous_decision');
    expect(issues).toContain('baseline.kind: rules[1] (x) compares against a baseline: set baseline.kind to stable_version, stable_selector, previous_window or previous_decision');
  });

  it('refuses windows without an end rule, scoring out of order and missing fields', () => {
    expect(issuesOf({ ...minimal(), window: {} })).toContain('window.duration: give duration or until_closed: true');
    expect(issuesOf({ ...minimal(), window: { duration: '5m', until_closed: true } })).toContain('window.until_closed: give duration or until_closed: true, not both');
    expect(issuesOf({ ...minimal(), scoring: { pass: 70 } })).toContain('scoring.marginal: marginal must not be above pass');
    expect(issuesOf({ ...minimal(), rules: [{ measure: 'error_ratio', threshold: { max: 1 } }] })).toContain('rules[0].name: required');
    expect(issuesOf({ ...minimal(), rules: [{ name: 'x', measure: 'chains', threshold: {} }] })).toContain('rules[0].threshold: give max, min or both');
    expect(issuesOf({ ...minimal(), baseline: { kind: 'stable_version' } })).toContain('baseline.versions: required');
    expect(issuesOf({ ...minimal(), baseline: { kind: 'yesterday' } })).toContain('baseline.kind: expected one of stable_version, stable_selector, previous_window, previous_decision, none');
    expect(issuesOf({ ...minimal(), rules: [] })).toContain('rules: needs at least 1 item');
    expect(issuesOf({ ...minimal(), min_samples: 0 })).toContain('min_samples: must be > 0');
    expect(issuesOf(undefined)).toEqual(['expected an object with id, scope, window and rules']);
    expect(issuesOf({ id: 'x' })).toEqual(['scope: required', 'window: required', 'rules: required']);
  });
});

describe('scopeSelectorOf', () => {
  it('maps snake_case to the selector and drops empty lists, which would select nothing', () => {
    const spec = parseGateSpec(
      {
        ...minimal(),
        scope: { services: ['checkout'], namespace: 'shop', environment: 'prod', versions: ['2.1.0'], hosts: [], devices: [], attributes: {}, include_dependencies: true },
      },
      NOW,
    );
    expect(scopeSelectorOf(spec)).toEqual({ services: ['checkout'], namespace: 'shop', environment: 'prod', versions: ['2.1.0'], includeDependencies: true });
  });

  it('keeps hosts, devices, attributes and include_dependents when given', () => {
    const spec = parseGateSpec({ ...minimal(), scope: { devices: ['edge-sw-1'], hosts: ['node-7'], attributes: { 'k8s.cluster.name': 'eu-1' }, include_dependents: true } }, NOW);
    expect(scopeSelectorOf(spec)).toEqual({ devices: ['edge-sw-1'], hosts: ['node-7'], attributes: { 'k8s.cluster.name': 'eu-1' }, includeDependents: true });
  });
});

describe('baselineOf', () => {
  const window = { startMs: NOW, endMs: NOW + 600_000 };

  it('queries the stable versions over the same window', () => {
    const spec = parseGateSpec({ ...minimal(), scope: { services: ['checkout'], namespace: 'shop', versions: ['2.1.0'] }, baseline: { kind: 'stable_version', versions: ['2.0.0', '2.0.1'] } }, NOW);
    expect(baselineOf(spec, window)).toEqual({ kind: 'stable_version', scope: { services: ['checkout'], namespace: 'shop', versions: ['2.0.0', '2.0.1'] }, ...window });
  });

  it('queries the same scope over the equally long window just before', () => {
    const spec = parseGateSpec({ ...minimal(), baseline: { kind: 'previous_window' } }, NOW);
    expect(baselineOf(spec, window)).toEqual({ kind: 'previous_window', scope: { services: ['checkout'], versions: ['2.1.0'] }, startMs: NOW - 600_000, endMs: NOW });
  });

  it('has none when the gate has none', () => {
    expect(baselineOf(parseGateSpec(minimal(), NOW), window)).toBeUndefined();
  });
});
