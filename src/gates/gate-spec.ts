import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { formatZodIssues } from '../config/zod-issues.js';
import type { ScopeSelector } from '../correlator/scope-selector.js';
import { CorrgateError } from '../pipeline/errors.js';
import type { GateWindow } from './gate-types.js';

// A gate spec is what a deploy tool opens: which telemetry to judge (scope, window, baseline) and how
// (rules, scoring). It is written in YAML today and sent over the control API later, so it is one
// schema with snake_case keys like the rest of the config, validated once, every problem named by
// its path, and resolved (times to epoch ms, durations to ms) before any rule sees it.

export const ERR_GATE_SPEC = 'CORRGATE_ERR_GATE_SPEC';

const GATE_ID = /^[a-z0-9][a-z0-9._-]*$/;
// RFC 3339 with a zone: a gate started from two machines must mean the same instant on both.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;
const EVENT_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$/;

export const THRESHOLD_MEASURES = ['error_ratio', 'latency_p50', 'latency_p90', 'latency_p95', 'latency_p99', 'request_rate', 'error_logs'] as const;
export type ThresholdMeasure = (typeof THRESHOLD_MEASURES)[number];

const nonEmptyNames = z.array(z.string().min(1));

export const gateScopeSchema = z
  .strictObject({
    services: nonEmptyNames.optional().describe('service.name, or "namespace/name"; any of them.'),
    namespace: z.string().min(1).optional().describe('service.namespace.'),
    environment: z.string().min(1).optional().describe('deployment.environment.name.'),
    versions: nonEmptyNames.optional().describe('service.version of the rollout being judged (the canary); any of them.'),
    hosts: nonEmptyNames.optional().describe('Host names or aliases to include.'),
    devices: nonEmptyNames.optional().describe('Device names or aliases to include (switches, routers, firewalls).'),
    attributes: z.record(z.string().min(1), z.string()).optional().describe('Any other resource attribute, exact match.'),
    include_dependencies: z.boolean().default(false).describe('Also the hosts and devices the selected services depend on, through the topology.'),
    include_dependents: z.boolean().default(false).describe('Also the services behind the selected hosts and devices, through the topology.'),
  })
  .describe('Which resources the evidence is drawn from; the fields mean what they mean in GET /v1/evidence. Empty lists count as not given.');

const windowStartSchema = z
  .string({ error: 'expected "now" or an RFC 3339 time such as 2026-11-25T10:00:00Z' })
  .refine((s) => s === 'now' || (RFC3339.test(s) && !Number.isNaN(Date.parse(s))), 'expected "now" or an RFC 3339 time such as 2026-11-25T10:00:00Z');

export const gateWindowSchema = z
  .strictObject({
    start: windowStartSchema.default('now').describe('When the judged window starts: "now" (when the spec is parsed) or an RFC 3339 time with a zone.'),
    duration: durationSchema.optional().describe('Length of the window; the gate decides when it ends.'),
    until_closed: z.boolean().optional().describe('true: the window stays open until the gate is closed (e.g. by the deploy tool); give this or duration.'),
  })
  .superRefine((w, ctx) => {
    const open = w.until_closed === true;
    if (w.duration === undefined && !open) ctx.addIssue({ code: 'custom', message: 'give duration or until_closed: true', path: ['duration'] });
    if (w.duration !== undefined && open) ctx.addIssue({ code: 'custom', message: 'give duration or until_closed: true, not both', path: ['until_closed'] });
    if (w.duration !== undefined && w.duration <= 0) ctx.addIssue({ code: 'custom', message: 'must be longer than 0s', path: ['duration'] });
  })
  .describe('The window of telemetry the gate judges.');

