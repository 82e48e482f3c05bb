import { rfc3339 } from '../gates/export/decision-span.js';
import type { GateSpec } from '../gates/gate-spec.js';
import type { GateDecision, GateDecisionKind } from '../gates/gate-types.js';
import type { GateSource, StoredEvaluation, StoredGateStatus } from '../gates/store/gate-store.js';

// What the control API answers about a gate, whether the runner holds it in memory or the store
// holds it on disk: one shape for both, with times as RFC 3339 and the decision as recorded.

/** The fields a live gate (GateState) and a stored one (StoredGate) share. */
export interface GateRecord {
  readonly spec: GateSpec;
  readonly document: unknown;
  readonly source: GateSource;
  readonly run: number;
  readonly status: StoredGateStatus;
  readonly openedAtMs: number;
  readonly endedAtMs: number | undefined;
  readonly traceId: string;
  readonly evaluations: number;
  readonly latest: GateDecision | undefined;
  readonly final: GateDecision | undefined;
}

export interface GateSummary {
  readonly id: string;
  readonly run: number;
  readonly status: StoredGateStatus;
  readonly source: GateSource;
  readonly opened_at: string | undefined;
  readonly ended_at: string | undefined;
  readonly window: { readonly start: string | undefined; readonly end: string | undefined };
  readonly evaluations: number;
  /** The latest decision as reported (a dry run reports PASS); RUNNING before the first evaluation. */
  readonly decision: GateDecisionKind;
  readonly score: number | undefined;
  readonly reason: string | undefined;
  readonly trace_id: string;
}

export interface GateDetail extends GateSummary {
  readonly spec: GateSpec;
  readonly document: unknown;
  readonly latest: GateDecision | undefined;
  readonly final: GateDecision | undefined;
}

export function gateSummary(g: GateRecord): GateSummary {
  const current = g.final ?? g.latest;
  return {
    id: g.spec.id,
    run: g.run,
    status: g.status,
    source: g.source,
    opened_at: rfc3339(g.openedAtMs),
    ended_at: rfc3339(g.endedAtMs),
    window: { start: rfc3339(g.spec.window.startMs), end: rfc3339(g.spec.window.endMs) },
    evaluations: g.evaluations,
    decision: current?.reported ?? 'RUNNING',
    score: current?.score,
    reason: current?.reason ?? (g.status === 'aborted' ? 'aborted before any evaluation' : undefined),
    trace_id: g.traceId,
  };
}

export function gateDetail(g: GateRecord): GateDetail {
  return { ...gateSummary(g), spec: g.spec, document: g.document, latest: g.latest, final: g.final };
}

export interface DecisionSummary {
  readonly gate: string;
  readonly run: number;
  readonly evaluation: number;
  readonly evaluated_at: string | undefined;
  readonly decision: GateDecisionKind;
  readonly reported: GateDecisionKind;
  readonly score: number | undefined;
  readonly final: boolean;
  readonly reason: string;
}

export function decisionSummary(run: number, d: GateDecision): DecisionSummary {
  return {
    gate: d.gateId,
    run,
    evaluation: d.evaluation,
    evaluated_at: rfc3339(d.evaluatedAtMs),
    decision: d.decision,
    reported: d.reported,
    score: d.score,
    final: d.final,
    reason: d.reason,
  };
}

export function storedDecisionSummary(e: StoredEvaluation): DecisionSummary {
  return decisionSummary(e.run, e.body);
}

/** JSON text for the API: numbers JSON cannot write (an unbounded limit, a p-value of NaN) become null. */
export function toApiJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}
