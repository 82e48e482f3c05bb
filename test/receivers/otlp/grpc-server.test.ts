import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, constants as h2 } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { createServer as createNetServer } from 'node:net';
import type { Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../../src/pipeline/errors.js';
import { GrpcServer } from '../../../src/receivers/otlp/grpc-server.js';
import type { GrpcServerOptions } from '../../../src/receivers/otlp/grpc-server.js';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import { decodeGrpcFrames, encodeGrpcFrame } from '../../../src/wire/grpc/grpc-framing.js';
import { decodeGrpcMessage } from '../../../src/wire/grpc/grpc-status-code.js';
import { RETRY_INFO_TYPE_URL, decodeRetryInfoDelayMs, decodeRpcStatus } from '../../../src/wire/grpc/rpc-status.js';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const METRICS = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

const identity = (b: Buffer): Buffer => b;

type Route = (message: Buffer) => Uint8Array | Promise<Uint8Array>;

/** A handler that answers with its input reversed, so the test sees the server really called it. */
function reverse(message: Buffer): Uint8Array {
  return Uint8Array.from(message).reverse();
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const servers: GrpcServer[] = [];
const clients: grpc.Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.shutdown()));
});

async function startServer(
  overrides: Partial<GrpcServerOptions> = {},
): Promise<{ server: GrpcServer; port: number; failures: string[] }> {
  const failures: string[] = [];
  const server = new GrpcServer({
    host: '127.0.0.1',
    port: 0,
    maxRecvMsgBytes: 1 << 20,
    routes: new Map([
      [TRACES, reverse],
      [LOGS, reverse],
    ]),
    unimplemented: [METRICS],
    onFailedRequest: (reason) => failures.push(reason),
    ...overrides,
  });
  servers.push(server);
  const { port } = await server.start();
  return { server, port, failures };
}

function grpcClient(port: number, options: grpc.ChannelOptions = {}, creds = grpc.credentials.createInsecure()): grpc.Client {
  const client = new grpc.Client(`127.0.0.1:${port}`, creds, options);
  clients.push(client);
  return client;
}

function unary(client: grpc.Client, path: string, message: Buffer, metadata = new grpc.Metadata()): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(path, identity, identity, message, metadata, { deadline: Date.now() + 20_000 }, (err, res) => {
      if (err) reject(err);
      else resolve(res!);
    });
  });
}

async function unaryError(client: grpc.Client, path: string, message: Buffer, metadata?: grpc.Metadata): Promise<grpc.ServiceError> {
  try {
    await unary(client, path, message, metadata);
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('the call succeeded but an error was expected');
}

interface RawResult {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders | undefined;
  data: Buffer;
}

const sessions: ClientHttp2Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
});

function rawSession(port: number): ClientHttp2Session {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  sessions.push(session);
  return session;
}

/** A request from a plain node:http2 client, for what grpc-js will not send. */
function rawCall(port: number, body: Buffer | undefined, headers: OutgoingHttpHeaders = {}, path = TRACES): Promise<RawResult> {
  const session = rawSession(port);
  return new Promise((resolve, reject) => {
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    }, { endStream: body === undefined });
    let responseHeaders: IncomingHttpHeaders | undefined;
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    req.on('response', (h) => (responseHeaders = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => {
      if (responseHeaders === undefined) reject(new Error(`no response, rstCode ${req.rstCode}`));
      else resolve({ headers: responseHeaders, trailers, data: Buffer.concat(chunks) });
    });
    if (body !== undefined) req.end(body);
  });
}

