import type { Evidence } from '../../correlator/correlator.js';
import type { MannWhitneyRuleSpec } from '../gate-spec.js';
import type { RuleResult } from '../gate-types.js';
import { hodgesLehmannShift } from '../statistics/hodges-lehmann.js';
import { mannWhitneyU } from '../statistics/mann-whitney.js';
import type { MannWhitneyResult } from '../statistics/mann-whitney.js';
import { compareSamples } from '../statistics/sample-comparison.js';
import { trySortedFiniteCopy } from '../statistics/sorted-sample.js';
import type { SampleBuffer } from '../statistics/sorted-sample.js';
import { ruleResult } from './rule-evaluator.js';
import type { RuleContext } from './rule-evaluator.js';
import { formatNumber, formatPValue, formatPercent } from './rule-format.js';
import { medianOfSortedCopy, sampleMedian } from './sample-median.js';

// Is the canary slower than the baseline? Kayenta's judge, on the latency samples the correlator
// keeps: a one-sided Mann-Whitney U test (rank-based, so the long tail of latency does not swamp it)
// says whether the canary's latencies are stochastically larger, and the Hodges-Lehmann shift (the
// median of all canary-minus-baseline differences) says by how much. Both must speak to fail: with
// thousands of samples a 2% slowdown is "significant" yet harmless, and with a few dozen a large
// apparent shift may be noise. Faster canaries never fail this rule.

/** Where the rule sorts its two samples: the statistics keep neither array, so one pair serves every call. */
const canaryBuffer: SampleBuffer = { buffer: new Float64Array(0) };
const baselineBuffer: SampleBuffer = { buffer: new Float64Array(0) };

export function evaluateMannWhitney(rule: MannWhitneyRuleSpec, current: Evidence, baseline: Evidence | undefined, ctx: RuleContext): RuleResult {
  const canary = current.latencySamples;
  const base = baseline?.latencySamples;
  const alpha = 1 - rule.confidence;
  const threshold = `fails when one-sided p < ${formatNumber(alpha)} and the shift > ${formatPercent(rule.effect_size_floor)} of the baseline median`;
  // Each sample is sorted once, for its median, the ranks and the shift alike.
  const canarySorted = trySortedFiniteCopy(canary, canaryBuffer);
  const baseSorted = base === undefined ? undefined : trySortedFiniteCopy(base, baselineBuffer);
  const observed = canarySorted !== undefined ? medianOfSortedCopy(canarySorted, canary) : sampleMedian(canary);
  const baseMedian = base === undefined ? undefined : baseSorted !== undefined ? medianOfSortedCopy(baseSorted, base) : sampleMedian(base);
  const common = {
    measure: 'mann_whitney',
    observed,
    baseline: baseMedian,
    threshold,
    samples: { current: canary.length, baseline: base?.length },
  };
  if (base === undefined) {
    return ruleResult(rule, { ...common, outcome: 'nodata', reason: 'No baseline latency samples to compare the canary with.' });
  }
  if (canary.length < ctx.minSamples || base.length < ctx.minSamples) {
    return ruleResult(rule, {
      ...common,
      outcome: 'nodata',
      reason: `${canary.length} canary and ${base.length} baseline latency samples; each side needs min_samples ${ctx.minSamples} for a rank test.`,
    });
  }
  let test: MannWhitneyResult;
  let shift: number;
  if (canarySorted !== undefined && baseSorted !== undefined) {
    ({ test, shift } = compareSamples(canary, base, canarySorted, baseSorted));
  } else {
    // An empty sample or a non-finite value: these throw the RangeError that says which.
    test = mannWhitneyU(canary, base);
    shift = hodgesLehmannShift(canary, base);
  }
  // A baseline median of 0 ms (all spans faster than the clock resolution) makes any positive shift
  // infinitely large in relative terms; that is the honest answer.
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
