// The receiver benchmark (`npm run bench`): corrgate against a protobufjs receiver, over OTLP/HTTP
// (protobuf) and OTLP/gRPC, with the same ~330 KB request of 1000 spans; then the decoder
// micro-benchmark (bench/protobuf-decode-micro.mjs) when it is there.
//
//   node bench/run.mjs [--quick] [--warmup S] [--duration S] [--concurrency N] [--no-micro] [--no-write]
//                      [--only corrgate|protobufjs|http|grpc|<server>/<transport>,...] [--profile DIR]
//
// Each scenario starts its server in a fresh process (so peak RSS is that scenario's), drives it from
// a load-generator process, and reads the server's own CPU time (/proc/<pid>/stat) and its own count
// of accepted spans at the two edges of the measured window. Spans per server core = accepted spans
// / server CPU seconds: on a small machine the load generator takes CPU the server would otherwise
// get, so wall-clock throughput would measure the machine, not the server.
//
// A full run rewrites the figures section of BENCHMARKS.md (between the bench-results markers); a
// --quick run only prints. Exit status 1 when a scenario failed or any request got an error.

import { execFileSync, fork, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const HOST = '127.0.0.1';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'no-micro': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'string' },
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
const microSeconds = opts.quick ? 0.5 : 2;
// --only corrgate | grpc | protobufjs/http ...: a subset of the scenarios, for profiling one of them.
const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : null;
const selected = (server, transport) => !only || only.some((o) => o === server || o === transport || o === `${server}/${transport}`);
// --profile DIR: each server writes a V8 .cpuprofile into DIR when it stops (open it in Chrome
// DevTools). Profiling slows the server, so such a run never writes BENCHMARKS.md.
const serverNodeArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.profile)}`] : [];
const writeReport = !opts.quick && !opts['no-write'] && !only && !opts.profile;

const TARGETS = { http: 800_000, grpc: 500_000 };
const TRANSPORT_NAMES = { http: 'HTTP/protobuf', grpc: 'gRPC' };

if (!existsSync(path.join(repo, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run bench` (it builds first) or `npx tsc -p tsconfig.build.json`\n');
  process.exit(2);
}
const { buildTracesPayload } = await import('./payload.mjs');

// ---------------------------------------------------------------------------------------------
// Child processes: every one is tracked, and stopped on the way out whatever happens.

const children = new Set();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child, ms) {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child) {
  if (exited(child)) return;
  child.kill('SIGTERM');
  if (await waitExit(child, 5000)) return;
  child.kill('SIGKILL');
  await waitExit(child, 2000);
}

