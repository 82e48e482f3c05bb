import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatesExtension } from '../../src/extensions/gates/factory.js';
import { str } from '../../src/model/attributes.js';
import { traceBatch } from '../../src/model/batch.js';
import { EMPTY_SCOPE } from '../../src/model/resource.js';
import { SpanKind, StatusCode } from '../../src/model/span.js';
import { CorrelatorProcessor } from '../../src/processors/correlator/factory.js';
import { encodeTracesRequest } from '../../src/wire/otlp/protobuf-encoder.js';
import { makeSpan } from '../helpers/batches.js';
import { waitFor } from '../helpers/net.js';
import { startService } from '../helpers/service-harness.js';
import type { Harness } from '../helpers/service-harness.js';

// The control API over HTTP/JSON against a real corrgate: the gates extension with a gate store and
// both tokens, an otlp receiver feeding a correlator. Traffic is real OTLP/HTTP (protobuf) spans;
// gates decide when the test closes or evaluates them (or, for the one short window, when it ends),
// so nothing depends on how fast the machine is.

const READ = 'r-token';
const WRITE = 'w-token';
const MAX_REQUEST = 4096;

let h: Harness;
let storeDir: string;
let base: string;

const config = (dir: string) => `
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
    storage:
      directory: ${dir}
    control:
      endpoint: 127.0.0.1:0
      grpc:
        endpoint: 127.0.0.1:0
      max_request_size: ${MAX_REQUEST}
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
      address: 127.0.0.1:METRICS_PORT
`;

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'corrgate-control-http-'));
  h = await startService(config(storeDir));
  const ext = h.service.extension('gates');
  if (!(ext instanceof GatesExtension) || !ext.controlAddress) throw new Error('the gates extension serves no control API');
  base = `http://127.0.0.1:${ext.controlAddress.port}`;
});

afterAll(async () => {
  await h?.service.shutdown();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(method: string, path: string, options: { token?: string | undefined; body?: unknown; type?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.type ?? 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** `null` for a call without a token (an explicit `undefined` would take the default). */
const get = (path: string, token: string | null = READ) => call('GET', path, { token: token ?? undefined });
const post = (path: string, body?: unknown, token: string | null = WRITE, type?: string) =>
  call('POST', path, { token: token ?? undefined, ...(body !== undefined ? { body } : {}), ...(type !== undefined ? { type } : {}) });

function correlator() {
  const p = h.service.processor('correlator');
  if (!(p instanceof CorrelatorProcessor)) throw new Error('no correlator processor');
  return p.correlator;
}

/**
 * Sends `count` server spans of one resource over OTLP/HTTP, `errors` of them failed, all starting at
 * `atMs` (default now: after the gate that judges them opened), and waits until the correlator has counted them.
 */
async function send(resource: Record<string, string>, count: number, errors: number, atMs = Date.now(), latencyMs = 10): Promise<void> {
  const scope = { services: [resource['service.name']!], versions: [resource['service.version']!] };
  const seen = () => correlator().query({ scope, startMs: Date.now() - 600_000, endMs: Date.now() + 600_000 }).spans.count;
  const before = seen();
  const nowNs = BigInt(Math.round(atMs)) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) =>
    makeSpan({
      kind: SpanKind.Server,
      startTimeUnixNano: nowNs,
      endTimeUnixNano: nowNs + BigInt(Math.round(latencyMs * (1 + (i % 7) / 20) * 1e6)),
      status: { code: i < errors ? StatusCode.Error : StatusCode.Unset, message: i < errors ? 'upstream failed' : '' },
    }),
  );
  const batch = traceBatch([
    {
      resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: str(value) })), droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans }],
    },
  ]);
  const res = await fetch(`http://127.0.0.1:${h.httpPort}/v1/traces`, { method: 'POST', body: encodeTracesRequest(batch), headers: { 'content-type': 'application/x-protobuf' } });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  await waitFor(`${count} spans of ${resource['service.name']}@${resource['service.version']} in the correlator`, () => seen() >= before + count);
}

/** A gate on `service`'s canary 2.0.0 against stable 1.0.0, open until closed. */
const gateDoc = (id: string, service: string, overrides: Record<string, unknown> = {}) => ({
  id,
  scope: { services: [service], versions: ['2.0.0'] },
  window: { start: 'now', until_closed: true },
  interval: '1h',
  baseline: { kind: 'stable_version', versions: ['1.0.0'] },
  min_samples: 50,
  rules: [
    { name: 'errors-vs-stable', measure: 'two_proportion', confidence: 0.95, min_difference: 0.02, weight: 3 },
    { name: 'error-ratio-ceiling', measure: 'error_ratio', threshold: { max: 0.2 }, critical: true },
  ],
  ...overrides,
});

