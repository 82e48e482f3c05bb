import { BucketAggregate } from './bucket-aggregate.js';
import type { AggregateLimits, DeviceEventRecord } from './bucket-aggregate.js';
import { WindowSample } from './sample-reservoir.js';
import type { ReservoirSnapshot } from './sample-reservoir.js';

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

/** What a window query returns. Shared between identical queries: read it, do not change it. */
export interface WindowEvidence {
  readonly aggregate: BucketAggregate;
  readonly reservoir: WindowSample;
  readonly buckets: number;
}

/**
 * One resource's buckets from a window start on, merged once and reused by later queries from that
 * start: the buckets (in merge order) and their change counts when merged, so a query can tell that
 * the merge still stands. A bucket joins once it can no longer change (older than the allowed
 * lateness), or once a later query finds it unchanged although the store changed meanwhile and it is
 * not the resource's newest bucket in the window (the one live traffic lands in). A bucket that
 * changes after joining (late data, a resource merge) only costs a fresh merge of the run.
 */
interface MergedRun {
  readonly resourceId: number;
  /** The window start's bucket start. */
  readonly firstStart: number;
  readonly aggregate: BucketAggregate;
  readonly buckets: BucketAggregate[];
  readonly mutations: number[];
  readonly snapshots: ReservoirSnapshot[];
  readonly pending: BucketAggregate[];
  readonly pendingMutations: number[];
  /** The store's version when `pending` was taken. */
  pendingVersion: number;
}

