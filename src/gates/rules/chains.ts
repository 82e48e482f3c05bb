import type { ChainView, Evidence } from '../../correlator/correlator.js';
import type { ChainsRuleSpec } from '../gate-spec.js';
import type { RuleResult } from '../gate-types.js';
import { ruleResult } from './rule-evaluator.js';
import type { RuleContext } from './rule-evaluator.js';
import { formatLimits } from './rule-format.js';
import { limitBroken } from './threshold.js';

// Correlated chains: a device event followed, within the chain interval, by failures in services it
// affects. The correlator drops chains without failures, so every chain counted here is a device
// event that hurt something in scope. Usually the limit is 0: one is reason enough to stop.

function chainsOf(evidence: Evidence, event: string | undefined): readonly ChainView[] {
  return event === undefined ? evidence.chains : evidence.chains.filter((c) => c.event.eventName === event);
}

export function evaluateChains(rule: ChainsRuleSpec, current: Evidence, baseline: Evidence | undefined, _ctx: RuleContext): RuleResult {
  const chains = chainsOf(current, rule.event);
  const observed = chains.length;
  const threshold = formatLimits(rule.threshold);
  const broken = limitBroken(observed, rule.threshold);
  const what = rule.event === undefined ? 'correlated chain' : `chain opened by ${rule.event}`;
  const first = chains[0];
  const example =
    first === undefined ? '' : ` (first: ${first.event.eventName} on ${first.device ?? 'an unnamed device'} followed by ${first.failureCount} failures in ${first.failingServices.join(', ') || 'affected services'})`;
  const baseCount = baseline === undefined ? undefined : chainsOf(baseline, rule.event).length;
  return ruleResult(rule, {
    outcome: broken === undefined ? 'pass' : 'fail',
    measure: 'chains',
    observed,
    baseline: baseCount,
    threshold,
    samples: { current: current.spans.count, baseline: baseline?.spans.count },
    reason: broken === undefined ? `${observed} ${what}${observed === 1 ? '' : 's'}, within ${threshold}.` : `${observed} ${what}${observed === 1 ? '' : 's'}${example}, ${broken}.`,
  });
}
