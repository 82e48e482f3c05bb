import { BucketAggregate } from './bucket-aggregate.js';
import type { AggregateLimits, DeviceEventRecord } from './bucket-aggregate.js';
import { SampleReservoir } from './sample-reservoir.js';

export interface EvidenceStoreOptions extends AggregateLimits {
  /** Width of an event-time bucket. */
  readonly bucketWidthMs: number;
  /** Buckets older than the watermark by more than this are dropped. */
  readonly retentionMs: number;
  /** Data older than the watermark by at most this still updates its bucket; older data is counted and dropped. */
  readonly allowedLatenessMs: number;
  /** Clocks may disagree by this much: event times up to this far past the receive clock are accepted as is. */
  readonly clockSkewToleranceMs: number;
  /** At most this many buckets in all (resources x buckets); the oldest are shed first, counted. */
  readonly maxBuckets: number;
}

export interface WindowQuery {
  readonly resourceIds: Iterable<number>;
  readonly startMs: number;
  readonly endMs: number;
}

export type Admission = 'accepted' | 'late';

/**
 * Per resource, per event-time bucket aggregates, with a watermark. The watermark follows the newest
 * event time seen, but never runs ahead of the receive clock by more than the skew tolerance: one
 * device with a clock a day fast must not make everyone else's data "late".
 */
export class EvidenceStore {
  private readonly byResource = new Map<number, Map<number, BucketAggregate>>();
  private bucketCount = 0;
  /** Buckets in creation order (resource id, bucket start), so shedding the oldest is O(1) amortised. */
  private creationOrder: number[] = [];
  private creationHead = 0;
  private maxEventMs = -Infinity;
  /** Counters for metrics: records too late to count, buckets shed by retention or by the bucket limit. */
  lateDropped = 0;
  bucketsExpired = 0;
  bucketsShed = 0;

