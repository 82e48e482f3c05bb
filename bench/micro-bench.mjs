// The micro-benchmarks, one after the other, each in its own process on one core (no transport):
// the OTLP protobuf decoder against protobufjs (bench/protobuf-decode-micro.mjs), the correlator's
// trace index (bench/correlator-trace-index-micro.mjs) and the syslog parser
// (bench/syslog-parse-micro.mjs). Each script is its author's, run unchanged; this collects the lines
// it prints into a table per script. `npm run bench` runs this as its micro section; alone:
//
//   node bench/micro-bench.mjs [--quick] [--report FILE]
//
// Exit status 1 when a micro-benchmark failed or printed nothing this can read.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, repoDir, stopChild, stopChildrenOnExit, track, waitExit } from './lib/processes.mjs';
import { writeSectionReport } from './lib/report.mjs';
import { markdownTable } from './lib/table.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    report: { type: 'string' },
  },
});

/** Each: the script, seconds per case (full, --quick), and how to read its lines into table rows. */
const MICROS = [
  {
    script: 'protobuf-decode-micro.mjs',
    title: 'OTLP protobuf decoder',
    seconds: [2, 0.5],
    columns: ['case', ['M spans/s', 'r']],
    row: (line) => /^(\S.*?)\s+(\d+(?:\.\d+)?) M spans\/s\s*$/.exec(line)?.slice(1),
  },
  {
    script: 'correlator-trace-index-micro.mjs',
    title: 'Correlator trace index',
    seconds: [2, 0.5],
    columns: ['case', ['M spans per CPU second', 'r']],
    row: (line) => /^(\S.*?)\s+(\d+(?:\.\d+)?) M spans per CPU second\s*$/.exec(line)?.slice(1),
  },
  {
    script: 'syslog-parse-micro.mjs',
    title: 'Syslog parser',
    seconds: [1, 0.3],
    columns: ['message shape', ['parse msg/s per CPU s', 'r'], ['parse + map to log record msg/s per CPU s', 'r']],
    row: (line) => /^(\S+)\s+([\d,]+)\s+([\d,]+)\s*$/.exec(line)?.slice(1),
    // Its column header line is replaced by the table's.
    skip: (line) => /^case\s+parse msg\/s/.test(line),
  },
];

stopChildrenOnExit();

async function runMicro(micro) {
  const seconds = micro.seconds[opts.quick ? 1 : 0];
  const file = path.join(benchDir, micro.script);
  if (!existsSync(file)) return { micro, seconds, failed: 'the script is missing' };
  const child = track(spawn(process.execPath, [file, String(seconds)], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  if (!(await waitExit(child, 180_000))) {
    await stopChild(child);
    return { micro, seconds, failed: 'did not finish within 180 s' };
  }
  if (child.exitCode !== 0) return { micro, seconds, failed: `exit ${child.exitCode}: ${err.trim().split('\n').slice(-3).join(' / ')}` };
  const rows = [];
  const notes = [];
  for (const line of out.split('\n')) {
    if (!line.trim() || micro.skip?.(line)) continue;
    const row = micro.row(line);
    if (row) rows.push(row);
    else notes.push(line.trim());
  }
  if (rows.length === 0) return { micro, seconds, failed: 'printed nothing this can read' };
  return { micro, seconds, rows, notes };
}

const parts = [];
let ok = true;
for (const micro of MICROS) {
  process.stdout.write(`  ${micro.script} ... `);
  const r = await runMicro(micro);
  if (r.failed) ok = false;
  process.stdout.write(r.failed ? `failed: ${r.failed}\n` : 'done\n');
  const L = [`${micro.title} (\`node bench/${micro.script} ${r.seconds}\`):`, ''];
  if (r.failed) L.push(`Failed: ${r.failed}.`);
  else {
    L.push(markdownTable(micro.columns, r.rows));
    if (r.notes.length) L.push('', ...r.notes.map((n) => `- ${n}`));
  }
  parts.push(L.join('\n'));
}
const markdown = parts.join('\n\n');
process.stdout.write(`\n${markdown}\n`);
writeSectionReport(opts.report, { section: 'micro', ok, markdown, targets: [] });
process.exitCode = ok ? 0 : 1;
