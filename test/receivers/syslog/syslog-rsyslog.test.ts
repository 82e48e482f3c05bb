import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '../../../src/model/log-record.js';
import { makeTestPki } from '../../helpers/certs.js';
import type { TestPki } from '../../helpers/certs.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { logger, received, startSyslogService } from './syslog-harness.js';
import type { Received, SyslogService } from './syslog-harness.js';

// rsyslog as a relay in front of corrgate, the way most Linux fleets forward: logger -> rsyslog
// (imtcp) -> omfwd -> corrgate, in plain TCP with octet counting and in TLS (gtls driver).

interface Rsyslog {
  readonly inputPort: number;
  stop(): Promise<void>;
}

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(receiver: string): Promise<SyslogService> {
  const h = await startSyslogService(receiver);
  cleanups.push(() => h.service.shutdown());
  return h;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** rsyslogd in the foreground with its own config, work directory and pid file; `global` and `action` are RainerScript. */
async function startRsyslog(global: string, action: string): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'corrgate-rsyslog-'));
  const inputPort = await freePort();
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    `global(workDirectory="${dir}" ${global})
module(load="imtcp")
input(type="imtcp" port="${inputPort}" address="127.0.0.1")
if $app-name == "rsyslogd" then stop
${action}
`,
  );
  const child: ChildProcess = spawn('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  await waitFor(`rsyslogd to listen (output so far: ${output})`, async () => {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${output}`);
    return canConnect(inputPort);
  });
  return { inputPort, stop };
}

const fromApp = (h: SyslogService, app: string): Received[] => received(h).filter((r) => r.resource['service.name'] === app);

describe('syslog receiver behind rsyslog omfwd', () => {
  it('takes octet-counted frames (count including the LF) in RFC 5424, structured data intact', async () => {
    const h = await start('tcp:\n  listen_address: 127.0.0.1:TCP_PORT');
    const rs = await startRsyslog(
      '',
      `action(type="omfwd" target="127.0.0.1" port="${h.tcpPort}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
    );
    for (const [i, prio] of ['local0.err', 'local0.warning', 'local0.info'].entries()) {
      await logger(['-n', '127.0.0.1', '-P', String(rs.inputPort), '-T', '--rfc5424', '--sd-id', 'ship@32473', '--sd-param', `seq="${i}"`, '--msgid', 'DEPLOY', '-t', 'relayed', '-p', prio, `message ${i} `]);
    }
    await waitFor('three records', () => fromApp(h, 'relayed').length === 3);
    const got = fromApp(h, 'relayed');
    // rsyslog forwards the MSG as received (trailing space included); the framing LF is not part of it.
    expect(got.map((r) => r.body)).toEqual(['message 0 ', 'message 1 ', 'message 2 ']);
    expect(got.map((r) => r.record.severityNumber)).toEqual([SeverityNumber.Error, SeverityNumber.Warn, SeverityNumber.Info]);
    for (const [i, r] of got.entries()) {
      expect(r.resource).toEqual({ 'host.name': hostname(), 'service.name': 'relayed' });
      expect(r.attributes).toMatchObject({
        'syslog.format': 'rfc5424',
        'syslog.facility': 16,
        'syslog.msgid': 'DEPLOY',
        [`syslog.sd.ship@32473.seq`]: String(i),
        'network.transport': 'tcp',
        'network.peer.address': '127.0.0.1',
      });
    }
    expect(await h.metric('corrgate_receiver_bad_frames_total')).toBe(0);
    expect(await h.metric('corrgate_receiver_parse_errors_total')).toBe(0);
  });

  it('takes LF-framed frames in rsyslog\'s traditional forward format (RFC 3164 layout)', async () => {
    const h = await start('tcp:\n  listen_address: 127.0.0.1:TCP_PORT');
    const rs = await startRsyslog('', `action(type="omfwd" target="127.0.0.1" port="${h.tcpPort}" protocol="tcp" template="RSYSLOG_ForwardFormat")`);
    await logger(['-n', '127.0.0.1', '-P', String(rs.inputPort), '-T', '--rfc3164', '-t', 'legacy', '-p', 'mail.crit', 'queue is stuck']);
    await waitFor('one record', () => fromApp(h, 'legacy').length === 1);
    const [r] = fromApp(h, 'legacy');
    expect(r!.body).toBe('queue is stuck');
    expect(r!.record.severityNumber).toBe(SeverityNumber.Error2);
    expect(r!.attributes).toMatchObject({ 'syslog.facility': 2, 'network.transport': 'tcp' });
    expect(r!.record.timeUnixNano).toBeGreaterThan(0n);
  });

  it('forwards over TLS (gtls, x509/name) to a receiver that requires client certificates', async () => {
    const h = await start(`
tcp:
  listen_address: 127.0.0.1:TCP_PORT
  tls:
    cert_file: ${pki.serverCert}
    key_file: ${pki.serverKey}
    client_ca_file: ${pki.caCert}
`);
    const rs = await startRsyslog(
      `DefaultNetstreamDriverCAFile="${pki.caCert}" DefaultNetstreamDriverCertFile="${pki.clientCert}" DefaultNetstreamDriverKeyFile="${pki.clientKey}"`,
      `action(type="omfwd" target="127.0.0.1" port="${h.tcpPort}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"
        StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost")`,
    );
    await logger(['-n', '127.0.0.1', '-P', String(rs.inputPort), '-T', '--rfc5424', '-t', 'secure', '-p', 'auth.alert', 'over tls']);
    await waitFor('one record', () => fromApp(h, 'secure').length === 1);
    const [r] = fromApp(h, 'secure');
    expect(r!.body).toBe('over tls');
    expect(r!.record.severityNumber).toBe(SeverityNumber.Error3);
    expect(r!.resource).toEqual({ 'host.name': hostname(), 'service.name': 'secure' });
    expect(r!.attributes).toMatchObject({ 'syslog.facility': 4, 'network.transport': 'tcp', 'network.peer.address': '127.0.0.1' });
    expect(await h.metric('corrgate_receiver_accepted_log_records_total', { transport: 'tls' })).toBeGreaterThanOrEqual(1);
    expect(await h.metric('corrgate_receiver_failed_requests_total', { reason: 'tls_handshake' })).toBe(0);
  });
});
