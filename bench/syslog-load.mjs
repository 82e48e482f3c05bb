// The syslog benchmark: corrgate's syslog receiver against rsyslog, fed the same generated RFC 5424
// stream over TCP (octet-counted; one connection, then four) and over UDP.
//
//   npm run build && node bench/syslog-load.mjs [--quick] [--report FILE] [--cpu-prof DIR]
//
// Both servers run as their own processes for the whole run: corrgate (`dist/cli/main.js serve`, a
// syslog receiver into a nop exporter) and rsyslogd -n (imtcp + imudp into an omfile, config in
// bench/rsyslog/). Each scenario sends a fixed number of messages to one server, waits until the
// server has taken them (for UDP: until its count stops moving), and reads the server's own CPU time
// from /proc/<pid>/stat before and after. Messages per core = messages the server took / its CPU
// seconds, so the sender's CPU on a small machine does not count against either. corrgate's count is
// corrgate_receiver_accepted_log_records_total from /metrics; rsyslog's the lines in its output file.
// Everything is on loopback, bounded in time (under a minute; --quick: a few seconds), and every
// process started is stopped at the end. --report FILE also writes the figures as a section report
// for bench/run.mjs (bench/lib/report.mjs), which runs this as its syslog section. --cpu-prof DIR
// starts corrgate under `node --cpu-prof` (a .cpuprofile in DIR when it stops); the profiler costs
// corrgate CPU, so such a run's figures are for finding where the time goes, not for comparing.

import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HOST, benchDir as here, canConnect, freePort, repoDir as repo, startCorrgate, stopChild, stopChildrenOnExit, track, waitReady } from './lib/processes.mjs';
import { appendedLines, settle } from './lib/metrics.mjs';
import { cpuSeconds, peakRssMiB } from './lib/proc-stats.mjs';
import { writeSectionReport } from './lib/report.mjs';
import { fmt, markdownTable } from './lib/table.mjs';

const RSYSLOGD = '/usr/sbin/rsyslogd';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    report: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});

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

async function startCorrgateSyslog(workDir) {
  const [tcpPort, udpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const configText = `receivers:
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
`;
  const config = path.join(workDir, 'corrgate.yaml');
  writeFileSync(config, configText);
  const profDir = opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : undefined;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const srv = await startCorrgate({ workDir, metricsPort, configFile: config, nodeArgs });
  return {
    name: 'corrgate',
    how: 'corrgate serve',
    child: srv.child,
    tcpPort,
    udpPort,
    count: () => srv.metric('corrgate_receiver_accepted_log_records_total', ['receiver="syslog"']),
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
  await waitReady({ ready: () => canConnect(tcpPort), child, what: 'rsyslogd', logFile });
  return {
    name: 'rsyslog',
    how: `rsyslogd ${/rsyslogd\s+(\S+)/.exec(spawnSync(RSYSLOGD, ['-v'], { encoding: 'utf8' }).stdout)?.[1] ?? ''}`.trim(),
    child,
    tcpPort,
    udpPort,
    // Lines written so far, counted incrementally: the file is only ever appended to.
    count: appendedLines(output),
  };
}

// ---------------------------------------------------------------------------------------------

async function measure(server, scenario) {
  const base = await server.count();
  const cpu0 = cpuSeconds(server.child.pid);
  const t0 = process.hrtime.bigint();
  if (scenario.transport === 'udp') await sendUdp(server.udpPort, scenario.datagrams);
  else await sendTcp(server.tcpPort, scenario.streams);
  // Polled every 100 ms, not faster: every look at corrgate is a /metrics scrape, which costs corrgate CPU.
  const received = await settle(server.count, { base, expected: scenario.messages, stillMs: scenario.transport === 'udp' ? 700 : 3000, maxMs: 20_000, pollMs: 100 });
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
  stopChildrenOnExit(() => rmSync(workDir, { recursive: true, force: true }));
  const servers = [];
  try {
    servers.push(await startCorrgateSyslog(workDir), await startRsyslog(workDir));

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

    const out = [];
    out.push(`Syslog receiver: corrgate vs rsyslog, RFC 5424 (~${Buffer.byteLength(message(12345))} bytes/message), loopback, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})${quick ? ', --quick' : ''}`);
    const figures = [];
    figures.push(`corrgate: ${servers[0].how}, nop exporter; rsyslog: ${servers[1].how}, imtcp/imudp -> omfile (bench/rsyslog/rsyslog.conf)`);
    figures.push('');
    let worstTcp = Infinity;
    const tableRows = [];
    for (const { scenario, results } of rows) {
      const c = results.corrgate;
      const r = results.rsyslog;
      const ratio = c.perCore / r.perCore;
      if (scenario.transport === 'tcp') worstTcp = Math.min(worstTcp, ratio);
      tableRows.push([scenario.name, fmt.int(scenario.messages), fmt.int(c.received), fmt.int(c.perCore), fmt.int(r.received), fmt.int(r.perCore), `${ratio.toFixed(2)}x`]);
    }
    figures.push(
      markdownTable(
        ['scenario', ['messages sent', 'r'], ['corrgate taken', 'r'], ['corrgate msg/s per core', 'r'], ['rsyslog taken', 'r'], ['rsyslog msg/s per core', 'r'], ['corrgate / rsyslog', 'r']],
        tableRows,
      ),
    );
    figures.push('');
    const corrgateRss = peakRssMiB(servers[0].child.pid);
    const rsyslogRss = peakRssMiB(servers[1].child.pid);
    figures.push(`Peak RSS: corrgate ${corrgateRss.toFixed(0)} MiB, rsyslog ${rsyslogRss.toFixed(0)} MiB. Lowest TCP ratio ${worstTcp.toFixed(2)}x (target >= 1.0x).`);
    out.push(...figures);
    process.stdout.write(`${out.join('\n')}\n`);
    const met = worstTcp >= 1;
    const targets = [
      {
        name: 'TCP msgs/s per core vs rsyslog',
        met,
        text: `corrgate / rsyslog messages per core over TCP: ${rows
          .filter((x) => x.scenario.transport === 'tcp')
          .map((x) => `${(x.results.corrgate.perCore / x.results.rsyslog.perCore).toFixed(2)}x (${x.scenario.name})`)
          .join(', ')}; target >= 1.0x: ${met ? 'met' : 'missed'}.`,
      },
    ];

    let complete = true;
    for (const { scenario, results } of rows) {
      // TCP loses nothing: a shortfall there is a failure, not a figure. UDP may drop under load.
      if (scenario.transport === 'tcp' && (results.corrgate.received < scenario.messages || results.rsyslog.received < scenario.messages)) complete = false;
    }
    if (!complete) process.stderr.write('syslog-load: a server did not take every TCP message\n');
    writeSectionReport(opts.report, {
      section: 'syslog',
      ok: complete,
      markdown: figures.join('\n'),
      targets,
      figures: { rows: rows.map(({ scenario, results }) => ({ scenario: scenario.name, messages: scenario.messages, ...results })), peakRssMiB: { corrgate: corrgateRss, rsyslog: rsyslogRss } },
    });
    return complete ? 0 : 1;
  } catch (err) {
    process.stderr.write(`syslog-load: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    for (const s of servers) await stopChild(s.child);
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
