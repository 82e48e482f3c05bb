import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, status as GrpcStatus } from '@grpc/grpc-js';
import type { GrpcObject, ServerUnaryCall, sendUnaryData, ServiceClientConstructor, UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { Endpoint } from '../config/endpoint.js';
import { formatEndpoint } from '../config/endpoint.js';
import type { ServerTlsMaterial } from '../config/tls.js';
import type { GateDecision, RuleResult } from '../gates/gate-types.js';
import { bearerToken } from './control-auth.js';
import { ControlError } from './control-error.js';
import type { ControlErrorKind } from './control-error.js';
import type { ControlMetrics } from './control-metrics.js';
import type { GateControl } from './gate-control.js';
import { rfc3339 } from '../gates/export/decision-span.js';
import { toApiJson } from './gate-views.js';
import type { DecisionSummary, GateDetail, GateSummary } from './gate-views.js';

// corrgate.v1.GateService (proto/corrgate/v1/gate_service.proto) on @grpc/grpc-js: the control
// API's operations for clients that speak gRPC. The work is GateControl's, as for HTTP; this maps
// messages and errors.

/** src/control and dist/control are both two levels below the package root. */
export const GATE_SERVICE_PROTO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto', 'corrgate', 'v1', 'gate_service.proto');

const GRPC_CODE: Readonly<Record<ControlErrorKind, GrpcStatus>> = {
  invalid_argument: GrpcStatus.INVALID_ARGUMENT,
  not_found: GrpcStatus.NOT_FOUND,
  already_exists: GrpcStatus.ALREADY_EXISTS,
  failed_precondition: GrpcStatus.FAILED_PRECONDITION,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  permission_denied: GrpcStatus.PERMISSION_DENIED,
  payload_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  unsupported_media_type: GrpcStatus.INVALID_ARGUMENT,
  internal: GrpcStatus.INTERNAL,
};

/** The service definition, loaded once: the server here, and clients (tests, the CLI's users) alike. */
export function loadGateService(): ServiceClientConstructor {
  const definition = loadSync(GATE_SERVICE_PROTO, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(definition) as unknown as { corrgate: { v1: GrpcObject } };
  return pkg.corrgate.v1.GateService as ServiceClientConstructor;
}

const optional = (name: string, value: number | undefined) => (value !== undefined && Number.isFinite(value) ? { [name]: value } : {});

function ruleMessage(r: RuleResult) {
  return {
    name: r.name,
    outcome: r.outcome,
    critical: r.critical,
    weight: r.weight,
    measure: r.measure,
    ...optional('observed', r.observed),
    ...optional('baseline', r.baseline),
    threshold: r.threshold,
    samples_current: r.samples.current,
    ...optional('samples_baseline', r.samples.baseline),
    reason: r.reason,
  };
}

function decisionMessage(run: number, d: GateDecision) {
  return {
    gate: d.gateId,
    run,
    evaluation: d.evaluation,
    evaluated_at: rfc3339(d.evaluatedAtMs) ?? '',
    decision: d.decision,
    reported: d.reported,
    ...optional('score', d.score),
    final: d.final,
    reason: d.reason,
    rules: d.rules.map(ruleMessage),
    detail_json: toApiJson(d),
  };
}

function summaryDecisionMessage(d: DecisionSummary) {
  return { gate: d.gate, run: d.run, evaluation: d.evaluation, evaluated_at: d.evaluated_at ?? '', decision: d.decision, reported: d.reported, ...optional('score', d.score), final: d.final, reason: d.reason, rules: [], detail_json: '' };
}

function gateMessage(g: GateSummary | GateDetail) {
  const detail = 'spec' in g ? g : undefined;
  return {
    id: g.id,
    run: g.run,
    status: g.status,
    source: g.source,
    opened_at: g.opened_at ?? '',
    ended_at: g.ended_at ?? '',
    window_start: g.window.start ?? '',
    window_end: g.window.end ?? '',
    evaluations: g.evaluations,
    trace_id: g.trace_id,
    decision: g.decision,
    ...optional('score', g.score),
    reason: g.reason ?? '',
    ...(detail?.latest ? { latest: decisionMessage(g.run, detail.latest) } : {}),
    ...(detail?.final ? { final: decisionMessage(g.run, detail.final) } : {}),
    spec_json: detail ? toApiJson(detail.spec) : '',
  };
}

function specDocument(text: unknown): unknown {
  if (typeof text !== 'string' || text.trim() === '') throw new ControlError('invalid_argument', 'spec: required, a gate spec as JSON or YAML', ['spec: required']);
  try {
    // YAML is a superset of JSON: one parser reads both.
    return parseYaml(text, { uniqueKeys: true }) as unknown;
  } catch (err) {
    throw new ControlError('invalid_argument', `spec is neither JSON nor YAML: ${(err as Error).message}`, [`spec: ${(err as Error).message}`]);
  }
}

const limitOf = (limit: unknown) => (typeof limit === 'number' && limit > 0 ? limit : undefined);
const textOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export interface GrpcControlOptions {
  readonly endpoint: Endpoint;
  readonly tls: ServerTlsMaterial | undefined;
  readonly maxRequestBytes: number;
}

export class GrpcControlServer {
  private server: Server | undefined;
  address: Endpoint | undefined;

  constructor(
    private readonly options: GrpcControlOptions,
    private readonly control: GateControl,
    private readonly metrics: ControlMetrics,
    private readonly logger: Logger,
  ) {}

  private unary(operation: string, fn: (request: Record<string, unknown>, token: string | undefined) => unknown) {
    return (call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) => {
      const header = call.metadata.get('authorization')[0];
      try {
        const reply = fn(call.request, bearerToken(typeof header === 'string' ? header : header?.toString()));
        this.metrics.requests.inc({ api: 'grpc', operation, code: 'ok' });
        callback(null, reply);
      } catch (err) {
        const e = err instanceof ControlError ? err : undefined;
        if (!e) this.logger.error({ err, operation }, 'gRPC control call failed');
        const kind = e?.kind ?? 'internal';
        this.metrics.requests.inc({ api: 'grpc', operation, code: kind });
        const details = e && e.details.length > 0 ? `${e.message}: ${e.details.join('; ')}` : (e?.message ?? 'internal error');
        callback({ code: GRPC_CODE[kind], details, name: kind, message: details }, null);
      }
    };
  }

  async start(): Promise<void> {
    const c = this.control;
    const implementation: UntypedServiceImplementation = {
      OpenGate: this.unary('open', (r, t) => {
        c.requireAccess(t, 'write');
        return gateMessage(c.open(t, specDocument(r.spec)));
      }),
      ListGates: this.unary('list', (r, t) => ({
        gates: c.list(t, { ...(textOf(r.status) ? { status: textOf(r.status)! } : {}), ...(limitOf(r.limit) ? { limit: limitOf(r.limit)! } : {}) }).map(gateMessage),
      })),
      GetGate: this.unary('get', (r, t) => gateMessage(c.get(t, String(r.id ?? '')))),
      ListEvaluations: this.unary('evaluations', (r, t) => ({ evaluations: c.evaluations(t, String(r.id ?? ''), limitOf(r.limit)).map(summaryDecisionMessage) })),
      EvaluateGate: this.unary('evaluate', (r, t) => {
        const d = c.evaluate(t, String(r.id ?? ''));
        return decisionMessage(c.get(t, d.gateId).run, d);
      }),
      CloseGate: this.unary('close', (r, t) => {
        const d = c.close(t, String(r.id ?? ''));
        return decisionMessage(c.get(t, d.gateId).run, d);
      }),
      AbortGate: this.unary('abort', (r, t) => gateMessage(c.abort(t, String(r.id ?? '')))),
      ListDecisions: this.unary('decisions', (r, t) => ({
        decisions: c
          .decisions(t, {
            ...(textOf(r.gate) ? { gate: textOf(r.gate)! } : {}),
            ...(textOf(r.service) ? { service: textOf(r.service)! } : {}),
            ...(textOf(r.decision) ? { decision: textOf(r.decision)! } : {}),
            ...(limitOf(r.limit) ? { limit: limitOf(r.limit)! } : {}),
          })
          .map(summaryDecisionMessage),
      })),
    };
    const server = new Server({ 'grpc.max_receive_message_length': this.options.maxRequestBytes });
    server.addService(loadGateService().service, implementation);
    const tls = this.options.tls;
    const credentials = tls
      ? ServerCredentials.createSsl(tls.clientCa ?? null, [{ private_key: tls.key, cert_chain: tls.cert }], tls.clientCa !== undefined)
      : ServerCredentials.createInsecure();
    const where = formatEndpoint(this.options.endpoint);
    const port = await new Promise<number>((resolvePort, reject) =>
      server.bindAsync(where, credentials, (err, bound) => (err ? reject(new Error(`the gRPC control API cannot listen on ${where}: ${err.message}`, { cause: err })) : resolvePort(bound))),
    );
    this.server = server;
    this.address = { host: this.options.endpoint.host, port };
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((done) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        done();
      }, 2000);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        done();
      });
    });
  }
}
