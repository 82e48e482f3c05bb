import type { Evidence, LatencySummary } from '../../correlator/correlator.js';

// What a passed gate leaves behind for the next rollout of the same scope to compare against (the
// `previous_decision` baseline, as Keptn compares with earlier evaluations): the window's measures and
// its latency sample, but none of the exemplars, chains or device events, which describe that window
// and mean nothing as a baseline. Kept with the final decision in the gate store, so it outlives the
// correlator's retention and a restart.

export interface EvidenceSnapshot {
  readonly window: { readonly startMs: number; readonly endMs: number; readonly buckets: number };
  readonly spans: Evidence['spans'];
  readonly latencyMs: LatencySummary;
  /** Milliseconds to the microsecond: the rank tests need order, not float noise. */
  readonly latencySamples: readonly number[];
  readonly logs: Evidence['logs'];
  readonly deviceEvents: { readonly byName: Readonly<Record<string, number>> };
}

const toMicros = (ms: number) => Math.round(ms * 1000) / 1000;

export function snapshotEvidence(evidence: Evidence): EvidenceSnapshot {
  return {
    window: { ...evidence.window },
    spans: { ...evidence.spans },
    latencyMs: { ...evidence.latencyMs },
    latencySamples: evidence.latencySamples.map(toMicros),
    logs: { bySeverity: { ...evidence.logs.bySeverity }, errors: evidence.logs.errors },
    deviceEvents: { byName: { ...evidence.deviceEvents.byName } },
  };
}

/** The snapshot as evidence the rules can read; what it did not keep is empty. */
export function evidenceFromSnapshot(snapshot: EvidenceSnapshot): Evidence {
  return {
    window: snapshot.window,
    scope: { resources: [] },
    spans: snapshot.spans,
    latencyMs: snapshot.latencyMs,
    latencySamples: snapshot.latencySamples,
    logs: snapshot.logs,
    deviceEvents: { byName: snapshot.deviceEvents.byName, samples: [] },
    exemplars: { errors: [], slow: [] },
    chains: [],
    watermarkMs: snapshot.window.endMs,
  };
}
