import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { baselineOf, parseGateSpec, scopeSelectorOf } from '../../src/gates/gate-spec.js';
import { ruleFamilyOf } from '../../src/gates/rules/evaluate-rule.js';

const DIR = join(import.meta.dirname, '../../config/gates');
const NOW = Date.parse('2026-11-25T10:00:00Z');
const load = (file: string) => parseGateSpec(parse(readFileSync(join(DIR, file), 'utf8')), NOW);

describe('example gate specs in config/gates', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

  it('ships at least three', () => {
    expect(files.sort()).toEqual(['checkout-canary.yaml', 'edge-switch-change.yaml', 'payments-progressive.yaml', 'quickstart-canary.yaml']);
  });

  it.each(files)('%s parses, named after its file', (file) => {
    expect(load(file).id).toBe(file.replace(/\.yaml$/, ''));
  });

  it('checkout-canary compares 2.1.0 with 2.0.0 over ten minutes', () => {
    const spec = load('checkout-canary.yaml');
    expect(spec.window).toEqual({ startMs: NOW, endMs: NOW + 600_000 });
    expect(scopeSelectorOf(spec)).toEqual({ services: ['checkout'], namespace: 'shop', environment: 'prod', versions: ['2.1.0'], includeDependencies: true });
    expect(baselineOf(spec, { startMs: NOW, endMs: NOW + 600_000 })?.scope.versions).toEqual(['2.0.0']);
    expect(spec.rules.map(ruleFamilyOf)).toEqual(['two_proportion', 'mann_whitney', 'threshold', 'relative', 'threshold', 'chains']);
  });

  it('edge-switch-change starts at a fixed time and compares with the window before', () => {
    const spec = load('edge-switch-change.yaml');
    expect(spec.window).toEqual({ startMs: Date.parse('2026-11-25T10:00:00Z'), endMs: Date.parse('2026-11-25T10:15:00Z') });
    expect(spec.interval).toBe(60_000);
    expect(baselineOf(spec, { startMs: spec.window.startMs, endMs: spec.window.endMs! })).toMatchObject({ startMs: Date.parse('2026-11-25T09:45:00Z'), endMs: spec.window.startMs });
  });

  it('payments-progressive is an open dry run', () => {
    const spec = load('payments-progressive.yaml');
    expect(spec).toMatchObject({ dry_run: true, window: { startMs: NOW, endMs: undefined }, scoring: { pass: 95, marginal: 80 }, min_samples: 200 });
  });
});
