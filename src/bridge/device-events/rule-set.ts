import { getAttribute, int, str } from '../../model/attributes.js';
import type { Attributes, KeyValue } from '../../model/attributes.js';
import type { LogRecord } from '../../model/log-record.js';
import { EVENT_NAME_KEY, RULE_NAME_KEY, VENDOR_KEY } from './rule-compiler.js';
import type { CompiledRule, Condition } from './rule-compiler.js';
import { renderTemplate, scalarText } from './template.js';
import type { TemplateContext } from './template.js';

export interface RuleMatch {
  readonly rule: CompiledRule;
  readonly groups: Readonly<Record<string, string | undefined>>;
}

export interface AppliedRule {
  readonly rule: CompiledRule;
  /** A new record; the one passed in is left as it was. */
  readonly record: LogRecord;
}

const NO_GROUPS: Readonly<Record<string, string | undefined>> = Object.freeze({});
const INTEGER = /^[+-]?\d+$/;

/**
 * The compiled rules, indexed for matching. A record's values for the few index attributes
 * (syslog.mnemonic, snmp.trap.oid, ...) are read in one pass over its attributes, each looked up
 * in a map to the rules written for that value; only those, plus the rules that have no exact
 * condition to index by, are tried. The lowest-ordered matching rule wins.
 */
export class RuleSet {
  private readonly index = new Map<string, Map<string, CompiledRule[]>>();
  private readonly indexKeys: readonly string[];
  private readonly unkeyed: readonly CompiledRule[];
  /** Reused per record: matching is synchronous, so one scratch array serves every call. */
  private readonly scratch: (string | undefined)[];

  constructor(readonly rules: readonly CompiledRule[]) {
    const unkeyed: CompiledRule[] = [];
    const sorted = [...rules].sort((a, b) => a.order - b.order);
    for (const rule of sorted) {
      if (!rule.indexKey) {
        unkeyed.push(rule);
        continue;
      }
      let byValue = this.index.get(rule.indexKey.key);
      if (!byValue) this.index.set(rule.indexKey.key, (byValue = new Map()));
      for (const value of new Set(rule.indexKey.values)) {
        const list = byValue.get(value);
        if (list) list.push(rule);
        else byValue.set(value, [rule]);
      }
    }
    this.indexKeys = [...this.index.keys()];
    this.unkeyed = unkeyed;
    this.scratch = new Array<string | undefined>(this.indexKeys.length);
  }

  get size(): number {
    return this.rules.length;
  }

  /** The winning rule and the named groups its regexes captured, or undefined. */
  match(record: LogRecord, resource: Attributes): RuleMatch | undefined {
    const attributes = record.attributes;
    const keys = this.indexKeys;
    const values = this.scratch;
    values.fill(undefined);
    if (keys.length > 0) {
      for (const kv of attributes) {
        const slot = keys.length === 1 ? (kv.key === keys[0] ? 0 : -1) : keys.indexOf(kv.key);
        if (slot >= 0) values[slot] = scalarText(kv.value); // later duplicates win, as in getAttribute
      }
    }
    let best: RuleMatch | undefined;
    for (let k = 0; k < keys.length; k++) {
      const value = values[k];
      if (value === undefined) continue;
      const candidates = this.index.get(keys[k]!)!.get(value);
      if (candidates) best = firstMatch(candidates, record, attributes, resource, best);
    }
    return firstMatch(this.unkeyed, record, attributes, resource, best);
  }

  /** A new record carrying the event attributes when a rule matches; undefined leaves the record as is. */
  apply(record: LogRecord, resource: Attributes): AppliedRule | undefined {
    const m = this.match(record, resource);
    if (!m) return undefined;
    return { rule: m.rule, record: withEvent(record, m, resource) };
  }
}

/** The first rule in `rules` (sorted by order) that matches and beats `best`, else `best`. */
function firstMatch(
  rules: readonly CompiledRule[],
  record: LogRecord,
  attributes: Attributes,
  resource: Attributes,
  best: RuleMatch | undefined,
): RuleMatch | undefined {
  for (const rule of rules) {
    if (best && rule.order >= best.rule.order) return best;
    const groups = tryRule(rule, record, attributes, resource);
    if (groups) return { rule, groups };
  }
  return best;
}

function tryRule(rule: CompiledRule, record: LogRecord, attributes: Attributes, resource: Attributes): Record<string, string | undefined> | undefined {
  let groups: Record<string, string | undefined> | undefined;
  for (const c of rule.attributes) {
    const g = holds(c, attributes);
    if (g === false) return undefined;
    if (g !== true) groups = Object.assign(groups ?? {}, g);
  }
  for (const c of rule.resource) {
    const g = holds(c, resource);
    if (g === false) return undefined;
    if (g !== true) groups = Object.assign(groups ?? {}, g);
  }
  if (rule.body) {
    if (record.body.type !== 'string') return undefined;
    const m = rule.body.exec(record.body.value);
    if (!m) return undefined;
    if (m.groups) groups = Object.assign(groups ?? {}, m.groups);
  }
  return groups ?? NO_GROUPS;
}

/** false when the condition fails; true, or the regex's named groups, when it holds. */
function holds(c: Condition, attrs: Attributes): boolean | Record<string, string | undefined> {
  const text = scalarText(getAttribute(attrs, c.key));
  if (text === undefined) return false;
  switch (c.kind) {
    case 'exact':
      return text === c.value;
    case 'any':
      return c.values.includes(text);
    case 'regex': {
      const m = c.regex.exec(text);
      if (!m) return false;
      return m.groups ?? true;
    }
  }
}

function withEvent(record: LogRecord, m: RuleMatch, resource: Attributes): LogRecord {
  const { rule } = m;
  const original = record.attributes;
  const added: KeyValue[] = [
    { key: EVENT_NAME_KEY, value: str(rule.event) },
    { key: RULE_NAME_KEY, value: str(rule.name) },
  ];
  if (rule.vendor !== undefined) added.push({ key: VENDOR_KEY, value: str(rule.vendor) });
  const ctx: TemplateContext = { groups: m.groups, attributes: original, resource };
  for (const x of rule.extract) {
    for (const template of x.templates) {
      const text = renderTemplate(template, ctx);
      if (text === undefined) continue;
      if (x.type === 'int') {
        if (!INTEGER.test(text)) continue;
        added.push({ key: x.key, value: int(BigInt(text)) });
      } else {
        added.push({ key: x.key, value: str(text) });
      }
      break;
    }
  }
  // A key the rule sets replaces any earlier value, so each key appears once on the record.
  const attributes: KeyValue[] = [];
  for (const kv of original) if (!added.some((a) => a.key === kv.key)) attributes.push(kv);
  for (const kv of added) attributes.push(kv);
  // Fields are listed one by one: decoders may define attributes as a getter on a prototype,
  // which a spread would not copy.
  return {
    timeUnixNano: record.timeUnixNano,
    observedTimeUnixNano: record.observedTimeUnixNano,
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: record.body,
    attributes,
    droppedAttributesCount: record.droppedAttributesCount,
    flags: record.flags,
    traceId: record.traceId,
    spanId: record.spanId,
    // The log data model's EventName field says the same as event.name for newer consumers; a
    // name the sender set is kept.
    eventName: record.eventName !== '' ? record.eventName : rule.event,
  };
}