/** Bounds on the query caches: entries, and buckets referenced by merged runs (the oldest runs go first). */
const MAX_MERGED_RUNS = 4096;
const MAX_RUN_BUCKETS = 131_072;
const MAX_CACHED_WINDOWS = 2048;

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
  /** Next bucket order number: buckets merge in the order they joined their resource's map. */
  private nextSeq = 0;
  /** Bumped by every change to any bucket or to the set of buckets: cached windows are good for one version. */
  private version = 0;
  private readonly windows = new Map<string, WindowEvidence>();
  private windowsVersion = -1;
  /** Per resource and window start, the merged run of buckets that no longer change (see MergedRun). */
  private readonly runs = new Map<string, MergedRun>();
  /** Buckets referenced by the runs (merged and pending), kept under MAX_RUN_BUCKETS. */
  private runBuckets = 0;
  /** Scratch for one resource's buckets in a window, and their starts. */
  private scratchBuckets: BucketAggregate[] = [];
  private scratchStarts: number[] = [];
  /** Counters for metrics: records too late to count, buckets shed by retention or by the bucket limit. */
  lateDropped = 0;
  bucketsExpired = 0;
  bucketsShed = 0;

  constructor(
    readonly options: EvidenceStoreOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Any bucket or the set of buckets changed: the cached windows are stale (dropped now, not at the next query, so they die young). */
  private changed(): void {
    this.version++;
    if (this.windows.size > 0) this.windows.clear();
  }

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
    this.changed();
    let buckets = this.byResource.get(resourceId);
    if (!buckets) {
      buckets = new Map();
      this.byResource.set(resourceId, buckets);
    }
    let bucket = buckets.get(start);
    if (!bucket) {
      if (this.bucketCount >= this.options.maxBuckets) this.shedOldest();
      bucket = new BucketAggregate(this.options);
      bucket.seq = this.nextSeq++;
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

  /**
   * The merge of every bucket of these resources that overlaps [startMs, endMs): resource by resource
   * in the order given, each resource's buckets in the order they were created. Identical queries
   * between two changes to the store share one answer; a resource's buckets that stopped changing are
   * merged once per window start and reused (see MergedRun), which gives the same aggregate as merging
   * them one by one, because every part of it is an ordered or exact merge and the latency sum, the
   * only float that would round differently, is added up bucket by bucket here.
   */
  query(q: WindowQuery): WindowEvidence {
    const width = this.options.bucketWidthMs;
    const firstIndex = Math.floor(q.startMs / width);
    const endIndex = Math.ceil(q.endMs / width); // bucket indexes below this start before endMs
    const ids: number[] = [];
    for (const id of q.resourceIds) if (this.byResource.has(id)) ids.push(id);
    if (this.windowsVersion !== this.version) {
      this.windows.clear();
      this.windowsVersion = this.version;
    }
    const key = `${firstIndex}:${endIndex}:${ids.join(',')}`;
    const cached = this.windows.get(key);
    if (cached) return cached;

    const aggregate = new BucketAggregate(this.options);
    const snapshots: ReservoirSnapshot[] = [];
    let buckets = 0;
    let sum = 0;
    for (const id of ids) {
      const list = this.bucketsInWindow(this.byResource.get(id)!, firstIndex, endIndex, q.endMs);
      if (list.length === 0) continue;
      const run = this.mergedRun(id, firstIndex, list, this.scratchStarts);
      let from = 0;
      if (run !== undefined) {
        if (run.buckets.length > 0) aggregate.merge(run.aggregate);
        for (const snap of run.snapshots) snapshots.push(snap);
        from = run.buckets.length;
      }
      for (let j = from; j < list.length; j++) {
        const bucket = list[j]!;
        aggregate.merge(bucket);
        snapshots.push(bucket.reservoir.snapshot());
      }
      for (const bucket of list) if (bucket.latency.count !== 0) sum += bucket.latency.sum;
      buckets += list.length;
    }
    aggregate.latency.sum = sum;
    // A statistical test wants more raw values than one bucket keeps, so the window's reservoir is larger.
    const result: WindowEvidence = { aggregate, reservoir: new WindowSample(snapshots, this.options.reservoirSize * 8), buckets };
    if (this.windows.size >= MAX_CACHED_WINDOWS) this.windows.clear();
    this.windows.set(key, result);
    return result;
  }

  /** A resource's buckets with index in [firstIndex, endIndex) and start before endMs, in creation order (in scratch). */
  private bucketsInWindow(perResource: Map<number, BucketAggregate>, firstIndex: number, endIndex: number, endMs: number): BucketAggregate[] {
    const width = this.options.bucketWidthMs;
    const out = this.scratchBuckets;
    const starts = this.scratchStarts;
    out.length = 0;
    starts.length = 0;
    if (endIndex - firstIndex <= perResource.size) {
      let ordered = true;
      for (let n = firstIndex; n < endIndex; n++) {
        const start = n * width;
        if (start >= endMs) break;
        const bucket = perResource.get(start);
        if (bucket === undefined) continue;
        if (out.length > 0 && out[out.length - 1]!.seq > bucket.seq) ordered = false;
        out.push(bucket);
        starts.push(start);
      }
      // Late data can create an older bucket after a newer one; merge in the map's order all the same.
      if (!ordered) {
        const order = out.map((_, i) => i).sort((x, y) => out[x]!.seq - out[y]!.seq);
        const sortedBuckets = order.map((i) => out[i]!);
        const sortedStarts = order.map((i) => starts[i]!);
        for (let i = 0; i < order.length; i++) {
          out[i] = sortedBuckets[i]!;
          starts[i] = sortedStarts[i]!;
        }
      }
    } else {
      const first = firstIndex * width;
      for (const [start, bucket] of perResource) {
        if (start >= first && start < endMs) {
          out.push(bucket);
          starts.push(start);
        }
      }
    }
    return out;
  }

  /**
   * The merged run of `list` (one resource's window buckets in creation order, `starts` theirs) from this window start,
   * brought up to date, or undefined when it cannot serve this query (the window ends inside it).
   */
  private mergedRun(resourceId: number, firstIndex: number, list: readonly BucketAggregate[], starts: readonly number[]): MergedRun | undefined {
    const key = `${resourceId}:${firstIndex}`;
    let run = this.runs.get(key);
    if (run !== undefined) {
      if (run.buckets.length > list.length) {
        // A shorter window from the same start: the run has more in it than this query wants.
        for (let j = 0; j < list.length; j++) {
          if (list[j] !== run.buckets[j] || list[j]!.mutations !== run.mutations[j]) {
            this.dropRun(key);
            return undefined;
          }
        }
        return undefined;
      }
      for (let j = 0; j < run.buckets.length; j++) {
        // A bucket changed, went away (expired, shed) or came in from a merged resource: start over.
        if (list[j] !== run.buckets[j] || list[j]!.mutations !== run.mutations[j]) {
          run = undefined;
          break;
        }
      }
    }
    if (run === undefined) {
      this.dropRun(key);
      run = {
        resourceId,
        firstStart: firstIndex * this.options.bucketWidthMs,
        aggregate: new BucketAggregate(this.options),
        buckets: [],
        mutations: [],
        snapshots: [],
        pending: [],
        pendingMutations: [],
        pendingVersion: -1,
      };
      this.runs.set(key, run);
    }
    this.runBuckets -= run.buckets.length + run.pending.length;
    // Buckets join in order while they are settled; the first that is not, and all after it, wait.
    const sealedBefore = this.maxEventMs - this.options.allowedLatenessMs - this.options.bucketWidthMs;
    const storeChanged = run.pendingVersion !== this.version;
    let j = run.buckets.length;
    const base = j;
    while (j < list.length) {
      const bucket = list[j]!;
      const k = j - base;
      const sealed = starts[j]! <= sealedBefore;
      const quiet = storeChanged && j < list.length - 1 && run.pending[k] === bucket && run.pendingMutations[k] === bucket.mutations;
      if (!sealed && !quiet) break;
      run.aggregate.merge(bucket);
      run.buckets.push(bucket);
      run.mutations.push(bucket.mutations);
      run.snapshots.push(bucket.reservoir.snapshot());
      j++;
    }
    // Refilled in place: a run lives long, and arrays replaced on every query would pile up in the old generation.
    const waiting = list.length - j;
    run.pending.length = waiting;
    run.pendingMutations.length = waiting;
    for (let k = 0; k < waiting; k++) {
      run.pending[k] = list[j + k]!;
      run.pendingMutations[k] = list[j + k]!.mutations;
    }
    run.pendingVersion = this.version;
    this.runBuckets += run.buckets.length + run.pending.length;
    // Bounded: the oldest runs go first (never this one, which the query is using).
    while (this.runs.size > MAX_MERGED_RUNS || this.runBuckets > MAX_RUN_BUCKETS) {
      const oldest = this.runs.keys().next().value!;
      if (oldest === key) break;
      this.dropRun(oldest);
    }
    return run;
  }

  private dropRun(key: string): void {
    const run = this.runs.get(key);
    if (run === undefined) return;
    this.runBuckets -= run.buckets.length + run.pending.length;
    this.runs.delete(key);
  }

  /** Drops the runs matching `which` (they would only hold on to buckets that are gone). */
  private dropRuns(which: (run: MergedRun) => boolean): void {
    for (const [key, run] of this.runs) if (which(run)) this.dropRun(key);
  }

  /** Merged runs held and the buckets they reference (for tests of the bounds). */
  get cachedRuns(): { readonly runs: number; readonly buckets: number } {
    return { runs: this.runs.size, buckets: this.runBuckets };
  }

  /** Drops buckets older than the retention (relative to the watermark). */
  expire(): void {
    const oldest = this.bucketStart(this.maxEventMs - this.options.retentionMs);
    this.dropRuns((run) => run.firstStart < oldest);
    for (const [id, buckets] of this.byResource) {
      for (const start of buckets.keys()) {
        if (start < oldest) {
          buckets.delete(start);
          this.changed();
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
    this.changed();
    this.dropRuns((run) => run.resourceId === fromId || run.resourceId === intoId);
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
        // It joins this resource's map now, so it merges after the buckets already there.
        bucket.seq = this.nextSeq++;
        into.set(start, bucket);
        this.creationOrder.push(intoId, start);
      }
    }
  }

  /** Forgets a resource entirely (the registry evicted it). */
  dropResource(resourceId: number): void {
    const buckets = this.byResource.get(resourceId);
    if (!buckets) return;
    this.changed();
    this.dropRuns((run) => run.resourceId === resourceId);
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
      this.changed();
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
