import { spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../helpers/certs.js';
import type { TestPki } from '../../helpers/certs.js';
import { waitFor } from '../../helpers/net.js';
import { bodies, received, startSyslogService } from './syslog-harness.js';
import type { SyslogService } from './syslog-harness.js';

// RFC 5425 with `openssl s_client` as the peer: it writes whatever framing it is given on stdin.

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

let running: SyslogService | undefined;
afterEach(async () => {
  await running?.service.shutdown();
  running = undefined;
});

interface ClientResult {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs s_client, writes `input` and closes stdin; s_client closes the connection on EOF (-no_ign_eof). */
function sClient(port: number, input: string, extra: readonly string[] = []): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-quiet', '-no_ign_eof', '-CAfile', pki.caCert, '-verify_return_error', ...extra],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

const counted = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

async function start(mtls: boolean): Promise<SyslogService> {
  running = await startSyslogService(`
tcp:
  listen_address: 127.0.0.1:TCP_PORT
  tls:
    cert_file: ${pki.serverCert}
    key_file: ${pki.serverKey}
${mtls ? `    client_ca_file: ${pki.caCert}` : ''}
`);
  return running;
}

describe('syslog receiver over TLS (RFC 5425)', () => {
  it('takes octet-counted frames, as RFC 5425 requires, and LF-ended ones', async () => {
    const h = await start(false);
    const input = [
      counted('<165>1 2024-05-01T10:00:00.000Z router1 bgpd 77 PEER [origin ip="192.0.2.7"] neighbor 192.0.2.9 down'),
      counted('<14>1 - router1 bgpd - - - with lf\n'),
      '<12>1 - router1 ntpd - - - lf framed\n',
    ].join('');
    const result = await sClient(h.tcpPort, input);
    expect(result.code, result.stderr).toBe(0);
    await waitFor('three records', () => h.capture.logCount() === 3);
    const rs = received(h);
    expect(rs.map((r) => r.body)).toEqual(['neighbor 192.0.2.9 down', 'with lf', 'lf framed']);
    expect(rs[0]!.resource).toEqual({ 'host.name': 'router1', 'service.name': 'bgpd' });
    expect(rs[0]!.record.timeUnixNano).toBe(1714557600000000000n);
    expect(rs[0]!.record.severityText).toBe('notice');
    expect(rs[0]!.attributes).toMatchObject({
      'syslog.facility': 20,
      'syslog.procid': '77',
      'syslog.msgid': 'PEER',
      'syslog.sd.origin.ip': '192.0.2.7',
      'network.transport': 'tcp',
      'network.peer.address': '127.0.0.1',
    });
    expect(rs[2]!.resource).toEqual({ 'host.name': 'router1', 'service.name': 'ntpd' });
    expect(await h.metric('corrgate_receiver_accepted_log_records_total', { receiver: 'syslog', transport: 'tls' })).toBe(3);
  });

  it('with client_ca_file, takes a client with a certificate the CA signed and refuses one without', async () => {
    const h = await start(true);
    // Under TLS 1.3 the client learns of the refusal only after it has written, so the proof is on
    // the server side: the handshake failure is counted and the message never arrives.
    await sClient(h.tcpPort, counted('<13>1 - anon app - - - must not arrive'));
    await waitFor('the failed handshake counted', async () => (await h.metric('corrgate_receiver_failed_requests_total', { transport: 'tls', reason: 'tls_handshake' })) === 1);

    const ok = await sClient(h.tcpPort, counted('<13>1 - trusted app - - - with a certificate'), ['-cert', pki.clientCert, '-key', pki.clientKey]);
    expect(ok.code, ok.stderr).toBe(0);
    await waitFor('one record', () => h.capture.logCount() === 1);
    // The refused client's message never arrived; the trusted one, sent after it, did.
    expect(bodies(h)).toEqual(['with a certificate']);
    expect(received(h)[0]!.resource).toEqual({ 'host.name': 'trusted', 'service.name': 'app' });
  });

  it('refuses a plain-TCP sender on the TLS port without taking anything', async () => {
    const h = await start(false);
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: h.tcpPort });
    await new Promise<void>((resolve) => {
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.on('connect', () => socket.write('<13>1 - plain app - - - not tls\n'));
      socket.resume();
    });
    await waitFor('the failed handshake counted', async () => (await h.metric('corrgate_receiver_failed_requests_total', { reason: 'tls_handshake' })) === 1);
    expect(h.capture.logCount()).toBe(0);
  });
});
