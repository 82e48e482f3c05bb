import type { ExemplarView } from '../../../src/correlator/correlator.js';
import type { GateDecision, RuleResult } from '../../../src/gates/gate-types.js';

// Decisions built by hand, as the gate runner would hand them over: a checkout canary that is still
// running after its first evaluation and fails on its second, with the evidence behind the failure.

export const GATE_ID = 'checkout-canary';
export const WINDOW_START_MS = Date.UTC(2025, 10, 25, 6, 0, 0);
export const WINDOW_END_MS = Date.UTC(2025, 10, 25, 6, 10, 0);
export const BASELINE_START_MS = Date.UTC(2025, 10, 25, 5, 50, 0);
export const SCOPE = { services: ['checkout'], versions: ['2.4.1'], devices: ['edge-sw-1'] };

/** Error exemplar whose error log names its span: linked. */
export const ERROR_TRACE_1 = '4bf92f3577b34da6a3ce929d0e0e4736';
export const ERROR_SPAN_1 = '00f067aa0ba902b7';
/** Error exemplar that is also a chain trace: linked once, with the chain id. */
export const ERROR_TRACE_2 = '5b8efff798038103d269b633813fc60c';
export const ERROR_SPAN_2 = 'eee19b7ec3c1b174';
/** Slow exemplar without a trace view: no span id, so no link; its id stays on the event. */
export const SLOW_TRACE = '0af7651916cd43dd8448eb211c80319c';
/** Chain trace with no known span: no link. */
export const CHAIN_ONLY_TRACE = 'a3ce929d0e0e47364bf92f3577b34da6';

export const errorExemplar1: ExemplarView = {
  traceIdHex: ERROR_TRACE_1,
  timeMs: WINDOW_START_MS + 61_000,
  durationMs: 812,
  trace: {
    traceId: ERROR_TRACE_1,
    services: ['checkout', 'payments'],
    rootService: 'checkout',
    rootSpanId: undefined,
    durationMs: 812,
    spanCount: 9,
    errorSpanCount: 2,
    errorLogs: [{ service: 'payments', timeMs: WINDOW_START_MS + 61_500, severityNumber: 17, body: 'payment backend unavailable: connect ECONNREFUSED 10.0.3.7:8443', spanId: ERROR_SPAN_1 }],
  },
};

export const errorExemplar2: ExemplarView = {
  traceIdHex: ERROR_TRACE_2,
  timeMs: WINDOW_START_MS + 124_000,
  durationMs: 1503,
  trace: {
    traceId: ERROR_TRACE_2,
    services: ['checkout'],
    rootService: 'checkout',
    rootSpanId: undefined,
    durationMs: 1503,
    spanCount: 4,
    errorSpanCount: 1,
    errorLogs: [{ service: 'checkout', timeMs: WINDOW_START_MS + 125_000, severityNumber: 17, body: 'x'.repeat(400), spanId: ERROR_SPAN_2 }],
  },
};

export const slowExemplar: ExemplarView = { traceIdHex: SLOW_TRACE, timeMs: WINDOW_START_MS + 200_000, durationMs: 4210, trace: undefined };

const linkDown = {
  resourceId: 12,
  timeMs: WINDOW_START_MS + 60_000,
  eventName: 'network.interface.down',
  interfaceName: 'GigabitEthernet0/1',
  attributes: { 'network.interface.name': 'GigabitEthernet0/1', 'syslog.mnemonic': 'UPDOWN' },
  body: '%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down',
};

export const errorRatioRule: RuleResult = {
  name: 'error-ratio',
  outcome: 'fail',
  critical: true,
  weight: 2,
  measure: 'error_ratio',
  observed: 0.083,
  baseline: 0.004,
  threshold: '<= 0.05',
  samples: { current: 1200, baseline: 5400 },
  reason: 'error ratio 8.3% is above the limit of 5%',
};

export const latencyRule: RuleResult = {
  name: 'latency-shift',
  outcome: 'pass',
  critical: false,
  weight: 1,
  measure: 'mann_whitney',
  observed: 212.5,
  baseline: 198.1,
  threshold: 'shift <= 10% of baseline median',
  samples: { current: 950, baseline: 4000 },
  statistic: { name: 'mann_whitney_u', value: 1843210, pValue: 0.031, effectSize: 0.073 },
  reason: 'latency shifted by 7.3%, within 10%',
};

export const saturationRule: RuleResult = {
  name: 'cpu-saturation',
  outcome: 'nodata',
  critical: false,
  weight: 1,
  measure: 'cpu_utilization',
  observed: undefined,
  baseline: undefined,
  threshold: '<= 0.9',
  samples: { current: 0, baseline: undefined },
  reason: 'no cpu samples in the window',
};

const base = {
  gateId: GATE_ID,
  window: { startMs: WINDOW_START_MS, endMs: WINDOW_END_MS },
  baseline: { kind: 'previous_window' as const, window: { startMs: BASELINE_START_MS, endMs: WINDOW_START_MS }, scope: undefined },
  scope: SCOPE,
  dryRun: false,
};

export const runningDecision: GateDecision = {
  ...base,
  evaluation: 1,
  decision: 'RUNNING',
  reported: 'RUNNING',
  score: 0.92,
  final: false,
  reason: 'all rules pass so far; the window is still open',
  rules: [{ ...errorRatioRule, outcome: 'pass', observed: 0.01, reason: 'error ratio 1% is within 5%' }],
  evidence: { errorTraces: [], slowTraces: [], deviceEvents: [], chains: [], errorLogs: [] },
  evaluatedAtMs: WINDOW_START_MS + 30_000,
};

export const failDecision: GateDecision = {
  ...base,
  evaluation: 2,
  decision: 'FAIL',
  reported: 'FAIL',
  score: 0.31,
  final: true,
  reason: 'critical rule error-ratio failed: error ratio 8.3% is above the limit of 5%',
  rules: [errorRatioRule, latencyRule, saturationRule],
  evidence: {
    errorTraces: [errorExemplar1, errorExemplar2],
    slowTraces: [slowExemplar],
    deviceEvents: [linkDown],
    chains: [
      {
        id: 7,
        device: 'edge-sw-1',
        event: linkDown,
        affectedServices: ['checkout'],
        failingServices: ['checkout', 'payments'],
        failureCount: 14,
        traceIds: [ERROR_TRACE_2, CHAIN_ONLY_TRACE],
        errorLogs: [{ service: 'checkout', timeMs: WINDOW_START_MS + 125_000, body: 'upstream connect error', traceId: ERROR_TRACE_2 }],
        windowStartMs: WINDOW_START_MS + 60_000,
        windowEndMs: WINDOW_START_MS + 360_000,
      },
    ],
    errorLogs: [{ traceId: ERROR_TRACE_1, service: 'payments', body: 'payment backend unavailable: connect ECONNREFUSED 10.0.3.7:8443', timeMs: WINDOW_START_MS + 61_500 }],
  },
  evaluatedAtMs: WINDOW_START_MS + 90_000,
};
