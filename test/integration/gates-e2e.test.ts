import { spawn } from 'node:child_process';
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

beforeAll(async () => {
  backend = await startService(CAPTURE_CONFIG);
  gatecheck = await startService(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:HTTP_PORT
processors:
  correlator:
    bucket_width: 1s
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
      receivers: [otlp]
      processors: [correlator]
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

const gateSpec = (id: string, canary: string) =>
  parseGateSpec(
    {
      id,
      scope: { services: ['checkout'], versions: [canary] },
      window: { start: 'now', until_closed: true },
      interval: '1h',
      baseline: { kind: 'stable_version', versions: ['1.0.0'] },
      min_samples: 50,
      rules: [
        { name: 'errors-vs-stable', measure: 'two_proportion', confidence: 0.95, min_difference: 0.02, weight: 3 },
        { name: 'latency-vs-stable', measure: 'mann_whitney', confidence: 0.98, effect_size_floor: 0.25, weight: 3 },
        { name: 'error-ratio-ceiling', measure: 'error_ratio', threshold: { max: 0.25 }, critical: true },
      ],
    },
    Date.now() - 2000,
  );

function decisionSpans(gateId: string): Span[] {
  const out: Span[] = [];
  for (const b of backend.capture.traces)
    for (const rs of b.resourceSpans)
      for (const ss of rs.scopeSpans) for (const s of ss.spans) if (attributesToPlain(s.attributes)['corrgate.gate.id'] === gateId) out.push(s);
  return out;
}

describe('gates, end to end', () => {
  it('fails a canary with a raised error rate, citing its failing traces, and passes a good one', async () => {
    const stable = await startCheckout('1.0.0', { ERROR_EVERY: '50', LATENCY_MS: '4' });
    const bad = await startCheckout('2.0.0', { ERROR_EVERY: '6', LATENCY_MS: '4' });
    const good = await startCheckout('2.0.1', { ERROR_EVERY: '50', LATENCY_MS: '4' });
    try {
      await Promise.all([drive(stable, 300), drive(bad, 300), drive(good, 300)]);
    } finally {
      await Promise.all([stop(stable), stop(bad), stop(good)]);
    }
    await waitFor('the spans of all three versions', async () => {
      const text = await (await fetch(`http://127.0.0.1:${gatecheck.metricsPort}/metrics`)).text();
      const m = /corrgate_receiver_accepted_spans_total\{receiver="otlp",transport="http"\} (\d+)/.exec(text);
      return m !== null && Number(m[1]) >= 900;
    });

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
    expect(evaluation.events.filter((e) => e.name === 'gate.rule')).toHaveLength(3);
    const cited = failed.evidence.errorTraces.map((e) => e.traceIdHex);
    expect(evaluation.links.map((l) => idToHex(l.traceId)).some((t) => cited.includes(t))).toBe(true);
    expect(idToHex(decisionSpans('good-canary')[0]!.traceId)).not.toBe(idToHex(parent.traceId));
  });
});
