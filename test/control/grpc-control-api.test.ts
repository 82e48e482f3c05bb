import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials, status } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGateService } from '../../src/control/grpc-control-server.js';
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

// corrgate.v1.GateService with a real @grpc/grpc-js client built from the same proto the server
// loads, against a real corrgate (gate store, both tokens); traffic is real OTLP/HTTP spans.

const READ = 'r-token';
const WRITE = 'w-token';

let h: Harness;
let storeDir: string;
let client: Client;

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
  storeDir = mkdtempSync(join(tmpdir(), 'corrgate-control-grpc-'));
  h = await startService(config(storeDir));
  const ext = h.service.extension('gates');
  if (!(ext instanceof GatesExtension) || !ext.grpcAddress) throw new Error('the gates extension serves no gRPC control API');
  const GateService = loadGateService();
  client = new GateService(`127.0.0.1:${ext.grpcAddress.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await h?.service.shutdown();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

/** Replies as proto-loader decodes them (keepCase, longs as numbers). */
type Reply = any;

/** A unary call; `null` for a call without a token. */
function rpc(method: string, request: object, token: string | null = WRITE): Promise<Reply> {
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  const fn = (client as unknown as Record<string, (req: object, md: Metadata, cb: (err: ServiceError | null, reply: Reply) => void) => void>)[method]!;
  return new Promise((resolve, reject) => fn.call(client, request, metadata, (err, reply) => (err ? reject(err) : resolve(reply))));
}

async function rpcError(method: string, request: object, token: string | null = WRITE): Promise<ServiceError> {
  try {
    await rpc(method, request, token);
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error(`${method} succeeded; expected an error`);
}

function correlator() {
  const p = h.service.processor('correlator');
  if (!(p instanceof CorrelatorProcessor)) throw new Error('no correlator processor');
  return p.correlator;
}

/** `count` server spans of service@version over OTLP/HTTP, `errors` of them failed, starting now; waits until the correlator has them. */
async function send(service: string, version: string, count: number, errors: number): Promise<void> {
  const scope = { services: [service], versions: [version] };
  const seen = () => correlator().query({ scope, startMs: Date.now() - 600_000, endMs: Date.now() + 600_000 }).spans.count;
  const before = seen();
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) =>
    makeSpan({
      kind: SpanKind.Server,
      startTimeUnixNano: nowNs,
      endTimeUnixNano: nowNs + BigInt(Math.round(10 * (1 + (i % 7) / 20) * 1e6)),
      status: { code: i < errors ? StatusCode.Error : StatusCode.Unset, message: '' },
    }),
  );
  const batch = traceBatch([
    {
      resource: { attributes: [{ key: 'service.name', value: str(service) }, { key: 'service.version', value: str(version) }], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans }],
    },
  ]);
  const res = await fetch(`http://127.0.0.1:${h.httpPort}/v1/traces`, { method: 'POST', body: encodeTracesRequest(batch), headers: { 'content-type': 'application/x-protobuf' } });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  await waitFor(`${count} spans of ${service}@${version}`, () => seen() >= before + count);
}

const specYaml = (id: string, service: string) => `id: ${id}
scope: { services: [${service}], versions: ["2.0.0"] }
window: { start: now, until_closed: true }
interval: 1h
baseline: { kind: stable_version, versions: ["1.0.0"] }
min_samples: 50
rules:
  - { name: errors-vs-stable, measure: two_proportion, min_difference: 0.02, weight: 3 }
  - { name: error-ratio-ceiling, measure: error_ratio, threshold: { max: 0.2 }, critical: true }
`;

