// The syslog benchmark: corrgate's syslog receiver against rsyslog, fed the same generated RFC 5424
// stream over TCP (octet-counted; one connection, then four) and over UDP.
//
//   npm run build && node bench/syslog-load.mjs [--quick]
//
// Both servers run as their own processes for the whole run: corrgate (`dist/cli/main.js serve`, a
// syslog receiver into a nop exporter) and rsyslogd -n (imtcp + imudp into an omfile, config in
// bench/rsyslog/). Each scenario sends a fixed number of messages to one server, waits until the
// server has taken them (for UDP: until its count stops moving), and reads the server's own CPU time
// from /proc/<pid>/stat before and after. Messages per core = messages the server took / its CPU
// seconds, so the sender's CPU on a small machine does not count against either. corrgate's count is
// corrgate_receiver_accepted_log_records_total from /metrics; rsyslog's the lines in its output file.
// Everything is on loopback, bounded in time (under a minute; --quick: a few seconds), and every
// process started is stopped at the end.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const HOST = '127.0.0.1';
const RSYSLOGD = '/usr/sbin/rsyslogd';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    // Internal: run corrgate's service in this process (see serveChild).
    'serve-child': { type: 'string' },
  },
});

// ---------------------------------------------------------------------------------------------
// corrgate when the build does not list the syslog receiver among its components yet: the same
// start-up as `corrgate serve` (load, validate, start; SIGTERM drains), with the syslog factory
// added to the built-in ones.

async function serveChild(configPath) {
  const load = (p) => import(pathToFileURL(path.join(repo, 'dist', p)).href);
  const [{ builtinComponents }, { loadConfigFile }, { Service }, { createLogger }, { syslogReceiverFactory }] = await Promise.all([
    load('components.js'),
    load('config/load-config.js'),
    load('service/service.js'),
    load('telemetry/logger.js'),
    load('receivers/syslog/factory.js'),
  ]);
  const builtins = builtinComponents();
  const registry = { ...builtins, receivers: new Map([...builtins.receivers, ['syslog', syslogReceiverFactory]]) };
  const config = loadConfigFile(configPath, registry);
  const service = new Service(config, createLogger(config.telemetry.logs.level));
  await service.start();
  const stop = () => service.shutdown().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// ---------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of a process, all its threads. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

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

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const children = new Set();
const exited = (child) => child.exitCode !== null || child.signalCode !== null;

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopChild(child) {
  if (exited(child)) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  if (await Promise.race([gone.then(() => true), sleep(5000).then(() => false)])) return;
  child.kill('SIGKILL');
  await gone;
}

process.on('exit', () => {
  for (const child of children) if (!exited(child)) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(130));
}

// ---------------------------------------------------------------------------------------------
// The stream: RFC 5424 as an application behind a relay sends it, 16 hosts x 8 apps, each message
// distinct (sequence number), ~210 bytes.

function message(seq) {
  const host = `host-${String(seq % 16).padStart(2, '0')}.example.net`;
  const app = `app-${seq % 8}`;
  const us = String(seq % 1_000_000).padStart(6, '0');
  return (
    `<165>1 2024-05-01T10:00:00.${us}Z ${host} ${app} 4242 ID47 ` +
    `[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ` +
    `request ${seq} served in ${seq % 97} ms status=200 path=/api/v1/items/${seq % 1000}`
  );
}

/** Octet-counted frames for messages [from, to). */
function tcpStream(from, to) {
  const parts = [];
  for (let seq = from; seq < to; seq++) {
    const m = message(seq);
    parts.push(`${Buffer.byteLength(m)} ${m}`);
  }
  return Buffer.from(parts.join(''));
}

function datagrams(from, to) {
  const out = [];
  for (let seq = from; seq < to; seq++) out.push(Buffer.from(message(seq)));
  return out;
}

function sendTcp(port, streams) {
  return Promise.all(
    streams.map(
      (stream) =>
        new Promise((resolve, reject) => {
          const socket = net.connect({ host: HOST, port }, async () => {
            const slice = 1 << 20;
            for (let at = 0; at < stream.length; at += slice) {
              if (!socket.write(stream.subarray(at, at + slice))) await new Promise((r) => socket.once('drain', r));
            }
            socket.end(resolve);
          });
          socket.on('error', reject);
        }),
    ),
  );
}

/** As fast as one connected UDP socket goes, yielding now and then so callbacks run. */
async function sendUdp(port, list) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, HOST, resolve);
  });
  let inflight = 0;
  for (let i = 0; i < list.length; i++) {
    inflight++;
    socket.send(list[i], () => inflight--);
    if (inflight >= 256) while (inflight > 64) await new Promise((r) => setImmediate(r));
  }
  while (inflight > 0) await new Promise((r) => setImmediate(r));
  socket.close();
}

