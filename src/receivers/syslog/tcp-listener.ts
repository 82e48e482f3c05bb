import { createServer as createNetServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Endpoint } from '../../config/endpoint.js';
import type { ServerTlsMaterial } from '../../config/tls.js';
import { listen } from '../../net/listen.js';
import { SyslogFrameDecoder } from '../../wire/syslog/tcp-framing.js';
import type { SyslogIngest, SyslogPeer } from './syslog-ingest.js';

export interface TcpListenerOptions {
  readonly endpoint: Endpoint;
  readonly maxMessageBytes: number;
  readonly ingest: SyslogIngest;
  /** RFC 5425 when set: the same framings, inside TLS. */
  readonly tls?: ServerTlsMaterial;
  /** Names the receiver in a listen error. */
  readonly what: string;
  readonly logger: Logger;
  /** Counts a TLS handshake that failed (no or untrusted client certificate, protocol mismatch). */
  readonly onHandshakeFailure?: () => void;
  /** How long shutdown waits for peers to finish sending before cutting them (default 2 s). */
  readonly closeGraceMs?: number;
}

/**
 * Syslog over TCP (RFC 6587) or TLS (RFC 5425). Each connection has its own frame decoder; while
 * the pipeline is saturated the connection stops reading, so TCP flow control holds the sender
 * back instead of corrgate buffering without bound.
 */
export class TcpListener {
  private server: Server | undefined;
  /** Every open connection, raw sockets included while their TLS handshake runs, for shutdown. */
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<Socket>();

  constructor(private readonly options: TcpListenerOptions) {}

  async start(): Promise<Endpoint> {
    const { tls } = this.options;
    let server: Server;
    if (tls) {
      server = createTlsServer(
        { cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) },
        (socket) => this.serve(socket),
      );
      server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
        this.options.onHandshakeFailure?.();
        this.options.logger.debug({ err: err.message, peer: socket.remoteAddress }, 'syslog TLS handshake failed');
      });
    } else {
      server = createNetServer((socket) => this.serve(socket));
    }
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    const address = await listen(server, this.options.endpoint, `${this.options.what} (${tls ? 'tls' : 'tcp'})`);
    server.on('error', (err) => this.options.logger.error({ err }, 'syslog server error'));
    this.server = server;
    return address;
  }

  private serve(socket: Socket): void {
    const { ingest, maxMessageBytes } = this.options;
    const emitter = ingest.emitter;
    const peer: SyslogPeer = ingest.peer(socket.remoteAddress, socket.remotePort);
    const decoder = new SyslogFrameDecoder(maxMessageBytes, {
      onMessage: (text) => ingest.message(text, peer),
      onBadFrame: (reason) => ingest.badFrame(reason, peer),
    });
    let waiting = false;
    const resume = () => {
      waiting = false;
      socket.resume();
    };
    this.streams.add(socket);
    socket.on('data', (chunk: Buffer) => {
      ingest.beginRead();
      decoder.push(chunk);
      if (emitter.saturated && !waiting) {
        waiting = true;
        socket.pause();
        emitter.onceRoom(resume);
      }
    });
    let ended = false;
    socket.on('end', () => {
      ended = true;
      ingest.beginRead();
      decoder.end();
    });
    // A reset by the peer ends the connection like any other close; it is not corrgate's error.
    socket.on('error', () => {});
    socket.once('close', () => {
      this.streams.delete(socket);
      // Cut off (reset, or shutdown's grace ran out) in the middle of a frame: the part is not a message.
      if (!ended && decoder.midFrame) ingest.badFrame('bad_frame');
    });
  }

  /**
   * Stops accepting, tells every peer the connection is closing (FIN, or close_notify over TLS)
   * and keeps reading what they still send until they close, up to the grace period; then cuts
   * the rest.
   */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.streams) {
      socket.end();
      // A paused connection is read to its end too: what it still holds is handed on or counted
      // as refused by the emitter, never dropped unseen.
      socket.resume();
    }
    const grace = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, this.options.closeGraceMs ?? 2000);
    await closed;
    clearTimeout(grace);
  }
}
