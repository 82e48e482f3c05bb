// All the benchmarks in one run (`npm run bench` = build, then this): each section is its own script,
// run in its own process one after the other, so that one section's failure or leftover state does
// not touch the next:
//
//   receiver    bench/receiver-bench.mjs     corrgate vs a protobufjs receiver, OTLP/HTTP and gRPC
//   syslog      bench/syslog-load.mjs        corrgate's syslog receiver vs rsyslog, TCP and UDP
//   snmp        bench/snmptrap-load.mjs      corrgate's snmptrap receiver vs snmptrapd
//   correlator  bench/correlator-bench.mjs   the correlator alone and on the ingest path
//   gates       bench/gates-bench.mjs        1,000 open gates: an evaluation round, close to exported decision
//   micro       bench/micro-bench.mjs        decoder, trace index and syslog parser, one core each
//
//   node bench/run.mjs [--quick] [--only SECTION,...] [--no-micro] [--no-write]
//                      [--warmup S] [--duration S] [--concurrency N] [--profile DIR]
//
// --quick: every section short, and nothing is written. --only: a comma list of sections; it also
// takes the receiver benchmark's scenario selectors (corrgate, protobufjs, http, grpc,
// <server>/<transport>), which run that subset of the receiver section and write nothing.
// --warmup, --duration, --concurrency and --profile go to the receiver section (--profile: each
// server writes a .cpuprofile into DIR; such a run writes nothing).
//
// Each section prints its own progress and tables as it runs, and hands its figures back in a report
// file (bench/lib/report.mjs). A full run rewrites that section's block in BENCHMARKS.md (between
// its bench-results markers; the prose around the blocks is kept). A section that fails (exit
// status not 0, or no report) leaves its block as it was and makes this exit 1; the other sections
// still run and are written. A missed target is printed, and is not a failure.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, corrgateMain, repoDir, stopChild, stopChildrenOnExit, track, waitExit } from './lib/processes.mjs';
import { machine } from './lib/proc-stats.mjs';
import { verdict, writeBlock } from './lib/report.mjs';

const SECTIONS = {
  receiver: { script: 'receiver-bench.mjs', title: 'OTLP receiver', limitS: 400 },
  syslog: { script: 'syslog-load.mjs', title: 'syslog receiver vs rsyslog', limitS: 240 },
  snmp: { script: 'snmptrap-load.mjs', title: 'SNMP trap receiver vs snmptrapd', limitS: 240 },
  correlator: { script: 'correlator-bench.mjs', title: 'correlator', limitS: 400 },
  gates: { script: 'gates-bench.mjs', title: 'gates: evaluation rounds and decision export', limitS: 300 },
  micro: { script: 'micro-bench.mjs', title: 'micro-benchmarks', limitS: 400 },
};
const RECEIVER_SELECTORS = /^(corrgate|protobufjs|http|grpc|(corrgate|protobufjs)\/(http|grpc))$/;

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-micro': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    concurrency: { type: 'string' },
    profile: { type: 'string' },
  },
});

function usage(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const onlyTokens = opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : [];
const receiverSelectors = onlyTokens.filter((t) => RECEIVER_SELECTORS.test(t));
for (const t of onlyTokens) {
  if (!SECTIONS[t] && !RECEIVER_SELECTORS.test(t)) usage(`--only takes ${Object.keys(SECTIONS).join('|')} (comma list), or receiver scenarios (corrgate, grpc, corrgate/http, ...); not "${t}"`);
}
const wanted = new Set(onlyTokens.filter((t) => SECTIONS[t]));
if (receiverSelectors.length) wanted.add('receiver');
const sections = Object.keys(SECTIONS).filter((name) => (wanted.size === 0 || wanted.has(name)) && !(name === 'micro' && opts['no-micro']));
const write = !opts.quick && !opts['no-write'] && !opts.profile && receiverSelectors.length === 0;

if (!existsSync(corrgateMain)) usage('dist/ is missing; run `npm run bench` (it builds first) or `npx tsc -p tsconfig.build.json`');

/** The section script's own arguments. */
function argsFor(name, reportFile) {
  const args = ['--report', reportFile];
  if (opts.quick) args.push('--quick');
  if (name === 'receiver') {
    for (const o of ['warmup', 'duration', 'concurrency', 'profile']) if (opts[o] !== undefined) args.push(`--${o}`, opts[o]);
    if (receiverSelectors.length) args.push('--only', receiverSelectors.join(','));
  }
  return args;
}

/** Runs one section; its output goes through (less the one-line JSON dumps), its report comes back. */
async function runSection(name, workDir) {
  const { script, limitS } = SECTIONS[name];
  const reportFile = path.join(workDir, `${name}.json`);
  const args = argsFor(name, reportFile);
  const started = performance.now();
  const child = track(spawn(process.execPath, [path.join(benchDir, script), ...args], { cwd: repoDir, stdio: ['ignore', 'pipe', 'inherit'] }));
  let partial = '';
  child.stdout.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) if (!line.startsWith('{"bench":')) process.stdout.write(`${line}\n`);
  });
  const finished = await waitExit(child, limitS * 1000);
  if (!finished) await stopChild(child);
  if (partial && !partial.startsWith('{"bench":')) process.stdout.write(`${partial}\n`);
  const seconds = (performance.now() - started) / 1000;
  const command = `node bench/${script}${opts.quick ? ' --quick' : ''}${name === 'receiver' ? args.slice(2).filter((a) => a !== '--quick').map((a) => ` ${a}`).join('') : ''}`;
  let report = null;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    // no report: the section failed before it had figures
  }
  const failed = !finished ? `did not finish within ${limitS} s` : child.exitCode !== 0 ? `exit status ${child.exitCode ?? child.signalCode}` : !report ? 'wrote no report' : null;
  return { name, seconds, command, report, failed };
}

