import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { builtinComponents } from '../../src/components.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { GatesExtension } from '../../src/extensions/gates/factory.js';
import { encodeTracesRequest } from '../../src/wire/otlp/protobuf-encoder.js';
import { trafficBatch } from '../helpers/gate-fixtures.js';
import { waitFor } from '../helpers/net.js';
import { startService } from '../helpers/service-harness.js';
import type { Harness } from '../helpers/service-harness.js';

// The files in deploy/ as the tools that read them would: the corrgate configs must validate, and
// the Argo Rollouts AnalysisTemplate and the Flagger Canary are driven against a real corrgate
// exactly as written (their URLs, headers, metadata and conditions), only pointed at loopback.

const READ = 'read-0c8e';
const WRITE = 'write-5d1a';
const env = { CORRGATE_READ_TOKEN: READ, CORRGATE_WRITE_TOKEN: WRITE };
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'corrgate-deploy-'));
  dirs.push(d);
  return d;
};

function configMapConfig(): string {
  const docs = parseAllDocuments(readFileSync('deploy/kubernetes/configmap.yaml', 'utf8')).map((d) => d.toJS() as { metadata: { name: string }; data: Record<string, string> });
  return docs.find((d) => d.metadata.name === 'corrgate-config')!.data['corrgate.yaml']!;
}

describe('deploy/ configurations', () => {
  it('the image config and the Kubernetes ConfigMap config validate (with the tokens from the environment)', () => {
    const gates = tempDir();
    const registry = builtinComponents();
    const docker = parseConfig(readFileSync('deploy/docker/corrgate.yaml', 'utf8'), 'deploy/docker/corrgate.yaml', registry, env);
    expect(docker.extensions.get('gates')).toBeDefined();
    // The ConfigMap mounts its gate specs at /etc/corrgate/gates, which does not exist here.
    const k8s = parseConfig(configMapConfig().replace('/etc/corrgate/gates', gates), 'configmap corrgate.yaml', registry, env);
    expect([...k8s.pipelines.keys()].sort()).toEqual(['logs', 'traces']);
    // Without the tokens neither starts: no open control API by accident.
    expect(() => parseConfig(readFileSync('deploy/docker/corrgate.yaml', 'utf8'), 'deploy/docker/corrgate.yaml', registry, {})).toThrow(/CORRGATE_READ_TOKEN is not set/);
  });
});

let h: Harness;
let control: string;

