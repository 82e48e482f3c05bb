import type { ChainView, Evidence, ExemplarView } from '../correlator/correlator.js';
import type { DecisionEvidence } from './gate-types.js';

// A decision carries the evidence a person needs to act on it without opening another tool: a few
// failing and slow traces, the device events in scope, the chains that tie a device event to
// failures, and the error logs those traces wrote. All of it is bounded, because decisions are
// exported as spans and events and shown in deploy tools.

export interface EvidenceLimits {
  readonly traces: number;
  readonly deviceEvents: number;
  readonly chains: number;
  readonly errorLogs: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { traces: 5, deviceEvents: 20, chains: 5, errorLogs: 20 };

type ErrorLogEvidence = DecisionEvidence['errorLogs'][number];

function errorLogsOf(traces: readonly ExemplarView[]): ErrorLogEvidence[] {
  const seen = new Set<string>();
  const logs: ErrorLogEvidence[] = [];
  for (const exemplar of traces) {
    const trace = exemplar.trace;
    // An exemplar whose trace was evicted from the index has only its ID left; its logs are gone.
    if (trace === undefined) continue;
    for (const log of trace.errorLogs) {
      const key = `${trace.traceId}|${log.spanId}|${log.timeMs}|${log.body}`;
      if (seen.has(key)) continue;
      seen.add(key);
      logs.push({ traceId: trace.traceId, service: log.service, body: log.body, timeMs: log.timeMs });
    }
  }
  return logs.sort((a, b) => a.timeMs - b.timeMs);
}

// Chains with the most failures explain the most; ties go to the earliest device event.
const byImpact = (a: ChainView, b: ChainView) => b.failureCount - a.failureCount || a.event.timeMs - b.event.timeMs;

/** The evidence behind a decision on `current`, bounded by `limits`. */
export function decisionEvidence(current: Evidence, limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS): DecisionEvidence {
  const errorTraces = current.exemplars.errors.slice(0, limits.traces);
  const slowTraces = [...current.exemplars.slow].sort((a, b) => b.durationMs - a.durationMs).slice(0, limits.traces);
  const deviceEvents = [...current.deviceEvents.samples].sort((a, b) => a.timeMs - b.timeMs).slice(0, limits.deviceEvents);
  const chains = [...current.chains].sort(byImpact).slice(0, limits.chains);
  const errorLogs = errorLogsOf([...errorTraces, ...slowTraces]).slice(0, limits.errorLogs);
  return { errorTraces, slowTraces, deviceEvents, chains, errorLogs };
}
