// The SNMP trap benchmark: corrgate's snmptrap receiver against Net-SNMP's snmptrapd, fed the same
// paced stream of SNMPv2c linkDown traps by the same sender, looking for the highest rate each takes
// without losing a trap.
//
//   npx tsc -p tsconfig.build.json && node bench/snmptrap-load.mjs [--quick] [--rcvbuf BYTES] [--report FILE]
//
// Servers, each its own process for the whole run, both on loopback:
//   - corrgate: `dist/cli/main.js serve` with a snmptrap receiver (community public) feeding a logs
//     pipeline into the nop exporter. Its count is corrgate_receiver_accepted_log_records_total
//     {receiver="snmptrap"} from its /metrics.
//   - snmptrapd (Debian's /usr/sbin/snmptrapd) in the foreground, config bench/snmptrapd/, logging one
//     line per trap to a file. Its count is the trap lines in that file.
// The sender is this file again in a child process (--sender): net-snmp's session.trap(), v2c, paced
// at R traps/s in millisecond slices, N = R x a fixed number of seconds (2; --quick: 1). After each
// step the bench waits until the server has counted them all or its count stops moving, then
// compares. R steps up (1k, 2k, 4k, 8k, 12k, 16k, 24k, 32k, 48k, 64k) with the servers taking turns
// at each rate, until a server loses traps at a rate twice in a row (one loss is run again: other
// work on a small shared machine stalls a server now and then, and a stall overflows its socket
// buffer), the sender cannot keep the pace, or the time budget ends (85 s; --quick: 40 s); then up
// to two midpoints between a server's last lossless and first lossy rate refine its figure. Server
// CPU is utime + stime from /proc/<pid>/stat over each step (sending and settling); CPU s per 1000
// traps is taken at the highest lossless step. Kernel drops on the server's socket are read from
// /proc/net/udp to say where a loss happened, and CPU pressure (/proc/pressure/cpu) to say how busy
// the machine was. --rcvbuf sets SO_RCVBUF for both servers (default: the OS default for both).
//
// Prints a markdown table and one JSON line; --report FILE also writes the figures as a section report
// for bench/run.mjs (bench/lib/report.mjs), which runs this as its snmp section. Exit status: 0 when both servers were measured; 1 when
// something failed (a server did not start, the sender failed, a server counted nothing or more
// than was sent); 2 when dist/ or snmptrapd is missing. Every child process is stopped on the way
// out, also on error or on SIGINT/SIGTERM.

import { fork, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  HOST,
  benchDir as here,
  exited,
  freePort,
  freeUdpPort,
  repoDir as repo,
  sleep,
  startCorrgate,
  stopAllNow,
  stopChild,
  stopChildrenOnExit,
  tail,
  track,
  waitReady,
} from './lib/processes.mjs';
import { appendedLines, settle } from './lib/metrics.mjs';
import { cpuPressureUs, cpuSeconds, machine, peakRssMiB } from './lib/proc-stats.mjs';
import { writeSectionReport } from './lib/report.mjs';
import { fmt, markdownTable } from './lib/table.mjs';

const SNMPTRAPD = '/usr/sbin/snmptrapd';
const COMMUNITY = 'public';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    // SO_RCVBUF for both servers' sockets (corrgate receive_buffer_bytes, snmptrapd serverRecvBuf);
    // default: the OS default for both.
    rcvbuf: { type: 'string' },
    report: { type: 'string' },
    // Internal: run as the trap sender, driven over the IPC channel.
    sender: { type: 'boolean', default: false },
  },
});