beforeAll(async () => {
  h = await startService(`
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
    storage:
      directory: ${tempDir()}
    control:
      endpoint: 127.0.0.1:0
      auth: { read_token: ${READ}, write_token: ${WRITE} }
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
`);
  const address = (h.service.extension('gates') as GatesExtension).controlAddress!;
  control = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await h?.service.shutdown();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function send(service: string, version: string, count: number, errors: number, attributes: Record<string, string>): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${h.httpPort}/v1/traces`, {
    method: 'POST',
    body: encodeTracesRequest(trafficBatch(service, version, count, errors, 20, attributes)),
    headers: { 'content-type': 'application/x-protobuf' },
  });
  expect(res.status).toBe(200);
}

/** The in-cluster address in the manifests, pointed at this test's corrgate. */
const local = (url: string) => url.replace('http://corrgate.corrgate.svc:4320', control);

// Argo Rollouts evaluates conditions with expr; the template uses two forms, read here exactly.
function condition(expression: string, result: { decision: string }): boolean {
  const eq = /^result\.decision == "([a-z]+)"$/.exec(expression);
  if (eq) return result.decision === eq[1];
  const within = /^result\.decision in \[((?:"[a-z]+"(?:, )?)+)\]$/.exec(expression);
  if (within) return (JSON.parse(`[${within[1]}]`) as string[]).includes(result.decision);
  throw new Error(`the AnalysisTemplate uses a condition this test does not read: ${expression}`);
}

interface WebMetric {
  name: string;
  successCondition: string;
  failureCondition: string;
  provider: { web: { method: string; url: string; headers: { key: string; value: string }[]; jsonPath: string } };
}

describe('deploy/argo-rollouts/analysis-template.yaml against corrgate', () => {
  const template = parseYaml(readFileSync('deploy/argo-rollouts/analysis-template.yaml', 'utf8')) as { spec: { args: { name: string; value?: string }[]; metrics: WebMetric[] } };

  /** One measurement as Argo takes it: the templated URL and headers, the whole JSON as `result`, then the conditions. */
  async function measure(metric: WebMetric, args: Record<string, string>): Promise<{ phase: 'Successful' | 'Failed' | 'Inconclusive'; result: { decision: string; score: number | null; reason: string } }> {
    const fill = (s: string) => s.replace(/\{\{args\.([a-z-]+)\}\}/g, (_m, name: string) => args[name] ?? template.spec.args.find((a) => a.name === name)?.value ?? '');
    const web = metric.provider.web;
    expect(web.jsonPath).toBe('{$}');
    const res = await fetch(local(fill(web.url)), { method: web.method, headers: Object.fromEntries(web.headers.map((x) => [x.key, fill(x.value)])), signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { decision: string; score: number | null; reason: string };
    const phase = condition(metric.failureCondition, result) ? 'Failed' : condition(metric.successCondition, result) ? 'Successful' : 'Inconclusive';
    return { phase, result };
  }

  const [open, decision] = [template.spec.metrics.find((m) => m.name === 'corrgate-open')!, template.spec.metrics.find((m) => m.name === 'corrgate-decision')!];
  const argsFor = (gate: string, service: string) => ({ gate, service, namespace: 'shop', environment: 'prod', 'canary-version': '2.0.0', 'stable-version': '1.0.0', duration: '2s', 'corrgate-token': WRITE });
  const resource = { 'service.namespace': 'shop', 'deployment.environment.name': 'prod' };

  async function finalMeasurement(args: Record<string, string>) {
    let last: Awaited<ReturnType<typeof measure>> | undefined;
    await waitFor('the gate to decide', async () => {
      last = await measure(decision, args);
      return last.result.decision !== 'running';
    });
    return last!;
  }

  it('opens the gate on the first measurement, then fails the analysis for a canary with errors', async () => {
    const args = argsFor('cart-canary', 'cart');
    expect((await measure(open, args)).phase).toBe('Successful');
    await send('cart', '1.0.0', 300, 3, resource);
    await send('cart', '2.0.0', 300, 60, resource);
    const m = await finalMeasurement(args);
    expect(m.phase).toBe('Failed');
    expect(m.result.decision).toBe('fail');
    expect(m.result.reason).toContain('error-ratio-ceiling');
  });

  it('passes the analysis for a healthy canary, and leaves an inconclusive one to a person (neither condition)', async () => {
    const good = argsFor('search-canary', 'search');
    const idle = argsFor('idle-canary', 'idle');
    expect((await measure(open, good)).phase).toBe('Successful');
    expect((await measure(open, idle)).phase).toBe('Successful');
    await send('search', '1.0.0', 300, 3, resource);
    await send('search', '2.0.0', 300, 3, resource);
    const passed = await finalMeasurement(good);
    expect(passed.phase).toBe('Successful');
    expect(passed.result.decision).toBe('pass');
    expect(passed.result.score).toBe(100);
    const unsure = await finalMeasurement(idle);
    expect(unsure.result.decision).toBe('inconclusive');
    expect(unsure.phase).toBe('Inconclusive');
  });
});

describe('deploy/flagger/canary.yaml against corrgate', () => {
  const canary = parseYaml(readFileSync('deploy/flagger/canary.yaml', 'utf8')) as {
    metadata: { name: string; namespace: string };
    spec: { analysis: { webhooks: { name: string; type: string; url: string; metadata: Record<string, string> }[] } };
  };
  const hooks = new Map(canary.spec.analysis.webhooks.map((w) => [w.type, w]));

  /** A webhook call as Flagger makes it: POST of {name, namespace, phase, checksum, metadata}, no headers of its own. */
  async function call(type: string, name: string, checksum: string): Promise<{ status: number; body: { decision?: string; reason: string } }> {
    const hook = hooks.get(type)!;
    // The manifest's placeholder token and 10m window, replaced as a deployment would (and shortened).
    const metadata = { ...hook.metadata, token: WRITE, duration: '2s', service: name, canary_deployment: name, stable_deployment: `${name}-primary` };
    const res = await fetch(local(hook.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, namespace: canary.metadata.namespace, phase: 'Progressing', checksum, metadata }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as { decision?: string; reason: string } };
  }

  it('has the four webhooks, each on its corrgate endpoint', () => {
    expect([...hooks.keys()].sort()).toEqual(['confirm-promotion', 'pre-rollout', 'rollback', 'rollout']);
    for (const [type, hook] of hooks) expect(hook.url).toBe(`http://corrgate.corrgate.svc:4320/v1/flagger/${type}`);
  });

  it('halts and rolls back a failing canary; promotes a passing one', async () => {
    // The manifest's metadata puts environment: prod in the scope; the pods' telemetry says the same.
    const deployment = (name: string) => ({ 'k8s.deployment.name': name, 'deployment.environment.name': 'prod' });
    for (const name of ['payments', 'ledger']) {
      expect((await call('pre-rollout', name, 'rev-1')).status).toBe(200);
      expect((await call('rollout', name, 'rev-1')).status).toBe(200);
      // Not yet decided: neither promote nor roll back.
      expect((await call('confirm-promotion', name, 'rev-1')).status).toBe(412);
      expect((await call('rollback', name, 'rev-1')).status).toBe(412);
    }
    await send('payments', '2.0.0', 300, 3, deployment('payments-primary'));
    await send('payments', '2.0.0', 300, 90, deployment('payments'));
    await send('ledger', '2.0.0', 300, 3, deployment('ledger-primary'));
    await send('ledger', '2.0.0', 300, 3, deployment('ledger'));

    await waitFor('the payments gate to fail', async () => (await call('rollout', 'payments', 'rev-1')).status === 412);
    const halted = await call('rollout', 'payments', 'rev-1');
    expect(halted.body.decision, halted.body.reason).toBe('FAIL');
    expect(halted.body.reason).toContain('error-ratio-ceiling');
    expect((await call('rollback', 'payments', 'rev-1')).status).toBe(200);
    expect((await call('confirm-promotion', 'payments', 'rev-1')).status).toBe(412);

    await waitFor('the ledger gate to pass', async () => (await call('confirm-promotion', 'ledger', 'rev-1')).status === 200);
    expect((await call('rollout', 'ledger', 'rev-1')).status).toBe(200);
    expect((await call('rollback', 'ledger', 'rev-1')).status).toBe(412);

    // A new revision is judged afresh: its own gate run, running again.
    const next = await call('rollout', 'ledger', 'rev-2');
    expect(next.status).toBe(200);
    expect(next.body.decision).toBe('RUNNING');
  });
});
