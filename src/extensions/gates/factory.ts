import type { Component, ComponentSettings, ExtensionFactory, ExtensionHost } from '../../pipeline/component.js';
import { CorrgateError, ERR_STARTUP } from '../../pipeline/errors.js';
import { CorrelatorProcessor } from '../../processors/correlator/factory.js';
import { DecisionTelemetry } from '../../gates/export/decision-telemetry.js';
import { GateRunner } from '../../gates/gate-runner.js';
import { parseGateSpec } from '../../gates/gate-spec.js';
import { gateFiles, gatesExtensionConfigSchema, readGateDocument } from './config.js';
import type { GatesExtensionConfig } from './config.js';

/**
 * The `gates` extension: finds the correlator, starts the decision export, opens the gates of
 * gates_dir, and runs them. The control API reaches `runner` to open, read and close gates.
 */
export class GatesExtension implements Component {
  runner: GateRunner | undefined;
  private telemetry: DecisionTelemetry | undefined;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: GatesExtensionConfig,
    private readonly host: ExtensionHost,
  ) {}

  async start(): Promise<void> {
    if (this.runner) return;
    const processor = this.host.processor(this.config.correlator);
    if (!(processor instanceof CorrelatorProcessor)) {
      throw new CorrgateError(ERR_STARTUP, `extensions.gates.correlator: no correlator processor "${this.config.correlator}" runs in a pipeline`);
    }
    const e = this.config.export;
    this.telemetry = new DecisionTelemetry(
      { ...(e.endpoint ? { endpoint: e.endpoint } : {}), ...(e.insecure !== undefined ? { insecure: e.insecure } : {}), headers: e.headers, logs: e.logs },
      { logger: this.settings.logger, registry: this.settings.metrics.registry },
    );
    await this.telemetry.start();
    const runner = new GateRunner(processor.correlator, this.telemetry, this.settings.logger);
    if (this.config.gates_dir) {
      for (const file of gateFiles(this.config.gates_dir)) {
        const spec = parseGateSpec(readGateDocument(file), Date.now());
        runner.open(spec);
        this.settings.logger.info({ gate: spec.id, file }, 'gate opened');
      }
    }
    this.runner = runner;
  }

  async shutdown(): Promise<void> {
    this.runner?.shutdown();
    this.runner = undefined;
    const telemetry = this.telemetry;
    this.telemetry = undefined;
    await telemetry?.shutdown();
  }
}

export const gatesExtensionFactory: ExtensionFactory<GatesExtensionConfig> = {
  kind: 'extension',
  type: 'gates',
  configSchema: gatesExtensionConfigSchema,
  create: (settings, config, host) => new GatesExtension(settings, config, host),
};
