import type { DeviceEventRecord } from '../correlator/bucket-aggregate.js';
import type { ChainView, ExemplarView } from '../correlator/correlator.js';
import type { ScopeSelector } from '../correlator/scope-selector.js';

// The shapes every part of a gate shares: the spec a deploy tool opens, what each rule concluded,
// and the decision with the evidence behind it. Rules and decisions are pure functions of evidence
// (src/gates/rules/, decide.ts); scheduling and export live apart (gate-runner, decision export).

export type RuleOutcomeKind = 'pass' | 'fail' | 'nodata';
export type GateDecisionKind = 'RUNNING' | 'PASS' | 'FAIL' | 'INCONCLUSIVE';

export type BaselineKind = 'none' | 'previous_window' | 'previous_decision' | 'stable_version' | 'stable_selector';

export interface GateWindow {
  readonly startMs: number;
  /** undefined: open until the gate is closed. */
  readonly endMs: number | undefined;
}

/** A statistic computed by a rule: its name, value, and p-value when it is a test. */
export interface RuleStatistic {
  readonly name: string;
  readonly value: number;
  readonly pValue?: number;
  /** Effect size the rule compared against its floor (e.g. the Hodges-Lehmann shift relative to the baseline median). */
  readonly effectSize?: number;
}

export interface RuleResult {
  readonly name: string;
  readonly outcome: RuleOutcomeKind;
  readonly critical: boolean;
  readonly weight: number;
  /** The measure, e.g. "error_ratio", "latency_p99", "mann_whitney". */
  readonly measure: string;
  readonly observed: number | undefined;
  readonly baseline: number | undefined;
  /** The limit applied (absolute, or derived from the baseline), as a human-readable rule ("<= 0.05"). */
  readonly threshold: string;
  readonly samples: { readonly current: number; readonly baseline: number | undefined };
  readonly statistic?: RuleStatistic;
  /** One sentence: why this outcome. */
  readonly reason: string;
}

export interface DecisionEvidence {
  readonly errorTraces: readonly ExemplarView[];
  readonly slowTraces: readonly ExemplarView[];
  readonly deviceEvents: readonly DeviceEventRecord[];
  readonly chains: readonly ChainView[];
  readonly errorLogs: readonly { readonly traceId: string; readonly service: string | undefined; readonly body: string; readonly timeMs: number }[];
}

export interface GateDecision {
  readonly gateId: string;
  readonly evaluation: number;
  readonly decision: GateDecisionKind;
  /** What a dry-run gate reports (its `decision` is recorded, but PASS is reported). */
  readonly reported: GateDecisionKind;
  readonly score: number | undefined;
  readonly final: boolean;
  readonly reason: string;
  readonly window: GateWindow;
  readonly baseline: {
    readonly kind: BaselineKind;
    readonly window: GateWindow | undefined;
    readonly scope: ScopeSelector | undefined;
    /** previous_decision: the gate whose passed window is the baseline (none found: undefined). */
    readonly from?: { readonly gateId: string; readonly run: number; readonly decidedAtMs: number };
  };
  readonly scope: ScopeSelector;
  readonly rules: readonly RuleResult[];
  readonly evidence: DecisionEvidence;
  readonly evaluatedAtMs: number;
  readonly dryRun: boolean;
  /**
   * Set when the correlator holds evidence only from this time on, later than the window's start (it
   * started, or restarted, during the window): what came before was not seen, so the gate cannot pass.
   */
  readonly evidenceFromMs?: number;
}
