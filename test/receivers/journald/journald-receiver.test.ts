import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { attributesToPlain } from '../../../src/model/attributes.js';
import type { Attributes } from '../../../src/model/attributes.js';
import { SeverityNumber } from '../../../src/model/log-record.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import { journaldReceiverConfigSchema } from '../../../src/receivers/journald/config.js';
import { journaldReceiverFactory } from '../../../src/receivers/journald/factory.js';
import { SelfMetrics } from '../../../src/telemetry/self-metrics.js';
import { waitFor } from '../../helpers/net.js';
import { startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';
import { BOOT_ID, entry, writeJournal } from './journal-files.js';

const MACHINE_ID = 'fedcba9876543210fedcba9876543210';

interface Received {
  readonly resource: Record<string, unknown>;
  readonly record: LogRecord;
  readonly attributes: Record<string, unknown>;
  readonly body: unknown;
}

function received(h: Harness): Received[] {
  return h.capture.logs.flatMap((b) =>
    b.resourceLogs.flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) =>
        sl.logRecords.map((record) => ({
          resource: attributesToPlain(rl.resource.attributes),
          record,
          attributes: attributesToPlain(record.attributes as Attributes),
          body: record.body.type === 'string' ? record.body.value : record.body.type,
        })),
      ),
    ),
  );
}

const bodies = (h: Harness) => received(h).map((r) => r.body);

function config(dir: string, store: string, extra = ''): string {
  return `
receivers:
  journald:
    directory: ${dir}
    storage_directory: ${store}
    start_at: beginning
${extra}
exporters:
  capture:
service:
  pipelines:
    logs:
      receivers: [journald]
      exporters: [capture]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`;
}

function dirs() {
  const base = mkdtempSync(join(tmpdir(), 'corrgate-journald-'));
  return { dir: base, journal: join(base, 'remote.journal'), store: join(base, 'store') };
}

