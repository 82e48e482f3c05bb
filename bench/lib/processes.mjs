// Child processes for the bench scripts: tracking and stopping them, free loopback ports, waiting
// for readiness, and a corrgate server started from dist/ with a given or generated config.
//
// Every child started through track() is stopped on the way out (normal exit, error, SIGINT or
// SIGTERM) once stopChildrenOnExit() has been called.

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricSum } from './metrics.mjs';

export const HOST = '127.0.0.1';
export const benchDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.join(benchDir, '..');
export const corrgateMain = path.join(repoDir, 'dist', 'cli', 'main.js');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Children.

const children = new Set();

/** Tracks a child so that stopAllNow() (and the exit handlers) stop it. Returns the child. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once the child has exited, false when `ms` passed first. */
export function waitExit(child, ms) {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; bounded. */
export async function stopChild(child, graceMs = 5000) {
  if (!child || exited(child)) return;
  child.kill('SIGTERM');
  if (await waitExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitExit(child, 2000);
}

let stopSignal = 'SIGKILL';

/**
 * Sends every tracked child still running the stop signal (synchronous: usable in an 'exit'
 * handler): SIGKILL, or SIGTERM where stopChildrenOnExit was told so.
 */
export function stopAllNow() {
  for (const child of children) if (!exited(child)) child.kill(stopSignal);
}

let installed = false;
/**
 * Stops every tracked child when this process exits, and exits 130 on SIGINT/SIGTERM after
 * `onSignal()`. `signal`: SIGKILL (default) for servers and load generators, which leave nothing
 * behind; SIGTERM for children that have children of their own (bench/run.mjs's sections), so that
 * they stop theirs on the way out.
 */
export function stopChildrenOnExit(onSignal = () => {}, { signal = 'SIGKILL' } = {}) {
  if (installed) return;
  installed = true;
  stopSignal = signal;
  process.on('exit', stopAllNow);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      stopAllNow();
      onSignal();
      process.exit(130);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Ports, files, HTTP.

/** A TCP port free on the loopback address right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A UDP port free on the loopback address right now. */
export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, HOST, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Whether a TCP connection to the loopback port succeeds. */
export function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** The last lines of a (log) file, or '' when it cannot be read. */
export function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function getText(url, timeoutMs = 5000) {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/**
 * Waits until `ready()` resolves truthy (a throw counts as not yet), polling every `intervalMs`,
 * at most `tries` times; throws at once when `child` exits. `what` and `logFile` go into the errors.
 */
export async function waitReady({ ready, child, what, logFile, tries = 100, intervalMs = 100 }) {
  for (let attempt = 0; ; attempt++) {
    if (child && exited(child)) throw new Error(`${what} exited during start-up:\n${logFile ? tail(logFile) : ''}`);
    try {
      if (await ready()) return;
    } catch {
      // not ready yet
    }
    if (attempt >= tries) throw new Error(`${what} was not ready within ${(tries * intervalMs) / 1000} s:\n${logFile ? tail(logFile) : ''}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// corrgate.

/**
 * Starts corrgate from dist/ (`node [nodeArgs] dist/cli/main.js serve --config FILE`, or `argv`
 * instead of the script and its arguments) with its output in `logFile`, and waits for /readyz on
 * the metrics port. The config is a file (`configFile`; it may read ports from `env`) or YAML text
 * (`configText`, written to `<workDir>/<name>.yaml`). Returns the child, the metrics base URL, and
 * readers for /metrics.
 */
export async function startCorrgate({ workDir, metricsPort, configFile, configText, name = 'corrgate', logFile, env = {}, nodeArgs = [], argv }) {
  if (configText !== undefined) {
    configFile = path.join(workDir, `${name}.yaml`);
    writeFileSync(configFile, configText);
  }
  logFile ??= path.join(workDir, `${name}.log`);
  const log = openSync(logFile, 'a');
  const child = track(
    spawn(process.execPath, [...nodeArgs, ...(argv ?? [corrgateMain, 'serve', '--config', configFile])], {
      cwd: workDir,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...env },
    }),
  );
  closeSync(log);
  const base = `http://${HOST}:${metricsPort}`;
  await waitReady({ ready: () => getText(`${base}/readyz`, 2000).then(() => true), child, what: 'corrgate', logFile });
  const metrics = () => getText(`${base}/metrics`);
  return {
    child,
    pid: child.pid,
    base,
    logFile,
    configFile,
    metrics,
    /** Sum of a metric's samples whose labels contain every one of `labels`, scraped now. */
    metric: async (metricName, labels = []) => metricSum(await metrics(), metricName, labels),
  };
}
