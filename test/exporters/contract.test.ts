import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileExporterFactory } from '../../src/exporters/file/factory.js';
import { nopExporterFactory } from '../../src/exporters/nop/factory.js';
import { otlpExporterFactory } from '../../src/exporters/otlp/factory.js';
import { otlpHttpExporterFactory } from '../../src/exporters/otlphttp/factory.js';
import type { ExporterFactory } from '../../src/pipeline/component.js';
import { makeTraces, metricValue, testSettings } from './fixtures.js';

// The shared component contract (STYLE.md section 7), with the least config each exporter needs.

const dir = mkdtempSync(join(tmpdir(), 'corrgate-exporter-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly factory: ExporterFactory;
  readonly minimal: unknown;
}

// Port 9 (discard) on loopback has no listener: sends fail fast, and with retries off a batch is
// accounted for at once instead of being retried until the shutdown deadline.
const noRetry = { retry_on_failure: { enabled: false } };

const cases: Case[] = [
  { name: 'otlp', factory: otlpExporterFactory, minimal: { endpoint: '127.0.0.1:9', tls: { insecure: true }, ...noRetry } },
  { name: 'otlphttp', factory: otlpHttpExporterFactory, minimal: { endpoint: 'http://127.0.0.1:9', ...noRetry } },
  { name: 'file', factory: fileExporterFactory, minimal: { path: join(dir, 'contract.jsonl') } },
  { name: 'nop', factory: nopExporterFactory, minimal: undefined },
];

describe.each(cases)('exporter contract: $name', ({ factory, minimal }) => {
  const parse = () => factory.configSchema.parse(minimal);

  it('is an exporter for traces and logs, and its minimal config validates', () => {
    expect(factory.kind).toBe('exporter');
    expect(factory.signals).toEqual(['traces', 'logs']);
    expect(() => parse()).not.toThrow();
  });

  it('refuses unknown keys', () => {
    const withTypo = { ...(minimal as object), unknown_key: true };
    expect(factory.configSchema.safeParse(withTypo).success).toBe(false);
  });

  it('shuts down without having started', async () => {
    const ex = factory.create(testSettings(factory.type), parse());
    await ex.shutdown();
    await ex.shutdown();
  });

  it('starts, shuts down and starts again', async () => {
    const settings = testSettings(factory.type);
    const ex = factory.create(settings, parse());
    expect(ex.signals).toEqual(['traces', 'logs']);
    await ex.start();
    await ex.shutdown();
    await ex.start();
    await ex.shutdown();
    expect(await metricValue(settings.metrics.exporterSendFailed.traces, factory.type)).toBe(0);
  });

  it('takes a batch after a restart and accounts for it by shutdown', async () => {
    const settings = testSettings(factory.type);
    const ex = factory.create(settings, parse());
    await ex.start();
    await ex.shutdown();
    await ex.start();
    await ex.consume(makeTraces(2));
    await ex.shutdown();
    const sent = await metricValue(settings.metrics.exporterSent.traces, factory.type);
    const failed = await metricValue(settings.metrics.exporterSendFailed.traces, factory.type);
    // The network exporters find nothing listening and count a failure; the others count a send.
    expect(sent + failed).toBe(2);
  });
});
