import { describe, expect, it } from 'vitest';
import { chainsRuleSchema, deviceEventsRuleSchema } from '../../src/gates/gate-spec.js';
import { evaluateChains } from '../../src/gates/rules/chains.js';
import { evaluateDeviceEvents } from '../../src/gates/rules/device-events.js';
import { T0, chain, deviceEvent, evidence } from './evidence-fixtures.js';

const ctx = { minSamples: 50 };

describe('device_events rule', () => {
  const rule = deviceEventsRuleSchema.parse({ name: 'flaps', measure: 'device_events', event: 'network.interface.down', threshold: { max: 1 } });
  const downs = (n: number) => Array.from({ length: n }, (_, i) => deviceEvent('network.interface.down', T0 + i * 1_000, 'Gi0/1'));

  it('counts only the named event, against its maximum', () => {
    const one = evidence({ spans: 10, deviceEvents: [...downs(1), deviceEvent('device.config.changed', T0)] });
    expect(evaluateDeviceEvents(rule, one, undefined, ctx)).toMatchObject({ outcome: 'pass', observed: 1, threshold: '<= 1', reason: '1 network.interface.down event in scope, within <= 1.' });
    const two = evaluateDeviceEvents(rule, evidence({ deviceEvents: downs(2) }), evidence({ deviceEvents: downs(0) }), ctx);
    expect(two).toMatchObject({ outcome: 'fail', observed: 2, baseline: 0, reason: '2 network.interface.down events in scope, above the maximum 1.' });
  });

  it('defaults to none allowed, and needs no spans to judge', () => {
    const strict = deviceEventsRuleSchema.parse({ name: 'bgp', measure: 'device_events', event: 'network.bgp.session.down' });
    expect(strict.threshold).toEqual({ max: 0 });
    expect(evaluateDeviceEvents(strict, evidence({ spans: 0 }), undefined, ctx)).toMatchObject({ outcome: 'pass', observed: 0 });
    expect(evaluateDeviceEvents(strict, evidence({ spans: 0, deviceEvents: [deviceEvent('network.bgp.session.down', T0)] }), undefined, ctx).outcome).toBe('fail');
  });
});

describe('chains rule', () => {
  const rule = chainsRuleSchema.parse({ name: 'no-chains', measure: 'chains' });

  it('passes with no correlated chain and fails on one, naming it', () => {
    expect(evaluateChains(rule, evidence({ spans: 100 }), undefined, ctx)).toMatchObject({ outcome: 'pass', observed: 0, threshold: '<= 0', reason: '0 correlated chains, within <= 0.' });
    const result = evaluateChains(rule, evidence({ spans: 100, chains: [chain(1, 'network.interface.down', 12, T0)] }), undefined, ctx);
    expect(result).toMatchObject({ outcome: 'fail', observed: 1, measure: 'chains' });
    expect(result.reason).toBe('1 correlated chain (first: network.interface.down on edge-sw-1 followed by 12 failures in checkout@2.1.0), above the maximum 0.');
  });

  it('counts only chains opened by the given event when one is named', () => {
    const bgpOnly = chainsRuleSchema.parse({ name: 'bgp-chains', measure: 'chains', event: 'network.bgp.session.down', threshold: { max: 0 } });
    const e = evidence({ chains: [chain(1, 'network.interface.down', 3, T0), chain(2, 'device.reboot', 7, T0)] });
    expect(evaluateChains(bgpOnly, e, undefined, ctx)).toMatchObject({ outcome: 'pass', observed: 0 });
    expect(evaluateChains(rule, e, undefined, ctx)).toMatchObject({ outcome: 'fail', observed: 2 });
  });
});
