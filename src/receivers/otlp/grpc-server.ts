import { timingSafeEqual } from 'node:crypto';
import { constants as h2, createSecureServer, createServer } from 'node:http2';
import type {
  Http2SecureServer,
  Http2Server,
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
  SecureServerOptions,
  ServerHttp2Session,
  ServerHttp2Stream,
  ServerOptions,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gunzip, inflate } from 'node:zlib';
import { CorrgateError, ERR_DECODE, ERR_STARTUP, PermanentError, RetryableError } from '../../pipeline/errors.js';
import { UnaryFrameCollector, encodeGrpcFrame } from '../../wire/grpc/grpc-framing.js';
import type { GrpcFrame, GrpcFrameFailure } from '../../wire/grpc/grpc-framing.js';
import { GrpcStatusCode, encodeGrpcMessage, isGrpcStatusCode } from '../../wire/grpc/grpc-status-code.js';
import { encodeRetryInfo, encodeRpcStatus } from '../../wire/grpc/rpc-status.js';
import type { StatusDetail } from '../../wire/grpc/rpc-status.js';

// A unary-only gRPC server on node:http2 (grpc/doc/PROTOCOL-HTTP2.md). It serves the OTLP Export
// calls, where a general-purpose gRPC stack costs more per request than decoding the payload: one
// 'stream' listener, one collector per call, no per-call logging, and trailers-only answers for
// every error.

export interface GrpcServerOptions {
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /** clientCa turns on mutual TLS: a client certificate signed by it is required. */
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  /** Limit for the request message after decompression, and for the compressed frame itself. */
  maxRecvMsgBytes: number;
  /** When set, `authorization: Bearer <token>` is required, else UNAUTHENTICATED. */
  bearerToken?: string;
  /** path -> handler; called with the (decompressed) request message; returns the response message. */
  routes: ReadonlyMap<string, (message: Buffer) => Uint8Array | Promise<Uint8Array>>;
  /** Paths that exist but are not served (e.g. MetricsService/Export): answered UNIMPLEMENTED with a clear message. */
  unimplemented?: readonly string[];
  onFailedRequest?: (reason: GrpcFailureReason) => void;
  /** How long shutdown waits for in-flight calls before it destroys the connections; 5000 ms by default. */
  shutdownGraceMs?: number;
}

/** Why a request was answered with an error, for a failed-requests counter. */
export type GrpcFailureReason =
  | 'unauthenticated'
  /** Not a gRPC request at all: not POST, or a content-type other than application/grpc[+proto] (HTTP 405/415). */
  | 'unsupported_media_type'
  /** A broken frame, the wrong number of messages, undecompressable bytes, or a payload the handler could not decode. */
  | 'malformed'
  | 'too_large'
  | 'unimplemented'
  | 'unsupported_encoding'
  /** The handler refused for now (RetryableError): UNAVAILABLE with RetryInfo. */
  | 'throttled'
  /** The handler refused with an explicit grpcCode that none of the other reasons describe. */
  | 'refused'
  | 'internal'
  | 'deadline_exceeded'
  /** The client reset the stream, or the connection died, before an answer was sent. */
  | 'cancelled'
  /** A TLS handshake failed (e.g. mTLS without a valid client certificate); no request was read. */
  | 'tls_handshake';

type Handler = (message: Buffer) => Uint8Array | Promise<Uint8Array>;

