import type { Evidence } from '../../correlator/correlator.js';
import type { ThresholdMeasure } from '../gate-spec.js';

// Where each measure lives in the correlator's Evidence, and whether it needs min_samples spans to
// mean anything. A ratio or a quantile over five spans is noise; a request rate or an error log count
// is a fact about the window however little traffic there was (a canary that gets no traffic should
// fail a minimum request rate, not be excused for lack of data).

export interface MeasureValue {
  readonly value: number | undefined;
  /** The spans the value was computed from, shown as the rule's sample count. */
  readonly samples: number;
  /** Whether min_samples spans are needed before the value can pass or fail. */
  readonly needsSamples: boolean;
}

export function measureValue(measure: ThresholdMeasure, evidence: Evidence): MeasureValue {
  const samples = evidence.spans.count;
  switch (measure) {
    case 'error_ratio':
      return { value: evidence.spans.errorRatio, samples, needsSamples: true };
    case 'latency_p50':
      return { value: evidence.latencyMs.p50, samples, needsSamples: true };
    case 'latency_p90':
      return { value: evidence.latencyMs.p90, samples, needsSamples: true };
    case 'latency_p95':
      return { value: evidence.latencyMs.p95, samples, needsSamples: true };
    case 'latency_p99':
      return { value: evidence.latencyMs.p99, samples, needsSamples: true };
    case 'request_rate':
      return { value: evidence.spans.ratePerSecond, samples, needsSamples: false };
    case 'error_logs':
      return { value: evidence.logs.errors, samples, needsSamples: false };
  }
}

/** The unit a measure's numbers are in, for reasons. */
export function measureUnit(measure: ThresholdMeasure): string {
  if (measure.startsWith('latency_')) return ' ms';
  if (measure === 'request_rate') return '/s';
  return '';
}
