import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogBatch } from '../../../src/model/batch.js';
import type { ComponentSettings } from '../../../src/pipeline/component.js';
import { syslogReceiverConfigSchema } from '../../../src/receivers/syslog/config.js';
import { syslogReceiverFactory } from '../../../src/receivers/syslog/factory.js';
import { SyslogReceiver } from '../../../src/receivers/syslog/syslog-receiver.js';
import { SelfMetrics } from '../../../src/telemetry/self-metrics.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { bodies, received, startSyslogService } from './syslog-harness.js';
import type { SyslogService } from './syslog-harness.js';

const BOTH = `
udp:
  listen_address: 127.0.0.1:UDP_PORT
tcp:
  listen_address: 127.0.0.1:TCP_PORT
`;

let running: SyslogService | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await running?.service.shutdown();
  running = undefined;
});

async function start(receiver = BOTH, pipeline = ''): Promise<SyslogService> {
  running = await startSyslogService(receiver, pipeline);
  return running;
}

function tcpClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
    cleanups.push(() => socket.destroy());
  });
}

/** Writes, half-closes and waits until the receiver has closed its side too. */
function sendAndClose(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    socket.on('close', () => resolve());
    socket.resume();
    socket.end(data);
  });
}

async function sendDatagrams(port: number, datagrams: readonly (string | Buffer)[]): Promise<void> {
  const socket = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  socket.close();
}

const counted = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

function settings(): ComponentSettings {
  return { id: 'syslog', logger: pino({ level: 'silent' }), metrics: new SelfMetrics({ processMetrics: false }) };
}

describe('syslog receiver config', () => {
  it('needs at least one transport and takes the collector keys', () => {
    expect(syslogReceiverConfigSchema.safeParse({}).success).toBe(false);
    const parsed = syslogReceiverConfigSchema.parse({ udp: null, tcp: { listen_address: '0.0.0.0:6514', max_log_size: '1MiB' } });
    expect(parsed).toEqual({
      protocol: 'auto',
      location: 'UTC',
      udp: { listen_address: { host: '127.0.0.1', port: 5514 }, max_log_size: 65_536 },
      tcp: { listen_address: { host: '0.0.0.0', port: 6514 }, max_log_size: 1_048_576 },
    });
  });

  it('rejects unknown keys, bad zones, bad sizes and unreadable certificates by path', () => {
    const issues = (c: unknown) => {
      const r = syslogReceiverConfigSchema.safeParse(c);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ udp: {}, enable_octet_counting: true }).join()).toMatch(/enable_octet_counting/);
    expect(issues({ udp: {}, location: 'Mars/Olympus' })[0]).toMatch(/^location: not an IANA time zone/);
    expect(issues({ tcp: { max_log_size: '12 parsecs' } })[0]).toMatch(/^tcp\.max_log_size: bad size/);
    expect(issues({ tcp: { max_log_size: 8 } })[0]).toMatch(/^tcp\.max_log_size: size 8 is out of range/);
    expect(issues({ tcp: { tls: { cert_file: '/nonexistent/c.pem', key_file: '/nonexistent/k.pem' } } })[0]).toMatch(/^tcp\.tls\.cert_file: cannot read file/);
    expect(issues({ udp: {}, protocol: 'rfc9999' })[0]).toMatch(/^protocol:/);
  });
});

describe('syslog receiver lifecycle', () => {
  const config = syslogReceiverConfigSchema.parse({ udp: { listen_address: '127.0.0.1:0' }, tcp: { listen_address: '127.0.0.1:0' } });
  const consumers = { logs: { consume: async () => {} } };

  it('is made by the factory as type syslog for logs', () => {
    expect(syslogReceiverFactory).toMatchObject({ kind: 'receiver', type: 'syslog', signals: ['logs'] });
  });

  it('can be shut down without being started, twice', async () => {
    const r = syslogReceiverFactory.create(settings(), config, consumers);
    await expect(r.shutdown()).resolves.toBeUndefined();
    await expect(r.shutdown()).resolves.toBeUndefined();
  });

  it('can be started, shut down and started again', async () => {
    const r = new SyslogReceiver(settings(), config, consumers);
    await r.start();
    expect(r.udpAddress?.port).toBeGreaterThan(0);
    expect(r.tcpAddress?.port).toBeGreaterThan(0);
    await r.shutdown();
    expect(r.tcpAddress).toBeUndefined();
    await r.start();
    await r.shutdown();
    await expect(r.shutdown()).resolves.toBeUndefined();
  });

  it('fails start-up naming the address when the TCP port is taken, and leaves UDP free again', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const udpPort = await freePort();
    const cfg = syslogReceiverConfigSchema.parse({ udp: { listen_address: `127.0.0.1:${udpPort}` }, tcp: { listen_address: `127.0.0.1:${port}` } });
    const r = new SyslogReceiver(settings(), cfg, consumers);
    await expect(r.start()).rejects.toThrow(`receiver syslog (tcp) cannot listen on 127.0.0.1:${port}: the address is already in use`);
    // The UDP socket that did bind was closed again: a second receiver can take it.
    const again = new SyslogReceiver(settings(), syslogReceiverConfigSchema.parse({ udp: { listen_address: `127.0.0.1:${udpPort}` } }), consumers);
    await again.start();
    await again.shutdown();
  });

  it('fails start-up naming the address when the UDP port is taken', async () => {
    const blocker = createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = blocker.address().port;
    const r = new SyslogReceiver(settings(), syslogReceiverConfigSchema.parse({ udp: { listen_address: `127.0.0.1:${port}` } }), consumers);
    await expect(r.start()).rejects.toThrow(`receiver syslog cannot listen on 127.0.0.1:${port} (udp): the address is already in use`);
  });

  it('hands on what a connection sent before shutdown, then closes it', async () => {
    const batches: LogBatch[] = [];
    const r = new SyslogReceiver(settings(), config, { logs: { consume: async (b: LogBatch) => void batches.push(b) } });
    await r.start();
    const client = await tcpClient(r.tcpAddress!.port);
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    client.resume();
    client.write(Array.from({ length: 500 }, (_, i) => `<13>1 - h app - - - m${i}\n`).join(''));
    // The client keeps its side open: the receiver's FIN is what ends the connection.
    await waitFor('the receiver to read', () => client.bytesWritten > 0 && client.writableLength === 0);
    await r.shutdown();
    await closed;
    const got = batches.flatMap((b) => b.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((l) => l.body))));
    expect(got.length).toBe(500);
    expect(got[499]).toEqual({ type: 'string', value: 'm499' });
  });
});

