import { describe, expect, it } from 'vitest';
import { BucketAggregate } from '../../src/correlator/bucket-aggregate.js';
import { EvidenceStore } from '../../src/correlator/evidence-store.js';
import type { EvidenceStoreOptions } from '../../src/correlator/evidence-store.js';

// The window query reuses merges of buckets that stopped changing and shares answers between
// identical queries until the store changes. Checked against the plain definition, written here: a
// fresh aggregate with every bucket of the window merged in, resource by resource, each resource's
// buckets in the order they were created.

const T0 = 1_700_000_000_000;
const WIDTH = 10_000;
const options: EvidenceStoreOptions = {
  bucketWidthMs: WIDTH,
  retentionMs: 3_600_000,
  allowedLatenessMs: 120_000,
  clockSkewToleranceMs: 5_000,
  maxBuckets: 100_000,
  reservoirSize: 16,
  exemplars: 3,
  deviceEventSamples: 4,
};

/** A deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The buckets as the definition has them: per resource, in creation order. */
class Reference {
  readonly byResource = new Map<number, Map<number, BucketAggregate>>();

  bucket(resourceId: number, timeMs: number): BucketAggregate {
    const start = Math.floor(timeMs / WIDTH) * WIDTH;
    let buckets = this.byResource.get(resourceId);
    if (!buckets) this.byResource.set(resourceId, (buckets = new Map()));
    let b = buckets.get(start);
    if (!b) buckets.set(start, (b = new BucketAggregate(options)));
    return b;
  }

  query(resourceIds: readonly number[], startMs: number, endMs: number): { aggregate: BucketAggregate; buckets: number; seen: number; values: number[] } {
    const aggregate = new BucketAggregate(options);
    const first = Math.floor(startMs / WIDTH) * WIDTH;
    let buckets = 0;
    let seen = 0;
    const values: number[] = [];
    for (const id of resourceIds) {
      for (const [start, b] of this.byResource.get(id) ?? []) {
        if (start < first || start >= endMs) continue;
        aggregate.merge(b);
        buckets++;
        seen += b.reservoir.seen;
        values.push(...b.reservoir.values);
      }
    }
    return { aggregate, buckets, seen, values };
  }
}

/** Store and reference fed the same records; only records the store accepts go to the reference. */
function pair(now: () => number) {
  const store = new EvidenceStore(options, now);
  const ref = new Reference();
  let n = 0;
  const span = (id: number, timeMs: number, durationMs: number, error: boolean) => {
    const hex = `${(n++).toString(16).padStart(32, '0')}`;
    if (store.recordSpan(id, timeMs, durationMs, error, () => hex) === 'accepted') ref.bucket(id, timeMs).addSpan(durationMs, error, () => hex, timeMs);
  };
  const log = (id: number, timeMs: number, severity: number) => {
    if (store.recordLog(id, timeMs, severity) === 'accepted') ref.bucket(id, timeMs).addLog(severity);
  };
  const deviceEvent = (id: number, timeMs: number, eventName: string) => {
    const event = { resourceId: id, timeMs, eventName, interfaceName: undefined, attributes: {}, body: eventName };
    if (store.recordDeviceEvent(event) === 'accepted') ref.bucket(id, timeMs).addDeviceEvent(event);
  };
  return { store, ref, span, log, deviceEvent };
}

function expectSameAggregate(actual: BucketAggregate, expected: BucketAggregate): void {
  expect(actual.spanCount).toBe(expected.spanCount);
  expect(actual.errorSpanCount).toBe(expected.errorSpanCount);
  expect(Array.from(actual.logCounts)).toEqual(Array.from(expected.logCounts));
  expect([...actual.deviceEventCounts]).toEqual([...expected.deviceEventCounts]);
  expect(actual.deviceEvents).toEqual(expected.deviceEvents);
  expect(actual.errorExemplars).toEqual(expected.errorExemplars);
  expect(actual.slowExemplars).toEqual(expected.slowExemplars);
  const a = actual.latency;
  const e = expected.latency;
  // The sum bit for bit: it is added up in the same order.
  expect([a.count, a.sum, a.min, a.max, a.mean]).toEqual([e.count, e.sum, e.min, e.max, e.mean]);
  for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]) expect(a.quantile(q)).toBe(e.quantile(q));
}

