import { spawn } from 'node:child_process';
import { credentials } from '@grpc/grpc-js';
import { loadGateService } from '../../src/control/grpc-control-server.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGateCommand } from '../../src/cli/gate-commands.js';
import type { Io } from '../../src/cli/gate-commands.js';
import { builtinComponents } from '../../src/components.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { GatesExtension } from '../../src/extensions/gates/factory.js';
import { makeTestPki } from '../helpers/certs.js';
import { startService } from '../helpers/service-harness.js';
import type { Harness } from '../helpers/service-harness.js';

// The control API over TLS and mTLS (to openssl s_client and Node's TLS client), gate templates from
// templates_dir as Argo Rollouts uses them, the config checks on both, and `gate wait` on a terminal.

const dirs: string[] = [];
const services: Harness[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'corrgate-ctl-'));
  dirs.push(d);
  return d;
};

afterAll(async () => {
  for (const h of services.splice(0)) await h.service.shutdown();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const config = (gates: string) => `
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
${gates}
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

async function start(gates: string): Promise<{ h: Harness; port: number }> {
  const h = await startService(config(gates));
  services.push(h);
  return { h, port: (h.service.extension('gates') as GatesExtension).controlAddress!.port };
}

function httpsGet(port: number, path: string, options: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername: 'localhost', ...options }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('control API over TLS', () => {
  it('serves HTTPS and gRPC with the configured certificate, and with client_ca_file refuses clients without a certificate', async () => {
    const pki = makeTestPki();
    const ca = readFileSync(pki.caCert);
    const { h, port } = await start(`    control:
      endpoint: 127.0.0.1:0
      grpc: { endpoint: 127.0.0.1:0 }
      tls: { cert_file: ${pki.serverCert}, key_file: ${pki.serverKey}, client_ca_file: ${pki.caCert} }`);
    const ok = await httpsGet(port, '/healthz', { ca, cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) });
    expect(ok).toEqual({ status: 200, body: '{"status":"ok"}' });
    await expect(httpsGet(port, '/healthz', { ca })).rejects.toThrow();
    // The gRPC API takes the same TLS: a client with a certificate lists gates, one without is refused.
    const GateService = loadGateService();
    const target = `localhost:${(h.service.extension('gates') as GatesExtension).grpcAddress!.port}`;
    const list = (creds: ReturnType<typeof credentials.createSsl>) =>
      new Promise<{ gates: unknown[] } | Error>((resolve) => {
        const client = new GateService(target, creds);
        client.ListGates!({}, { deadline: Date.now() + 5000 }, (err: Error | null, reply: { gates: unknown[] }) => {
          client.close();
          resolve(err ?? reply);
        });
      });
    expect(await list(credentials.createSsl(ca, readFileSync(pki.clientKey), readFileSync(pki.clientCert)))).toEqual({ gates: [] });
    expect(await list(credentials.createSsl(ca))).toBeInstanceOf(Error);
    // openssl s_client sees corrgate's certificate chain and verifies it against the test CA.
    // (Asynchronously: the server answering it runs in this process.)
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caCert, '-cert', pki.clientCert, '-key', pki.clientKey, '-verify_return_error', '-brief', '-ign_eof'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    client.stderr.on('data', (d: Buffer) => (out += d.toString()));
    client.stdin.end('GET /healthz HTTP/1.0\r\n\r\n');
    const code = await new Promise<number | null>((resolve) => client.once('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toMatch(/Verification: OK/);
    expect(out).toContain('{"status":"ok"}');
  });
});

describe('gate templates', () => {
  it('opens an Argo Rollouts gate from a template in templates_dir, with the caller scope and window', async () => {
    const templates = tempDir();
    writeFileSync(
      join(templates, 'strict.yaml'),
      'window: { duration: 90s }\ninterval: 5s\nmin_samples: 20\nrules:\n  - { name: tight-ceiling, measure: error_ratio, threshold: { max: 0.01 }, critical: true }\n',
    );
    const { port } = await start(`    templates_dir: ${templates}
    control:
      endpoint: 127.0.0.1:0`);
    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/v1/argo-rollouts/gates/strict-canary?service=cart&canary=3.1.0&template=strict`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ gate: 'strict-canary', decision: 'running', final: false, evaluation: 0 });
    const gate = (await (await fetch(`${base}/v1/gates/strict-canary`)).json()) as { source: string; spec: { interval: number; min_samples: number; scope: object; rules: { name: string }[]; baseline: object; window: { startMs: number; endMs: number } } };
    expect(gate.source).toBe('argo-rollouts');
    expect(gate.spec).toMatchObject({ interval: 5000, min_samples: 20, scope: { services: ['cart'], versions: ['3.1.0'] }, baseline: { kind: 'none' } });
    expect(gate.spec.rules.map((r) => r.name)).toEqual(['tight-ceiling']);
    expect(gate.spec.window.endMs - gate.spec.window.startMs).toBe(90_000);
    const unknown = await fetch(`${base}/v1/argo-rollouts/gates/other?service=cart&template=lenient`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { details: string[] } }).error.details).toEqual(['template: no gate template "lenient" (known: canary, strict)']);
  });

  it('rejects at validation a template that does not parse, a token set that would leave writes open, naming the paths', () => {
    const templates = tempDir();
    writeFileSync(join(templates, 'broken.yaml'), 'id: nope\nrules:\n  - { name: x, measure: error_ratio }\n');
    const text = config(`    templates_dir: ${templates}
    control:
      endpoint: 127.0.0.1:4320
      auth: { read_token: only-read }`)
      .replaceAll('HTTP_PORT', '4318')
      .replaceAll('METRICS_PORT', '8888');
    try {
      parseConfig(text, 'test.yaml', builtinComponents(), {});
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const issues = (err as ConfigError).issues;
      expect(issues).toContainEqual(expect.stringMatching(new RegExp(`^extensions\\.gates\\.templates_dir: .*broken\\.yaml: id: a template has none; the caller gives it$`)));
      expect(issues).toContain('extensions.gates.control.auth.write_token: set write_token too: with only a read token, reads would be guarded and writes open');
    }
  });
});

describe('gate wait on a terminal', () => {
  it('redraws one status line in place and ends it with a newline and the exit code of the decision', async () => {
    const { port } = await start(`    control:
      endpoint: 127.0.0.1:0`);
    const base = `http://127.0.0.1:${port}`;
    const open = await fetch(`${base}/v1/gates`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'id: tty-gate\nscope: { services: [nothing] }\nwindow: { until_closed: true }\ninterval: 1h\nrules:\n  - { name: ceiling, measure: error_ratio, threshold: { max: 0.1 } }\n',
    });
    expect(open.status).toBe(201);
    let out = '';
    let polls = 0;
    const io: Io = {
      out: (t) => void (out += t),
      err: (t) => void (out += t),
      tty: true,
      env: {},
      now: Date.now,
      // The second poll finds the gate closed: close it between the first and the second.
      sleep: async () => {
        polls++;
        if (polls === 1) expect((await fetch(`${base}/v1/gates/tty-gate/close`, { method: 'POST' })).status).toBe(200);
      },
    };
    const code = await runGateCommand('gate', ['wait', 'tty-gate', '--endpoint', base, '--interval', '100ms'], io);
    expect(code).toBe(2);
    const frames = out.split('\r').slice(1);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/^tty-gate {2}RUNNING {2}status open {2}evaluation 0 {2}score -$/);
    expect(frames[1]).toMatch(/^tty-gate {2}INCONCLUSIVE {2}status closed {2}evaluation 1 {2}score - {2}Only 0 spans.*\n$/);
    expect(out).not.toContain('\n\r');
  });
});
