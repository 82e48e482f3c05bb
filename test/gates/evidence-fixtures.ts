import type { DeviceEventRecord } from '../../src/correlator/bucket-aggregate.js';
import type { ChainView, Evidence, ExemplarView } from '../../src/correlator/correlator.js';

// Evidence is a plain object, so gate tests build it by hand: counts and samples chosen to hit
// exact values, and seeded generators for the statistical rules so every run sees the same data.

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` log-normal latencies (ms) with the given median and log-scale spread, from `seed`. */
export function lognormalLatencies(n: number, medianMs: number, sigma: number, seed: number): number[] {
  const random = seededRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // Box-Muller; 1 - u keeps the logarithm away from 0.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out.push(Math.round(medianMs * Math.exp(sigma * z) * 1000) / 1000);
  }
  return out;
}

/** Errors among `n` requests that each fail with probability `ratio`, from `seed`. */
export function bernoulliErrors(n: number, ratio: number, seed: number): number {
  const random = seededRandom(seed);
  let errors = 0;
  for (let i = 0; i < n; i++) if (random() < ratio) errors++;
  return errors;
}

function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface EvidenceInput {
  readonly spans?: number;
  readonly errors?: number;
  readonly latencySamples?: readonly number[];
  /** Overrides the quantiles computed from latencySamples. */
  readonly latency?: Partial<Pick<Evidence['latencyMs'], 'p50' | 'p90' | 'p95' | 'p99'>>;
  readonly startMs?: number;
  readonly windowMs?: number;
  readonly errorLogs?: number;
  readonly deviceEvents?: readonly DeviceEventRecord[];
  readonly chains?: readonly ChainView[];
  readonly errorExemplars?: readonly ExemplarView[];
  readonly slowExemplars?: readonly ExemplarView[];
}

export const T0 = Date.parse('2026-11-25T10:00:00Z');

/** Evidence with `spans` spans (default: one per latency sample) over a 10-minute window from T0. */
export function evidence(input: EvidenceInput = {}): Evidence {
  const samples = input.latencySamples ?? [];
  const count = input.spans ?? samples.length;
  const errors = input.errors ?? 0;
  const startMs = input.startMs ?? T0;
  const windowMs = input.windowMs ?? 600_000;
  const sorted = [...samples].sort((a, b) => a - b);
  const deviceEvents = input.deviceEvents ?? [];
  const byName: Record<string, number> = {};
  for (const e of deviceEvents) byName[e.eventName] = (byName[e.eventName] ?? 0) + 1;
  return {
    window: { startMs, endMs: startMs + windowMs, buckets: Math.ceil(windowMs / 10_000) },
    scope: { resources: [{ id: 1, key: 'service|shop|checkout|2.1.0|prod', kind: 'service', viaTopology: false }] },
    spans: { count, errors, errorRatio: count > 0 ? errors / count : undefined, ratePerSecond: count / (windowMs / 1000) },
    latencyMs: {
      count: sorted.length,
      mean: sorted.length > 0 ? sorted.reduce((a, b) => a + b, 0) / sorted.length : undefined,
      min: sorted[0],
      max: sorted[sorted.length - 1],
      p50: input.latency?.p50 ?? quantile(sorted, 0.5),
      p90: input.latency?.p90 ?? quantile(sorted, 0.9),
      p95: input.latency?.p95 ?? quantile(sorted, 0.95),
      p99: input.latency?.p99 ?? quantile(sorted, 0.99),
      relativeAccuracy: 0.01,
    },
    latencySamples: samples,
    logs: { bySeverity: { ERROR: input.errorLogs ?? 0, FATAL: 0, INFO: 0 }, errors: input.errorLogs ?? 0 },
    deviceEvents: { byName, samples: deviceEvents },
    exemplars: { errors: input.errorExemplars ?? [], slow: input.slowExemplars ?? [] },
    chains: input.chains ?? [],
    watermarkMs: startMs + windowMs,
  };
}

export function deviceEvent(eventName: string, timeMs: number, interfaceName?: string): DeviceEventRecord {
  return { resourceId: 9, timeMs, eventName, interfaceName, attributes: interfaceName ? { 'network.interface.name': interfaceName } : {}, body: `${eventName} ${interfaceName ?? ''}`.trim() };
}

export function chain(id: number, eventName: string, failureCount: number, timeMs: number): ChainView {
  return {
    id,
    device: 'edge-sw-1',
    event: deviceEvent(eventName, timeMs, 'GigabitEthernet0/1'),
    affectedServices: ['checkout@2.1.0'],
    failingServices: ['checkout@2.1.0'],
    failureCount,
    traceIds: ['5b8efff798038103d269b633813fc60c'],
    errorLogs: [{ service: 'checkout@2.1.0', timeMs: timeMs + 1_000, body: 'payment backend unreachable', traceId: '5b8efff798038103d269b633813fc60c' }],
    windowStartMs: timeMs,
    windowEndMs: timeMs + 300_000,
  };
}

export function exemplar(traceIdHex: string, timeMs: number, durationMs: number, errorLogBodies: readonly string[] = []): ExemplarView {
  return {
    traceIdHex,
    timeMs,
    durationMs,
    trace: {
      traceId: traceIdHex,
      services: ['checkout@2.1.0'],
      rootService: 'checkout@2.1.0',
      rootSpanId: undefined,
      durationMs,
      spanCount: 3,
      errorSpanCount: errorLogBodies.length > 0 ? 1 : 0,
      errorLogs: errorLogBodies.map((body, i) => ({ service: 'checkout@2.1.0', timeMs: timeMs + i, severityNumber: 17, body, spanId: `00f067aa0ba902b${i}` })),
    },
  };
}
