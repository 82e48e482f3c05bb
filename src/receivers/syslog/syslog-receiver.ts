import type { Endpoint } from '../../config/endpoint.js';
import { formatEndpoint } from '../../config/endpoint.js';
import { loadServerTls } from '../../config/tls.js';
import type { Component, ComponentSettings, ReceiverConsumers } from '../../pipeline/component.js';
import { CorrgateError, ERR_STARTUP } from '../../pipeline/errors.js';
import type { SyslogReceiverConfig } from './config.js';
import { SyslogIngest } from './syslog-ingest.js';
import type { SyslogTransportLabel } from './syslog-ingest.js';
import { TcpListener } from './tcp-listener.js';
import { UdpListener } from './udp-listener.js';

/** Knobs for tests and benchmarks; the config file does not set them. */
export interface SyslogReceiverOptions {
  /** Records the emitter holds before TCP reading pauses and UDP datagrams are refused (default 10,000). */
  readonly highWaterMark?: number;
  /** How long shutdown lets TCP peers finish sending (default 2 s). */
  readonly closeGraceMs?: number;
}

interface Running {
  readonly udp?: { readonly listener: UdpListener; readonly ingest: SyslogIngest; readonly address: Endpoint };
  readonly tcp?: { readonly listener: TcpListener; readonly ingest: SyslogIngest; readonly address: Endpoint };
}

/**
 * The `syslog` receiver: UDP (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425) listeners feeding one
 * parse-and-map path per transport. Each transport has its own emitter so that a saturated pipeline
 * pauses TCP connections and refuses datagrams independently, and metrics carry the transport.
 */
export class SyslogReceiver implements Component {
  private running: Running | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: SyslogReceiverConfig,
    private readonly consumers: ReceiverConsumers,
    private readonly options: SyslogReceiverOptions = {},
  ) {}

  /** Bound addresses while running (the real ports when the config says port 0). */
  get udpAddress(): Endpoint | undefined {
    return this.running?.udp?.address;
  }

  get tcpAddress(): Endpoint | undefined {
    return this.running?.tcp?.address;
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.starting ??= this.listen().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async listen(): Promise<void> {
    const { id, logger, metrics } = this.settings;
    const consumer = this.consumers.logs;
    if (!consumer) throw new CorrgateError(ERR_STARTUP, `receiver ${id} is in no logs pipeline`);
    const { udp, tcp } = this.config;
    let tls;
    try {
      // Certificates are read before anything listens, so an unreadable key fails start-up cleanly.
      tls = tcp?.tls ? loadServerTls(tcp.tls) : undefined;
    } catch (err) {
      throw new CorrgateError(ERR_STARTUP, `receiver ${id}: tcp.${(err as Error).message}`, { cause: err });
    }
    const ingest = (transport: SyslogTransportLabel) =>
      new SyslogIngest({
        receiverId: id,
        transport,
        protocol: this.config.protocol,
        timeZone: this.config.location,
        consumer,
        metrics,
        logger,
        ...(this.options.highWaterMark !== undefined ? { highWaterMark: this.options.highWaterMark } : {}),
      });
    const what = `receiver ${id}`;
    const running: { udp?: Running['udp']; tcp?: Running['tcp'] } = {};
    try {
      if (udp) {
        const udpIngest = ingest('udp');
        const listener = new UdpListener({ endpoint: udp.listen_address, maxMessageBytes: udp.max_log_size, ingest: udpIngest, what });
        running.udp = { listener, ingest: udpIngest, address: await listener.start() };
        logger.info({ endpoint: formatEndpoint(running.udp.address), transport: 'udp' }, 'syslog receiver listening');
      }
      if (tcp) {
        const transport = tls ? 'tls' : 'tcp';
        const tcpIngest = ingest(transport);
        const handshakeFailures = metrics.receiverFailedRequests.labels(id, transport, 'tls_handshake');
        const listener = new TcpListener({
          endpoint: tcp.listen_address,
          maxMessageBytes: tcp.max_log_size,
          ingest: tcpIngest,
          ...(tls ? { tls } : {}),
          what,
          logger,
          onHandshakeFailure: () => handshakeFailures.inc(),
          ...(this.options.closeGraceMs !== undefined ? { closeGraceMs: this.options.closeGraceMs } : {}),
        });
        running.tcp = { listener, ingest: tcpIngest, address: await listener.start() };
        logger.info({ endpoint: formatEndpoint(running.tcp.address), transport, mtls: Boolean(tls?.clientCa) }, 'syslog receiver listening');
      }
    } catch (err) {
      // One transport failed: what did start is stopped again, so a retry can bind the same ports.
      await stop(running);
      if (err instanceof CorrgateError) throw err;
      throw new CorrgateError(ERR_STARTUP, (err as Error).message, { cause: err });
    }
    this.running = running;
  }

  /** Stops listening, lets TCP peers finish (up to the grace period), then hands on what is held. */
  async shutdown(): Promise<void> {
    if (this.starting) await this.starting.catch(() => {});
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    await stop(running);
  }
}

async function stop(running: Running): Promise<void> {
  await Promise.all([running.udp?.listener.close(), running.tcp?.listener.close()]);
  await Promise.all([running.udp?.ingest.close(), running.tcp?.ingest.close()]);
}
