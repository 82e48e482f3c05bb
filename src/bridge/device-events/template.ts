import type { AnyValue, Attributes } from '../../model/attributes.js';
import { getAttribute } from '../../model/attributes.js';

// Extraction templates are split into parts once, when rules compile, so rendering one for a
// record is a few lookups and one string join.

export type TemplatePart =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'group'; readonly name: string }
  | { readonly kind: 'attribute'; readonly key: string }
  | { readonly kind: 'resource'; readonly key: string };

export interface CompiledTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

/** What a template may read: the named groups of the rule's regexes, the record and its resource. */
export interface TemplateContext {
  readonly groups: Readonly<Record<string, string | undefined>>;
  readonly attributes: Attributes;
  readonly resource: Attributes;
}

const REFERENCE = /^(?:(attr|resource):(.+)|([A-Za-z_$][\w$]*))$/;

/**
 * Parses `text` with `${group}`, `${attr:key}` and `${resource:key}` references; `$$` is a literal
 * `$`. `knownGroups` are the group names the rule's regexes define: naming another is an error
 * found at start-up, not a value silently missing from every record.
 */
export function compileTemplate(text: string, knownGroups: ReadonlySet<string>): CompiledTemplate {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '$') {
      literal += '$';
      i += 2;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) throw new Error(`unterminated "\${" in template "${text}"`);
      const ref = REFERENCE.exec(text.slice(i + 2, end));
      if (!ref) throw new Error(`"\${${text.slice(i + 2, end)}}" is not a reference: use \${group}, \${attr:key} or \${resource:key}`);
      if (literal !== '') parts.push({ kind: 'literal', text: literal });
      literal = '';
      if (ref[1] === 'attr') parts.push({ kind: 'attribute', key: ref[2]! });
      else if (ref[1] === 'resource') parts.push({ kind: 'resource', key: ref[2]! });
      else {
        const name = ref[3]!;
        if (!knownGroups.has(name)) {
          const known = knownGroups.size > 0 ? `the rule's regexes define ${[...knownGroups].join(', ')}` : 'the rule has no regex with named groups';
          throw new Error(`template "${text}" names group "${name}", but ${known}`);
        }
        parts.push({ kind: 'group', name });
      }
      i = end + 1;
      continue;
    }
    literal += c;
    i++;
  }
  if (literal !== '') parts.push({ kind: 'literal', text: literal });
  return { source: text, parts };
}

/** An attribute as text for templates and conditions: scalars only, since a list has no one value. */
export function scalarText(value: AnyValue | undefined): string | undefined {
  if (!value) return undefined;
  switch (value.type) {
    case 'string':
      return value.value;
    case 'int':
      return value.value.toString();
    case 'double':
    case 'bool':
      return String(value.value);
    default:
      return undefined;
  }
}

/** The rendered text, or undefined when a referenced value is missing or the result is empty. */
export function renderTemplate(template: CompiledTemplate, ctx: TemplateContext): string | undefined {
  const parts = template.parts;
  if (parts.length === 1) return nonEmpty(partText(parts[0]!, ctx));
  let out = '';
  for (const part of parts) {
    const text = partText(part, ctx);
    if (text === undefined) return undefined;
    out += text;
  }
  return nonEmpty(out);
}

function partText(part: TemplatePart, ctx: TemplateContext): string | undefined {
  switch (part.kind) {
    case 'literal':
      return part.text;
    case 'group':
      return ctx.groups[part.name];
    case 'attribute':
      return scalarText(getAttribute(ctx.attributes, part.key));
    case 'resource':
      return scalarText(getAttribute(ctx.resource, part.key));
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}
