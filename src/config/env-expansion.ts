// The collector's `${env:NAME}` syntax (and the older bare `${NAME}`), with `${env:NAME:-default}`.
// `$$` stands for a literal dollar. An unset variable without a default is an error, naming it,
// rather than an empty string that would surface later as a confusing validation message.

const PATTERN = /\$\$|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function expandEnv(text: string, env: NodeJS.ProcessEnv, path: string, issues: string[]): string {
  return text.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    if (value !== undefined) return value;
    if (fallback !== undefined) return fallback;
    issues.push(`${path}: environment variable ${name} is not set`);
    return '';
  });
}

/** Expands every string scalar in a parsed YAML tree. Keys are left alone, as the collector does. */
export function expandEnvDeep(value: unknown, env: NodeJS.ProcessEnv, path: string, issues: string[]): unknown {
  if (typeof value === 'string') return expandEnv(value, env, path, issues);
  if (Array.isArray(value)) return value.map((v, i) => expandEnvDeep(v, env, `${path}[${i}]`, issues));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnvDeep(v, env, path ? `${path}.${k}` : k, issues);
    return out;
  }
  return value;
}
