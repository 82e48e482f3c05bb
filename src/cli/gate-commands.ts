import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration.js';
import type { GateDetail, GateSummary } from '../control/gate-views.js';
import type { GateDecision, GateDecisionKind, RuleResult } from '../gates/gate-types.js';
import { ClientError, ControlClient, DEFAULT_ENDPOINT } from './control-client.js';

// `corrgate gate ...` and `corrgate check`: the control API from a shell, a CI job or Nagios.
// Exit codes are the contract: gate wait 0 pass, 1 fail, 2 inconclusive, 3 error; check follows the
// monitoring plugin convention 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

export const GATE_USAGE = `usage:
  corrgate gate open -f FILE          open a gate from a spec (YAML or JSON)
  corrgate gate status ID [--json]    the gate's status and latest decision
  corrgate gate wait ID [--timeout 10m] [--interval 5s]
                                      wait for the final decision; exit 0 pass, 1 fail,
                                      2 inconclusive (or no decision before the timeout), 3 error
  corrgate gate explain ID            why: each rule, its numbers, and the evidence, as a table
  corrgate gate evaluate|close|abort ID
  corrgate check ID                   Nagios/Icinga plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN

options:
  --endpoint URL   control API (default $CORRGATE_ENDPOINT, else ${DEFAULT_ENDPOINT})
  --token TOKEN    bearer token (default $CORRGATE_TOKEN)
`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** A terminal: wait redraws one status line instead of printing a line per change. */
  readonly tty: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

export const EXIT = { pass: 0, fail: 1, inconclusive: 2, error: 3 } as const;
export const NAGIOS = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

function client(values: { endpoint?: string | undefined; token?: string | undefined }, env: NodeJS.ProcessEnv): ControlClient {
  return new ControlClient(values.endpoint ?? env.CORRGATE_ENDPOINT ?? DEFAULT_ENDPOINT, values.token ?? env.CORRGATE_TOKEN);
}

const gatePath = (id: string) => `/v1/gates/${encodeURIComponent(id)}`;

function fmtScore(score: number | undefined | null): string {
  return score === undefined || score === null ? '-' : String(Math.round(score * 10) / 10);
}

