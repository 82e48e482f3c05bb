import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Signal } from '../model/batch.js';
import type { AnyFactory, ExporterFactory, ExtensionFactory, PipelineFactory, ProcessorFactory, ReceiverFactory } from '../pipeline/component.js';
import { ConfigError } from './config-error.js';
import { deepFreeze } from './deep-freeze.js';
import { expandEnvDeep } from './env-expansion.js';
import { topLevelSchema } from './service-config.js';
import type { ComponentConfig, PipelineSpec, ServiceConfig } from './service-config.js';
import { formatZodIssues } from './zod-issues.js';

export interface FactoryRegistry {
  readonly receivers: ReadonlyMap<string, ReceiverFactory>;
  readonly processors: ReadonlyMap<string, ProcessorFactory>;
  readonly exporters: ReadonlyMap<string, ExporterFactory>;
  readonly extensions: ReadonlyMap<string, ExtensionFactory>;
}

const COMPONENT_ID = /^([a-z][a-z0-9_]*)(?:\/([^/\s]+))?$/;
const PIPELINE_ID = /^(traces|logs|metrics)(?:\/([^/\s]+))?$/;

export function loadConfigFile(path: string, registry: FactoryRegistry, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the config file: ${(err as Error).message}`]);
  }
  return parseConfig(text, path, registry, env);
}

/** Parses, expands ${env:VAR}, validates every component with its own schema, resolves pipelines, then freezes. */
export function parseConfig(text: string, source: string, registry: FactoryRegistry, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new ConfigError(source, [`not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`]);
  }
  const issues: string[] = [];
  const expanded = expandEnvDeep(raw ?? {}, env, '', issues);
  const top = topLevelSchema.safeParse(expanded);
  if (!top.success) throw new ConfigError(source, [...issues, ...formatZodIssues('', top.error)]);

  const receivers = resolveSection('receivers', top.data.receivers ?? {}, registry.receivers, issues);
  const processors = resolveSection('processors', top.data.processors ?? {}, registry.processors, issues);
  const exporters = resolveSection('exporters', top.data.exporters ?? {}, registry.exporters, issues);
  const declaredExtensions = resolveSection('extensions', top.data.extensions ?? {}, registry.extensions, issues);
  const extensions = new Map<string, ComponentConfig<ExtensionFactory>>();
  top.data.service.extensions.forEach((id, i) => {
    const at = `service.extensions[${i}]`;
    if (extensions.has(id)) issues.push(`${at}: "${id}" is listed twice`);
    else if (!top.data.extensions || !Object.hasOwn(top.data.extensions, id)) issues.push(`${at}: "${id}" is not defined under extensions`);
    else if (declaredExtensions.has(id)) extensions.set(id, declaredExtensions.get(id)!);
  });

  const pipelines = new Map<string, PipelineSpec>();
  for (const [id, pipeline] of Object.entries(top.data.service.pipelines)) {
    const path = `service.pipelines.${id}`;
    const m = PIPELINE_ID.exec(id);
    if (!m) {
      issues.push(`${path}: pipeline ids are "traces", "logs" or "<signal>/<name>"`);
      continue;
    }
    if (m[1] === 'metrics') {
      issues.push(`${path}: metrics pipelines are not supported; corrgate takes traces and logs`);
      continue;
    }
    const signal = m[1] as Signal;
    checkRefs(`${path}.receivers`, pipeline.receivers, top.data.receivers, receivers, 'receivers', signal, issues);
    checkRefs(`${path}.processors`, pipeline.processors, top.data.processors, processors, 'processors', signal, issues);
    checkRefs(`${path}.exporters`, pipeline.exporters, top.data.exporters, exporters, 'exporters', signal, issues);
    pipelines.set(id, deepFreeze({ ...pipeline, id, signal }));
  }
  if (pipelines.size === 0 && issues.length === 0) issues.push('service.pipelines: at least one pipeline is required');
  if (issues.length > 0) throw new ConfigError(source, issues);

  return Object.freeze({ source, receivers, processors, exporters, extensions, pipelines, telemetry: deepFreeze(top.data.service.telemetry) });
}

function resolveSection<F extends AnyFactory>(
  section: string,
  entries: Record<string, unknown>,
  factories: ReadonlyMap<string, F>,
  issues: string[],
): Map<string, ComponentConfig<F>> {
  const out = new Map<string, ComponentConfig<F>>();
  for (const [id, rawConfig] of Object.entries(entries)) {
    const path = `${section}.${id}`;
    const m = COMPONENT_ID.exec(id);
    if (!m) {
      issues.push(`${path}: component ids are "<type>" or "<type>/<name>"`);
      continue;
    }
    const factory = factories.get(m[1]!);
    if (!factory) {
      const known = [...factories.keys()].sort().join(', ') || 'none';
      issues.push(`${path}: unknown ${section.slice(0, -1)} type "${m[1]}" (known: ${known})`);
      continue;
    }
    const parsed = factory.configSchema.safeParse(rawConfig ?? {});
    if (!parsed.success) {
      issues.push(...formatZodIssues(path, parsed.error));
      continue;
    }
    // The factory (and its schema) is shared code, not config: only the parsed config is frozen.
    out.set(id, Object.freeze({ id, factory, config: deepFreeze(parsed.data) }));
  }
  return out;
}

function checkRefs(
  path: string,
  ids: readonly string[],
  declared: Record<string, unknown> | null,
  defined: ReadonlyMap<string, ComponentConfig<PipelineFactory>>,
  section: string,
  signal: Signal,
  issues: string[],
): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const at = `${path}[${i}]`;
    if (seen.has(id)) issues.push(`${at}: "${id}" is listed twice`);
    seen.add(id);
    const component = defined.get(id);
    // A declared component whose own config failed has been reported already; say nothing more of it.
    if (!declared || !Object.hasOwn(declared, id)) issues.push(`${at}: "${id}" is not defined under ${section}`);
    else if (component && !component.factory.signals.includes(signal)) issues.push(`${at}: "${id}" does not support ${signal}`);
  });
}
