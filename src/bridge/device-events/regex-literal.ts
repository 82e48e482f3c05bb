// Rule files write regular expressions as `/pattern/flags`, the form engineers already read in
// vendor docs and JavaScript; plain strings stay exact values, so an interface name or an OID never
// needs escaping.

const LITERAL = /^\/(.*)\/([a-z]*)$/s;

/** Flags that keep state between calls (lastIndex) would make a shared rule match differently per record. */
const STATEFUL_FLAGS = /[gy]/;

export interface RegexSource {
  readonly pattern: string;
  readonly flags: string;
}

/** The pattern and flags of a `/pattern/flags` string, or undefined when the string is not written that way. */
export function parseRegexLiteral(text: string): RegexSource | undefined {
  const m = LITERAL.exec(text);
  return m ? { pattern: m[1]!, flags: m[2]! } : undefined;
}

/** Builds the RegExp, or throws an Error whose message says what is wrong with it. */
export function buildRegex(source: RegexSource): RegExp {
  if (STATEFUL_FLAGS.test(source.flags)) throw new Error(`flags "g" and "y" are not allowed (in /${source.pattern}/${source.flags})`);
  try {
    return new RegExp(source.pattern, source.flags);
  } catch (err) {
    throw new Error(`invalid regular expression /${source.pattern}/${source.flags}: ${(err as Error).message}`);
  }
}

/** The names of the named groups a RegExp defines, whether or not a given match fills them. */
export function groupNames(regex: RegExp): string[] {
  // An empty alternative always matches the empty string, and `groups` then lists every name.
  const probe = new RegExp(`(?:${regex.source})|`, regex.flags).exec('');
  return probe?.groups ? Object.keys(probe.groups) : [];
}
