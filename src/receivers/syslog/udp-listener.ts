import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Endpoint } from '../../config/endpoint.js';
import { formatEndpoint } from '../../config/endpoint.js';
import type { SyslogIngest } from './syslog-ingest.js';

const UDP_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/**
 * Where the message in a datagram ends. Senders end datagrams with LF, CRLF or NUL although
 * RFC 5426 frames nothing; those trailers are not part of the message.
 */
export function datagramMessageEnd(datagram: Buffer): number {
  let end = datagram.length;
  while (end > 0) {
    const b = datagram[end - 1];
    if (b !== LF && b !== CR && b !== NUL) break;
    end--;
  }
  return end;
}

export interface UdpListenerOptions {
  readonly endpoint: Endpoint;
  readonly maxMessageBytes: number;
  readonly ingest: SyslogIngest;
  /** Names the receiver in a listen error. */
  readonly what: string;
}

/**
 * Syslog over UDP (RFC 5426): one message per datagram. UDP has no flow control, so while the
 * pipeline is saturated a datagram is refused and counted instead of held.
 */
export class UdpListener {
  private socket: Socket | undefined;

  constructor(private readonly options: UdpListenerOptions) {}

  start(): Promise<Endpoint> {
    const { endpoint, what } = this.options;
    // A large kernel buffer absorbs bursts while the event loop is busy; UDP has no other flow
    // control. The kernel caps it at net.core.rmem_max.
    const socket = createSocket({ type: isIPv6(endpoint.host) ? 'udp6' : 'udp4', recvBufferSize: UDP_RECEIVE_BUFFER_BYTES });
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        socket.close();
        const why = err.code === 'EADDRINUSE' ? 'the address is already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
        reject(new Error(`${what} cannot listen on ${formatEndpoint(endpoint)} (udp): ${why}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind(endpoint.port, endpoint.host, () => {
        socket.off('error', onError);
        // After binding, a socket error (ICMP noise) must not crash the process; datagrams keep coming.
        socket.on('error', () => {});
        socket.on('message', (datagram, rinfo) => this.onDatagram(datagram, rinfo));
        this.socket = socket;
        const addr = socket.address();
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  private onDatagram(datagram: Buffer, rinfo: RemoteInfo): void {
    const { ingest, maxMessageBytes } = this.options;
    const end = datagramMessageEnd(datagram);
    if (end > maxMessageBytes) {
      ingest.badFrame('too_large');
      return;
    }
    if (end === 0) return;
    if (ingest.emitter.saturated) {
      ingest.emitter.refuse();
      return;
    }
    ingest.beginRead();
    ingest.message(datagram.toString('utf8', 0, end), ingest.peer(rinfo.address, rinfo.port));
  }

  /** Stops receiving; datagrams already handed to the ingest stay there. */
  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
