import type { Evidence } from '../../correlator/correlator.js';
import type { RuleSpec } from '../gate-spec.js';
import type { RuleOutcomeKind, RuleResult, RuleStatistic } from '../gate-types.js';

// The contract every rule family keeps: a pure function of the rule and the evidence, with an
// explicit outcome, in the manner of the Collector's tail-sampling policy evaluators. No rule reads
// a clock or does I/O, so the same evidence always gives the same result.

export interface RuleContext {
  /** Spans (or latency samples, for rank tests) a side needs before the rule may pass or fail. */
  readonly minSamples: number;
}

export type RuleEvaluator<R extends RuleSpec> = (rule: R, current: Evidence, baseline: Evidence | undefined, ctx: RuleContext) => RuleResult;

export interface RuleResultFields {
  readonly outcome: RuleOutcomeKind;
  readonly measure: string;
  readonly observed: number | undefined;
  readonly baseline: number | undefined;
  readonly threshold: string;
  readonly samples: { readonly current: number; readonly baseline: number | undefined };
  readonly statistic?: RuleStatistic;
  readonly reason: string;
}

/** A result carrying the rule's identity (name, critical, weight) with what the rule found. */
export function ruleResult(rule: RuleSpec, fields: RuleResultFields): RuleResult {
  const { statistic, ...rest } = fields;
  return { name: rule.name, critical: rule.critical, weight: rule.weight, ...rest, ...(statistic !== undefined ? { statistic } : {}) };
}
