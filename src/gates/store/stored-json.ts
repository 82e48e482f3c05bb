// Decisions hold numbers JSON cannot spell: a Mann-Whitney effect size is Infinity when the baseline
// median is 0 ms, and a value may be NaN. JSON.stringify would turn both into null, and a decision
// read back after a restart would then differ from the one reported. They are written as a tagged
// object and revived on the way back.

const TAG = '$number';

export function toStoredJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
}

export function fromStoredJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG) return Number((v as Record<string, string>)[TAG]);
    }
    return v;
  }) as T;
}

/** JSON with object keys sorted and arrays of strings sorted: equal scopes give equal text. */
export function canonicalJson(value: unknown): string {
  const normalise = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(normalise);
      return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
    }
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, normalise((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(normalise(value));
}
