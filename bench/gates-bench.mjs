// The gates benchmark: 1,000 open gates over 200 services under steady ingest.
//
//   node bench/gates-bench.mjs [--quick] [--seed N] [--report FILE]
//
// Run after `npx tsc -p tsconfig.build.json` (it loads dist/). Prints a markdown report, then one JSON
// line with every figure. Exit status 1 when the run failed (a child did not start, a gate decided
// when it should still be running, a decision span never arrived); a missed target is reported, not
// an error. Everything listens on 127.0.0.1; the child is stopped on every way out.
//
// Targets (the maintainers'): one evaluation round of all 1,000 gates under 50 ms; a gate's decision
// exported within 1 s of its window's close.
//
// Set-up, in this process, as `corrgate serve` wires it (src/extensions/gates/factory.ts):
//   - a CorrelatorProcessor built from the correlator config's defaults (10 s buckets, 2 h retention,
//     1M spans / 200k traces / 500k buckets ...), started, so its maintain() timer runs;
//   - a DecisionTelemetry (OTLP/gRPC, default batch settings: scheduledDelayMs 1000, queue 2048,
//     logs on) pointed at a second corrgate, and a GateRunner with it as the DecisionSink;
//   - 200 services (namespace shop, environment prod, on 40 hosts) x 2 versions (stable 1.4.0,
//     canary 1.5.0): 400 service resources.
// History, fed in event-time order before anything is measured, so the stores hold what they hold
// in steady state: 2 h of retention with one span per resource per bucket (so every resource has
// its ~720 buckets, which every query walks), the last 10 min dense (13 spans per resource per
// second, which fills each bucket's 128-sample reservoir). Then steady ingest from a 100 ms timer:
// 4 server spans per resource per tick with fresh trace ids (16,000 spans/s), 1% errors, latency
// log-normal per service, the canary of every 10th service 10% slower.
// Gates: 5 per service, rules as in config/gates/checkout-canary.yaml (two_proportion, mann_whitney,
// error_ratio ceiling (critical), latency_p99 relative, latency_p95 ceiling, chains), in five shapes
// (the full canary gate with include_dependencies; errors; latency; previous_window baseline;
// service-wide absolute limits). Window: started 5 min ago, 10 min long, interval 30 s: every
// evaluation merges 30 buckets per resource in scope.
//
// 1. Evaluation round = GateRunner.evaluateNow() for all 1,000 gates, back to back, synchronously
//    (ingest keeps running between rounds). Three kinds of round, interleaved, 300 ms apart:
//    "with export" (the DecisionTelemetry sink: one gate.evaluate span and log record per gate; the
//    production path, judged against the target), "export off" (the same runner, the sink's
//    recordEvaluation not forwarded), and "queries only" (the two Correlator.query calls of each
//    gate, current and baseline, as the runner makes them). Wall clock (performance.now) and CPU
//    (process.cpuUsage: every thread of the process, GC included) per round.
// 2. Window close to exported decision span: a second corrgate (`dist/cli/main.js serve`: OTLP/gRPC
//    receiver -> `file` exporter writing OTLP/JSON lines, flush_interval 0s) receives the decision
//    telemetry. Gates with 2 s windows (one per service's canary, the canary gate's rules) are opened
//    at seeded random times (exponential gaps, mean 200 ms), so their windows close spread out over
//    ~10 s while the 1,000 gates stay open and ingest continues. For each gate: from window.endMs to
//    the moment its `gate.evaluate` span with corrgate.gate.final=true is first seen in the file
//    (polled every 20 ms), split into close -> decision (the runner's close timer) and decision ->
//    seen (batch processor, gRPC, receiver, file). The default scheduledDelayMs (1000) is the judged
//    case; a second DecisionTelemetry with scheduledDelayMs 200 runs beside it (separate runner,
//    same correlator, its own gates) to show what the batch delay accounts for (not in --quick).

import { mkdtempSync, openSync, readSync, closeSync, fstatSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { HOST, freePort, repoDir, sleep, startCorrgate, stopChild, stopChildrenOnExit, tail } from './lib/processes.mjs';
import { cpuPressureUs, machine, peakRssMiB } from './lib/proc-stats.mjs';
import { fmt, markdownTable } from './lib/table.mjs';
import { writeSectionReport } from './lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    report: { type: 'string' },
  },
});
const QUICK = opts.quick;

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { CorrelatorProcessor } = await import(dist('processors/correlator/factory.js'));
const { correlatorConfigSchema } = await import(dist('processors/correlator/config.js'));
const { GateRunner } = await import(dist('gates/gate-runner.js'));
const { parseGateSpec, scopeSelectorOf, baselineOf } = await import(dist('gates/gate-spec.js'));
const { DecisionTelemetry } = await import(dist('gates/export/decision-telemetry.js'));
const { SelfMetrics } = await import(dist('telemetry/self-metrics.js'));
const { str } = await import(dist('model/attributes.js'));
const { traceBatch } = await import(dist('model/batch.js'));
const { EMPTY_SCOPE } = await import(dist('model/resource.js'));
const { SpanKind, StatusCode } = await import(dist('model/span.js'));
const { pino } = await import('pino');

