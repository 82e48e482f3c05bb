// Parse throughput of corrgate's syslog parser (and of parse + mapping to a log record) on one
// core, per message shape. Run after `npm run build` (or `npx tsc -p tsconfig.build.json`):
//   node bench/syslog-parse-micro.mjs [seconds-per-case] [dist-dir]
// The lines are shaped like what the receivers see: logger(1) RFC 5424 and RFC 3164, a Cisco IOS
// line with sequence number and msec stamp, a FortiGate key=value line.

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const secondsPerCase = Number(process.argv[2] ?? 2);
const dist = path.resolve(process.argv[3] ?? path.join(here, '..', 'dist'));
const { parseSyslog } = await import(pathToFileURL(path.join(dist, 'wire/syslog/parse-syslog.js')).href);
const { syslogToLogRecord } = await import(pathToFileURL(path.join(dist, 'bridge/syslog-mapping.js')).href);

const VARIANTS = 1024;
function lines(make) {
  return Array.from({ length: VARIANTS }, (_, i) => make(i));
}
const pad2 = (n) => String(n).padStart(2, '0');

const CASES = {
  rfc5424: lines(
    (i) =>
      `<13>1 2024-03-05T10:${pad2(i % 60)}:${pad2((i * 7) % 60)}.${String(100000 + i).slice(1)}+00:00 host${i % 16} app - ID${i % 8} [timeQuality tzKnown="1" isSynced="1"] request ${i} served in ${i % 97} ms`,
  ),
  'rfc5424-nosd': lines((i) => `<14>1 2024-03-05T10:00:${pad2(i % 60)}.123Z web-${i % 16} nginx ${1000 + i} - - GET /items/${i} 200`),
  rfc3164: lines((i) => `<13>Mar  5 10:${pad2(i % 60)}:${pad2((i * 7) % 60)} host${i % 16} sshd[${1000 + i}]: Accepted publickey for user${i % 5} from 192.0.2.${i % 250} port ${40000 + i}`),
  'rfc3164-tz': lines((i) => `<13>Mar  5 10:${pad2(i % 60)}:${pad2((i * 7) % 60)} host${i % 16} cron[${1000 + i}]: job ${i} done`),
  cisco: lines((i) => `<189>${i}: *Mar  5 10:00:${pad2(i % 60)}.${String(1000 + (i % 1000)).slice(1)} UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/${i % 48}, changed state to down`),
  fortigate: lines(
    (i) =>
      `<189>date=2024-03-05 time=10:00:${pad2(i % 60)} devname="FGT60E" devid="FGT60E4Q16000000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.0.0.${i % 250} srcport=${40000 + i} dstip=192.0.2.1 dstport=443 action="accept" policyid=1 msg="session ${i}"`,
  ),
};

const receivedAtMs = Date.UTC(2024, 2, 5, 12, 0, 0);
const observedTimeUnixNano = BigInt(receivedAtMs) * 1_000_000n;

function run(work, input, options) {
  // Warm up so the optimising compiler has seen the shapes before timing starts.
  for (let i = 0; i < 50_000; i++) work(input[i % VARIANTS], options);
  let count = 0;
  let sink = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(secondsPerCase * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 10_000; i++) sink += work(input[(count + i) & (VARIANTS - 1)], options);
    count += 10_000;
  }
  // Throughput per CPU second of this process: on a shared machine, wall time also counts the
  // time other processes held the core.
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (sink === -1) console.log('unreachable');
  return Math.round(count / cpuSeconds);
}

const parseOnly = (line, options) => parseSyslog(line, options).message.length;
const parseAndMap = (line, options) => syslogToLogRecord(parseSyslog(line, options), { observedTimeUnixNano, transport: 'tcp' }).record.attributes.length;

console.log(`syslog parse micro-benchmark, messages per CPU second (one core), ${secondsPerCase}s per case, node ${process.version}`);
console.log('case'.padEnd(14), 'parse msg/s'.padStart(14), 'parse+map msg/s'.padStart(16));
for (const [name, input] of Object.entries(CASES)) {
  const timeZone = name === 'rfc3164-tz' ? 'Europe/Berlin' : 'UTC';
  const options = { protocol: 'auto', receivedAtMs, timeZone };
  const parsed = run(parseOnly, input, options);
  const mapped = run(parseAndMap, input, options);
  console.log(name.padEnd(14), parsed.toLocaleString('en-US').padStart(14), mapped.toLocaleString('en-US').padStart(16));
}
console.log(`peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
