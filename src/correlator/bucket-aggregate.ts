import { LatencySketch } from './latency-sketch.js';
import { SampleReservoir } from './sample-reservoir.js';

// What corrgate keeps per resource and event-time bucket. Everything here merges (counts add, sketches
// merge exactly, reservoirs and exemplar lists merge into bounded samples), so a window over any scope
// is the merge of its buckets and costs the same for a baseline as for the current window.

/** Severity classes of the log data model, in SeverityNumber order; index 0 is "unspecified". */
export const SEVERITY_CLASSES = ['UNSPECIFIED', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type SeverityClassName = (typeof SEVERITY_CLASSES)[number];

export function severityClassIndex(severityNumber: number): number {
  return severityNumber >= 1 && severityNumber <= 24 ? 1 + Math.floor((severityNumber - 1) / 4) : 0;
}

export interface Exemplar {
  readonly traceIdHex: string;
  readonly timeMs: number;
  readonly durationMs: number;
}

export interface DeviceEventRecord {
  readonly resourceId: number;
  readonly timeMs: number;
  readonly eventName: string;
  readonly interfaceName: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface AggregateLimits {
  readonly reservoirSize: number;
  readonly exemplars: number;
  readonly deviceEventSamples: number;
}

export class BucketAggregate {
  spanCount = 0;
  errorSpanCount = 0;
  readonly latency = new LatencySketch();
  readonly reservoir: SampleReservoir;
  readonly logCounts = new Uint32Array(SEVERITY_CLASSES.length);
  readonly deviceEventCounts = new Map<string, number>();
  /** Error spans' traces: the first few of the bucket (a bounded sample). */
  readonly errorExemplars: Exemplar[] = [];
  /** The slowest spans' traces, kept sorted slowest first. */
  readonly slowExemplars: Exemplar[] = [];
  readonly deviceEvents: DeviceEventRecord[] = [];
  /** Where the store keeps this bucket, its place in the resource's bucket order (set by the store). */
  seq = 0;
  /** Changes so far (records added, aggregates merged in): what a cached merge of it checks against. */
  mutations = 0;

  constructor(private readonly limits: AggregateLimits) {
    this.reservoir = new SampleReservoir(limits.reservoirSize);
  }

  addSpan(durationMs: number, isError: boolean, traceIdHex: () => string, timeMs: number): void {
    this.mutations++;
    this.spanCount++;
    this.latency.add(durationMs);
    this.reservoir.add(durationMs);
    if (isError) {
      this.errorSpanCount++;
      if (this.errorExemplars.length < this.limits.exemplars) this.errorExemplars.push({ traceIdHex: traceIdHex(), timeMs, durationMs });
    }
    const slow = this.slowExemplars;
    if (slow.length < this.limits.exemplars || durationMs > slow[slow.length - 1]!.durationMs) {
      insertSlowest(slow, { traceIdHex: traceIdHex(), timeMs, durationMs }, this.limits.exemplars);
    }
  }

  addLog(severityNumber: number): void {
    this.mutations++;
    this.logCounts[severityClassIndex(severityNumber)]!++;
  }

  addDeviceEvent(event: DeviceEventRecord): void {
    this.mutations++;
    this.deviceEventCounts.set(event.eventName, (this.deviceEventCounts.get(event.eventName) ?? 0) + 1);
    if (this.deviceEvents.length < this.limits.deviceEventSamples) this.deviceEvents.push(event);
  }

  /** Adds `other` into this aggregate (used on a fresh aggregate when answering a window). */
  merge(other: BucketAggregate): void {
    this.mutations++;
    this.spanCount += other.spanCount;
    this.errorSpanCount += other.errorSpanCount;
    this.latency.merge(other.latency);
    for (let i = 0; i < this.logCounts.length; i++) this.logCounts[i]! += other.logCounts[i]!;
    for (const [name, n] of other.deviceEventCounts) this.deviceEventCounts.set(name, (this.deviceEventCounts.get(name) ?? 0) + n);
    for (const e of other.errorExemplars) if (this.errorExemplars.length < this.limits.exemplars) this.errorExemplars.push(e);
    for (const e of other.slowExemplars) insertSlowest(this.slowExemplars, e, this.limits.exemplars);
    for (const e of other.deviceEvents) if (this.deviceEvents.length < this.limits.deviceEventSamples) this.deviceEvents.push(e);
  }

  /** Rough bytes held, for the memory accounting the correlator reports. */
  get byteSize(): number {
    return 200 + this.latency.byteSize + this.reservoir.values.length * 8 + (this.errorExemplars.length + this.slowExemplars.length) * 96 + this.deviceEvents.length * 300;
  }
}

function insertSlowest(list: Exemplar[], e: Exemplar, max: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.durationMs < e.durationMs) i--;
  if (i >= max) return;
  list.splice(i, 0, e);
  if (list.length > max) list.pop();
}
