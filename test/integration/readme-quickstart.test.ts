import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/net.js';

// The README's quick start, step by step, with real processes: corrgate on the embedded defaults
// (config/corrgate.yaml, only its ports moved to free ones and its data directory to a temporary
// one), the SDK-instrumented checkout service as stable and canary, the gate CLI. It must end as
// the README says: the gate decided FAIL, `gate wait` exiting 1, `gate explain` naming the rule.

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const c of children.reverse()) {
    if (c.exitCode !== null) continue;
    c.kill('SIGTERM');
    await new Promise((r) => c.once('exit', r));
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const p = start(args, env);
  const code = await new Promise<number | null>((r) => p.child.once('exit', r));
  return { code, out: p.out() };
}

describe('the README quick start', () => {
  it('opens a gate on the embedded defaults and decides it FAIL for a canary failing one request in five', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-quickstart-'));
    dirs.push(dir);
    let config = readFileSync('config/corrgate.yaml', 'utf8');
    const ports: Record<string, number> = {};
    for (const port of ['4317', '4318', '4319', '4320', '4321', '5514', '9162', '8888']) {
      ports[port] = await freePort();
      config = config.replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${ports[port]}`);
    }
    expect(config).toContain('${env:STATE_DIRECTORY:-./data}');
    writeFileSync(join(dir, 'corrgate.yaml'), config);
    const corrgate = start(['dist/cli/main.js', 'serve', '--config', join(dir, 'corrgate.yaml')], { STATE_DIRECTORY: join(dir, 'state') });
    await waitFor('corrgate to be ready', async () => (await fetch(`http://127.0.0.1:${ports['8888']}/readyz`).catch(() => undefined))?.status === 200, 20_000);

    const otlp = { OTLP_HTTP: `http://127.0.0.1:${ports['4318']}` };
    const [stablePort, canaryPort] = [await freePort(), await freePort()];
    const stable = start(['test/fixtures/checkout-service.mjs'], { ...otlp, PORT: String(stablePort), SERVICE_VERSION: '2.0.0' });
    const canary = start(['test/fixtures/checkout-service.mjs'], { ...otlp, PORT: String(canaryPort), SERVICE_VERSION: '2.1.0', ERROR_EVERY: '5' });
    await waitFor('both checkout versions to listen', () => stable.out().includes('listening') && canary.out().includes('listening'));

    const cli = { CORRGATE_ENDPOINT: `http://127.0.0.1:${ports['4320']}` };
    const opened = await run(['dist/cli/main.js', 'gate', 'open', '-f', 'config/gates/quickstart-canary.yaml'], cli);
    expect(opened.code, opened.out).toBe(0);
    expect(opened.out).toMatch(/^gate quickstart-canary opened/);
    for (let i = 0; i < 300; i++) {
      for (const port of [stablePort, canaryPort]) await (await fetch(`http://127.0.0.1:${port}/`)).text();
    }
    const waited = await run(['dist/cli/main.js', 'gate', 'wait', 'quickstart-canary', '--timeout', '3m', '--interval', '1s'], cli);
    expect(waited.code, waited.out).toBe(1);
    expect(waited.out.trim().split('\n').at(-1)).toMatch(/^quickstart-canary {2}FAIL {2}status decided/);
    const explained = await run(['dist/cli/main.js', 'gate', 'explain', 'quickstart-canary'], cli);
    expect(explained.code).toBe(0);
    expect(explained.out).toMatch(/\nerror-ratio-ceiling +error_ratio +FAIL! +0\.2/);
    expect(corrgate.out()).toContain('"store":"' + join(dir, 'state', 'gates.db'));
  });
});
