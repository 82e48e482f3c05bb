import { describe, expect, it } from 'vitest';
import { decide, scoreOf } from '../../src/gates/decide.js';
import { parseGateSpec } from '../../src/gates/gate-spec.js';
import type { RuleResult } from '../../src/gates/gate-types.js';
import { T0, evidence, exemplar } from './evidence-fixtures.js';

const NOW = T0 + 600_000;

function spec(extra: Record<string, unknown> = {}) {
  return parseGateSpec(
    {
      id: 'checkout-canary',
      scope: { services: ['checkout'], versions: ['2.1.0'] },
      window: { start: '2026-11-25T10:00:00Z', duration: '10m' },
      baseline: { kind: 'stable_version', versions: ['2.0.0'] },
      rules: [{ name: 'placeholder', measure: 'error_ratio', threshold: { max: 0.05 } }],
      ...extra,
    },
    T0,
  );
}

function result(name: string, outcome: RuleResult['outcome'], options: { critical?: boolean; weight?: number } = {}): RuleResult {
  return {
    name,
    outcome,
    critical: options.critical ?? false,
    weight: options.weight ?? 1,
    measure: 'error_ratio',
    observed: 0.1,
    baseline: 0.01,
    threshold: '<= 0.05',
    samples: { current: 500, baseline: 500 },
    reason: `${name} was ${outcome}.`,
  };
}

const closed = { windowOpen: false, current: evidence({ spans: 500 }), baseline: evidence({ spans: 500 }), evaluation: 20, nowMs: NOW };
const open = { ...closed, windowOpen: true, evaluation: 3 };

describe('scoreOf', () => {
  it('scores passing weight over the weight of rules with data', () => {
    expect(scoreOf([result('a', 'pass', { weight: 2 }), result('b', 'fail'), result('c', 'nodata', { weight: 5 })])).toEqual({
      score: 66.7,
      passWeight: 2,
      dataWeight: 3,
      nodataWeight: 5,
      totalWeight: 8,
    });
    expect(scoreOf([result('a', 'nodata')]).score).toBeUndefined();
  });
});

