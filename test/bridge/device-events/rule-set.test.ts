import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../src/bridge/device-events/rule-compiler.js';
import { ruleSchema } from '../../../src/bridge/device-events/rule-schema.js';
import { RuleSet } from '../../../src/bridge/device-events/rule-set.js';
import { attributesToPlain, str } from '../../../src/model/attributes.js';
import { attrs, logRecord, RESOURCE, syslogRecord } from './device-records.js';

const ruleSet = (...raw: unknown[]) => new RuleSet(raw.map((r, order) => compileRule(ruleSchema.parse(r), { order, source: 'test' })));

describe('rule matching', () => {
  it('lets the first matching rule win, whether indexed or not', () => {
    const rules = ruleSet(
      { name: 'body-only', event: 'a.first', match: { body: 'special' } },
      { name: 'by-mnemonic', event: 'a.second', match: { attributes: { 'syslog.mnemonic': 'M-1-X' } } },
      { name: 'later-body', event: 'a.third', match: { body: 'plain' } },
    );
    expect(rules.match(syslogRecord('cisco', 'cisco', 'M-1-X', 'special text'), RESOURCE)?.rule.name).toBe('body-only');
    expect(rules.match(syslogRecord('cisco', 'cisco', 'M-1-X', 'plain text'), RESOURCE)?.rule.name).toBe('by-mnemonic');
    expect(rules.match(syslogRecord('cisco', 'cisco', 'OTHER', 'plain text'), RESOURCE)?.rule.name).toBe('later-body');
    expect(rules.match(syslogRecord('cisco', 'cisco', 'OTHER', 'nothing'), RESOURCE)).toBeUndefined();
  });

  it('checks every condition: attributes, resource and body', () => {
    const rules = ruleSet({
      name: 'edge-only',
      event: 'a.b',
      match: { attributes: { 'syslog.mnemonic': 'M', 'syslog.facility': '23' }, resource: { 'host.name': '/^edge-\\d$/' }, body: '^go' },
    });
    const record = syslogRecord('cisco', 'cisco', 'M', 'go');
    expect(rules.match(record, RESOURCE)?.rule.name).toBe('edge-only');
    expect(rules.match(record, attrs({ 'host.name': 'core-1' }))).toBeUndefined();
    expect(rules.match(syslogRecord('cisco', 'cisco', 'M', 'stop'), RESOURCE)).toBeUndefined();
    expect(rules.match({ ...record, body: { type: 'bytes', value: new Uint8Array([1]) } }, RESOURCE)).toBeUndefined();
  });

  it('uses named groups of attribute regexes too, and falls back through template lists', () => {
    const rules = ruleSet({
      name: 'ethport',
      event: 'network.interface.down',
      match: { attributes: { 'syslog.mnemonic': '/^ETHPORT-\\d-IF_DOWN_(?<reason>\\w+)$/' } },
      extract: { 'down.reason': '${reason}', 'network.interface.name': ['${attr:missing}', 'fallback-${reason}'] },
    });
    const out = attributesToPlain(rules.apply(syslogRecord('cisco', 'cisco', 'ETHPORT-5-IF_DOWN_LINK_FAILURE', 'x'), RESOURCE)!.record.attributes);
    expect(out['down.reason']).toBe('LINK_FAILURE');
    expect(out['network.interface.name']).toBe('fallback-LINK_FAILURE');
  });

  it('skips an int extraction that is not an integer', () => {
    const rules = ruleSet({ name: 'r', event: 'a.b', match: { body: '^idx (?<i>\\S+)' }, extract: { 'network.interface.index': { value: '${i}', type: 'int' } } });
    expect(attributesToPlain(rules.apply(logRecord('idx 12', []), RESOURCE)!.record.attributes)['network.interface.index']).toBe(12);
    expect(attributesToPlain(rules.apply(logRecord('idx twelve', []), RESOURCE)!.record.attributes)).not.toHaveProperty('network.interface.index');
  });

  it('replaces attributes it sets instead of duplicating them, and keeps a sender-set EventName', () => {
    const rules = ruleSet({ name: 'r', event: 'device.reboot', match: { body: 'boot' } });
    const record = { ...logRecord('boot', [{ key: 'event.name', value: str('old') }, { key: 'x', value: str('y') }]), eventName: 'vendor.boot' };
    const out = rules.apply(record, RESOURCE)!.record;
    expect(out.attributes.map((kv) => kv.key)).toEqual(['x', 'event.name', 'device.event.rule']);
    expect(attributesToPlain(out.attributes)['event.name']).toBe('device.reboot');
    expect(out.eventName).toBe('vendor.boot');
  });

  it('copies records whose attributes are a prototype getter, as the protobuf decoder makes them', () => {
    class LazyRecord {
      readonly timeUnixNano = 5n;
      readonly observedTimeUnixNano = 6n;
      readonly severityNumber = 9;
      readonly severityText = 'INFO';
      readonly body = str('boot');
      readonly droppedAttributesCount = 1;
      readonly flags = 1;
      readonly traceId = new Uint8Array(16).fill(1);
      readonly spanId = new Uint8Array(8).fill(2);
      readonly eventName = '';
      get attributes() {
        return attrs({ a: 'b' });
      }
    }
    const out = ruleSet({ name: 'r', event: 'device.reboot', match: { body: 'boot' } }).apply(new LazyRecord(), RESOURCE)!.record;
    expect(attributesToPlain(out.attributes)).toEqual({ a: 'b', 'event.name': 'device.reboot', 'device.event.rule': 'r' });
    expect([out.timeUnixNano, out.observedTimeUnixNano, out.severityNumber, out.severityText, out.droppedAttributesCount, out.flags]).toEqual([5n, 6n, 9, 'INFO', 1, 1]);
    expect(out.traceId).toEqual(new Uint8Array(16).fill(1));
    expect(out.spanId).toEqual(new Uint8Array(8).fill(2));
  });
});
