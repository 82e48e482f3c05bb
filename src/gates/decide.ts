import type { Evidence } from '../correlator/correlator.js';
import { decisionEvidence } from './decision-evidence.js';
import { baselineOf, scopeSelectorOf } from './gate-spec.js';
import type { GateSpec } from './gate-spec.js';
import type { GateDecision, GateDecisionKind, RuleResult } from './gate-types.js';
import { formatNumber } from './rules/rule-format.js';

// From rule results to a gate decision, in the order a cautious operator would reason:
// a critical rule that fails stops the rollout at once; until the window closes nothing else is
// final; a closed window with too little data is INCONCLUSIVE, never PASS (Kayenta scores a run with
// half its metrics missing as 0 for the same reason); otherwise the weighted share of passing rules
// is scored against the pass and marginal thresholds, as Keptn and Kayenta do.

export interface DecideContext {
  /** Whether the gate's window is still open (more evidence will come). */
  readonly windowOpen: boolean;
  readonly current: Evidence;
  readonly baseline: Evidence | undefined;
  /** The evaluation's sequence number within the gate (1, 2, ...). */
  readonly evaluation: number;
  readonly nowMs: number;
  /**
   * What the baseline was, when it did not come from a correlator query (previous_decision: the gate
   * store); without it the decision describes the query baselineOf makes.
   */
  readonly baselineDescription?: GateDecision['baseline'];
  /** Since when the correlator holds evidence (it keeps none across a restart); default: always. */
  readonly evidenceFromMs?: number;
}

export interface GateScore {
  /** 100 x passing weight / weight with data, to one decimal; undefined when no rule has data. */
  readonly score: number | undefined;
  readonly passWeight: number;
  readonly dataWeight: number;
  readonly nodataWeight: number;
  readonly totalWeight: number;
}

export function scoreOf(results: readonly RuleResult[]): GateScore {
  let passWeight = 0;
  let dataWeight = 0;
  let nodataWeight = 0;
  for (const r of results) {
    if (r.outcome === 'nodata') {
      nodataWeight += r.weight;
      continue;
    }
    dataWeight += r.weight;
    if (r.outcome === 'pass') passWeight += r.weight;
  }
  const score = dataWeight > 0 ? Math.round((1000 * passWeight) / dataWeight) / 10 : undefined;
  return { score, passWeight, dataWeight, nodataWeight, totalWeight: dataWeight + nodataWeight };
}

const names = (results: readonly RuleResult[]) => results.map((r) => `"${r.name}"`).join(', ');

interface Verdict {
  readonly decision: GateDecisionKind;
  readonly reason: string;
}

function verdict(spec: GateSpec, results: readonly RuleResult[], score: GateScore, ctx: DecideContext): Verdict {
  const criticalFailures = results.filter((r) => r.critical && r.outcome === 'fail');
  const first = criticalFailures[0];
  if (first !== undefined) {
    const others = criticalFailures.length > 1 ? ` (also failed: ${names(criticalFailures.slice(1))})` : '';
    return { decision: 'FAIL', reason: `Critical rule "${first.name}" failed: ${first.reason}${others}` };
  }
  const failed = results.filter((r) => r.outcome === 'fail');
  const nodata = results.filter((r) => r.outcome === 'nodata');
  const { pass, marginal } = spec.scoring;
  if (ctx.windowOpen) {
    if (score.score === undefined) return { decision: 'RUNNING', reason: 'Window open; no rule has enough data yet.' };
    const failing = failed.length > 0 ? `; failing so far: ${names(failed)}` : '';
    return { decision: 'RUNNING', reason: `Window open; score ${formatNumber(score.score)} so far (pass at ${formatNumber(pass)})${failing}.` };
  }
  const spans = ctx.current.spans.count;
  if (spans < spec.min_samples) {
    return { decision: 'INCONCLUSIVE', reason: `Only ${spans} spans in the window, fewer than min_samples ${spec.min_samples}: too little data to pass.` };
  }
  if (score.score === undefined || 2 * score.nodataWeight >= score.totalWeight) {
    return {
      decision: 'INCONCLUSIVE',
      reason: `Rules without data: ${names(nodata)} (weight ${formatNumber(score.nodataWeight)} of ${formatNumber(score.totalWeight)}, half or more): too little data to decide.`,
    };
  }
  const s = score.score;
  const failedText = failed.length > 0 ? `; failed: ${failed.map((r) => `"${r.name}" (${r.reason.replace(/\.$/, '')})`).join('; ')}` : '';
  const withoutData = nodata.length > 0 ? `; without data: ${names(nodata)}` : '';
  const raw = (100 * score.passWeight) / score.dataWeight;
  if (raw >= pass) return { decision: 'PASS', reason: `Score ${formatNumber(s)} >= pass ${formatNumber(pass)}${failedText}${withoutData}.` };
  if (raw >= marginal) {
    return { decision: 'INCONCLUSIVE', reason: `Score ${formatNumber(s)} is marginal (>= ${formatNumber(marginal)}, < pass ${formatNumber(pass)})${failedText}${withoutData}.` };
  }
  return { decision: 'FAIL', reason: `Score ${formatNumber(s)} < marginal ${formatNumber(marginal)}${failedText}${withoutData}.` };
}

