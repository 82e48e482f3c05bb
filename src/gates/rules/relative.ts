import type { Evidence } from '../../correlator/correlator.js';
import type { MeasureRuleSpec } from '../gate-spec.js';
import type { RuleResult } from '../gate-types.js';
import { measureUnit, measureValue } from './measure-value.js';
import { ruleResult } from './rule-evaluator.js';
import type { RuleContext } from './rule-evaluator.js';
import { formatNumber } from './rule-format.js';

// Limits relative to the baseline, as Keptn's relative criteria ("<=+10%"): the measure may grow to
// baseline x max_increase_ratio or to baseline + max_increase_delta. With both, the larger bound
// applies, because each covers the other's blind spot: a ratio alone fails 0.001 -> 0.002 (twice,
// but harmless), a delta alone ignores scale. A baseline is only a reference when it has as many
// spans as the current window needs, so a thin baseline gives nodata rather than a loose or tight limit.

/** The largest value the relative limits allow over `base`. */
export function relativeLimit(base: number, relative: { readonly max_increase_ratio?: number | undefined; readonly max_increase_delta?: number | undefined }): number {
  const byRatio = relative.max_increase_ratio !== undefined ? base * relative.max_increase_ratio : -Infinity;
  const byDelta = relative.max_increase_delta !== undefined ? base + relative.max_increase_delta : -Infinity;
  return Math.max(byRatio, byDelta);
}

function describeRelative(relative: { readonly max_increase_ratio?: number | undefined; readonly max_increase_delta?: number | undefined }): string {
  const parts: string[] = [];
  if (relative.max_increase_ratio !== undefined) parts.push(`baseline x ${formatNumber(relative.max_increase_ratio)}`);
  if (relative.max_increase_delta !== undefined) parts.push(`baseline + ${formatNumber(relative.max_increase_delta)}`);
  return parts.join(' or ');
}

export function evaluateRelative(rule: MeasureRuleSpec, current: Evidence, baseline: Evidence | undefined, ctx: RuleContext): RuleResult {
  const relative = rule.relative ?? {};
  const now = measureValue(rule.measure, current);
  const base = baseline === undefined ? undefined : measureValue(rule.measure, baseline);
  const unit = measureUnit(rule.measure);
  const common = {
    measure: rule.measure,
    observed: now.value,
    baseline: base?.value,
    samples: { current: now.samples, baseline: base?.samples },
  };
  const rawThreshold = `<= ${describeRelative(relative)}`;
  if (base === undefined) {
    return ruleResult(rule, { ...common, threshold: rawThreshold, outcome: 'nodata', reason: `No baseline evidence to compare ${rule.measure} with.` });
  }
  if (now.samples < ctx.minSamples || base.samples < ctx.minSamples) {
    return ruleResult(rule, {
      ...common,
      threshold: rawThreshold,
      outcome: 'nodata',
      reason: `${now.samples} spans in the window and ${base.samples} in the baseline; both need min_samples ${ctx.minSamples} to compare ${rule.measure}.`,
    });
  }
  if (now.value === undefined || base.value === undefined) {
    return ruleResult(rule, { ...common, threshold: rawThreshold, outcome: 'nodata', reason: `${rule.measure} could not be computed for the ${now.value === undefined ? 'window' : 'baseline'}.` });
  }
  const limit = relativeLimit(base.value, relative);
  const threshold = `<= ${formatNumber(limit)} (${describeRelative(relative)})`;
  const statistic = { name: 'increase_ratio', value: base.value > 0 ? now.value / base.value : now.value > 0 ? Infinity : 1 };
  const shown = `${rule.measure} ${formatNumber(now.value)}${unit} against a baseline of ${formatNumber(base.value)}${unit}`;
  return now.value > limit
    ? ruleResult(rule, { ...common, threshold, statistic, outcome: 'fail', reason: `${shown} is above the allowed ${formatNumber(limit)}${unit}.` })
    : ruleResult(rule, { ...common, threshold, statistic, outcome: 'pass', reason: `${shown} is within the allowed ${formatNumber(limit)}${unit}.` });
}