/** Markdown with each prose line its own paragraph (the scripts print one statement a line); tables and lists kept. */
function paragraphs(markdown) {
  const lines = markdown.split('\n');
  const prose = (line) => line.trim() !== '' && !/^\s*([|#]|- )/.test(line);
  return lines.map((line, i) => (i > 0 && prose(line) && prose(lines[i - 1]) ? `\n${line}` : line)).join('\n');
}

function block(result, env, runCommand, date) {
  const { report } = result;
  const L = [];
  L.push(`Measured ${date} with \`${runCommand}\` (this section: \`${result.command}\`, ${result.seconds.toFixed(0)} s).`);
  L.push('');
  L.push(`Machine: ${env.model}, \`nproc\` = ${env.nproc}, ${env.memGiB.toFixed(0)} GiB RAM, Linux ${env.kernel}, Node.js ${env.node}.`);
  L.push('');
  L.push(paragraphs(report.markdown));
  if (report.targets.length) {
    L.push('');
    L.push('Targets:');
    L.push('');
    for (const t of report.targets) L.push(`- ${t.text}`);
  }
  return L.join('\n');
}

const started = performance.now();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'corrgate-bench-run-'));
// SIGTERM, not SIGKILL, to a running section on the way out: it then stops its own servers.
stopChildrenOnExit(() => rmSync(workDir, { recursive: true, force: true }), { signal: 'SIGTERM' });
const results = [];
try {
  process.stdout.write(`bench: ${sections.join(', ')}${opts.quick ? ' (--quick)' : ''}; BENCHMARKS.md ${write ? 'is rewritten section by section' : 'is left alone'}\n`);
  for (const name of sections) {
    process.stdout.write(`\n=== ${name}: ${SECTIONS[name].title} (bench/${SECTIONS[name].script})\n\n`);
    const r = await runSection(name, workDir);
    results.push(r);
    process.stdout.write(`\n=== ${name}: ${r.failed ? `FAILED (${r.failed})` : 'done'} in ${r.seconds.toFixed(0)} s\n`);
  }

  const env = machine();
  const args = process.argv.slice(2).join(' ');
  const runCommand = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args ? ` -- ${args}` : ''}` : `node bench/run.mjs${args ? ` ${args}` : ''}`;
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(repoDir, 'BENCHMARKS.md');
  const totalS = (performance.now() - started) / 1000;

  process.stdout.write(`\n## Summary (${env.model}, nproc ${env.nproc}, Node.js ${env.node}; ${totalS.toFixed(0)} s in all)\n\n`);
  for (const r of results) {
    process.stdout.write(`- ${r.name}: ${r.failed ? `FAILED: ${r.failed}` : 'ok'} (${r.seconds.toFixed(0)} s)\n`);
    for (const t of r.report?.targets ?? []) process.stdout.write(`  - [${verdict(t.met)}] ${t.text}\n`);
  }
  const missed = results.flatMap((r) => (r.report?.targets ?? []).filter((t) => t.met === false).map((t) => `${r.name}: ${t.name}`));
  if (missed.length) process.stdout.write(`\nTargets missed (reported, not a failure): ${missed.join('; ')}\n`);
  if (write) {
    for (const r of results) {
      if (r.failed) {
        process.stdout.write(`BENCHMARKS.md: ${r.name} block left as it was (the section failed)\n`);
        continue;
      }
      writeBlock(file, r.name, block(r, env, runCommand, date));
      process.stdout.write(`BENCHMARKS.md: ${r.name} block written\n`);
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
process.stdout.write(`\nbench: whole run ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
process.exitCode = results.some((r) => r.failed) || results.length === 0 ? 1 : 0;
