import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attributesToPlain } from '../../../src/model/attributes.js';
import type { Attributes } from '../../../src/model/attributes.js';
import { filelogReceiverFactory } from '../../../src/receivers/filelog/factory.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';

// The files the filelog receiver is for, written by the real thing: rsyslogd (unprivileged, in a
// temporary directory) receives syslog over UDP and writes one file per sending host, in its
// default traditional file format; `logger` and a raw datagram are the devices.

let rsyslogd: ChildProcess | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.service.shutdown();
  harness = undefined;
  if (rsyslogd && rsyslogd.exitCode === null) {
    const exited = new Promise((r) => rsyslogd!.once('exit', r));
    rsyslogd.kill('SIGTERM');
    await exited;
  }
  rsyslogd = undefined;
});

function sendUdp(port: number, text: string): Promise<void> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) =>
    socket.send(text, port, '127.0.0.1', (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

describe('filelog receiver on files rsyslog writes per device', () => {
  it('reads each device file as syslog, with the host, program and file of every line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-rsyslog-'));
    const devices = join(dir, 'devices');
    const port = await freePort();
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      [
        `global(workDirectory="${dir}")`,
        'module(load="imudp")',
        `input(type="imudp" address="127.0.0.1" port="${port}")`,
        `template(name="perhost" type="string" string="${devices}/%HOSTNAME%.log")`,
        'action(type="omfile" dynaFile="perhost" template="RSYSLOG_TraditionalFileFormat" createDirs="on")',
        '',
      ].join('\n'),
    );
    rsyslogd = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
    // rsyslogd has no readiness signal here: a probe is sent until it shows up in a file.
    await waitFor('rsyslogd writing files', async () => {
      await sendUdp(port, '<14>Nov 25 05:00:00 probe probe: ready');
      await new Promise((r) => setTimeout(r, 100));
      return existsSync(devices) && readdirSync(devices).length > 0;
    });

    harness = await startService(
      `
receivers:
  filelog:
    include: [${devices}/*.log]
    exclude: [${devices}/probe.log]
    start_at: beginning
    format: syslog
    poll_interval: 50ms
    storage_directory: ${join(dir, 'store')}
exporters:
  capture:
service:
  pipelines:
    logs:
      receivers: [filelog]
      exporters: [capture]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`,
      [filelogReceiverFactory],
    );
    const logger = spawnSync('logger', ['-n', '127.0.0.1', '-P', String(port), '-d', '--rfc3164', '-t', 'sshd', 'Accepted publickey for ops'], { encoding: 'utf8' });
    expect(logger.status, logger.stderr).toBe(0);
    await sendUdp(port, '<187>Nov 25 05:21:01 edge-7 ifmgr[77]: Interface ge-0/0/1 down');

    const h = harness;
    await waitFor('both lines', () => h.capture.logCount() >= 2);
    const got = h.capture.logs.flatMap((b) =>
      b.resourceLogs.flatMap((rl) =>
        rl.scopeLogs.flatMap((sl) =>
          sl.logRecords.map((r) => ({
            resource: attributesToPlain(rl.resource.attributes),
            attributes: attributesToPlain(r.attributes as Attributes),
            body: r.body.type === 'string' ? r.body.value : '',
          })),
        ),
      ),
    );
    const local = hostname().split('.')[0]!;
    expect(got).toHaveLength(2);
    expect(got).toContainEqual({
      resource: expect.objectContaining({ 'host.name': local, 'service.name': 'sshd' }),
      attributes: expect.objectContaining({ 'log.file.name': `${local}.log`, 'log.file.path': join(devices, `${local}.log`) }),
      body: 'Accepted publickey for ops',
    });
    expect(got).toContainEqual({
      resource: expect.objectContaining({ 'host.name': 'edge-7', 'service.name': 'ifmgr' }),
      attributes: expect.objectContaining({ 'log.file.name': 'edge-7.log' }),
      body: 'Interface ge-0/0/1 down',
    });
    expect(await h.metric('corrgate_receiver_parse_errors_total', { receiver: 'filelog' })).toBe(0);
  });
});