const ACCEPT_ENCODING = 'identity,gzip,deflate';
const DEFAULT_SHUTDOWN_GRACE_MS = 5000;
/** setTimeout's ceiling; a longer grpc-timeout is as good as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

// node copies response headers before sending them, so these shared objects are never mutated.
const OK_HEADERS: OutgoingHttpHeaders = {
  ':status': 200,
  'content-type': 'application/grpc',
  'grpc-accept-encoding': ACCEPT_ENCODING,
};
const OK_TRAILERS: OutgoingHttpHeaders = { 'grpc-status': '0' };

// HTTP/2 flow-control and concurrency. A window of 1 MiB per stream lets a typical Export
// request (a few hundred KiB) arrive without waiting for WINDOW_UPDATEs; the stream limit bounds
// what one connection can hold in partially received messages (streams x maxRecvMsgBytes).
const MAX_CONCURRENT_STREAMS = 128;
const STREAM_WINDOW_BYTES = 1 << 20;
const SESSION_WINDOW_BYTES = 16 << 20;
const MAX_SESSION_MEMORY_MB = 64;

function noop(): void {}

export class GrpcServer {
  private server: Http2Server | Http2SecureServer | undefined;
  private readonly sessions = new Set<ServerHttp2Session>();
  private stopping: Promise<void> | undefined;
  private abortStart: (() => void) | undefined;
  private bound: { host: string; port: number } | undefined;
  private readonly token: Buffer | undefined;
  private readonly unimplemented: ReadonlySet<string>;
  private readonly report: (reason: GrpcFailureReason) => void;

  constructor(private readonly options: GrpcServerOptions) {
    if (!Number.isSafeInteger(options.maxRecvMsgBytes) || options.maxRecvMsgBytes < 1) {
      throw new CorrgateError(ERR_STARTUP, `maxRecvMsgBytes must be a positive integer, got ${options.maxRecvMsgBytes}`);
    }
    this.token = options.bearerToken === undefined ? undefined : Buffer.from(options.bearerToken, 'utf8');
    this.unimplemented = new Set(options.unimplemented ?? []);
    this.report = options.onFailedRequest ?? noop;
  }

  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  start(): Promise<{ host: string; port: number }> {
    if (this.server !== undefined) {
      return Promise.reject(new CorrgateError(ERR_STARTUP, 'the gRPC server is already started or still shutting down'));
    }
    const { host, port } = this.options;
    let server: Http2Server | Http2SecureServer;
    try {
      server = this.createHttp2Server();
    } catch (err) {
      return Promise.reject(
        new CorrgateError(ERR_STARTUP, `the gRPC server cannot start: ${(err as Error).message}`, { cause: err }),
      );
    }
    this.server = server;
    return new Promise((resolve, reject) => {
      this.abortStart = () => {
        this.abortStart = undefined;
        reject(new CorrgateError(ERR_STARTUP, 'the gRPC server was shut down while it was starting'));
      };
      const onListenError = (err: Error): void => {
        this.server = undefined;
        this.abortStart = undefined;
        reject(new CorrgateError(ERR_STARTUP, `the gRPC server cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
      };
      server.once('error', onListenError);
      server.listen(port, host, () => {
        server.off('error', onListenError);
        if (this.server !== server) {
          // shutdown() ran before the socket was bound (and has rejected this start already).
          server.close();
          return;
        }
        this.abortStart = undefined;
        // After listen, server-level errors concern single connections, which node already tears down.
        server.on('error', noop);
        const a = server.address() as AddressInfo;
        this.bound = { host: a.address, port: a.port };
        resolve(this.bound);
      });
    });
  }

  shutdown(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    const server = this.server;
    if (server === undefined) return Promise.resolve();
    // If the listen is still pending, node drops its 'listening' event once the server closes.
    this.abortStart?.();
    this.stopping = new Promise<void>((resolve) => {
      // GOAWAY first: clients stop opening streams on these connections, and each session closes
      // once its open calls have answered. Whatever is still open after the grace period is cut.
      const grace = setTimeout(() => {
        for (const session of this.sessions) session.destroy();
      }, this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      grace.unref();
      server.close(() => {
        clearTimeout(grace);
        this.server = undefined;
        this.bound = undefined;
        this.stopping = undefined;
        resolve();
      });
      for (const session of this.sessions) session.close();
    });
    return this.stopping;
  }

  private createHttp2Server(): Http2Server | Http2SecureServer {
    const base: ServerOptions = {
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
      // Only matters for server-initiated streams, which a gRPC server never opens.
      peerMaxConcurrentStreams: MAX_CONCURRENT_STREAMS,
      settings: {
        enablePush: false,
        maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
        initialWindowSize: STREAM_WINDOW_BYTES,
      },
    };
    let server: Http2Server | Http2SecureServer;
    const tls = this.options.tls;
    if (tls === undefined) {
      server = createServer(base);
    } else {
      const secure: SecureServerOptions = {
        ...base,
        cert: tls.cert,
        key: tls.key,
        allowHTTP1: false,
        minVersion: 'TLSv1.2',
      };
      if (tls.clientCa !== undefined) {
        secure.ca = tls.clientCa;
        secure.requestCert = true;
        secure.rejectUnauthorized = true;
      }
      server = createSecureServer(secure);
      server.on('tlsClientError', (_err: Error, socket: TLSSocket) => {
        this.report('tls_handshake');
        socket.destroy();
      });
    }
    server.on('session', (session: ServerHttp2Session) => this.onSession(session));
    server.on('sessionError', noop);
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.onStream(stream, headers));
    return server;
  }

  private onSession(session: ServerHttp2Session): void {
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    // Session errors (a peer's protocol violation, a dead socket) end that session only; its
    // streams see 'close' and count themselves.
    session.on('error', noop);
    try {
      session.setLocalWindowSize(SESSION_WINDOW_BYTES);
    } catch {
      // The session died during the handshake; node cleans it up.
    }
    if (this.stopping !== undefined) session.close();
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    // A peer's RST_STREAM with an error code surfaces as 'error'; without a listener it would throw.
    stream.on('error', noop);

    if (headers[':method'] !== 'POST') {
      answerHttp(stream, 405, { allow: 'POST' });
      this.report('unsupported_media_type');
      return;
    }
    // PROTOCOL-HTTP2.md: a content-type not starting with application/grpc gets HTTP 415, so a
    // plain HTTP client cannot mistake a gRPC error (which uses :status 200) for success. The
    // handlers decode protobuf only, so other gRPC subtypes (+json) are refused the same way.
    if (!isGrpcProtoContentType(headers['content-type'])) {
      answerHttp(stream, 415, undefined);
      this.report('unsupported_media_type');
      return;
    }
    // te: trailers is not enforced: grpc-go does not enforce it either, and some proxies drop it.
    if (this.token !== undefined && !this.authorized(headers.authorization)) {
      answerStatus(stream, GrpcStatusCode.UNAUTHENTICATED, 'missing or invalid bearer token', undefined);
      this.report('unauthenticated');
      return;
    }
    const path = headers[':path'] ?? '';
    const handler = this.options.routes.get(path);
    if (handler === undefined) {
      const message = this.unimplemented.has(path)
        ? `${path} is not served by this receiver`
        : `unknown method ${path}`;
      answerStatus(stream, GrpcStatusCode.UNIMPLEMENTED, message, undefined);
      this.report('unimplemented');
      return;
    }
    const call = new UnaryCall(stream, handler, this.options.maxRecvMsgBytes, single(headers['grpc-encoding']), this.report);
    const timeout = single(headers['grpc-timeout']);
    if (timeout !== undefined) call.setDeadline(timeout);
  }

  private authorized(value: string | undefined): boolean {
    const token = this.token!;
    if (value === undefined) return false;
    const space = value.indexOf(' ');
    // RFC 7235: the scheme name is case-insensitive.
    if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return false;
    const given = Buffer.from(value.slice(space + 1).trim(), 'utf8');
    return given.length === token.length && timingSafeEqual(given, token);
  }
}

/**
 * One unary call from the request headers to the answer. Exactly one answer is sent (`done`
 * guards against the deadline, the handler and a client reset racing each other).
 */
