import type { FactoryRegistry } from './config/load-config.js';
import { fileExporterFactory } from './exporters/file/factory.js';
import { gatesExtensionFactory } from './extensions/gates/factory.js';
import { nopExporterFactory } from './exporters/nop/factory.js';
import { otlpExporterFactory } from './exporters/otlp/factory.js';
import { otlpHttpExporterFactory } from './exporters/otlphttp/factory.js';
import type { ExporterFactory, ExtensionFactory, ProcessorFactory, ReceiverFactory } from './pipeline/component.js';
import { filelogReceiverFactory } from './receivers/filelog/factory.js';
import { journaldReceiverFactory } from './receivers/journald/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { snmptrapReceiverFactory } from './receivers/snmptrap/factory.js';
import { syslogReceiverFactory } from './receivers/syslog/factory.js';
import { correlatorProcessorFactory } from './processors/correlator/factory.js';
import { deviceEventsProcessorFactory } from './processors/device-events/factory.js';

// Every component type corrgate is built with, keyed by the type used in config (as the collector's
// components.go). Adding a component is adding it here.

const byType = <F extends { type: string }>(factories: readonly F[]): ReadonlyMap<string, F> =>
  new Map(factories.map((f) => [f.type, f]));

export function builtinComponents(): FactoryRegistry {
  return {
    receivers: byType<ReceiverFactory>([otlpReceiverFactory, journaldReceiverFactory, filelogReceiverFactory, snmptrapReceiverFactory, syslogReceiverFactory] as ReceiverFactory[]),
    processors: byType<ProcessorFactory>([correlatorProcessorFactory, deviceEventsProcessorFactory] as ProcessorFactory[]),
    exporters: byType<ExporterFactory>(
      [otlpExporterFactory, otlpHttpExporterFactory, fileExporterFactory, nopExporterFactory] as ExporterFactory[],
    ),
    extensions: byType<ExtensionFactory>([gatesExtensionFactory] as ExtensionFactory[]),
  };
}