let workDirToRemove = null;
const rcvbuf = opts.rcvbuf === undefined ? undefined : Number(opts.rcvbuf);
if (rcvbuf !== undefined && !(Number.isInteger(rcvbuf) && rcvbuf > 0)) {
  process.stderr.write('snmptrap-load: --rcvbuf takes a positive number of bytes\n');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// The sender (child process). Messages in: {port, rate, count}; out: {sent, errors, seconds, ...}.

async function senderMain() {
  const require = createRequire(path.join(repo, 'package.json'));
  const snmp = require('net-snmp');
  // linkDown (RFC 2863) as a switch sends it: ifIndex, ifDescr, ifAdminStatus up, ifOperStatus
  // down, ifName; 48 ports in turn so that consecutive traps differ.
  const IF = '1.3.6.1.2.1.2.2.1';
  const IF_NAME = '1.3.6.1.2.1.31.1.1.1.1';
  const varbindsFor = Array.from({ length: 48 }, (_, k) => {
    const i = k + 1;
    return [
      { oid: `${IF}.1.${i}`, type: snmp.ObjectType.Integer, value: i },
      { oid: `${IF}.2.${i}`, type: snmp.ObjectType.OctetString, value: `GigabitEthernet1/0/${i}` },
      { oid: `${IF}.7.${i}`, type: snmp.ObjectType.Integer, value: 1 },
      { oid: `${IF}.8.${i}`, type: snmp.ObjectType.Integer, value: 2 },
      { oid: `${IF_NAME}.${i}`, type: snmp.ObjectType.OctetString, value: `Gi1/0/${i}` },
    ];
  });

  /** Sends `count` traps at `rate`/s; a slice never carries more than 4 ms worth (no catch-up flood). */
  function run({ port, rate, count }) {
    return new Promise((resolve) => {
      // Traps go to `trapPort` (net-snmp's `port` is the one for requests, 161).
      const session = snmp.createSession(HOST, COMMUNITY, { version: snmp.Version2c, port, trapPort: port, transport: 'udp4' });
      let sent = 0;
      let done = 0;
      let errors = 0;
      let firstError = null;
      const maxSlice = Math.max(8, Math.ceil((rate / 1000) * 4));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let lastSendAt = t0;
      const finish = () => {
        const seconds = (lastSendAt - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        session.close();
        resolve({
          sent: done - errors,
          errors,
          firstError,
          seconds,
          // Sent over the time from the first to the last send: the rate the server saw.
          achievedRate: seconds > 0 ? (done - errors) / seconds : NaN,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
        });
      };
      const onSent = (err) => {
        done++;
        if (err) {
          errors++;
          firstError ??= String(err.message ?? err);
        }
        if (done === count) finish();
      };
      const tick = () => {
        const now = performance.now();
        const due = Math.min(count, Math.floor(((now - t0) / 1000) * rate) + 1);
        let slice = Math.min(due - sent, maxSlice);
        while (slice-- > 0) {
          session.trap(snmp.TrapType.LinkDown, varbindsFor[sent % 48], onSent);
          sent++;
        }
        lastSendAt = performance.now();
        if (sent < count) setTimeout(tick, 1);
      };
      session.on('error', (err) => {
        errors++;
        firstError ??= String(err.message ?? err);
      });
      tick();
    });
  }

  process.on('message', async (message) => {
    if (message?.stop) {
      process.disconnect();
      return;
    }
    process.send(await run(message));
  });
  process.send({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// Measuring processes from the outside.

/** Datagrams the kernel dropped on the IPv4 UDP socket bound to 127.0.0.1:port (receive buffer full). */
function udpDrops(port) {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === local) return Number(f[f.length - 1]);
    }
  } catch {
    // not Linux, or no /proc: no figure
  }
  return NaN;
}

/** The receive buffer the kernel gives the UDP socket on 127.0.0.1:port (`ss`'s rb, already doubled), or NaN. */
function socketRcvbuf(port) {
  const r = spawnSync('ss', ['-uamnH', `sport = :${port}`], { encoding: 'utf8' });
  return Number(/\brb(\d+)/.exec(r.stdout ?? '')?.[1] ?? NaN);
}

// ---------------------------------------------------------------------------------------------
// The two servers: each start returns {name, how, child, port, count(), extra()}.

async function startCorrgateSnmptrap(workDir) {
  const [trapPort, metricsPort] = [await freeUdpPort(), await freePort()];
  // Defaults everywhere else (queue; receive buffer unless --rcvbuf): what an operator gets.
  const srv = await startCorrgate({
    workDir,
    metricsPort,
    configText: `receivers:
  snmptrap:
    listen_address: ${HOST}:${trapPort}
    communities: [${COMMUNITY}]${rcvbuf ? `\n    receive_buffer_bytes: ${rcvbuf}` : ''}
exporters:
  nop:
service:
  pipelines:
    logs:
      receivers: [snmptrap]
      exporters: [nop]
  telemetry:
    metrics:
      address: ${HOST}:${metricsPort}
    logs:
      level: warn
`,
  });
  const { child, logFile } = srv;
  const metric = (name) => srv.metric(name, ['receiver="snmptrap"']);
  const version = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version;
  return {
    name: 'corrgate',
    how: `corrgate ${version} (\`serve\`, snmptrap receiver -> logs pipeline -> nop exporter, default queue, ${rcvbuf ? `receive_buffer_bytes ${rcvbuf}` : 'default socket buffer'})`,
    child,
    port: trapPort,
    logFile,
    count: () => metric('corrgate_receiver_accepted_log_records_total'),
    // Traps corrgate refused itself: pipeline saturated (refused_log_records), or bad packets (refused_traps).
    refused: async () => (await metric('corrgate_receiver_refused_log_records_total')) + (await metric('corrgate_receiver_refused_traps_total')),
    // Every look at corrgate is a /metrics scrape, which costs it CPU: poll gently.
    pollMs: 200,
  };
}

async function startSnmptrapd(workDir) {
  const port = await freeUdpPort();
  const output = path.join(workDir, 'snmptrapd-traps.log');
  const stderrFile = path.join(workDir, 'snmptrapd.stderr');
  const err = openSync(stderrFile, 'a');
  const netSnmpMibs = path.join(repo, 'node_modules', 'net-snmp', 'lib', 'mibs');
  let conf = path.join(here, 'snmptrapd', 'snmptrapd.conf');
  if (rcvbuf) {
    const copy = path.join(workDir, 'snmptrapd.conf');
    writeFileSync(copy, `${readFileSync(conf, 'utf8')}\n# --rcvbuf\n[snmp] serverRecvBuf ${rcvbuf}\n`);
    conf = copy;
  }
  const child = track(
    spawn(SNMPTRAPD, ['-f', '-C', '-c', conf, '-n', '-Lf', output, `udp:${HOST}:${port}`], {
      cwd: workDir,
      stdio: ['ignore', err, err],
      env: {
        ...process.env,
        // Its persistent state and any snmp.conf it looks for stay in the scratch directory.
        SNMP_PERSISTENT_DIR: workDir,
        SNMPCONFPATH: workDir,
        // The MIBs corrgate names traps with (net-snmp's copies; Debian's set lacks IF-MIB).
        MIBDIRS: `${netSnmpMibs}:/usr/share/snmp/mibs`,
        MIBS: 'SNMPv2-MIB:IF-MIB',
      },
    }),
  );
  closeSync(err);
  // Ready when its socket is bound (visible in /proc/net/udp); bounded: 100 tries, 100 ms apart.
  await waitReady({ ready: () => Number.isFinite(udpDrops(port)), child, what: 'snmptrapd', logFile: stderrFile });
  // Trap lines written so far, counted incrementally: the file is only ever appended to.
  const version = /NET-SNMP version:\s*(\S+)/i.exec(spawnSync(SNMPTRAPD, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '';
  return {
    name: 'snmptrapd',
    how: `Net-SNMP snmptrapd ${version} (\`-f -n -Lf file\`, bench/snmptrapd/snmptrapd.conf: authCommunity log, one line per trap, SNMPv2-MIB + IF-MIB)`,
    child,
    port,
    logFile: output,
    count: appendedLines(output, 'TRAP '),
    refused: async () => 0,
    pollMs: 100,
  };
}

// ---------------------------------------------------------------------------------------------
// The sender, driven from here.

async function startSender(workDir) {
  const stderrFile = path.join(workDir, 'sender.stderr');
  const err = openSync(stderrFile, 'a');
  const child = track(fork(fileURLToPath(import.meta.url), ['--sender'], { cwd: repo, stdio: ['ignore', 'ignore', err, 'ipc'] }));
  closeSync(err);
  const replies = [];
  let waiting = null;
  child.on('message', (m) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w.resolve(m);
    } else replies.push(m);
  });
  child.once('exit', (code, signal) => {
    if (waiting) waiting.reject(new Error(`the sender exited (${signal ?? code}):\n${tail(stderrFile)}`));
  });
  const next = (ms) =>
    replies.length
      ? Promise.resolve(replies.shift())
      : new Promise((resolve, reject) => {
          if (exited(child)) return reject(new Error(`the sender is not running:\n${tail(stderrFile)}`));
          const timer = setTimeout(() => {
            waiting = null;
            reject(new Error(`the sender did not answer within ${ms / 1000} s`));
          }, ms);
          waiting = {
            resolve: (m) => {
              clearTimeout(timer);
              resolve(m);
            },
            reject: (e) => {
              clearTimeout(timer);
              reject(e);
            },
          };
        });
  const ready = await next(10_000);
  if (!ready?.ready) throw new Error('the sender did not start');
  return {
    child,
    send: async (port, rate, count) => {
      child.send({ port, rate, count });
      return next(Math.max(10_000, (count / rate) * 3000));
    },
    stop: async () => {
      if (!exited(child)) child.send({ stop: true });
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(2000)]);
      await stopChild(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function step(server, sender, rate, seconds) {
  const count = Math.round(rate * seconds);
  const base = await server.count();
  const refused0 = await server.refused();
  const drops0 = udpDrops(server.port);
  const cpu0 = cpuSeconds(server.child.pid);
  const psi0 = cpuPressureUs();
  const t0 = performance.now();
  const s = await sender.send(server.port, rate, count);
  const psi = cpuPressureUs() - psi0;
  const sendWallUs = (performance.now() - t0) * 1000;
  const received = await settle(server.count, { base, expected: s.sent, stillMs: 800, maxMs: 10_000, pollMs: server.pollMs });
  const cpu = cpuSeconds(server.child.pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  if (exited(server.child)) throw new Error(`${server.name} exited during the ${rate}/s step:\n${tail(server.logFile)}`);
  return {
    rate,
    sent: s.sent,
    sendErrors: s.errors,
    firstSendError: s.firstError,
    received,
    lost: s.sent - received,
    lossless: s.errors === 0 && received === s.sent,
    achievedRate: s.achievedRate,
    // The sender kept the pace when it sent at 95% of the asked rate or better.
    senderKeptUp: s.achievedRate >= 0.95 * rate,
    senderCpuS: s.cpuSeconds,
    sendSeconds: s.seconds,
    serverCpuS: cpu,
    cpuPer1000: received > 0 ? (cpu / received) * 1000 : NaN,
    kernelDrops: udpDrops(server.port) - drops0,
    // Share of the sending time during which some runnable task waited for a CPU (PSI).
    cpuPressurePct: (psi / sendWallUs) * 100,
    serverRefused: (await server.refused()) - refused0,
    wallS: wall,
  };
}

/**
 * Steps the rate up for both servers at once: at each rate every server still in the race takes a
 * step, in alternating order, so that both see the machine in the same state (other work on a small
 * shared machine stalls a server now and then, and a stall overflows its socket buffer). A step that
 * loses traps is run once more before the rate counts as lossy: a rate passes when one of two runs
 * lost nothing. After the ladder, up to two midpoints between a server's last lossless and first
 * lossy rate refine its figure.
 */
async function searchAll(servers, sender, { rates, seconds, deadline, log }) {
  const state = new Map(servers.map((s) => [s, { steps: [], best: null, firstLoss: null, stoppedBy: null, refined: false }]));
  // Room for one more step (the send, settling, margin) and, if it loses, its confirmation.
  const fits = () => deadline - performance.now() > seconds * 1000 + 2500;
  const record = (server, r, attempt) => {
    r.attempt = attempt;
    state.get(server).steps.push(r);
    log(
      `  ${server.name.padEnd(9)} ${String(r.rate).padStart(6)}/s${attempt > 1 ? ' (again)' : '        '}: sent ${r.sent}, received ${r.received}` +
        `${r.lost ? ` (lost ${r.lost}: kernel drops ${r.kernelDrops}, refused ${r.serverRefused})` : ''}, ` +
        `sender ${Math.round(r.achievedRate)}/s${r.senderKeptUp ? '' : ' (behind)'}, server CPU ${r.serverCpuS.toFixed(2)} s, CPU pressure ${Number.isFinite(r.cpuPressurePct) ? `${r.cpuPressurePct.toFixed(0)}%` : 'n/a'}\n`,
    );
    return r;
  };
  /** One or two runs at `rate`: the lossless one, or the last lossy one. */
  const attempt = async (server, rate) => {
    let r;
    for (let k = 1; k <= 2; k++) {
      if (k === 2 && !fits()) break;
      r = record(server, await step(server, sender, rate, seconds), k);
      if (r.sendErrors > 0) throw new Error(`the sender got ${r.sendErrors} errors at ${rate}/s: ${r.firstSendError}`);
      if (r.received > r.sent) throw new Error(`${server.name} counted ${r.received} traps of ${r.sent} sent: the count is wrong`);
      if (k === 1 && r.received === 0) throw new Error(`${server.name} counted no trap at all at ${rate}/s:\n${tail(server.logFile)}`);
      if (r.lossless) break;
    }
    return r;
  };

  for (const [i, rate] of rates.entries()) {
    const racing = servers.filter((s) => !state.get(s).stoppedBy);
    if (racing.length === 0) break;
    for (const server of i % 2 ? racing.reverse() : racing) {
      const st = state.get(server);
      if (!fits()) {
        st.stoppedBy = 'the time budget';
        continue;
      }
      const r = await attempt(server, rate);
      if (!r.lossless) {
        st.firstLoss = r;
        st.stoppedBy = 'loss';
      } else {
        st.best = r;
        if (!r.senderKeptUp) st.stoppedBy = 'the sender (it could not keep the pace)';
      }
    }
  }
  for (const server of servers) state.get(server).stoppedBy ??= 'the top of the rate ladder';

  // Midpoints, rounded to 500/s, while the gap is over 10% of the lossless rate.
  for (let k = 0; k < 2; k++) {
    for (const server of servers) {
      const st = state.get(server);
      const lo = st.best;
      const hi = st.firstLoss;
      if (st.refined || !lo || !hi || hi.rate - lo.rate <= Math.max(500, lo.rate * 0.1)) continue;
      const mid = Math.round((lo.rate + hi.rate) / 2 / 500) * 500;
      if (mid <= lo.rate || mid >= hi.rate || !fits()) continue;
      const r = await attempt(server, mid);
      if (r.lossless && r.senderKeptUp) st.best = r;
      else if (!r.lossless) st.firstLoss = r;
      // Lossless, but the sender could not keep the pace: the rate was not really tried.
      else st.refined = true;
    }
  }
  return Object.fromEntries(servers.map((s) => [s.name, state.get(s)]));
}

async function main() {
  if (!existsSync(path.join(repo, 'dist', 'receivers', 'snmptrap', 'factory.js')) || !existsSync(path.join(repo, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('snmptrap-load: dist/ is missing or old; run `npx tsc -p tsconfig.build.json` first\n');
    return 2;
  }
  if (!existsSync(SNMPTRAPD)) {
    process.stderr.write(`snmptrap-load: ${SNMPTRAPD} is missing (Debian package snmptrapd)\n`);
    return 2;
  }
  const quick = opts.quick;
  const seconds = quick ? 1 : 2;
  const rates = [1000, 2000, 4000, 8000, 12000, 16000, 24000, 32000, 48000, 64000];
  // The whole measurement (both servers) stays under 90 s (--quick: 40 s); each server gets half.
  const budgetMs = quick ? 40_000 : 85_000;
  const log = (s) => process.stdout.write(s);

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'corrgate-snmptrap-bench-'));
  workDirToRemove = workDir;
  const servers = [];
  let sender;
  try {
    servers.push(await startCorrgateSnmptrap(workDir), await startSnmptrapd(workDir));
    sender = await startSender(workDir);
    log(`SNMP trap load: ${seconds} s of traps per step, rates ${rates.map((r) => `${r / 1000}k`).join(', ')}/s until loss${quick ? ' (--quick)' : ''}\n`);

    const started = performance.now();
    const load1 = os.loadavg()[0];
    for (const server of servers) {
      // Warm-up: JIT, buffers, MIB lookups; not measured, must arrive.
      const warm = await step(server, sender, 1000, quick ? 0.5 : 1);
      if (warm.received === 0) throw new Error(`${server.name} counted none of the warm-up traps:\n${tail(server.logFile)}`);
    }
    const rbs = Object.fromEntries(servers.map((x) => [x.name, socketRcvbuf(x.port)]));
    const psi0 = cpuPressureUs();
    const searchStart = performance.now();
    const results = await searchAll(servers, sender, { rates, seconds, deadline: started + budgetMs, log });
    const pressurePct = ((cpuPressureUs() - psi0) / ((performance.now() - searchStart) * 1000)) * 100;
    const totalS = (performance.now() - started) / 1000;

    const c = results.corrgate;
    const p = results.snmptrapd;
    const ratio = c.best && p.best ? c.best.rate / p.best.rate : NaN;
    const cpuRatio = c.best && p.best ? p.best.cpuPer1000 / c.best.cpuPer1000 : NaN;
    const senderMax = Math.max(...[...c.steps, ...p.steps].map((s) => s.achievedRate));
    const senderLimited = (r) => r.stoppedBy.startsWith('the sender') || (r.best && !r.firstLoss && r.stoppedBy !== 'the time budget');
    const TARGET = 3;

    const fmtInt = fmt.int;
    const fmtF = (n, d = 3) => fmt.f(n, d);
    const env = machine();
    const out = [];
    out.push(
      `SNMP v2c traps, corrgate vs snmptrapd: highest lossless paced rate, loopback, ${env.nproc} CPUs (${env.model}), Linux ${env.kernel}, Node.js ${env.node}, ` +
        `net.core.rmem_default ${fmtInt(env.rmemDefault)} bytes${quick ? ', --quick' : ''}`,
    );
    out.push(`corrgate: ${servers[0].how}; snmptrapd: ${servers[1].how}.`);
    out.push(
      `Socket receive buffers (kernel rb, from ss): corrgate ${fmtInt(rbs.corrgate)} bytes, snmptrapd ${fmtInt(rbs.snmptrapd)} bytes` +
        `${rcvbuf ? ` (--rcvbuf ${rcvbuf}: corrgate receive_buffer_bytes, snmptrapd serverRecvBuf; capped by net.core.rmem_max)` : ' (OS default for both)'}.`,
    );
    out.push(
      `Sender: one Node.js process, net-snmp session.trap(), linkDown with 5 IF-MIB varbinds (ifIndex, ifDescr, ifAdminStatus, ifOperStatus, ifName; 48 ports in turn), ` +
        `paced in 1 ms slices, ${seconds} s of traps per step; the same sender and stream for both servers.`,
    );
    out.push('');
    const tableRows = servers.map((s) => {
      const r = results[s.name];
      const b = r.best;
      const f = r.firstLoss;
      const lower = senderLimited(r) ? '>= ' : '';
      return [
        s.name,
        b ? `**${lower}${fmtInt(b.rate)}**` : 'none',
        b ? fmtInt(b.achievedRate) : 'n/a',
        b ? fmtInt(b.sent) : 'n/a',
        b ? fmtF(b.serverCpuS, 2) : 'n/a',
        b ? fmtF(b.cpuPer1000) : 'n/a',
        b ? fmtF(b.serverCpuS / b.sendSeconds, 2) : 'n/a',
        f ? `${fmtInt(f.rate)}/s (sender ${fmtInt(f.achievedRate)}/s)` : 'none',
        f ? `${fmtInt(f.lost)} of ${fmtInt(f.sent)} (${fmtInt(f.kernelDrops)} / ${fmtInt(f.serverRefused)})` : '',
        r.stoppedBy,
        fmtF(peakRssMiB(s.child.pid), 0),
      ];
    });
    out.push(
      markdownTable(
        [
          'server', ['highest lossless rate (traps/s)', 'r'], ['sender achieved (traps/s)', 'r'], ['traps sent', 'r'], ['server CPU s', 'r'], ['CPU s per 1000 traps', 'r'],
          ['server cores busy', 'r'], 'first loss at', 'lost there (kernel drops / refused)', 'stopped by', ['peak RSS MiB', 'r'],
        ],
        tableRows,
      ),
    );
    out.push('');
    out.push(
      `corrgate / snmptrapd: ${fmtF(ratio, 2)}x the lossless rate (target >= ${TARGET}x: ${Number.isFinite(ratio) ? (ratio >= TARGET ? 'met' : 'missed') : 'not measured'}); ` +
        `${fmtF(cpuRatio, 2)}x fewer server CPU seconds per trap.`,
    );
    const behindAtLoss = servers.filter((x) => results[x.name].firstLoss && !results[x.name].firstLoss.senderKeptUp);
    out.push(
      `Sender: at most ${fmtInt(senderMax)} traps/s reached in this run.` +
        (servers.some((x) => senderLimited(results[x.name]))
          ? ' It limited the run: a ">=" figure is a lower bound, the server lost nothing at the sender\'s top speed.'
          : behindAtLoss.length
            ? ` At the first lossy step of ${behindAtLoss.map((x) => x.name).join(' and ')} it could not keep the pace either ` +
              `(${behindAtLoss.map((x) => `${fmtInt(results[x.name].firstLoss.achievedRate)}/s of ${fmtInt(results[x.name].firstLoss.rate)}/s`).join(', ')}): ` +
              'the machine was saturated there, so that loss is partly the machine\'s.'
            : ' It kept the pace up to the first lossy step of each server, so it did not limit the figures.'),
    );
    out.push(
      'Server CPU (utime + stime from /proc/<pid>/stat) covers the step from the first trap until the server has counted them all; "cores busy" is that CPU over the sending time. ' +
        'Lost traps are split into kernel drops on the server\'s socket (receive buffer full, /proc/net/udp) and traps the server refused itself (corrgate: pipeline saturated or undecodable).',
    );
    out.push(
      'A rate passes when one of two runs at it loses nothing (a loss is run again once before it counts); the servers take turns at each rate. ' +
        `Machine while measuring: load average ${load1.toFixed(2)} at the start, CPU pressure ${Number.isFinite(pressurePct) ? `${pressurePct.toFixed(0)}%` : 'n/a'} ` +
        '(/proc/pressure/cpu "some": share of the time a runnable task waited for a CPU; other work on the machine shows here and makes UDP loss more likely).',
    );
    out.push(`Whole run: ${totalS.toFixed(1)} s.`);
    process.stdout.write(`\n${out.join('\n')}\n\n`);
    const met = Number.isFinite(ratio) ? ratio >= TARGET : null;
    writeSectionReport(opts.report, {
      section: 'snmp',
      ok: true,
      // The first line is the machine, which bench/run.mjs states in the block's header.
      markdown: `Socket buffer default: net.core.rmem_default ${fmtInt(env.rmemDefault)} bytes.\n${out.slice(1).join('\n')}`,
      targets: [
        {
          name: 'highest lossless rate vs snmptrapd',
          met,
          text:
            `corrgate / snmptrapd highest lossless rate: ${fmtF(ratio, 2)}x (${c.best ? fmtInt(c.best.rate) : 'none'} vs ${p.best ? fmtInt(p.best.rate) : 'none'} traps/s); ` +
            `target >= ${TARGET}x: ${met === null ? 'not measured' : met ? 'met' : 'missed'}. CPU per trap: corrgate uses ${fmtF(cpuRatio, 2)}x less server CPU than snmptrapd.`,
        },
      ],
      figures: { ratioLosslessRate: ratio, ratioCpuPerTrap: cpuRatio },
    });

    const pick = (r) => ({
      highestLosslessRate: r.best?.rate ?? null,
      lowerBound: senderLimited(r),
      senderAchievedRate: r.best ? Math.round(r.best.achievedRate) : null,
      cpuSecondsPer1000Traps: r.best ? Number(r.best.cpuPer1000.toFixed(4)) : null,
      firstLossRate: r.firstLoss?.rate ?? null,
      firstLoss: r.firstLoss ? { sent: r.firstLoss.sent, received: r.firstLoss.received, kernelDrops: r.firstLoss.kernelDrops, refused: r.firstLoss.serverRefused } : null,
      stoppedBy: r.stoppedBy,
      steps: r.steps.map((s) => ({
        rate: s.rate,
        sent: s.sent,
        received: s.received,
        achievedRate: Math.round(s.achievedRate),
        serverCpuS: Number(s.serverCpuS.toFixed(3)),
        senderCpuS: Number(s.senderCpuS.toFixed(3)),
        attempt: s.attempt,
        cpuPressurePct: Number.isFinite(s.cpuPressurePct) ? Number(s.cpuPressurePct.toFixed(1)) : null,
        kernelDrops: s.kernelDrops,
        refused: s.serverRefused,
      })),
    });
    const json = {
      bench: 'snmptrap-load',
      date: new Date().toISOString(),
      quick,
      machine: env,
      secondsPerStep: seconds,
      corrgate: pick(c),
      snmptrapd: pick(p),
      ratioLosslessRate: Number.isFinite(ratio) ? Number(ratio.toFixed(3)) : null,
      ratioCpuPerTrap: Number.isFinite(cpuRatio) ? Number(cpuRatio.toFixed(3)) : null,
      target: TARGET,
      targetMet: Number.isFinite(ratio) ? ratio >= TARGET : null,
      senderMaxRate: Math.round(senderMax),
      totalSeconds: Number(totalS.toFixed(1)),
      loadAverage1mAtStart: Number(load1.toFixed(2)),
      cpuPressurePct: Number.isFinite(pressurePct) ? Number(pressurePct.toFixed(1)) : null,
      receiveBufferBytes: rcvbuf ?? null,
      socketRcvbuf: rbs,
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`snmptrap-load: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    if (sender) await sender.stop();
    for (const s of servers) await stopChild(s.child);
    stopAllNow();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (opts.sender) {
  await senderMain();
} else {
  stopChildrenOnExit(() => {
    if (workDirToRemove) rmSync(workDirToRemove, { recursive: true, force: true });
  });
  process.exitCode = await main();
}
