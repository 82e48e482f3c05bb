// Throughput and memory of the correlator's trace index on one core.
// Run after `npx tsc -p tsconfig.build.json`: node bench/correlator-trace-index-micro.mjs [seconds-per-case]
//
// The index is configured as in production (1M spans, 200k traces, 50k error logs) and filled to its
// steady state first, so every measured insert also evicts: a span overwrites the oldest ring slot and
// a new trace evicts the oldest trace. IDs are random and made before timing, as views into one pool
// buffer (the way the OTLP decoder hands them over), so the figures are the index's, not ID generation's.
// Memory is reported twice: the arenas' own accounting (byteSize) and what the process grew by.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Heap deltas need a collection before each reading; re-run this file with --expose-gc if it is off.
if (typeof globalThis.gc !== 'function') {
  const { status } = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(status ?? 1);
}

const { TraceIndex, SPAN_FLAG_ERROR, SPAN_FLAG_SERVER, SPAN_FLAG_CLIENT } = await import('../dist/correlator/trace-index.js');

const secondsPerCase = Number(process.argv[2] ?? 3);
const LIMITS = { maxTraces: 200_000, maxSpans: 1_000_000, maxErrorLogs: 50_000, maxTraceAgeMs: 300_000 };
const SPANS_PER_TRACE = 10;
// More traces than the index holds, so a trace ID comes round again only after it was evicted.
const POOL_TRACES = 64 * 4688; // a whole number of interleaved groups
const POOL_SPANS = POOL_TRACES * SPANS_PER_TRACE;
const IN_FLIGHT = 64; // traces whose spans arrive interleaved, as from many concurrent requests

/** A deterministic generator, so runs are comparable. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function mib(bytes) {
  return (bytes / 1024 / 1024).toFixed(1);
}

function heapBytes() {
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const rnd = lcg(20240601);
const traceBytes = new Uint8Array(POOL_TRACES * 16);
const spanBytes = new Uint8Array(POOL_SPANS * 8);
const words = new Uint32Array(traceBytes.buffer);
for (let i = 0; i < words.length; i++) words[i] = rnd();
const spanWords = new Uint32Array(spanBytes.buffer);
for (let i = 0; i < spanWords.length; i++) spanWords[i] = rnd() | 1;
const traceIds = Array.from({ length: POOL_TRACES }, (_, i) => traceBytes.subarray(i * 16, i * 16 + 16));
const spanIds = Array.from({ length: POOL_SPANS }, (_, i) => spanBytes.subarray(i * 8, i * 8 + 8));
const EMPTY = new Uint8Array(0);
const flagsOf = new Uint8Array(POOL_SPANS);
for (let i = 0; i < POOL_SPANS; i++) {
  const k = i % SPANS_PER_TRACE;
  flagsOf[i] = (k === 0 ? SPAN_FLAG_SERVER : k % 2 ? SPAN_FLAG_CLIENT : SPAN_FLAG_SERVER) | (rnd() % 20 === 0 ? SPAN_FLAG_ERROR : 0);
}

const before = heapBytes();
const index = new TraceIndex(LIMITS);
const afterConstruct = heapBytes();

/** Span number `n` of the stream: trace-major, or interleaved across IN_FLIGHT traces. */
let cursor = 0;
let nowMs = 1_700_000_000_000;

function addSequential(count) {
  for (let c = 0; c < count; c++) {
    const n = cursor;
    cursor = n + 1 === POOL_SPANS ? 0 : n + 1;
    const t = (n / SPANS_PER_TRACE) | 0;
    const k = n - t * SPANS_PER_TRACE;
    const parent = k === 0 ? EMPTY : spanIds[n - k];
    index.addSpan(traceIds[t], spanIds[n], parent, t & 31, k, nowMs + k, 5 + k, flagsOf[n]);
  }
  nowMs += 1;
}

function addInterleaved(count) {
  const group = IN_FLIGHT * SPANS_PER_TRACE;
  for (let c = 0; c < count; c++) {
    // Within a group of IN_FLIGHT traces, the k-th span of every trace comes before any (k+1)-th.
    const base = cursor - (cursor % group);
    const r = cursor - base;
    const t = (base / SPANS_PER_TRACE + (r % IN_FLIGHT)) | 0;
    const k = (r / IN_FLIGHT) | 0;
    const n = t * SPANS_PER_TRACE + k;
    cursor = cursor + 1 === POOL_SPANS ? 0 : cursor + 1;
    const parent = k === 0 ? EMPTY : spanIds[n - k];
    index.addSpan(traceIds[t], spanIds[n], parent, t & 31, k, nowMs + k, 5 + k, flagsOf[n]);
  }
  nowMs += 1;
}

