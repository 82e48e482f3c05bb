import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Endpoint } from '../../config/endpoint.js';
import type { Correlator } from '../../correlator/correlator.js';
import { closeServer, listen } from '../../net/listen.js';
import { QueryParamError, evidenceQueryFromParams } from './evidence-query-params.js';

/**
 * Read-only JSON views of what the correlator holds, for people and tools:
 * GET /v1/evidence?service=..&version=..&from=now-15m&to=now, GET /v1/traces/{traceId},
 * GET /v1/topology, GET /v1/correlator (stats). Documented in docs/correlator.md.
 */
export class EvidenceServer {
  private server: Server | undefined;
  address: Endpoint | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly correlator: Correlator,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    this.address = await listen(server, this.endpoint, 'the correlator evidence endpoint');
    this.server = server;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server, 1000);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://corrgate');
    if (req.method !== 'GET') return send(res, 405, { error: 'use GET' }, { allow: 'GET' });
    try {
      if (url.pathname === '/v1/evidence') return send(res, 200, this.correlator.query(evidenceQueryFromParams(url.searchParams, this.now())));
      const trace = /^\/v1\/traces\/([0-9a-fA-F]{32})$/.exec(url.pathname);
      if (trace) {
        const view = this.correlator.trace(trace[1]!.toLowerCase());
        return view ? send(res, 200, view) : send(res, 404, { error: `trace ${trace[1]} is not held (never seen, or evicted)` });
      }
      if (url.pathname === '/v1/topology') return send(res, 200, this.correlator.topology.describe());
      if (url.pathname === '/v1/correlator') return send(res, 200, this.correlator.stats());
      return send(res, 404, { error: `no such path ${url.pathname}; try /v1/evidence, /v1/traces/{traceId}, /v1/topology, /v1/correlator` });
    } catch (err) {
      if (err instanceof QueryParamError) return send(res, 400, { error: err.message });
      return send(res, 500, { error: 'internal error while answering the query' });
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}
