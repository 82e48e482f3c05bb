import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { Endpoint } from '../config/endpoint.js';
import type { ServerTlsMaterial } from '../config/tls.js';
import { closeServer, listen } from '../net/listen.js';
import { bearerToken } from './control-auth.js';
import { ControlError, HTTP_STATUS } from './control-error.js';
import type { ControlMetrics } from './control-metrics.js';
import type { ArgoParams, GateControl } from './gate-control.js';
import { toApiJson } from './gate-views.js';
import { OPENAPI_DOCUMENT } from './openapi.js';

// The control API over HTTP/JSON (docs/integrations.md, /openapi.json). Routing is a handful of
// fixed paths, so it is matched here rather than through a framework; every answer is JSON, every
// error `{"error": {"code", "message", "details"}}` with the status google.rpc.Code maps it to.

export interface HttpControlOptions {
  readonly endpoint: Endpoint;
  readonly tls: ServerTlsMaterial | undefined;
  readonly maxRequestBytes: number;
}

interface Route {
  readonly operation: string;
  readonly methods: readonly string[];
  handle(req: IncomingMessage, url: URL, body: () => Promise<unknown>, token: string | undefined): Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
}

const JSON_TYPES = new Set(['application/json']);
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);
const GATE_ID = '([a-z0-9][a-z0-9._-]*)';

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw new ControlError('invalid_argument', `${name}: expected a whole number`, [`${name}: expected a whole number, got "${v}"`]);
  return Number(v);
}

function param(url: URL, name: string): string | undefined {
  const v = url.searchParams.get(name);
  return v === null || v === '' ? undefined : v;
}

function onlyParams(url: URL, allowed: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) throw new ControlError('invalid_argument', `unknown query parameter "${key}"`, [`${key}: unknown parameter; expected ${allowed.join(', ') || 'none'}`]);
  }
}

export class HttpControlServer {
  private server: Server | undefined;
  address: Endpoint | undefined;
  private readonly routes: readonly [RegExp, Route][];

  constructor(
    private readonly options: HttpControlOptions,
    private readonly control: GateControl,
    private readonly metrics: ControlMetrics,
    private readonly logger: Logger,
  ) {
    const c = control;
    this.routes = [
      [/^\/healthz$/, { operation: 'health', methods: ['GET'], handle: async () => ({ status: 200, body: { status: 'ok' } }) }],
      [/^\/openapi\.json$/, { operation: 'openapi', methods: ['GET'], handle: async () => ({ status: 200, body: OPENAPI_DOCUMENT }) }],
      [
        /^\/v1\/gates$/,
        {
          operation: 'gates',
          methods: ['GET', 'POST'],
          handle: async (req, url, body, token) => {
            if (req.method === 'GET') {
              onlyParams(url, ['status', 'limit']);
              const status = param(url, 'status');
              const limit = intParam(url, 'limit');
              return { status: 200, body: { gates: c.list(token, { ...(status !== undefined ? { status } : {}), ...(limit !== undefined ? { limit } : {}) }) } };
            }
            onlyParams(url, []);
            c.requireAccess(token, 'write');
            const gate = c.open(token, await body());
            return { status: 201, body: gate, headers: { location: `/v1/gates/${gate.id}` } };
          },
        },
      ],
      [new RegExp(`^/v1/gates/${GATE_ID}$`), { operation: 'get', methods: ['GET'], handle: async (_r, url, _b, token) => (onlyParams(url, []), { status: 200, body: c.get(token, idOf(url)) }) }],
      [
        new RegExp(`^/v1/gates/${GATE_ID}/evaluations$`),
        {
          operation: 'evaluations',
          methods: ['GET'],
          handle: async (_r, url, _b, token) => {
            onlyParams(url, ['limit']);
            return { status: 200, body: { evaluations: c.evaluations(token, idOf(url), intParam(url, 'limit')) } };
          },
        },
      ],
      [new RegExp(`^/v1/gates/${GATE_ID}/evaluate$`), { operation: 'evaluate', methods: ['POST'], handle: async (_r, url, _b, token) => ({ status: 200, body: c.evaluate(token, idOf(url)) }) }],
      [new RegExp(`^/v1/gates/${GATE_ID}/close$`), { operation: 'close', methods: ['POST'], handle: async (_r, url, _b, token) => ({ status: 200, body: c.close(token, idOf(url)) }) }],
      [new RegExp(`^/v1/gates/${GATE_ID}/abort$`), { operation: 'abort', methods: ['POST'], handle: async (_r, url, _b, token) => ({ status: 200, body: c.abort(token, idOf(url)) }) }],
      [
        /^\/v1\/decisions$/,
        {
          operation: 'decisions',
          methods: ['GET'],
          handle: async (_r, url, _b, token) => {
            onlyParams(url, ['gate', 'service', 'decision', 'limit']);
            const [gate, service, decision, limit] = [param(url, 'gate'), param(url, 'service'), param(url, 'decision'), intParam(url, 'limit')];
            return {
              status: 200,
              body: {
                decisions: c.decisions(token, {
                  ...(gate !== undefined ? { gate } : {}),
                  ...(service !== undefined ? { service } : {}),
                  ...(decision !== undefined ? { decision } : {}),
                  ...(limit !== undefined ? { limit } : {}),
                }),
              },
            };
          },
        },
      ],
      [
        new RegExp(`^/v1/argo-rollouts/gates/${GATE_ID}$`),
        {
          operation: 'argo',
          methods: ['GET', 'POST'],
          handle: async (req, url, body, token) => {
            const params: Record<string, string> = {};
            for (const [k, v] of url.searchParams) if (v !== '') params[k] = v;
            if (req.method === 'POST') {
              const b = await body();
              if (b !== undefined && b !== null) {
                if (typeof b !== 'object' || Array.isArray(b)) throw new ControlError('invalid_argument', 'expected a JSON object of parameters');
                for (const [k, v] of Object.entries(b)) if (v !== undefined && v !== null && v !== '') params[k] = String(v);
              }
            }
            return { status: 200, body: c.argo(token, idOf(url), params as ArgoParams) };
          },
        },
      ],
      [
        /^\/v1\/flagger\/([a-z-]+)$/,
        {
          operation: 'flagger',
          methods: ['POST'],
          handle: async (req, url, body, token) => {
            const answer = c.flagger(token, /^\/v1\/flagger\/([a-z-]+)$/.exec(url.pathname)![1]!, await body());
            return { status: answer.status, body: answer.body };
          },
        },
      ],
    ];
  }

