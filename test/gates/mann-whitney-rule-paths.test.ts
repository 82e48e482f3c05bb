import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/correlator/correlator.js';
import { mannWhitneyRuleSchema } from '../../src/gates/gate-spec.js';
import type { MannWhitneyRuleSpec } from '../../src/gates/gate-spec.js';
import type { RuleResult } from '../../src/gates/gate-types.js';
import { evaluateMannWhitney } from '../../src/gates/rules/mann-whitney.js';
import { ruleResult } from '../../src/gates/rules/rule-evaluator.js';
import type { RuleContext } from '../../src/gates/rules/rule-evaluator.js';
import { formatNumber, formatPValue, formatPercent } from '../../src/gates/rules/rule-format.js';
import { sampleMedian } from '../../src/gates/rules/sample-median.js';
import { evidence } from './evidence-fixtures.js';
import { ascending, lcg, referenceMannWhitney, referenceShift, sample } from './statistics/reference-statistics.js';

// The rule sorts each sample once and shares the sorted copy between the medians, the test and the
// shift (and remembers the result for a pair of arrays it has seen). Checked here against the rule as
// it was written before that, step by step: medians by a comparator sort, the test by the textbook,
// the shift from every pairwise difference.

function comparatorMedian(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function referenceRule(rule: MannWhitneyRuleSpec, current: Evidence, baseline: Evidence | undefined, ctx: RuleContext): RuleResult {
  const canary = current.latencySamples;
  const base = baseline?.latencySamples;
  const alpha = 1 - rule.confidence;
  const threshold = `fails when one-sided p < ${formatNumber(alpha)} and the shift > ${formatPercent(rule.effect_size_floor)} of the baseline median`;
  const observed = comparatorMedian(canary);
  const baseMedian = base === undefined ? undefined : comparatorMedian(base);
  const common = { measure: 'mann_whitney', observed, baseline: baseMedian, threshold, samples: { current: canary.length, baseline: base?.length } };
  if (base === undefined) return ruleResult(rule, { ...common, outcome: 'nodata', reason: 'No baseline latency samples to compare the canary with.' });
  if (canary.length < ctx.minSamples || base.length < ctx.minSamples) {
    return ruleResult(rule, {
      ...common,
      outcome: 'nodata',
      reason: `${canary.length} canary and ${base.length} baseline latency samples; each side needs min_samples ${ctx.minSamples} for a rank test.`,
    });
  }
  const test = referenceMannWhitney(canary, base);
  const shift = referenceShift(canary, base);
  const effect = baseMedian !== undefined && baseMedian > 0 ? shift / baseMedian : shift > 0 ? Infinity : 0;
  const statistic = { name: 'mann_whitney_u', value: test.u, pValue: test.pValueGreater, effectSize: effect };
  const significant = test.pValueGreater < alpha;
  const large = effect > rule.effect_size_floor;
  const p = `one-sided p = ${formatPValue(test.pValueGreater)}`;
  const shiftText = `${shift >= 0 ? '+' : ''}${formatNumber(shift)} ms (${formatPercent(effect)} of the baseline median ${formatNumber(baseMedian)} ms)`;
  if (significant && large) {
    return ruleResult(rule, {
      ...common,
      statistic,
      outcome: 'fail',
      reason: `The canary is slower (Mann-Whitney ${p} < ${formatNumber(alpha)}) by a Hodges-Lehmann shift of ${shiftText}, above the ${formatPercent(rule.effect_size_floor)} floor.`,
    });
  }
  const reason = significant
    ? `The canary is slower (${p}) but only by ${shiftText}, within the ${formatPercent(rule.effect_size_floor)} floor.`
    : `No significant latency increase (${p}, needs < ${formatNumber(alpha)}); shift ${shiftText}.`;
  return ruleResult(rule, { ...common, statistic, outcome: 'pass', reason });
}

/** Results equal, the floats of the statistic to rounding (the references sum in another order). */
function expectSameResult(actual: RuleResult, expected: RuleResult): void {
  const { statistic, ...rest } = actual;
  const { statistic: expectedStatistic, ...expectedRest } = expected;
  expect(rest).toEqual(expectedRest);
  expect(statistic === undefined).toBe(expectedStatistic === undefined);
  if (statistic === undefined || expectedStatistic === undefined) return;
  expect(statistic.name).toBe(expectedStatistic.name);
  expect(statistic.value).toBe(expectedStatistic.value);
  expect(statistic.effectSize).toBe(expectedStatistic.effectSize);
  expect(statistic.pValue).toBeCloseTo(expectedStatistic.pValue!, 12);
}

const rules = [
  mannWhitneyRuleSchema.parse({ name: 'latency', measure: 'mann_whitney' }),
  mannWhitneyRuleSchema.parse({ name: 'strict', measure: 'mann_whitney', confidence: 0.999, effect_size_floor: 0.05 }),
];

describe('mann_whitney rule on the sorted-sample path', () => {
  it('gives the result of the rule computed step by step, on random samples of every kind', () => {
    const rnd = lcg(101);
    for (let t = 0; t < 60; t++) {
      const kind = t % 4;
      const canary = sample(rnd, 20 + Math.floor(rnd() * 300), kind, [0.7, 1, 1.05, 1.5][t % 4]!);
      const base = sample(rnd, 20 + Math.floor(rnd() * 300), kind);
      // The correlator hands samples over ascending; hand-made evidence may be in any order.
      const current = evidence({ latencySamples: t % 3 === 0 ? ascending(canary) : canary });
      const baseline = evidence({ latencySamples: t % 5 === 0 ? ascending(base) : base });
      for (const rule of rules) {
        const ctx = { minSamples: [0, 50, 200][t % 3]! };
        const expected = referenceRule(rule, current, baseline, ctx);
        expectSameResult(evaluateMannWhitney(rule, current, baseline, ctx), expected);
        // Again with the same arrays (the remembered pair), and with fresh copies of them.
        expectSameResult(evaluateMannWhitney(rule, current, baseline, ctx), expected);
        expectSameResult(evaluateMannWhitney(rule, evidence({ latencySamples: [...current.latencySamples] }), evidence({ latencySamples: [...baseline.latencySamples] }), ctx), expected);
      }
      expectSameResult(evaluateMannWhitney(rules[0]!, current, undefined, { minSamples: 50 }), referenceRule(rules[0]!, current, undefined, { minSamples: 50 }));
    }
  });

  it('sees a sample changed in place between two evaluations', () => {
    const rnd = lcg(103);
    const canary = sample(rnd, 300, 0);
    const base = sample(rnd, 300, 0);
    const current = evidence({ latencySamples: canary });
    const baseline = evidence({ latencySamples: base });
    const ctx = { minSamples: 50 };
    expectSameResult(evaluateMannWhitney(rules[0]!, current, baseline, ctx), referenceRule(rules[0]!, current, baseline, ctx));
    for (let i = 0; i < canary.length; i++) canary[i] = canary[i]! * 2;
    const after = evaluateMannWhitney(rules[0]!, current, baseline, ctx);
    expectSameResult(after, referenceRule(rules[0]!, current, baseline, ctx));
    expect(after.outcome).toBe('fail');
  });

  it('throws as the statistics do for empty and non-finite samples', () => {
    const ok = evidence({ latencySamples: [1, 2, 3] });
    expect(() => evaluateMannWhitney(rules[0]!, evidence({ latencySamples: [] }), ok, { minSamples: 0 })).toThrow('canary sample is empty');
    expect(() => evaluateMannWhitney(rules[0]!, ok, evidence({ latencySamples: [1, Number.NaN] }), { minSamples: 0 })).toThrow('baseline sample holds a non-finite value at index 1: NaN');
    // Below min_samples nothing is tested, and the medians are those of a comparator sort.
    const odd = evaluateMannWhitney(rules[0]!, evidence({ latencySamples: [3, Infinity, 1] }), evidence({ latencySamples: [Number.NaN, 2] }), { minSamples: 50 });
    expect(odd.outcome).toBe('nodata');
    expect(odd.observed).toBe(comparatorMedian([3, Infinity, 1]));
    expect(odd.baseline).toBe(comparatorMedian([Number.NaN, 2]));
  });
});

describe('sampleMedian', () => {
  it('is the median of a comparator sort, for finite samples, -0, infinities and NaN alike', () => {
    const rnd = lcg(107);
    const cases: number[][] = [[], [5], [0, -0, 1], [-0, 0], [0, -0], [3, -0, 0, -0, 0], [Infinity, 1, -Infinity], [Number.NaN, 1, 2], [2, Number.NaN, 1, 0]];
    for (let t = 0; t < 30; t++) cases.push(sample(rnd, 1 + Math.floor(rnd() * 200), t % 4));
    for (const values of cases) expect(Object.is(sampleMedian(values), comparatorMedian(values)), JSON.stringify(values)).toBe(true);
  });
});