class UnaryCall {
  private readonly collector: UnaryFrameCollector;
  private done = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly handler: Handler,
    private readonly maxBytes: number,
    private readonly encoding: string | undefined,
    private readonly report: (reason: GrpcFailureReason) => void,
  ) {
    this.collector = new UnaryFrameCollector(maxBytes);
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onClose);
  }

  setDeadline(header: string): void {
    // A malformed grpc-timeout is ignored rather than failed: the deadline is the client's to
    // enforce, and it does so on its own side regardless of what the server does.
    const ms = parseGrpcTimeoutMs(header);
    if (ms === undefined || ms > MAX_TIMER_MS) return;
    this.timer = setTimeout(this.onDeadline, ms);
    this.timer.unref();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.done) return;
    const failure = this.collector.push(chunk);
    if (failure !== undefined) this.refuseFrame(failure);
  };

  private readonly onEnd = (): void => {
    if (this.done) return;
    // node also ends the readable side of a stream the peer reset or whose connection died, so
    // an aborted stream's 'end' is a cancellation, not a request body that stopped short.
    if (this.stream.aborted) {
      this.onClose();
      return;
    }
    const result = this.collector.finish();
    if ('problem' in result) this.refuseFrame(result);
    else this.dispatch(result);
  };

  private readonly onClose = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.done) return;
    this.done = true;
    this.report('cancelled');
  };

  private readonly onDeadline = (): void => {
    this.timer = undefined;
    this.fail(GrpcStatusCode.DEADLINE_EXCEEDED, 'deadline exceeded before the call completed', undefined, 'deadline_exceeded');
  };

  // Status choices follow grpc/doc/statuscodes.md, the table of codes a gRPC library generates:
  // a request cardinality violation (zero messages, or a second one) is UNIMPLEMENTED; a message
  // over the configured limit is RESOURCE_EXHAUSTED; a frame that cannot be parsed (truncated,
  // or a Compressed-Flag other than 0/1) is a protocol violation, INTERNAL, as is "error parsing
  // request". INVALID_ARGUMENT is never library-generated, so it is kept for payloads the
  // handler finds undecodable.
  private refuseFrame(failure: GrpcFrameFailure): void {
    switch (failure.problem) {
      case 'too_large':
        this.fail(GrpcStatusCode.RESOURCE_EXHAUSTED, failure.detail, undefined, 'too_large');
        return;
      case 'no_message':
      case 'extra_message':
        this.fail(GrpcStatusCode.UNIMPLEMENTED, failure.detail, undefined, 'malformed');
        return;
      case 'truncated':
      case 'bad_flag':
        this.fail(GrpcStatusCode.INTERNAL, failure.detail, undefined, 'malformed');
        return;
    }
  }

  private dispatch(frame: GrpcFrame): void {
    if (!frame.compressed) {
      this.invoke(frame.message);
      return;
    }
    const encoding = this.encoding;
    const options = { maxOutputLength: this.maxBytes };
    if (encoding === 'gzip') {
      gunzip(frame.message, options, this.onDecompressed);
    } else if (encoding === 'deflate') {
      // gRPC's "deflate" is the zlib format (RFC 1950), as grpc-js and grpc-go send it.
      inflate(frame.message, options, this.onDecompressed);
    } else if (encoding === undefined || encoding === 'identity') {
      // compression.md: the Compressed-Flag set without a grpc-encoding other than identity is INTERNAL.
      this.fail(GrpcStatusCode.INTERNAL, 'compressed flag set but grpc-encoding is identity or absent', undefined, 'malformed');
    } else {
      // compression.md: UNIMPLEMENTED, naming the supported encodings (also sent as grpc-accept-encoding).
      this.fail(
        GrpcStatusCode.UNIMPLEMENTED,
        `grpc-encoding ${encoding} is not supported; supported: ${ACCEPT_ENCODING}`,
        undefined,
        'unsupported_encoding',
      );
    }
  }

  private readonly onDecompressed = (err: Error | null, message: Buffer): void => {
    if (this.done) return;
    if (err === null) {
      this.invoke(message);
    } else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      this.fail(
        GrpcStatusCode.RESOURCE_EXHAUSTED,
        `decompressed request message exceeds the limit of ${this.maxBytes} bytes`,
        undefined,
        'too_large',
      );
    } else {
      this.fail(GrpcStatusCode.INTERNAL, `cannot decompress the ${this.encoding} request message`, undefined, 'malformed');
    }
  };

  private invoke(message: Buffer): void {
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      result = this.handler(message);
    } catch (err) {
      this.onHandlerError(err);
      return;
    }
    if (result instanceof Uint8Array) this.reply(result);
    else Promise.resolve(result).then(this.reply, this.onHandlerError);
  }

  private readonly reply = (response: Uint8Array): void => {
    if (this.done) return;
    // Routes are typed, but a throw from here would escape as an unhandled rejection.
    if (!(response instanceof Uint8Array)) {
      this.onHandlerError(new TypeError('the handler answered without a Uint8Array'));
      return;
    }
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const stream = this.stream;
    if (stream.destroyed) return;
    try {
      stream.respond(OK_HEADERS, { waitForTrailers: true });
      stream.once('wantTrailers', sendOkTrailers);
      stream.end(encodeGrpcFrame(response));
    } catch {
      // The stream was reset between the check and the write; the client has gone.
    }
  };

  private readonly onHandlerError = (err: unknown): void => {
    const s = statusForHandlerError(err);
    this.fail(s.code, s.message, s.details, s.reason);
  };

  private fail(code: number, message: string, details: StatusDetail[] | undefined, reason: GrpcFailureReason): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.report(reason);
    answerStatus(this.stream, code, message, details);
  }
}

