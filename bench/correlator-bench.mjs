// The correlator benchmark: what the correlator costs per event and per retained span, alone and on
// the ingest path.
//
//   node bench/correlator-bench.mjs [--quick] [--only inprocess|e2e] [--cpu-prof DIR]
//                                   [--rounds N] [--warmup S] [--duration S] [--concurrency N]
//                                   [--report FILE]
//
// Run after `npx tsc -p tsconfig.build.json` (it loads dist/). Prints a markdown report, then one JSON
// line with every figure (--report FILE also writes the figures as a section report for bench/run.mjs,
// bench/lib/report.mjs, which runs this as its correlator section). Exit status 1 when a part failed or a request got an error; a missed target
// is reported, not an error.
//
// 1. In process (a child process started with --expose-gc, so heap readings follow a collection): a
//    Correlator built as the processor builds it with its default limits (1M spans, 200k traces, 50k
//    error logs, ...) is fed decoded OTLP batches until the span ring wraps and trace slots evict
//    (steady state), then measured. The batches are the receiver benchmark's request
//    (bench/payload.mjs, 1000 spans), decoded afresh for every batch by dist/'s decoder, outside the
//    timed section: decoded spans are lazy views over the request bytes and a resource is identified
//    once per object, so a reused batch would measure warm caches. Before each decode the IDs in that
//    request's bytes are XORed with a per-batch key (which keeps them distinct and parent links
//    intact) and the decoded times are shifted 1 ms per batch, so every batch brings new traces at a
//    steady event-time rate, as production traffic does. Timed: observeTraces/observeLogs only, one
//    batch at a time right after its decode, by process.cpuUsage (all threads, GC included) and wall
//    clock.
//    Cases: spans only; spans plus log records (model objects: ~3 per trace joined by trace and span
//    ID, one ERROR record with a body for one trace in four); and the same request repeated unchanged,
//    which is what the end-to-end load sends (the trace index then takes the duplicate path).
//    Memory: stats().bytes / retained spans, and the process's heapUsed + arrayBuffers growth from
//    before the Correlator was built to steady state (after a full collection) / retained spans.
// 2. End to end: corrgate (dist/cli/main.js serve) in a fresh process per run, receiver only
//    (bench/configs/corrgate-receiver.yaml) and with the correlator in the traces pipeline
//    (bench/configs/corrgate-correlator.yaml), loaded by bench/load-generator.mjs over OTLP/HTTP
//    (protobuf), alternating the two for --rounds rounds. Accepted spans per server CPU second, read
//    as bench/run.mjs reads them (/proc/<pid>/stat and corrgate's /metrics at the window's edges).
//
// --cpu-prof DIR profiles the in-process part (its figures are then slowed by the profiler and not
// held against the targets) and prints the top self-time functions under observeTraces/observeLogs.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HOST, benchDir as here, freePort, repoDir as repo, startCorrgate, stopAllNow, stopChild, stopChildrenOnExit, track, waitExit } from './lib/processes.mjs';
import { loadRun, runLoadGenerator, windowFigures } from './lib/load.mjs';
import { metricSum } from './lib/metrics.mjs';
import { cpuSeconds, machine, peakRssMiB } from './lib/proc-stats.mjs';
import { writeSectionReport } from './lib/report.mjs';
import { fmt, markdownTable } from './lib/table.mjs';

const self = fileURLToPath(import.meta.url);

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    // Internal: the in-process part runs in a child started with --expose-gc.
    child: { type: 'boolean', default: false },
    case: { type: 'string' },
    report: { type: 'string' },
  },
});

const TARGETS = { eventsPerCore: 1_000_000, bytesPerSpan: 150, maxE2eDropPct: 25 };
const TARGET_NAMES = { eventsPerCore: 'events/s per core', bytesPerSpan: 'bytes per retained span', e2eDrop: 'end-to-end drop vs receiver-only' };

// Each in-process case runs in a fresh child, so its heap reading starts clean (V8 frees array
// buffers concurrently, after a collection returns, so a second Correlator in one process would be
// measured against a baseline still holding the first one's arenas).
const CASES = [
  { name: 'spans, new traces every batch', fresh: true, withLogs: false },
  { name: 'spans + logs (3 per trace, 1 trace in 4 with an ERROR log)', fresh: true, withLogs: true },
  { name: 'the same request repeated (what the end-to-end load sends)', fresh: false, withLogs: false },
];