  constructor(
    readonly options: EvidenceStoreOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get watermarkMs(): number {
    return this.maxEventMs;
  }

  get size(): { resources: number; buckets: number } {
    return { resources: this.byResource.size, buckets: this.bucketCount };
  }

  bucketStart(timeMs: number): number {
    return Math.floor(timeMs / this.options.bucketWidthMs) * this.options.bucketWidthMs;
  }

  /** The bucket for an event at timeMs, or undefined when it is too late (counted). */
  private bucketFor(resourceId: number, timeMs: number): BucketAggregate | undefined {
    const ceiling = this.now() + this.options.clockSkewToleranceMs;
    if (timeMs > this.maxEventMs) this.maxEventMs = Math.min(timeMs, ceiling);
    if (timeMs < this.maxEventMs - this.options.allowedLatenessMs) {
      this.lateDropped++;
      return undefined;
    }
    const start = this.bucketStart(Math.min(timeMs, ceiling));
    let buckets = this.byResource.get(resourceId);
    if (!buckets) {
      buckets = new Map();
      this.byResource.set(resourceId, buckets);
    }
    let bucket = buckets.get(start);
    if (!bucket) {
      if (this.bucketCount >= this.options.maxBuckets) this.shedOldest();
      bucket = new BucketAggregate(this.options);
      buckets.set(start, bucket);
      this.bucketCount++;
      this.creationOrder.push(resourceId, start);
    }
    return bucket;
  }

  recordSpan(resourceId: number, timeMs: number, durationMs: number, isError: boolean, traceIdHex: () => string): Admission {
    const bucket = this.bucketFor(resourceId, timeMs);
    if (!bucket) return 'late';
    bucket.addSpan(durationMs, isError, traceIdHex, timeMs);
    return 'accepted';
  }

  recordLog(resourceId: number, timeMs: number, severityNumber: number): Admission {
    const bucket = this.bucketFor(resourceId, timeMs);
    if (!bucket) return 'late';
    bucket.addLog(severityNumber);
    return 'accepted';
  }

  recordDeviceEvent(event: DeviceEventRecord): Admission {
    const bucket = this.bucketFor(event.resourceId, event.timeMs);
    if (!bucket) return 'late';
    bucket.addDeviceEvent(event);
    return 'accepted';
  }

  /** The merge of every bucket of these resources that overlaps [startMs, endMs). */
  query(q: WindowQuery): { aggregate: BucketAggregate; reservoir: SampleReservoir; buckets: number } {
    const aggregate = new BucketAggregate(this.options);
    const reservoirs: SampleReservoir[] = [];
    let buckets = 0;
    const first = this.bucketStart(q.startMs);
    for (const id of q.resourceIds) {
      const perResource = this.byResource.get(id);
      if (!perResource) continue;
      for (const [start, bucket] of perResource) {
        if (start < first || start >= q.endMs) continue;
        aggregate.merge(bucket);
        reservoirs.push(bucket.reservoir);
        buckets++;
      }
    }
    // A statistical test wants more raw values than one bucket keeps, so the window's reservoir is larger.
    const reservoir = SampleReservoir.merge(reservoirs, this.options.reservoirSize * 8);
    return { aggregate, reservoir, buckets };
  }

  /** Drops buckets older than the retention (relative to the watermark). */
  expire(): void {
    const oldest = this.bucketStart(this.maxEventMs - this.options.retentionMs);
    for (const [id, buckets] of this.byResource) {
      for (const start of buckets.keys()) {
        if (start < oldest) {
          buckets.delete(start);
          this.bucketCount--;
          this.bucketsExpired++;
        }
      }
      if (buckets.size === 0) this.byResource.delete(id);
    }
    this.trimCreationOrder();
  }

  /** Drops the front entries of buckets that no longer exist, so the order list stays as long as the store. */
  private trimCreationOrder(): void {
    while (this.creationHead < this.creationOrder.length) {
      const id = this.creationOrder[this.creationHead]!;
      const start = this.creationOrder[this.creationHead + 1]!;
      if (this.byResource.get(id)?.has(start)) break;
      this.creationHead += 2;
    }
    if (this.creationHead > 4096 && this.creationHead * 2 > this.creationOrder.length) {
      this.creationOrder = this.creationOrder.slice(this.creationHead);
      this.creationHead = 0;
    }
  }

  /** Folds one resource's buckets into another's: the registry found they are one identity. */
  mergeResource(fromId: number, intoId: number): void {
    const from = this.byResource.get(fromId);
    if (!from || fromId === intoId) return;
    this.byResource.delete(fromId);
    const into = this.byResource.get(intoId);
    if (!into) {
      this.byResource.set(intoId, from);
      // The creation-order entries still name fromId; they are skipped when reached.
      for (const start of from.keys()) this.creationOrder.push(intoId, start);
      return;
    }
    for (const [start, bucket] of from) {
      const target = into.get(start);
      if (target) {
        target.merge(bucket);
        // Approximate: the merged bucket's reservoir samples the other's kept values, not all it saw.
        for (const v of bucket.reservoir.values) target.reservoir.add(v);
        this.bucketCount--;
      } else {
        into.set(start, bucket);
        this.creationOrder.push(intoId, start);
      }
    }
  }

  /** Forgets a resource entirely (the registry evicted it). */
  dropResource(resourceId: number): void {
    const buckets = this.byResource.get(resourceId);
    if (!buckets) return;
    this.bucketCount -= buckets.size;
    this.bucketsShed += buckets.size;
    this.byResource.delete(resourceId);
  }

  private shedOldest(): void {
    // Entries of buckets already gone (expired, dropped) are skipped on the way.
    while (this.creationHead < this.creationOrder.length) {
      const id = this.creationOrder[this.creationHead]!;
      const start = this.creationOrder[this.creationHead + 1]!;
      this.creationHead += 2;
      const buckets = this.byResource.get(id);
      if (!buckets?.delete(start)) continue;
      this.bucketCount--;
      this.bucketsShed++;
      if (buckets.size === 0) this.byResource.delete(id);
      break;
    }
    this.trimCreationOrder();
  }

  byteSize(): number {
    let n = 0;
    for (const buckets of this.byResource.values()) for (const b of buckets.values()) n += b.byteSize;
    return n;
  }
}
