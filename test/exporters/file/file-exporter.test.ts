import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileExporterConfigSchema } from '../../../src/exporters/file/config.js';
import { fileExporterFactory } from '../../../src/exporters/file/factory.js';
import type { Exporter } from '../../../src/pipeline/component.js';
import { RetryableError } from '../../../src/pipeline/errors.js';
import { decodeLogsJson } from '../../../src/wire/otlp/json-logs-decoder.js';
import { decodeTracesJson } from '../../../src/wire/otlp/json-traces-decoder.js';
import { waitFor } from '../../helpers/net.js';
import { makeLogs, makeTraces, metricValue, plainBatch, testSettings, type TestSettings } from '../fixtures.js';

const ID = 'file/test';

let dir: string;
let settings: TestSettings;
let exporter: Exporter | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corrgate-file-exporter-'));
  settings = testSettings(ID);
});

afterEach(async () => {
  await exporter?.shutdown();
  exporter = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function create(overrides: Record<string, unknown>): Exporter {
  exporter = fileExporterFactory.create(settings, fileExporterConfigSchema.parse(overrides));
  return exporter;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
}

describe('file exporter config', () => {
  it('requires a path and fills in the defaults', () => {
    expect(fileExporterConfigSchema.safeParse(undefined).error!.issues[0]!.message).toMatch(/path is required/);
    expect(fileExporterConfigSchema.parse({ path: '/tmp/x.jsonl' })).toEqual({ path: '/tmp/x.jsonl', format: 'json', flush_interval: 1_000 });
    expect(fileExporterConfigSchema.safeParse({ path: '/tmp/x', format: 'proto' }).success).toBe(false);
  });
});

describe('file exporter', () => {
  it('writes one OTLP/JSON request per line that decodes back to the same data', async () => {
    const path = join(dir, 'out.jsonl');
    const ex = create({ path });
    await ex.start();
    const traces = makeTraces(3);
    const logs = makeLogs(2);
    await ex.consume(traces);
    await ex.consume(logs);
    await ex.shutdown();
    const [first, second, ...rest] = lines(path);
    expect(rest).toEqual([]);
    expect(plainBatch(decodeTracesJson(first!).batch)).toEqual(plainBatch(traces));
    expect(plainBatch(decodeLogsJson(second!).batch)).toEqual(plainBatch(logs));
    expect(await metricValue(settings.metrics.exporterSent.traces, ID)).toBe(3);
    expect(await metricValue(settings.metrics.exporterSent.logs, ID)).toBe(2);
  });

  it('writes buffered lines every flush_interval without waiting for shutdown', async () => {
    const path = join(dir, 'out.jsonl');
    const ex = create({ path, flush_interval: '10ms' });
    await ex.start();
    await ex.consume(makeLogs(1));
    await ex.consume(makeLogs(1));
    await waitFor('two lines on disk', () => lines(path).length === 2);
    await waitFor('sent counted', async () => (await metricValue(settings.metrics.exporterSent.logs, ID)) === 2);
  });

  it('appends across restarts and refuses batches while stopped', async () => {
    const path = join(dir, 'out.jsonl');
    const ex = create({ path });
    await expect(ex.consume(makeTraces(1))).rejects.toBeInstanceOf(RetryableError);
    await ex.start();
    await ex.consume(makeTraces(1));
    await ex.shutdown();
    await ex.shutdown();
    await expect(ex.consume(makeTraces(1))).rejects.toBeInstanceOf(RetryableError);
    await ex.start();
    await ex.consume(makeTraces(1));
    await ex.shutdown();
    expect(lines(path)).toHaveLength(2);
  });

  it('fails start when the file cannot be opened', async () => {
    const ex = create({ path: join(dir, 'missing-dir', 'out.jsonl') });
    await expect(ex.start()).rejects.toThrow(/ENOENT/);
  });

  it('makes consume wait while the stream is backed up, until the reader catches up', async () => {
    // A FIFO with a reader that has not started reading: the pipe and then the stream's buffer
    // fill up, so the write stream asks for 'drain', which only the reader can bring.
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = createReadStream(fifo);
    const ex = create({ path: fifo, flush_interval: '0s' });
    await ex.start();
    const big = makeTraces(400);
    let done = false;
    const consumed = ex.consume(big).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    const chunks: Buffer[] = [];
    reader.on('data', (c) => chunks.push(c as Buffer));
    await consumed;
    await ex.shutdown();
    await new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(plainBatch(decodeTracesJson(text.trimEnd()).batch)).toEqual(plainBatch(big));
    expect(await metricValue(settings.metrics.exporterSent.traces, ID)).toBe(400);
  });
});
