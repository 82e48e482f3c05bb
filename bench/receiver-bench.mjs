// The receiver benchmark: corrgate against a protobufjs receiver, over OTLP/HTTP (protobuf) and
// OTLP/gRPC, with the same ~330 KB request of 1000 spans. `npm run bench` runs it as its first
// section (bench/run.mjs); alone:
//
//   node bench/receiver-bench.mjs [--quick] [--warmup S] [--duration S] [--concurrency N]
//                                 [--only corrgate|protobufjs|http|grpc|<server>/<transport>,...]
//                                 [--profile DIR] [--report FILE]
//
// Each scenario starts its server in a fresh process (so peak RSS is that scenario's), drives it from
// a load-generator process, and reads the server's own CPU time (/proc/<pid>/stat) and its own count
// of accepted spans at the two edges of the measured window. Spans per server core = accepted spans
// / server CPU seconds: on a small machine the load generator takes CPU the server would otherwise
// get, so wall-clock throughput would measure the machine, not the server.
//
// Prints a markdown report. --report FILE also writes it as a section report for bench/run.mjs
// (bench/lib/report.mjs). Exit status 1 when a scenario failed or any request got an error.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HOST, benchDir, corrgateMain, exited, freePort, getText, startCorrgate, stopAllNow, stopChild, stopChildrenOnExit, tail, track } from './lib/processes.mjs';
import { loadRun, runLoadGenerator, windowFigures } from './lib/load.mjs';
import { cpuSeconds, machine, peakRssMiB } from './lib/proc-stats.mjs';
import { verdict, writeSectionReport } from './lib/report.mjs';
import { fmt, markdownTable } from './lib/table.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    only: { type: 'string' },
    profile: { type: 'string' },
    report: { type: 'string' },
  },
});
const warmupS = Number(opts.warmup ?? (opts.quick ? 0.5 : 2));
const durationS = Number(opts.duration ?? (opts.quick ? 2 : 10));
const concurrency = Number(opts.concurrency);
// The gRPC pair runs a second time with one call in flight: grpc-js + protobufjs holds the decoded
// trees of concurrent calls at once and slows down sharply with more of them in flight (mostly
// garbage collection), so its single-call figure is the fair best case for the peer.
const SCENARIOS = [
  { transport: 'http', concurrency },
  { transport: 'grpc', concurrency },
  ...(concurrency === 1 ? [] : [{ transport: 'grpc', concurrency: 1 }]),
];
// --only corrgate | grpc | protobufjs/http ...: a subset of the scenarios, for profiling one of them.
const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : null;
const selected = (server, transport) => !only || only.some((o) => o === server || o === transport || o === `${server}/${transport}`);
// --profile DIR: each server writes a V8 .cpuprofile into DIR when it stops (open it in Chrome
// DevTools). Profiling slows the server, so its figures are not held against the targets.
const serverNodeArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.profile)}`] : [];

const TARGETS = { http: 800_000, grpc: 500_000 };
const TRANSPORT_NAMES = { http: 'HTTP/protobuf', grpc: 'gRPC' };

if (!existsSync(corrgateMain)) {
  process.stderr.write('bench: dist/ is missing; run `npm run bench` (it builds first) or `npx tsc -p tsconfig.build.json`\n');
  process.exit(2);
}
const { buildTracesPayload } = await import('./payload.mjs');

// ---------------------------------------------------------------------------------------------
// The two servers. Each start() returns the process, the ports and a function that reads the
// server's own count of accepted spans for a transport.

async function startCorrgateReceiver(workDir, logFile) {
  const [grpcPort, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const srv = await startCorrgate({
    workDir,
    logFile,
    metricsPort,
    nodeArgs: serverNodeArgs,
    configFile: path.join(benchDir, 'configs', 'corrgate-receiver.yaml'),
    env: { BENCH_GRPC_ENDPOINT: `${HOST}:${grpcPort}`, BENCH_HTTP_ENDPOINT: `${HOST}:${httpPort}`, BENCH_METRICS_ENDPOINT: `${HOST}:${metricsPort}` },
  });
  return {
    child: srv.child,
    ports: { http: httpPort, grpc: grpcPort },
    accepted: (transport) => srv.metric('corrgate_receiver_accepted_spans_total', [`transport="${transport}"`]),
  };
}

async function startProtobufjs(workDir, logFile) {
  const log = openSync(logFile, 'a');
  const child = track(spawn(process.execPath, [...serverNodeArgs, path.join(benchDir, 'protobufjs-receiver.mjs'), '--host', HOST], { cwd: workDir, stdio: ['ignore', 'pipe', log] }));
  closeSync(log);
  const ready = await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`protobufjs receiver was not ready within 10 s:\n${tail(logFile)}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffered.slice(0, newline)));
      } catch (err) {
        reject(err);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`protobufjs receiver exited during start-up:\n${tail(logFile)}`));
    });
  });
  const base = `http://${HOST}:${ready.httpPort}`;
  return {
    child,
    ports: { http: ready.httpPort, grpc: ready.grpcPort },
    // The receiver counts the spans it decoded itself (both transports share one count, and only
    // one transport is driven per process).
    accepted: async () => JSON.parse(await getText(`${base}/stats`)).spans,
  };
}

