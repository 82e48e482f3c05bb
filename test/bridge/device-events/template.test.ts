import { describe, expect, it } from 'vitest';
import { compileTemplate, renderTemplate, scalarText } from '../../../src/bridge/device-events/template.js';
import { attrs } from './device-records.js';

describe('extraction templates', () => {
  const groups = new Set(['iface', 'peer']);
  const ctx = {
    groups: { iface: 'Gi0/1', peer: undefined },
    attributes: attrs({ 'snmp.varbind.ifIndex': 7, 'syslog.field.user': 'admin' }),
    resource: attrs({ 'host.name': 'edge-1' }),
  };

  it('splits literals and references once', () => {
    expect(compileTemplate('if ${iface} on ${resource:host.name} ($$${attr:snmp.varbind.ifIndex})', groups).parts).toEqual([
      { kind: 'literal', text: 'if ' },
      { kind: 'group', name: 'iface' },
      { kind: 'literal', text: ' on ' },
      { kind: 'resource', key: 'host.name' },
      { kind: 'literal', text: ' ($' },
      { kind: 'attribute', key: 'snmp.varbind.ifIndex' },
      { kind: 'literal', text: ')' },
    ]);
  });

  it('renders groups, record attributes (ints as decimal) and resource attributes', () => {
    expect(renderTemplate(compileTemplate('${iface}', groups), ctx)).toBe('Gi0/1');
    expect(renderTemplate(compileTemplate('${attr:snmp.varbind.ifIndex}', groups), ctx)).toBe('7');
    expect(renderTemplate(compileTemplate('${resource:host.name}/${iface}', groups), ctx)).toBe('edge-1/Gi0/1');
  });

  it('renders nothing when a referenced value is missing or the result is empty', () => {
    expect(renderTemplate(compileTemplate('peer ${peer}', groups), ctx)).toBeUndefined();
    expect(renderTemplate(compileTemplate('${attr:syslog.field.nope}', groups), ctx)).toBeUndefined();
    expect(renderTemplate(compileTemplate('${iface}', groups), { ...ctx, groups: { iface: '' } })).toBeUndefined();
  });

  it('rejects unknown groups, bad references and unterminated references at compile time', () => {
    expect(() => compileTemplate('${ifname}', groups)).toThrow('template "${ifname}" names group "ifname", but the rule\'s regexes define iface, peer');
    expect(() => compileTemplate('${x}', new Set())).toThrow('the rule has no regex with named groups');
    expect(() => compileTemplate('${env:HOME}', groups)).toThrow('"${env:HOME}" is not a reference');
    expect(() => compileTemplate('${iface', groups)).toThrow('unterminated');
  });

  it('reads scalars only', () => {
    expect(scalarText({ type: 'bool', value: true })).toBe('true');
    expect(scalarText({ type: 'double', value: 1.5 })).toBe('1.5');
    expect(scalarText({ type: 'array', value: [] })).toBeUndefined();
    expect(scalarText(undefined)).toBeUndefined();
  });
});
