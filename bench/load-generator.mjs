// Sends one prepared OTLP trace request over and over, with a fixed number of requests in flight,
// to an OTLP/HTTP (protobuf) or OTLP/gRPC server on loopback. It runs in its own process so that its
// CPU time is not charged to the server being measured.
//
//   node bench/load-generator.mjs --transport http|grpc --target 127.0.0.1:PORT --payload FILE
//        --spans N [--concurrency 8] [--warmup 2] [--duration 8] [--max-requests 200000]
//
// Phases: warm-up (requests sent, nothing recorded), then the measured window, then a drain of the
// requests still in flight. When started with an IPC channel (child_process.fork) it sends
// {phase:'measure-start'} and {phase:'measure-end'} at the window's edges, so the parent can read
// the server's CPU time and counters at the same moments. Prints one JSON object on stdout.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import grpc from '@grpc/grpc-js';

const { values: args } = parseArgs({
  options: {
    transport: { type: 'string' },
    target: { type: 'string' },
    payload: { type: 'string' },
    spans: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    duration: { type: 'string', default: '8' },
    'max-requests': { type: 'string', default: '200000' },
    'http-path': { type: 'string', default: '/v1/traces' },
  },
});

function fail(message) {
  process.stderr.write(`load-generator: ${message}\n`);
  process.exit(2);
}

if (args.transport !== 'http' && args.transport !== 'grpc') fail('--transport must be http or grpc');
if (!args.target || !args.payload || !args.spans) fail('--target, --payload and --spans are required');
const [host, portText] = args.target.split(':');
const port = Number(portText);
if (host !== '127.0.0.1' && host !== 'localhost') fail('only loopback targets are allowed');
const concurrency = Number(args.concurrency);
const warmupMs = Number(args.warmup) * 1000;
const durationMs = Number(args.duration) * 1000;
const maxRequests = Number(args['max-requests']);
const spansPerRequest = Number(args.spans);
// A request that takes this long counts as an error; it also bounds the drain at the end.
const REQUEST_TIMEOUT_MS = 10_000;
const GRPC_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const payload = readFileSync(args.payload);

/** One request; resolves to null on success or an error description. */
let send;
let closeClient = () => {};

if (args.transport === 'http') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const headers = { 'content-type': 'application/x-protobuf', 'content-length': payload.length };
  send = () =>
    new Promise((resolve) => {
      const req = http.request({ host, port, path: args['http-path'], method: 'POST', agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        // The body must be read to the end or the keep-alive socket cannot be reused.
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode === 200 ? null : `HTTP ${res.statusCode}`));
        res.on('error', (err) => resolve(err.message));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve(err.message));
      req.end(payload);
    });
  closeClient = () => agent.destroy();
} else {
  const client = new grpc.Client(`${host}:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
  // Identity serializers: the bytes are already an encoded ExportTraceServiceRequest, and the
  // response is not looked at beyond its status.
  const identity = (bytes) => bytes;
  send = () =>
    new Promise((resolve) => {
      const deadline = new Date(Date.now() + REQUEST_TIMEOUT_MS);
      client.makeUnaryRequest(GRPC_EXPORT, identity, identity, payload, new grpc.Metadata(), { deadline }, (err) =>
        resolve(err ? `gRPC ${grpc.status[err.code] ?? err.code}: ${err.details}` : null),
      );
    });
  closeClient = () => client.close();
}

const notify = (message) => {
  if (process.send) process.send(message);
};

const latenciesMs = [];
const errorSamples = new Map();
const counts = { requests: 0, errors: 0, spansSent: 0 };
let phase = 'warmup';
let started = 0;
let sentTotal = 0;
let windowStart = 0n;
let windowEnd = 0n;

async function worker(deadline) {
  // Bounded by time and by count, whatever the server does.
  while (performance.now() < deadline && started < maxRequests) {
    started++;
    const inWindow = phase === 'measure';
    const t0 = performance.now();
    const error = await send();
    const ms = performance.now() - t0;
    sentTotal++;
    // A request counts in the window it started in, so the drain adds nothing new.
    if (!inWindow) continue;
    counts.requests++;
    if (error === null) {
      latenciesMs.push(ms);
      counts.spansSent += spansPerRequest;
    } else {
      counts.errors++;
      errorSamples.set(error, (errorSamples.get(error) ?? 0) + 1);
    }
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const begin = performance.now();
const deadline = begin + warmupMs + durationMs;
const timers = [
  setTimeout(() => {
    phase = 'measure';
    windowStart = process.hrtime.bigint();
    notify({ phase: 'measure-start' });
  }, warmupMs),
  setTimeout(() => {
    phase = 'drain';
    windowEnd = process.hrtime.bigint();
    notify({ phase: 'measure-end' });
  }, warmupMs + durationMs),
];

await Promise.all(Array.from({ length: concurrency }, () => worker(deadline)));
for (const t of timers) clearTimeout(t);
if (windowEnd === 0n) {
  // Stopped by --max-requests before the window closed.
  windowEnd = process.hrtime.bigint();
  notify({ phase: 'measure-end' });
}
closeClient();

latenciesMs.sort((a, b) => a - b);
const result = {
  transport: args.transport,
  target: args.target,
  concurrency,
  payloadBytes: payload.length,
  spansPerRequest,
  windowSeconds: windowStart === 0n ? 0 : Number(windowEnd - windowStart) / 1e9,
  requests: counts.requests,
  errors: counts.errors,
  spansSent: counts.spansSent,
  requestsTotal: sentTotal,
  latencyMs: {
    p50: percentile(latenciesMs, 50),
    p99: percentile(latenciesMs, 99),
    max: latenciesMs.length ? latenciesMs[latenciesMs.length - 1] : null,
  },
  errorSamples: Object.fromEntries([...errorSamples].slice(0, 5)),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
// Let stdout flush and the IPC channel close; nothing else should be pending.
if (process.disconnect && process.connected) process.disconnect();
