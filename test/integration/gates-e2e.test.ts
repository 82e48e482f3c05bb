import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatesExtension } from '../../src/extensions/gates/factory.js';
import { parseGateSpec } from '../../src/gates/gate-spec.js';
import type { GateDecision } from '../../src/gates/gate-types.js';
import { attributesToPlain } from '../../src/model/attributes.js';
import { idToHex } from '../../src/model/ids.js';
import type { Span } from '../../src/model/span.js';
import { freePort, waitFor } from '../helpers/net.js';
import { CAPTURE_CONFIG, startService } from '../helpers/service-harness.js';
import type { Harness } from '../helpers/service-harness.js';

// End to end with real parts: the OpenTelemetry-SDK-instrumented checkout service of test/fixtures
// runs as a stable (1.0.0) and a canary version, sending spans and logs over OTLP/HTTP to corrgate;
// corrgate's gates judge the canary against the stable version and export each decision as spans to
// a second corrgate, whose pipeline sink is where the decision spans are checked.

let backend: Harness;
let gatecheck: Harness;
let syslogPort: number;
let trapPort: number;

beforeAll(async () => {
  backend = await startService(CAPTURE_CONFIG);
  syslogPort = await freePort();
  trapPort = await freePort();
  gatecheck = await startService(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:HTTP_PORT
  syslog:
    udp:
      listen_address: 127.0.0.1:${syslogPort}
  snmptrap:
    listen_address: 127.0.0.1:${trapPort}
    communities: [public]
processors:
  device_events:
  correlator:
    bucket_width: 1s
    chain_interval: 1m
    topology:
      devices:
        - name: tor-canary
          addresses: [127.0.0.1]
          hosts: [node-canary]
        - name: tor-other
          addresses: [127.0.0.3]
          hosts: [node-other]
exporters:
  nop:
extensions:
  gates:
    export:
      endpoint: http://127.0.0.1:${backend.grpcPort}
service:
  extensions: [gates]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [correlator]
      exporters: [nop]
    logs:
      receivers: [otlp, syslog, snmptrap]
      processors: [device_events, correlator]
      exporters: [nop]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`);
});

afterAll(async () => {
  await gatecheck?.service.shutdown();
  await backend?.service.shutdown();
});

interface Service {
  child: ChildProcess;
  port: number;
}

async function startCheckout(version: string, env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, ['test/fixtures/checkout-service.mjs'], {
    env: { ...process.env, SERVICE_VERSION: version, OTLP_HTTP: `http://127.0.0.1:${gatecheck.httpPort}`, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`checkout ${version} exited (${code})`)));
  });
  return { child, port };
}

async function stop(s: Service): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

async function drive(s: Service, requests: number): Promise<void> {
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.port, path: '/checkout', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < requests; i += 8) await Promise.all(Array.from({ length: Math.min(8, requests - i) }, one));
}

function runner() {
  const ext = gatecheck.service.extension('gates');
  if (!(ext instanceof GatesExtension) || !ext.runner) throw new Error('gates extension is not running');
  return ext.runner;
}

const gateSpec = (id: string, canary: string, overrides: Record<string, unknown> = {}, lookBackMs = 2000) =>
  parseGateSpec(
    {
      id,
      scope: { services: ['checkout'], versions: [canary], include_dependencies: true },
      window: { start: 'now', until_closed: true },
      interval: '1h',
      baseline: { kind: 'stable_version', versions: ['1.0.0'] },
      min_samples: 50,
      rules: [
        { name: 'errors-vs-stable', measure: 'two_proportion', confidence: 0.95, min_difference: 0.02, weight: 3 },
        { name: 'latency-vs-stable', measure: 'mann_whitney', confidence: 0.98, effect_size_floor: 0.25, weight: 3 },
        { name: 'error-ratio-ceiling', measure: 'error_ratio', threshold: { max: 0.25 }, critical: true },
        { name: 'no-failure-chains', measure: 'chains', threshold: { max: 0 }, critical: true },
      ],
      ...overrides,
    },
    // Not before the gates extension started: what came earlier was never seen, and a window that
    // began before it cannot pass.
    Math.max(Date.now() - lookBackMs, (gatecheck.service.extension('gates') as GatesExtension).evidenceFromMs!),
  );

