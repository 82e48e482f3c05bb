import type { Evidence } from '../../correlator/correlator.js';
import type { TwoProportionRuleSpec } from '../gate-spec.js';
import type { RuleResult } from '../gate-types.js';
import { twoProportionTest } from '../statistics/two-proportion.js';
import { ruleResult } from './rule-evaluator.js';
import type { RuleContext } from './rule-evaluator.js';
import { formatNumber, formatPValue } from './rule-format.js';

// Does the canary fail more often than the baseline? A one-sided two-proportion z-test on error
// spans over all spans. As with latency, significance alone is not enough: the difference in error
// ratio must also exceed min_difference, so a huge baseline cannot turn +0.1% into a failed rollout,
// and a few unlucky errors in a small canary cannot either (the test itself is not significant there).

export function evaluateTwoProportion(rule: TwoProportionRuleSpec, current: Evidence, baseline: Evidence | undefined, ctx: RuleContext): RuleResult {
  const alpha = 1 - rule.confidence;
  const threshold = `fails when one-sided p < ${formatNumber(alpha)} and the error ratio exceeds the baseline's by > ${formatNumber(rule.min_difference)}`;
  const common = {
    measure: 'two_proportion',
    observed: current.spans.errorRatio,
    baseline: baseline?.spans.errorRatio,
    threshold,
    samples: { current: current.spans.count, baseline: baseline?.spans.count },
  };
  if (baseline === undefined) {
    return ruleResult(rule, { ...common, outcome: 'nodata', reason: 'No baseline spans to compare the canary\'s error ratio with.' });
  }
  const n1 = current.spans.count;
  const n2 = baseline.spans.count;
  if (n1 < ctx.minSamples || n2 < ctx.minSamples) {
    return ruleResult(rule, { ...common, outcome: 'nodata', reason: `${n1} canary and ${n2} baseline spans; each side needs min_samples ${ctx.minSamples} to compare error ratios.` });
  }
  const test = twoProportionTest(current.spans.errors, n1, baseline.spans.errors, n2);
  const statistic = { name: 'two_proportion_z', value: test.z, pValue: test.pValueGreater, effectSize: test.difference };
  const significant = test.pValueGreater < alpha;
  const large = test.difference > rule.min_difference;
  const shown = `error ratio ${formatNumber(test.p1)} (${current.spans.errors}/${n1}) against ${formatNumber(test.p2)} (${baseline.spans.errors}/${n2}) in the baseline`;
  const p = `one-sided p = ${formatPValue(test.pValueGreater)}`;
  if (significant && large) {
    return ruleResult(rule, { ...common, statistic, outcome: 'fail', reason: `The canary fails more often: ${shown}, ${p} < ${formatNumber(alpha)}, difference ${formatNumber(test.difference)} > ${formatNumber(rule.min_difference)}.` });
  }
  const reason = significant
    ? `The canary's ${shown} is significantly higher (${p}) but the difference ${formatNumber(test.difference)} is within ${formatNumber(rule.min_difference)}.`
    : `The canary's ${shown} is not significantly higher (${p}, needs < ${formatNumber(alpha)}).`;
  return ruleResult(rule, { ...common, statistic, outcome: 'pass', reason });
}
