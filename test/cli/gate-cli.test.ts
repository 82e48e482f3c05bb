import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../src/wire/otlp/protobuf-encoder.js';
import { trafficBatch } from '../helpers/gate-fixtures.js';
import { freePort, waitFor } from '../helpers/net.js';

// The gate CLI and the Nagios plugin against a real corrgate process (the built CLI), and that
// process killed with SIGKILL in the middle of evaluating: after a restart on the same storage
// directory every gate and every decision that was reported is still there, unchanged.

const WRITE = 'w-3f1c9a';
const READ = 'r-77b2e0';

interface Proc {
  child: ChildProcess;
  out: string;
  exit: Promise<number | null>;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const p: Proc = { child, out: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.out += d.toString()));
  return p;
}

/** Runs one CLI command to its end: exit code, stdout and stderr. */
async function cli(args: string[], token: string | undefined = WRITE): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CORRGATE_ENDPOINT: `http://127.0.0.1:${ports.control}`, ...(token !== undefined ? { CORRGATE_TOKEN: token } : { CORRGATE_TOKEN: '' }) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

let dir: string;
let config: string;
const ports = { otlp: 0, metrics: 0, control: 0 };
let server: Proc | undefined;

function configText(): string {
  return `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
processors:
  correlator:
    bucket_width: 1s
exporters:
  nop:
extensions:
  gates:
    storage:
      directory: ${join(dir, 'state')}
      synchronous: normal
    control:
      endpoint: 127.0.0.1:${ports.control}
      auth:
        read_token: ${READ}
        write_token: ${WRITE}
service:
  extensions: [gates]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [correlator]
      exporters: [nop]
  telemetry:
    metrics:
      address: 127.0.0.1:${ports.metrics}
`;
}

async function startServer(): Promise<void> {
  server = spawnCli(['serve', '--config', config]);
  await waitFor('corrgate to be ready', async () => (await fetch(`http://127.0.0.1:${ports.metrics}/readyz`).catch(() => undefined))?.status === 200, 20_000);
}

async function send(service: string, version: string, count: number, errors: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${ports.otlp}/v1/traces`, {
    method: 'POST',
    body: encodeTracesRequest(trafficBatch(service, version, count, errors, 20)),
    headers: { 'content-type': 'application/x-protobuf' },
  });
  expect(res.status).toBe(200);
}

function gateFile(id: string, service: string, extra = ''): string {
  const path = join(dir, `${id}.yaml`);
  writeFileSync(
    path,
    `id: ${id}
scope: { services: [${service}], versions: ["2.0.0"] }
window: { start: now, until_closed: true }
interval: 1h
baseline: { kind: stable_version, versions: ["1.0.0"] }
min_samples: 50
rules:
  - { name: errors-vs-stable, measure: two_proportion, weight: 3 }
  - { name: error-ceiling, measure: error_ratio, threshold: { max: 0.05 }, critical: true }
${extra}`,
  );
  return path;
}

const api = async (method: string, path: string, token = WRITE) => {
  const res = await fetch(`http://127.0.0.1:${ports.control}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'corrgate-gatecli-'));
  ports.otlp = await freePort();
  ports.metrics = await freePort();
  ports.control = await freePort();
  config = join(dir, 'corrgate.yaml');
  writeFileSync(config, configText());
  await startServer();
});

afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await server.exit;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('corrgate gate and corrgate check', () => {
  it('opens gates from files, waits with exit codes 1 fail, 0 pass, 2 inconclusive, and explains why as a table', async () => {
    const opened = await cli(['gate', 'open', '-f', gateFile('orders-canary', 'orders')]);
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(/^gate orders-canary opened \(run \d+\); window open until closed; trace [0-9a-f]{32}\n$/);
    expect((await cli(['gate', 'open', '-f', gateFile('billing-canary', 'billing')])).code).toBe(0);
    expect((await cli(['gate', 'open', '-f', gateFile('idle-canary', 'idle')])).code).toBe(0);
    // Traffic after the gates opened, inside their windows.
    await send('orders', '1.0.0', 300, 3);
    await send('orders', '2.0.0', 300, 90);
    await send('billing', '1.0.0', 300, 3);
    await send('billing', '2.0.0', 300, 3);

    // A second open of the same id is refused with the API's reason, exit 3.
    const again = await cli(['gate', 'open', '-f', gateFile('orders-canary', 'orders')]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('409: gate orders-canary is already open');

    // Evaluated now, the critical ceiling fails the orders canary while its window is still open.
    expect((await cli(['gate', 'evaluate', 'orders-canary'])).code).toBe(0);
    const failed = await cli(['gate', 'wait', 'orders-canary', '--timeout', '5s', '--interval', '100ms']);
    expect(failed.code).toBe(1);
    expect(failed.stdout.trim().split('\n').at(-1)).toMatch(/^orders-canary {2}FAIL {2}status decided {2}evaluation 1 {2}score \d+/);

    for (const id of ['billing-canary', 'idle-canary']) expect((await cli(['gate', 'close', id])).code).toBe(0);
    expect((await cli(['gate', 'wait', 'billing-canary', '--timeout', '5s'])).code).toBe(0);
    expect((await cli(['gate', 'wait', 'idle-canary', '--timeout', '5s'])).code).toBe(2);

    const why = await cli(['gate', 'explain', 'orders-canary'], READ);
    expect(why.code).toBe(0);
    const lines = why.stdout.split('\n');
    expect(lines[0]).toMatch(/^gate orders-canary \(run \d+, decided\): FAIL, score \d+/);
    const header = lines.findIndex((l) => l.startsWith('RULE '));
    expect(lines[header]).toMatch(/^RULE +MEASURE +OUTCOME +OBSERVED +BASELINE +THRESHOLD +SAMPLES +WEIGHT +REASON$/);
    expect(lines[header + 2]).toMatch(/^errors-vs-stable +two_proportion +FAIL +0\.300 +0\.0100 .* 300\/300 +3 /);
    expect(lines[header + 3]).toMatch(/^error-ceiling +error_ratio +FAIL! +0\.300 .*<= 0\.05 +300/);
    expect(why.stdout).toMatch(/\nEVIDENCE +ID +WHERE +WHAT\n.*\nerror trace +[0-9a-f]{32} /);
  });

  it('checks a gate as a Nagios plugin: one status line with perfdata, exit 2 CRITICAL, 0 OK, 1 WARNING, 3 UNKNOWN', async () => {
    const critical = await cli(['check', 'orders-canary'], READ);
    expect(critical.code).toBe(2);
    expect(critical.stdout).toMatch(/^CORRGATE CRITICAL - gate orders-canary FAIL, score \d+: .+ \| score=\d+(\.\d+)?;90:;75:;0;100 failed_rules=2;;;0;2 nodata_rules=0;;;0;2 evaluations=1c\n$/);
    const ok = await cli(['check', 'billing-canary'], READ);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^CORRGATE OK - gate billing-canary PASS, score 100: .+ \| score=100;90:;75:;0;100 failed_rules=0;;;0;2 /);
    const warning = await cli(['check', 'idle-canary'], READ);
    expect(warning.code).toBe(1);
    expect(warning.stdout).toMatch(/^CORRGATE WARNING - gate idle-canary INCONCLUSIVE, score -: .+ \| failed_rules=0;;;0;2 nodata_rules=2;;;0;2 evaluations=1c\n$/);
    const unknown = await cli(['check', 'no-such-gate'], READ);
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toBe('CORRGATE UNKNOWN - 404: no gate no-such-gate\n');
    const refused = await cli(['check', 'orders-canary'], 'wrong-token');
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/^CORRGATE UNKNOWN - 401: /);
    // A read token cannot open a gate: the CLI says why and exits 3.
    const denied = await cli(['gate', 'open', '-f', gateFile('denied', 'orders')], READ);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('403: the read token cannot change gates');
  });

  it('waits with a timeout: exit 2 when no final decision comes in time; exit 3 when corrgate cannot be reached', async () => {
    expect((await cli(['gate', 'open', '-f', gateFile('slow-canary', 'orders')])).code).toBe(0);
    const timedOut = await cli(['gate', 'wait', 'slow-canary', '--timeout', '300ms', '--interval', '100ms']);
    expect(timedOut.code).toBe(2);
    expect(timedOut.stdout).toMatch(/^slow-canary {2}RUNNING {2}status open {2}evaluation 0/);
    expect(timedOut.stderr).toContain('gate slow-canary has no final decision after 300ms');
    const closedPort = await freePort();
    const unreachable = spawnCli(['gate', 'status', 'slow-canary', '--endpoint', `127.0.0.1:${closedPort}`]);
    expect(await unreachable.exit).toBe(3);
    expect(unreachable.out).toContain(`cannot reach corrgate at http://127.0.0.1:${closedPort}: ECONNREFUSED`);
    expect((await cli(['gate', 'abort', 'slow-canary'])).code).toBe(0);
    expect((await cli(['gate', 'wait', 'slow-canary'])).code).toBe(3);
  });
});

