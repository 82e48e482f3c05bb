import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { str } from '../../../src/model/attributes.js';
import type { LogBatch } from '../../../src/model/batch.js';
import type { LogsConsumer } from '../../../src/pipeline/consumer.js';
import { snmptrapReceiverConfigSchema } from '../../../src/receivers/snmptrap/config.js';
import { snmptrapReceiverFactory } from '../../../src/receivers/snmptrap/factory.js';
import { SnmptrapReceiver } from '../../../src/receivers/snmptrap/snmptrap-receiver.js';
import type { SnmptrapReceiverOptions } from '../../../src/receivers/snmptrap/snmptrap-receiver.js';
import { SelfMetrics } from '../../../src/telemetry/self-metrics.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { runTool } from './snmp-tools.js';

// The receiver on its own, fed to a consumer the test controls: lifecycle, bind failures,
// saturation (datagrams dropped unread, informs left unacknowledged) and the refusal log limit.

class ControlledConsumer implements LogsConsumer {
  readonly batches: LogBatch[] = [];
  /** Batches offered, taken or not yet. */
  calls = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  block(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  unblock(): void {
    this.open?.();
    this.gate = undefined;
  }

  async consume(batch: LogBatch): Promise<void> {
    this.calls++;
    if (this.gate) await this.gate;
    this.batches.push(batch);
  }

  records() {
    return this.batches.flatMap((b) => b.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function makeReceiver(config: Record<string, unknown>, options: SnmptrapReceiverOptions = {}, logLines?: Record<string, unknown>[]) {
  const metrics = new SelfMetrics({ processMetrics: false });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logLines?.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const consumer = new ControlledConsumer();
  const receiver = new SnmptrapReceiver({ id: 'snmptrap/test', logger, metrics }, snmptrapReceiverConfigSchema.parse(config), { logs: consumer }, options);
  cleanups.push(async () => {
    consumer.unblock();
    await receiver.shutdown();
  });
  const metric = async (name: string, labels: Record<string, string>) => {
    const m = metrics.registry.getSingleMetric(name);
    const values = m ? (await m.get()).values : [];
    return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((n, v) => n + v.value, 0);
  };
  return { receiver, consumer, metrics, metric };
}

describe('snmptrap receiver lifecycle', () => {
  it('has a default config: 127.0.0.1:9162, community public, no users, no extra MIBs', () => {
    expect(snmptrapReceiverConfigSchema.parse({})).toEqual({
      listen_address: { host: '127.0.0.1', port: 9162 },
      communities: ['public'],
      users: [],
      mib_dirs: [],
    });
    expect(snmptrapReceiverFactory).toMatchObject({ kind: 'receiver', type: 'snmptrap', signals: ['logs'] });
  });

  it('rejects configs that cannot work, naming the key', () => {
    const bad = [
      { listen_address: 'nowhere' },
      { users: [{ name: 'a', auth_protocol: 'sha', auth_key: 'short' }] },
      { users: [{ name: 'a', auth_protocol: 'sha', auth_key: 'longenough', priv_protocol: 'aes' }] },
      { users: [{ name: 'a', auth_protocol: 'sha1', auth_key: 'longenough' }] },
      { users: [{ name: 'a', auth_protocol: 'sha', auth_key: 'longenough' }, { name: 'a', auth_protocol: 'md5', auth_key: 'longenough' }] },
      { engine_id: 'xyz' },
      { community: ['public'] },
    ];
    for (const config of bad) expect(snmptrapReceiverConfigSchema.safeParse(config).success, JSON.stringify(config)).toBe(false);
    expect(snmptrapReceiverConfigSchema.parse({ engine_id: '0x80001F8880AABBCCDD' }).engine_id).toBe('80001f8880aabbccdd');
  });

  it('shuts down before start, twice; starts, stops and starts again on the same port', async () => {
    const port = await freePort();
    const { receiver, consumer } = makeReceiver({ listen_address: `127.0.0.1:${port}` });
    await receiver.shutdown();
    await receiver.shutdown();
    for (const round of [1, 2]) {
      await receiver.start();
      expect(receiver.address).toEqual({ host: '127.0.0.1', port });
      const sent = await runTool('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${port}`, String(round), '1.3.6.1.6.3.1.1.5.1']);
      expect(sent.code, sent.stderr).toBe(0);
      await waitFor(`trap ${round}`, () => consumer.records().length === round);
      await receiver.shutdown();
    }
    expect(consumer.records().map((r) => r.body)).toEqual([str('coldStart from 127.0.0.1'), str('coldStart from 127.0.0.1')]);
    expect(receiver.address).toBeUndefined();
    await receiver.shutdown();
  });

  it('binds the configured port as is, including port 0', async () => {
    const { receiver } = makeReceiver({ listen_address: '127.0.0.1:0' });
    await receiver.start();
    expect(receiver.address?.host).toBe('127.0.0.1');
    expect(receiver.address?.port).toBeGreaterThan(0);
  });

  it('rejects start with a message naming the address when the port is taken', async () => {
    const port = await freePort();
    const holder: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const { receiver } = makeReceiver({ listen_address: `127.0.0.1:${port}` });
    await expect(receiver.start()).rejects.toThrow(`receiver snmptrap/test cannot listen on 127.0.0.1:${port} (udp): the address is already in use`);
    await receiver.shutdown();
  });

  it('rejects start naming a MIB directory that does not exist', async () => {
    const { receiver } = makeReceiver({ listen_address: '127.0.0.1:0', mib_dirs: ['/nonexistent/mibs'] });
    await expect(receiver.start()).rejects.toThrow('cannot read MIB directory /nonexistent/mibs');
  });

  it('drops datagrams unread while saturated, so an inform is not acknowledged, and takes them again after', async () => {
    const port = await freePort();
    const { receiver, consumer, metric } = makeReceiver({ listen_address: `127.0.0.1:${port}` }, { highWaterMark: 1 });
    await receiver.start();
    consumer.block();
    const first = await runTool('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '1', '1.3.6.1.6.3.1.1.5.1']);
    expect(first.code, first.stderr).toBe(0);
    // Offered but not taken, the record saturates the emitter (high-water mark 1): the inform is
    // dropped unread and so left unanswered.
    await waitFor('the first trap to be offered', () => consumer.calls === 1);
    const unanswered = await runTool('snmpinform', ['-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '2', '1.3.6.1.6.3.1.1.5.2']);
    expect(unanswered.code).not.toBe(0);
    expect(await metric('corrgate_receiver_refused_log_records_total', { receiver: 'snmptrap/test', transport: 'udp' })).toBe(1);
    consumer.unblock();
    await waitFor('the first trap to be taken', () => consumer.records().length === 1);
    const answered = await runTool('snmpinform', ['-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '3', '1.3.6.1.6.3.1.1.5.2']);
    expect(answered.code, answered.stderr).toBe(0);
    await waitFor('the inform to be taken', () => consumer.records().length === 2);
    expect(consumer.records().map((r) => r.body)).toEqual([str('coldStart from 127.0.0.1'), str('warmStart from 127.0.0.1')]);
    expect(await metric('corrgate_receiver_accepted_log_records_total', { receiver: 'snmptrap/test', transport: 'udp' })).toBe(2);
  });

  it('drains on shutdown: a record the pipeline has not taken yet is handed on before shutdown resolves', async () => {
    const port = await freePort();
    const { receiver, consumer } = makeReceiver({ listen_address: `127.0.0.1:${port}` });
    await receiver.start();
    consumer.block();
    const sent = await runTool('snmptrap', ['-v', '1', '-c', 'public', `127.0.0.1:${port}`, '1.3.6.1.4.1.9', '10.9.9.9', '6', '42', '7']);
    expect(sent.code, sent.stderr).toBe(0);
    await waitFor('the trap to be offered', () => consumer.calls === 1);
    const stopping = receiver.shutdown();
    consumer.unblock();
    await stopping;
    expect(consumer.records().map((r) => r.body)).toEqual([str('1.3.6.1.4.1.9.0.42 from 10.9.9.9')]);
    // The socket is closed: the port can be bound again.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('logs refusals at most once per source address per minute, without the community', async () => {
    const port = await freePort();
    let now = 1_000_000;
    const lines: Record<string, unknown>[] = [];
    const { receiver, metric } = makeReceiver({ listen_address: `127.0.0.1:${port}` }, { now: () => now }, lines);
    await receiver.start();
    const refusedCount = () => metric('corrgate_receiver_refused_traps_total', { receiver: 'snmptrap/test', reason: 'unknown_community' });
    const sendBad = async (n: number) => {
      const sent = await runTool('snmptrap', ['-v', '2c', '-c', 'sekrit-community', `127.0.0.1:${port}`, '1', '1.3.6.1.6.3.1.1.5.1']);
      expect(sent.code).toBe(0);
      await waitFor(`refusal ${n} to be counted`, async () => (await refusedCount()) === n);
    };
    const refusals = () => lines.filter((l) => l.msg === 'refused an SNMP packet');
    await sendBad(1);
    await sendBad(2);
    await sendBad(3);
    expect(refusals()).toEqual([expect.objectContaining({ level: 40, peer: '127.0.0.1', reason: 'unknown_community', suppressed: 0 })]);
    now += 59_999;
    await sendBad(4);
    expect(refusals()).toHaveLength(1);
    now += 1;
    await sendBad(5);
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]).toEqual(expect.objectContaining({ peer: '127.0.0.1', reason: 'unknown_community', suppressed: 3 }));
    expect(JSON.stringify(lines)).not.toContain('sekrit');
  });
});