function stopAllNow() {
  for (const child of children) if (!exited(child)) child.kill('SIGKILL');
}
process.on('exit', stopAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAllNow();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Measuring a process from the outside.

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of a process, all its threads (JIT, GC and libuv workers included). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Peak resident set (VmHWM) in MiB. */
function peakRssMiB(pid) {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function getText(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// The two servers. Each start() returns the process, the ports and a function that reads the
// server's own count of accepted spans for a transport.

async function startCorrgate(workDir, logFile) {
  const [grpcPort, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const log = openSync(logFile, 'a');
  const child = track(
    spawn(process.execPath, [...serverNodeArgs, path.join(repo, 'dist', 'cli', 'main.js'), 'serve', '--config', path.join(here, 'configs', 'corrgate-receiver.yaml')], {
      cwd: workDir,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        BENCH_GRPC_ENDPOINT: `${HOST}:${grpcPort}`,
        BENCH_HTTP_ENDPOINT: `${HOST}:${httpPort}`,
        BENCH_METRICS_ENDPOINT: `${HOST}:${metricsPort}`,
      },
    }),
  );
  closeSync(log);
  const base = `http://${HOST}:${metricsPort}`;
  // Bounded: 100 tries, 100 ms apart.
  for (let attempt = 0; ; attempt++) {
    if (exited(child)) throw new Error(`corrgate exited during start-up:\n${tail(logFile)}`);
    try {
      await getText(`${base}/readyz`);
      break;
    } catch {
      if (attempt >= 100) throw new Error(`corrgate was not ready within 10 s:\n${tail(logFile)}`);
      await sleep(100);
    }
  }
  return {
    child,
    ports: { http: httpPort, grpc: grpcPort },
    accepted: async (transport) => {
      const text = await getText(`${base}/metrics`);
      let sum = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('corrgate_receiver_accepted_spans_total{') && line.includes(`transport="${transport}"`)) {
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    },
  };
}

async function startProtobufjs(workDir, logFile) {
  const log = openSync(logFile, 'a');
  const child = track(spawn(process.execPath, [...serverNodeArgs, path.join(here, 'protobufjs-receiver.mjs'), '--host', HOST], { cwd: workDir, stdio: ['ignore', 'pipe', log] }));
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

const SERVERS = { corrgate: startCorrgate, protobufjs: startProtobufjs };

// ---------------------------------------------------------------------------------------------
// One scenario: a fresh server, a load generator, samples at the edges of the measured window.

async function runScenario({ server, transport, concurrency, payloadFile, spansPerRequest, workDir }) {
  const logFile = path.join(workDir, `${server}-${transport}-${concurrency}.log`);
  const srv = await SERVERS[server](workDir, logFile);
  const pid = srv.child.pid;
  let gen;
  try {
    const samples = {};
    const sample = async (name) => {
      // CPU first, then the counter, at both edges: the same order keeps the two windows aligned.
      const t = process.hrtime.bigint();
      const cpu = cpuSeconds(pid);
      const genCpu = exited(gen) ? NaN : cpuSeconds(gen.pid);
      samples[name] = { t, cpu, genCpu, accepted: await srv.accepted(transport) };
    };
    gen = track(
      fork(
        path.join(here, 'load-generator.mjs'),
        [
          '--transport', transport,
          '--target', `${HOST}:${srv.ports[transport]}`,
          '--payload', payloadFile,
          '--spans', String(spansPerRequest),
          '--concurrency', String(concurrency),
          '--warmup', String(warmupS),
          '--duration', String(durationS),
        ],
        { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
      ),
    );
    let stdout = '';
    let stderr = '';
    gen.stdout.on('data', (chunk) => (stdout += chunk));
    gen.stderr.on('data', (chunk) => (stderr += chunk));
    const pending = [];
    gen.on('message', (message) => {
      if (message?.phase === 'measure-start') pending.push(sample('start'));
      if (message?.phase === 'measure-end') pending.push(sample('end'));
    });
    const limitMs = (warmupS + durationS) * 1000 + 30_000;
    if (!(await waitExit(gen, limitMs))) throw new Error(`load generator did not finish within ${limitMs / 1000} s`);
    await Promise.all(pending);
    if (gen.exitCode !== 0) throw new Error(`load generator failed (exit ${gen.exitCode}): ${stderr.trim()}`);
    if (!samples.start || !samples.end) throw new Error('load generator never reported its measured window');
    const load = JSON.parse(stdout.trim().split('\n').pop());
    const rssMiB = peakRssMiB(pid);
    const serverCpuS = samples.end.cpu - samples.start.cpu;
    const accepted = samples.end.accepted - samples.start.accepted;
    return {
      server,
      transport,
      concurrency,
      requests: load.requests,
      errors: load.errors,
      errorSamples: load.errorSamples,
      accepted,
      wallS: Number(samples.end.t - samples.start.t) / 1e9,
      serverCpuS,
      perCore: serverCpuS > 0 ? accepted / serverCpuS : NaN,
      p50Ms: load.latencyMs.p50,
      p99Ms: load.latencyMs.p99,
      rssMiB,
      genCpuS: samples.end.genCpu - samples.start.genCpu,
    };
  } finally {
    if (gen) await stopChild(gen);
    await stopChild(srv.child);
  }
}

// ---------------------------------------------------------------------------------------------
// The decoder micro-benchmark, another engineer's script: run it if it is there and keep whatever
// "<case>  <n> M spans/s" lines it prints; anything else it prints is ignored.

async function runMicro() {
  const script = path.join(here, 'protobuf-decode-micro.mjs');
  if (opts['no-micro'] || !existsSync(script)) return null;
  const child = track(spawn(process.execPath, [script, String(microSeconds)], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', () => {});
  const finished = await waitExit(child, 120_000);
  if (!finished) {
    await stopChild(child);
    return { skipped: 'did not finish within 120 s' };
  }
  if (child.exitCode !== 0) return { skipped: `exited with ${child.exitCode}` };
  const rows = [];
  for (const line of out.split('\n')) {
    const m = /^(\S.*?)\s+(\d+(?:\.\d+)?) M spans\/s\s*$/.exec(line);
    if (m) rows.push({ name: m[1], mSpansPerS: Number(m[2]) });
  }
  if (rows.length === 0) return { skipped: 'printed nothing parseable' };
  const notes = out.split('\n').filter((line) => line.trim() && !/ M spans\/s\s*$/.test(line));
  return { rows, notes };
}

// ---------------------------------------------------------------------------------------------
// Report.

const fmt = {
  k: (n) => (Number.isFinite(n) ? `${Math.round(n / 1000).toLocaleString('en-US')}k` : 'n/a'),
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  f: (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a'),
};

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // os.availableParallelism is the same figure on Linux.
  }
  return { model, nproc, memGiB: os.totalmem() / 2 ** 30, node: process.version, kernel: os.release() };
}

function renderReport({ results, micro, payload, env, command, date }) {
  const lines = [];
  lines.push(`Measured ${date} with \`${command}\`.`);
  lines.push('');
  lines.push(`Machine: ${env.model}, \`nproc\` = ${env.nproc}, ${env.memGiB.toFixed(0)} GiB RAM, Linux ${env.kernel}, Node.js ${env.node}.`);
  lines.push(
    `Load: one request of ${payload.spans} spans (${(payload.bytes.length / 1024).toFixed(1)} KiB, bench/payload.mjs), ` +
      `${SCENARIOS.map((s) => s.concurrency).filter((c, k, all) => all.indexOf(c) === k).join(' or ')} requests in flight, ${warmupS} s warm-up then ${durationS} s measured, one load-generator process, ` +
      'each server in a fresh process.',
  );
  lines.push('');
  lines.push(
    '| transport | server | in flight | requests | errors | spans accepted | wall s | server CPU s | server cores busy | spans/s per server core | corrgate / protobufjs | p50 ms | p99 ms | peak RSS MiB | load-gen CPU s |',
  );
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    if (r.failed) {
      lines.push(`| ${TRANSPORT_NAMES[r.transport]} | ${r.server} | ${r.concurrency} | failed: ${r.failed.split('\n')[0]} | | | | | | | | | | | |`);
      continue;
    }
    const peer = results.find((p) => p.transport === r.transport && p.concurrency === r.concurrency && p.server === 'protobufjs' && !p.failed);
    const ratio = r.server === 'corrgate' && peer ? `${fmt.f(r.perCore / peer.perCore, 1)}x` : '';
    lines.push(
      `| ${TRANSPORT_NAMES[r.transport]} | ${r.server} | ${r.concurrency} | ${fmt.int(r.requests)} | ${fmt.int(r.errors)} | ${fmt.int(r.accepted)} | ${fmt.f(r.wallS)} | ` +
        `${fmt.f(r.serverCpuS)} | ${fmt.f(r.serverCpuS / r.wallS)} | **${fmt.k(r.perCore)}** | ${ratio} | ${fmt.f(r.p50Ms, 1)} | ${fmt.f(r.p99Ms, 1)} | ` +
        `${fmt.f(r.rssMiB, 0)} | ${fmt.f(r.genCpuS)} |`,
    );
  }
  lines.push('');
  for (const transport of ['http', 'grpc']) {
    const r = results.find((x) => x.transport === transport && x.concurrency === concurrency && x.server === 'corrgate' && !x.failed);
    if (!r) continue;
    const met = r.perCore >= TARGETS[transport];
    lines.push(`- corrgate over ${TRANSPORT_NAMES[transport]}, ${concurrency} in flight: ${fmt.k(r.perCore)} spans/s per server core; target ${fmt.k(TARGETS[transport])}: ${met ? 'met' : 'missed'}.`);
  }
  lines.push('');
  lines.push(
    'Spans accepted is the server\'s own count over the measured window: corrgate\'s `corrgate_receiver_accepted_spans_total{transport}` ' +
      'from /metrics, the protobufjs receiver\'s count of decoded spans from its /stats. Server CPU is utime + stime of the server process ' +
      '(all threads) from /proc/<pid>/stat over the same window; peak RSS is its VmHWM at the end. Latency is per request, at the load ' +
      'generator, from send to the end of the response.',
  );
  if (micro?.rows) {
    lines.push('');
    lines.push(`Decoder micro-benchmark (\`node bench/protobuf-decode-micro.mjs ${microSeconds}\`, one core, no transport):`);
    lines.push('');
    lines.push('| case | M spans/s |');
    lines.push('| --- | ---: |');
    for (const row of micro.rows) lines.push(`| ${row.name} | ${fmt.f(row.mSpansPerS)} |`);
    if (micro.notes.length) lines.push('');
    for (const note of micro.notes) lines.push(`- ${note.trim()}`);
  } else if (micro?.skipped) {
    lines.push('');
    lines.push(`Decoder micro-benchmark skipped: ${micro.skipped}.`);
  }
  return lines.join('\n');
}

const BEGIN = '<!-- bench-results:begin (written by bench/run.mjs) -->';
const END = '<!-- bench-results:end -->';

function writeBenchmarksMd(report) {
  const file = path.join(repo, 'BENCHMARKS.md');
  const block = `${BEGIN}\n${report}\n${END}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + END.length);
  else text = `${text || '# Benchmarks\n\n## Latest figures\n\n'}${block}\n`;
  writeFileSync(file, text);
  return file;
}

// ---------------------------------------------------------------------------------------------

const workDir = mkdtempSync(path.join(os.tmpdir(), 'corrgate-bench-'));
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
      process.stdout.write(`  ${server} over ${TRANSPORT_NAMES[transport]}, ${inFlight} in flight ... `);
      try {
        const r = await runScenario({ server, transport, concurrency: inFlight, payloadFile, spansPerRequest: payload.spans, workDir });
        results.push(r);
        process.stdout.write(`${fmt.k(r.perCore)} spans/s per server core, ${r.errors} errors\n`);
        if (r.errors > 0) {
          exitCode = 1;
          process.stdout.write(`    errors: ${JSON.stringify(r.errorSamples)}\n`);
        }
      } catch (err) {
        exitCode = 1;
        results.push({ server, transport, concurrency: inFlight, failed: err.message });
        process.stdout.write(`failed: ${err.message}\n`);
      }
    }
  }

  process.stdout.write('  decoder micro-benchmark ... ');
  const micro = await runMicro();
  process.stdout.write(micro?.rows ? 'done\n' : `skipped${micro?.skipped ? `: ${micro.skipped}` : ''}\n`);

  const args = process.argv.slice(2).join(' ');
  const command = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args ? ` -- ${args}` : ''}` : `node bench/run.mjs${args ? ` ${args}` : ''}`;
  const report = renderReport({ results, micro, payload, env: machine(), command, date: new Date().toISOString().slice(0, 10) });
  process.stdout.write(`\n${report}\n`);
  if (writeReport && exitCode === 0) process.stdout.write(`\nwrote ${writeBenchmarksMd(report)}\n`);
  else if (writeReport) process.stdout.write('\nBENCHMARKS.md left as it was: this run had failures or errors\n');
} catch (err) {
  exitCode = 1;
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
} finally {
  stopAllNow();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