describe('GrpcServer with a grpc-js client', () => {
  it('returns the handler bytes for a unary call on each route', async () => {
    const { port, failures } = await startServer();
    const client = grpcClient(port);
    expect([...(await unary(client, TRACES, Buffer.from([1, 2, 3])))]).toEqual([3, 2, 1]);
    expect([...(await unary(client, LOGS, Buffer.from([9, 8])))]).toEqual([8, 9]);
    expect((await unary(client, TRACES, Buffer.alloc(0))).length).toBe(0);
    expect(failures).toEqual([]);
  });

  it('serves many concurrent calls on one connection, including messages larger than the flow-control window', async () => {
    const { port } = await startServer({ maxRecvMsgBytes: 8 << 20 });
    const client = grpcClient(port, { 'grpc.max_receive_message_length': 16 << 20 });
    const sizes = [0, 1, 4, 5, 16_383, 16_384, 100_000, 3_000_000];
    const inputs = sizes.map((n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + n) & 255)));
    const outputs = await Promise.all(inputs.map((m) => unary(client, TRACES, m)));
    outputs.forEach((out, i) => expect(out.equals(Buffer.from(Uint8Array.from(inputs[i]!).reverse()))).toBe(true));
  });

  it('accepts gzip-compressed requests', async () => {
    const seen: Buffer[] = [];
    const { port, failures } = await startServer({
      routes: new Map([[TRACES, (m: Buffer) => (seen.push(Buffer.from(m)), reverse(m))]]),
    });
    const client = grpcClient(port, { 'grpc.default_compression_algorithm': 2, 'grpc.default_compression_level': 2 });
    const message = Buffer.from('spans '.repeat(5000));
    const out = await unary(client, TRACES, message);
    expect(out.equals(Buffer.from(Uint8Array.from(message).reverse()))).toBe(true);
    expect(seen[0]!.equals(message)).toBe(true);
    expect(failures).toEqual([]);
  });

  it('limits the decompressed size of a gzip request, not only the compressed frame', async () => {
    const { port, failures } = await startServer({ maxRecvMsgBytes: 10_000 });
    const client = grpcClient(port, { 'grpc.default_compression_algorithm': 2, 'grpc.default_compression_level': 2 });
    // 20 kB of one byte compresses to well under the limit, so only the decompressed size can trip it.
    const err = await unaryError(client, TRACES, Buffer.alloc(20_000, 0x61));
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/decompressed/);
    expect(failures).toEqual(['too_large']);
  });

  it('answers UNIMPLEMENTED for unknown methods and for paths that are not served', async () => {
    const { port, failures } = await startServer();
    const client = grpcClient(port);
    const unknown = await unaryError(client, '/some.Service/Nope', Buffer.from([1]));
    expect(unknown.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(unknown.details).toContain('/some.Service/Nope');
    const metrics = await unaryError(client, METRICS, Buffer.from([1]));
    expect(metrics.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(metrics.details).toBe(`${METRICS} is not served by this receiver`);
    expect(failures).toEqual(['unimplemented', 'unimplemented']);
  });

  it('answers UNAVAILABLE with RetryInfo in grpc-status-details-bin for a RetryableError', async () => {
    const { port, failures } = await startServer({
      routes: new Map([
        [
          TRACES,
          async () => {
            throw new RetryableError('CORRGATE_ERR_QUEUE_FULL', 'pipeline queue is full', 2500);
          },
        ],
      ]),
    });
    const err = await unaryError(grpcClient(port), TRACES, Buffer.from([1]));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toBe('pipeline queue is full');
    const bin = err.metadata.get('grpc-status-details-bin');
    expect(bin).toHaveLength(1);
    const status = decodeRpcStatus(bin[0] as Buffer);
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.message).toBe('pipeline queue is full');
    expect(status.details.map((d) => d.typeUrl)).toEqual([RETRY_INFO_TYPE_URL]);
    expect(decodeRetryInfoDelayMs(status.details)).toBe(2500);
    expect(failures).toEqual(['throttled']);
  });

  it('maps DecodeError and PermanentError to INVALID_ARGUMENT, grpcCode to itself, anything else to a generic INTERNAL', async () => {
    const routes = new Map<string, Route>([
      ['/t.S/Decode', () => { throw new DecodeError('bad wire type 7 at offset 12'); }],
      ['/t.S/Permanent', async () => { throw new PermanentError('CORRGATE_ERR_X', 'refused: too many resources'); }],
      ['/t.S/Coded', () => { throw Object.assign(new Error('not allowed here'), { grpcCode: 7 }); }],
      ['/t.S/Boom', () => { throw new TypeError('secret internals at /srv/x.js:12'); }],
      ['/t.S/Reject', () => Promise.reject(new Error('database password wrong'))],
      ['/t.S/NoBytes', async () => undefined as unknown as Uint8Array],
    ]);
    const { port, failures } = await startServer({ routes });
    const client = grpcClient(port);
    const decode = await unaryError(client, '/t.S/Decode', Buffer.from([1]));
    expect([decode.code, decode.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'bad wire type 7 at offset 12']);
    const permanent = await unaryError(client, '/t.S/Permanent', Buffer.from([1]));
    expect([permanent.code, permanent.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'refused: too many resources']);
    const coded = await unaryError(client, '/t.S/Coded', Buffer.from([1]));
    expect([coded.code, coded.details]).toEqual([grpc.status.PERMISSION_DENIED, 'not allowed here']);
    const boom = await unaryError(client, '/t.S/Boom', Buffer.from([1]));
    expect([boom.code, boom.details]).toEqual([grpc.status.INTERNAL, 'internal error']);
    const rejected = await unaryError(client, '/t.S/Reject', Buffer.from([1]));
    expect([rejected.code, rejected.details]).toEqual([grpc.status.INTERNAL, 'internal error']);
    const noBytes = await unaryError(client, '/t.S/NoBytes', Buffer.from([1]));
    expect([noBytes.code, noBytes.details]).toEqual([grpc.status.INTERNAL, 'internal error']);
    expect(failures).toEqual(['malformed', 'malformed', 'refused', 'internal', 'internal', 'internal']);
  });

  it('sends non-ASCII status messages percent-encoded so the client reads them back intact', async () => {
    const { port } = await startServer({
      routes: new Map([[TRACES, () => { throw new DecodeError('naïve 100% wrong\n日本'); }]]),
    });
    const err = await unaryError(grpcClient(port), TRACES, Buffer.from([1]));
    expect(err.details).toBe('naïve 100% wrong\n日本');
  });

  it('answers RESOURCE_EXHAUSTED for a message over the limit, even while the client is still sending', async () => {
    const { port, failures } = await startServer({ maxRecvMsgBytes: 1024 });
    const client = grpcClient(port);
    const small = await unaryError(client, TRACES, Buffer.alloc(1025));
    expect(small.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(small.details).toContain('1025');
    // 3 MB is past the stream's flow-control window, so the refusal arrives mid-upload.
    const big = await unaryError(client, TRACES, Buffer.alloc(3_000_000));
    expect(big.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect([...(await unary(client, TRACES, Buffer.alloc(1024, 1)))].length).toBe(1024);
    expect(failures).toEqual(['too_large', 'too_large']);
  });

  it('requires the bearer token when one is configured', async () => {
    const { port, failures } = await startServer({ bearerToken: 's3cret-token' });
    const client = grpcClient(port);
    const missing = await unaryError(client, TRACES, Buffer.from([1]));
    expect(missing.code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = new grpc.Metadata();
    wrong.set('authorization', 'Bearer s3cret-tokem');
    expect((await unaryError(client, TRACES, Buffer.from([1]), wrong)).code).toBe(grpc.status.UNAUTHENTICATED);
    const otherScheme = new grpc.Metadata();
    otherScheme.set('authorization', 'Basic s3cret-token');
    expect((await unaryError(client, TRACES, Buffer.from([1]), otherScheme)).code).toBe(grpc.status.UNAUTHENTICATED);
    const right = new grpc.Metadata();
    right.set('authorization', 'Bearer s3cret-token');
    expect([...(await unary(client, TRACES, Buffer.from([1, 2]), right))]).toEqual([2, 1]);
    // Unknown paths are not revealed to unauthenticated clients.
    expect((await unaryError(client, '/x.Y/Z', Buffer.from([1]))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(failures).toEqual(['unauthenticated', 'unauthenticated', 'unauthenticated', 'unauthenticated']);
  });
});

describe('GrpcServer with a raw HTTP/2 client', () => {
  it('sends 200, application/grpc, grpc-accept-encoding, one framed message and grpc-status 0 in trailers', async () => {
    const { port } = await startServer();
    const res = await rawCall(port, encodeGrpcFrame(Uint8Array.of(1, 2, 3)));
    expect(res.headers[':status']).toBe(200);
    expect(res.headers['content-type']).toBe('application/grpc');
    expect(res.headers['grpc-accept-encoding']).toBe('identity,gzip,deflate');
    expect(res.headers['grpc-status']).toBeUndefined();
    const frames = decodeGrpcFrames(res.data);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.compressed).toBe(false);
    expect([...frames[0]!.message]).toEqual([3, 2, 1]);
    expect(res.trailers?.['grpc-status']).toBe('0');
  });

  it('answers errors trailers-only: status in the response headers, no body, no trailers', async () => {
    const { port } = await startServer({ maxRecvMsgBytes: 4 });
    const res = await rawCall(port, encodeGrpcFrame(Buffer.alloc(5)));
    expect(res.headers[':status']).toBe(200);
    expect(res.headers['content-type']).toBe('application/grpc');
    expect(res.headers['grpc-status']).toBe('8');
    expect(res.headers['grpc-message']).toBe('request message of 5 bytes exceeds the limit of 4 bytes');
    expect(res.data.length).toBe(0);
    expect(res.trailers).toBeUndefined();
  });

  it('answers HTTP 415 for a content-type that is not gRPC protobuf, and 405 for a method other than POST', async () => {
    const { port, failures } = await startServer();
    const json = await rawCall(port, Buffer.from('{}'), { 'content-type': 'application/json' });
    expect(json.headers[':status']).toBe(415);
    expect(json.headers['grpc-status']).toBeUndefined();
    const missing = await rawCall(port, encodeGrpcFrame(Uint8Array.of(1)), { 'content-type': undefined });
    expect(missing.headers[':status']).toBe(415);
    const grpcJson = await rawCall(port, encodeGrpcFrame(Uint8Array.of(1)), { 'content-type': 'application/grpc+json' });
    expect(grpcJson.headers[':status']).toBe(415);
    const proto = await rawCall(port, encodeGrpcFrame(Uint8Array.of(1, 2)), { 'content-type': 'application/grpc+proto' });
    expect(proto.trailers?.['grpc-status']).toBe('0');
    const get = await rawCall(port, undefined, { ':method': 'GET' });
    expect(get.headers[':status']).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(failures).toEqual(['unsupported_media_type', 'unsupported_media_type', 'unsupported_media_type', 'unsupported_media_type']);
  });

  it('answers INTERNAL for a truncated frame without calling the handler', async () => {
    let calls = 0;
    const { port, failures } = await startServer({ routes: new Map([[TRACES, (m: Buffer) => (calls++, m)]]) });
    const truncated = await rawCall(port, encodeGrpcFrame(Buffer.alloc(10)).subarray(0, 9));
    expect(truncated.headers['grpc-status']).toBe('13');
    expect(decodeGrpcMessage(String(truncated.headers['grpc-message']))).toContain('4 of 10');
    const inPrefix = await rawCall(port, Buffer.from([0, 0]));
    expect(inPrefix.headers['grpc-status']).toBe('13');
    const badFlag = await rawCall(port, Buffer.from([7, 0, 0, 0, 0]));
    expect(badFlag.headers['grpc-status']).toBe('13');
    expect(calls).toBe(0);
    expect(failures).toEqual(['malformed', 'malformed', 'malformed']);
  });

  it('answers UNIMPLEMENTED (request cardinality violation) for two messages or none', async () => {
    let calls = 0;
    const { port, failures } = await startServer({ routes: new Map([[TRACES, (m: Buffer) => (calls++, m)]]) });
    const two = await rawCall(port, Buffer.concat([encodeGrpcFrame(Uint8Array.of(1)), encodeGrpcFrame(Uint8Array.of(2))]));
    expect(two.headers['grpc-status']).toBe('12');
    expect(decodeGrpcMessage(String(two.headers['grpc-message']))).toContain('more than one message');
    const none = await rawCall(port, undefined);
    expect(none.headers['grpc-status']).toBe('12');
    const emptyBody = await rawCall(port, Buffer.alloc(0));
    expect(emptyBody.headers['grpc-status']).toBe('12');
    expect(calls).toBe(0);
    expect(failures).toEqual(['malformed', 'malformed', 'malformed']);
  });

  it('decompresses gzip and deflate (zlib) messages and refuses other encodings with UNIMPLEMENTED', async () => {
    const { port, failures } = await startServer();
    const message = Buffer.from('hello, collector');
    const expected = Buffer.from(Uint8Array.from(message).reverse());
    const gz = await rawCall(port, encodeGrpcFrame(gzipSync(message), true), { 'grpc-encoding': 'gzip' });
    expect(decodeGrpcFrames(gz.data)[0]!.message.equals(expected)).toBe(true);
    const df = await rawCall(port, encodeGrpcFrame(deflateSync(message), true), { 'grpc-encoding': 'deflate' });
    expect(decodeGrpcFrames(df.data)[0]!.message.equals(expected)).toBe(true);
    // An unsupported encoding is fine as long as the message itself is not compressed.
    const plain = await rawCall(port, encodeGrpcFrame(message), { 'grpc-encoding': 'zstd' });
    expect(plain.trailers?.['grpc-status']).toBe('0');
    const zstd = await rawCall(port, encodeGrpcFrame(message, true), { 'grpc-encoding': 'zstd' });
    expect(zstd.headers['grpc-status']).toBe('12');
    expect(zstd.headers['grpc-accept-encoding']).toBe('identity,gzip,deflate');
    expect(decodeGrpcMessage(String(zstd.headers['grpc-message']))).toContain('zstd');
    const noEncoding = await rawCall(port, encodeGrpcFrame(gzipSync(message), true));
    expect(noEncoding.headers['grpc-status']).toBe('13');
    const corrupt = await rawCall(port, encodeGrpcFrame(Buffer.from('not gzip at all'), true), { 'grpc-encoding': 'gzip' });
    expect(corrupt.headers['grpc-status']).toBe('13');
    expect(failures).toEqual(['unsupported_encoding', 'malformed', 'malformed']);
  });

  it('answers DEADLINE_EXCEEDED when the handler outlives grpc-timeout, and drops its late answer', async () => {
    const pending = deferred<Uint8Array>();
    const { port, failures } = await startServer({ routes: new Map([[TRACES, () => pending.promise]]) });
    const res = await rawCall(port, encodeGrpcFrame(Uint8Array.of(1)), { 'grpc-timeout': '20m' });
    expect(res.headers['grpc-status']).toBe('4');
    pending.resolve(Uint8Array.of(9));
    await pending.promise;
    expect(failures).toEqual(['deadline_exceeded']);
    // Malformed timeouts are ignored, not fatal.
    const ok = await startServer();
    const res2 = await rawCall(ok.port, encodeGrpcFrame(Uint8Array.of(1, 2)), { 'grpc-timeout': '5x' });
    expect(res2.trailers?.['grpc-status']).toBe('0');
  });

  it('survives a client resetting the stream or dropping the connection mid-request', async () => {
    const pending = deferred<Uint8Array>();
    const reached = deferred<void>();
    const { port, failures } = await startServer({
      routes: new Map<string, Route>([
        [TRACES, () => (reached.resolve(), pending.promise)],
        [LOGS, reverse],
      ]),
    });
    // Reset while the handler runs.
    const s1 = rawSession(port);
    const req = s1.request({ ':method': 'POST', ':path': TRACES, 'content-type': 'application/grpc' });
    req.on('error', () => {});
    req.end(encodeGrpcFrame(Uint8Array.of(1)));
    await reached.promise;
    const closed = new Promise((r) => req.on('close', r));
    req.close(h2.NGHTTP2_CANCEL);
    await closed;
    // Connection dropped halfway through a message.
    const s2 = rawSession(port);
    const half = s2.request({ ':method': 'POST', ':path': LOGS, 'content-type': 'application/grpc' });
    half.on('error', () => {});
    half.write(encodeGrpcFrame(Buffer.alloc(100)).subarray(0, 50));
    // A complete call behind it on the same connection proves the server has read the half one.
    const behind = await new Promise<IncomingHttpHeaders>((resolve) => {
      const r = s2.request({ ':method': 'POST', ':path': LOGS, 'content-type': 'application/grpc' });
      r.on('trailers', resolve);
      r.resume();
      r.end(encodeGrpcFrame(Uint8Array.of(3)));
    });
    expect(behind['grpc-status']).toBe('0');
    s2.destroy();
    // The server keeps serving, and the late answer of the cancelled call goes nowhere.
    await expect.poll(() => failures.length).toBe(2);
    pending.resolve(Uint8Array.of(5));
    const res = await rawCall(port, encodeGrpcFrame(Uint8Array.of(1, 2)), {}, LOGS);
    expect(res.trailers?.['grpc-status']).toBe('0');
    expect(failures).toEqual(['cancelled', 'cancelled']);
  });
});

describe('GrpcServer lifecycle', () => {
  it('shutdown before start resolves, and start, shutdown, start again works', async () => {
    const server = new GrpcServer({ host: '127.0.0.1', port: 0, maxRecvMsgBytes: 100, routes: new Map([[TRACES, reverse]]) });
    servers.push(server);
    await server.shutdown();
    expect(server.address).toBeUndefined();
    const first = await server.start();
    expect(first.host).toBe('127.0.0.1');
    expect(first.port).toBeGreaterThan(0);
    expect(server.address).toEqual(first);
    await expect(server.start()).rejects.toThrow(/already started/);
    await Promise.all([server.shutdown(), server.shutdown()]);
    await server.shutdown();
    expect(server.address).toBeUndefined();
    const second = await server.start();
    expect([...(await unary(grpcClient(second.port), TRACES, Buffer.from([4, 5])))]).toEqual([5, 4]);
  });

  it('leaves nothing listening when shutdown comes before the pending start has bound', async () => {
    const server = new GrpcServer({ host: '127.0.0.1', port: 0, maxRecvMsgBytes: 100, routes: new Map() });
    servers.push(server);
    const starting = server.start();
    await server.shutdown();
    await expect(starting).rejects.toThrow(/shut down while it was starting/);
    expect(server.address).toBeUndefined();
    const again = await server.start();
    expect(again.port).toBeGreaterThan(0);
  });

  it('rejects start with a clear error when the port is taken', async () => {
    const blocker: NetServer = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const server = new GrpcServer({ host: '127.0.0.1', port, maxRecvMsgBytes: 100, routes: new Map() });
      servers.push(server);
      await expect(server.start()).rejects.toThrow(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(server.address).toBeUndefined();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('refuses a maxRecvMsgBytes that is not a positive integer', () => {
    expect(() => new GrpcServer({ host: '127.0.0.1', port: 0, maxRecvMsgBytes: 0, routes: new Map() })).toThrow(/maxRecvMsgBytes/);
  });

  it('lets an in-flight call finish during shutdown, then stops accepting', async () => {
    const pending = deferred<Uint8Array>();
    const reached = deferred<void>();
    const { server, port } = await startServer({ routes: new Map([[TRACES, () => (reached.resolve(), pending.promise)]]) });
    const client = grpcClient(port);
    const call = unary(client, TRACES, Buffer.from([1]));
    await reached.promise;
    let stopped = false;
    const stopping = server.shutdown().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    pending.resolve(Uint8Array.of(42));
    expect([...(await call)]).toEqual([42]);
    await stopping;
    expect(server.address).toBeUndefined();
    const after = await unaryError(grpcClient(port), TRACES, Buffer.from([1]));
    expect(after.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('cuts calls that outlive the grace period', async () => {
    const never = deferred<Uint8Array>();
    const reached = deferred<void>();
    const { server, port } = await startServer({
      shutdownGraceMs: 50,
      routes: new Map([[TRACES, () => (reached.resolve(), never.promise)]]),
    });
    const call = unaryError(grpcClient(port), TRACES, Buffer.from([1]));
    await reached.promise;
    await server.shutdown();
    expect((await call).code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('GrpcServer over TLS', () => {
  let dir: string;
  let serverCert: Buffer;
  let serverKey: Buffer;
  let clientCa: Buffer;
  let clientCert: Buffer;
  let clientKey: Buffer;
  let strangerCert: Buffer;
  let strangerKey: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'corrgate-grpc-tls-'));
    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    };
    const selfSigned = (name: string, cn: string, extra: string[] = []): void =>
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.pem`, ...extra);
    selfSigned('server', 'localhost', ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
    selfSigned('ca', 'corrgate test client CA');
    selfSigned('stranger', 'not signed by the CA');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=client', '-keyout', 'client.key', '-out', 'client.csr');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '1', '-extfile', 'client.ext', '-out', 'client.pem');
    const read = (f: string): Buffer => readFileSync(join(dir, f));
    serverCert = read('server.pem');
    serverKey = read('server.key');
    clientCa = read('ca.pem');
    clientCert = read('client.pem');
    clientKey = read('client.key');
    strangerCert = read('stranger.pem');
    strangerKey = read('stranger.key');
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves gRPC over TLS to a client trusting the self-signed certificate', async () => {
    const { port } = await startServer({ tls: { cert: serverCert, key: serverKey } });
    const client = grpcClient(port, {}, grpc.credentials.createSsl(serverCert));
    expect([...(await unary(client, TRACES, Buffer.from([1, 2, 3])))]).toEqual([3, 2, 1]);
    // A cleartext client gets nowhere on the TLS port.
    const plain = await unaryError(grpcClient(port), TRACES, Buffer.from([1]));
    expect(plain.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('requires a client certificate signed by the client CA for mutual TLS', async () => {
    const { port, failures } = await startServer({ tls: { cert: serverCert, key: serverKey, clientCa } });
    const noCert = await unaryError(grpcClient(port, {}, grpc.credentials.createSsl(serverCert)), TRACES, Buffer.from([1]));
    expect(noCert.code).toBe(grpc.status.UNAVAILABLE);
    const stranger = await unaryError(
      grpcClient(port, {}, grpc.credentials.createSsl(serverCert, strangerKey, strangerCert)),
      TRACES,
      Buffer.from([1]),
    );
    expect(stranger.code).toBe(grpc.status.UNAVAILABLE);
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set(['tls_handshake']));
    const client = grpcClient(port, {}, grpc.credentials.createSsl(serverCert, clientKey, clientCert));
    expect([...(await unary(client, TRACES, Buffer.from([7, 8])))]).toEqual([8, 7]);
  });
});