export const baselineSpecSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('stable_version'),
      versions: z.array(z.string().min(1)).min(1).describe('service.version(s) of the stable deployment running beside the canary.'),
    }),
    z.strictObject({
      kind: z.literal('stable_selector'),
      attributes: z
        .record(z.string().min(1), z.string())
        .refine((a) => Object.keys(a).length > 0, 'give at least one attribute')
        .describe('Resource attributes that select the stable deployment instead of the canary (e.g. k8s.deployment.name: checkout-primary); they replace the scope\'s attributes of the same name.'),
    }),
    z.strictObject({ kind: z.literal('previous_window') }),
    z.strictObject({ kind: z.literal('previous_decision') }),
    z.strictObject({ kind: z.literal('none') }),
  ])
  .default({ kind: 'none' })
  .describe(
    'What relative and statistical rules compare against: the stable version over the same window (best: same traffic, same time), the stable deployment picked by resource attributes over the same window, the same scope over the window just before, the window of the last gate of the same scope that passed (from the gate store), or nothing.',
  );

const thresholdSchema = z
  .strictObject({
    max: z.number().optional().describe('The observed value must be at most this.'),
    min: z.number().optional().describe('The observed value must be at least this.'),
  })
  .refine((t) => t.max !== undefined || t.min !== undefined, 'give max, min or both')
  .refine((t) => t.max === undefined || t.min === undefined || t.min <= t.max, 'min must not be above max');

const relativeSchema = z
  .strictObject({
    max_increase_ratio: z.number().positive().optional().describe('The observed value may be at most baseline x this (1.5: up to 50% more).'),
    max_increase_delta: z.number().nonnegative().optional().describe('The observed value may be at most baseline + this, in the measure\'s unit.'),
  })
  .refine((r) => r.max_increase_ratio !== undefined || r.max_increase_delta !== undefined, 'give max_increase_ratio, max_increase_delta or both');

const ruleCommon = {
  name: z.string().min(1).describe('Unique name of the rule within the gate, shown in decisions.'),
  critical: z.boolean().default(false).describe('A failing critical rule fails the gate at once, even while the window is open.'),
  weight: z.number().positive().default(1).describe('Share of this rule in the score.'),
};

const confidence = (fallback: number) =>
  z.number().gt(0.5).lt(1).default(fallback).describe('One-sided confidence: the rule can fail only when the p-value is below 1 - confidence.');