function fmtNumber(v: number | undefined | null): string {
  if (v === undefined || v === null) return '-';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function fmtLeft(ms: number): string {
  if (ms <= 0) return 'window closed';
  const s = Math.ceil(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s left` : `${s}s left`;
}

/** One line about a gate, the same in status and wait. */
export function statusLine(g: GateSummary, nowMs: number): string {
  const parts = [`${g.id}`, g.decision, `status ${g.status}`, `evaluation ${g.evaluations}`, `score ${fmtScore(g.score)}`];
  if (g.status === 'open' && g.window.end !== undefined) parts.push(fmtLeft(Date.parse(g.window.end) - nowMs));
  const line = parts.join('  ');
  return g.reason ? `${line}  ${g.reason}` : line;
}

function exitOf(decision: GateDecisionKind, status: string): number {
  if (status === 'aborted') return EXIT.error;
  if (decision === 'PASS') return EXIT.pass;
  if (decision === 'FAIL') return EXIT.fail;
  return EXIT.inconclusive;
}

/** Lays out rows in columns, the last column left ragged (it is the reason, often long). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function ruleRow(r: RuleResult): string[] {
  const samples = r.samples.baseline === undefined ? String(r.samples.current) : `${r.samples.current}/${r.samples.baseline}`;
  return [r.name, r.measure, r.outcome.toUpperCase() + (r.critical ? '!' : ''), fmtNumber(r.observed), fmtNumber(r.baseline), r.threshold, samples, fmtNumber(r.weight), r.reason];
}

/** `gate explain`: the decision, then a row per rule, then the evidence an operator opens first. */
export function explain(g: GateDetail): string {
  const d: GateDecision | undefined = g.final ?? g.latest;
  const lines: string[] = [];
  lines.push(`gate ${g.id} (run ${g.run}, ${g.status}): ${d ? d.reported : 'RUNNING'}${d?.dryRun ? ` (dry run; decided ${d.decision})` : ''}, score ${fmtScore(d?.score)}`);
  if (!d) return `${lines[0]}\nno evaluation yet\n`;
  lines.push(`reason: ${d.reason}`);
  lines.push(`evaluation ${d.evaluation}${d.final ? ' (final)' : ''} at ${new Date(d.evaluatedAtMs).toISOString()}; window ${new Date(d.window.startMs).toISOString()} .. ${d.window.endMs !== undefined ? new Date(d.window.endMs).toISOString() : 'until closed'}`);
  const b = d.baseline;
  const from = b.from ? ` (gate ${b.from.gateId} run ${b.from.run})` : '';
  lines.push(`baseline: ${b.kind}${from}${b.scope ? ` ${JSON.stringify(b.scope)}` : ''}`);
  lines.push(`trace: ${g.trace_id}`);
  lines.push('');
  let text = lines.join('\n') + '\n';
  text += table(['RULE', 'MEASURE', 'OUTCOME', 'OBSERVED', 'BASELINE', 'THRESHOLD', 'SAMPLES', 'WEIGHT', 'REASON'], d.rules.map(ruleRow));
  const e = d.evidence;
  const ms = (v: number) => `${fmtNumber(v)} ms`;
  const evidence: string[][] = [
    ...e.errorTraces.slice(0, 5).map((t) => ['error trace', t.traceIdHex, t.trace?.rootService ?? '-', `${ms(t.durationMs)}, ${t.trace?.errorSpanCount ?? '?'} error spans`]),
    ...e.slowTraces.slice(0, 5).map((t) => ['slow trace', t.traceIdHex, t.trace?.rootService ?? '-', ms(t.durationMs)]),
    ...e.chains.slice(0, 5).map((c) => ['chain', c.device ?? '-', c.failingServices.join(',') || c.affectedServices.join(',') || '-', `${c.event.eventName}${c.event.interfaceName ? ` ${c.event.interfaceName}` : ''}, then ${c.failureCount} failures`]),
    ...e.deviceEvents.slice(0, 5).map((ev) => ['device event', ev.eventName, ev.interfaceName ?? '-', ev.body.slice(0, 120)]),
    ...e.errorLogs.slice(0, 5).map((l) => ['error log', l.traceId, l.service ?? '-', l.body.slice(0, 120)]),
  ];
  if (evidence.length > 0) text += '\n' + table(['EVIDENCE', 'ID', 'WHERE', 'WHAT'], evidence);
  return text;
}

/**
 * `corrgate check`: one line, `CORRGATE <STATE> - ... | perfdata`. FAIL is CRITICAL, INCONCLUSIVE a
 * WARNING, a gate still running is OK unless a rule already fails (WARNING), PASS is OK; a gate that
 * cannot be read, or was aborted, is UNKNOWN.
 */
export function nagiosLine(g: GateDetail): { code: number; line: string } {
  const d = g.final ?? g.latest;
  const decision = d?.reported ?? 'RUNNING';
  const failed = d ? d.rules.filter((r) => r.outcome === 'fail') : [];
  const nodata = d ? d.rules.filter((r) => r.outcome === 'nodata').length : 0;
  let code: number;
  if (g.status === 'aborted') code = NAGIOS.unknown;
  else if (decision === 'FAIL') code = NAGIOS.critical;
  else if (decision === 'INCONCLUSIVE') code = NAGIOS.warning;
  else if (decision === 'RUNNING' && failed.length > 0) code = NAGIOS.warning;
  else code = NAGIOS.ok;
  const state = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'][code]!;
  const what = g.status === 'aborted' ? 'aborted' : decision;
  const reason = (d?.reason ?? 'no evaluation yet').replace(/[|\n]/g, ' ');
  const scoring = (g.spec as { scoring?: { pass?: number; marginal?: number } }).scoring;
  const perf = [
    d?.score !== undefined ? `score=${fmtNumber(d.score)};${scoring?.pass ?? 90}:;${scoring?.marginal ?? 75}:;0;100` : undefined,
    `failed_rules=${failed.length};;;0;${d?.rules.length ?? 0}`,
    `nodata_rules=${nodata};;;0;${d?.rules.length ?? 0}`,
    `evaluations=${g.evaluations}c`,
  ].filter((p): p is string => p !== undefined);
  return { code, line: `CORRGATE ${state} - gate ${g.id} ${what}, score ${fmtScore(d?.score)}: ${reason} | ${perf.join(' ')}` };
}

const options = {
  endpoint: { type: 'string' },
  token: { type: 'string' },
  file: { type: 'string', short: 'f' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `corrgate gate ...` (argv after `gate`) and `corrgate check ...` (argv from `check`). */
export async function runGateCommand(command: 'gate' | 'check', argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    const text = `corrgate: ${(err as Error).message}\n\n${GATE_USAGE}`;
    if (command === 'check') io.out(`CORRGATE UNKNOWN - ${(err as Error).message}\n`);
    else io.err(text);
    return command === 'check' ? NAGIOS.unknown : EXIT.error;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(GATE_USAGE);
    return 0;
  }
  const [sub, id] = command === 'check' ? ['check', positionals[0]] : [positionals[0], positionals[1]];
  try {
    const api = client(values, io.env);
    switch (sub) {
      case 'open':
        return await open(api, values.file, io);
      case 'status':
        return await status(api, required(id), values.json === true, io);
      case 'wait':
        return await wait(api, required(id), values.timeout ?? '10m', values.interval ?? '5s', io);
      case 'explain':
        io.out(explain(await api.request<GateDetail>('GET', gatePath(required(id)))));
        return 0;
      case 'evaluate':
      case 'close':
      case 'abort': {
        await api.request('POST', `${gatePath(required(id))}/${sub}`);
        const g = await api.request<GateDetail>('GET', gatePath(required(id)));
        io.out(`${statusLine(g, io.now())}\n`);
        return 0;
      }
      case 'check': {
        const g = await api.request<GateDetail>('GET', gatePath(required(id)));
        const { code, line } = nagiosLine(g);
        io.out(`${line}\n`);
        return code;
      }
      default:
        io.err(`corrgate: ${sub === undefined ? 'a gate command is required' : `unknown gate command "${sub}"`}\n\n${GATE_USAGE}`);
        return EXIT.error;
    }
  } catch (err) {
    const message = err instanceof ClientError || err instanceof UsageError ? err.message : String(err);
    if (sub === 'check') {
      io.out(`CORRGATE UNKNOWN - ${message.split('\n')[0]}\n`);
      return NAGIOS.unknown;
    }
    io.err(`corrgate: ${message}\n`);
    return EXIT.error;
  }
}

class UsageError extends Error {}

function required(id: string | undefined): string {
  if (id === undefined || id === '') throw new UsageError('a gate id is required');
  return id;
}

async function open(api: ControlClient, file: string | undefined, io: Io): Promise<number> {
  if (file === undefined) throw new UsageError('give the spec with -f FILE (YAML or JSON; - for stdin)');
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const type = /^\s*[{[]/.test(text) ? 'application/json' : 'application/yaml';
  const g = await api.request<GateDetail>('POST', '/v1/gates', { type, text });
  const end = g.window.end ? `window ends ${g.window.end}` : 'window open until closed';
  io.out(`gate ${g.id} opened (run ${g.run}); ${end}; trace ${g.trace_id}\n`);
  return 0;
}

async function status(api: ControlClient, id: string, asJson: boolean, io: Io): Promise<number> {
  const g = await api.request<GateDetail>('GET', gatePath(id));
  if (asJson) io.out(`${JSON.stringify(g, null, 2)}\n`);
  else io.out(`${statusLine(g, io.now())}\n`);
  return 0;
}

function durationOption(name: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}

async function wait(api: ControlClient, id: string, timeoutText: string, intervalText: string, io: Io): Promise<number> {
  const timeoutMs = durationOption('timeout', timeoutText);
  const intervalMs = Math.max(100, durationOption('interval', intervalText));
  const deadline = io.now() + timeoutMs;
  let lastPrinted = '';
  let lastWidth = 0;
  for (;;) {
    const g = await api.request<GateDetail>('GET', gatePath(id));
    const line = statusLine(g, io.now());
    const ended = g.status !== 'open';
    if (io.tty) {
      // One line, redrawn in place; padded so a shorter line leaves nothing of the longer one behind.
      io.out(`\r${line.padEnd(lastWidth)}`);
      lastWidth = line.length;
      if (ended) io.out('\n');
    } else {
      // Plain lines for logs: a line when something changed (the countdown alone is not a change).
      const key = `${g.status} ${g.decision} ${g.evaluations}`;
      if (key !== lastPrinted || ended) io.out(`${line}\n`);
      lastPrinted = key;
    }
    if (ended) return exitOf(g.decision, g.status);
    if (io.now() >= deadline) {
      if (io.tty) io.out('\n');
      io.err(`corrgate: gate ${id} has no final decision after ${timeoutText}\n`);
      return EXIT.inconclusive;
    }
    await io.sleep(Math.min(intervalMs, Math.max(0, deadline - io.now())));
  }
}
