import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../src/wire/otlp/json-traces-decoder.js';
import { encodeTracesRequest } from '../../src/wire/otlp/protobuf-encoder.js';
import { makeTraceBatch } from '../helpers/batches.js';
import { freePort, waitFor } from '../helpers/net.js';

// corrgate as users run it: the built CLI in its own process, stopped by signals.

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

function runCli(args: string[]): Run {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { child, stdout: '', stderr: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return run;
}

async function writeConfig(dir: string, body: string): Promise<string> {
  const path = join(dir, 'corrgate.yaml');
  writeFileSync(path, body);
  return path;
}

describe('corrgate serve', () => {
  it('on SIGTERM stops listening, drains its queue, flushes exporters and exits 0 with nothing lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-life-'));
    const [http, metrics] = [await freePort(), await freePort()];
    const out = join(dir, 'spans.jsonl');
    const config = await writeConfig(
      dir,
      `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${http}
exporters:
  file:
    path: ${out}
    flush_interval: 1h
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file]
  telemetry:
    metrics:
      address: 127.0.0.1:${metrics}
`,
    );
    const run = runCli(['serve', '--config', config]);
    try {
      await waitFor('corrgate to be ready', async () => (await fetch(`http://127.0.0.1:${metrics}/readyz`).catch(() => undefined))?.status === 200);
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`http://127.0.0.1:${http}/v1/traces`, {
          method: 'POST',
          body: encodeTracesRequest(makeTraceBatch(50)),
          headers: { 'content-type': 'application/x-protobuf' },
        });
        expect(res.status).toBe(200);
      }
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      const spans = lines.reduce((n, line) => n + decodeTracesJson(line).batch.itemCount, 0);
      expect(spans).toBe(1000);
      expect(run.stdout).toContain('corrgate stopped');
      await expect(fetch(`http://127.0.0.1:${http}/v1/traces`, { method: 'POST', body: '{}' })).rejects.toThrow();
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('fails start-up with a clear message and a non-zero exit when a port is in use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-life-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const config = await writeConfig(
      dir,
      `receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:${port}\nexporters:\n  nop:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [nop]\n  telemetry:\n    metrics:\n      address: 127.0.0.1:${await freePort()}\n`,
    );
    try {
      const run = runCli(['serve', '--config', config]);
      expect(await run.exit).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*address (is )?already in use`));
    } finally {
      blocker.close();
    }
  });

  it('fails start-up naming the file when a TLS certificate cannot be used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-life-'));
    writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
    writeFileSync(join(dir, 'key.pem'), 'not a key');
    const config = await writeConfig(
      dir,
      `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${await freePort()}\n        tls:\n          cert_file: ${dir}/cert.pem\n          key_file: ${dir}/key.pem\nexporters:\n  nop:\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [nop]\n  telemetry:\n    metrics:\n      address: 127.0.0.1:${await freePort()}\n`,
    );
    const run = runCli(['serve', '--config', config]);
    expect(await run.exit).toBe(1);
    expect(run.stderr).toMatch(/receiver "otlp" failed to start: .*(PEM|certificate|key)/i);
  });

  it('fails with exit 1 and the config path on an invalid config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-life-'));
    const config = await writeConfig(dir, 'receivers:\n  otlp:\n    protocol: {}\nservice:\n  pipelines: {}\n');
    const run = runCli(['serve', '--config', config]);
    expect(await run.exit).toBe(1);
    expect(run.stderr).toContain('receivers.otlp.protocol: unknown key');
  });
});