function sendOkTrailers(this: ServerHttp2Stream): void {
  try {
    this.sendTrailers(OK_TRAILERS);
  } catch {
    // Reset while the body was being sent.
  }
}

interface HandlerErrorStatus {
  readonly code: number;
  readonly message: string;
  readonly details: StatusDetail[] | undefined;
  readonly reason: GrpcFailureReason;
}

/**
 * RetryableError -> UNAVAILABLE with RetryInfo (OTLP's throttling signal), or its own grpcCode
 * with RetryInfo still attached; any error with a `grpcCode` -> that code and its message; a
 * DecodeError or other PermanentError (data that can never be taken as sent) ->
 * INVALID_ARGUMENT; anything else -> INTERNAL with a generic message, since an unexpected
 * error's text may describe internals.
 */
function statusForHandlerError(err: unknown): HandlerErrorStatus {
  const grpcCode = typeof err === 'object' && err !== null ? (err as { grpcCode?: unknown }).grpcCode : undefined;
  const explicit = isGrpcStatusCode(grpcCode) && grpcCode !== GrpcStatusCode.OK ? grpcCode : undefined;
  if (err instanceof RetryableError) {
    const code = explicit ?? GrpcStatusCode.UNAVAILABLE;
    return { code, message: err.message, details: [encodeRetryInfo(err.retryAfterMs)], reason: 'throttled' };
  }
  if (explicit !== undefined) {
    return { code: explicit, message: (err as Error).message ?? '', details: undefined, reason: reasonForCode(explicit) };
  }
  if (err instanceof Error && (err.name === 'DecodeError' || (err as { code?: unknown }).code === ERR_DECODE)) {
    return { code: GrpcStatusCode.INVALID_ARGUMENT, message: err.message, details: undefined, reason: 'malformed' };
  }
  if (err instanceof PermanentError) {
    return { code: GrpcStatusCode.INVALID_ARGUMENT, message: err.message, details: undefined, reason: 'malformed' };
  }
  return { code: GrpcStatusCode.INTERNAL, message: 'internal error', details: undefined, reason: 'internal' };
}