describe('gRPC control API', () => {
  it('opens a gate from YAML text, gets, lists, evaluates and closes it with typed rule results, and lists its decision', async () => {
    const opened = await rpc('OpenGate', { spec: specYaml('grpc-canary', 'inventory') });
    expect(opened).toMatchObject({ id: 'grpc-canary', status: 'open', source: 'api', decision: 'RUNNING', evaluations: 0, ended_at: '' });
    expect(opened.run).toBeGreaterThan(0);
    expect(opened.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(opened.spec_json)).toMatchObject({ id: 'grpc-canary', scope: { services: ['inventory'] }, min_samples: 50 });

    const got = await rpc('GetGate', { id: 'grpc-canary' }, READ);
    expect(got).toMatchObject({ id: 'grpc-canary', run: opened.run, status: 'open' });
    const listed = await rpc('ListGates', { status: 'open' }, READ);
    expect(listed.gates.map((g: { id: string }) => g.id)).toContain('grpc-canary');

    await send('inventory', '1.0.0', 200, 2);
    await send('inventory', '2.0.0', 200, 2);

    const evaluated = await rpc('EvaluateGate', { id: 'grpc-canary' });
    expect(evaluated).toMatchObject({ gate: 'grpc-canary', run: opened.run, evaluation: 1, decision: 'RUNNING', reported: 'RUNNING', final: false });

    const closed = await rpc('CloseGate', { id: 'grpc-canary' });
    expect(closed).toMatchObject({ gate: 'grpc-canary', run: opened.run, evaluation: 2, decision: 'PASS', reported: 'PASS', final: true, score: 100 });
    expect(closed.evaluated_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(closed.rules).toHaveLength(2);
    const [errors, ceiling] = closed.rules;
    expect(errors).toMatchObject({ name: 'errors-vs-stable', outcome: 'pass', critical: false, weight: 3, measure: 'two_proportion', samples_current: 200, samples_baseline: 200 });
    expect(ceiling).toMatchObject({ name: 'error-ratio-ceiling', outcome: 'pass', critical: true, weight: 1, measure: 'error_ratio', samples_current: 200 });
    expect(ceiling.observed).toBeCloseTo(0.01, 5);
    expect(typeof ceiling.threshold).toBe('string');
    expect(ceiling.threshold).not.toBe('');
    expect(ceiling.reason).not.toBe('');
    expect(JSON.parse(closed.detail_json)).toMatchObject({ gateId: 'grpc-canary', decision: 'PASS', rules: [{ name: 'errors-vs-stable' }, { name: 'error-ratio-ceiling' }] });

    const after = await rpc('GetGate', { id: 'grpc-canary' }, READ);
    expect(after).toMatchObject({ status: 'closed', decision: 'PASS', score: 100, final: { decision: 'PASS', final: true, evaluation: 2 }, latest: { evaluation: 2 } });
    expect(after.ended_at).not.toBe('');

    const evaluations = await rpc('ListEvaluations', { id: 'grpc-canary' }, READ);
    expect(evaluations.evaluations.map((e: { evaluation: number }) => e.evaluation)).toEqual([2, 1]);

    const decisions = await rpc('ListDecisions', { service: 'inventory', decision: 'PASS' }, READ);
    expect(decisions.decisions).toHaveLength(1);
    expect(decisions.decisions[0]).toMatchObject({ gate: 'grpc-canary', run: opened.run, decision: 'PASS', final: true, evaluation: 2 });
    expect((await rpc('ListDecisions', { service: 'inventory', decision: 'FAIL' }, READ)).decisions).toEqual([]);
  });

  it('fails a gate on a critical rule, from a JSON spec', async () => {
    const spec = JSON.stringify({
      id: 'grpc-bad',
      scope: { services: ['billing'], versions: ['2.0.0'] },
      window: { start: 'now', until_closed: true },
      interval: '1h',
      baseline: { kind: 'stable_version', versions: ['1.0.0'] },
      rules: [{ name: 'error-ratio-ceiling', measure: 'error_ratio', threshold: { max: 0.2 }, critical: true }],
    });
    expect((await rpc('OpenGate', { spec })).id).toBe('grpc-bad');
    await send('billing', '2.0.0', 100, 50);
    const failed = await rpc('EvaluateGate', { id: 'grpc-bad' });
    expect(failed).toMatchObject({ decision: 'FAIL', final: true, rules: [{ name: 'error-ratio-ceiling', outcome: 'fail', critical: true, samples_current: 100 }] });
    expect(failed.rules[0].observed).toBeCloseTo(0.5, 5);
    expect(failed.rules[0].baseline).toBeUndefined();
    expect((await rpc('ListGates', { status: 'decided' }, READ)).gates.map((g: { id: string }) => g.id)).toContain('grpc-bad');
    expect((await rpc('ListDecisions', { gate: 'grpc-bad' }, READ)).decisions).toEqual([expect.objectContaining({ decision: 'FAIL' })]);
  });

  it('aborts an open gate', async () => {
    await rpc('OpenGate', { spec: specYaml('grpc-abort', 'abandoned') });
    const aborted = await rpc('AbortGate', { id: 'grpc-abort' });
    expect(aborted).toMatchObject({ id: 'grpc-abort', status: 'aborted', decision: 'RUNNING', reason: 'aborted before any evaluation' });
    expect((await rpc('ListGates', { status: 'aborted' }, READ)).gates.map((g: { id: string }) => g.id)).toContain('grpc-abort');
  });

  it('answers INVALID_ARGUMENT naming the field, ALREADY_EXISTS and NOT_FOUND', async () => {
    const invalid = await rpcError('OpenGate', { spec: specYaml('grpc-invalid', 'x').replace('name: errors-vs-stable, ', '') });
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.details).toContain('rules[0].name: required');
    const empty = await rpcError('OpenGate', { spec: '' });
    expect(empty.code).toBe(status.INVALID_ARGUMENT);
    expect(empty.details).toContain('spec: required');
    expect((await rpcError('ListGates', { status: 'sleeping' }, READ)).code).toBe(status.INVALID_ARGUMENT);
    expect((await rpcError('ListDecisions', { decision: 'maybe' }, READ)).code).toBe(status.INVALID_ARGUMENT);

    await rpc('OpenGate', { spec: specYaml('grpc-twice', 'twice') });
    const again = await rpcError('OpenGate', { spec: specYaml('grpc-twice', 'twice') });
    expect(again.code).toBe(status.ALREADY_EXISTS);
    await rpc('AbortGate', { id: 'grpc-twice' });

    for (const method of ['GetGate', 'ListEvaluations', 'EvaluateGate', 'CloseGate', 'AbortGate']) {
      const missing = await rpcError(method, { id: 'grpc-none' });
      expect(missing.code, method).toBe(status.NOT_FOUND);
      expect(missing.details).toContain('no gate grpc-none');
    }
  });

  it('answers UNAUTHENTICATED without a valid token and PERMISSION_DENIED to the read token writing', async () => {
    const before = await h.metric('corrgate_control_requests_total', { api: 'grpc', code: 'unauthenticated' });
    expect((await rpcError('ListGates', {}, null)).code).toBe(status.UNAUTHENTICATED);
    expect((await rpcError('GetGate', { id: 'grpc-canary' }, 'wrong')).code).toBe(status.UNAUTHENTICATED);
    expect((await rpcError('OpenGate', { spec: specYaml('grpc-anon', 'anon') }, null)).code).toBe(status.UNAUTHENTICATED);
    expect(await h.metric('corrgate_control_requests_total', { api: 'grpc', code: 'unauthenticated' })).toBe(before + 3);

    const denied = await rpcError('OpenGate', { spec: specYaml('grpc-reader', 'reader') }, READ);
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    for (const method of ['EvaluateGate', 'CloseGate', 'AbortGate']) expect((await rpcError(method, { id: 'grpc-canary' }, READ)).code, method).toBe(status.PERMISSION_DENIED);
    expect((await rpcError('GetGate', { id: 'grpc-reader' }, READ)).code).toBe(status.NOT_FOUND);
    expect((await rpc('ListGates', {}, READ)).gates.length).toBeGreaterThan(0);
  });
});
