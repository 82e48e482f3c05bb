import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load-config.js';
import { GatesExtension } from '../../src/extensions/gates/factory.js';
import { startService } from '../helpers/service-harness.js';

const config = (gatesDir: string) => `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:HTTP_PORT
processors:
  correlator:
exporters:
  nop:
extensions:
  gates:
    gates_dir: ${gatesDir}
service:
  extensions: [gates]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [correlator]
      exporters: [nop]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`;

const gate = (id: string) => `id: ${id}
scope: { services: [checkout], versions: ["2.0.0"] }
window: { start: now, duration: 150ms }
interval: 50ms
baseline: { kind: stable_version, versions: ["1.0.0"] }
rules:
  - { name: errors, measure: two_proportion }
`;

describe('gates extension', () => {
  it('opens the gates of gates_dir at start-up and evaluates them on schedule until their windows close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-gates-'));
    writeFileSync(join(dir, 'a.yaml'), gate('canary-a'));
    writeFileSync(join(dir, 'b.yml'), gate('canary-b'));
    writeFileSync(join(dir, 'notes.txt'), 'not a gate');
    const h = await startService(config(dir));
    try {
      const ext = h.service.extension('gates');
      expect(ext).toBeInstanceOf(GatesExtension);
      const runner = (ext as GatesExtension).runner!;
      expect(runner.list().map((g) => g.spec.id)).toEqual(['canary-a', 'canary-b']);
      await expect.poll(() => runner.list().every((g) => g.status === 'decided'), { timeout: 5000 }).toBe(true);
      for (const g of runner.list()) {
        expect(g.evaluations).toBeGreaterThanOrEqual(1);
        expect(g.final!.decision).toBe('INCONCLUSIVE'); // no traffic: never PASS
      }
      const metrics = await (await fetch(`http://127.0.0.1:${h.metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/corrgate_gate_decisions_total\{gate="canary-a",decision="INCONCLUSIVE"\} 1/);
    } finally {
      await h.service.shutdown();
    }
  });

  it('rejects a config whose gate file is invalid, naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-gates-'));
    writeFileSync(join(dir, 'bad.yaml'), gate('bad').replace('measure: two_proportion', 'measure: two_proportion, confidence: high'));
    try {
      parseConfig(config(dir).replaceAll('HTTP_PORT', '4318').replaceAll('METRICS_PORT', '8888'), 'test.yaml', builtinComponents(), {});
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const issue = (err as ConfigError).issues.find((i) => i.startsWith('extensions.gates.gates_dir:'))!;
      expect(issue).toContain(join(dir, 'bad.yaml'));
      expect(issue).toContain('rules[0].confidence');
    }
  });

  it('fails start-up clearly when the named correlator runs in no pipeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-gates-'));
    await expect(startService(config(dir).replace('  gates:\n', '  gates:\n    correlator: correlator/missing\n'))).rejects.toThrow(/no correlator processor "correlator\/missing"/);
  });
});