// ---------------------------------------------------------------------------------------------
// The two servers.

async function startCorrgate(workDir) {
  const [tcpPort, udpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const config = path.join(workDir, 'corrgate.yaml');
  writeFileSync(
    config,
    `receivers:
  syslog:
    tcp:
      listen_address: ${HOST}:${tcpPort}
    udp:
      listen_address: ${HOST}:${udpPort}
exporters:
  nop:
service:
  pipelines:
    logs:
      receivers: [syslog]
      exporters: [nop]
      queue:
        size: 1000000
  telemetry:
    metrics:
      address: ${HOST}:${metricsPort}
    logs:
      level: warn
`,
  );
  const main = path.join(repo, 'dist', 'cli', 'main.js');
  // `corrgate serve` itself once the build lists the syslog receiver; until then the same service
  // started by this script with the receiver added.
  const listed = spawnSync(process.execPath, [main, 'validate', '--config', config], { encoding: 'utf8' }).status === 0;
  const args = listed ? [main, 'serve', '--config', config] : [fileURLToPath(import.meta.url), '--serve-child', config];
  const logFile = path.join(workDir, 'corrgate.log');
  const log = openSync(logFile, 'a');
  const child = track(spawn(process.execPath, args, { cwd: workDir, stdio: ['ignore', log, log] }));
  closeSync(log);
  const base = `http://${HOST}:${metricsPort}`;
  for (let attempt = 0; ; attempt++) {
    if (exited(child)) throw new Error(`corrgate exited during start-up:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt >= 100) throw new Error(`corrgate was not ready within 10 s:\n${tail(logFile)}`);
    await sleep(100);
  }
  return {
    name: 'corrgate',
    how: listed ? 'corrgate serve' : 'corrgate service (syslog factory added by the bench)',
    child,
    tcpPort,
    udpPort,
    count: async () => {
      const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('corrgate_receiver_accepted_log_records_total{') && line.includes('receiver="syslog"')) {
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    },
  };
}

async function startRsyslog(workDir) {
  const [tcpPort, udpPort] = [await freePort(), await freePort()];
  const output = path.join(workDir, 'rsyslog-out.log');
  const conf = path.join(workDir, 'rsyslog.conf');
  writeFileSync(
    conf,
    readFileSync(path.join(here, 'rsyslog', 'rsyslog.conf'), 'utf8')
      .replaceAll('@WORKDIR@', workDir)
      .replaceAll('@TCP_PORT@', String(tcpPort))
      .replaceAll('@UDP_PORT@', String(udpPort))
      .replaceAll('@OUTPUT@', output),
  );
  const logFile = path.join(workDir, 'rsyslogd.log');
  const log = openSync(logFile, 'a');
  const child = track(spawn(RSYSLOGD, ['-n', '-f', conf, '-i', path.join(workDir, 'rsyslogd.pid')], { cwd: workDir, stdio: ['ignore', log, log] }));
  closeSync(log);
  for (let attempt = 0; !(await canConnect(tcpPort)); attempt++) {
    if (exited(child)) throw new Error(`rsyslogd exited during start-up:\n${tail(logFile)}`);
    if (attempt >= 100) throw new Error(`rsyslogd was not listening within 10 s:\n${tail(logFile)}`);
    await sleep(100);
  }
  // Lines written so far, counted incrementally: the file is only ever appended to.
  let offset = 0;
  let lines = 0;
  const buf = Buffer.allocUnsafe(1 << 20);
  return {
    name: 'rsyslog',
    how: `rsyslogd ${/rsyslogd\s+(\S+)/.exec(spawnSync(RSYSLOGD, ['-v'], { encoding: 'utf8' }).stdout)?.[1] ?? ''}`.trim(),
    child,
    tcpPort,
    udpPort,
    count: async () => {
      if (!existsSync(output)) return 0;
      const size = statSync(output).size;
      if (size <= offset) return lines;
      const fd = openSync(output, 'r');
      try {
        while (offset < size) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
          if (n <= 0) break;
          for (let i = 0; i < n; i++) if (buf[i] === 0x0a) lines++;
          offset += n;
        }
      } finally {
        closeSync(fd);
      }
      return lines;
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Waits until `expected` more have arrived, or the count has not moved for `stillMs`; bounded by `maxMs`. */
async function settle(server, base, expected, stillMs, maxMs) {
  const deadline = Date.now() + maxMs;
  let last = -1;
  let lastMoved = Date.now();
  for (;;) {
    const n = (await server.count()) - base;
    if (n >= expected) return n;
    if (n !== last) {
      last = n;
      lastMoved = Date.now();
    } else if (Date.now() - lastMoved >= stillMs) {
      return n;
    }
    if (Date.now() > deadline) return n;
    // Not faster: every look at corrgate is a /metrics scrape, which costs corrgate CPU.
    await sleep(100);
  }
}

async function measure(server, scenario) {
  const base = await server.count();
  const cpu0 = cpuSeconds(server.child.pid);
  const t0 = process.hrtime.bigint();
  if (scenario.transport === 'udp') await sendUdp(server.udpPort, scenario.datagrams);
  else await sendTcp(server.tcpPort, scenario.streams);
  const received = await settle(server, base, scenario.messages, scenario.transport === 'udp' ? 700 : 3000, 20_000);
  const cpu = cpuSeconds(server.child.pid) - cpu0;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { received, cpu, wall, perCore: cpu > 0 ? received / cpu : NaN };
}

async function main() {
  if (!existsSync(path.join(repo, 'dist', 'receivers', 'syslog', 'factory.js'))) {
    process.stderr.write('syslog-load: dist/ is missing or old; run `npm run build` first\n');
    return 2;
  }
  if (!existsSync(RSYSLOGD)) {
    process.stderr.write(`syslog-load: ${RSYSLOGD} is missing (Debian package rsyslog)\n`);
    return 2;
  }
  const quick = opts.quick;
  const tcpMessages = quick ? 60_000 : 400_000;
  const udpMessages = quick ? 30_000 : 150_000;
  const warmupMessages = quick ? 20_000 : 60_000;

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'corrgate-syslog-bench-'));
  const servers = [];
  try {
    servers.push(await startCorrgate(workDir), await startRsyslog(workDir));

    // Distinct sequence ranges per stream; the same bytes go to both servers.
    const warmup = { transport: 'tcp', messages: warmupMessages, streams: [tcpStream(0, warmupMessages)] };
    const one = { name: 'TCP, 1 connection', transport: 'tcp', messages: tcpMessages, streams: [tcpStream(1e7, 1e7 + tcpMessages)] };
    const quarter = tcpMessages / 4;
    const four = {
      name: 'TCP, 4 connections',
      transport: 'tcp',
      messages: tcpMessages,
      streams: [0, 1, 2, 3].map((k) => tcpStream(2e7 + k * quarter, 2e7 + (k + 1) * quarter)),
    };
    const udp = { name: 'UDP', transport: 'udp', messages: udpMessages, datagrams: datagrams(3e7, 3e7 + udpMessages) };

    // Warm both up (JIT, buffers, rsyslog's queues) before anything is measured.
    for (const s of servers) await measure(s, warmup);

    const rows = [];
    for (const scenario of [one, four, udp]) {
      const results = {};
      for (const s of servers) results[s.name] = await measure(s, scenario);
      rows.push({ scenario, results });
    }

    const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
    const out = [];
    out.push(`Syslog receiver: corrgate vs rsyslog, RFC 5424 (~${Buffer.byteLength(message(12345))} bytes/message), loopback, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})${quick ? ', --quick' : ''}`);
    out.push(`corrgate: ${servers[0].how}, nop exporter; rsyslog: ${servers[1].how}, imtcp/imudp -> omfile (bench/rsyslog/rsyslog.conf)`);
    out.push('');
    out.push('| scenario | messages sent | corrgate taken | corrgate msg/s per core | rsyslog taken | rsyslog msg/s per core | corrgate / rsyslog |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    let worst = Infinity;
    for (const { scenario, results } of rows) {
      const c = results.corrgate;
      const r = results.rsyslog;
      const ratio = c.perCore / r.perCore;
      worst = Math.min(worst, ratio);
      out.push(`| ${scenario.name} | ${fmt(scenario.messages)} | ${fmt(c.received)} | ${fmt(c.perCore)} | ${fmt(r.received)} | ${fmt(r.perCore)} | ${ratio.toFixed(2)}x |`);
    }
    out.push('');
    out.push(`Peak RSS: corrgate ${peakRssMiB(servers[0].child.pid).toFixed(0)} MiB, rsyslog ${peakRssMiB(servers[1].child.pid).toFixed(0)} MiB. Lowest ratio ${worst.toFixed(2)}x (target >= 1.0x).`);
    process.stdout.write(`${out.join('\n')}\n`);

    let complete = true;
    for (const { scenario, results } of rows) {
      // TCP loses nothing: a shortfall there is a failure, not a figure. UDP may drop under load.
      if (scenario.transport === 'tcp' && (results.corrgate.received < scenario.messages || results.rsyslog.received < scenario.messages)) complete = false;
    }
    if (!complete) process.stderr.write('syslog-load: a server did not take every TCP message\n');
    return complete ? 0 : 1;
  } catch (err) {
    process.stderr.write(`syslog-load: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    for (const s of servers) await stopChild(s.child);
    rmSync(workDir, { recursive: true, force: true });
  }
}

// Last, so that everything above is initialised when it runs.
if (opts['serve-child']) await serveChild(opts['serve-child']);
else process.exitCode = await main();