describe('syslog receiver over TCP', () => {
  it('tells the framing apart per frame on one connection, the peer and transport on every record', async () => {
    const h = await start();
    const client = await tcpClient(h.tcpPort);
    const localPort = client.localPort;
    await sendAndClose(
      client,
      [
        // RFC 5424's first example, its MSG starting with a BOM (EF BB BF on the wire, counted in LEN).
        counted("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{FEFF}'su root' failed for lonvick on /dev/pts/8"),
        '<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.\n',
        counted('<13>1 - host app - - [exampleSDID@32473 iut="3" eventSource="Application"] ends in space \n'),
        '<13>Oct 11 22:14:15 bsdhost tag: bsd message\r\n',
      ].join(''),
    );
    await waitFor('four records', () => h.capture.logCount() === 4);
    const rs = received(h);
    expect(rs.map((r) => r.body)).toEqual([
      "'su root' failed for lonvick on /dev/pts/8",
      "%% It's time to make the do-nuts.",
      'ends in space ',
      'bsd message',
    ]);
    expect(rs[0]!.resource).toEqual({ 'host.name': 'mymachine.example.com', 'service.name': 'su' });
    expect(rs[0]!.record.timeUnixNano).toBe(1065910455003000000n);
    expect(rs[0]!.attributes).toMatchObject({ 'syslog.msgid': 'ID47', 'syslog.facility': 4 });
    expect(rs[1]!.resource).toEqual({ 'host.name': '192.0.2.1', 'service.name': 'myproc' });
    expect(rs[1]!.record.timeUnixNano).toBe(1061727255000003000n);
    expect(rs[1]!.attributes).toMatchObject({ 'syslog.procid': '8710' });
    expect(rs[2]!.attributes).toMatchObject({ 'syslog.sd.exampleSDID@32473.iut': '3', 'syslog.sd.exampleSDID@32473.eventSource': 'Application' });
    expect(rs[3]!.resource).toEqual({ 'host.name': 'bsdhost', 'service.name': 'tag' });
    for (const r of rs) {
      expect(r.attributes).toMatchObject({ 'network.peer.address': '127.0.0.1', 'network.peer.port': localPort, 'network.transport': 'tcp' });
    }
  });

  it('skips oversized and broken frames without losing their neighbours, and counts them', async () => {
    const h = await start(`
tcp:
  listen_address: 127.0.0.1:TCP_PORT
  max_log_size: 100
`);
    const big = `<13>1 - h app - - - ${'x'.repeat(200)}`;
    const client = await tcpClient(h.tcpPort);
    await sendAndClose(
      client,
      [
        counted('<13>1 - h app - - - one'),
        counted(big),
        '<13>1 - h app - - - two\n',
        `${big}\n`,
        '<13>1 - h app - - - three\n',
        '12x <13>1 - h app - - - broken count\n',
        counted('<13>1 - h app - - - four'),
      ].join(''),
    );
    await waitFor('four records', () => h.capture.logCount() === 4);
    expect(bodies(h)).toEqual(['one', 'two', 'three', 'four']);
    expect(await h.metric('corrgate_receiver_bad_frames_total', { receiver: 'syslog', transport: 'tcp', reason: 'too_large' })).toBe(2);
    expect(await h.metric('corrgate_receiver_bad_frames_total', { receiver: 'syslog', transport: 'tcp', reason: 'bad_frame' })).toBe(1);
  });

  it('logs bad frames: one warning naming the peer and the count, then nothing more within the minute', async () => {
    const lines: { msg: string; reason?: string; peer?: string; frames?: number }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const r = new SyslogReceiver(
      { id: 'syslog', logger, metrics: new SelfMetrics({ processMetrics: false }) },
      syslogReceiverConfigSchema.parse({ tcp: { listen_address: '127.0.0.1:0', max_log_size: 100 } }),
      { logs: { consume: async () => {} } },
    );
    await r.start();
    cleanups.push(() => r.shutdown());
    const client = await tcpClient(r.tcpAddress!.port);
    await sendAndClose(client, ['12x <13>1 - h app - - - broken\n', '12y <13>1 - h app - - - broken\n', counted('<13>1 - h app - - - fine')].join(''));
    await waitFor('the warning', () => lines.length > 0);
    const warnings = lines.filter((l) => l.msg.startsWith('syslog frames'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: 'bad_frame', peer: '127.0.0.1', frames: 1 });
    expect(warnings[0]!.msg).toContain('malformed octet count');
  });

  it('keeps what it cannot parse, with the original text as body, and counts it', async () => {
    const h = await start(`
protocol: rfc5424
tcp:
  listen_address: 127.0.0.1:TCP_PORT
`);
    const client = await tcpClient(h.tcpPort);
    await sendAndClose(client, '<13>Oct 11 22:14:15 not 5424\n<13>1 - h app - - - fine\n');
    await waitFor('two records', () => h.capture.logCount() === 2);
    const [bad, good] = received(h);
    expect(bad!.body).toBe('<13>Oct 11 22:14:15 not 5424');
    expect(bad!.attributes['syslog.parse_error']).toEqual(expect.any(String));
    expect(bad!.attributes['log.record.original']).toBe('<13>Oct 11 22:14:15 not 5424');
    expect(good!.body).toBe('fine');
    expect(await h.metric('corrgate_receiver_parse_errors_total', { receiver: 'syslog' })).toBe(1);
  });

  it('pauses a sender while the pipeline is full, then takes every message exactly once', async () => {
    const h = await start(
      `
tcp:
  listen_address: 127.0.0.1:TCP_PORT
`,
      `      queue:
        size: 5
        retry_after: 50ms`,
    );
    h.capture.block();
    cleanups.push(() => h.capture.unblock());
    const total = 200_000;
    const client = await tcpClient(h.tcpPort);
    client.resume();
    // ~20 MB: far more than the loopback socket buffers hold, so a paused receiver stalls the writer.
    const pad = 'p'.repeat(60);
    const chunk = 10_000;
    for (let i = 0; i < total; i += chunk) {
      let text = '';
      for (let j = i; j < i + chunk; j++) text += `<14>1 - h app - - - ${j} ${pad}\n`;
      client.write(text);
    }
    await waitFor('the pipeline to refuse', async () => (await h.metric('corrgate_pipeline_refused_items_total')) > 0);
    // The receiver stops reading: what the client wrote stays queued on its side and stops moving.
    let last = -1;
    let still = 0;
    await waitFor('the sender to be held back', () => {
      const queued = client.writableLength;
      still = queued > 0 && queued === last ? still + 1 : 0;
      last = queued;
      return still >= 10;
    });
    expect(client.writableLength).toBeGreaterThan(0);
    expect(h.capture.logCount()).toBeLessThan(total);
    h.capture.unblock();
    await waitFor('every record', () => h.capture.logCount() >= total, 60_000);
    const seen = new Uint8Array(total);
    for (const body of bodies(h)) seen[Number(String(body).split(' ')[0])]! += 1;
    expect(seen.every((n) => n === 1)).toBe(true);
    expect(h.capture.logCount()).toBe(total);
    expect(await h.metric('corrgate_receiver_refused_log_records_total')).toBe(0);
    client.end();
  });
});

