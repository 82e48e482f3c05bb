import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { attributesToPlain } from '../../../src/model/attributes.js';
import type { Attributes } from '../../../src/model/attributes.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import { filelogReceiverConfigSchema } from '../../../src/receivers/filelog/config.js';
import { filelogReceiverFactory } from '../../../src/receivers/filelog/factory.js';
import { SelfMetrics } from '../../../src/telemetry/self-metrics.js';
import { waitFor } from '../../helpers/net.js';
import { startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';

interface Received {
  readonly resource: Record<string, unknown>;
  readonly record: LogRecord;
  readonly attributes: Record<string, unknown>;
  readonly body: string;
}

function received(h: Harness): Received[] {
  return h.capture.logs.flatMap((b) =>
    b.resourceLogs.flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) =>
        sl.logRecords.map((record) => ({
          resource: attributesToPlain(rl.resource.attributes),
          record,
          attributes: attributesToPlain(record.attributes as Attributes),
          body: record.body.type === 'string' ? record.body.value : `<${record.body.type}>`,
        })),
      ),
    ),
  );
}

const bodies = (h: Harness) => received(h).map((r) => r.body);
const sorted = (xs: string[]) => [...xs].sort();

function config(store: string, keys: string, pipeline = ''): string {
  return `
receivers:
  filelog:
    storage_directory: ${store}
    poll_interval: 50ms
${keys
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
exporters:
  capture:
service:
  pipelines:
    logs:
      receivers: [filelog]
      exporters: [capture]
${pipeline}
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`;
}

function dirs() {
  const base = mkdtempSync(join(tmpdir(), 'corrgate-filelog-'));
  const logs = join(base, 'logs');
  mkdirSync(logs);
  return { base, logs, store: join(base, 'store') };
}

const lines = (from: number, to: number, prefix = 'line') => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}\n`).join('');
const range = (from: number, to: number, prefix = 'line') => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}`);
/** Long enough for several polls at 50 ms: used only to show that something did NOT arrive. */
const settle = () => new Promise((r) => setTimeout(r, 400));

let running: Harness[] = [];
async function start(yaml: string): Promise<Harness> {
  const h = await startService(yaml, [filelogReceiverFactory]);
  running.push(h);
  return h;
}
async function stop(h: Harness): Promise<void> {
  await h.service.shutdown();
  running = running.filter((r) => r !== h);
}
afterEach(async () => {
  await Promise.all(running.map((h) => h.service.shutdown()));
  running = [];
});

