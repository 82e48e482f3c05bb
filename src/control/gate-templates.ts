import { readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GateSpecError, parseGateSpec } from '../gates/gate-spec.js';

// A gate template is what a deploy tool does not know: the rules, baseline kind, scoring and
// interval of a gate. Argo Rollouts and Flagger name a template and give the scope (service,
// versions or deployments) and the window's length; corrgate builds the gate spec from both. A
// template file is a gate spec without `id` and `scope` (and `window` holds only `duration`, the
// default length), so everything docs/gates.md says about rules holds for it.

export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** The template used when a caller names none, and the one always available as `canary`. */
export const BUILTIN_CANARY_TEMPLATE: Readonly<Record<string, unknown>> = Object.freeze({
  window: { duration: '10m' },
  interval: '30s',
  min_samples: 50,
  scoring: { pass: 90, marginal: 75 },
  rules: [
    { name: 'errors-vs-stable', measure: 'two_proportion', confidence: 0.95, min_difference: 0.01, weight: 3 },
    { name: 'latency-vs-stable', measure: 'mann_whitney', confidence: 0.98, effect_size_floor: 0.25, weight: 3 },
    { name: 'error-ratio-ceiling', measure: 'error_ratio', threshold: { max: 0.05 }, critical: true },
    { name: 'p99-vs-stable', measure: 'latency_p99', relative: { max_increase_ratio: 1.2, max_increase_delta: 25 } },
    { name: 'no-failure-chains', measure: 'chains', threshold: { max: 0 } },
  ],
});

export const DEFAULT_TEMPLATE = 'canary';
const DEFAULT_DURATION = '10m';

/** A template's stand-ins while it is checked on its own: a real gate replaces all of them. */
const PROBE = { id: 'template-check', scope: { services: ['template-check'] }, baseline: { kind: 'stable_version', versions: ['stable'] } };

function templateFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Problems with one template document, as `path: problem` lines (empty when it is usable). */
export function templateIssues(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['expected a gate spec without id and scope'];
  const t = doc as Record<string, unknown>;
  const issues: string[] = [];
  for (const key of ['id', 'scope']) if (key in t) issues.push(`${key}: a template has none; the caller gives it`);
  const window = t.window;
  if (window !== undefined) {
    if (typeof window !== 'object' || window === null || Array.isArray(window)) issues.push('window: expected { duration }');
    else for (const key of Object.keys(window)) if (key !== 'duration') issues.push(`window.${key}: a template gives only window.duration (the default length)`);
  }
  if (issues.length > 0) return issues;
  try {
    parseGateSpec({ ...PROBE, ...t, window: { duration: (window as { duration?: string } | undefined)?.duration ?? DEFAULT_DURATION } }, Date.now());
  } catch (err) {
    if (err instanceof GateSpecError) return [...err.issues];
    return [(err as Error).message];
  }
  return [];
}

function readTemplate(path: string): unknown {
  return parseYaml(readFileSync(path, 'utf8'), { uniqueKeys: true });
}

export const gateTemplatesDirSchema = z
  .string()
  .min(1)
  .optional()
  .describe('Directory of gate templates (NAME.yaml: a gate spec without id and scope) that Argo Rollouts and Flagger name with `template`; the built-in `canary` is used when they name none.')
  .superRefine((dir, ctx) => {
    if (dir === undefined) return;
    let files: string[];
    try {
      files = templateFiles(dir);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read directory "${dir}": ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return;
    }
    for (const file of files) {
      const name = basename(file, extname(file));
      if (!TEMPLATE_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', message: `${file}: a template's file name must match [a-z0-9][a-z0-9._-]*.yaml` });
        continue;
      }
      let issues: string[];
      try {
        issues = templateIssues(readTemplate(file));
      } catch (err) {
        issues = [(err as Error).message];
      }
      if (issues.length > 0) ctx.addIssue({ code: 'custom', message: `${file}: ${issues.join('; ')}` });
    }
  });

/** What a deploy tool says about the gate it wants; the template says the rest. */
export interface TemplateScope {
  readonly id: string;
  readonly scope: Record<string, unknown>;
  /** Baseline from the caller (the stable version or deployment); without it, the template's. */
  readonly baseline?: Record<string, unknown>;
  /** Window length ("10m"); without it, the template's, else 10m. */
  readonly duration?: string;
}

export class GateTemplates {
  private constructor(private readonly templates: ReadonlyMap<string, Readonly<Record<string, unknown>>>) {}

  /** The built-in canary template, overridden and added to by the files of `dir`. */
  static load(dir: string | undefined): GateTemplates {
    const templates = new Map<string, Readonly<Record<string, unknown>>>([[DEFAULT_TEMPLATE, BUILTIN_CANARY_TEMPLATE]]);
    if (dir !== undefined) for (const file of templateFiles(dir)) templates.set(basename(file, extname(file)), readTemplate(file) as Record<string, unknown>);
    return new GateTemplates(templates);
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  /** The gate document for a template and a caller's scope; parseGateSpec validates it, naming any field. */
  document(name: string | undefined, caller: TemplateScope): Record<string, unknown> {
    const template = this.templates.get(name ?? DEFAULT_TEMPLATE);
    if (template === undefined) throw new Error(`no gate template "${name}" (known: ${this.names().join(', ')})`);
    const { window, ...rest } = template as { window?: { duration?: string } } & Record<string, unknown>;
    return {
      ...rest,
      id: caller.id,
      scope: caller.scope,
      window: { start: 'now', duration: caller.duration ?? window?.duration ?? DEFAULT_DURATION },
      ...(caller.baseline !== undefined ? { baseline: caller.baseline } : {}),
    };
  }
}
