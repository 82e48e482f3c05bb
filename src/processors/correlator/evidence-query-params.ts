import { parseDuration } from '../../config/duration.js';
import type { EvidenceQuery } from '../../correlator/correlator.js';
import type { ScopeSelector } from '../../correlator/scope-selector.js';

export class QueryParamError extends Error {}

/** `now`, `now-15m`, `-15m`, `now+1m`, epoch milliseconds, or an RFC 3339 timestamp. */
export function parseTime(text: string, nowMs: number, param: string): number {
  const t = text.trim();
  if (t === 'now') return nowMs;
  const rel = /^(?:now)?([-+])(.+)$/.exec(t);
  if (rel) {
    try {
      const d = parseDuration(rel[2]!);
      return rel[1] === '-' ? nowMs - d : nowMs + d;
    } catch (err) {
      throw new QueryParamError(`${param}: ${(err as Error).message}`);
    }
  }
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new QueryParamError(`${param}: "${text}" is not a time (use now, now-15m, now+1m, epoch ms or RFC 3339)`);
  return ms;
}

function list(params: URLSearchParams, name: string): string[] | undefined {
  const values = params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return values.length > 0 ? values : undefined;
}

function flag(params: URLSearchParams, name: string): boolean | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  if (v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new QueryParamError(`${name}: expected true or false, got "${v}"`);
}

const KNOWN = new Set(['service', 'namespace', 'environment', 'version', 'host', 'device', 'include_dependencies', 'include_dependents', 'from', 'to', 'exemplars']);

/** GET /v1/evidence parameters -> an EvidenceQuery; unknown parameters are errors, as unknown config keys are. */
export function evidenceQueryFromParams(params: URLSearchParams, nowMs: number): EvidenceQuery {
  for (const key of params.keys()) {
    if (!KNOWN.has(key) && !key.startsWith('attr.')) throw new QueryParamError(`unknown parameter "${key}"`);
  }
  const scope: ScopeSelector = {};
  const services = list(params, 'service');
  if (services) scope.services = services;
  const versions = list(params, 'version');
  if (versions) scope.versions = versions;
  const hosts = list(params, 'host');
  if (hosts) scope.hosts = hosts;
  const devices = list(params, 'device');
  if (devices) scope.devices = devices;
  const namespace = params.get('namespace');
  if (namespace) scope.namespace = namespace;
  const environment = params.get('environment');
  if (environment) scope.environment = environment;
  const deps = flag(params, 'include_dependencies');
  if (deps !== undefined) scope.includeDependencies = deps;
  const dependents = flag(params, 'include_dependents');
  if (dependents !== undefined) scope.includeDependents = dependents;
  const attributes: Record<string, string> = {};
  for (const [k, v] of params) if (k.startsWith('attr.')) attributes[k.slice(5)] = v;
  if (Object.keys(attributes).length > 0) scope.attributes = attributes;
  const endMs = parseTime(params.get('to') ?? 'now', nowMs, 'to');
  const startMs = parseTime(params.get('from') ?? 'now-15m', nowMs, 'from');
  if (!(startMs < endMs)) throw new QueryParamError('from must be before to');
  const exemplars = params.get('exemplars');
  const maxExemplars = exemplars === null ? 10 : Number(exemplars);
  if (!Number.isInteger(maxExemplars) || maxExemplars < 0 || maxExemplars > 100) throw new QueryParamError('exemplars: expected an integer from 0 to 100');
  return { scope, startMs, endMs, maxExemplars };
}
