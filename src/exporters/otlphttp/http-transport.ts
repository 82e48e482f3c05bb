import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Batch, Signal } from '../../model/batch.js';
import { PermanentError } from '../../pipeline/errors.js';
import type { PartialSuccess } from '../../wire/otlp/export-result.js';
import { encodeLogsJson, encodeTracesJson } from '../../wire/otlp/json-encoder.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../wire/otlp/protobuf-encoder.js';
import { ERR_EXPORT_REJECTED, TransientExportError } from '../export-errors.js';
import type { ExportTransport } from '../export-transport.js';
import { loadTlsMaterial } from '../tls-config.js';
import { signalUrl, type OtlpHttpExporterConfig } from './config.js';
import { readErrorMessage, readPartialSuccess } from './response-body.js';
import { parseRetryAfterMs } from './retry-after.js';

// node:http(s) rather than the global fetch: TLS client options (CA, client certificate, skipping
// verification, a server name override) go on an https.Agent, which fetch cannot take without the
// undici package, and keep-alive agents reuse connections across exports just as well.

const gzipAsync = promisify(gzip);

/** OTLP's retryable HTTP statuses; every other non-2xx answer is final. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Enough for any partial-success or Status answer; the rest of an oversized body is read and dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface HttpExportRequest {
  readonly signal: Signal;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

export class HttpExportTransport implements ExportTransport<HttpExportRequest> {
  private agents: Agents | undefined;
  private readonly urls: Record<Signal, URL | undefined>;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(private readonly config: OtlpHttpExporterConfig) {
    this.urls = { traces: signalUrl(config, 'traces'), logs: signalUrl(config, 'logs') };
    const common: Record<string, string> = {};
    // User headers may not override the framing headers this transport is responsible for.
    for (const [k, v] of Object.entries(config.headers)) {
      const lower = k.toLowerCase();
      if (lower !== 'content-type' && lower !== 'content-encoding' && lower !== 'content-length') common[lower] = v;
    }
    common['content-type'] = config.encoding === 'json' ? 'application/json' : 'application/x-protobuf';
    if (config.compression === 'gzip') common['content-encoding'] = 'gzip';
    this.headers = Object.freeze(common);
  }

  async open(): Promise<void> {
    if (this.agents !== undefined) return;
    const { tls } = this.config;
    const needsTls = [this.urls.traces, this.urls.logs].some((u) => u?.protocol === 'https:');
    const m = needsTls ? await loadTlsMaterial(tls) : { ca: undefined, cert: undefined, key: undefined };
    this.agents = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({
        keepAlive: true,
        ca: m.ca,
        cert: m.cert,
        key: m.key,
        rejectUnauthorized: !tls.insecure_skip_verify,
        ...(tls.server_name_override !== '' ? { servername: tls.server_name_override } : {}),
      }),
    };
  }

  async encode(batch: Batch): Promise<HttpExportRequest> {
    const url = this.urls[batch.signal];
    if (url === undefined) {
      throw new PermanentError(ERR_EXPORT_REJECTED, `no URL for ${batch.signal}: set endpoint or ${batch.signal}_endpoint`);
    }
    let body: Buffer;
    if (this.config.encoding === 'json') {
      body = Buffer.from(batch.signal === 'traces' ? encodeTracesJson(batch) : encodeLogsJson(batch), 'utf8');
    } else {
      const bytes = batch.signal === 'traces' ? encodeTracesRequest(batch) : encodeLogsRequest(batch);
      body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    // Compressed off the event loop: a large batch would otherwise stall every receiver for its length.
    if (this.config.compression === 'gzip') body = await gzipAsync(body);
    return { signal: batch.signal, url, headers: this.headers, body };
  }

  async send(request: HttpExportRequest, signal: AbortSignal): Promise<PartialSuccess> {
    const agents = this.agents;
    if (agents === undefined) throw new TransientExportError('HTTP client is closed', undefined);
    const timeout = this.config.timeout;
    const timer = timeout > 0 ? AbortSignal.timeout(timeout) : undefined;
    let answer: HttpAnswer;
    try {
      answer = await post(request, agents, timer !== undefined ? AbortSignal.any([signal, timer]) : signal);
    } catch (err) {
      if (timer?.aborted) throw new TransientExportError(`request timed out after ${timeout}ms`, undefined, { cause: err });
      if (signal.aborted) throw new TransientExportError('request cancelled at the shutdown deadline', undefined, { cause: err });
      const e = err as NodeJS.ErrnoException;
      throw new TransientExportError(`network error: ${e.code ?? e.message}`, undefined, { cause: err });
    }
    const { status, headers, body } = answer;
    if (status >= 200 && status < 300) return readPartialSuccess(request.signal, headers['content-type'], body);
    const detail = readErrorMessage(headers['content-type'], body);
    const message = `HTTP ${status}${detail !== '' ? `: ${detail}` : ''}`;
    if (RETRYABLE_STATUSES.has(status)) {
      const retryAfter = headers['retry-after'];
      throw new TransientExportError(message, parseRetryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
    }
    throw new PermanentError(ERR_EXPORT_REJECTED, message);
  }

  async close(): Promise<void> {
    this.agents?.http.destroy();
    this.agents?.https.destroy();
    this.agents = undefined;
  }
}

function post(request: HttpExportRequest, agents: Agents, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const secure = request.url.protocol === 'https:';
    const send = secure ? https.request : http.request;
    const req = send(
      request.url,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('connection closed before the response ended'));
          else resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
