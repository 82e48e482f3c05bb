import type { Evidence } from '../../correlator/correlator.js';
import type { DeviceEventsRuleSpec } from '../gate-spec.js';
import type { RuleResult } from '../gate-types.js';
import { ruleResult } from './rule-evaluator.js';
import type { RuleContext } from './rule-evaluator.js';
import { formatLimits } from './rule-format.js';
import { limitBroken } from './threshold.js';

// A count of one kind of device event (event.name, as the device_events processor names them) on
// the devices and hosts in scope. A link going down under a rollout is a fact whatever the traffic,
// so the count needs no min_samples; it needs the devices in scope (named, or include_dependencies).

const countOf = (evidence: Evidence, event: string): number => evidence.deviceEvents.byName[event] ?? 0;

export function evaluateDeviceEvents(rule: DeviceEventsRuleSpec, current: Evidence, baseline: Evidence | undefined, _ctx: RuleContext): RuleResult {
  const observed = countOf(current, rule.event);
  const threshold = formatLimits(rule.threshold);
  const broken = limitBroken(observed, rule.threshold);
  const shown = `${observed} ${rule.event} event${observed === 1 ? '' : 's'} in scope`;
  return ruleResult(rule, {
    outcome: broken === undefined ? 'pass' : 'fail',
    measure: 'device_events',
    observed,
    baseline: baseline === undefined ? undefined : countOf(baseline, rule.event),
    threshold,
    samples: { current: current.spans.count, baseline: baseline?.spans.count },
    reason: broken === undefined ? `${shown}, within ${threshold}.` : `${shown}, ${broken}.`,
  });
}
