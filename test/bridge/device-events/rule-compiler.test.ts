import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../src/bridge/device-events/rule-compiler.js';
import { groupNames, parseRegexLiteral } from '../../../src/bridge/device-events/regex-literal.js';
import { ruleSchema } from '../../../src/bridge/device-events/rule-schema.js';
import type { RuleSpec } from '../../../src/bridge/device-events/rule-schema.js';

const spec = (over: Partial<RuleSpec> & { match: RuleSpec['match'] }): RuleSpec => ruleSchema.parse({ name: 'r', event: 'network.interface.down', ...over });
const compile = (s: RuleSpec) => compileRule(s, { order: 0, source: 'test', defaultVendor: 'acme' });

describe('rule compiler', () => {
  it('reads /pattern/flags as a regex and anything else as an exact value', () => {
    expect(parseRegexLiteral('/^a\\/b$/i')).toEqual({ pattern: '^a\\/b$', flags: 'i' });
    expect(parseRegexLiteral('LINK-3-UPDOWN')).toBeUndefined();
    expect(groupNames(/(?<a>x)|(?<b>y)/)).toEqual(['a', 'b']);
  });

  it('compiles conditions, the body regex and typed extractions', () => {
    const rule = compile(
      spec({
        match: {
          attributes: { 'syslog.vendor': 'cisco', 'syslog.mnemonic': ['LINK-3-UPDOWN', 'LINK-5-CHANGED'], 'syslog.msgid': '/^\\d+$/' },
          resource: { 'host.name': '/^edge-/' },
          body: '^Interface (?<iface>[^,]+), changed state to down',
        },
        extract: { 'network.interface.name': '${iface}', 'network.interface.index': { value: ['${attr:ifIndex}'], type: 'int' } },
      }),
    );
    expect(rule.attributes.map((c) => [c.key, c.kind])).toEqual([
      ['syslog.vendor', 'exact'],
      ['syslog.mnemonic', 'any'],
      ['syslog.msgid', 'regex'],
    ]);
    expect(rule.resource.map((c) => [c.key, c.kind])).toEqual([['host.name', 'regex']]);
    expect(rule.body?.source).toBe('^Interface (?<iface>[^,]+), changed state to down');
    expect(rule.extract.map((x) => [x.key, x.type, x.templates.length])).toEqual([
      ['network.interface.name', 'string', 1],
      ['network.interface.index', 'int', 1],
    ]);
    expect(rule.vendor).toBe('acme');
  });

  it('indexes by the most selective exact condition', () => {
    const byMnemonic = compile(spec({ match: { attributes: { 'syslog.vendor': 'cisco', 'syslog.mnemonic': ['A', 'B'] } } }));
    expect(byMnemonic.indexKey).toEqual({ key: 'syslog.mnemonic', values: ['A', 'B'] });
    const byVendor = compile(spec({ match: { attributes: { 'syslog.vendor': 'cisco', 'syslog.mnemonic': '/^ETHPORT-/' } } }));
    expect(byVendor.indexKey).toEqual({ key: 'syslog.vendor', values: ['cisco'] });
    expect(compile(spec({ match: { body: 'x' } })).indexKey).toBeUndefined();
  });

  it('names the field of a bad regex, a stateful flag, an unknown group and a reserved output', () => {
    expect(() => compile(spec({ match: { body: '/(unclosed/' } }))).toThrow(/^match\.body: invalid regular expression \/\(unclosed\/: /);
    expect(() => compile(spec({ match: { attributes: { 'syslog.mnemonic': '/x/g' } } }))).toThrow('match.attributes.syslog.mnemonic: flags "g" and "y" are not allowed');
    expect(() => compile(spec({ match: { body: '(?<iface>\\S+)' }, extract: { 'user.name': '${user}' } }))).toThrow('extract.user.name: template "${user}" names group "user"');
    expect(() => compile(spec({ match: { body: 'x' }, extract: { 'event.name': 'y' } }))).toThrow('extract.event.name: event.name is set by the processor itself');
  });

  it('validates the rule shape: event names, empty matches and unknown keys', () => {
    expect(ruleSchema.safeParse({ name: 'r', event: 'Interface Down', match: { body: 'x' } }).success).toBe(false);
    expect(ruleSchema.safeParse({ name: 'r', event: 'a.b', match: { attributes: {} } }).success).toBe(false);
    expect(ruleSchema.safeParse({ name: 'r', event: 'a.b', match: { body: 'x' }, extrakt: {} }).success).toBe(false);
  });
});