describe('a corrgate killed with SIGKILL during evaluation', () => {
  it('restarts with every gate and every reported decision intact, and carries on in the same trace', async () => {
    // Gates that evaluate every 50 ms, so the kill lands while evaluations are being written.
    const ids = ['search-a', 'search-b', 'search-c'];
    for (const id of ids) {
      const path = gateFile(id, 'search').replace(/\.yaml$/, '-fast.yaml');
      writeFileSync(path, `id: ${id}\nscope: { services: [search], versions: ["2.0.0"] }\nwindow: { start: now, until_closed: true }\ninterval: 50ms\nbaseline: { kind: stable_version, versions: ["1.0.0"] }\nrules:\n  - { name: errors-vs-stable, measure: two_proportion }\n`);
      expect((await cli(['gate', 'open', '-f', path])).code).toBe(0);
    }
    await send('search', '1.0.0', 300, 3);
    await send('search', '2.0.0', 300, 3);
    expect((await cli(['gate', 'close', 'search-c'])).code).toBe(0);

    await waitFor('several evaluations of each open gate', async () => {
      for (const id of ['search-a', 'search-b']) if (((await api('GET', `/v1/gates/${id}`)).body.evaluations as number) < 5) return false;
      return true;
    });
    // What was reported before the kill: every gate, and every evaluation the API has answered with.
    const before = new Map<string, { gate: Record<string, unknown>; evaluations: Record<string, unknown>[] }>();
    for (const id of [...ids, 'orders-canary', 'billing-canary', 'idle-canary', 'slow-canary']) {
      const gate = (await api('GET', `/v1/gates/${id}`)).body;
      const evaluations = (await api('GET', `/v1/gates/${id}/evaluations?limit=1000`)).body.evaluations as Record<string, unknown>[];
      before.set(id, { gate, evaluations });
    }
    server!.child.kill('SIGKILL');
    expect(await server!.exit).toBe(null);

    await startServer();
    for (const [id, was] of before) {
      const now = (await api('GET', `/v1/gates/${id}`)).body;
      expect(now.run, id).toBe(was.gate.run);
      expect(now.trace_id, id).toBe(was.gate.trace_id);
      expect(now.opened_at, id).toBe(was.gate.opened_at);
      if (was.gate.status !== 'open') {
        expect(now.status, id).toBe(was.gate.status);
        expect(now.final, id).toEqual(was.gate.final);
      } else {
        expect(now.status, id).toBe('open');
        expect(now.evaluations as number, id).toBeGreaterThanOrEqual(was.gate.evaluations as number);
      }
      const evaluations = (await api('GET', `/v1/gates/${id}/evaluations?limit=1000`)).body.evaluations as Record<string, unknown>[];
      const byNumber = new Map(evaluations.map((e) => [e.evaluation, e]));
      for (const reported of was.evaluations) expect(byNumber.get(reported.evaluation), `${id} evaluation ${String(reported.evaluation)}`).toEqual(reported);
    }
    // The resumed gates go on evaluating, numbering on from where they were.
    const a = before.get('search-a')!;
    await waitFor('search-a to evaluate again after the restart', async () => ((await api('GET', '/v1/gates/search-a')).body.evaluations as number) > (a.gate.evaluations as number) + 2);
    // Closed now, it cannot pass: the evidence from before the restart was in memory and is gone, and
    // the decision says so rather than passing on the part of the window that was seen (clean as it is).
    await send('search', '1.0.0', 300, 3);
    await send('search', '2.0.0', 300, 3);
    const closed = await api('POST', '/v1/gates/search-a/close');
    expect(closed.status).toBe(200);
    expect(closed.body.final).toBe(true);
    expect(closed.body.decision).toBe('INCONCLUSIVE');
    expect(closed.body.reason).toMatch(/corrgate holds evidence only from .*restarted during the window; [\d.]+% of the window was seen/);
    expect(before.get('search-c')!.gate.decision).toBe('PASS');
  });
});
