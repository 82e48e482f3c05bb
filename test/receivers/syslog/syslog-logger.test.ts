import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeverityNumber } from '../../../src/model/log-record.js';
import { waitFor } from '../../helpers/net.js';
import { bodies, logger, received, startSyslogService } from './syslog-harness.js';
import type { SyslogService } from './syslog-harness.js';

// util-linux logger(1) as the sender, over UDP and TCP in both framings: what a Linux host's
// scripts and many appliances send.

const BOTH = `
udp:
  listen_address: 127.0.0.1:UDP_PORT
tcp:
  listen_address: 127.0.0.1:TCP_PORT
`;

let running: SyslogService | undefined;
afterEach(async () => {
  await running?.service.shutdown();
  running = undefined;
});

async function start(receiver = BOTH): Promise<SyslogService> {
  running = await startSyslogService(receiver);
  return running;
}

const host = hostname();

describe('syslog receiver with logger(1)', () => {
  it('takes RFC 5424 with structured data over UDP, field by field', async () => {
    const h = await start();
    const before = Date.now();
    await logger([
      '--server', '127.0.0.1', '--port', String(h.udpPort), '--udp', '--rfc5424',
      '--sd-id', 'foo@32473', '--sd-param', 'bar="baz"', '--msgid', 'ID47', '--id=4242',
      '-t', 'app', '-p', 'local0.err', 'disk is almost full',
    ]);
    await waitFor('one record', () => h.capture.logCount() === 1);
    const [r] = received(h);
    expect(r!.resource).toEqual({ 'host.name': host, 'service.name': 'app' });
    expect(r!.body).toBe('disk is almost full');
    expect(r!.record.severityNumber).toBe(SeverityNumber.Error);
    expect(r!.record.severityText).toBe('err');
    expect(r!.attributes).toMatchObject({
      'syslog.format': 'rfc5424',
      'syslog.facility': 16,
      'syslog.version': 1,
      'syslog.procid': '4242',
      'syslog.msgid': 'ID47',
      'syslog.sd.foo@32473.bar': 'baz',
      'syslog.sd.timeQuality.tzKnown': '1',
      'network.peer.address': '127.0.0.1',
      'network.transport': 'udp',
    });
    expect(r!.attributes['network.peer.port']).toEqual(expect.any(Number));
    // logger stamps microseconds: the event time is the sender's clock, not the receive time.
    const eventMs = Number(r!.record.timeUnixNano / 1_000_000n);
    expect(eventMs).toBeGreaterThanOrEqual(before - 1000);
    expect(r!.record.timeUnixNano % 1000n).toBe(0n);
    expect(r!.record.observedTimeUnixNano).toBeGreaterThan(0n);
    expect(await h.metric('corrgate_receiver_accepted_log_records_total', { receiver: 'syslog', transport: 'udp' })).toBe(1);
  });

  it('takes RFC 3164 over UDP', async () => {
    const h = await start();
    await logger(['-n', '127.0.0.1', '-P', String(h.udpPort), '-d', '--rfc3164', '-t', 'cron', '-p', 'daemon.warning', 'job took too long']);
    await waitFor('one record', () => h.capture.logCount() === 1);
    const [r] = received(h);
    expect(r!.resource).toEqual({ 'host.name': host, 'service.name': 'cron' });
    expect(r!.body).toBe('job took too long');
    expect(r!.record.severityNumber).toBe(SeverityNumber.Warn);
    expect(r!.attributes).toMatchObject({ 'syslog.format': 'rfc3164', 'syslog.facility': 3, 'network.transport': 'udp', 'network.peer.address': '127.0.0.1' });
    expect(r!.record.timeUnixNano).toBeGreaterThan(0n);
  });

  it('takes LF-framed messages over TCP, several on one connection', async () => {
    const h = await start();
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-syslog-'));
    writeFileSync(join(dir, 'lines'), 'first line\nsecond line\nthird line \n');
    await logger(['-n', '127.0.0.1', '-P', String(h.tcpPort), '-T', '--rfc5424', '-t', 'batch', '-p', 'user.notice', '-f', join(dir, 'lines')]);
    await waitFor('three records', () => h.capture.logCount() === 3);
    const rs = received(h);
    expect(rs.map((r) => r.body)).toEqual(['first line', 'second line', 'third line ']);
    for (const r of rs) {
      expect(r.resource).toEqual({ 'host.name': host, 'service.name': 'batch' });
      expect(r.record.severityNumber).toBe(SeverityNumber.Info2);
      expect(r.attributes).toMatchObject({ 'syslog.facility': 1, 'network.transport': 'tcp', 'network.peer.address': '127.0.0.1' });
    }
    // One connection: every record has the same peer port.
    expect(new Set(rs.map((r) => r.attributes['network.peer.port'])).size).toBe(1);
    expect(await h.metric('corrgate_receiver_accepted_log_records_total', { transport: 'tcp' })).toBe(3);
  });

  it('takes octet-counted messages over TCP (--octet-count), a trailing space kept', async () => {
    const h = await start();
    const dir = mkdtempSync(join(tmpdir(), 'corrgate-syslog-'));
    writeFileSync(join(dir, 'lines'), 'counted one\ncounted two \n');
    await logger(['-n', '127.0.0.1', '-P', String(h.tcpPort), '-T', '--octet-count', '--rfc5424', '-t', 'oc', '-p', 'local7.debug', '-f', join(dir, 'lines')]);
    await waitFor('two records', () => h.capture.logCount() === 2);
    expect(bodies(h)).toEqual(['counted one', 'counted two ']);
    for (const r of received(h)) {
      expect(r.record.severityNumber).toBe(SeverityNumber.Debug);
      expect(r.attributes).toMatchObject({ 'syslog.facility': 23, 'syslog.format': 'rfc5424', 'network.transport': 'tcp' });
      expect(r.resource).toEqual({ 'host.name': host, 'service.name': 'oc' });
    }
    expect(await h.metric('corrgate_receiver_bad_frames_total')).toBe(0);
  });

  it('takes RFC 3164 over TCP, with a fixed protocol and a time zone for the BSD timestamp', async () => {
    const h = await start(`
protocol: rfc3164
location: Asia/Kolkata
tcp:
  listen_address: 127.0.0.1:TCP_PORT
`);
    await logger(['-n', '127.0.0.1', '-P', String(h.tcpPort), '-T', '--rfc3164', '-t', 'sshd', '-p', 'auth.info', 'accepted key']);
    await waitFor('one record', () => h.capture.logCount() === 1);
    const [r] = received(h);
    expect(r!.body).toBe('accepted key');
    expect(r!.resource).toEqual({ 'host.name': host, 'service.name': 'sshd' });
    expect(r!.attributes).toMatchObject({ 'syslog.format': 'rfc3164', 'syslog.facility': 4, 'network.transport': 'tcp' });
    // logger writes its local (UTC) wall clock without a zone; read as India time it is 5:30 earlier.
    const skewMs = Number(r!.record.observedTimeUnixNano - r!.record.timeUnixNano) / 1e6;
    expect(Math.round(skewMs / 60_000)).toBe(330);
  });
});