async function acceptedSpans(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gatecheck.metricsPort}/metrics`)).text();
  const m = /corrgate_receiver_accepted_spans_total\{receiver="otlp",transport="http"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Runs versions of the checkout service, drives `requests` to each, stops them (flushing their telemetry). */
async function run(versions: { version: string; env: Record<string, string>; requests: number }[]): Promise<void> {
  const before = await acceptedSpans();
  const services = await Promise.all(versions.map((v) => startCheckout(v.version, v.env)));
  try {
    await Promise.all(services.map((s, i) => drive(s, versions[i]!.requests)));
  } finally {
    await Promise.all(services.map(stop));
  }
  const total = versions.reduce((n, v) => n + v.requests, 0);
  await waitFor('every span to reach corrgate', async () => (await acceptedSpans()) >= before + total);
}

function decisionSpans(gateId: string): Span[] {
  const out: Span[] = [];
  for (const b of backend.capture.traces)
    for (const rs of b.resourceSpans)
      for (const ss of rs.scopeSpans) for (const s of ss.spans) if (attributesToPlain(s.attributes)['corrgate.gate.id'] === gateId) out.push(s);
  return out;
}

describe('gates, end to end', () => {
  it('fails a canary with a raised error rate, citing its failing traces, and passes a good one', async () => {
    await run([
      { version: '1.0.0', env: { ERROR_EVERY: '50', LATENCY_MS: '4' }, requests: 300 },
      { version: '2.0.0', env: { ERROR_EVERY: '6', LATENCY_MS: '4' }, requests: 300 },
      { version: '2.0.1', env: { ERROR_EVERY: '50', LATENCY_MS: '4' }, requests: 300 },
    ]);

    const r = runner();
    r.open(gateSpec('bad-canary', '2.0.0'));
    r.open(gateSpec('good-canary', '2.0.1'));
    const failed: GateDecision = r.close('bad-canary');
    const passed: GateDecision = r.close('good-canary');

    expect(failed.decision).toBe('FAIL');
    const errorsRule = failed.rules.find((x) => x.name === 'errors-vs-stable')!;
    expect(errorsRule.outcome).toBe('fail');
    expect(errorsRule.samples.current).toBe(300);
    expect(errorsRule.observed).toBeCloseTo(50 / 300, 3);
    expect(failed.evidence.errorTraces.length).toBeGreaterThan(0);
    expect(failed.evidence.errorLogs.map((l) => l.body)).toContain('payment backend unavailable: connect ETIMEDOUT');

    expect(passed.decision).toBe('PASS');
    expect(passed.rules.every((x) => x.outcome === 'pass')).toBe(true);

    // Each gate is one trace: the gate's span and its evaluation as a child, in the tracing backend.
    await waitFor('the decision spans at the tracing backend', () => decisionSpans('bad-canary').length >= 2 && decisionSpans('good-canary').length >= 2);
    const spans = decisionSpans('bad-canary');
    const parent = spans.find((s) => s.name === 'gate bad-canary')!;
    const evaluation = spans.find((s) => s.name === 'gate.evaluate')!;
    expect(idToHex(evaluation.traceId)).toBe(idToHex(parent.traceId));
    expect(idToHex(evaluation.parentSpanId)).toBe(idToHex(parent.spanId));
    expect(attributesToPlain(evaluation.attributes)).toMatchObject({ 'corrgate.gate.decision': 'FAIL' });
    expect(evaluation.events.map((e) => e.name)).toContain('gate.decision');
    expect(evaluation.events.filter((e) => e.name === 'gate.rule')).toHaveLength(4);
    const cited = failed.evidence.errorTraces.map((e) => e.traceIdHex);
    expect(evaluation.links.map((l) => idToHex(l.traceId)).some((t) => cited.includes(t))).toBe(true);
    expect(idToHex(decisionSpans('good-canary')[0]!.traceId)).not.toBe(idToHex(parent.traceId));
  });
});

describe('gates, end to end: latency, noise, devices, no data, dry run', () => {
  it('fails a canary with a latency regression on the statistical rule, and passes a noisy small-sample canary', async () => {
    await run([
      { version: '1.0.0', env: { ERROR_EVERY: '50', LATENCY_MS: '4' }, requests: 200 },
      { version: '3.0.0', env: { ERROR_EVERY: '50', LATENCY_MS: '12' }, requests: 200 },
      { version: '3.0.1', env: { ERROR_EVERY: '20', LATENCY_MS: '4' }, requests: 60 },
    ]);
    const r = runner();
    r.open(gateSpec('slow-canary', '3.0.0'));
    const slow = r.close('slow-canary');
    expect(slow.decision).toBe('FAIL');
    const latency = slow.rules.find((x) => x.name === 'latency-vs-stable')!;
    expect(latency.outcome).toBe('fail');
    expect(latency.statistic?.name).toMatch(/mann/i);
    expect(latency.statistic!.pValue!).toBeLessThan(0.02);
    expect(slow.rules.find((x) => x.name === 'errors-vs-stable')!.outcome).toBe('pass');

    // 3 errors in 60 against 1 in 50: noise on a small sample, not a failed rollout.
    r.open(gateSpec('noisy-canary', '3.0.1', { min_samples: 30 }));
    const noisy = r.close('noisy-canary');
    expect(noisy.rules.find((x) => x.name === 'errors-vs-stable')!.outcome).toBe('pass');
    expect(noisy.decision).toBe('PASS');
  });

  it("fails a canary whose switch goes down before its errors, citing the chain; the same on another switch passes", async () => {
    const versions = [
      { version: '1.0.0', env: { ERROR_EVERY: '50', LATENCY_MS: '4', HOST_NAME: 'node-stable' }, requests: 20 },
      { version: '4.0.0', env: { ERROR_EVERY: '9', LATENCY_MS: '4', HOST_NAME: 'node-canary' }, requests: 20 },
      { version: '4.0.1', env: { ERROR_EVERY: '9', LATENCY_MS: '4', HOST_NAME: 'node-other' }, requests: 20 },
    ];
    // The services are running (and so known to run on their hosts) before anything happens.
    await run(versions);
    const clock = (d: Date) => `${d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 23)} UTC`;
    // The switch in front of node-canary reports its uplink down (logger, from 127.0.0.1) and an SNMP
    // linkDown trap from the same switch; then the canary on node-canary starts failing.
    execFileSync('logger', ['-n', '127.0.0.1', '-P', String(syslogPort), '-d', '--rfc3164', '-p', 'local7.err', '-t', '12',
      `*${clock(new Date())}: %LINK-3-UPDOWN: Interface TenGigabitEthernet1/0/1, changed state to down`]);
    execFileSync('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${trapPort}`, '', '1.3.6.1.6.3.1.1.5.3',
      '1.3.6.1.2.1.2.2.1.1.1', 'i', '1', '1.3.6.1.2.1.2.2.1.2.1', 's', 'TenGigabitEthernet1/0/1']);
    await run(versions.map((v) => ({ ...v, requests: 150 })));
    const r = runner();
    r.open(gateSpec('chained-canary', '4.0.0', { rules: [{ name: 'no-failure-chains', measure: 'chains', threshold: { max: 0 }, critical: true }] }, 60_000));
    const chained = r.close('chained-canary');
    expect(chained.decision).toBe('FAIL');
    expect(chained.reason).toContain('no-failure-chains');
    expect(chained.evidence.chains).toHaveLength(1);
    const chain = chained.evidence.chains[0]!;
    expect(chain.device).toBe('tor-canary');
    expect(chain.event.eventName).toBe('network.interface.down');
    expect(chain.traceIds.length).toBeGreaterThan(0);
    expect(chained.evidence.deviceEvents.map((e) => e.eventName)).toContain('network.interface.down');

    // The canary on node-other fails just as much, but nothing happened to its switch: no chain.
    r.open(gateSpec('unchained-canary', '4.0.1', { rules: [{ name: 'no-failure-chains', measure: 'chains', threshold: { max: 0 }, critical: true }], min_samples: 30 }, 60_000));
    const unchained = r.close('unchained-canary');
    expect(unchained.evidence.chains).toEqual([]);
    expect(unchained.decision).toBe('PASS');
  });

  it('gives INCONCLUSIVE without traffic, and a dry run records FAIL but reports PASS', async () => {
    const r = runner();
    r.open(gateSpec('idle-canary', '9.9.9'));
    expect(r.close('idle-canary').decision).toBe('INCONCLUSIVE');

    await run([
      { version: '1.0.0', env: { ERROR_EVERY: '50', LATENCY_MS: '4' }, requests: 150 },
      { version: '5.0.0', env: { ERROR_EVERY: '4', LATENCY_MS: '4' }, requests: 150 },
    ]);
    r.open(gateSpec('trial-canary', '5.0.0', { dry_run: true }));
    const trial = r.close('trial-canary');
    expect(trial.decision).toBe('FAIL');
    expect(trial.reported).toBe('PASS');
    expect(trial.dryRun).toBe(true);
  });
});