const gateYaml = (id: string, service: string) => `id: ${id}
scope:
  services: [${service}]
  versions: ["2.0.0"]
window: { start: now, until_closed: true }
interval: 1h
baseline: { kind: stable_version, versions: ["1.0.0"] }
min_samples: 50
rules:
  - name: errors-vs-stable
    measure: two_proportion
    min_difference: 0.02
  - name: error-ratio-ceiling
    measure: error_ratio
    threshold: { max: 0.2 }
    critical: true
`;

const unauthenticated = () => h.metric('corrgate_control_requests_total', { api: 'http', code: 'unauthenticated' });

describe('HTTP control API: gates', () => {
  it('opens a gate from JSON, reads it, evaluates and closes it with per-rule results, and lists its decision', async () => {
    const opened = await post('/v1/gates', gateDoc('orders-canary', 'orders'));
    expect(opened.status).toBe(201);
    expect(opened.headers.get('location')).toBe('/v1/gates/orders-canary');
    expect(opened.body).toMatchObject({ id: 'orders-canary', status: 'open', source: 'api', decision: 'RUNNING', evaluations: 0 });
    expect(opened.body.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(opened.body.document).toEqual(gateDoc('orders-canary', 'orders'));

    await send({ 'service.name': 'orders', 'service.version': '1.0.0' }, 200, 2);
    await send({ 'service.name': 'orders', 'service.version': '2.0.0' }, 200, 2);

    const evaluated = await post('/v1/gates/orders-canary/evaluate');
    expect(evaluated.status).toBe(200);
    expect(evaluated.body).toMatchObject({ gateId: 'orders-canary', evaluation: 1, decision: 'RUNNING', final: false });

    const read = await get('/v1/gates/orders-canary');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: 'orders-canary', status: 'open', evaluations: 1, decision: 'RUNNING' });
    expect(read.body.latest.rules.map((r: { name: string }) => r.name)).toEqual(['errors-vs-stable', 'error-ratio-ceiling']);
    for (const rule of read.body.latest.rules) {
      expect(rule).toMatchObject({ outcome: 'pass', samples: { current: 200, baseline: 200 } });
      expect(typeof rule.reason).toBe('string');
    }

    const closed = await post('/v1/gates/orders-canary/close');
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ gateId: 'orders-canary', evaluation: 2, decision: 'PASS', reported: 'PASS', final: true, score: 100 });
    expect(closed.body.rules).toHaveLength(2);

    const after = await get('/v1/gates/orders-canary');
    expect(after.body).toMatchObject({ status: 'closed', decision: 'PASS', final: { decision: 'PASS', final: true } });

    const evaluations = await get('/v1/gates/orders-canary/evaluations');
    expect(evaluations.status).toBe(200);
    expect(evaluations.body.evaluations.map((e: { evaluation: number; decision: string }) => [e.evaluation, e.decision])).toEqual([
      [2, 'PASS'],
      [1, 'RUNNING'],
    ]);
    expect((await get('/v1/gates/orders-canary/evaluations?limit=1')).body.evaluations).toHaveLength(1);

    // A closed gate answers evaluate and close with the decision it ended with.
    expect((await post('/v1/gates/orders-canary/evaluate')).body).toMatchObject({ evaluation: 2, decision: 'PASS' });

    const decisions = await get('/v1/decisions?service=orders&decision=pass');
    expect(decisions.status).toBe(200);
    expect(decisions.body.decisions).toEqual([expect.objectContaining({ gate: 'orders-canary', decision: 'PASS', final: true, evaluation: 2 })]);
    expect((await get('/v1/decisions?service=orders&decision=fail')).body.decisions).toEqual([]);
    expect((await get('/v1/decisions?gate=orders-canary')).body.decisions).toHaveLength(1);
  });

  it('opens a gate from YAML, fails it on a critical rule, and lists gates by status', async () => {
    const opened = await post('/v1/gates', gateYaml('payments-canary', 'payments'), WRITE, 'application/yaml');
    expect(opened.status).toBe(201);
    expect(opened.headers.get('location')).toBe('/v1/gates/payments-canary');
    expect(opened.body).toMatchObject({ id: 'payments-canary', status: 'open', spec: { scope: { services: ['payments'], versions: ['2.0.0'] } } });

    expect((await get('/v1/gates?status=open')).body.gates.map((g: { id: string }) => g.id)).toContain('payments-canary');

    await send({ 'service.name': 'payments', 'service.version': '1.0.0' }, 200, 2);
    await send({ 'service.name': 'payments', 'service.version': '2.0.0' }, 200, 80);
    const evaluated = await post('/v1/gates/payments-canary/evaluate');
    expect(evaluated.status).toBe(200);
    // A failing critical rule decides at once, while the window is still open.
    expect(evaluated.body).toMatchObject({ decision: 'FAIL', final: true });
    expect(evaluated.body.reason).toContain('error-ratio-ceiling');

    const read = await get('/v1/gates/payments-canary');
    expect(read.body).toMatchObject({ status: 'decided', decision: 'FAIL' });
    const ceiling = read.body.final.rules.find((r: { name: string }) => r.name === 'error-ratio-ceiling');
    expect(ceiling).toMatchObject({ outcome: 'fail', critical: true, measure: 'error_ratio', samples: { current: 200 } });
    expect(ceiling.observed).toBeCloseTo(0.4, 5);

    const decided = (await get('/v1/gates?status=decided')).body.gates.map((g: { id: string }) => g.id);
    expect(decided).toContain('payments-canary');
    expect((await get('/v1/gates?status=open')).body.gates.map((g: { id: string }) => g.id)).not.toContain('payments-canary');
    expect((await get('/v1/gates?status=decided&limit=1')).body.gates).toHaveLength(1);

    const failed = await get('/v1/decisions?service=payments&decision=FAIL');
    expect(failed.body.decisions).toEqual([expect.objectContaining({ gate: 'payments-canary', decision: 'FAIL', final: true })]);
  });

  it('aborts an open gate without a decision', async () => {
    expect((await post('/v1/gates', gateDoc('aborted-canary', 'aborted'))).status).toBe(201);
    const aborted = await post('/v1/gates/aborted-canary/abort');
    expect(aborted.status).toBe(200);
    expect(aborted.body).toMatchObject({ id: 'aborted-canary', status: 'aborted', decision: 'RUNNING', reason: 'aborted before any evaluation' });
    expect((await get('/v1/gates?status=aborted')).body.gates.map((g: { id: string }) => g.id)).toContain('aborted-canary');
    // Aborting again is a no-op; evaluating a gate aborted before any evaluation has nothing to answer.
    expect((await post('/v1/gates/aborted-canary/abort')).status).toBe(200);
    const evaluate = await post('/v1/gates/aborted-canary/evaluate');
    expect(evaluate.status).toBe(409);
    expect(evaluate.body.error.code).toBe('failed_precondition');
    expect((await get('/v1/decisions?gate=aborted-canary')).body.decisions).toEqual([]);
  });
});