export const measureRuleSchema = z
  .strictObject({
    ...ruleCommon,
    measure: z.enum(THRESHOLD_MEASURES).describe('error_ratio (0-1), latency_p50/p90/p95/p99 (ms), request_rate (spans per second), error_logs (count).'),
    threshold: thresholdSchema.optional().describe('Absolute limits.'),
    relative: relativeSchema.optional().describe('Limits relative to the baseline value.'),
  })
  .superRefine((r, ctx) => {
    if ((r.threshold === undefined) === (r.relative === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give threshold or relative (one of them)', path: [r.threshold === undefined ? 'threshold' : 'relative'] });
    }
  });

export const deviceEventsRuleSchema = z.strictObject({
  ...ruleCommon,
  measure: z.literal('device_events'),
  event: z.string().regex(EVENT_NAME, 'must be a dotted lower-case event name such as network.interface.down').describe('event.name to count.'),
  threshold: thresholdSchema.default({ max: 0 }).describe('Limits on the count of these events in scope; default none allowed.'),
});

export const chainsRuleSchema = z.strictObject({
  ...ruleCommon,
  measure: z.literal('chains'),
  event: z.string().regex(EVENT_NAME, 'must be a dotted lower-case event name such as network.interface.down').optional().describe('Count only chains opened by this event.name.'),
  threshold: thresholdSchema.default({ max: 0 }).describe('Limits on the count of correlated chains (device event followed by failures in scope); default none allowed.'),
});

export const mannWhitneyRuleSchema = z.strictObject({
  ...ruleCommon,
  measure: z.literal('mann_whitney'),
  confidence: confidence(0.98),
  effect_size_floor: z
    .number()
    .nonnegative()
    .default(0.25)
    .describe('The Hodges-Lehmann shift, relative to the baseline median, must exceed this for the rule to fail (0.25: 25% slower).'),
});

export const twoProportionRuleSchema = z.strictObject({
  ...ruleCommon,
  measure: z.literal('two_proportion'),
  confidence: confidence(0.95),
  min_difference: z.number().min(0).max(1).default(0.01).describe('The canary error ratio must exceed the baseline\'s by more than this for the rule to fail.'),
});

export const ruleSpecSchema = z.discriminatedUnion('measure', [
  measureRuleSchema,
  deviceEventsRuleSchema,
  chainsRuleSchema,
  mannWhitneyRuleSchema,
  twoProportionRuleSchema,
]);

/** Rules that mean nothing without a baseline. */
function needsBaseline(rule: RuleSpec): boolean {
  return rule.measure === 'mann_whitney' || rule.measure === 'two_proportion' || ('relative' in rule && rule.relative !== undefined);
}

export const gateSpecSchema = z
  .strictObject({
    id: z.string().regex(GATE_ID, 'must match [a-z0-9][a-z0-9._-]*').describe('The gate\'s name, unique among open gates.'),
    scope: gateScopeSchema,
    window: gateWindowSchema,
    interval: durationSchema.prefault('30s').describe('How often the gate is evaluated while its window is open.'),
    baseline: baselineSpecSchema,
    min_samples: z
      .number()
      .int()
      .positive()
      .default(50)
      .describe('Spans the current window (and the baseline) must hold before a rule on ratios, latency or statistics can pass or fail; Kayenta advises 50 data points.'),
    scoring: z
      .strictObject({
        pass: z.number().min(0).max(100).default(90).describe('A score at or above this passes.'),
        marginal: z.number().min(0).max(100).default(75).describe('A score at or above this (and below pass) is INCONCLUSIVE; below it fails.'),
      })
      .prefault({})
      .refine((s) => s.marginal <= s.pass, { message: 'marginal must not be above pass', path: ['marginal'] })
      .describe('Score thresholds (0-100) for a closed window.'),
    dry_run: z.boolean().default(false).describe('Evaluate and record the decision, but report PASS (RUNNING while open), to trial a gate on live rollouts.'),
    rules: z.array(ruleSpecSchema).min(1).describe('What is judged; see docs/gates.md for every kind.'),
  })
  .superRefine((spec, ctx) => {
    const seen = new Map<string, number>();
    spec.rules.forEach((rule, i) => {
      const first = seen.get(rule.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', message: `duplicate rule name "${rule.name}" (also rules[${first}])`, path: ['rules', i, 'name'] });
      else seen.set(rule.name, i);
      if (spec.baseline.kind === 'none' && needsBaseline(rule)) {
        ctx.addIssue({ code: 'custom', message: `rules[${i}] (${rule.name}) compares against a baseline: set baseline.kind to stable_version, stable_selector, previous_window or previous_decision`, path: ['baseline', 'kind'] });
      }
    });
  })
  .describe('A rollout gate: the telemetry it judges, the rules it applies and how it scores them.');

export type GateSpecDocument = z.input<typeof gateSpecSchema>;
type ParsedGateSpec = z.output<typeof gateSpecSchema>;
export type RuleSpec = z.output<typeof ruleSpecSchema>;
export type MeasureRuleSpec = z.output<typeof measureRuleSchema>;
export type DeviceEventsRuleSpec = z.output<typeof deviceEventsRuleSchema>;
export type ChainsRuleSpec = z.output<typeof chainsRuleSchema>;
export type MannWhitneyRuleSpec = z.output<typeof mannWhitneyRuleSchema>;
export type TwoProportionRuleSpec = z.output<typeof twoProportionRuleSchema>;
export type BaselineSpec = z.output<typeof baselineSpecSchema>;
export type GateScopeSpec = z.output<typeof gateScopeSchema>;

/** A parsed gate: the document with its window resolved to epoch milliseconds and durations in ms. */
export interface GateSpec extends Omit<ParsedGateSpec, 'window'> {
  readonly window: GateWindow;
}

/** A gate spec that does not validate; `issues` are `path: problem` lines, one per problem. */
export class GateSpecError extends CorrgateError {
  constructor(readonly issues: readonly string[]) {
    super(ERR_GATE_SPEC, `invalid gate spec:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'GateSpecError';
  }
}

// zod's default texts ("Invalid input: expected number, received string") are written for
// developers; a gate spec is written by whoever runs the rollout.
const issueText: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) return `expected one of ${issue.options.join(', ')}`;
  if (issue.code === 'invalid_value' && issue.values.length > 1) return `expected one of ${issue.values.join(', ')}`;
  if (issue.code === 'too_big' && (issue.origin === 'number' || issue.origin === 'int')) return `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
  if (issue.code === 'too_small') {
    if (issue.origin === 'number' || issue.origin === 'int') return `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    if (issue.origin === 'string') return 'must not be empty';
    if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`;
  }
  return undefined;
};

/** Validates a gate document and resolves it against `nowMs` (the time "now" in `window.start` means). */
export function parseGateSpec(input: unknown, nowMs: number): GateSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new GateSpecError(['expected an object with id, scope, window and rules']);
  // reportInput lets the issue formatter tell a missing key ("required") from a wrong value.
  const result = gateSpecSchema.safeParse(input, { error: issueText, reportInput: true });
  if (!result.success) throw new GateSpecError(formatZodIssues('', result.error));
  const { window: w, ...rest } = result.data;
  const startMs = w.start === 'now' ? nowMs : Date.parse(w.start);
  return { ...rest, window: { startMs, endMs: w.duration === undefined ? undefined : startMs + w.duration } };
}

const listed = (values: readonly string[] | undefined) => (values !== undefined && values.length > 0 ? [...values] : undefined);

/**
 * The spec's scope as the correlator's selector. Empty lists are dropped: to the selector an empty
 * `hosts` means "hosts, but none of them", which would silently stop selecting services.
 */
export function scopeSelectorOf(spec: Pick<GateSpec, 'scope'>): ScopeSelector {
  const s = spec.scope;
  const selector: ScopeSelector = {};
  const services = listed(s.services);
  const versions = listed(s.versions);
  const hosts = listed(s.hosts);
  const devices = listed(s.devices);
  if (services) selector.services = services;
  if (s.namespace !== undefined) selector.namespace = s.namespace;
  if (s.environment !== undefined) selector.environment = s.environment;
  if (versions) selector.versions = versions;
  if (hosts) selector.hosts = hosts;
  if (devices) selector.devices = devices;
  if (s.attributes !== undefined && Object.keys(s.attributes).length > 0) selector.attributes = { ...s.attributes };
  if (s.include_dependencies) selector.includeDependencies = true;
  if (s.include_dependents) selector.includeDependents = true;
  return selector;
}

/** The evidence query for a gate's baseline; its fields are those of the correlator's EvidenceQuery. */
export interface BaselineQuery {
  readonly kind: Exclude<BaselineSpec['kind'], 'none' | 'previous_decision'>;
  readonly scope: ScopeSelector;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * What to compare `window` (the span of the current window being evaluated) against: the stable
 * versions or the stable deployment over the same window, or the same scope over the equally long
 * window just before it. undefined when the gate has no baseline, or when its baseline comes from the
 * gate store rather than the correlator (previous_decision).
 */
export function baselineOf(spec: Pick<GateSpec, 'scope' | 'baseline'>, window: { readonly startMs: number; readonly endMs: number }): BaselineQuery | undefined {
  const scope = scopeSelectorOf(spec);
  switch (spec.baseline.kind) {
    case 'none':
    case 'previous_decision':
      return undefined;
    case 'stable_selector':
      return { kind: 'stable_selector', scope: { ...scope, attributes: { ...scope.attributes, ...spec.baseline.attributes } }, startMs: window.startMs, endMs: window.endMs };
    case 'stable_version':
      return { kind: 'stable_version', scope: { ...scope, versions: [...spec.baseline.versions] }, startMs: window.startMs, endMs: window.endMs };
    case 'previous_window': {
      const length = Math.max(0, window.endMs - window.startMs);
      return { kind: 'previous_window', scope, startMs: window.startMs - length, endMs: window.startMs };
    }
  }
}
