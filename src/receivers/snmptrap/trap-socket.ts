import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { DgramModule, ListenerSocket } from 'net-snmp';
import type { Endpoint } from '../../config/endpoint.js';

export interface TrapSocketOptions {
  readonly endpoint: Endpoint;
  readonly receiveBufferBytes?: number;
  /** Asked before a datagram is decoded; false drops it (the pipeline is saturated). */
  readonly admit: (rinfo: RemoteInfo) => boolean;
}

/**
 * The UDP socket under net-snmp's receiver, handed to it through its `dgramModule` option. Owning
 * the socket gives the receiver three things net-snmp does not offer: start() can wait for the bind
 * and report its failure, the configured port is used as is (net-snmp turns port 0 into 162), and a
 * datagram can be dropped before it is decoded, so that an inform is not acknowledged while the
 * pipeline is saturated and its sender retries it later.
 */
export class TrapSocket implements ListenerSocket {
  readonly socket: Socket;
  /** Resolves with the bound address once listening; rejects with the bind error. */
  readonly bound: Promise<AddressInfo>;

  constructor(
    type: 'udp4' | 'udp6',
    private readonly options: TrapSocketOptions,
  ) {
    this.socket = createSocket({
      type,
      ...(options.receiveBufferBytes !== undefined ? { recvBufferSize: options.receiveBufferBytes } : {}),
    });
    this.bound = new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.socket.once('error', onError);
      this.socket.once('listening', () => {
        this.socket.off('error', onError);
        resolve(this.socket.address());
      });
    });
    // Handled by whoever awaits `bound`; this keeps an unawaited rejection from being reported twice.
    this.bound.catch(() => {});
  }

  on(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'message' | 'error', listener: ((msg: Buffer, rinfo: RemoteInfo) => void) | ((err: Error) => void)): this {
    if (event === 'message') {
      const onMessage = listener as (msg: Buffer, rinfo: RemoteInfo) => void;
      this.socket.on('message', (msg, rinfo) => {
        if (this.options.admit(rinfo)) onMessage(msg, rinfo);
      });
    } else {
      this.socket.on('error', listener as (err: Error) => void);
    }
    return this;
  }

  /** net-snmp passes its own port and address; the configured endpoint is used instead (see above). */
  bind(): this {
    this.socket.bind({ port: this.options.endpoint.port, address: this.options.endpoint.host, exclusive: true });
    return this;
  }

  send(msg: Buffer, offset: number, length: number, port: number, address: string, callback?: (error: Error | null, bytes: number) => void): this {
    this.socket.send(msg, offset, length, port, address, callback);
    return this;
  }

  close(callback?: () => void): this {
    try {
      this.socket.close(callback);
    } catch {
      // Already closed (a failed bind closes nothing, but a second close throws): nothing to wait for.
      callback?.();
    }
    return this;
  }

  address(): AddressInfo {
    return this.socket.address();
  }
}

/** A dgram stand-in for net-snmp that creates one TrapSocket and reports it. */
export function trapDgramModule(options: TrapSocketOptions, created: (socket: TrapSocket) => void): DgramModule {
  return {
    createSocket: (type) => {
      const socket = new TrapSocket(type, options);
      created(socket);
      return socket;
    },
  };
}
