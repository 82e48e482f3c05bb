import { describe, expect, it } from 'vitest';
import type { DeviceEventRecord } from '../../src/correlator/bucket-aggregate.js';
import { ChainTracker } from '../../src/correlator/chain-tracker.js';
import type { ChainOptions } from '../../src/correlator/chain-tracker.js';

const T0 = 1_700_000_000_000;
const options: ChainOptions = {
  intervalMs: 60_000,
  clockSkewToleranceMs: 2_000,
  triggerEvents: new Set(['network.interface.down', 'device.reboot']),
  maxChains: 100,
  maxTracesPerChain: 3,
  maxLogsPerChain: 2,
  recentFailuresPerService: 10,
  maxTrackedServices: 100,
};

const linkDown = (device: number, timeMs: number): DeviceEventRecord => ({
  resourceId: device,
  timeMs,
  eventName: 'network.interface.down',
  interfaceName: 'GigabitEthernet0/1',
  attributes: {},
  body: 'Interface GigabitEthernet0/1, changed state to down',
});

describe('ChainTracker', () => {
  it('forms a chain from a device event followed by failures on the services it affects', () => {
    const t = new ChainTracker(options);
    const chain = t.open(linkDown(100, T0), new Set([1, 2]))!;
    t.observeFailure({ serviceId: 1, timeMs: T0 + 1_000, traceIdHex: 'a1', kind: 'span', body: undefined });
    t.observeFailure({ serviceId: 1, timeMs: T0 + 2_000, traceIdHex: 'a1', kind: 'log', body: 'payment failed' });
    t.observeFailure({ serviceId: 3, timeMs: T0 + 2_000, traceIdHex: 'z9', kind: 'span', body: undefined }); // unaffected
    t.observeFailure({ serviceId: 2, timeMs: T0 + 90_000, traceIdHex: 'late', kind: 'span', body: undefined }); // after the interval
    expect(chain.failingTraceIds).toEqual(['a1']);
    expect(chain.errorLogs.map((l) => l.body)).toEqual(['payment failed']);
    expect(chain.failureCount).toBe(2);
    expect([...chain.failingServiceIds]).toEqual([1]);
    expect(t.chains({ startMs: T0, endMs: T0 + 1 }).map((c) => c.id)).toEqual([chain.id]);
    expect(t.chains({ startMs: T0, endMs: T0 + 1, resourceIds: new Set([3]) })).toEqual([]);
    expect(t.chains({ startMs: T0, endMs: T0 + 1, resourceIds: new Set([100]) })).toHaveLength(1);
  });

  it('takes failures that arrived before the device event, within the skew tolerance and after its time', () => {
    const t = new ChainTracker(options);
    t.observeFailure({ serviceId: 1, timeMs: T0 + 5_000, traceIdHex: 'b1', kind: 'span', body: undefined });
    t.observeFailure({ serviceId: 1, timeMs: T0 - 1_000, traceIdHex: 'skewed', kind: 'span', body: undefined });
    t.observeFailure({ serviceId: 1, timeMs: T0 - 30_000, traceIdHex: 'before', kind: 'span', body: undefined });
    const chain = t.open(linkDown(100, T0), new Set([1]))!;
    expect(chain.failingTraceIds.sort()).toEqual(['b1', 'skewed']);
  });

  it('opens no chain for non-trigger events or devices that affect nothing, and forms none without failures', () => {
    const t = new ChainTracker(options);
    expect(t.open({ ...linkDown(100, T0), eventName: 'network.interface.up' }, new Set([1]))).toBeUndefined();
    expect(t.open(linkDown(101, T0), new Set())).toBeUndefined();
    t.open(linkDown(100, T0), new Set([1]));
    expect(t.chains({ startMs: 0, endMs: Infinity })).toEqual([]);
    t.closeBefore(T0 + 120_000);
    expect(t.size.chains).toBe(0);
  });

  it('makes one chain of the same event reported twice (syslog and trap), and two of different interfaces', () => {
    const t = new ChainTracker(options);
    const first = t.open(linkDown(100, T0), new Set([1]))!;
    const again = t.open({ ...linkDown(100, T0 + 1_500), interfaceName: 'gigabitethernet0/1' }, new Set([1]));
    const noInterface = t.open({ ...linkDown(100, T0 + 500), interfaceName: undefined }, new Set([1]));
    expect(again).toBe(first);
    expect(noInterface).toBe(first);
    expect(t.open({ ...linkDown(100, T0), interfaceName: 'GigabitEthernet0/2' }, new Set([1]))).not.toBe(first);
    expect(t.open(linkDown(100, T0 + 10_000), new Set([1]))).not.toBe(first);
    expect(t.size.chains).toBe(3);
  });

  it('bounds chains, traces and logs per chain, counting evictions', () => {
    const t = new ChainTracker({ ...options, maxChains: 2 });
    const first = t.open(linkDown(100, T0), new Set([1]))!;
    t.open(linkDown(101, T0 + 1), new Set([1]));
    t.open(linkDown(102, T0 + 2), new Set([1]));
    expect(t.size.chains).toBe(2);
    expect(t.evicted).toBe(1);
    for (let i = 0; i < 10; i++) t.observeFailure({ serviceId: 1, timeMs: T0 + 10 + i, traceIdHex: `t${i}`, kind: 'log', body: `e${i}` });
    const [a] = t.chains({ startMs: T0, endMs: T0 + 10 });
    expect(a!.id).not.toBe(first.id);
    expect(a!.failingTraceIds).toHaveLength(3);
    expect(a!.errorLogs).toHaveLength(2);
    expect(a!.failureCount).toBe(10);
  });
});