/**
 * A window that began before the correlator's evidence did (corrgate started or restarted inside
 * it) is only partly seen: whatever failed in the unseen part cannot count against the rollout, so
 * such a window can fail or stay inconclusive, but never pass.
 */
function unseenPart(spec: GateSpec, ctx: DecideContext): string | undefined {
  const from = ctx.evidenceFromMs;
  if (from === undefined || from <= spec.window.startMs) return undefined;
  const end = Math.max(ctx.current.window.endMs, from);
  const seen = end > spec.window.startMs ? (end - from) / (end - spec.window.startMs) : 0;
  return `corrgate holds evidence only from ${new Date(from).toISOString()}, after the window began at ${new Date(spec.window.startMs).toISOString()} (it started or restarted during the window; ${formatNumber(Math.round(seen * 1000) / 10)}% of the window was seen)`;
}

function withCoverage(v: Verdict, unseen: string | undefined, windowOpen: boolean): Verdict {
  if (unseen === undefined || windowOpen || v.decision !== 'PASS') return v;
  return { decision: 'INCONCLUSIVE', reason: `Would pass (${v.reason.replace(/\.$/, '')}), but ${unseen}: a partly seen window cannot pass.` };
}

/** The gate's decision for one evaluation; pure: everything it needs is in its arguments. */
export function decide(spec: GateSpec, results: readonly RuleResult[], ctx: DecideContext): GateDecision {
  const score = scoreOf(results);
  const unseen = unseenPart(spec, ctx);
  const { decision, reason } = withCoverage(verdict(spec, results, score, ctx), unseen, ctx.windowOpen);
  // A dry run never stops a rollout, so it also never stops early: it keeps recording until the
  // window closes, and what it reports is what a gate that always agrees would report.
  const reported: GateDecisionKind = spec.dry_run ? (ctx.windowOpen ? 'RUNNING' : 'PASS') : decision;
  const final = spec.dry_run ? !ctx.windowOpen : !ctx.windowOpen || decision === 'FAIL';
  const query = baselineOf(spec, { startMs: ctx.current.window.startMs, endMs: ctx.current.window.endMs });
  const baseline: GateDecision['baseline'] =
    ctx.baselineDescription ??
    (query === undefined
      ? { kind: 'none', window: undefined, scope: undefined }
      : {
          kind: query.kind,
          window: ctx.baseline !== undefined ? { startMs: ctx.baseline.window.startMs, endMs: ctx.baseline.window.endMs } : { startMs: query.startMs, endMs: query.endMs },
          scope: query.scope,
        });
  return {
    gateId: spec.id,
    evaluation: ctx.evaluation,
    decision,
    reported,
    score: score.score,
    final,
    reason,
    window: spec.window,
    baseline,
    scope: scopeSelectorOf(spec),
    rules: results,
    evidence: decisionEvidence(ctx.current),
    evaluatedAtMs: ctx.nowMs,
    dryRun: spec.dry_run,
    ...(unseen !== undefined ? { evidenceFromMs: ctx.evidenceFromMs } : {}),
  };
}