describe('decide', () => {
  it('fails at once on a critical rule, even while the window is open', () => {
    const d = decide(spec(), [result('p99', 'pass'), result('error-ceiling', 'fail', { critical: true })], open);
    expect(d).toMatchObject({ decision: 'FAIL', reported: 'FAIL', final: true, score: 50, evaluation: 3 });
    expect(d.reason).toBe('Critical rule "error-ceiling" failed: error-ceiling was fail.');
  });

  it('fails on a critical rule even when the window holds too few spans', () => {
    const d = decide(spec(), [result('chains', 'fail', { critical: true })], { ...closed, current: evidence({ spans: 3 }) });
    expect(d.decision).toBe('FAIL');
  });

  it('is RUNNING with the current score while the window is open', () => {
    const d = decide(spec(), [result('a', 'pass'), result('b', 'fail'), result('c', 'pass'), result('d', 'pass')], open);
    expect(d).toMatchObject({ decision: 'RUNNING', reported: 'RUNNING', final: false, score: 75 });
    expect(d.reason).toBe('Window open; score 75 so far (pass at 90); failing so far: "b".');
    expect(decide(spec(), [result('a', 'nodata')], open).reason).toBe('Window open; no rule has enough data yet.');
  });

  it('is INCONCLUSIVE, never PASS, when the closed window has fewer than min_samples spans', () => {
    const d = decide(spec(), [result('a', 'pass'), result('b', 'pass')], { ...closed, current: evidence({ spans: 49 }) });
    expect(d).toMatchObject({ decision: 'INCONCLUSIVE', final: true, score: 100 });
    expect(d.reason).toBe('Only 49 spans in the window, fewer than min_samples 50: too little data to pass.');
  });

  it('is INCONCLUSIVE when half or more of the rules by weight have no data', () => {
    const half = decide(spec(), [result('a', 'pass', { weight: 2 }), result('b', 'nodata'), result('c', 'nodata')], closed);
    expect(half).toMatchObject({ decision: 'INCONCLUSIVE', score: 100 });
    expect(half.reason).toBe('Rules without data: "b", "c" (weight 2 of 4, half or more): too little data to decide.');
    const under = decide(spec(), [result('a', 'pass', { weight: 3 }), result('b', 'nodata'), result('c', 'nodata')], closed);
    expect(under).toMatchObject({ decision: 'PASS', score: 100 });
    expect(under.reason).toBe('Score 100 >= pass 90; without data: "b", "c".');
    expect(decide(spec(), [result('a', 'nodata')], closed).decision).toBe('INCONCLUSIVE');
  });

  it('scores a closed window against the pass and marginal thresholds', () => {
    const rules = (passing: number, failing: number) => [
      ...Array.from({ length: passing }, (_, i) => result(`p${i}`, 'pass')),
      ...Array.from({ length: failing }, (_, i) => result(`f${i}`, 'fail')),
    ];
    // 9 of 10 = 90: PASS at exactly the threshold.
    expect(decide(spec(), rules(9, 1), closed)).toMatchObject({ decision: 'PASS', score: 90, final: true });
    // 8 of 10 = 80: marginal.
    const marginal = decide(spec(), rules(8, 2), closed);
    expect(marginal).toMatchObject({ decision: 'INCONCLUSIVE', score: 80 });
    expect(marginal.reason).toBe('Score 80 is marginal (>= 75, < pass 90); failed: "f0" (f0 was fail); "f1" (f1 was fail).');
    // 7 of 10 = 70: FAIL.
    const fail = decide(spec(), rules(7, 3), closed);
    expect(fail).toMatchObject({ decision: 'FAIL', score: 70 });
    expect(fail.reason).toMatch(/^Score 70 < marginal 75; failed: "f0" \(f0 was fail\)/);
    // Custom thresholds.
    expect(decide(spec({ scoring: { pass: 70, marginal: 50 } }), rules(7, 3), closed).decision).toBe('PASS');
  });

  it('weighs rules by their weight', () => {
    const d = decide(spec(), [result('stats', 'pass', { weight: 9 }), result('p50', 'fail')], closed);
    expect(d).toMatchObject({ decision: 'PASS', score: 90 });
    expect(decide(spec(), [result('stats', 'fail', { weight: 9 }), result('p50', 'pass')], closed)).toMatchObject({ decision: 'FAIL', score: 10 });
  });

  it('records the real decision of a dry run and reports PASS, or RUNNING while open', () => {
    const dry = spec({ dry_run: true });
    const failing = [result('a', 'fail'), result('b', 'fail')];
    expect(decide(dry, failing, closed)).toMatchObject({ decision: 'FAIL', reported: 'PASS', final: true, dryRun: true, score: 0 });
    const critical = [result('c', 'fail', { critical: true })];
    // A dry run never stops early: it keeps recording until the window closes.
    expect(decide(dry, critical, open)).toMatchObject({ decision: 'FAIL', reported: 'RUNNING', final: false });
    expect(decide(dry, [result('a', 'pass')], open)).toMatchObject({ decision: 'RUNNING', reported: 'RUNNING', final: false });
    expect(decide(dry, [result('a', 'pass')], { ...closed, current: evidence({ spans: 1 }) })).toMatchObject({ decision: 'INCONCLUSIVE', reported: 'PASS' });
  });

  it('carries the gate, scope, windows, rules and evidence into the decision', () => {
    const current = evidence({ spans: 500, errorExemplars: [exemplar('aa'.repeat(16), T0 + 5, 40, ['card declined'])] });
    const rules = [result('a', 'pass')];
    const d = decide(spec(), rules, { ...closed, current, baseline: undefined });
    expect(d).toMatchObject({
      gateId: 'checkout-canary',
      evaluation: 20,
      window: { startMs: T0, endMs: T0 + 600_000 },
      scope: { services: ['checkout'], versions: ['2.1.0'] },
      baseline: { kind: 'stable_version', window: { startMs: T0, endMs: T0 + 600_000 }, scope: { services: ['checkout'], versions: ['2.0.0'] } },
      evaluatedAtMs: NOW,
      dryRun: false,
    });
    expect(d.rules).toBe(rules);
    expect(d.evidence.errorLogs).toEqual([{ traceId: 'aa'.repeat(16), service: 'checkout@2.1.0', body: 'card declined', timeMs: T0 + 5 }]);
  });

  it('describes no baseline for a gate without one, and the window before for previous_window', () => {
    const none = parseGateSpec({ id: 'g', scope: { services: ['checkout'] }, window: { duration: '10m' }, rules: [{ name: 'a', measure: 'error_ratio', threshold: { max: 1 } }] }, T0);
    expect(decide(none, [result('a', 'pass')], closed).baseline).toEqual({ kind: 'none', window: undefined, scope: undefined });
    const previous = decide(spec({ baseline: { kind: 'previous_window' } }), [result('a', 'pass')], { ...closed, baseline: undefined });
    expect(previous.baseline).toEqual({ kind: 'previous_window', window: { startMs: T0 - 600_000, endMs: T0 }, scope: { services: ['checkout'], versions: ['2.1.0'] } });
  });
});