describe('EvidenceStore query caches', () => {
  it('answer every window as merging its buckets one by one would, round after round of new data', () => {
    let clock = T0 + 400_000;
    const { store, ref, span, log, deviceEvent } = pair(() => clock);
    const rnd = lcg(7);
    const resources = [1, 2, 3, 4];
    // History: 30 buckets for each resource, a sparse one (4) with gaps.
    for (let t = T0; t < T0 + 300_000; t += 500) {
      for (const id of resources) {
        if (id === 4 && Math.floor(t / WIDTH) % 3 !== 0) continue;
        // Whole milliseconds for some: equal durations, which exemplar order has to keep stable.
        // Full-precision durations otherwise, so that a sum added up in another order would show.
        const d = id === 2 ? Math.round(5 + rnd() * 20) : 5 * Math.exp(rnd() * 4);
        span(id, t + rnd() * 400, d, rnd() < 0.05);
      }
      if (t % 7_000 === 0) log(1, t, 17);
      if (t % 31_000 === 0) deviceEvent(3, t, t % 2 === 0 ? 'network.interface.down' : 'device.reboot');
    }
    const scopes = [[1], [2, 1], [1, 2, 3, 4], [4], [4, 2], [9], [3, 9, 1]];
    for (let round = 0; round < 40; round++) {
      const now = T0 + 300_000 + round * 700;
      clock = now + 1000;
      const windows: [number, number][] = [
        [T0 + 100_000, now],
        [T0 + 100_000, now],
        [T0 + 100_000 - 3_333, now - 10_000],
        [T0 + 100_000 - (now - T0 - 100_000), T0 + 100_000],
        [T0, now + 20_000],
        [now - 25_000, now],
        [T0 + 250_000, T0 + 250_001],
      ];
      for (const scope of scopes) {
        for (const [startMs, endMs] of windows) {
          const got = store.query({ resourceIds: scope, startMs, endMs });
          const want = ref.query(scope, startMs, endMs);
          expectSameAggregate(got.aggregate, want.aggregate);
          expect(got.buckets).toBe(want.buckets);
          expect(got.reservoir.seen).toBe(want.seen);
          if (want.values.length === want.seen && want.seen <= options.reservoirSize * 8) expect(got.reservoir.values).toEqual([...want.values].sort((x, y) => x - y));
          else expect(got.reservoir.values.length).toBeLessThanOrEqual(options.reservoirSize * 8 + scope.length * 100);
        }
      }
      // New data: into the newest buckets, now and then late into an older one, and into gaps of
      // the sparse resource (older buckets created after newer ones).
      for (let k = 0; k < 20; k++) span(resources[k % 4]!, now + rnd() * 700, 5 * Math.exp(rnd() * 4), rnd() < 0.1);
      if (round % 5 === 2) span(2, now - 60_000, 999, true);
      // Errors with equal durations: which come first (error and slow exemplars) depends on the merge order.
      if (round % 3 === 1) span(4, now - WIDTH * (1 + (round % 9)), 4000, true);
      if (round % 11 === 5) log(1, now - 30_000, 9);
    }
    expect(store.cachedRuns.runs).toBeGreaterThan(0);
  });

  it('shares an answer between identical queries until the store changes, and sees the change after', () => {
    const clock = T0 + 100_000;
    const { store, span } = pair(() => clock);
    for (let i = 0; i < 50; i++) span(1, T0 + i * 1000, 10, false);
    const q = { resourceIds: [1], startMs: T0, endMs: T0 + 60_000 };
    const first = store.query(q);
    expect(store.query({ ...q, resourceIds: new Set([1, 77]) })).toBe(first);
    // The same buckets: an end inside the same bucket.
    expect(store.query({ ...q, endMs: T0 + 55_000 })).toBe(first);
    span(1, T0 + 49_500, 1000, true);
    const second = store.query(q);
    expect(second).not.toBe(first);
    expect(second.aggregate.spanCount).toBe(51);
    expect(second.aggregate.errorSpanCount).toBe(1);
    expect(second.aggregate.latency.max).toBe(1000);
    expect(first.aggregate.spanCount).toBe(50);
  });

  it('stays exact across expiry, shedding, dropped and merged resources', () => {
    let clock = T0 + 100_000;
    const limited = { ...options, retentionMs: 60_000, allowedLatenessMs: 1_000_000, maxBuckets: 31 };
    const store = new EvidenceStore(limited, () => clock);
    // Everything done to `store`, so that a new store can be brought to the same state and answer
    // from scratch, with no cache that could have gone stale.
    const log: ((s: EvidenceStore) => void)[] = [];
    const apply = (f: (s: EvidenceStore) => void) => {
      log.push(f);
      f(store);
    };
    const feed = (id: number, t: number, d: number) => apply((s) => s.recordSpan(id, t, d, false, () => (t + id).toString(16).padStart(32, '0')));
    let other = 0;
    const check = (ids: number[]) => {
      const q = { resourceIds: ids, startMs: T0, endMs: clock + 10_000 };
      // Query, change something else, query again: the buckets that did not change join the merged
      // runs (lateness here is long, so none is sealed), and the third query is answered from them.
      store.query(q);
      feed(99, clock - 1000, ++other);
      store.query(q);
      feed(99, clock - 1000, ++other);
      const cached = store.query({ ...q });
      expect(store.cachedRuns.buckets).toBeGreaterThan(0);
      const twin = new EvidenceStore(limited, () => clock);
      for (const f of log) f(twin);
      const scratch = twin.query(q);
      expectSameAggregate(cached.aggregate, scratch.aggregate);
      expect(cached.buckets).toBe(scratch.buckets);
      expect(cached.reservoir.seen).toBe(scratch.reservoir.seen);
    };
    for (let t = T0; t < T0 + 100_000; t += 2_500) [1, 2, 3].forEach((id) => feed(id, t, 10 + (t % 97) + id));
    check([1, 2, 3]);
    check([1, 2, 3]);
    // Shedding at the bucket limit (31, all in use: the oldest go).
    clock += 20_000;
    [1, 2, 3].forEach((id) => feed(id, T0 + 105_000, 5));
    expect(store.bucketsShed).toBe(3);
    check([1, 2, 3]);
    // Expiry behind the watermark.
    apply((s) => s.expire());
    check([1, 2, 3]);
    apply((s) => s.dropResource(2));
    check([1, 2, 3]);
    apply((s) => s.mergeResource(3, 1));
    check([1, 3]);
    check([1]);
    feed(1, T0 + 106_000, 77);
    check([1]);
  });

  it('keeps its merged runs within bounds', () => {
    const clock = T0 + 100_000;
    const store = new EvidenceStore({ ...options, maxBuckets: 1_000_000 }, () => clock);
    for (let id = 0; id < 5000; id++) store.recordSpan(id, T0 + (id % 50) * 1000, 1 + (id % 13), false, () => 'ab'.repeat(16));
    for (let id = 0; id < 5000; id++) store.query({ resourceIds: [id], startMs: T0 - 50_000, endMs: T0 + 60_000 });
    expect(store.cachedRuns.runs).toBeLessThanOrEqual(4096);
    expect(store.cachedRuns.buckets).toBeLessThanOrEqual(131_072);
    store.expire();
    // All of these windows start inside the retention, so they stay.
    expect(store.cachedRuns.runs).toBeGreaterThan(0);
    store.dropResource(4999);
  });
});