if (!existsSync(path.join(repo, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('correlator-bench: dist/ is missing; run `npx tsc -p tsconfig.build.json` first\n');
  process.exit(2);
}

if (opts.child) {
  await inProcessChild();
  process.exit(0);
}

// =============================================================================================
// Part 1, in the child process.

async function inProcessChild() {
  if (typeof globalThis.gc !== 'function') throw new Error('the in-process part needs --expose-gc');
  const { buildTracesPayload } = await import('./payload.mjs');
  const { decodeTracesRequest } = await import('../dist/wire/otlp/protobuf-traces-decoder.js');
  const { Correlator } = await import('../dist/correlator/correlator.js');
  const { correlatorConfigSchema } = await import('../dist/processors/correlator/config.js');

  const quick = opts.quick;
  const MEASURE_BATCHES = quick ? 400 : 1500;
  // Batches per timed section. One: each batch is observed right after its decode, as the pipeline
  // gets a request the receiver has just decoded (its bytes and objects still in cache), and no
  // decoded batch lives long enough to be promoted and charge old-generation GC to the timed part.
  // A section is then ~2 ms; the two clock reads around it cost about 1 µs.
  const CHUNK = 1;
  const NS_PER_BATCH = 1_000_000n; // event time advances 1 ms per 1000-span batch: 1M spans/s

  // The Correlator exactly as CorrelatorProcessor builds it, from the schema's defaults.
  const config = correlatorConfigSchema.parse({});
  const l = config.limits;
  const correlatorOptions = {
    evidence: {
      bucketWidthMs: config.bucket_width,
      retentionMs: config.retention,
      allowedLatenessMs: config.allowed_lateness,
      clockSkewToleranceMs: config.clock_skew_tolerance,
      maxBuckets: l.max_buckets,
      reservoirSize: config.reservoir_size,
      exemplars: config.exemplars,
      deviceEventSamples: 20,
    },
    traces: { maxTraces: l.max_traces, maxSpans: l.max_spans, maxErrorLogs: l.max_error_logs, maxTraceAgeMs: l.max_trace_age },
    chains: {
      intervalMs: config.chain_interval,
      triggerEvents: new Set(config.chain_events),
      maxChains: l.max_chains,
      maxTracesPerChain: 20,
      maxLogsPerChain: 20,
      recentFailuresPerService: 50,
      maxTrackedServices: Math.min(l.max_resources, 10_000),
    },
    maxResources: l.max_resources,
    maxLearnedEdges: l.max_learned_edges,
  };

  // ---- the request and where its IDs sit in its bytes
  const payload = buildTracesPayload();
  const template = new Uint8Array(payload.bytes); // a copy at byteOffset 0
  const spansPerBatch = payload.spans;
  const probe = decodeTracesRequest(template);
  if (probe.rejected !== 0) throw new Error(`the bench request decodes with ${probe.rejected} rejected spans`);
  const traceOffsets = [];
  const spanOffsets = []; // span IDs and parent span IDs: the same key keeps parent links intact
  const offsetOf = (view) => {
    if (view.buffer !== template.buffer) throw new Error('decoded IDs are not views into the request bytes; cannot patch them');
    return view.byteOffset;
  };
  const traceHeads = new Set();
  const spanTails = new Set();
  for (const rs of probe.batch.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        traceOffsets.push(offsetOf(span.traceId));
        spanOffsets.push(offsetOf(span.spanId));
        if (span.parentSpanId.length === 8) spanOffsets.push(offsetOf(span.parentSpanId));
        traceHeads.add(Buffer.from(span.traceId.subarray(0, 12)).toString('hex'));
        spanTails.add(Buffer.from(span.spanId.subarray(4, 8)).toString('hex'));
      }
    }
  }
  // The XOR keys below touch trace ID bytes 8..15 and span ID bytes 0..3; IDs stay distinct across
  // batches as long as the untouched parts are distinct within the request.
  const traceIdsInRequest = new Set(traceOffsets.map((o) => Buffer.from(template.subarray(o, o + 16)).toString('hex'))).size;
  if (traceHeads.size !== traceIdsInRequest || spanTails.size !== spansPerBatch) throw new Error('the bench request has IDs the per-batch XOR keys could make collide');

  const fmix32 = (h) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  const xorWord = (buf, at, key) => {
    buf[at] ^= key & 255;
    buf[at + 1] ^= (key >>> 8) & 255;
    buf[at + 2] ^= (key >>> 16) & 255;
    buf[at + 3] ^= key >>> 24;
  };
  // fmix32 is a bijection of uint32, so batch n's keys differ from every other batch's.
  function patch(buf, n) {
    buf.set(template);
    const t0 = fmix32((n + 1) >>> 0);
    const t1 = fmix32(((n + 1) ^ 0x9e3779b9) >>> 0);
    const s0 = fmix32((n + 0x51ed27) >>> 0);
    for (const o of traceOffsets) {
      xorWord(buf, o + 8, t1);
      xorWord(buf, o + 12, t0);
    }
    for (const o of spanOffsets) xorWord(buf, o, s0);
  }

  // ---- log records as model objects, joined to the batch's traces
  const ERROR_BODIES = [
    (n) => `upstream payments answered 503 after ${n % 3000} ms; giving up after 3 attempts`,
    (n) => `deadline exceeded calling orders.GetOrder (2.000s), order id ${n}`,
    (n) => `connection refused: checkout-db-${n % 7}.shop.svc:5432`,
  ];
  function logsFor(batch, n) {
    const resourceLogs = [];
    let count = 0;
    for (const rs of batch.resourceSpans) {
      const logRecords = [];
      for (const ss of rs.scopeSpans) {
        let lastTrace = null;
        let k = 0;
        let traceNo = 0;
        for (const span of ss.spans) {
          if (span.traceId !== lastTrace && (lastTrace === null || Buffer.compare(span.traceId, lastTrace) !== 0)) {
            lastTrace = span.traceId;
            k = 0;
            traceNo++;
          } else k++;
          if (k >= 3) continue;
          const error = k === 2 && traceNo % 4 === 0;
          const timeUnixNano = span.startTimeUnixNano + 150_000n;
          logRecords.push({
            timeUnixNano,
            observedTimeUnixNano: timeUnixNano + 2_000_000n,
            severityNumber: error ? 17 : 9,
            severityText: error ? 'ERROR' : 'INFO',
            body: { type: 'string', value: error ? ERROR_BODIES[traceNo % 3](n * 1000 + traceNo) : `${span.name} handled` },
            attributes: error
              ? [{ key: 'exception.type', value: { type: 'string', value: 'UpstreamUnavailableError' } }]
              : [
                  { key: 'http.response.status_code', value: { type: 'int', value: 200n } },
                  { key: 'code.function', value: { type: 'string', value: 'handle' } },
                ],
            droppedAttributesCount: 0,
            flags: 1,
            traceId: span.traceId.slice(),
            spanId: span.spanId.slice(),
            eventName: '',
          });
        }
      }
      count += logRecords.length;
      resourceLogs.push({
        // A fresh resource object per request, as a decoder makes one.
        resource: { attributes: rs.resource.attributes.map((kv) => ({ key: kv.key, value: kv.value })), droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeLogs: [{ scope: { name: 'app.logger', version: '1.0.0', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', logRecords }],
      });
    }
    return { signal: 'logs', resourceLogs, itemCount: count };
  }

  const pool = Array.from({ length: CHUNK }, () => new Uint8Array(template.length));
  /** Batch n: fresh bytes, fresh decode, shifted times. Untimed. */
  function makeBatch(buf, n, { fresh, withLogs }) {
    if (fresh) patch(buf, n);
    else buf.set(template);
    const { batch, rejected } = decodeTracesRequest(buf);
    if (rejected !== 0) throw new Error(`batch ${n}: ${rejected} spans rejected by the decoder`);
    const shift = fresh ? BigInt(n) * NS_PER_BATCH : 0n;
    if (shift !== 0n) {
      for (const rs of batch.resourceSpans) {
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            span.startTimeUnixNano += shift;
            span.endTimeUnixNano += shift;
          }
        }
      }
    }
    return { traces: batch, logs: withLogs ? logsFor(batch, n) : null };
  }

  const heapBytes = () => {
    globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };

  function runCase({ name, fresh, withLogs }) {
    let n = 0;
    const chunk = new Array(CHUNK);
    const fill = () => {
      for (let j = 0; j < CHUNK; j++) chunk[j] = makeBatch(pool[j], n++, { fresh, withLogs });
      // No forced collection here: a scavenge is charged to whichever side's allocation triggers
      // it, so the timed part carries its own share of GC, as in the server.
    };
    const observe = (correlator) => {
      let events = 0;
      for (let j = 0; j < CHUNK; j++) {
        const b = chunk[j];
        correlator.observeTraces(b.traces);
        events += b.traces.itemCount;
        if (b.logs) {
          correlator.observeLogs(b.logs);
          events += b.logs.itemCount;
        }
      }
      return events;
    };

    const before = heapBytes();
    let correlator = new Correlator(correlatorOptions);
    const afterConstruct = heapBytes();

    // Warm-up: until the span ring has wrapped and trace slots are being evicted (fresh IDs: ~1600
    // batches, since 200k traces take longer to fill than 1M spans), or 200 batches for the repeated
    // request, which never fills anything.
    const warmupLimit = Math.ceil((4 * l.max_spans) / spansPerBatch);
    let warmBatches = 0;
    for (;;) {
      fill();
      observe(correlator);
      warmBatches += CHUNK;
      if (warmBatches % 25 !== 0) continue;
      const s = correlator.stats();
      const steady = fresh ? s.evicted.spans > 0 && s.evicted.traces > 0 && (!withLogs || s.evicted.error_logs > 0) : true;
      const enough = fresh ? warmBatches * spansPerBatch >= l.max_spans * 1.2 : warmBatches >= 200;
      if ((steady && enough) || warmBatches >= warmupLimit) break;
    }
    const warm = correlator.stats();
    if (fresh && (warm.evicted.spans === 0 || warm.evicted.traces === 0)) throw new Error(`${name}: no steady state after ${warmBatches} batches`);

    // Measured.
    let events = 0;
    let spans = 0;
    let cpuUs = 0;
    let wallNs = 0n;
    const sectionRates = [];
    for (let done = 0; done < MEASURE_BATCHES; done += CHUNK) {
      fill();
      const w0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      const e = observe(correlator);
      const c = process.cpuUsage(c0);
      const w = process.hrtime.bigint() - w0;
      const us = c.user + c.system;
      events += e;
      spans += CHUNK * spansPerBatch;
      cpuUs += us;
      wallNs += w;
      if (us > 0) sectionRates.push(e / (us / 1e6));
    }
    // Periodic upkeep, timed apart: the processor runs it every 10 s whatever the event rate.
    const m0 = process.hrtime.bigint();
    correlator.maintain();
    const maintainMs = Number(process.hrtime.bigint() - m0) / 1e6;

    for (let j = 0; j < CHUNK; j++) chunk[j] = undefined;
    const stats = correlator.stats();
    const steadyHeap = heapBytes();
    const result = {
      name,
      fresh,
      withLogs,
      warmupBatches: warmBatches,
      measuredBatches: MEASURE_BATCHES,
      events,
      spans,
      logs: events - spans,
      cpuS: cpuUs / 1e6,
      wallS: Number(wallNs) / 1e9,
      eventsPerCpuS: events / (cpuUs / 1e6),
      eventsPerWallS: events / (Number(wallNs) / 1e9),
      medianSectionEventsPerCpuS: sectionRates.sort((a, b) => a - b)[sectionRates.length >> 1],
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      maintainMs,
      retained: { spans: stats.spans, traces: stats.traces, errorLogs: stats.errorLogs, resources: stats.resources, buckets: stats.buckets },
      evicted: stats.evicted,
      lateDropped: stats.lateDropped,
      duplicateSpans: correlator.traces.duplicateSpans,
      rejected: correlator.traces.rejected,
      statsBytes: stats.bytes,
      statsBytesPerSpan: stats.bytes / stats.spans,
      heapAtConstructionBytes: afterConstruct - before,
      heapGrowthBytes: steadyHeap - before,
      heapGrowthPerSpan: (steadyHeap - before) / stats.spans,
    };
    correlator = null;
    return result;
  }

  const c = CASES[Number(opts.case)];
  if (!c) throw new Error(`no in-process case ${opts.case}`);
  const result = runCase(c);
  process.stdout.write(`${JSON.stringify({ node: process.version, spansPerBatch, chunkBatches: CHUNK, limits: l, result })}\n`);
}

// =============================================================================================
// The parent: runs part 1 in a child, part 2 against corrgate, and reports.

const quick = opts.quick;
const only = opts.only ?? null;
if (only && only !== 'inprocess' && only !== 'e2e') {
  process.stderr.write('correlator-bench: --only takes inprocess or e2e\n');
  process.exit(2);
}
const warmupS = Number(opts.warmup ?? (quick ? 1 : 3));
const durationS = Number(opts.duration ?? (quick ? 2 : 8));
const rounds = Number(opts.rounds ?? (quick ? 1 : 2));
const concurrency = Number(opts.concurrency);
const profileDir = opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : null;

// ---- part 1: the child

async function runInProcessCase(index) {
  const nodeArgs = ['--expose-gc'];
  const caseProfileDir = profileDir ? path.join(profileDir, `case-${index}`) : null;
  if (caseProfileDir) {
    mkdirSync(caseProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${caseProfileDir}`);
  }
  const started = Date.now();
  const child = track(spawn(process.execPath, [...nodeArgs, self, '--child', '--case', String(index), ...(quick ? ['--quick'] : [])], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  if (!(await waitExit(child, 60_000))) {
    await stopChild(child);
    throw new Error('did not finish within 60 s');
  }
  if (child.exitCode !== 0) throw new Error(`exit ${child.exitCode}: ${err.trim().split('\n').slice(-8).join(' / ')}`);
  const result = JSON.parse(out.trim().split('\n').pop());
  if (caseProfileDir) {
    const file = readdirSync(caseProfileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(caseProfileDir, f))
      .filter((f) => statSync(f).mtimeMs >= started - 1000)
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    result.result.profile = file ? { file, ...summariseProfile(JSON.parse(readFileSync(file, 'utf8'))) } : { error: 'no .cpuprofile written' };
  }
  return result;
}

async function runInProcess() {
  const out = { cases: [] };
  for (let i = 0; i < CASES.length; i++) {
    process.stdout.write(`  ${CASES[i].name} ... `);
    const r = await runInProcessCase(i);
    Object.assign(out, { node: r.node, spansPerBatch: r.spansPerBatch, chunkBatches: r.chunkBatches, limits: r.limits });
    out.cases.push(r.result);
    process.stdout.write(`${fmt.m(r.result.eventsPerCpuS)} events per CPU second\n`);
  }
  return out;
}

/**
 * Over the samples taken inside Correlator.observeTraces/observeLogs: self time by function, and
 * inclusive time by what observe* called directly (which step of the per-span work it was in).
 */
function summariseProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const isObserve = (n) => /\/dist\/correlator\/correlator\.js$/.test(n.callFrame.url) && /^(observeTraces|observeLogs)$/.test(n.callFrame.functionName);
  const label = (n) => {
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  /** For a node under observe*: the frame observe* called (or observe* itself); null when not under it. */
  const callee = new Map();
  const calleeOf = (id) => {
    if (callee.has(id)) return callee.get(id);
    let below = null;
    let v = null;
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (isObserve(n)) {
        v = below === null ? `${n.callFrame.functionName} (self)` : label(byId.get(below));
        break;
      }
      below = at;
    }
    callee.set(id, v);
    return v;
  };
  const deltas = profile.timeDeltas;
  let totalUs = 0;
  let gcUs = 0;
  let observeUs = 0;
  const self = new Map();
  const inclusive = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const us = deltas[i + 1] ?? deltas[i] ?? 0; // a sample's time is the gap to the next one
    const n = byId.get(profile.samples[i]);
    totalUs += us;
    if (n.callFrame.functionName === '(garbage collector)') gcUs += us;
    const via = calleeOf(n.id);
    if (via === null) continue;
    observeUs += us;
    self.set(label(n), (self.get(label(n)) ?? 0) + us);
    inclusive.set(via, (inclusive.get(via) ?? 0) + us);
  }
  const rank = (m, k) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([fn, us]) => ({ fn, ms: us / 1000, pctOfObserve: (100 * us) / observeUs }));
  return { totalMs: totalUs / 1000, observeMs: observeUs / 1000, gcMs: gcUs / 1000, top: rank(self, 15), byCallee: rank(inclusive, 12) };
}

// ---- part 2: end to end

async function startCorrgateE2e(configFile, workDir, logFile) {
  const [grpcPort, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const srv = await startCorrgate({
    workDir,
    logFile,
    metricsPort,
    configFile,
    env: { BENCH_GRPC_ENDPOINT: `${HOST}:${grpcPort}`, BENCH_HTTP_ENDPOINT: `${HOST}:${httpPort}`, BENCH_METRICS_ENDPOINT: `${HOST}:${metricsPort}` },
  });
  return { child: srv.child, httpPort, metrics: srv.metrics };
}

const E2E = {
  receiver: { config: path.join(here, 'configs', 'corrgate-receiver.yaml'), label: 'receiver only' },
  correlator: { config: path.join(here, 'configs', 'corrgate-correlator.yaml'), label: 'receiver + correlator' },
};

async function runE2e(kind, round, payloadFile, spansPerRequest, workDir) {
  const logFile = path.join(workDir, `corrgate-${kind}-${round}.log`);
  const srv = await startCorrgateE2e(E2E[kind].config, workDir, logFile);
  const pid = srv.child.pid;
  try {
    const { load, samples } = await runLoadGenerator({
      transport: 'http',
      port: srv.httpPort,
      payloadFile,
      spans: spansPerRequest,
      concurrency,
      warmupS,
      durationS,
      sample: async () => {
        const t = process.hrtime.bigint();
        const cpu = cpuSeconds(pid);
        const text = await srv.metrics();
        return { t, cpu, accepted: metricSum(text, 'corrgate_receiver_accepted_spans_total', ['transport="http"']), text };
      },
    });
    const end = samples.end.text;
    return {
      kind,
      round,
      ...windowFigures({ load, samples }),
      rssMiB: peakRssMiB(pid),
      // Backlog check: the receiver acknowledges once a batch is queued, so a queue that grew would
      // flatter the correlator run.
      queueAtEnd: metricSum(end, 'corrgate_pipeline_queue_size', ['pipeline="traces"']),
      refused: metricSum(end, 'corrgate_pipeline_refused_items_total'),
      correlator:
        kind === 'correlator'
          ? {
              spans: metricSum(end, 'corrgate_correlator_spans'),
              traces: metricSum(end, 'corrgate_correlator_traces'),
              bytes: metricSum(end, 'corrgate_correlator_bytes'),
            }
          : undefined,
    };
  } finally {
    await stopChild(srv.child);
  }
}

// ---- report

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The figures: both parts' tables and notes, with headings at `h` ('##' here, '####' in BENCHMARKS.md). */
function renderFigures({ inproc, e2e, payload }, h = '##') {
  const L = [];
  if (inproc && !inproc.failed) {
    L.push(
      `${h} Correlator only (in process, one core)${profileDir ? ' — PROFILED, figures slowed by --cpu-prof' : ''}\n\n` +
        `Default limits (max_spans ${fmt.int(inproc.limits.max_spans)}, max_traces ${fmt.int(inproc.limits.max_traces)}, max_error_logs ${fmt.int(inproc.limits.max_error_logs)}); ` +
        `${inproc.spansPerBatch}-span requests decoded by dist/'s decoder outside the timed section; measured at steady state (span ring wrapping, traces evicting), ` +
        `each batch timed alone right after its decode; events/s per CPU second of the process (process.cpuUsage, GC included) over all measured batches, and the median batch.`,
    );
    L.push('');
    L.push(
      markdownTable(
        [
          'case', ['events measured', 'r'], ['CPU s', 'r'], ['events/s per CPU s', 'r'], ['median batch', 'r'], ['events/s wall', 'r'], ['spans held', 'r'], ['traces held', 'r'],
          ['error logs held', 'r'], ['evicted spans / traces', 'r'], ['stats().bytes per span', 'r'], ['heap+arrayBuffers growth per span', 'r'], ['peak RSS MiB', 'r'],
        ],
        inproc.cases.map((c) => [
          c.name, fmt.int(c.events), fmt.f(c.cpuS), `**${fmt.m(c.eventsPerCpuS)}**`, fmt.m(c.medianSectionEventsPerCpuS), fmt.m(c.eventsPerWallS), fmt.int(c.retained.spans),
          fmt.int(c.retained.traces), fmt.int(c.retained.errorLogs), `${fmt.int(c.evicted.spans)} / ${fmt.int(c.evicted.traces)}`, c.fresh ? fmt.f(c.statsBytesPerSpan, 1) : '—',
          c.fresh ? fmt.f(c.heapGrowthPerSpan, 1) : '—', fmt.f(c.peakRssMiB, 0),
        ]),
      ),
    );
    const c0 = inproc.cases[0];
    L.push('');
    L.push(
      `Heap at construction: ${fmt.f(c0.heapAtConstructionBytes / 2 ** 20, 1)} MiB (arenas are sized from the limits up front). ` +
        `maintain() at steady state: ${inproc.cases.map((c) => `${fmt.f(c.maintainMs, 1)} ms`).join(', ')} (timed apart; the processor runs it every 10 s). ` +
        `Duplicates seen by the trace index: ${inproc.cases.map((c) => fmt.int(c.duplicateSpans)).join(', ')}; rejected: ${inproc.cases.map((c) => fmt.int(c.rejected)).join(', ')}.`,
    );
  } else if (inproc?.failed) {
    L.push(`In-process part failed: ${inproc.failed}`);
  }
  if (e2e) {
    if (L.length) L.push('');
    L.push(
      `${h} End to end (OTLP/HTTP protobuf -> corrgate)\n\n` +
        `One ${payload.spans}-span request (${(payload.bytes / 1024).toFixed(1)} KiB, bench/payload.mjs) sent over and over by bench/load-generator.mjs, ${concurrency} in flight, ` +
        `${warmupS} s warm-up + ${durationS} s measured, ${rounds} round(s) alternating, each run a fresh corrgate process. Spans accepted per server CPU second (utime+stime from /proc).`,
    );
    L.push('');
    L.push(
      markdownTable(
        [
          'run', ['round', 'r'], ['requests', 'r'], ['errors', 'r'], ['spans accepted', 'r'], ['wall s', 'r'], ['server CPU s', 'r'], ['cores busy', 'r'],
          ['spans/s per server core', 'r'], ['p50 ms', 'r'], ['p99 ms', 'r'], ['peak RSS MiB', 'r'], ['queue at end', 'r'],
        ],
        e2e.map((r) =>
          r.failed
            ? [E2E[r.kind].label, r.round, `failed: ${r.failed.split('\n')[0]}`]
            : [
                E2E[r.kind].label, r.round, fmt.int(r.requests), fmt.int(r.errors), fmt.int(r.accepted), fmt.f(r.wallS), fmt.f(r.serverCpuS), fmt.f(r.serverCpuS / r.wallS),
                `**${fmt.k(r.perCore)}**`, fmt.f(r.p50Ms, 1), fmt.f(r.p99Ms, 1), fmt.f(r.rssMiB, 0), fmt.int(r.queueAtEnd),
              ],
        ),
      ),
    );
    const corr = e2e.find((r) => r.kind === 'correlator' && !r.failed)?.correlator;
    if (corr) {
      L.push('');
      L.push(
        `Correlator state at the end of a run: ${fmt.int(corr.spans)} spans, ${fmt.int(corr.traces)} traces held. The load repeats one request, so after the first one the trace index ` +
          'sees only duplicates (it never fills); compare the in-process "same request repeated" case with the "new traces" case for what fresh traffic would add.',
      );
    }
  }
  return L.join('\n');
}

function render({ inproc, e2e, summary, env, payload }) {
  const L = [];
  L.push(`# Correlator benchmark (\`node bench/correlator-bench.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}\`)`);
  L.push('');
  L.push(`Machine: ${env.model}, ${env.nproc} CPUs, ${env.memGiB.toFixed(0)} GiB RAM, Linux ${env.kernel}, Node.js ${env.node}.`);
  const figures = renderFigures({ inproc, e2e, payload });
  if (figures) L.push('', figures);
  L.push('');
  L.push('## Targets');
  L.push('');
  for (const line of summary.lines) L.push(`- ${line}`);
  return L.join('\n');
}

function summarise(inproc, e2e) {
  const lines = [];
  const targets = {};
  const profiled = Boolean(profileDir);
  if (inproc && !inproc.failed) {
    const [spansOnly, mixed] = inproc.cases;
    const worst = Math.min(spansOnly.eventsPerCpuS, mixed.eventsPerCpuS);
    targets.eventsPerCore = { target: TARGETS.eventsPerCore, spansOnly: spansOnly.eventsPerCpuS, withLogs: mixed.eventsPerCpuS, met: profiled ? null : worst >= TARGETS.eventsPerCore };
    lines.push(
      `Correlator throughput: ${fmt.m(spansOnly.eventsPerCpuS)} events/s per core (spans), ${fmt.m(mixed.eventsPerCpuS)} (spans + logs); target ≥ ${fmt.m(TARGETS.eventsPerCore)}: ` +
        `${profiled ? 'not judged (profiled run)' : worst >= TARGETS.eventsPerCore ? 'met' : 'missed'}.`,
    );
    const worstBytes = Math.max(spansOnly.statsBytesPerSpan, spansOnly.heapGrowthPerSpan, mixed.statsBytesPerSpan, mixed.heapGrowthPerSpan);
    targets.bytesPerSpan = {
      target: TARGETS.bytesPerSpan,
      statsBytes: { spansOnly: spansOnly.statsBytesPerSpan, withLogs: mixed.statsBytesPerSpan },
      heapGrowth: { spansOnly: spansOnly.heapGrowthPerSpan, withLogs: mixed.heapGrowthPerSpan },
      met: worstBytes <= TARGETS.bytesPerSpan,
    };
    lines.push(
      `Memory per retained span: stats().bytes ${fmt.f(spansOnly.statsBytesPerSpan, 1)} / ${fmt.f(mixed.statsBytesPerSpan, 1)} B, process growth ${fmt.f(spansOnly.heapGrowthPerSpan, 1)} / ` +
        `${fmt.f(mixed.heapGrowthPerSpan, 1)} B (spans / spans + logs); target ≤ ${TARGETS.bytesPerSpan} B: ${worstBytes <= TARGETS.bytesPerSpan ? 'met' : 'missed'}.`,
    );
  }
  if (e2e) {
    const ok = (k) => e2e.filter((r) => r.kind === k && !r.failed);
    const rx = ok('receiver');
    const cx = ok('correlator');
    if (rx.length && cx.length) {
      const r = mean(rx.map((x) => x.perCore));
      const c = mean(cx.map((x) => x.perCore));
      const drop = (100 * (r - c)) / r;
      // What the correlator adds per span on the ingest path, from the two runs' CPU per span.
      const addedUs = 1e6 / c - 1e6 / r;
      targets.e2eDrop = { target: TARGETS.maxE2eDropPct, receiverPerCore: r, correlatorPerCore: c, dropPct: drop, correlatorAddedCpuUsPerSpan: addedUs, met: drop <= TARGETS.maxE2eDropPct };
      lines.push(
        `End to end over OTLP/HTTP: ${fmt.k(r)} spans/s per server core receiver only, ${fmt.k(c)} with the correlator (mean of ${rx.length} and ${cx.length} runs): ` +
          `${fmt.f(drop, 1)}% lower; target ≤ ${TARGETS.maxE2eDropPct}%: ${drop <= TARGETS.maxE2eDropPct ? 'met' : 'missed'} ` +
          `(with a repeated request; see the note above). The correlator adds ${fmt.f(addedUs, 2)} µs of server CPU per span ` +
          `(${fmt.m(1e6 / addedUs)} spans/s per core on its own); the ${TARGETS.maxE2eDropPct}% budget allows ` +
          `${fmt.f((1e6 / r) * (TARGETS.maxE2eDropPct / (100 - TARGETS.maxE2eDropPct)), 2)} µs.`,
      );
    }
  }
  return { lines, targets };
}

// ---- main

const workDir = mkdtempSync(path.join(os.tmpdir(), 'corrgate-correlator-bench-'));
stopChildrenOnExit(() => rmSync(workDir, { recursive: true, force: true }));
let exitCode = 0;
let inproc = null;
let e2e = null;
let payloadInfo = null;
try {
  if (only !== 'e2e') {
    process.stdout.write('in process (child with --expose-gc)\n');
    try {
      inproc = await runInProcess();
    } catch (err) {
      exitCode = 1;
      inproc = { failed: err.message };
      process.stdout.write(`  failed: ${err.message}\n`);
    }
  }
  if (only !== 'inprocess') {
    const { buildTracesPayload } = await import('./payload.mjs');
    const payload = buildTracesPayload();
    const payloadFile = path.join(workDir, 'traces-request.bin');
    writeFileSync(payloadFile, payload.bytes);
    payloadInfo = { spans: payload.spans, bytes: payload.bytes.length };
    e2e = [];
    process.stdout.write(`end to end: ${rounds} round(s), ${warmupS} s warm-up + ${durationS} s per run\n`);
    for (let round = 1; round <= rounds; round++) {
      for (const kind of ['receiver', 'correlator']) {
        const { result, ok } = await loadRun(`${E2E[kind].label}, round ${round}`, () => runE2e(kind, round, payloadFile, payload.spans, workDir), { kind, round });
        e2e.push(result);
        if (!ok) exitCode = 1;
      }
    }
  }
  const summary = summarise(inproc, e2e);
  const env = machine();
  process.stdout.write(`\n${render({ inproc, e2e, summary, env, payload: payloadInfo })}\n`);
  for (const c of inproc?.cases ?? []) {
    const p = c.profile;
    if (!p) continue;
    process.stdout.write(`\n## Where the correlator's CPU goes: ${c.name} (--cpu-prof, self time under observeTraces/observeLogs)\n\n`);
    if (p.error) {
      process.stdout.write(`${p.error}\n`);
      continue;
    }
    process.stdout.write(
      `Profile ${p.file}: ${fmt.f(p.totalMs / 1000)} s sampled in all (decoding and set-up included), ${fmt.f(p.observeMs / 1000)} s inside observe*, ` +
        `${fmt.f(p.gcMs / 1000)} s in the garbage collector (GC samples carry no stack, so they are not split by caller).\n\n` +
        '| function | self ms | % of observe* |\n| --- | ---: | ---: |\n',
    );
    for (const t of p.top) process.stdout.write(`| \`${t.fn}\` | ${fmt.f(t.ms, 0)} | ${fmt.f(t.pctOfObserve, 1)} |\n`);
    process.stdout.write('\nInclusive, by what observe* called:\n\n| step | ms | % of observe* |\n| --- | ---: | ---: |\n');
    for (const t of p.byCallee) process.stdout.write(`| \`${t.fn}\` | ${fmt.f(t.ms, 0)} | ${fmt.f(t.pctOfObserve, 1)} |\n`);
  }
  const json = {
    bench: 'correlator',
    date: new Date().toISOString(),
    quick,
    profiled: Boolean(profileDir),
    machine: env,
    targets: summary.targets,
    inProcess: inproc,
    endToEnd: e2e?.map(({ errorSamples, ...r }) => (r.failed ? r : { ...r, errorSamples })),
  };
  process.stdout.write(`\n${JSON.stringify(json)}\n`);
  writeSectionReport(opts.report, {
    section: 'correlator',
    ok: exitCode === 0,
    markdown: renderFigures({ inproc, e2e, payload: payloadInfo }, '####'),
    // summarise() writes one line per target, in the order of its targets object.
    targets: Object.entries(summary.targets).map(([key, t], i) => ({ name: TARGET_NAMES[key], met: t.met, text: summary.lines[i] })),
    figures: summary.targets,
  });
} catch (err) {
  exitCode = 1;
  process.stderr.write(`correlator-bench: ${err.stack ?? err}\n`);
} finally {
  stopAllNow();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
