import type { Evidence } from '../../correlator/correlator.js';
import type { GateSpec, RuleSpec } from '../gate-spec.js';
import type { RuleResult } from '../gate-types.js';
import { evaluateChains } from './chains.js';
import { evaluateDeviceEvents } from './device-events.js';
import { evaluateMannWhitney } from './mann-whitney.js';
import { evaluateRelative } from './relative.js';
import type { RuleContext } from './rule-evaluator.js';
import { evaluateThreshold } from './threshold.js';
import { evaluateTwoProportion } from './two-proportion.js';

// One entry point for every rule: the spec's `measure` (and, for plain measures, whether the rule
// has absolute or relative limits) picks the family. The switch is exhaustive over RuleSpec, so a
// new rule kind in the schema does not type-check until it has an evaluator here.

export type RuleFamily = 'threshold' | 'relative' | 'mann_whitney' | 'two_proportion' | 'device_events' | 'chains';

/** The family that evaluates a rule. */
export function ruleFamilyOf(rule: RuleSpec): RuleFamily {
  switch (rule.measure) {
    case 'mann_whitney':
    case 'two_proportion':
    case 'device_events':
    case 'chains':
      return rule.measure;
    default:
      return rule.relative !== undefined ? 'relative' : 'threshold';
  }
}

export function evaluateRule(rule: RuleSpec, current: Evidence, baseline: Evidence | undefined, ctx: RuleContext): RuleResult {
  switch (rule.measure) {
    case 'mann_whitney':
      return evaluateMannWhitney(rule, current, baseline, ctx);
    case 'two_proportion':
      return evaluateTwoProportion(rule, current, baseline, ctx);
    case 'device_events':
      return evaluateDeviceEvents(rule, current, baseline, ctx);
    case 'chains':
      return evaluateChains(rule, current, baseline, ctx);
    default:
      return rule.relative !== undefined ? evaluateRelative(rule, current, baseline, ctx) : evaluateThreshold(rule, current, baseline, ctx);
  }
}

/** Every rule of a gate over one evaluation's evidence, in the spec's order. */
export function evaluateRules(spec: Pick<GateSpec, 'rules' | 'min_samples'>, current: Evidence, baseline: Evidence | undefined): RuleResult[] {
  const ctx: RuleContext = { minSamples: spec.min_samples };
  return spec.rules.map((rule) => evaluateRule(rule, current, baseline, ctx));
}