describe('filelog receiver, raw lines', () => {
  it('reads each line of a file as a record with the file attributes', async () => {
    const d = dirs();
    const path = join(d.logs, 'router-1.log');
    writeFileSync(path, 'first line\r\n\nsecond \u00e9 line\n');
    const h = await start(config(d.store, `include: [${d.logs}/*.log]\nstart_at: beginning`));
    await waitFor('two lines', () => h.capture.logCount() === 2);
    const [a, b] = received(h);
    expect(a!.body).toBe('first line'); // CR LF ends a line too; the blank line is skipped
    expect(b!.body).toBe('second \u00e9 line');
    expect(a!.attributes).toEqual({ 'log.file.name': 'router-1.log', 'log.file.path': path });
    expect(a!.resource).toEqual({});
    expect(a!.record.timeUnixNano).toBe(0n);
    expect(a!.record.observedTimeUnixNano).toBeGreaterThan(0n);
    expect(a!.record.severityNumber).toBe(0);
  });

  it('with start_at end skips what files hold at the first start, and reads files that appear later whole', async () => {
    const d = dirs();
    writeFileSync(join(d.logs, 'a.log'), lines(1, 3, 'old'));
    const h = await start(config(d.store, `include: [${d.logs}/*.log]\nexclude: [${d.logs}/skip*.log]`));
    appendFileSync(join(d.logs, 'a.log'), lines(1, 2, 'new'));
    writeFileSync(join(d.logs, 'b.log'), lines(1, 2, 'b'));
    writeFileSync(join(d.logs, 'skip-me.log'), lines(1, 2, 'skipped'));
    await waitFor('new lines', () => h.capture.logCount() === 4);
    await settle();
    expect(sorted(bodies(h))).toEqual(['b-1', 'b-2', 'new-1', 'new-2']);
  });

  it('matches files one directory level per "*", as rsyslog writes them per device', async () => {
    const d = dirs();
    for (const host of ['sw-1', 'sw-2']) {
      mkdirSync(join(d.logs, host));
      writeFileSync(join(d.logs, host, 'messages.log'), `from ${host}\n`);
      writeFileSync(join(d.logs, host, 'debug.txt'), `not matched\n`);
    }
    const h = await start(config(d.store, `include: [${d.logs}/*/messages.log]\nstart_at: beginning`));
    await waitFor('two files', () => h.capture.logCount() === 2);
    await settle();
    expect(received(h).map((r) => [r.body, r.attributes['log.file.path']])).toEqual([
      ['from sw-1', join(d.logs, 'sw-1', 'messages.log')],
      ['from sw-2', join(d.logs, 'sw-2', 'messages.log')],
    ]);
  });

  it('holds a last line without its line feed until it is completed', async () => {
    const d = dirs();
    const path = join(d.logs, 'app.log');
    writeFileSync(path, 'whole\npart');
    const h = await start(config(d.store, `include: [${d.logs}/*.log]\nstart_at: beginning\nforce_flush_period: 0s`));
    await waitFor('the whole line', () => h.capture.logCount() === 1);
    await settle();
    expect(bodies(h)).toEqual(['whole']);
    appendFileSync(path, 'ial\n');
    await waitFor('the completed line', () => h.capture.logCount() === 2);
    expect(bodies(h)).toEqual(['whole', 'partial']);
  });

  it('takes an unterminated last line as it is after force_flush_period', async () => {
    const d = dirs();
    writeFileSync(join(d.logs, 'app.log'), 'one\nno line feed yet');
    const h = await start(config(d.store, `include: [${d.logs}/*.log]\nstart_at: beginning\nforce_flush_period: 100ms`));
    await waitFor('both lines', () => h.capture.logCount() === 2);
    expect(bodies(h)).toEqual(['one', 'no line feed yet']);
  });

  it('cuts lines longer than max_line_size, counts them, and reads on', async () => {
    const d = dirs();
    const huge = 'x'.repeat(200_000); // spans several read chunks
    writeFileSync(join(d.logs, 'app.log'), `short\n${'y'.repeat(40)}\n${huge}\nafter\n`);
    const h = await start(config(d.store, `include: [${d.logs}/*.log]\nstart_at: beginning\nmax_line_size: 16`));
    await waitFor('four lines', () => h.capture.logCount() === 4);
    expect(bodies(h)).toEqual(['short', 'y'.repeat(16), 'x'.repeat(16), 'after']);
    expect(await h.metric('corrgate_receiver_bad_frames_total', { receiver: 'filelog', transport: 'file', reason: 'line_too_long' })).toBe(2);
  });
});