const TARGETS = { roundMs: 50, closeToExportMs: 1000 };

const P = {
  services: 200,
  hosts: 40,
  gatesPerService: 5,
  tickMs: 100,
  spansPerResourcePerTick: 4,
  errorRate: 0.01,
  // The window started windowAgoMs ago; the dense history covers it and the equally long window
  // before it (the previous_window baseline).
  windowAgoMs: (QUICK ? 3 : 5) * 60_000,
  historyDensePerResourcePerSecond: 13,
  warmupIterations: 2,
  rounds: QUICK ? 8 : 20,
  // The rounds stop at `rounds` judged rounds or when this budget is spent, whichever comes first.
  roundsBudgetMs: QUICK ? 12_000 : 28_000,
  roundGapMs: 300,
  closeGates: QUICK ? 25 : 50,
  closeWindowMs: 2000,
  closeMeanGapMs: 150,
  pollMs: 20,
  variantDelayMs: QUICK ? undefined : 200,
};

const logger = pino({ level: 'warn' });
const progress = (msg) => process.stderr.write(`[gates-bench ${(performance.now() / 1000).toFixed(1)} s] ${msg}\n`);
const failures = [];
const fail = (msg) => {
  failures.push(msg);
  console.error(`FAILED: ${msg}`);
};

// ---------------------------------------------------------------------------------------------
// Small helpers.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(Number(opts.seed) || 1);
// The close schedule has its own stream, so it does not depend on how much traffic ran before it.
const scheduleRand = mulberry32((Number(opts.seed) || 1) + 0x9e3779b9);

function summary(values) {
  const v = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, min: NaN, median: NaN, p95: NaN, max: NaN, mean: NaN };
  const rank = (q) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { n: v.length, min: v[0], median, p95: rank(0.95), max: v[v.length - 1], mean: v.reduce((a, b) => a + b, 0) / v.length };
}
const round2 = (s) => Object.fromEntries(Object.entries(s).map(([k, x]) => [k, Number.isFinite(x) ? Math.round(x * 100) / 100 : x]));
const cpuMs = (u) => (u.user + u.system) / 1000;

// ---------------------------------------------------------------------------------------------
// Traffic.

const SERVICES = Array.from({ length: P.services }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
const STABLE = '1.4.0';
const CANARY = '1.5.0';
// Median latency per service (ms), 15..120; the canary of every 10th service is 10% slower.
const MEDIAN_MS = SERVICES.map((_, i) => 15 + ((i * 37) % 106));
const RESOURCES = SERVICES.flatMap((name, i) => [
  { name, i, version: STABLE, medianMs: MEDIAN_MS[i] },
  { name, i, version: CANARY, medianMs: MEDIAN_MS[i] * (i % 10 === 0 ? 1.1 : 1) },
]);

let traceCounter = 0;
const tracePrefix = Math.floor(rand() * 0xffffffff);
function ids() {
  const n = ++traceCounter;
  const traceId = new Uint8Array(16);
  const dv = new DataView(traceId.buffer);
  dv.setUint32(0, tracePrefix);
  dv.setUint32(8, Math.floor(n / 4294967296));
  dv.setUint32(12, n >>> 0);
  const spanId = new Uint8Array(8);
  new DataView(spanId.buffer).setUint32(4, n >>> 0);
  spanId[0] = 0x5a;
  return { traceId, spanId };
}

// Box-Muller, log-normal with sigma 0.5 around the median.
function latencyMs(median) {
  const u = 1 - rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return median * Math.exp(0.5 * z);
}

const ROUTES = ['GET /items', 'POST /cart', 'GET /cart', 'POST /checkout'];
const EMPTY = new Uint8Array(0);
// Read-only to the correlator, so shared between spans.
const OK_ATTRIBUTES = [
  { key: 'http.request.method', value: str('GET') },
  { key: 'http.response.status_code', value: { type: 'int', value: 200n } },
];
const ERROR_ATTRIBUTES = [
  { key: 'http.request.method', value: str('GET') },
  { key: 'http.response.status_code', value: { type: 'int', value: 500n } },
];

function span(startMs, r) {
  const { traceId, spanId } = ids();
  const isError = rand() < P.errorRate;
  const start = BigInt(Math.round(startMs * 1000)) * 1000n;
  return {
    traceId,
    spanId,
    traceState: '',
    parentSpanId: EMPTY,
    flags: 1,
    name: ROUTES[traceCounter & 3],
    kind: SpanKind.Server,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(Math.round(latencyMs(r.medianMs) * 1e6)),
    attributes: isError ? ERROR_ATTRIBUTES : OK_ATTRIBUTES,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: isError ? StatusCode.Error : StatusCode.Unset, message: '' },
  };
}