describe('syslog receiver over UDP', () => {
  it('takes one message per datagram and trims LF, CRLF and NUL trailers', async () => {
    const h = await start();
    await sendDatagrams(h.udpPort, ['<13>1 - h app - - - lf\n', '<13>1 - h app - - - crlf\r\n', '<13>1 - h app - - - nul\u0000', '<13>1 - h app - - - space ']);
    await waitFor('four records', () => h.capture.logCount() === 4);
    expect(new Set(bodies(h))).toEqual(new Set(['lf', 'crlf', 'nul', 'space ']));
    for (const r of received(h)) expect(r.attributes).toMatchObject({ 'network.transport': 'udp', 'network.peer.address': '127.0.0.1' });
  });

  it('drops and counts an oversized datagram, keeping the others', async () => {
    const h = await start(`
udp:
  listen_address: 127.0.0.1:UDP_PORT
  max_log_size: 64
`);
    await sendDatagrams(h.udpPort, ['<13>1 - h app - - - small', `<13>1 - h app - - - ${'y'.repeat(100)}`, '<13>1 - h app - - - after\n']);
    await waitFor('two records', () => h.capture.logCount() === 2);
    await waitFor('the bad frame counted', async () => (await h.metric('corrgate_receiver_bad_frames_total', { transport: 'udp', reason: 'too_large' })) === 1);
    expect(new Set(bodies(h))).toEqual(new Set(['small', 'after']));
  });
});