describe('HTTP control API: validation', () => {
  it('refuses an invalid spec with 400, naming each field', async () => {
    const bad = await post('/v1/gates', gateDoc('bad-spec', 'bad', { rules: [{ measure: 'error_ratio', threshold: { max: 0.1 } }], window: { start: 'yesterday', duration: '5m' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_argument');
    expect(bad.body.error.details).toContain('rules[0].name: required');
    expect(bad.body.error.details.some((d: string) => d.startsWith('window.start:'))).toBe(true);
    expect((await get('/v1/gates/bad-spec')).status).toBe(404);

    const notJson = await post('/v1/gates', '{"id": ', WRITE);
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/not valid JSON/);
    const notYaml = await post('/v1/gates', 'id: [unclosed', WRITE, 'application/yaml');
    expect(notYaml.status).toBe(400);
    expect(notYaml.body.error.message).toMatch(/not valid YAML/);
  });

  it('refuses unknown query parameters and bad values with 400', async () => {
    const unknown = await get('/v1/gates?colour=blue');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_argument', message: 'unknown query parameter "colour"' });
    expect(unknown.body.error.details[0]).toMatch(/^colour: unknown parameter/);
    expect((await get('/v1/decisions?verdict=pass')).status).toBe(400);
    expect((await get('/v1/gates?status=sleeping')).body.error.details).toEqual(['status: expected one of open, decided, closed, aborted']);
    expect((await get('/v1/gates?limit=lots')).body.error.details).toEqual(['limit: expected a whole number, got "lots"']);
    expect((await get('/v1/gates?limit=0')).status).toBe(400);
    expect((await get('/v1/decisions?decision=maybe')).status).toBe(400);
  });

  it('answers 409 for a second open of an open gate, 404 for an unknown gate or path', async () => {
    expect((await post('/v1/gates', gateDoc('twice', 'twice'))).status).toBe(201);
    const again = await post('/v1/gates', gateDoc('twice', 'twice'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_exists');
    expect((await post('/v1/gates/twice/abort')).status).toBe(200);

    for (const path of ['/v1/gates/no-such-gate', '/v1/gates/no-such-gate/evaluations']) {
      const missing = await get(path);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'no gate no-such-gate' });
    }
    for (const action of ['evaluate', 'close', 'abort']) expect((await post(`/v1/gates/no-such-gate/${action}`)).status).toBe(404);
    expect((await get('/v1/nothing-here')).status).toBe(404);
  });

  it('answers 405 with Allow for a method a path does not take', async () => {
    const del = await call('DELETE', '/v1/gates', { token: WRITE });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, POST');
    expect(del.body.error.code).toBe('method_not_allowed');
    const getClose = await get('/v1/gates/anything/close', WRITE);
    expect(getClose.status).toBe(405);
    expect(getClose.headers.get('allow')).toBe('POST');
  });

  it('answers 415 for a body that is neither JSON nor YAML, 413 for one over max_request_size', async () => {
    const text = await post('/v1/gates', JSON.stringify(gateDoc('plain', 'plain')), WRITE, 'text/plain');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');

    const big = await post('/v1/gates', gateDoc('too-big', 'big', { scope: { services: ['big'], versions: ['2.0.0'], attributes: { padding: 'x'.repeat(MAX_REQUEST) } } }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect((await get('/v1/gates/too-big')).status).toBe(404);
  });
});

describe('HTTP control API: tokens', () => {
  it('needs a valid token: 401 with WWW-Authenticate without one or with a wrong one, and counts them', async () => {
    const before = await unauthenticated();
    const none = await get('/v1/gates', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(none.body.error.code).toBe('unauthenticated');
    const wrong = await get('/v1/gates', 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    const noWrite = await post('/v1/gates', gateDoc('anonymous', 'anonymous'), null);
    expect(noWrite.status).toBe(401);
    expect(await unauthenticated()).toBe(before + 3);
    expect((await get('/v1/gates/anonymous')).status).toBe(404);
  });

  it('lets the read token read but not write, and the write token do both', async () => {
    expect((await get('/v1/gates', READ)).status).toBe(200);
    expect((await get('/v1/decisions', READ)).status).toBe(200);
    const denied = await post('/v1/gates', gateDoc('read-only', 'readonly'), READ);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('permission_denied');
    expect((await get('/v1/gates/read-only')).status).toBe(404);

    expect((await post('/v1/gates', gateDoc('read-only', 'readonly'), WRITE)).status).toBe(201);
    expect((await get('/v1/gates/read-only', WRITE)).status).toBe(200);
    expect((await get('/v1/gates/read-only', READ)).status).toBe(200);
    for (const action of ['evaluate', 'close', 'abort']) expect((await post(`/v1/gates/read-only/${action}`, undefined, READ)).status).toBe(403);
    expect((await post('/v1/gates/read-only/abort', undefined, WRITE)).status).toBe(200);
  });

  it('serves /healthz and /openapi.json without a token; the served document is docs/openapi.json', async () => {
    const health = await get('/healthz', null);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const openapi = await get('/openapi.json', null);
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(openapi.body).toEqual(JSON.parse(readFileSync('docs/openapi.json', 'utf8')));
  });
});

describe('HTTP control API: Argo Rollouts web metric', () => {
  const argo = (id: string, query: Record<string, string>, token: string = WRITE) => get(`/v1/argo-rollouts/gates/${id}?${new URLSearchParams(query).toString()}`, token);

  it('opens the gate on the first call, reads it after, and fails a canary with many errors', async () => {
    const params = { service: 'cart', canary: '2.0.0', stable: '1.0.0', duration: '1h' };
    const denied = await argo('argo-cart', params, READ);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('permission_denied');

    const first = await argo('argo-cart', params);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ gate: 'argo-cart', decision: 'running', score: null, final: false, evaluation: 0, status: 'open' });
    expect(typeof first.body.reason).toBe('string');
    const gate = (await get('/v1/gates/argo-cart')).body;
    expect(gate).toMatchObject({ source: 'argo-rollouts', spec: { scope: { services: ['cart'], versions: ['2.0.0'] }, baseline: { kind: 'stable_version', versions: ['1.0.0'] }, min_samples: 50 } });
    expect(gate.spec.rules.map((r: { name: string }) => r.name)).toEqual(['errors-vs-stable', 'latency-vs-stable', 'error-ratio-ceiling', 'p99-vs-stable', 'no-failure-chains']);

    // A later call, even with the read token, reads the open gate.
    const again = await argo('argo-cart', params, READ);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ gate: 'argo-cart', run: first.body.run, decision: 'running' });
    expect((await argo('argo-cart', {}, READ)).body).toMatchObject({ gate: 'argo-cart', decision: 'running' });

    await send({ 'service.name': 'cart', 'service.version': '1.0.0' }, 150, 1);
    await send({ 'service.name': 'cart', 'service.version': '2.0.0' }, 150, 45);
    expect((await post('/v1/gates/argo-cart/evaluate')).body.decision).toBe('FAIL');
    const failed = await argo('argo-cart', params, READ);
    expect(failed.status).toBe(200);
    // What successCondition `result.decision == "pass"` and failureCondition `result.decision == "fail"` read.
    expect(failed.body.decision).toBe('fail');
    expect(failed.body).toMatchObject({ final: true, evaluation: 1, status: 'decided' });
    expect(failed.body.reason).toContain('error-ratio-ceiling');
    expect(typeof failed.body.score).toBe('number');
  });

  it('passes a healthy canary once its window has ended', async () => {
    const params = { service: 'search', canary: '2.0.0', stable: '1.0.0', duration: '2s' };
    const first = await argo('argo-search', params);
    expect(first.status).toBe(200);
    expect(first.body.decision).toBe('running');
    expect(first.body.window_end).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Stamped inside the window whenever they are sent.
    const inWindow = Date.parse(first.body.window_end) - 1900;
    await send({ 'service.name': 'search', 'service.version': '1.0.0' }, 150, 0, inWindow);
    await send({ 'service.name': 'search', 'service.version': '2.0.0' }, 150, 0, inWindow);
    await expect.poll(async () => (await argo('argo-search', params, READ)).body.final, { timeout: 10_000, interval: 100 }).toBe(true);
    const passed = await argo('argo-search', params, READ);
    expect(passed.body.decision).toBe('pass');
    expect(passed.body).toMatchObject({ gate: 'argo-search', score: 100, final: true });
  });

  it('answers inconclusive for a window without traffic', async () => {
    const params = { service: 'quiet', canary: '2.0.0', stable: '1.0.0', duration: '1h' };
    expect((await argo('argo-quiet', params)).body.decision).toBe('running');
    const closed = await post('/v1/gates/argo-quiet/close');
    expect(closed.body).toMatchObject({ decision: 'INCONCLUSIVE', final: true });
    const answer = await argo('argo-quiet', params, READ);
    expect(answer.body.decision).toBe('inconclusive');
    expect(answer.body.final).toBe(true);
  });

  it('refuses unknown parameters and templates, and a read of a gate that does not exist', async () => {
    const unknown = await argo('argo-x', { service: 'x', colour: 'blue' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatch(/^colour: unknown parameter/);
    const template = await argo('argo-x', { service: 'x', template: 'nope' });
    expect(template.status).toBe(400);
    expect(template.body.error.details[0]).toMatch(/^template: no gate template "nope"/);
    const missing = await argo('argo-x', {}, READ);
    expect(missing.status).toBe(404);
    expect(missing.body.error.details).toEqual(['service: required to open a gate']);
  });
});

describe('HTTP control API: Flagger webhooks', () => {
  const payload = (name: string, metadata: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
    name,
    namespace: 'shop',
    phase: 'Progressing',
    checksum: `${name}-rev1`,
    metadata: { token: WRITE, duration: '1h', service: name, ...metadata },
    ...extra,
  });
  // Flagger sends no Authorization header: the token travels in the metadata.
  const hook = (name: string, body: unknown) => post(`/v1/flagger/${name}`, body, null);
  const traffic = async (name: string, canaryErrors: number) => {
    await send({ 'service.name': name, 'service.version': '1.0.0', 'k8s.deployment.name': `${name}-primary` }, 150, 1);
    await send({ 'service.name': name, 'service.version': '2.0.0', 'k8s.deployment.name': name }, 150, canaryErrors);
  };

  it('opens flagger.<ns>.<name> at pre-rollout, proceeds while running, and halts a failing canary', async () => {
    const pre = await hook('pre-rollout', payload('podinfo'));
    expect(pre.status).toBe(200);
    expect(pre.body).toMatchObject({ gate: 'flagger.shop.podinfo', hook: 'pre-rollout', decision: 'RUNNING', proceed: true });
    const gate = (await get('/v1/gates/flagger.shop.podinfo')).body;
    expect(gate).toMatchObject({
      status: 'open',
      source: 'flagger',
      spec: { scope: { services: ['podinfo'], attributes: { 'k8s.deployment.name': 'podinfo' } }, baseline: { kind: 'stable_selector', attributes: { 'k8s.deployment.name': 'podinfo-primary' } } },
    });

    const running = await hook('rollout', payload('podinfo'));
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ decision: 'RUNNING', proceed: true, run: pre.body.run });

    await traffic('podinfo', 50);
    expect((await post('/v1/gates/flagger.shop.podinfo/evaluate')).body).toMatchObject({ decision: 'FAIL', final: true });

    const halted = await hook('rollout', payload('podinfo'));
    expect(halted.status).toBe(412);
    expect(halted.body).toMatchObject({ gate: 'flagger.shop.podinfo', decision: 'FAIL', proceed: false });
    expect(halted.body.reason).toContain('error-ratio-ceiling');
    const rollback = await hook('rollback', payload('podinfo'));
    expect(rollback.status).toBe(200);
    expect(rollback.body).toMatchObject({ hook: 'rollback', decision: 'FAIL', proceed: true });
    expect((await hook('confirm-promotion', payload('podinfo'))).status).toBe(412);
    expect((await hook('confirm-traffic-increase', payload('podinfo'))).status).toBe(412);
  });

  it('promotes a passing canary and refuses to roll it back', async () => {
    expect((await hook('pre-rollout', payload('frontend'))).status).toBe(200);
    await traffic('frontend', 1);
    expect((await post('/v1/gates/flagger.shop.frontend/close')).body).toMatchObject({ decision: 'PASS', final: true });
    const promote = await hook('confirm-promotion', payload('frontend'));
    expect(promote.status).toBe(200);
    expect(promote.body).toMatchObject({ gate: 'flagger.shop.frontend', decision: 'PASS', proceed: true, score: 100 });
    const rollback = await hook('rollback', payload('frontend'));
    expect(rollback.status).toBe(412);
    expect(rollback.body.proceed).toBe(false);
    // The same revision does not reopen the decided gate.
    expect((await hook('rollout', payload('frontend'))).status).toBe(200);
    expect((await get('/v1/gates/flagger.shop.frontend')).body).toMatchObject({ status: 'closed', evaluations: 1 });
    // A new revision opens a new run of the gate; a hook about an unknown revision that does not open one halts.
    const rev2 = await hook('pre-rollout', payload('frontend', {}, { checksum: 'frontend-rev2' }));
    expect(rev2.status).toBe(200);
    expect(rev2.body.decision).toBe('RUNNING');
    expect(rev2.body.run).toBeGreaterThan(promote.body.run);
    const unknownRevision = await hook('rollback', payload('frontend', {}, { checksum: 'frontend-rev3' }));
    expect(unknownRevision.status).toBe(412);
    expect(unknownRevision.body.reason).toContain('revision frontend-rev3');
    expect((await post('/v1/gates/flagger.shop.frontend/abort')).body.status).toBe('aborted');
  });

  it('halts the rollout when the closed window was inconclusive', async () => {
    expect((await hook('pre-rollout', payload('idle'))).status).toBe(200);
    expect((await post('/v1/gates/flagger.shop.idle/close')).body.decision).toBe('INCONCLUSIVE');
    const rollout = await hook('rollout', payload('idle'));
    expect(rollout.status).toBe(412);
    expect(rollout.body).toMatchObject({ decision: 'INCONCLUSIVE', proceed: false });
    expect(rollout.body.reason).toMatch(/min_samples|too little data/);
  });

  it('refuses a payload without a name (400) and a wrong token in the metadata (401)', async () => {
    const noName = await hook('pre-rollout', { namespace: 'shop', metadata: { token: WRITE } });
    expect(noName.status).toBe(400);
    expect(noName.body.error.details).toContain('name: required, a Kubernetes name');
    const wrong = await hook('pre-rollout', payload('intruder', { token: 'guess' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    const read = await hook('pre-rollout', payload('intruder', { token: READ }));
    expect(read.status).toBe(403);
    expect((await get('/v1/gates/flagger.shop.intruder')).status).toBe(404);
    expect((await hook('not-a-hook', payload('intruder'))).status).toBe(404);
  });
});