  async start(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.options.tls;
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
      : createHttpServer(handler);
    // Deploy tools poll with keep-alive; a connection idle past this is closed rather than held.
    server.keepAliveTimeout = 30_000;
    server.requestTimeout = 30_000;
    this.address = await listen(server, this.options.endpoint, 'the control API');
    this.server = server;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server, 2000);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://corrgate');
    let operation = 'unknown';
    try {
      const found = this.routes.find(([pattern]) => pattern.test(url.pathname));
      if (!found) throw new ControlError('not_found', `no such path ${url.pathname}; see /openapi.json`);
      const route = found[1];
      operation = route.operation;
      if (!route.methods.includes(req.method ?? '')) {
        req.resume();
        this.count(operation, 'method_not_allowed');
        return send(res, 405, { error: { code: 'method_not_allowed', message: `use ${route.methods.join(' or ')} on ${url.pathname}`, details: [] } }, { allow: route.methods.join(', ') });
      }
      const token = bearerToken(req.headers.authorization);
      const answer = await route.handle(req, url, () => this.body(req), token);
      if (operation === 'gates') operation = req.method === 'POST' ? 'open' : 'list';
      this.count(operation, answer.status < 400 ? 'ok' : 'halt');
      send(res, answer.status, answer.body, answer.headers);
    } catch (err) {
      if (operation === 'gates') operation = req.method === 'POST' ? 'open' : 'list';
      if (!req.complete) req.resume();
      const e = err instanceof ControlError ? err : undefined;
      if (!e) this.logger.error({ err, path: url.pathname }, 'control API request failed');
      const kind = e?.kind ?? 'internal';
      this.count(operation, kind);
      const headers: Record<string, string> = kind === 'unauthenticated' ? { 'www-authenticate': 'Bearer realm="corrgate"' } : {};
      send(res, HTTP_STATUS[kind], { error: { code: kind, message: e?.message ?? 'internal error', details: e?.details ?? [] } }, headers);
    }
  }

  private count(operation: string, code: string): void {
    this.metrics.requests.inc({ api: 'http', operation, code });
  }

  /** The request body as JSON or YAML (by Content-Type); undefined when there is none. */
  private async body(req: IncomingMessage): Promise<unknown> {
    const declared = req.headers['content-length'];
    const max = this.options.maxRequestBytes;
    if (declared !== undefined && Number(declared) > max) throw new ControlError('payload_too_large', `the request body is larger than ${max} bytes (control.max_request_size)`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) throw new ControlError('payload_too_large', `the request body is larger than ${max} bytes (control.max_request_size)`);
      chunks.push(chunk);
    }
    if (size === 0) return undefined;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const text = Buffer.concat(chunks).toString('utf8');
    if (JSON_TYPES.has(type) || type === '') {
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new ControlError('invalid_argument', `the body is not valid JSON: ${(err as Error).message}`);
      }
    }
    if (YAML_TYPES.has(type)) {
      try {
        return parseYaml(text, { uniqueKeys: true }) as unknown;
      } catch (err) {
        throw new ControlError('invalid_argument', `the body is not valid YAML: ${(err as Error).message}`);
      }
    }
    throw new ControlError('unsupported_media_type', `Content-Type ${type} is not accepted; send application/json or application/yaml`);
  }
}

function idOf(url: URL): string {
  return /^\/v1\/(?:argo-rollouts\/)?gates\/([a-z0-9][a-z0-9._-]*)/.exec(url.pathname)![1]!;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = toApiJson(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}
