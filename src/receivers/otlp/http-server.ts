import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { bearerTokenMatches } from '../../config/bearer-auth.js';
import type { Endpoint } from '../../config/endpoint.js';
import type { ServerTlsMaterial } from '../../config/tls.js';
import type { Signal } from '../../model/batch.js';
import { closeServer, listen } from '../../net/listen.js';
import { RetryableError } from '../../pipeline/errors.js';
import { encodeRetryInfo, encodeRpcStatus } from '../../wire/grpc/rpc-status.js';
import { DecodeError } from '../../wire/otlp/export-result.js';
import type { PartialSuccess } from '../../wire/otlp/export-result.js';
import { decodeLogsJson } from '../../wire/otlp/json-logs-decoder.js';
import { encodeLogsResponseJson, encodeRpcStatusJson, encodeTracesResponseJson } from '../../wire/otlp/json-responses.js';
import { decodeTracesJson } from '../../wire/otlp/json-traces-decoder.js';
import { decodeLogsRequest } from '../../wire/otlp/protobuf-logs-decoder.js';
import { encodeLogsResponse, encodeTracesResponse } from '../../wire/otlp/protobuf-responses.js';
import { decodeTracesRequest } from '../../wire/otlp/protobuf-traces-decoder.js';
import { BadEncodingError, BodyTooLargeError, SUPPORTED_CONTENT_ENCODINGS, decodeContentEncoding, readBody } from './http-body.js';
import type { OtlpIngest } from './otlp-ingest.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

// google.rpc.Code values used in error bodies.
const CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 };

export interface OtlpHttpServerOptions {
  readonly endpoint: Endpoint;
  readonly maxRequestBodySize: number;
  readonly paths: Readonly<Record<Signal, string>>;
  readonly tls?: ServerTlsMaterial;
  readonly bearerToken?: string;
  readonly ingest: OtlpIngest;
}

type Encoding = typeof PROTOBUF | typeof JSON_TYPE;

/**
 * OTLP/HTTP as the specification says: POST protobuf or JSON to /v1/traces and /v1/logs, gzip or
 * deflate bodies, the answer in the request's encoding, partial success in a 200, throttling as 503
 * with Retry-After, malformed payloads as 400 with a google.rpc.Status body.
 */
export class OtlpHttpServer {
  private server: Server | undefined;
  address: Endpoint | undefined;
  private readonly routes: Map<string, Signal>;

  constructor(private readonly options: OtlpHttpServerOptions) {
    this.routes = new Map(Object.entries(options.paths).map(([signal, path]) => [path, signal as Signal]));
  }

