import { createCipheriv } from 'node:crypto';
import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import type { Notification, Receiver, ReceiverError, UsmUser } from 'net-snmp';
import { formatEndpoint } from '../../config/endpoint.js';
import { nowNanos } from '../../model/time.js';
import type { Component, ComponentSettings, ReceiverConsumers } from '../../pipeline/component.js';
import { CorrgateError, ERR_STARTUP } from '../../pipeline/errors.js';
import { LogEmitter } from '../log-emitter.js';
import type { SnmptrapReceiverConfig, SnmpUserConfig } from './config.js';
import { loadMibNames } from './mib-names.js';
import type { MibNames } from './mib-names.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { refusalReason } from './refusal-reason.js';
import type { RefusalReason } from './refusal-reason.js';
import { mapNotification } from './trap-mapping.js';
import { trapDgramModule } from './trap-socket.js';
import type { TrapSocket } from './trap-socket.js';

const SCOPE = Object.freeze({ name: 'corrgate/receiver/snmptrap', version: '', attributes: Object.freeze([]), droppedAttributesCount: 0 });

/** net-snmp's privacy protocol for each configured name (`aes256` is the Blumenthal variant Net-SNMP uses). */
const PRIV_PROTOCOL = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256: snmp.PrivProtocols.aes256b,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
} as const;

export function toUsmUser(u: SnmpUserConfig): UsmUser {
  const user: UsmUser = {
    name: u.name,
    level: u.priv_protocol ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
    authProtocol: snmp.AuthProtocols[u.auth_protocol],
    authKey: u.auth_key,
  };
  if (u.priv_protocol && u.priv_key) {
    user.privProtocol = PRIV_PROTOCOL[u.priv_protocol];
    user.privKey = u.priv_key;
  }
  return user;
}

/** Seams for tests and embedders; the config holds everything an operator sets. */
export interface SnmptrapReceiverOptions {
  /** Clock for the once-per-minute refusal log (default Date.now). */
  readonly now?: () => number;
  /** Records held before datagrams are dropped unread (the LogEmitter's high-water mark). */
  readonly highWaterMark?: number;
}

