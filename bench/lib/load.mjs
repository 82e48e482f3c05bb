// Driving an OTLP server with bench/load-generator.mjs in its own process, and sampling the server
// at the two edges of the load generator's measured window.

import { fork } from 'node:child_process';
import path from 'node:path';
import { HOST, benchDir, stopChild, track, waitExit } from './processes.mjs';
import { fmt } from './table.mjs';

/**
 * Runs the load generator against `HOST:port` and calls `sample(name, gen)` ('start', 'end') when
 * it enters and leaves its measured window; each sample's result is kept under its name. Resolves
 * to { load (the generator's JSON result), samples } once it has exited; throws when it failed,
 * took too long, or never reported its window. The generator is stopped whatever happens.
 */
export async function runLoadGenerator({ transport, port, payloadFile, spans, concurrency, warmupS, durationS, sample }) {
  let gen;
  try {
    gen = track(
      fork(
        path.join(benchDir, 'load-generator.mjs'),
        [
          '--transport', transport,
          '--target', `${HOST}:${port}`,
          '--payload', payloadFile,
          '--spans', String(spans),
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
    const samples = {};
    const pending = [];
    const take = (name) => pending.push((async () => (samples[name] = await sample(name, gen)))());
    gen.on('message', (message) => {
      if (message?.phase === 'measure-start') take('start');
      if (message?.phase === 'measure-end') take('end');
    });
    const limitMs = (warmupS + durationS) * 1000 + 30_000;
    if (!(await waitExit(gen, limitMs))) throw new Error(`load generator did not finish within ${limitMs / 1000} s`);
    await Promise.all(pending);
    if (gen.exitCode !== 0) throw new Error(`load generator failed (exit ${gen.exitCode}): ${stderr.trim()}`);
    if (!samples.start || !samples.end) throw new Error('load generator never reported its measured window');
    return { load: JSON.parse(stdout.trim().split('\n').pop()), samples };
  } finally {
    if (gen) await stopChild(gen);
  }
}

/**
 * The figures of a measured window from runLoadGenerator's result, when each sample holds `t`
 * (hrtime bigint), `cpu` (server CPU seconds) and `accepted` (the server's count of spans).
 */
export function windowFigures({ load, samples }) {
  const serverCpuS = samples.end.cpu - samples.start.cpu;
  const accepted = samples.end.accepted - samples.start.accepted;
  return {
    requests: load.requests,
    errors: load.errors,
    errorSamples: load.errorSamples,
    accepted,
    wallS: Number(samples.end.t - samples.start.t) / 1e9,
    serverCpuS,
    perCore: serverCpuS > 0 ? accepted / serverCpuS : NaN,
    p50Ms: load.latencyMs.p50,
    p99Ms: load.latencyMs.p99,
  };
}

/**
 * One load run with its progress line: prints `  <label> ... <n>k spans/s per server core, <e>
 * errors` (and samples of the errors), or the failure. Resolves to { result, ok }: ok is false when
 * the run failed or a request got an error; a failed run's result is `failedAs` with `failed` set.
 */
export async function loadRun(label, run, failedAs) {
  process.stdout.write(`  ${label} ... `);
  try {
    const r = await run();
    process.stdout.write(`${fmt.k(r.perCore)} spans/s per server core, ${r.errors} errors\n`);
    if (r.errors > 0) process.stdout.write(`    errors: ${JSON.stringify(r.errorSamples)}\n`);
    return { result: r, ok: r.errors === 0 };
  } catch (err) {
    process.stdout.write(`failed: ${err.message}\n`);
    return { result: { ...failedAs, failed: err.message }, ok: false };
  }
}