/** A batch as a receiver hands it over: fresh resource objects, `count` spans per resource, times from `startMs` over `spreadMs`. */
function batch(startMs, spreadMs, count) {
  return traceBatch(
    RESOURCES.map((r) => ({
      resource: {
        attributes: [
          { key: 'service.name', value: str(r.name) },
          { key: 'service.namespace', value: str('shop') },
          { key: 'deployment.environment.name', value: str('prod') },
          { key: 'service.version', value: str(r.version) },
          { key: 'host.name', value: str(`node-${(r.i + (r.version === CANARY ? 1 : 0)) % P.hosts}`) },
        ],
        droppedAttributesCount: 0,
      },
      schemaUrl: '',
      scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans: Array.from({ length: count }, () => span(startMs + rand() * spreadMs, r)) }],
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Gates.

const CANARY_RULES = [
  { name: 'errors-vs-stable', measure: 'two_proportion', confidence: 0.95, min_difference: 0.01, weight: 3 },
  { name: 'latency-vs-stable', measure: 'mann_whitney', confidence: 0.98, effect_size_floor: 0.25, weight: 3 },
  { name: 'error-ratio-ceiling', measure: 'error_ratio', threshold: { max: 0.05 }, critical: true },
  { name: 'p99-vs-stable', measure: 'latency_p99', relative: { max_increase_ratio: 1.2, max_increase_delta: 25 } },
  { name: 'p95-ceiling', measure: 'latency_p95', threshold: { max: 800 } },
  { name: 'no-failure-chains', measure: 'chains', threshold: { max: 0 } },
];

function gateDocument(service, shape, window) {
  const canaryScope = { services: [service], namespace: 'shop', environment: 'prod', versions: [CANARY] };
  const stable = { kind: 'stable_version', versions: [STABLE] };
  const common = { window, interval: '30s', min_samples: 50, scoring: { pass: 90, marginal: 75 } };
  switch (shape) {
    case 0: // config/gates/checkout-canary.yaml, for this service
      return { id: `${service}-canary`, scope: { ...canaryScope, include_dependencies: true }, baseline: stable, rules: CANARY_RULES, ...common };
    case 1: // errors
      return {
        id: `${service}-errors`,
        scope: canaryScope,
        baseline: stable,
        rules: [CANARY_RULES[0], CANARY_RULES[2], CANARY_RULES[5]],
        ...common,
      };
    case 2: // latency
      return {
        id: `${service}-latency`,
        scope: canaryScope,
        baseline: stable,
        rules: [CANARY_RULES[1], CANARY_RULES[3], CANARY_RULES[4]],
        ...common,
      };
    case 3: // the canary against its own previous window
      return {
        id: `${service}-trend`,
        scope: canaryScope,
        baseline: { kind: 'previous_window' },
        rules: [
          { name: 'errors-vs-before', measure: 'two_proportion', confidence: 0.95, min_difference: 0.01 },
          { name: 'error-ratio-vs-before', measure: 'error_ratio', relative: { max_increase_ratio: 2, max_increase_delta: 0.01 } },
          CANARY_RULES[3],
          CANARY_RULES[2],
        ],
        ...common,
      };
    default: // the whole service (both versions), absolute limits
      return {
        id: `${service}-slo`,
        scope: { services: [service], namespace: 'shop', environment: 'prod', include_dependencies: true },
        rules: [
          { name: 'error-ratio-ceiling', measure: 'error_ratio', threshold: { max: 0.05 }, critical: true },
          { name: 'p99-ceiling', measure: 'latency_p99', threshold: { max: 2000 } },
          { name: 'traffic-floor', measure: 'request_rate', threshold: { min: 1 } },
          CANARY_RULES[5],
        ],
        ...common,
      };
  }
}

// ---------------------------------------------------------------------------------------------
// The run.

const workDir = mkdtempSync(path.join(os.tmpdir(), 'corrgate-gates-bench-'));
let receiver;
let processor;
const runners = [];
const telemetries = [];
let ingestTimer;
stopChildrenOnExit(() => rmSync(workDir, { recursive: true, force: true }));

async function main() {
  const started = performance.now();

  // --- The receiving corrgate.
  const grpcPort = await freePort();
  const metricsPort = await freePort();
  const decisionsFile = path.join(workDir, 'decisions.jsonl');
  receiver = await startCorrgate({
    workDir,
    metricsPort,
    name: 'receiver',
    configText: [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      grpc:',
      `        endpoint: ${HOST}:${grpcPort}`,
      'exporters:',
      '  file:',
      `    path: ${decisionsFile}`,
      '    flush_interval: 0s',
      '  nop:',
      'service:',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      exporters: [file]',
      '    logs:',
      '      receivers: [otlp]',
      '      exporters: [nop]',
      '  telemetry:',
      '    metrics:',
      `      address: ${HOST}:${metricsPort}`,
      '    logs:',
      '      level: warn',
      '',
    ].join('\n'),
  });

  // --- The gates process, wired as the gates extension wires it.
  const selfMetrics = new SelfMetrics();
  processor = new CorrelatorProcessor({ id: 'correlator', logger, metrics: selfMetrics }, correlatorConfigSchema.parse({}));
  await processor.start();
  const correlator = processor.correlator;
  const cfg = correlatorConfigSchema.parse({});

  // History: 2 h sparse (1 span per resource per bucket) then the last 10 min dense.
  const t0 = Date.now();
  const historyStart = t0 - cfg.retention + cfg.bucket_width;
  const denseStart = t0 - 2 * P.windowAgoMs;
  const pressureAtStart = cpuPressureUs();
  const fill = { spans: 0, cpuMs: 0, wallMs: 0 };
  // The processor's consumer, as a pipeline calls it (the next consumer discards).
  const consumer = processor.attach('traces', { consume: () => Promise.resolve() });
  const observe = (b, n) => {
    const c = process.cpuUsage();
    const w = performance.now();
    consumer.consume(b);
    fill.wallMs += performance.now() - w;
    fill.cpuMs += cpuMs(process.cpuUsage(c));
    fill.spans += n;
  };
  for (let t = historyStart; t < denseStart; t += cfg.bucket_width) observe(batch(t, cfg.bucket_width, 1), RESOURCES.length);
  for (let t = denseStart; t < Date.now() - 1000; t += 1000) observe(batch(t, 1000, P.historyDensePerResourcePerSecond), RESOURCES.length * P.historyDensePerResourcePerSecond);
  correlator.maintain();
  const afterFill = correlator.stats();
  const fillSeconds = (performance.now() - started) / 1000;
  progress(`history fed: ${fill.spans} spans, ${afterFill.buckets} buckets, ${fillSeconds.toFixed(1)} s`);

  // Steady ingest from a timer, through the same consumer.
  // A tick that comes late (the loop was busy, e.g. in a round) feeds what accrued meanwhile, as a
  // receiver's queue would deliver it afterwards: the event-time rate stays 16,000 spans/s.
  const ingest = { spans: 0, ticks: 0, cpuMs: 0, wallMs: 0, lateTicks: 0, maxTickGapMs: 0, lastTick: performance.now(), carry: 0 };
  ingestTimer = setInterval(() => {
    const now = performance.now();
    const elapsed = now - ingest.lastTick;
    ingest.maxTickGapMs = Math.max(ingest.maxTickGapMs, elapsed);
    if (elapsed > P.tickMs * 1.5) ingest.lateTicks++;
    ingest.lastTick = now;
    const due = Math.min(elapsed, 60_000) / P.tickMs * P.spansPerResourcePerTick + ingest.carry;
    const count = Math.floor(due);
    ingest.carry = due - count;
    if (count === 0) return;
    const b = batch(Date.now() - elapsed, elapsed, count);
    const c = process.cpuUsage();
    const w = performance.now();
    consumer.consume(b);
    ingest.wallMs += performance.now() - w;
    ingest.cpuMs += cpuMs(process.cpuUsage(c));
    ingest.spans += count * RESOURCES.length;
    ingest.ticks++;
  }, P.tickMs);

  // The decision telemetry and the runner.
  const endpoint = `http://${HOST}:${grpcPort}`;
  const telemetry = new DecisionTelemetry({ endpoint }, { logger, registry: selfMetrics.registry });
  await telemetry.start();
  telemetries.push(telemetry);
  const finals = new Map(); // gate id -> { endMs, decidedAt, decision, seenAt }
  const sinkOf = (tel) => ({
    forward: true,
    background: 0,
    inRound: false,
    gateOpened(g) {
      tel.gateOpened(g);
    },
    recordEvaluation(d, ms) {
      if (!this.inRound) this.background++;
      const f = finals.get(d.gateId);
      if (f && d.final) {
        f.decidedAt = Date.now();
        f.decision = d.decision;
      }
      if (this.forward) tel.recordEvaluation(d, ms);
    },
    gateClosed(id, final) {
      tel.gateClosed(id, final);
    },
  });
  const sink = sinkOf(telemetry);
  const runner = new GateRunner(correlator, sink, logger);
  runners.push(runner);

  const windowStart = new Date(Date.now() - P.windowAgoMs).toISOString();
  const specs = [];
  for (const service of SERVICES) {
    for (let shape = 0; shape < P.gatesPerService; shape++) {
      specs.push(parseGateSpec(gateDocument(service, shape, { start: windowStart, duration: `${(2 * P.windowAgoMs) / 1000}s` }), Date.now()));
    }
  }
  const openedAt = performance.now();
  for (const s of specs) runner.open(s);
  const openMs = performance.now() - openedAt;
  const ids = specs.map((s) => s.id);
  const queryPlans = specs.map((s) => ({ scope: scopeSelectorOf(s), s }));

  // --- 1. Evaluation rounds.
  const kinds = ['with export', 'export off', 'queries only'];
  const results = Object.fromEntries(kinds.map((k) => [k, { wall: [], cpu: [] }]));
  const decisions = {};
  let roundCount = 0;
  const roundOnce = (kind) => {
    sink.forward = kind === 'with export';
    sink.inRound = true;
    const c = process.cpuUsage();
    const w = performance.now();
    if (kind === 'queries only') {
      const nowMs = Date.now();
      for (const { scope, s } of queryPlans) {
        const end = Math.max(Math.min(nowMs, s.window.endMs), s.window.startMs + 1);
        correlator.query({ scope, startMs: s.window.startMs, endMs: end });
        const b = baselineOf(s, { startMs: s.window.startMs, endMs: end });
        if (b) correlator.query(b);
      }
    } else {
      for (const id of ids) {
        const d = runner.evaluateNow(id);
        if (kind === 'with export') decisions[d.decision] = (decisions[d.decision] ?? 0) + 1;
      }
    }
    const wall = performance.now() - w;
    const cpu = cpuMs(process.cpuUsage(c));
    sink.inRound = false;
    sink.forward = true;
    roundCount++;
    return { wall, cpu };
  };
  await sleep(1000); // let ingest run a few ticks first
  const ingestAtRounds = { spans: ingest.spans, t: performance.now(), cpuMs: ingest.cpuMs };
  for (let i = 0; i < P.warmupIterations; i++) {
    for (const k of kinds) {
      roundOnce(k);
      await sleep(P.roundGapMs);
    }
  }
  progress('warm-up rounds done');
  for (const k of Object.keys(decisions)) delete decisions[k];
  // Each iteration: the judged round, then one of the two diagnostic kinds in turn.
  const roundsStart = performance.now();
  for (let i = 0; i < P.rounds && performance.now() - roundsStart < P.roundsBudgetMs; i++) {
    for (const k of [kinds[0], kinds[1 + (i % 2)]]) {
      const r = roundOnce(k);
      results[k].wall.push(r.wall);
      results[k].cpu.push(r.cpu);
      await sleep(P.roundGapMs);
    }
  }
  progress(`rounds done: ${results[kinds[0]].wall.length} judged`);
  const ingestDuringRounds = {
    spansPerSecond: ((ingest.spans - ingestAtRounds.spans) * 1000) / (performance.now() - ingestAtRounds.t),
  };
  const stillOpen = runner.list().filter((s) => s.status === 'open').length;
  if (stillOpen !== specs.length) fail(`${specs.length - stillOpen} of the ${specs.length} long-window gates decided during the rounds (their windows are open: expected RUNNING)`);
  const exportMetric = async (name) => {
    const m = selfMetrics.registry.getSingleMetric(name);
    return m ? (await m.get()).values : [];
  };
  const droppedAfterRounds = (await exportMetric('corrgate_gate_export_dropped_total')).reduce((a, v) => a + v.value, 0);

  // --- 2. Window close to exported decision span.
  const variants = [{ name: 'default', delayMs: 1000, telemetry, runner, sink }];
  if (P.variantDelayMs !== undefined) {
    const tel = new DecisionTelemetry({ endpoint, scheduledDelayMs: P.variantDelayMs }, { logger, registry: new SelfMetrics({ processMetrics: false }).registry });
    await tel.start();
    telemetries.push(tel);
    const s = sinkOf(tel);
    const r = new GateRunner(correlator, s, logger);
    runners.push(r);
    variants.push({ name: `scheduledDelayMs ${P.variantDelayMs}`, delayMs: P.variantDelayMs, telemetry: tel, runner: r, sink: s });
  }
  const fd = openSync(decisionsFile, 'r');
  let offset = fstatSync(fd).size;
  let rest = '';
  const buf = Buffer.alloc(4 << 20);
  const poll = () => {
    const now = Date.now();
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      const lines = (rest + buf.toString('utf8', 0, n)).split('\n');
      rest = lines.pop();
      for (const line of lines) {
        if (!line.includes('"close-')) continue;
        for (const rs of JSON.parse(line).resourceSpans ?? []) {
          for (const ss of rs.scopeSpans ?? []) {
            for (const sp of ss.spans ?? []) {
              if (sp.name !== 'gate.evaluate') continue;
              const a = Object.fromEntries((sp.attributes ?? []).map((kv) => [kv.key, kv.value]));
              if (a['corrgate.gate.final']?.boolValue !== true) continue;
              const f = finals.get(a['corrgate.gate.id']?.stringValue);
              if (f && f.seenAt === undefined) f.seenAt = now;
            }
          }
        }
      }
    }
  };
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const poller = setInterval(poll, P.pollMs);
  const part2Start = Date.now();
  const bgBefore = sink.background;
  const schedule = [];
  for (const v of variants) {
    let at = 500;
    for (let i = 0; i < P.closeGates; i++) {
      at += -Math.log(1 - scheduleRand()) * P.closeMeanGapMs;
      const service = SERVICES[(i * 7 + (v.delayMs === 1000 ? 0 : 3)) % SERVICES.length];
      schedule.push({ v, at, id: `close-d${v.delayMs}-${String(i).padStart(2, '0')}`, service });
    }
  }
  const opens = schedule.map(
    (g) =>
      new Promise((resolve) => {
        setTimeout(() => {
          const doc = gateDocument(g.service, 0, { start: 'now', duration: `${P.closeWindowMs}ms` });
          const spec = parseGateSpec({ ...doc, id: g.id }, Date.now());
          finals.set(g.id, { variant: g.v.name, endMs: spec.window.endMs, decidedAt: undefined, seenAt: undefined, decision: undefined });
          g.v.runner.open(spec);
          resolve();
        }, g.at);
      }),
  );
  await Promise.all(opens);
  const lastEnd = Math.max(...[...finals.values()].map((f) => f.endMs));
  while (Date.now() < lastEnd + 10_000 && [...finals.values()].some((f) => f.seenAt === undefined)) await sleep(50);
  clearInterval(poller);
  poll();
  lag.disable();
  closeSync(fd);
  progress('close-to-export done');
  const part2 = { seconds: (Date.now() - part2Start) / 1000, backgroundEvaluations: sink.background - bgBefore, loopDelayMs: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 } };

  const closeFigures = variants.map((v) => {
    const fs = [...finals.values()].filter((f) => f.variant === v.name);
    const missing = fs.filter((f) => f.seenAt === undefined).length;
    if (missing > 0) fail(`${missing} of ${fs.length} final decision spans (${v.name}) never reached the file`);
    const byDecision = {};
    for (const f of fs) byDecision[f.decision ?? 'none'] = (byDecision[f.decision ?? 'none'] ?? 0) + 1;
    const total = summary(fs.map((f) => f.seenAt - f.endMs));
    return {
      variant: v.name,
      scheduledDelayMs: v.delayMs,
      gates: fs.length,
      seen: fs.length - missing,
      decisions: byDecision,
      totalMs: round2(total),
      closeToDecisionMs: round2(summary(fs.map((f) => f.decidedAt - f.endMs))),
      decisionToSeenMs: round2(summary(fs.map((f) => f.seenAt - f.decidedAt))),
      within1s: fs.filter((f) => f.seenAt - f.endMs <= 1000).length,
    };
  });
  const sent = await exportMetric('corrgate_gate_export_sent_total');
  const dropped = await exportMetric('corrgate_gate_export_dropped_total');

  // --- Wind down.
  clearInterval(ingestTimer);
  for (const r of runners) r.shutdown();
  for (const t of telemetries) await t.shutdown();
  await processor.shutdown();
  const receiverPeak = peakRssMiB(receiver.pid);
  const receiverLogTail = tail(receiver.logFile, 5);
  await stopChild(receiver.child);

  const selfRss = process.resourceUsage().maxRSS / 1024;
  // PSI "some": the share of the run during which a runnable task waited for a CPU (other processes included).
  const pressurePct = (100 * (cpuPressureUs() - pressureAtStart)) / ((performance.now() - started) * 1000);
  const stats = correlator.stats();
  const rounds = Object.fromEntries(kinds.map((k) => [k, { wallMs: round2(summary(results[k].wall)), cpuMs: round2(summary(results[k].cpu)) }]));
  const main = rounds['with export'];
  const judged = closeFigures[0];
  const targets = [
    {
      name: 'evaluation round of 1,000 gates',
      met: main.wallMs.p95 < TARGETS.roundMs,
      text: `median ${fmt.f(main.wallMs.median, 1)} ms, p95 ${fmt.f(main.wallMs.p95, 1)} ms, max ${fmt.f(main.wallMs.max, 1)} ms (wall, with export) vs < ${TARGETS.roundMs} ms`,
    },
    {
      name: 'window close to exported decision span',
      met: judged.seen === judged.gates && judged.totalMs.max <= TARGETS.closeToExportMs,
      text: `median ${fmt.f(judged.totalMs.median, 0)} ms, p95 ${fmt.f(judged.totalMs.p95, 0)} ms, max ${fmt.f(judged.totalMs.max, 0)} ms; ${judged.within1s}/${judged.gates} within 1 s (default scheduledDelayMs) vs <= ${TARGETS.closeToExportMs} ms`,
    },
  ];

  // --- Report.
  const m = machine();
  const lines = [];
  lines.push(`## Gates: ${specs.length} open gates over ${P.services} services under steady ingest${QUICK ? ' (--quick)' : ''}`);
  lines.push('');
  lines.push(
    `Machine: ${m.model}, ${m.nproc} CPUs, ${fmt.f(m.memGiB, 0)} GiB, Node ${m.node}. Correlator: processor defaults (bucket ${cfg.bucket_width / 1000} s, retention ${cfg.retention / 3_600_000} h). ` +
      `History fed first: ${fmt.int(fill.spans)} spans (${fmt.int(afterFill.buckets)} buckets, ${fmt.int(afterFill.traces)} traces held) at ${fmt.k((fill.spans * 1000) / fill.cpuMs)} spans per CPU second. ` +
      `Steady ingest: ${fmt.int(ingestDuringRounds.spansPerSecond)} spans/s over ${RESOURCES.length} resources (a 100 ms timer, ${fmt.f(ingest.cpuMs / ingest.ticks, 1)} ms CPU per tick, ` +
      `${fmt.k((ingest.spans * 1000) / ingest.cpuMs)} spans per CPU second; ${ingest.lateTicks} of ${ingest.ticks} ticks >150 ms late, worst gap ${fmt.f(ingest.maxTickGapMs, 0)} ms). ` +
      `Gates: ${specs.length} (5 shapes per service, rules as config/gates/checkout-canary.yaml), window started ${P.windowAgoMs / 60_000} min ago, ${(2 * P.windowAgoMs) / 60_000} min long; opening all took ${fmt.f(openMs, 0)} ms.`,
  );
  lines.push('');
  lines.push(
    `### 1. One evaluation round (evaluateNow for all ${specs.length} gates): ${results[kinds[0]].wall.length} judged rounds, ${results[kinds[1]].wall.length} + ${results[kinds[2]].wall.length} diagnostic, after ${P.warmupIterations} warm-up of each`,
  );
  lines.push('');
  lines.push(
    markdownTable(
      ['round', ['wall min', 'r'], ['median', 'r'], ['p95', 'r'], ['max', 'r'], ['CPU median', 'r'], ['CPU p95', 'r'], ['µs/gate (median wall)', 'r']],
      kinds.map((k) => [
        k + (k === 'with export' ? ' (judged)' : ''),
        `${fmt.f(rounds[k].wallMs.min, 1)} ms`,
        `${fmt.f(rounds[k].wallMs.median, 1)} ms`,
        `${fmt.f(rounds[k].wallMs.p95, 1)} ms`,
        `${fmt.f(rounds[k].wallMs.max, 1)} ms`,
        `${fmt.f(rounds[k].cpuMs.median, 1)} ms`,
        `${fmt.f(rounds[k].cpuMs.p95, 1)} ms`,
        fmt.f((rounds[k].wallMs.median * 1000) / specs.length, 1),
      ]),
    ),
  );
  lines.push('');
  lines.push(
    `Decisions in the judged rounds: ${Object.entries(decisions)
      .map(([d, n]) => `${d} ${fmt.int(n)}`)
      .join(', ')}. "queries only" is the two Correlator.query calls per gate (current, baseline); "export off" adds rules and decide; "with export" adds the gate.evaluate span and log record per gate (DecisionTelemetry.recordEvaluation). Export drops after the rounds: ${droppedAfterRounds}.`,
  );
  lines.push('');
  lines.push(`### 2. Window close to exported decision span (${P.closeGates} gates per row, 2 s windows, closes spread over ~${fmt.f((P.closeGates * P.closeMeanGapMs) / 1000, 0)} s, file polled every ${P.pollMs} ms)`);
  lines.push('');
  lines.push(
    markdownTable(
      ['DecisionTelemetry', ['seen', 'r'], ['median', 'r'], ['p95', 'r'], ['max', 'r'], ['within 1 s', 'r'], ['close → decision (median / max)', 'r'], ['decision → in file (median / p95 / max)', 'r']],
      closeFigures.map((f) => [
        f.variant + (f.variant === 'default' ? ' (judged)' : ''),
        `${f.seen}/${f.gates}`,
        `${fmt.f(f.totalMs.median, 0)} ms`,
        `${fmt.f(f.totalMs.p95, 0)} ms`,
        `${fmt.f(f.totalMs.max, 0)} ms`,
        `${f.within1s}/${f.gates}`,
        `${fmt.f(f.closeToDecisionMs.median, 0)} / ${fmt.f(f.closeToDecisionMs.max, 0)} ms`,
        `${fmt.f(f.decisionToSeenMs.median, 0)} / ${fmt.f(f.decisionToSeenMs.p95, 0)} / ${fmt.f(f.decisionToSeenMs.max, 0)} ms`,
      ]),
    ),
  );
  lines.push('');
  lines.push(
    `During part 2: ${part2.backgroundEvaluations} interval evaluations of the ${specs.length} long gates (their 30 s timers, aligned since opened together), event-loop delay p50 ${fmt.f(part2.loopDelayMs.p50, 1)} / p99 ${fmt.f(part2.loopDelayMs.p99, 1)} / max ${fmt.f(part2.loopDelayMs.max, 1)} ms. ` +
      `Export: sent ${sent.map((v) => `${v.labels.signal} ${v.value}`).join(', ') || 'n/a'}; dropped ${dropped.map((v) => `${v.labels.signal}/${v.labels.reason} ${v.value}`).join(', ') || 0}.`,
  );
  lines.push('');
  lines.push(
    markdownTable(
      ['target', 'figure', 'verdict'],
      targets.map((t) => [t.name, t.text, t.met ? 'met' : 'missed']),
    ),
  );
  lines.push('');
  lines.push(`Peak RSS: this process ${fmt.f(selfRss, 0)} MiB (correlator ${fmt.int(stats.buckets)} buckets, ${fmt.int(stats.spans)} spans held, ~${fmt.f(stats.bytes / 2 ** 20, 0)} MiB by its own count); receiving corrgate ${fmt.f(receiverPeak, 0)} MiB. Run took ${fmt.f((performance.now() - started) / 1000, 1)} s (history fill ${fmt.f(fillSeconds, 1)} s); CPU pressure (PSI some, whole machine) ${fmt.f(pressurePct, 0)}% of the run, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
  console.log(lines.join('\n'));
  if (failures.length > 0 && receiverLogTail) console.error(`receiver log tail:\n${receiverLogTail}`);

  const json = {
    bench: 'gates',
    ok: failures.length === 0,
    failures,
    quick: QUICK,
    seed: Number(opts.seed) || 1,
    machine: m,
    setup: {
      services: P.services,
      resources: RESOURCES.length,
      gates: specs.length,
      historySpans: fill.spans,
      historySpansPerCpuSecond: Math.round((fill.spans * 1000) / fill.cpuMs),
      ingestSpansPerSecond: Math.round(ingestDuringRounds.spansPerSecond),
      ingestSpansPerCpuSecond: Math.round((ingest.spans * 1000) / ingest.cpuMs),
      ingestLateTicks: ingest.lateTicks,
      ingestTicks: ingest.ticks,
      openAllMs: Math.round(openMs),
      correlator: { buckets: stats.buckets, spans: stats.spans, traces: stats.traces, resources: stats.resources, bytes: stats.bytes, lateDropped: stats.lateDropped },
    },
    rounds,
    roundDecisions: decisions,
    exportDroppedAfterRounds: droppedAfterRounds,
    closeToExport: closeFigures,
    part2,
    exportSent: Object.fromEntries(sent.map((v) => [v.labels.signal, v.value])),
    exportDropped: Object.fromEntries(dropped.map((v) => [`${v.labels.signal}/${v.labels.reason}`, v.value])),
    peakRssMiB: { self: Math.round(selfRss), receiver: Math.round(receiverPeak) },
    cpuPressurePct: Math.round(pressurePct * 10) / 10,
    loadavg: os.loadavg(),
    targets: targets.map((t) => ({ name: t.name, met: t.met, text: t.text })),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
  console.log(JSON.stringify(json));
  // For bench/run.mjs: the figures without the first heading line (the block has its own).
  writeSectionReport(opts.report, { section: 'gates', ok: json.ok, markdown: lines.slice(2).join('\n'), targets: json.targets });
  return failures.length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`FAILED: ${err?.stack ?? err}`);
  code = 1;
} finally {
  if (ingestTimer) clearInterval(ingestTimer);
  for (const r of runners) r.shutdown();
  await Promise.race([Promise.allSettled(telemetries.map((t) => t.shutdown())), sleep(5000)]);
  await processor?.shutdown().catch(() => {});
  if (receiver) await stopChild(receiver.child);
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(code);
