import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { formatZodIssues } from '../../config/zod-issues.js';
import { compileRule, RuleCompileError } from './rule-compiler.js';
import type { CompiledRule } from './rule-compiler.js';
import { ruleFileSchema, ruleSchema } from './rule-schema.js';
import type { RuleFileSpec, RuleSpec } from './rule-schema.js';
import { RuleSet } from './rule-set.js';

// Turns rule files and inline rules into one RuleSet, in priority order, and reports every
// problem at once with the file, the rule (index and name) and the field, so a bad rule is fixed
// in one round trip instead of found by records that silently never match.

/** A problem found while loading rules; `path` is where it belongs in the processor's config. */
export interface RuleIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface RuleSources {
  /** Inline rules: tried first. */
  readonly inline: readonly unknown[];
  /** User rule files, tried after inline rules, in the order listed. */
  readonly files: readonly string[];
  /** Shipped rule files, tried last, so any user rule can override them. */
  readonly builtinFiles: readonly string[];
}

interface LoadedRule {
  readonly spec: RuleSpec;
  readonly source: string;
  readonly vendor: string | undefined;
  /** Where to report a problem with this rule. */
  readonly path: readonly (string | number)[];
  /** How the rule is named in messages: `FILE: rules[2] "cisco-link-down"`, or `rule "name"` inline. */
  readonly label: string;
  readonly builtin: boolean;
}

const ruleLabel = (index: number, name: unknown): string => (typeof name === 'string' ? `rules[${index}] "${name}"` : `rules[${index}]`);
/** Inline rules are reported under their config path (rules[i]) already, so the label is only the name. */
const inlineLabel = (name: unknown): string => (typeof name === 'string' ? `rule "${name}"` : 'rule');

/** Parses and validates one rule file; issues read `FILE: rules[i] "name": field: problem`. */
export function readRuleFile(file: string): { readonly spec?: RuleFileSpec; readonly issues: readonly string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { issues: [`${file}: cannot read the rules file: ${(err as Error).message}`] };
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    return { issues: [`${file}: not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`] };
  }
  const parsed = ruleFileSchema.safeParse(raw ?? {});
  if (parsed.success) return { spec: parsed.data, issues: [] };
  const rawRules = (raw as { rules?: unknown } | null)?.rules;
  const nameAt = (i: number): unknown => (Array.isArray(rawRules) ? (rawRules[i] as { name?: unknown } | undefined)?.name : undefined);
  const issues = formatZodIssues('', parsed.error).map(
    (line) => `${file}: ${line.replace(/^rules\[(\d+)\](\.|:)/, (_, i: string, sep: string) => `${ruleLabel(Number(i), nameAt(Number(i)))}:${sep === '.' ? ' ' : ''}`)}`,
  );
  return { issues };
}

/** Loads, validates and compiles every rule; the RuleSet is present only when there were no issues. */
export function loadRuleSet(sources: RuleSources): { readonly ruleSet?: RuleSet; readonly issues: readonly RuleIssue[] } {
  const issues: RuleIssue[] = [];
  const loaded: LoadedRule[] = [];

  sources.inline.forEach((raw, i) => {
    const parsed = ruleSchema.safeParse(raw);
    const name = (raw as { name?: unknown } | null)?.name;
    if (!parsed.success) {
      for (const line of formatZodIssues('', parsed.error)) issues.push({ path: ['rules', i], message: `${inlineLabel(name)}: ${line}` });
      return;
    }
    loaded.push({ spec: parsed.data, source: 'rules', vendor: undefined, path: ['rules', i], label: inlineLabel(name), builtin: false });
  });

  const addFile = (file: string, path: readonly (string | number)[], builtin: boolean) => {
    const { spec, issues: fileIssues } = readRuleFile(file);
    for (const message of fileIssues) issues.push({ path, message });
    spec?.rules.forEach((rule, i) =>
      loaded.push({ spec: rule, source: file, vendor: spec.vendor, path, label: `${file}: ${ruleLabel(i, rule.name)}`, builtin }),
    );
  };
  sources.files.forEach((file, i) => addFile(file, ['rules_files', i], false));
  for (const file of sources.builtinFiles) addFile(file, ['builtin_rules'], true);

  // A user rule named like a shipped one replaces it; two user rules (or two shipped rules) may
  // not share a name, since device.event.rule must say which rule fired.
  const userNames = new Map<string, LoadedRule>();
  const builtinNames = new Map<string, LoadedRule>();
  const effective: LoadedRule[] = [];
  for (const rule of loaded) {
    const seen = rule.builtin ? builtinNames : userNames;
    const first = seen.get(rule.spec.name);
    if (first) {
      issues.push({ path: rule.path, message: `${rule.label}: name: "${rule.spec.name}" is already the name of ${first.label}` });
      continue;
    }
    seen.set(rule.spec.name, rule);
    if (rule.builtin && userNames.has(rule.spec.name)) continue;
    effective.push(rule);
  }

  const compiled: CompiledRule[] = [];
  effective.forEach((rule, order) => {
    try {
      compiled.push(compileRule(rule.spec, { order, source: rule.source, defaultVendor: rule.vendor }));
    } catch (err) {
      if (!(err instanceof RuleCompileError)) throw err;
      issues.push({ path: rule.path, message: `${rule.label}: ${err.message}` });
    }
  });

  return issues.length > 0 ? { issues } : { ruleSet: new RuleSet(compiled), issues };
}