let running: Harness[] = [];
async function start(yaml: string): Promise<Harness> {
  const h = await startService(yaml, [journaldReceiverFactory]);
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

describe('journald receiver', () => {
  it('maps every journal field of an entry onto the log record', async () => {
    const d = dirs();
    writeJournal(d.journal, [
      entry({
        __REALTIME_TIMESTAMP: '1700000000123456',
        MESSAGE: 'Link eth0 is down',
        PRIORITY: '3',
        _HOSTNAME: 'edge-router-1',
        _MACHINE_ID: MACHINE_ID,
        SYSLOG_IDENTIFIER: 'netmon',
        SYSLOG_FACILITY: '3',
        _SYSTEMD_UNIT: 'netmon.service',
        _PID: '4242',
        _COMM: 'netmond',
        _EXE: '/usr/sbin/netmond',
        _CMDLINE: '/usr/sbin/netmond --watch eth0',
        CODE_FILE: 'src/link.c',
        CODE_LINE: '118',
        CODE_FUNC: 'link_changed',
        MESSAGE_ID: 'aa11bb22cc33dd44ee55ff6677889900',
        INTERFACE: 'eth0',
      }),
    ]);
    const h = await start(config(d.dir, d.store));
    await waitFor('one entry', () => h.capture.logCount() === 1);
    const [r] = received(h);
    expect(r!.resource).toEqual({ 'host.name': 'edge-router-1', 'host.id': MACHINE_ID, 'service.name': 'netmon' });
    expect(r!.body).toBe('Link eth0 is down');
    expect(r!.record.timeUnixNano).toBe(1_700_000_000_123_456_000n);
    expect(r!.record.observedTimeUnixNano).toBeGreaterThan(1_700_000_000_123_456_000n);
    expect(r!.record.severityNumber).toBe(SeverityNumber.Error);
    expect(r!.record.severityText).toBe('err');
    expect(r!.attributes).toEqual({
      'systemd.unit': 'netmon.service',
      'process.pid': 4242,
      'process.executable.name': 'netmond',
      'process.executable.path': '/usr/sbin/netmond',
      'process.command_line': '/usr/sbin/netmond --watch eth0',
      'syslog.facility': 3,
      'code.file.path': 'src/link.c',
      'code.line.number': 118,
      'code.function.name': 'link_changed',
      'journald._BOOT_ID': BOOT_ID,
      'journald.MESSAGE_ID': 'aa11bb22cc33dd44ee55ff6677889900',
      'journald.INTERFACE': 'eth0',
    });
    // Typed values, not strings: process.pid and code.line.number are ints.
    expect(r!.record.attributes.find((a) => a.key === 'process.pid')!.value).toEqual({ type: 'int', value: 4242n });
  });

  it('maps every priority to the syslog severity and decodes binary messages as UTF-8', async () => {
    const d = dirs();
    const expected: [SeverityNumber, string][] = [
      [SeverityNumber.Fatal, 'emerg'],
      [SeverityNumber.Error3, 'alert'],
      [SeverityNumber.Error2, 'crit'],
      [SeverityNumber.Error, 'err'],
      [SeverityNumber.Warn, 'warning'],
      [SeverityNumber.Info2, 'notice'],
      [SeverityNumber.Info, 'info'],
      [SeverityNumber.Debug, 'debug'],
    ];
    writeJournal(d.journal, [
      ...expected.map((_, p) => entry({ MESSAGE: `p${p}`, PRIORITY: String(p), _COMM: 'kworker' })),
      // journald stores a message with control characters as binary; journalctl prints it as bytes.
      entry({ MESSAGE: new Uint8Array([...Buffer.from('tab\there \u00e9\u001b[0m')]), PRIORITY: '6', SYSLOG_IDENTIFIER: 'bin' }),
      entry({ MESSAGE: 'no priority', PRIORITY: undefined }),
    ]);
    const h = await start(config(d.dir, d.store, '    priority: debug'));
    await waitFor('all entries', () => h.capture.logCount() === 10);
    const all = received(h);
    expect(all.slice(0, 8).map((r) => [r.record.severityNumber, r.record.severityText])).toEqual(expected);
    // Without SYSLOG_IDENTIFIER the process name stands in for service.name.
    expect(all[0]!.resource['service.name']).toBe('kworker');
    expect(all[8]!.body).toBe('tab\there \u00e9\u001b[0m');
    expect(all[9]!.record.severityNumber).toBe(SeverityNumber.Unspecified);
    expect(all[9]!.record.severityText).toBe('');
  });

  it('takes only the units, identifiers and priorities configured', async () => {
    const d = dirs();
    writeJournal(d.journal, [
      entry({ MESSAGE: 'a-err', PRIORITY: '3', _SYSTEMD_UNIT: 'a.service', SYSLOG_IDENTIFIER: 'a' }),
      entry({ MESSAGE: 'a-debug', PRIORITY: '7', _SYSTEMD_UNIT: 'a.service', SYSLOG_IDENTIFIER: 'a' }),
      entry({ MESSAGE: 'a-other-id', PRIORITY: '4', _SYSTEMD_UNIT: 'a.service', SYSLOG_IDENTIFIER: 'helper' }),
      entry({ MESSAGE: 'b-err', PRIORITY: '3', _SYSTEMD_UNIT: 'b.service', SYSLOG_IDENTIFIER: 'b' }),
      entry({ MESSAGE: 'c-warn', PRIORITY: '4', _SYSTEMD_UNIT: 'c.service', SYSLOG_IDENTIFIER: 'c' }),
      entry({ MESSAGE: 'c-info', PRIORITY: '6', _SYSTEMD_UNIT: 'c.service', SYSLOG_IDENTIFIER: 'c' }),
    ]);
    const byUnit = await start(config(d.dir, join(d.dir, 's1'), '    units: [a.service, c.service]\n    priority: warning'));
    await waitFor('unit entries', () => byUnit.capture.logCount() === 3);
    expect(bodies(byUnit)).toEqual(['a-err', 'a-other-id', 'c-warn']);
    await stop(byUnit);

    const byId = await start(config(d.dir, join(d.dir, 's2'), '    identifiers: [a, b]\n    priority: 7'));
    await waitFor('identifier entries', () => byId.capture.logCount() === 3);
    expect(bodies(byId)).toEqual(['a-err', 'a-debug', 'b-err']);
    await stop(byId);
  });

  it('reads the journal files named by files (globs too), and runs as two instances of one type side by side', async () => {
    const d = dirs();
    writeJournal(join(d.dir, 'edge-1.journal'), [entry({ MESSAGE: 'edge one', PRIORITY: '4', SYSLOG_IDENTIFIER: 'edge' })]);
    writeJournal(join(d.dir, 'edge-2.journal'), [entry({ MESSAGE: 'edge two', PRIORITY: '4', SYSLOG_IDENTIFIER: 'edge' })]);
    writeJournal(join(d.dir, 'core.journal'), [entry({ MESSAGE: 'core one', PRIORITY: '3', SYSLOG_IDENTIFIER: 'core' })]);
    writeJournal(join(d.dir, 'unrelated.journal'), [entry({ MESSAGE: 'not read', PRIORITY: '3', SYSLOG_IDENTIFIER: 'x' })]);
    const h = await start(`
receivers:
  journald/edge:
    files: [${join(d.dir, 'edge-*.journal')}]
    storage_directory: ${join(d.dir, 's-edge')}
    start_at: beginning
  journald/core:
    files: [${join(d.dir, 'core.journal')}]
    storage_directory: ${join(d.dir, 's-core')}
    start_at: beginning
exporters:
  capture:
service:
  pipelines:
    logs:
      receivers: [journald/edge, journald/core]
      exporters: [capture]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`);
    await waitFor('three entries', () => h.capture.logCount() === 3);
    expect(bodies(h).sort()).toEqual(['core one', 'edge one', 'edge two']);
    expect(await h.metric('corrgate_receiver_accepted_log_records_total', { receiver: 'journald/edge' })).toBe(2);
    expect(await h.metric('corrgate_receiver_accepted_log_records_total', { receiver: 'journald/core' })).toBe(1);
  });

  it('follows new entries, and after a restart delivers each entry exactly once from the saved cursor', async () => {
    const d = dirs();
    writeJournal(d.journal, [entry({ MESSAGE: 'one' }), entry({ MESSAGE: 'two' })]);
    const first = await start(config(d.dir, d.store));
    await waitFor('first two', () => first.capture.logCount() === 2);
    writeJournal(d.journal, [entry({ MESSAGE: 'three' })]);
    await waitFor('followed entry', () => first.capture.logCount() === 3);
    await stop(first);
    const saved = JSON.parse(readFileSync(join(d.store, 'journald.json'), 'utf8')) as { position: { cursor: string } };
    expect(saved.position.cursor).toMatch(/^s=[0-9a-f]+;i=3;/);

    // While stopped: more in the same file and a second journal file in the directory.
    writeJournal(d.journal, [entry({ MESSAGE: 'four' })]);
    writeJournal(join(d.dir, 'second.journal'), [entry({ MESSAGE: 'five' })]);
    const second = await start(config(d.dir, d.store));
    await waitFor('the two new entries', () => second.capture.logCount() === 2);
    writeJournal(d.journal, [entry({ MESSAGE: 'six' })]);
    await waitFor('followed entry', () => second.capture.logCount() === 3);
    expect(bodies(second)).toEqual(['four', 'five', 'six']);
    // Nothing more turns up late.
    await new Promise((r) => setTimeout(r, 300));
    expect(second.capture.logCount()).toBe(3);
  });

  it('starts at the end of the journal when there is no saved cursor and start_at is end', async () => {
    const d = dirs();
    writeJournal(d.journal, [entry({ MESSAGE: 'old' })]);
    const h = await start(config(d.dir, d.store).replace('start_at: beginning', 'start_at: end'));
    // journalctl seeks to the tail some time after it was spawned; entries written before that
    // are behind it too, so new ones are written until one arrives.
    let n = 0;
    await waitFor('a new entry', async () => {
      writeJournal(d.journal, [entry({ MESSAGE: `new-${++n}` })]);
      await new Promise((r) => setTimeout(r, 100));
      return h.capture.logCount() >= 1;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(bodies(h).length).toBeGreaterThan(0);
    expect(bodies(h).every((b) => typeof b === 'string' && b.startsWith('new-'))).toBe(true);
  });

  it('restarts journalctl when it exits and resumes after the last entry handed on', async () => {
    const d = dirs();
    const runs = join(d.dir, 'runs');
    const wrapper = join(d.dir, 'short-lived-journalctl');
    // A journalctl that lives a second, as one killed by the OOM killer or a journal rotation would.
    writeFileSync(wrapper, `#!/bin/sh\necho run >> ${runs}\nexec timeout 1 journalctl "$@"\n`);
    chmodSync(wrapper, 0o755);
    writeJournal(d.journal, [entry({ MESSAGE: 'one' }), entry({ MESSAGE: 'two' })]);
    const h = await start(config(d.dir, d.store, `    journalctl_path: ${wrapper}`));
    await waitFor('first entries', () => h.capture.logCount() === 2);
    await waitFor('a restarted journalctl', () => readFileSync(runs, 'utf8').split('\n').length > 2);
    writeJournal(d.journal, [entry({ MESSAGE: 'three' })]);
    await waitFor('entry after the restart', () => h.capture.logCount() >= 3);
    await waitFor('another restart', () => readFileSync(runs, 'utf8').split('\n').length > 3);
    expect(bodies(h)).toEqual(['one', 'two', 'three']);
  });

  it('keeps an output line that is not JSON as the body and counts it', async () => {
    const d = dirs();
    const wrapper = join(d.dir, 'noisy-journalctl');
    writeFileSync(wrapper, '#!/bin/sh\necho "not json {"\nexec journalctl "$@"\n');
    chmodSync(wrapper, 0o755);
    writeJournal(d.journal, [entry({ MESSAGE: 'fine' })]);
    const h = await start(config(d.dir, d.store, `    journalctl_path: ${wrapper}`));
    await waitFor('both lines', () => h.capture.logCount() === 2);
    expect(bodies(h)).toEqual(['not json {', 'fine']);
    expect(received(h)[0]!.record.timeUnixNano).toBe(0n);
    expect(await h.metric('corrgate_receiver_parse_errors_total', { receiver: 'journald', format: 'json' })).toBe(1);
  });

  it('fails to start with a clear error when journalctl is missing', async () => {
    const d = dirs();
    await expect(start(config(d.dir, d.store, '    journalctl_path: /nonexistent/journalctl'))).rejects.toThrow(
      /cannot run \/nonexistent\/journalctl: .*ENOENT.*journalctl_path/,
    );
  });
});

describe('journald receiver config and lifecycle', () => {
  it('has defaults for every key and refuses unknown keys and bad priorities', () => {
    expect(journaldReceiverConfigSchema.parse({})).toEqual({
      files: [],
      units: [],
      identifiers: [],
      priority: 6,
      start_at: 'end',
      journalctl_path: 'journalctl',
    });
    expect(journaldReceiverConfigSchema.parse({ priority: 'warning' }).priority).toBe(4);
    expect(journaldReceiverConfigSchema.safeParse({ priority: 'loud' }).success).toBe(false);
    expect(journaldReceiverConfigSchema.safeParse({ unit: ['a'] }).success).toBe(false);
    expect(journaldReceiverConfigSchema.safeParse({ directory: '/x', files: ['/y'] }).success).toBe(false);
  });

  it('can be shut down before start, and started, stopped and started again', async () => {
    const d = dirs();
    writeJournal(d.journal, [entry({ MESSAGE: 'x' })]);
    const settings = { id: 'journald', logger: pino({ level: 'silent' }), metrics: new SelfMetrics({ processMetrics: false }) };
    const cfg = journaldReceiverConfigSchema.parse({ directory: d.dir, storage_directory: d.store });
    const r = journaldReceiverFactory.create(settings, cfg, { logs: { consume: async () => {} } });
    await r.shutdown();
    await r.shutdown();
    await r.start();
    await r.shutdown();
    await r.start();
    await r.shutdown();
    await r.shutdown();
  });
});
