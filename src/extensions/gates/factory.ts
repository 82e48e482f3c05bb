import type { Component, ComponentSettings, ExtensionFactory, ExtensionHost } from '../../pipeline/component.js';
import { CorrgateError, ERR_STARTUP } from '../../pipeline/errors.js';
import { CorrelatorProcessor } from '../../processors/correlator/factory.js';
import type { Endpoint } from '../../config/endpoint.js';
import { loadServerTls } from '../../config/tls.js';
import { controlMetrics } from '../../control/control-metrics.js';
import { GateControl } from '../../control/gate-control.js';
import { GateTemplates } from '../../control/gate-templates.js';
import { GrpcControlServer } from '../../control/grpc-control-server.js';
import { HttpControlServer } from '../../control/http-control-server.js';
import { DecisionTelemetry } from '../../gates/export/decision-telemetry.js';
import { GateRunner } from '../../gates/gate-runner.js';
import { parseGateSpec } from '../../gates/gate-spec.js';
import { GateStore } from '../../gates/store/gate-store.js';
import { gateFiles, gatesExtensionConfigSchema, readGateDocument } from './config.js';
import type { GatesExtensionConfig } from './config.js';

/** How often ended gates past retention, and surplus evaluations, are deleted from the store. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * The `gates` extension: finds the correlator, opens the gate store and resumes the gates it holds
 * open, starts the decision export, opens the gates of gates_dir, runs them, and serves the control
 * API (HTTP and gRPC) through which deploy tools open, read and end gates.
 */
export class GatesExtension implements Component {
  runner: GateRunner | undefined;
  store: GateStore | undefined;
  private telemetry: DecisionTelemetry | undefined;
  private http: HttpControlServer | undefined;
  private grpc: GrpcControlServer | undefined;
  private pruner: NodeJS.Timeout | undefined;
  /** Since when the correlator holds evidence for the gates (this extension's start). */
  evidenceFromMs: number | undefined;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: GatesExtensionConfig,
    private readonly host: ExtensionHost,
  ) {}

  /** Where the HTTP control API listens (the bound port when the config asked for :0). */
  get controlAddress(): Endpoint | undefined {
    return this.http?.address;
  }

  get grpcAddress(): Endpoint | undefined {
    return this.grpc?.address;
  }

  async start(): Promise<void> {
    if (this.runner) return;
    const logger = this.settings.logger;
    const processor = this.host.processor(this.config.correlator);
    if (!(processor instanceof CorrelatorProcessor)) {
      throw new CorrgateError(ERR_STARTUP, `extensions.gates.correlator: no correlator processor "${this.config.correlator}" runs in a pipeline`);
    }
    // What the correlator holds starts now: a window that began earlier was partly unseen.
    const evidenceFromMs = Date.now();
    this.evidenceFromMs = evidenceFromMs;
    const s = this.config.storage;
    const store = s ? GateStore.open({ directory: s.directory, synchronous: s.synchronous, retentionMs: s.retention, maxEvaluationsPerGate: s.max_evaluations_per_gate }) : undefined;
    this.store = store;
    try {
      const e = this.config.export;
      this.telemetry = new DecisionTelemetry(
        { ...(e.endpoint ? { endpoint: e.endpoint } : {}), ...(e.insecure !== undefined ? { insecure: e.insecure } : {}), headers: e.headers, logs: e.logs },
        { logger, registry: this.settings.metrics.registry },
      );
      await this.telemetry.start();
      const runner = new GateRunner(processor.correlator, this.telemetry, logger, { ...(store ? { store } : {}), evidenceFromMs });
      this.runner = runner;
      if (store) {
        const resumed = runner.resume();
        logger.info({ store: store.path, resumed }, resumed > 0 ? 'gate store opened; open gates resumed' : 'gate store opened');
        this.prune(store);
        this.pruner = setInterval(() => this.prune(store), PRUNE_INTERVAL_MS);
        this.pruner.unref();
      }
      if (this.config.gates_dir) {
        for (const file of gateFiles(this.config.gates_dir)) {
          const spec = parseGateSpec(readGateDocument(file), Date.now());
          if (runner.get(spec.id)?.status === 'open') {
            logger.info({ gate: spec.id, file }, 'gate already open (resumed from the store); not opened again');
            continue;
          }
          runner.open(spec, { source: 'config', document: readGateDocument(file) });
          logger.info({ gate: spec.id, file }, 'gate opened');
        }
      }
      const c = this.config.control;
      if (c) {
        const control = new GateControl(runner, store, GateTemplates.load(this.config.templates_dir), c.auth, logger);
        const metrics = controlMetrics(this.settings.metrics.registry);
        const tls = c.tls ? loadServerTls(c.tls) : undefined;
        this.http = new HttpControlServer({ endpoint: c.endpoint, tls, maxRequestBytes: c.max_request_size }, control, metrics, logger);
        await this.http.start();
        if (c.grpc) {
          this.grpc = new GrpcControlServer({ endpoint: c.grpc.endpoint, tls, maxRequestBytes: c.max_request_size }, control, metrics, logger);
          await this.grpc.start();
        }
        const open = (level: string | undefined) => (level === undefined ? 'open' : 'token');
        logger.info(
          { http: fmt(this.http.address), grpc: fmt(this.grpc?.address), tls: tls !== undefined, reads: open(c.auth.read_token ?? c.auth.write_token), writes: open(c.auth.write_token) },
          'control API listening',
        );
        if (c.auth.write_token === undefined) logger.warn('control API: no write_token is set; anyone who reaches the endpoint can open and end gates');
      }
    } catch (err) {
      await this.shutdown();
      throw err;
    }
  }

  private prune(store: GateStore): void {
    try {
      const pruned = store.prune(Date.now());
      if (pruned.runs > 0 || pruned.evaluations > 0) this.settings.logger.info(pruned, 'gate store pruned');
    } catch (err) {
      this.settings.logger.warn({ err }, 'gate store could not be pruned; retrying at the next interval');
    }
  }

  async shutdown(): Promise<void> {
    if (this.pruner) clearInterval(this.pruner);
    this.pruner = undefined;
    const [http, grpc] = [this.http, this.grpc];
    this.http = undefined;
    this.grpc = undefined;
    await Promise.all([http?.shutdown(), grpc?.shutdown()]);
    this.runner?.shutdown();
    this.runner = undefined;
    const telemetry = this.telemetry;
    this.telemetry = undefined;
    await telemetry?.shutdown();
    const store = this.store;
    this.store = undefined;
    store?.close();
  }
}

function fmt(e: Endpoint | undefined): string | undefined {
  return e === undefined ? undefined : `${e.host}:${e.port}`;
}

export const gatesExtensionFactory: ExtensionFactory<GatesExtensionConfig> = {
  kind: 'extension',
  type: 'gates',
  configSchema: gatesExtensionConfigSchema,
  create: (settings, config, host) => new GatesExtension(settings, config, host),
};