  async start(): Promise<Endpoint> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const { tls } = this.options;
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
      : createHttpServer(handler);
    server.keepAliveTimeout = 30_000;
    this.address = await listen(server, this.options.endpoint, 'the OTLP/HTTP receiver');
    this.server = server;
    return this.address;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server, 5000);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { ingest } = this.options;
    const started = process.hrtime.bigint();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const signal = this.routes.get(q < 0 ? url : url.slice(0, q));
    if (signal === undefined || !ingest.serves(signal)) {
      ingest.failedRequest('http', 'not_found');
      return this.fail(res, JSON_TYPE, 404, CODE.NOT_FOUND, `no OTLP endpoint at ${url}; this receiver serves ${this.servedPaths()}`);
    }
    // Authentication comes before anything else about the request is judged.
    if (this.options.bearerToken !== undefined && !bearerTokenMatches(req.headers.authorization, this.options.bearerToken)) {
      ingest.failedRequest('http', 'unauthenticated');
      res.setHeader('www-authenticate', 'Bearer realm="corrgate"');
      return this.fail(res, JSON_TYPE, 401, CODE.UNAUTHENTICATED, 'missing or invalid bearer token');
    }
    if (req.method !== 'POST') {
      ingest.failedRequest('http', 'method_not_allowed');
      res.setHeader('allow', 'POST');
      return this.fail(res, JSON_TYPE, 405, CODE.UNIMPLEMENTED, `method ${req.method} not allowed; OTLP uses POST`);
    }
    const contentType = mediaType(req.headers['content-type']);
    if (contentType !== PROTOBUF && contentType !== JSON_TYPE) {
      ingest.failedRequest('http', 'unsupported_media_type');
      return this.fail(res, JSON_TYPE, 415, CODE.INVALID_ARGUMENT, `unsupported content type "${contentType}"; use ${PROTOBUF} or ${JSON_TYPE}`);
    }
    const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (!SUPPORTED_CONTENT_ENCODINGS.has(encoding)) {
      ingest.failedRequest('http', 'unsupported_encoding');
      res.setHeader('accept-encoding', 'gzip, deflate');
      return this.fail(res, contentType, 415, CODE.INVALID_ARGUMENT, `unsupported content encoding "${encoding}"; use gzip, deflate or none`);
    }

    try {
      const limit = this.options.maxRequestBodySize;
      const body = await decodeContentEncoding(await readBody(req, limit), encoding, limit);
      const partial = await this.export(signal, contentType, body);
      this.respond(res, contentType, 200, this.encodeResponse(signal, contentType, partial));
    } catch (err) {
      this.failOn(err, res, contentType);
    } finally {
      ingest.observeDuration(started, 'http');
    }
  }

  private export(signal: Signal, encoding: Encoding, body: Buffer): Promise<PartialSuccess> {
    const { ingest } = this.options;
    if (signal === 'traces') {
      return ingest.export('traces', 'http', encoding === PROTOBUF ? decodeTracesRequest(body) : decodeTracesJson(body.toString('utf8')));
    }
    return ingest.export('logs', 'http', encoding === PROTOBUF ? decodeLogsRequest(body) : decodeLogsJson(body.toString('utf8')));
  }

  private encodeResponse(signal: Signal, encoding: Encoding, p: PartialSuccess): Uint8Array | string {
    if (encoding === PROTOBUF) return signal === 'traces' ? encodeTracesResponse(p) : encodeLogsResponse(p);
    return signal === 'traces' ? encodeTracesResponseJson(p) : encodeLogsResponseJson(p);
  }

  private failOn(err: unknown, res: ServerResponse, encoding: Encoding): void {
    const { ingest } = this.options;
    if (err instanceof BodyTooLargeError) {
      ingest.failedRequest('http', 'too_large');
      // The rest of the body is not read, so the connection cannot be reused.
      res.setHeader('connection', 'close');
      return this.fail(res, encoding, 413, CODE.RESOURCE_EXHAUSTED, err.message);
    }
    if (err instanceof DecodeError || err instanceof BadEncodingError) {
      ingest.failedRequest('http', 'malformed');
      return this.fail(res, encoding, 400, CODE.INVALID_ARGUMENT, `could not decode the request: ${err.message}`);
    }
    if (err instanceof RetryableError) {
      ingest.failedRequest('http', 'throttled');
      const seconds = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
      res.setHeader('retry-after', String(seconds));
      return this.fail(res, encoding, 503, CODE.UNAVAILABLE, err.message, err.retryAfterMs);
    }
    ingest.failedRequest('http', 'internal');
    return this.fail(res, encoding, 500, CODE.INTERNAL, 'internal error while handling the request');
  }

  private fail(res: ServerResponse, encoding: Encoding, status: number, code: number, message: string, retryAfterMs?: number): void {
    let body: Uint8Array | string;
    if (encoding === PROTOBUF) {
      body = encodeRpcStatus({ code, message, details: retryAfterMs === undefined ? [] : [encodeRetryInfo(retryAfterMs)] });
    } else {
      const details =
        retryAfterMs === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterMs / 1000}s` }];
      body = encodeRpcStatusJson(code, message, details);
    }
    this.respond(res, encoding, status, body);
  }

  private respond(res: ServerResponse, encoding: Encoding, status: number, body: Uint8Array | string): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': encoding, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private servedPaths(): string {
    return [...this.routes].filter(([, s]) => this.options.ingest.serves(s)).map(([p]) => `POST ${p}`).join(', ');
  }
}

function mediaType(header: string | undefined): string {
  if (!header) return '';
  const semi = header.indexOf(';');
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}
