import { z } from 'zod';
import type { AnyFactory } from '../pipeline/component.js';
import type { FactoryRegistry } from './load-config.js';
import { pipelineSchema, telemetrySchema } from './service-config.js';

// The configuration reference in docs/ is generated from the same schemas that validate config,
// so the documentation cannot drift from what corrgate accepts (a test compares the two).

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  enum?: unknown[];
  default?: unknown;
  description?: string;
}

interface Row {
  readonly key: string;
  readonly type: string;
  readonly fallback: string;
  readonly description: string;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).filter((t) => t !== 'null').join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object' && !s.properties && typeof s.additionalProperties === 'object') return `map of ${typeOf(s.additionalProperties)}`;
  if (s.type === 'integer' || s.type === 'number') return 'number';
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}

function formatDefault(v: unknown): string {
  if (v === undefined) return '';
  if (v === null || (typeof v === 'object' && Object.keys(v as object).length === 0)) return '';
  return `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
}

function objectOf(s: JsonSchema): JsonSchema | undefined {
  if (s.properties) return s;
  return s.anyOf?.find((a) => a.properties);
}

function collect(schema: JsonSchema, prefix: string, rows: Row[]): void {
  const obj = objectOf(schema);
  if (!obj) return;
  for (const [key, prop] of Object.entries(obj.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    // Required within its section: a key of an optional section is required once the section is written.
    const required = (obj.required ?? []).includes(key) && prop.default === undefined;
    const nested = objectOf(prop);
    rows.push({
      key: path,
      type: nested ? 'section' : typeOf(prop),
      fallback: required ? '**required**' : nested ? '' : formatDefault(prop.default),
      description: (prop.description ?? nested?.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' '),
    });
    if (nested) collect(nested, path, rows);
  }
}

function table(schema: z.ZodType, prefix: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: Row[] = [];
  collect(json, prefix, rows);
  const lines = ['| key | type | default | meaning |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| \`${r.key}\` | ${r.type} | ${r.fallback} | ${r.description} |`);
  return lines.join('\n');
}

function section(kind: string, factory: AnyFactory): string {
  const description = (z.toJSONSchema(factory.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema).description;
  const signals = 'signals' in factory ? `Signals: ${factory.signals.join(', ')}.` : 'Runs beside the pipelines (list it in service.extensions).';
  return [`### ${kind} \`${factory.type}\``, '', `${signals}${description ? ` ${description}` : ''}`, '', table(factory.configSchema, `${kind}s.${factory.type}`)].join('\n');
}

/** The Markdown reference of every key corrgate accepts, with types, defaults and meanings. */
export function renderConfigReference(registry: FactoryRegistry): string {
  const parts = ['## Service', '', table(telemetrySchema, 'service.telemetry'), '', '### Pipelines', '', table(pipelineSchema, 'service.pipelines.<signal>[/<name>]')];
  const kinds: [string, ReadonlyMap<string, AnyFactory>][] = [
    ['receiver', registry.receivers],
    ['processor', registry.processors],
    ['exporter', registry.exporters],
    ['extension', registry.extensions],
  ];
  for (const [kind, factories] of kinds) {
    for (const factory of [...factories.values()].sort((a, b) => a.type.localeCompare(b.type))) parts.push('', section(kind, factory));
  }
  return `${parts.join('\n')}\n`;
}