const SERVERS = { corrgate: startCorrgateReceiver, protobufjs: startProtobufjs };

// ---------------------------------------------------------------------------------------------
// One scenario: a fresh server, a load generator, samples at the edges of the measured window.

async function runScenario({ server, transport, concurrency, payloadFile, spansPerRequest, workDir }) {
  const logFile = path.join(workDir, `${server}-${transport}-${concurrency}.log`);
  const srv = await SERVERS[server](workDir, logFile);
  const pid = srv.child.pid;
  try {
    // CPU first, then the counter, at both edges: the same order keeps the two windows aligned.
    const { load, samples } = await runLoadGenerator({
      transport,
      port: srv.ports[transport],
      payloadFile,
      spans: spansPerRequest,
      concurrency,
      warmupS,
      durationS,
      sample: async (name, gen) => {
        const t = process.hrtime.bigint();
        const cpu = cpuSeconds(pid);
        const genCpu = exited(gen) ? NaN : cpuSeconds(gen.pid);
        return { t, cpu, genCpu, accepted: await srv.accepted(transport) };
      },
    });
    return {
      server,
      transport,
      concurrency,
      ...windowFigures({ load, samples }),
      rssMiB: peakRssMiB(pid),
      genCpuS: samples.end.genCpu - samples.start.genCpu,
    };
  } finally {
    await stopChild(srv.child);
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

function targetsOf(results) {
  const targets = [];
  for (const transport of ['http', 'grpc']) {
    const r = results.find((x) => x.transport === transport && x.concurrency === concurrency && x.server === 'corrgate' && !x.failed);
    if (!r) continue;
    const met = opts.profile ? null : r.perCore >= TARGETS[transport];
    targets.push({
      name: `corrgate over ${TRANSPORT_NAMES[transport]}`,
      met,
      text: `corrgate over ${TRANSPORT_NAMES[transport]}, ${concurrency} in flight: ${fmt.k(r.perCore)} spans/s per server core; target ${fmt.k(TARGETS[transport])}: ${verdict(met)}${opts.profile ? ' (profiled run)' : ''}.`,
    });
  }
  return targets;
}

function renderFigures({ results, payload }) {
  const lines = [];
  lines.push(
    `Load: one request of ${payload.spans} spans (${(payload.bytes.length / 1024).toFixed(1)} KiB, bench/payload.mjs), ` +
      `${SCENARIOS.map((s) => s.concurrency).filter((c, k, all) => all.indexOf(c) === k).join(' or ')} requests in flight, ${warmupS} s warm-up then ${durationS} s measured, one load-generator process, ` +
      'each server in a fresh process.',
  );
  lines.push('');
  const rows = results.map((r) => {
    if (r.failed) return [TRANSPORT_NAMES[r.transport], r.server, r.concurrency, `failed: ${r.failed.split('\n')[0]}`];
    const peer = results.find((p) => p.transport === r.transport && p.concurrency === r.concurrency && p.server === 'protobufjs' && !p.failed);
    const ratio = r.server === 'corrgate' && peer ? `${fmt.f(r.perCore / peer.perCore, 1)}x` : '';
    return [
      TRANSPORT_NAMES[r.transport], r.server, r.concurrency, fmt.int(r.requests), fmt.int(r.errors), fmt.int(r.accepted), fmt.f(r.wallS),
      fmt.f(r.serverCpuS), fmt.f(r.serverCpuS / r.wallS), `**${fmt.k(r.perCore)}**`, ratio, fmt.f(r.p50Ms, 1), fmt.f(r.p99Ms, 1),
      fmt.f(r.rssMiB, 0), fmt.f(r.genCpuS),
    ];
  });
  lines.push(
    markdownTable(
      [
        'transport', 'server', ['in flight', 'r'], ['requests', 'r'], ['errors', 'r'], ['spans accepted', 'r'], ['wall s', 'r'], ['server CPU s', 'r'],
        ['server cores busy', 'r'], ['spans/s per server core', 'r'], ['corrgate / protobufjs', 'r'], ['p50 ms', 'r'], ['p99 ms', 'r'], ['peak RSS MiB', 'r'],
        ['load-gen CPU s', 'r'],
      ],
      rows,
    ),
  );
  lines.push('');
  lines.push(
    'Spans accepted is the server\'s own count over the measured window: corrgate\'s `corrgate_receiver_accepted_spans_total{transport}` ' +
      'from /metrics, the protobufjs receiver\'s count of decoded spans from its /stats. Server CPU is utime + stime of the server process ' +
      '(all threads) from /proc/<pid>/stat over the same window; peak RSS is its VmHWM at the end. Latency is per request, at the load ' +
      'generator, from send to the end of the response.',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

const workDir = mkdtempSync(path.join(os.tmpdir(), 'corrgate-bench-'));
stopChildrenOnExit(() => rmSync(workDir, { recursive: true, force: true }));
let exitCode = 0;
try {
  const payload = buildTracesPayload();
  const payloadFile = path.join(workDir, 'traces-request.bin');
  writeFileSync(payloadFile, payload.bytes);
  process.stdout.write(`payload: ${payload.spans} spans, ${(payload.bytes.length / 1024).toFixed(1)} KiB; ${warmupS} s warm-up + ${durationS} s per scenario\n`);

  const results = [];
  for (const { transport, concurrency: inFlight } of SCENARIOS) {
    for (const server of ['corrgate', 'protobufjs']) {
      if (!selected(server, transport)) continue;
      const { result, ok } = await loadRun(
        `${server} over ${TRANSPORT_NAMES[transport]}, ${inFlight} in flight`,
        () => runScenario({ server, transport, concurrency: inFlight, payloadFile, spansPerRequest: payload.spans, workDir }),
        { server, transport, concurrency: inFlight },
      );
      results.push(result);
      if (!ok) exitCode = 1;
    }
  }

  const env = machine();
  const figures = renderFigures({ results, payload });
  const targets = targetsOf(results);
  // The command as typed, less --report (bench/run.mjs's hand-over file).
  const argv = process.argv.slice(2);
  const reportAt = argv.indexOf('--report');
  if (reportAt >= 0) argv.splice(reportAt, 2);
  const args = argv.join(' ');
  process.stdout.write(
    `\nMeasured ${new Date().toISOString().slice(0, 10)} with \`node bench/receiver-bench.mjs${args ? ` ${args}` : ''}\`.\n\n` +
      `Machine: ${env.model}, \`nproc\` = ${env.nproc}, ${env.memGiB.toFixed(0)} GiB RAM, Linux ${env.kernel}, Node.js ${env.node}.\n` +
      `${figures}\n\n${targets.map((t) => `- ${t.text}`).join('\n')}\n`,
  );
  writeSectionReport(opts.report, { section: 'receiver', ok: exitCode === 0, markdown: figures, targets });
} catch (err) {
  exitCode = 1;
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
} finally {
  stopAllNow();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