const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** Whether this Node.js can run DES-CBC: OpenSSL 3 keeps it in the legacy provider, off by default. */
function desAvailable(): boolean {
  try {
    createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

interface Running {
  readonly receiver: Receiver;
  readonly socket: TrapSocket;
  readonly emitter: LogEmitter;
}

/**
 * The `snmptrap` receiver: net-snmp's notification receiver on a UDP socket this class owns. net-snmp
 * decodes v1/v2c/v3, checks communities and USM users, decrypts and acknowledges informs; each
 * notification it accepts becomes one log record, and each packet it refuses is counted by reason.
 */
export class SnmptrapReceiver implements Component {
  private running: Running | undefined;
  private starting: Promise<void> | undefined;
  private mib: MibNames | undefined;
  private readonly refusedLog: RateLimitedLog;
  private readonly refusedTraps = new Map<RefusalReason, { inc(): void }>();

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: SnmptrapReceiverConfig,
    private readonly consumers: ReceiverConsumers,
    private readonly options: SnmptrapReceiverOptions = {},
  ) {
    this.refusedLog = new RateLimitedLog(REFUSAL_LOG_INTERVAL_MS, options.now);
  }

  /** The bound UDP address while running (the real port when the config says port 0). */
  get address(): { host: string; port: number } | undefined {
    const a = this.running?.socket.address();
    return a ? { host: a.address, port: a.port } : undefined;
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.starting ??= this.listen().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async listen(): Promise<void> {
    const consumer = this.consumers.logs;
    if (!consumer) throw new CorrgateError(ERR_STARTUP, `receiver ${this.settings.id} is in no logs pipeline`);
    if (!this.mib) {
      try {
        // Parsed once per component: MIB files are not expected to change between a shutdown and a restart.
        this.mib = loadMibNames(this.config.mib_dirs);
      } catch (err) {
        throw new CorrgateError(ERR_STARTUP, `receiver ${this.settings.id}: ${(err as Error).message}`, { cause: err });
      }
    }
    const mib = this.mib;
    const desUsers = this.config.users.filter((u) => u.priv_protocol === 'des').map((u) => u.name);
    if (desUsers.length > 0 && !desAvailable()) {
      this.settings.logger.warn(
        { users: desUsers },
        'DES is not available in this Node.js (OpenSSL 3 without the legacy provider): traps from these users will be refused as bad_privacy; run node with --openssl-legacy-provider or move them to AES',
      );
    }
    const endpoint = this.config.listen_address;
    const emitter = new LogEmitter({
      receiverId: this.settings.id,
      transport: 'udp',
      consumer,
      metrics: this.settings.metrics,
      logger: this.settings.logger,
      scope: SCOPE,
      ...(this.options.highWaterMark !== undefined ? { highWaterMark: this.options.highWaterMark } : {}),
    });
    let socket: TrapSocket | undefined;
    let listening = false;
    const dgramModule = trapDgramModule(
      {
        endpoint,
        ...(this.config.receive_buffer_bytes !== undefined ? { receiveBufferBytes: this.config.receive_buffer_bytes } : {}),
        admit: (rinfo) => {
          if (!emitter.saturated) return true;
          emitter.refuse();
          this.logLimited('saturated', () =>
            this.settings.logger.warn({ peer: rinfo.address }, 'dropping SNMP packets: the pipeline is not keeping up'),
          );
          return false;
        },
      },
      (s) => (socket = s),
    );

    const onPacket = (err: ReceiverError | null, notification: Notification | null) => {
      if (err) {
        if (err.rinfo) this.refuse(refusalReason(err), err.rinfo.address);
        // Without rinfo it is the socket's own error: a bind failure is start()'s to report.
        else if (listening) this.logLimited('socket', () => this.settings.logger.error({ err }, 'SNMP trap socket error'));
        return;
      }
      if (!notification) return;
      // net-snmp lets a v3 message with an empty user name through as noAuthNoPriv even with
      // authorization on; corrgate takes v3 only from configured (authenticated) users.
      if (notification.pdu.scoped && !notification.pdu.user) {
        this.refuse('unknown_user', notification.rinfo.address);
        return;
      }
      const mapped = mapNotification(notification, nowNanos(), mib);
      if (!mapped) {
        this.refuse('malformed', notification.rinfo.address);
        return;
      }
      emitter.push(mapped.resource, mapped.record);
    };

    let receiver: Receiver;
    try {
      receiver = snmp.createReceiver(
        {
          port: endpoint.port,
          address: endpoint.host,
          transport: isIPv6(endpoint.host) ? 'udp6' : 'udp4',
          // Gives the community or user with each notification; only the user name is kept.
          includeAuthentication: true,
          disableAuthorization: false,
          ...(this.config.engine_id !== undefined ? { engineID: this.config.engine_id } : {}),
          dgramModule,
        },
        onPacket,
      );
    } catch (err) {
      await emitter.close();
      throw new CorrgateError(ERR_STARTUP, `receiver ${this.settings.id} cannot listen on ${formatEndpoint(endpoint)} (udp): ${(err as Error).message}`, { cause: err });
    }
    const authorizer = receiver.getAuthorizer();
    for (const c of this.config.communities) authorizer.addCommunity(c);
    for (const u of this.config.users) authorizer.addUser(toUsmUser(u));

    const bound = socket!.bound;
    try {
      const addr = await bound;
      listening = true;
      this.running = { receiver, socket: socket!, emitter };
      this.settings.logger.info(
        { endpoint: formatEndpoint({ host: addr.address, port: addr.port }), communities: this.config.communities.length, users: this.config.users.length, mibNames: mib.size },
        'SNMP trap receiver listening',
      );
    } catch (err) {
      socket!.close();
      await emitter.close();
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EADDRINUSE' ? 'the address is already in use' : e.code === 'EACCES' ? 'permission denied' : e.message;
      throw new CorrgateError(ERR_STARTUP, `receiver ${this.settings.id} cannot listen on ${formatEndpoint(endpoint)} (udp): ${why}`, { cause: err });
    }
  }

  /** Closes the socket, then hands on what the emitter holds. */
  async shutdown(): Promise<void> {
    if (this.starting) await this.starting.catch(() => {});
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    await new Promise<void>((resolve) => running.receiver.close(() => resolve()));
    await running.emitter.close();
  }

  private refuse(reason: RefusalReason, peer: string): void {
    let counter = this.refusedTraps.get(reason);
    if (!counter) {
      counter = this.settings.metrics.receiverRefusedTraps.labels(this.settings.id, reason);
      this.refusedTraps.set(reason, counter);
    }
    counter.inc();
    // Only the address and the reason: net-snmp's error text names the community or the digests.
    this.logLimited(peer, (suppressed) => this.settings.logger.warn({ peer, reason, suppressed }, 'refused an SNMP packet'));
  }

  private logLimited(key: string, log: (suppressed: number) => void): void {
    const a = this.refusedLog.admit(key);
    if (a.log) log(a.suppressed);
  }
}
