import type { Evidence } from '../../correlator/correlator.js';
import type { MeasureRuleSpec } from '../gate-spec.js';
import type { RuleResult } from '../gate-types.js';
import { measureUnit, measureValue } from './measure-value.js';
import { ruleResult } from './rule-evaluator.js';
import type { RuleContext } from './rule-evaluator.js';
import { formatLimits, formatNumber } from './rule-format.js';

// Absolute limits on a measure of the current window (Keptn's fixed pass criteria): the error ratio
// at most 0.05, p99 at most 800 ms, at least 1 request per second. The baseline, when there is one,
// is shown beside the value but does not change the outcome.

export interface Limits {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

/** Which limit a value breaks, as a phrase, or undefined when it is within both. */
export function limitBroken(value: number, limits: Limits): string | undefined {
  if (limits.max !== undefined && value > limits.max) return `above the maximum ${formatNumber(limits.max)}`;
  if (limits.min !== undefined && value < limits.min) return `below the minimum ${formatNumber(limits.min)}`;
  return undefined;
}

export function evaluateThreshold(rule: MeasureRuleSpec, current: Evidence, baseline: Evidence | undefined, ctx: RuleContext): RuleResult {
  const limits = rule.threshold ?? {};
  const threshold = formatLimits(limits);
  const now = measureValue(rule.measure, current);
  const base = baseline === undefined ? undefined : measureValue(rule.measure, baseline);
  const unit = measureUnit(rule.measure);
  const common = {
    measure: rule.measure,
    observed: now.value,
    baseline: base?.value,
    threshold,
    samples: { current: now.samples, baseline: base?.samples },
  };
  if (now.needsSamples && now.samples < ctx.minSamples) {
    return ruleResult(rule, { ...common, outcome: 'nodata', reason: `Only ${now.samples} spans in the window, fewer than min_samples ${ctx.minSamples}, so ${rule.measure} is not judged.` });
  }
  if (now.value === undefined) {
    return ruleResult(rule, { ...common, outcome: 'nodata', reason: `No ${rule.measure} could be computed for the window.` });
  }
  const broken = limitBroken(now.value, limits);
  const shown = `${rule.measure} ${formatNumber(now.value)}${unit}`;
  return broken === undefined
    ? ruleResult(rule, { ...common, outcome: 'pass', reason: `${shown} is within ${threshold}.` })
    : ruleResult(rule, { ...common, outcome: 'fail', reason: `${shown} is ${broken}${unit}.` });
}
