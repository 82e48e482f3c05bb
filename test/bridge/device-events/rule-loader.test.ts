import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRuleFiles } from '../../../src/bridge/device-events/builtin-rules.js';
import { loadRuleSet, readRuleFile } from '../../../src/bridge/device-events/rule-loader.js';
import { attributesToPlain } from '../../../src/model/attributes.js';
import { RESOURCE, syslogRecord } from './device-records.js';

const dir = mkdtempSync(join(tmpdir(), 'corrgate-rules-'));
function ruleFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const linkDown = syslogRecord('cisco', 'cisco', 'LINK-3-UPDOWN', 'Interface GigabitEthernet0/1, changed state to down');

describe('rule loading', () => {
  it('reads a user rules file with a file-level vendor', () => {
    const file = ruleFile(
      'acme.yaml',
      `vendor: acme
rules:
  - name: acme-port-down
    event: network.interface.down
    match:
      attributes: { syslog.mnemonic: PORT_DOWN }
      body: '/^port (?<p>\\S+)/'
    extract:
      network.interface.name: '\${p}'
`,
    );
    const { ruleSet, issues } = loadRuleSet({ inline: [], files: [file], builtinFiles: [] });
    expect(issues).toEqual([]);
    const out = attributesToPlain(ruleSet!.apply(syslogRecord('acme', 'rfc5424', 'PORT_DOWN', 'port 7 lost carrier'), RESOURCE)!.record.attributes);
    expect(out['event.name']).toBe('network.interface.down');
    expect(out['device.event.vendor']).toBe('acme');
    expect(out['network.interface.name']).toBe('7');
  });

  it('tries user rules before shipped ones, so a user rule overrides', () => {
    const file = ruleFile(
      'override.yaml',
      `rules:
  - name: lab-flap
    event: network.interface.flap
    match:
      attributes: { syslog.vendor: cisco, syslog.mnemonic: LINK-3-UPDOWN }
`,
    );
    const { ruleSet } = loadRuleSet({ inline: [], files: [file], builtinFiles: builtinRuleFiles() });
    const applied = ruleSet!.apply(linkDown, RESOURCE)!;
    expect(applied.rule.name).toBe('lab-flap');
    expect(attributesToPlain(applied.record.attributes)['event.name']).toBe('network.interface.flap');
  });

  it('puts inline rules first and lets a user rule named like a shipped one replace it', () => {
    const { ruleSet, issues } = loadRuleSet({
      inline: [{ name: 'cisco-link-down', event: 'network.interface.down', vendor: 'cisco', match: { attributes: { 'syslog.mnemonic': 'LINK-3-UPDOWN' }, body: 'down' }, extract: { 'network.interface.name': 'replaced' } }],
      files: [],
      builtinFiles: builtinRuleFiles(),
    });
    expect(issues).toEqual([]);
    expect(ruleSet!.rules.filter((r) => r.name === 'cisco-link-down').map((r) => r.source)).toEqual(['rules']);
    expect(attributesToPlain(ruleSet!.apply(linkDown, RESOURCE)!.record.attributes)['network.interface.name']).toBe('replaced');
  });

  it('rejects a rules file with errors, naming the file, the rule and the field', () => {
    const file = ruleFile(
      'broken.yaml',
      `rules:
  - name: fine
    event: device.reboot
    match: { body: boot }
  - name: bad-regex
    event: device.reboot
    match: { body: '/(unclosed/' }
  - name: no-event
    match: { body: x }
  - name: typo
    event: device.reboot
    match: { body: x }
    extrct: {}
  - name: fortigate
    event: device.reboot
    match: { attributes: { syslog.field.logid: 100032002 } }
`,
    );
    const { ruleSet, issues } = loadRuleSet({ inline: [], files: [file], builtinFiles: [] });
    expect(ruleSet).toBeUndefined();
    expect(issues.map((i) => i.path)).toEqual([['rules_files', 0], ['rules_files', 0], ['rules_files', 0]]);
    expect(issues.map((i) => i.message)).toEqual([
      `${file}: rules[2] "no-event": event: required`,
      `${file}: rules[3] "typo": extrct: unknown key`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: rules\\[4\\] "fortigate": match\\.attributes\\.syslog\\.field\\.logid: `)),
    ]);
    // The shape is valid once fixed, and the regex error then names its rule and field.
    const regexOnly = ruleFile('regex.yaml', `rules:\n  - name: bad-regex\n    event: device.reboot\n    match: { body: '/(unclosed/' }\n`);
    const second = loadRuleSet({ inline: [], files: [regexOnly], builtinFiles: [] });
    expect(second.issues).toHaveLength(1);
    expect(second.issues[0]!.message).toMatch(new RegExp(`^${regexOnly.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: rules\\[0\\] "bad-regex": match\\.body: invalid regular expression /\\(unclosed/: `));
  });

  it('names unreadable files, bad YAML and duplicate rule names', () => {
    expect(readRuleFile(join(dir, 'missing.yaml')).issues[0]).toMatch(/missing\.yaml: cannot read the rules file: ENOENT/);
    expect(readRuleFile(ruleFile('bad.yaml', 'rules: [\n')).issues[0]).toMatch(/bad\.yaml: not valid YAML \(line \d+\)/);
    const a = ruleFile('a.yaml', 'rules:\n  - { name: same, event: device.reboot, match: { body: x } }\n');
    const b = ruleFile('b.yaml', 'rules:\n  - { name: same, event: device.reboot, match: { body: y } }\n');
    const { issues } = loadRuleSet({ inline: [], files: [a, b], builtinFiles: [] });
    expect(issues).toEqual([{ path: ['rules_files', 1], message: `${b}: rules[0] "same": name: "same" is already the name of ${a}: rules[0] "same"` }]);
  });

  it('reports inline rule problems under rules[i] with the rule name', () => {
    const { issues } = loadRuleSet({ inline: [{ name: 'x', event: 'device.reboot', match: { body: '(?<a>z)' }, extract: { 'user.name': '${b}' } }], files: [], builtinFiles: [] });
    expect(issues).toEqual([{ path: ['rules', 0], message: 'rule "x": extract.user.name: template "${b}" names group "b", but the rule\'s regexes define a' }]);
  });
});
