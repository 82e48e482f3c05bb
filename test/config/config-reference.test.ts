import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components.js';
import { renderConfigReference } from '../../src/config/config-reference.js';

describe('configuration reference', () => {
  const doc = readFileSync('docs/configuration.md', 'utf8');
  const generated = renderConfigReference(builtinComponents());

  it('is the same in docs/configuration.md as the schemas say (regenerate with `corrgate reference`)', () => {
    const start = doc.indexOf('<!-- generated: corrgate reference -->\n');
    const end = doc.indexOf('<!-- end generated -->');
    expect(start).toBeGreaterThan(0);
    expect(doc.slice(start + '<!-- generated: corrgate reference -->\n'.length, end)).toBe(generated);
  });

  it('lists every component type with its keys and defaults', () => {
    for (const type of ['receiver `otlp`', 'exporter `otlp`', 'exporter `otlphttp`', 'exporter `file`', 'exporter `nop`']) {
      expect(generated).toContain(`### ${type}`);
    }
    expect(generated).toContain('| `receivers.otlp.protocols.grpc.endpoint` | string | `127.0.0.1:4317` |');
    expect(generated).toContain('| `exporters.otlp.endpoint` | string | **required** |');
  });
});