function reasonForCode(code: GrpcStatusCode): GrpcFailureReason {
  switch (code) {
    case GrpcStatusCode.INVALID_ARGUMENT:
      return 'malformed';
    case GrpcStatusCode.UNAUTHENTICATED:
      return 'unauthenticated';
    case GrpcStatusCode.UNIMPLEMENTED:
      return 'unimplemented';
    case GrpcStatusCode.UNAVAILABLE:
    case GrpcStatusCode.RESOURCE_EXHAUSTED:
      return 'throttled';
    case GrpcStatusCode.DEADLINE_EXCEEDED:
      return 'deadline_exceeded';
    case GrpcStatusCode.INTERNAL:
    case GrpcStatusCode.UNKNOWN:
    case GrpcStatusCode.DATA_LOSS:
      return 'internal';
    default:
      return 'refused';
  }
}

/**
 * A trailers-only answer: one HEADERS frame with END_STREAM carrying :status 200, the
 * content-type and the status. Details, when given, go in grpc-status-details-bin as a
 * google.rpc.Status whose code and message repeat the trailers.
 */
function answerStatus(stream: ServerHttp2Stream, code: number, message: string, details: StatusDetail[] | undefined): void {
  if (stream.destroyed || stream.headersSent) return;
  const headers: OutgoingHttpHeaders = {
    ':status': 200,
    'content-type': 'application/grpc',
    'grpc-accept-encoding': ACCEPT_ENCODING,
    'grpc-status': String(code),
    'grpc-message': encodeGrpcMessage(message),
  };
  if (details !== undefined) {
    // Unpadded base64, as PROTOCOL-HTTP2.md asks senders of -bin values to emit.
    const status = encodeRpcStatus({ code, message, details });
    headers['grpc-status-details-bin'] = Buffer.from(status.buffer, status.byteOffset, status.byteLength)
      .toString('base64')
      .replace(/=+$/, '');
  }
  respondAndStopReading(stream, headers);
}

function answerHttp(stream: ServerHttp2Stream, status: number, extra: OutgoingHttpHeaders | undefined): void {
  if (stream.destroyed || stream.headersSent) return;
  respondAndStopReading(stream, extra === undefined ? { ':status': status } : { ':status': status, ...extra });
}

/**
 * Sends a complete answer and, if the client is still sending, asks it to stop with RST_STREAM
 * NO_ERROR after the END_STREAM (RFC 9113 section 8.1), so a refused oversize body is not read.
 */
function respondAndStopReading(stream: ServerHttp2Stream, headers: OutgoingHttpHeaders): void {
  try {
    stream.respond(headers, { endStream: true });
    if (!stream.endAfterHeaders && !stream.readableEnded) stream.close(h2.NGHTTP2_NO_ERROR);
  } catch {
    // Reset by the client meanwhile; nothing left to answer.
  }
}

/** node hands repeated custom headers over as arrays; gRPC defines these once, so the first wins. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[0];
}

function isGrpcProtoContentType(value: string | undefined): boolean {
  if (value === 'application/grpc' || value === 'application/grpc+proto') return true;
  if (value === undefined) return false;
  const semi = value.indexOf(';');
  const base = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  return base === 'application/grpc' || base === 'application/grpc+proto';
}

const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** grpc-timeout is 1 to 8 ASCII digits followed by one unit letter (H M S m u n). */
function parseGrpcTimeoutMs(value: string): number | undefined {
  const n = value.length;
  if (n < 2 || n > 9) return undefined;
  const unit = TIMEOUT_UNIT_MS[value[n - 1]!];
  if (unit === undefined) return undefined;
  let amount = 0;
  for (let i = 0; i < n - 1; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    amount = amount * 10 + c;
  }
  return Math.ceil(amount * unit);
}