describe('filelog receiver, rotation', () => {
  it('reads a renamed file to its end, then the new file from its start (rename and create)', async () => {
    const d = dirs();
    const path = join(d.logs, 'app.log');
    writeFileSync(path, lines(1, 3));
    const h = await start(config(d.store, `include: [${path}]\nstart_at: beginning`));
    await waitFor('first lines', () => h.capture.logCount() === 3);
    // The writer still holds the old file after the rename and writes two more lines to it.
    appendFileSync(path, lines(4, 4));
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, lines(5, 5));
    writeFileSync(path, lines(6, 7));
    appendFileSync(path, lines(8, 8));
    await waitFor('all lines', () => h.capture.logCount() >= 8);
    await settle();
    expect(sorted(bodies(h))).toEqual(sorted(range(1, 8)));
    // Lines of each file keep their order.
    expect(bodies(h).filter((b) => ['line-4', 'line-5'].includes(b))).toEqual(['line-4', 'line-5']);
    expect(bodies(h).filter((b) => ['line-6', 'line-7', 'line-8'].includes(b))).toEqual(['line-6', 'line-7', 'line-8']);
  });

  it('does not read a rotated file again when the glob matches it under its new name', async () => {
    const d = dirs();
    const path = join(d.logs, 'app.log');
    writeFileSync(path, lines(1, 3));
    const h = await start(config(d.store, `include: [${d.logs}/app.log*]\nstart_at: beginning`));
    await waitFor('first lines', () => h.capture.logCount() === 3);
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(4, 5));
    await waitFor('new file', () => h.capture.logCount() >= 5);
    await settle();
    expect(bodies(h)).toEqual(range(1, 5));
    expect(received(h)[4]!.attributes['log.file.name']).toBe('app.log');
  });

  it('goes on where it was with a rotated file that was out of sight for a while and comes back under a matching name', async () => {
    // What a directory listing racing a rename can show: the old file is gone from the glob for a
    // poll or more (here: moved out of the directory), is let go of, then found under its new name.
    const d = dirs();
    const path = join(d.logs, 'app.log');
    writeFileSync(path, lines(1, 3));
    const h = await start(config(d.store, `include: [${d.logs}/app.log*]\nstart_at: beginning`));
    await waitFor('first lines', () => h.capture.logCount() === 3);
    const aside = join(d.store, 'app.log.moving');
    renameSync(path, aside);
    await settle();
    appendFileSync(aside, lines(4, 4));
    renameSync(aside, `${path}.1`);
    await waitFor('the line written while out of sight', () => h.capture.logCount() >= 4);
    await settle();
    expect(bodies(h)).toEqual(range(1, 4));
  });

  it('starts a truncated file again from its start (copytruncate)', async () => {
    const d = dirs();
    const path = join(d.logs, 'app.log');
    writeFileSync(path, lines(1, 3));
    const h = await start(config(d.store, `include: [${path}]\nstart_at: beginning`));
    await waitFor('first lines', () => h.capture.logCount() === 3);
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, 'x\n');
    await waitFor('line after truncation', () => h.capture.logCount() === 4);
    // Truncated and at once written past the old offset: the first bytes tell the file changed.
    truncateSync(path, 0);
    appendFileSync(path, lines(10, 14, 'longer-line-after-truncation'));
    await waitFor('lines after the second truncation', () => h.capture.logCount() >= 9);
    await settle();
    expect(bodies(h)).toEqual([...range(1, 3), 'x', ...range(10, 14, 'longer-line-after-truncation')]);
  });
});

describe('filelog receiver, restarts', () => {
  it('delivers every line exactly once across restarts, with rotations and partial lines in between', async () => {
    const d = dirs();
    const path = join(d.logs, 'app.log');
    const yaml = config(d.store, `include: [${d.logs}/app.log*]\nforce_flush_period: 0s`);
    writeFileSync(path, lines(1, 2, 'before-first-start'));

    const first = await start(yaml); // start_at end: what was there is skipped
    appendFileSync(path, lines(1, 3));
    await waitFor('first run', () => first.capture.logCount() === 3);
    appendFileSync(path, 'line-4 without its line feed');
    await settle();
    await stop(first);
    const saved = JSON.parse(readFileSync(join(d.store, 'filelog.json'), 'utf8')) as { position: { files: { path: string; offset: number }[] } };
    expect(saved.position.files).toEqual([expect.objectContaining({ path, offset: readFileSync(path, 'utf8').indexOf('line-4') })]);

    // While stopped: the line is completed, more lines come, and the file is rotated.
    appendFileSync(path, '\n' + lines(5, 6));
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(7, 8));
    const second = await start(yaml);
    await waitFor('second run', () => second.capture.logCount() >= 5);
    await settle();
    expect(sorted(bodies(second))).toEqual(sorted(['line-4 without its line feed', ...range(5, 8)]));
    appendFileSync(path, lines(9, 9));
    await waitFor('line 9', () => second.capture.logCount() === 6);
    await stop(second);

    const third = await start(yaml);
    appendFileSync(path, lines(10, 10));
    await waitFor('line 10', () => third.capture.logCount() >= 1);
    await settle();
    expect(bodies(third)).toEqual(['line-10']);
  });

  it('saves an offset only once the pipeline has taken the lines before it', async () => {
    const d = dirs();
    const path = join(d.logs, 'app.log');
    writeFileSync(path, '');
    const savedOffset = () => {
      try {
        return (JSON.parse(readFileSync(join(d.store, 'filelog.json'), 'utf8')) as { position: { files: { offset: number }[] } }).position.files[0]?.offset;
      } catch {
        return undefined; // not written yet
      }
    };
    // A pipeline queue of two records in front of an exporter that holds what it gets: the first
    // batch is taken, the next is refused (throttled) until the exporter lets go.
    const h = await start(config(d.store, `include: [${path}]`, '      queue: { size: 2, retry_after: 50ms }'));
    h.capture.block();
    appendFileSync(path, lines(1, 2));
    await waitFor('first batch taken and saved', () => savedOffset() === lines(1, 2).length);
    appendFileSync(path, lines(3, 5));
    await waitFor('second batch refused', async () => (await h.metric('corrgate_pipeline_refused_items_total')) > 0);
    await settle();
    expect(savedOffset()).toBe(lines(1, 2).length);
    h.capture.unblock();
    await waitFor('all delivered and saved', () => h.capture.logCount() === 5 && savedOffset() === lines(1, 5).length);
    expect(bodies(h)).toEqual(range(1, 5));
  });
});

