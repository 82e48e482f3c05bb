// The peer corrgate is compared with: an OTLP trace receiver written the ordinary way, with
// protobufjs decoding every request in full, served by node:http (OTLP/HTTP protobuf) and by
// @grpc/grpc-js (OTLP/gRPC). It does nothing with the decoded spans but count them, so what it
// costs is transport + full decode, the floor for any receiver that builds objects from protobufjs.
//
//   node bench/protobufjs-receiver.mjs [--host 127.0.0.1] [--http-port 0] [--grpc-port 0]
//
// Prints one JSON line {"ready":true,"httpPort":..,"grpcPort":..} on stdout once both listen.
// GET /stats on the HTTP port answers {"spans","requests","errors"} so the runner can count spans
// the server itself decoded, over the same window in which it reads the server's CPU time.
// SIGTERM or SIGINT closes both servers and exits.

import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    'http-port': { type: 'string', default: '0' },
    'grpc-port': { type: 'string', default: '0' },
  },
});

// The collector's default limit; a bigger body is answered 413 instead of being buffered.
const MAX_BODY = 20 * 1024 * 1024;
const TRACES_PATH = '/v1/traces';
const GRPC_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
// An ExportTraceServiceResponse with no partial_success has no fields: zero bytes on the wire.
const EMPTY_RESPONSE = Buffer.alloc(0);

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(here, '..', 'proto', target);
root.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto']);
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

const stats = { spans: 0, requests: 0, errors: 0 };

/** Full decode, then a count over the decoded tree (the count is the only use made of it). */
function decodeAndCount(bytes) {
  const request = TraceRequest.decode(bytes);
  let spans = 0;
  for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
  return spans;
}

const httpServer = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats));
    return;
  }
  if (req.method !== 'POST' || req.url !== TRACES_PATH) {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > MAX_BODY) {
      tooLarge = true;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    stats.requests++;
    if (tooLarge) {
      stats.errors++;
      res.writeHead(413).end();
      return;
    }
    try {
      stats.spans += decodeAndCount(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    } catch {
      stats.errors++;
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end(EMPTY_RESPONSE);
  });
  req.on('error', () => {
    stats.errors++;
  });
});

// grpc-js decodes in requestDeserialize, before the handler runs: that is where protobufjs works.
const traceService = {
  export: {
    path: GRPC_EXPORT,
    requestStream: false,
    responseStream: false,
    requestSerialize: (message) => TraceRequest.encode(message).finish(),
    requestDeserialize: (bytes) => TraceRequest.decode(bytes),
    responseSerialize: () => EMPTY_RESPONSE,
    responseDeserialize: () => ({}),
  },
};

const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': MAX_BODY });
grpcServer.addService(traceService, {
  export: (call, callback) => {
    stats.requests++;
    let spans = 0;
    for (const rs of call.request.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
    stats.spans += spans;
    callback(null, {});
  },
});

function listenHttp(port) {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, args.host, () => resolve(httpServer.address().port));
  });
}

function listenGrpc(port) {
  return new Promise((resolve, reject) => {
    grpcServer.bindAsync(`${args.host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  grpcServer.forceShutdown();
  httpServer.closeAllConnections();
  httpServer.close(() => process.exit(0));
  // Nothing here should hang, but a benchmark must never leave a process behind.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

try {
  const [httpPort, grpcPort] = await Promise.all([listenHttp(Number(args['http-port'])), listenGrpc(Number(args['grpc-port']))]);
  process.stdout.write(`${JSON.stringify({ ready: true, httpPort, grpcPort })}\n`);
} catch (err) {
  process.stderr.write(`protobufjs-receiver: cannot listen: ${err.message}\n`);
  process.exit(1);
}
