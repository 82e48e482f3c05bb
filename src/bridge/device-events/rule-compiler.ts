import { buildRegex, groupNames, parseRegexLiteral } from './regex-literal.js';
import type { ConditionSpec, RuleSpec } from './rule-schema.js';
import { compileTemplate } from './template.js';
import type { CompiledTemplate } from './template.js';

// Rules are compiled once at start-up: regexes built, templates split, the index key chosen.
// Nothing here runs per record.

export const EVENT_NAME_KEY = 'event.name';
export const RULE_NAME_KEY = 'device.event.rule';
export const VENDOR_KEY = 'device.event.vendor';
const RESERVED_OUTPUT_KEYS = new Set([EVENT_NAME_KEY, RULE_NAME_KEY, VENDOR_KEY]);

/**
 * Attributes that name one kind of message, in the order they are preferred as a rule's index key:
 * a lookup on them narrows thousands of rules to the few written for that message.
 */
export const PREFERRED_INDEX_KEYS: readonly string[] = ['syslog.mnemonic', 'snmp.trap.oid', 'syslog.field.logid'];

export type Condition =
  | { readonly kind: 'exact'; readonly key: string; readonly value: string }
  | { readonly kind: 'any'; readonly key: string; readonly values: readonly string[] }
  | { readonly kind: 'regex'; readonly key: string; readonly regex: RegExp };

export interface Extraction {
  readonly key: string;
  readonly type: 'string' | 'int';
  /** Tried in order; the first that renders (all its values present) is used. */
  readonly templates: readonly CompiledTemplate[];
}

export interface CompiledRule {
  /** Position in the effective rule list: lower wins when several rules match. */
  readonly order: number;
  readonly name: string;
  readonly event: string;
  readonly vendor: string | undefined;
  /** Where the rule came from (a file path, or "rules" for inline rules), for messages. */
  readonly source: string;
  readonly attributes: readonly Condition[];
  readonly resource: readonly Condition[];
  readonly body: RegExp | undefined;
  readonly extract: readonly Extraction[];
  /** The exact attribute condition the rule is indexed by; undefined puts it on the checked-always list. */
  readonly indexKey: { readonly key: string; readonly values: readonly string[] } | undefined;
}

/** A problem in one field of a rule; `field` is the path inside the rule ("match.body"). */
export class RuleCompileError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RuleCompileError';
  }
}

export interface CompileOptions {
  readonly order: number;
  readonly source: string;
  readonly defaultVendor?: string | undefined;
}

function compileConditions(map: Readonly<Record<string, ConditionSpec>> | undefined, field: string, groups: Set<string>): Condition[] {
  const out: Condition[] = [];
  for (const [key, spec] of Object.entries(map ?? {})) {
    if (Array.isArray(spec)) {
      out.push(spec.length === 1 ? { kind: 'exact', key, value: spec[0]! } : { kind: 'any', key, values: [...spec] });
      continue;
    }
    const literal = parseRegexLiteral(spec);
    if (!literal) {
      out.push({ kind: 'exact', key, value: spec });
      continue;
    }
    let regex: RegExp;
    try {
      regex = buildRegex(literal);
    } catch (err) {
      throw new RuleCompileError(`${field}.${key}`, (err as Error).message);
    }
    for (const g of groupNames(regex)) groups.add(g);
    out.push({ kind: 'regex', key, regex });
  }
  return out;
}

function chooseIndexKey(conditions: readonly Condition[]): CompiledRule['indexKey'] {
  const exact = conditions.filter((c): c is Exclude<Condition, { kind: 'regex' }> => c.kind !== 'regex');
  if (exact.length === 0) return undefined;
  const preferred = PREFERRED_INDEX_KEYS.map((k) => exact.find((c) => c.key === k)).find((c) => c !== undefined);
  const chosen = preferred ?? exact[0]!;
  return { key: chosen.key, values: chosen.kind === 'exact' ? [chosen.value] : chosen.values };
}

/** Compiles one validated rule; throws RuleCompileError naming the field at fault. */
export function compileRule(spec: RuleSpec, options: CompileOptions): CompiledRule {
  const groups = new Set<string>();
  const attributes = compileConditions(spec.match.attributes, 'match.attributes', groups);
  const resource = compileConditions(spec.match.resource, 'match.resource', groups);

  let body: RegExp | undefined;
  if (spec.match.body !== undefined) {
    try {
      body = buildRegex(parseRegexLiteral(spec.match.body) ?? { pattern: spec.match.body, flags: '' });
    } catch (err) {
      throw new RuleCompileError('match.body', (err as Error).message);
    }
    for (const g of groupNames(body)) groups.add(g);
  }

  const extract: Extraction[] = [];
  for (const [key, value] of Object.entries(spec.extract)) {
    const field = `extract.${key}`;
    if (RESERVED_OUTPUT_KEYS.has(key)) throw new RuleCompileError(field, `${key} is set by the processor itself and cannot be extracted`);
    const { sources, type } =
      typeof value === 'string' || Array.isArray(value)
        ? { sources: typeof value === 'string' ? [value] : value, type: 'string' as const }
        : { sources: typeof value.value === 'string' ? [value.value] : value.value, type: value.type };
    const templates = sources.map((s) => {
      try {
        return compileTemplate(s, groups);
      } catch (err) {
        throw new RuleCompileError(field, (err as Error).message);
      }
    });
    extract.push({ key, type, templates });
  }

  return {
    order: options.order,
    name: spec.name,
    event: spec.event,
    vendor: spec.vendor ?? options.defaultVendor,
    source: options.source,
    attributes,
    resource,
    body,
    extract,
    indexKey: chooseIndexKey(attributes),
  };
}