describe('filelog receiver, syslog lines', () => {
  it('parses each line as syslog, keeps the file attributes, and keeps unparsable lines whole and counted', async () => {
    const d = dirs();
    const path = join(d.logs, 'edge-1.log');
    writeFileSync(
      path,
      [
        'Nov 25 05:21:01 edge-1 sshd[812]: Accepted publickey for ops',
        '<187>1 2026-11-25T05:21:02.123Z edge-1 ifmgr 77 LINK - Interface ge-0/0/1 down',
        'garbage that is not syslog',
        '',
      ].join('\n'),
    );
    const h = await start(config(d.store, `include: [${path}]\nstart_at: beginning\nformat: syslog\ntime_zone: UTC`));
    await waitFor('three lines', () => h.capture.logCount() === 3);
    const [bsd, ietf, bad] = received(h);
    expect(bsd!.resource).toMatchObject({ 'host.name': 'edge-1', 'service.name': 'sshd' });
    expect(bsd!.body).toBe('Accepted publickey for ops');
    expect(bsd!.attributes).toMatchObject({ 'log.file.name': 'edge-1.log', 'log.file.path': path });
    expect(ietf!.resource).toMatchObject({ 'host.name': 'edge-1', 'service.name': 'ifmgr' });
    expect(ietf!.record.timeUnixNano).toBe(1_795_584_062_123_000_000n);
    expect(ietf!.body).toBe('Interface ge-0/0/1 down');
    expect(bad!.body).toBe('garbage that is not syslog');
    expect(bad!.attributes).toMatchObject({ 'log.file.name': 'edge-1.log' });
    expect(await h.metric('corrgate_receiver_parse_errors_total', { receiver: 'filelog', format: 'syslog' })).toBe(1);
  });
});

describe('filelog receiver config and lifecycle', () => {
  it('needs include, has defaults for the rest, and refuses unknown keys', () => {
    expect(filelogReceiverConfigSchema.safeParse({}).success).toBe(false);
    expect(filelogReceiverConfigSchema.parse({ include: ['/var/log/devices/*.log'] })).toEqual({
      include: ['/var/log/devices/*.log'],
      exclude: [],
      start_at: 'end',
      poll_interval: 200,
      format: 'raw',
      time_zone: 'UTC',
      encoding: 'utf-8',
      max_line_size: 1024 * 1024,
      force_flush_period: 500,
      fingerprint_size: 1024,
      include_file_name: true,
      include_file_path: true,
    });
    expect(filelogReceiverConfigSchema.safeParse({ include: ['/x/**/*.log'] }).success).toBe(false);
    expect(filelogReceiverConfigSchema.safeParse({ include: ['/x'], time_zone: 'Mars/Olympus' }).success).toBe(false);
    expect(filelogReceiverConfigSchema.safeParse({ include: ['/x'], includes: [] }).success).toBe(false);
  });

  it('can be shut down before start, and started, stopped and started again', async () => {
    const d = dirs();
    writeFileSync(join(d.logs, 'a.log'), 'x\n');
    const settings = { id: 'filelog/devices', logger: pino({ level: 'silent' }), metrics: new SelfMetrics({ processMetrics: false }) };
    const cfg = filelogReceiverConfigSchema.parse({ include: [join(d.logs, '*.log')], storage_directory: d.store });
    const r = filelogReceiverFactory.create(settings, cfg, { logs: { consume: async () => {} } });
    await r.shutdown();
    await r.shutdown();
    await r.start();
    await r.shutdown();
    await r.start();
    await r.shutdown();
    await r.shutdown();
    expect(JSON.parse(readFileSync(join(d.store, 'filelog%2Fdevices.json'), 'utf8'))).toMatchObject({ version: 1, receiver: 'filelog/devices' });
  });
});
