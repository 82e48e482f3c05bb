import { describe, expect, it } from 'vitest';
import { SEVERITY_CLASSES } from '../../src/correlator/bucket-aggregate.js';
import { EvidenceStore } from '../../src/correlator/evidence-store.js';
import type { EvidenceStoreOptions } from '../../src/correlator/evidence-store.js';

const T0 = 1_700_000_000_000;
const options: EvidenceStoreOptions = {
  bucketWidthMs: 10_000,
  retentionMs: 3_600_000,
  allowedLatenessMs: 60_000,
  clockSkewToleranceMs: 5_000,
  maxBuckets: 10_000,
  reservoirSize: 64,
  exemplars: 3,
  deviceEventSamples: 5,
};

function store(now = T0 + 120_000, overrides: Partial<EvidenceStoreOptions> = {}) {
  let clock = now;
  const s = new EvidenceStore({ ...options, ...overrides }, () => clock);
  return { s, setNow: (ms: number) => (clock = ms) };
}

const hex = (n: number) => () => n.toString(16).padStart(32, '0');

describe('EvidenceStore', () => {
  it('answers a window by merging buckets, whatever order the data came in', () => {
    const { s } = store();
    const stable = 1;
    const canary = 2;
    // Out of order across buckets: later bucket first.
    for (let i = 0; i < 100; i++) s.recordSpan(stable, T0 + 15_000 + i, 20, false, hex(i));
    for (let i = 0; i < 100; i++) s.recordSpan(stable, T0 + 1_000 + i, 10, i < 2, hex(1000 + i));
    for (let i = 0; i < 50; i++) s.recordSpan(canary, T0 + 5_000 + i, 40, i < 10, hex(2000 + i));
    const both = s.query({ resourceIds: [stable], startMs: T0, endMs: T0 + 20_000 });
    expect(both.buckets).toBe(2);
    expect(both.aggregate.spanCount).toBe(200);
    expect(both.aggregate.errorSpanCount).toBe(2);
    expect(both.aggregate.latency.quantile(0.25)).toBeCloseTo(10, 0);
    expect(both.aggregate.latency.quantile(0.75)).toBeCloseTo(20, 0);
    expect(both.reservoir.seen).toBe(200);
    const first = s.query({ resourceIds: [stable], startMs: T0, endMs: T0 + 10_000 });
    expect(first.aggregate.spanCount).toBe(100);
    const c = s.query({ resourceIds: [canary], startMs: T0, endMs: T0 + 20_000 });
    expect(c.aggregate.errorSpanCount).toBe(10);
    expect(c.aggregate.errorExemplars.map((e) => e.traceIdHex)).toEqual([hex(2000)(), hex(2001)(), hex(2002)()]);
  });

  it('keeps the slowest spans as exemplars, slowest first', () => {
    const { s } = store();
    [5, 50, 7, 500, 3, 90].forEach((d, i) => s.recordSpan(1, T0 + i, d, false, hex(i)));
    const { aggregate } = s.query({ resourceIds: [1], startMs: T0, endMs: T0 + 10_000 });
    expect(aggregate.slowExemplars.map((e) => e.durationMs)).toEqual([500, 90, 50]);
  });

  it('counts logs by severity class and device events by name', () => {
    const { s } = store();
    [9, 13, 17, 18, 21, 0].forEach((sev, i) => s.recordLog(1, T0 + i, sev));
    s.recordDeviceEvent({ resourceId: 7, timeMs: T0, eventName: 'network.interface.down', interfaceName: 'Gi0/1', attributes: {}, body: 'down' });
    s.recordDeviceEvent({ resourceId: 7, timeMs: T0 + 1, eventName: 'network.interface.down', interfaceName: 'Gi0/2', attributes: {}, body: 'down' });
    const logs = s.query({ resourceIds: [1], startMs: T0, endMs: T0 + 10_000 }).aggregate;
    const byClass = Object.fromEntries(SEVERITY_CLASSES.map((c, i) => [c, logs.logCounts[i]]));
    expect(byClass).toMatchObject({ INFO: 1, WARN: 1, ERROR: 2, FATAL: 1, UNSPECIFIED: 1 });
    const dev = s.query({ resourceIds: [7], startMs: T0, endMs: T0 + 10_000 }).aggregate;
    expect(dev.deviceEventCounts.get('network.interface.down')).toBe(2);
    expect(dev.deviceEvents.map((e) => e.interfaceName)).toEqual(['Gi0/1', 'Gi0/2']);
  });

  it('takes late data within the allowed lateness and counts and drops what is later', () => {
    const { s } = store();
    s.recordSpan(1, T0 + 100_000, 1, false, hex(1));
    expect(s.recordSpan(1, T0 + 100_000 - 59_000, 1, false, hex(2))).toBe('accepted');
    expect(s.recordSpan(1, T0 + 100_000 - 61_000, 1, false, hex(3))).toBe('late');
    expect(s.lateDropped).toBe(1);
    expect(s.query({ resourceIds: [1], startMs: T0, endMs: T0 + 200_000 }).aggregate.spanCount).toBe(2);
  });

  it('does not let a clock far in the future make everyone else late', () => {
    const { s } = store(T0);
    s.recordDeviceEvent({ resourceId: 9, timeMs: T0 + 86_400_000, eventName: 'device.reboot', interfaceName: undefined, attributes: {}, body: '' });
    expect(s.watermarkMs).toBe(T0 + options.clockSkewToleranceMs);
    expect(s.recordSpan(1, T0 - 1000, 5, false, hex(1))).toBe('accepted');
  });

  it('expires buckets past the retention and sheds the oldest at the bucket limit, counting both', () => {
    const { s } = store(T0 + 10_000_000, { maxBuckets: 3, retentionMs: 100_000, allowedLatenessMs: 1_000_000 });
    for (let b = 0; b < 5; b++) s.recordSpan(1, T0 + b * 10_000, 1, false, hex(b));
    expect(s.size.buckets).toBe(3);
    expect(s.bucketsShed).toBe(2);
    expect(s.query({ resourceIds: [1], startMs: T0, endMs: T0 + 100_000 }).aggregate.spanCount).toBe(3);
    s.recordSpan(2, T0 + 200_000, 1, false, hex(9));
    s.expire();
    expect(s.size).toEqual({ resources: 1, buckets: 1 });
    expect(s.bucketsExpired).toBe(2);
  });

  it('stays within its bucket limit under a flood of new resources', () => {
    const { s } = store(T0 + 1000, { maxBuckets: 500 });
    for (let id = 0; id < 50_000; id++) s.recordSpan(id, T0 + (id % 1000), 1, false, hex(id));
    expect(s.size.buckets).toBe(500);
    expect(s.bucketsShed).toBe(49_500);
  });
});