const BODIES = ['upstream connect error or disconnect/reset before headers', 'deadline exceeded after 2.000s', 'connection refused'];
/** Ten spans and four logs per trace, one of them an error log for one trace in four. */
function addWithLogs(count) {
  for (let c = 0; c < count; c++) {
    const n = cursor;
    cursor = n + 1 === POOL_SPANS ? 0 : n + 1;
    const t = (n / SPANS_PER_TRACE) | 0;
    const k = n - t * SPANS_PER_TRACE;
    const parent = k === 0 ? EMPTY : spanIds[n - k];
    index.addSpan(traceIds[t], spanIds[n], parent, t & 31, k, nowMs + k, 5 + k, flagsOf[n]);
    if (k < 4) index.addLog(traceIds[t], spanIds[n], t & 31, nowMs + k, k === 3 && (t & 3) === 0 ? 17 : 9, BODIES[t % 3]);
  }
  nowMs += 1;
}

const CHUNK = 10_000;
// Rates are per CPU second of this process (process.cpuUsage), as bench/run.mjs counts per server
// core: on a shared machine wall-clock time would measure the neighbours. Nothing here runs off the
// main thread (the timed loops allocate nothing, so there is no concurrent GC work to count).
function round(fn, seconds) {
  let spans = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const stop = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < stop) {
    fn(CHUNK);
    spans += CHUNK;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  return spans / ((cpu.user + cpu.system) / 1e6);
}

// Steady state: the span ring, trace slots and error log ring all full, so inserts evict.
addWithLogs(2 * LIMITS.maxTraces * SPANS_PER_TRACE);
const filled = heapBytes();

const cases = {
  'addSpan, 10 spans per trace, trace by trace': addSequential,
  'addSpan, 10 spans per trace, 64 traces interleaved': addInterleaved,
  'addSpan + 4 addLog per 10 spans (events/s = x1.4)': addWithLogs,
};
console.log(`trace index: ${LIMITS.maxSpans} spans, ${LIMITS.maxTraces} traces, ${LIMITS.maxErrorLogs} error logs; node ${process.version}`);
const best = Object.fromEntries(Object.keys(cases).map((name) => [name, 0]));
for (const fn of Object.values(cases)) round(fn, 0.3);
const ROUNDS = 5;
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(cases)) best[name] = Math.max(best[name], round(fn, secondsPerCase / ROUNDS));
}
for (const [name, rate] of Object.entries(best)) console.log(`${name.padEnd(52)} ${(rate / 1e6).toFixed(2).padStart(6)} M spans per CPU second`);

// Expiry sweeps every trace slot; time one sweep that finds nothing to evict, then one that evicts all.
let t0 = process.hrtime.bigint();
index.evictExpired(0);
const sweepMs = Number(process.hrtime.bigint() - t0) / 1e6;

const { size, evicted } = index;
const bytes = index.byteSize();
console.log(`held: ${size.traces} traces, ${size.spans} spans, ${size.errorLogs} error logs; evicted so far: ${evicted.traces} traces, ${evicted.spans} spans, ${evicted.errorLogs} error logs`);
console.log(`byteSize(): ${mib(bytes)} MiB = ${(bytes / size.spans).toFixed(1)} bytes per retained span (${(bytes / LIMITS.maxSpans).toFixed(1)} per span slot)`);
console.log(
  `process growth (heapUsed + arrayBuffers): ${mib(afterConstruct - before)} MiB at construction, ${mib(filled - before)} MiB at steady state = ${((filled - before) / size.spans).toFixed(1)} bytes per retained span`,
);
t0 = process.hrtime.bigint();
const expired = index.evictExpired(Number.MAX_SAFE_INTEGER);
const evictAllMs = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`evictExpired over ${LIMITS.maxTraces} trace slots: ${sweepMs.toFixed(2)} ms evicting none, ${evictAllMs.toFixed(2)} ms evicting ${expired}`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (the ID pool of ${POOL_SPANS} span views is most of it)`);
