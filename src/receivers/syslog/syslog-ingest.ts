import type { Logger } from 'pino';
import { syslogToLogRecord } from '../../bridge/syslog-mapping.js';
import { millisToNanos } from '../../model/time.js';
import type { UnixNanos } from '../../model/time.js';
import type { LogsConsumer } from '../../pipeline/consumer.js';
import type { SelfMetrics } from '../../telemetry/self-metrics.js';
import { parseSyslog } from '../../wire/syslog/parse-syslog.js';
import type { SyslogFormat, SyslogParseOptions } from '../../wire/syslog/syslog-message.js';
import type { BadFrameReason } from '../../wire/syslog/tcp-framing.js';
import { LogEmitter } from '../log-emitter.js';

const SCOPE = Object.freeze({ name: 'corrgate/receiver/syslog', version: '', attributes: Object.freeze([]), droppedAttributesCount: 0 });

/**
 * Where messages came from: one per connection (TCP, TLS) or per datagram (UDP), made by
 * SyslogIngest.peer(). It is the mapping context itself, so nothing is built per message.
 */
export interface SyslogPeer {
  observedTimeUnixNano: UnixNanos;
  readonly peerAddress?: string;
  readonly peerPort?: number;
  readonly transport: 'udp' | 'tcp';
}

/** Metric label of the transport; TLS is TCP on the wire (network.transport=tcp) but counted apart. */
export type SyslogTransportLabel = 'udp' | 'tcp' | 'tls';

export interface SyslogIngestOptions {
  readonly receiverId: string;
  readonly transport: SyslogTransportLabel;
  readonly protocol: SyslogParseOptions['protocol'];
  readonly timeZone: string;
  readonly consumer: LogsConsumer;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  /** The emitter's high-water mark (records held before sources pause or refuse). */
  readonly highWaterMark?: number;
}

/**
 * One transport's way from message text to the pipeline: parse, map to a log record, hand to the
 * LogEmitter, count what could not be parsed or framed. The clock is read once per read (chunk or
 * datagram), not per message: every message in a chunk arrived at the same moment.
 */
const BAD_FRAME_LOG_INTERVAL_MS = 60_000;

export class SyslogIngest {
  readonly emitter: LogEmitter;
  private readonly networkTransport: SyslogPeer['transport'];
  private receivedAtMs = 0;
  private observed: UnixNanos = 0n;
  private parseOptions: SyslogParseOptions;
  private readonly parseErrors = new Map<SyslogFormat, { inc(): void }>();
  private readonly badFrames: Readonly<Record<BadFrameReason, { inc(): void }>>;
  /** Bad frames since the last warning: one line a minute at most, however many a broken sender makes. */
  private badFramesUnlogged = 0;
  private badFrameLoggedAtMs = -Infinity;

  constructor(private readonly options: SyslogIngestOptions) {
    this.emitter = new LogEmitter({
      receiverId: options.receiverId,
      transport: options.transport,
      consumer: options.consumer,
      metrics: options.metrics,
      logger: options.logger,
      scope: SCOPE,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
    });
    this.networkTransport = options.transport === 'udp' ? 'udp' : 'tcp';
    this.parseOptions = { protocol: options.protocol, receivedAtMs: 0, timeZone: options.timeZone };
    const bad = options.metrics.receiverBadFrames;
    this.badFrames = {
      too_large: bad.labels(options.receiverId, options.transport, 'too_large'),
      bad_frame: bad.labels(options.receiverId, options.transport, 'bad_frame'),
    };
  }

  /** Marks the start of one read from the network; the messages decoded from it share its time. */
  beginRead(): void {
    const now = Date.now();
    if (now !== this.receivedAtMs) {
      this.receivedAtMs = now;
      this.observed = millisToNanos(now);
      this.parseOptions = { protocol: this.options.protocol, receivedAtMs: now, timeZone: this.options.timeZone };
    }
  }

  /** The context of a connection or datagram from this address. */
  peer(address: string | undefined, port: number | undefined): SyslogPeer {
    // Always the same properties in the same order, so every peer object has one shape.
    return address !== undefined && port !== undefined
      ? { observedTimeUnixNano: this.observed, peerAddress: address, peerPort: port, transport: this.networkTransport }
      : { observedTimeUnixNano: this.observed, transport: this.networkTransport };
  }

  /** One framed message; false when the emitter refused it (and counted it). */
  message(text: string, peer: SyslogPeer): boolean {
    const msg = parseSyslog(text, this.parseOptions);
    if (msg.parseError !== undefined) this.countParseError(msg.format);
    peer.observedTimeUnixNano = this.observed;
    const { resource, record } = syslogToLogRecord(msg, peer);
    return this.emitter.push(resource, record);
  }

  badFrame(reason: BadFrameReason, peer?: SyslogPeer): void {
    this.badFrames[reason].inc();
    this.badFramesUnlogged++;
    const now = Date.now();
    if (now - this.badFrameLoggedAtMs < BAD_FRAME_LOG_INTERVAL_MS) return;
    this.options.logger.warn(
      { receiver: this.options.receiverId, transport: this.options.transport, reason, peer: peer?.peerAddress, frames: this.badFramesUnlogged },
      reason === 'too_large'
        ? 'syslog frames larger than max_log_size were skipped (counted in corrgate_receiver_bad_frames_total); at most one such line a minute'
        : 'syslog frames with a malformed octet count were skipped up to the next LF (counted in corrgate_receiver_bad_frames_total); at most one such line a minute',
    );
    this.badFrameLoggedAtMs = now;
    this.badFramesUnlogged = 0;
  }

  private countParseError(format: SyslogFormat): void {
    let counter = this.parseErrors.get(format);
    if (!counter) {
      counter = this.options.metrics.receiverParseErrors.labels(this.options.receiverId, format);
      this.parseErrors.set(format, counter);
    }
    counter.inc();
  }

  /** Hands on what is held and takes nothing more. */
  close(): Promise<void> {
    return this.emitter.close();
  }
}
