import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { Batch } from '../../../src/model/batch.js';
import { decodeLogsJson } from '../../../src/wire/otlp/json-logs-decoder.js';
import { decodeTracesJson } from '../../../src/wire/otlp/json-traces-decoder.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as it came over the wire, before any gunzip. */
  readonly raw: Buffer;
  /** Decoded with corrgate's own OTLP decoders, after gunzip when content-encoding says so. */
  readonly batch: Batch;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string;
}

/**
 * A real OTLP/HTTP peer on 127.0.0.1: it decodes what arrives and answers from a script, one
 * scripted answer per request, then 200 with an empty body. `hold()` keeps answers back until `release()`.
 */
export class HttpSink {
  /** Requests answered 2xx, decoded. */
  readonly requests: ReceivedRequest[] = [];
  /** Every request that arrived, whatever it was answered. */
  attempts = 0;
  readonly script: Answer[] = [];
  private held: (() => void)[] | undefined;
  private server: Server | undefined;

  url = '';

  async listen(tls?: { key: Buffer; cert: Buffer }): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = tls !== undefined ? createHttpsServer(tls, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `${tls !== undefined ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const go of held) go();
  }

  get heldCount(): number {
    return this.held?.length ?? 0;
  }

  accepted(): Batch[] {
    return this.requests.map((r) => r.batch);
  }

  async close(): Promise<void> {
    this.release();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    this.attempts++;
    if (this.held !== undefined) await new Promise<void>((resolve) => this.held!.push(resolve));
    const answer = this.script.shift() ?? { status: 200 };
    if (answer.status >= 200 && answer.status < 300) {
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const json = req.headers['content-type'] === 'application/json';
      const traces = req.url === '/v1/traces' || req.url?.endsWith('/traces') === true;
      const batch = json
        ? (traces ? decodeTracesJson(body.toString('utf8')) : decodeLogsJson(body.toString('utf8'))).batch
        : (traces ? decodeTracesRequest(body) : decodeLogsRequest(body)).batch;
      this.requests.push({ path: req.url ?? '', headers: req.headers, raw, batch });
    }
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body === undefined ? undefined : answer.body);
  }
}
