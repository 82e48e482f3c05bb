import { z } from 'zod';

// Durations are written as the OpenTelemetry Collector writes them (Go's time.ParseDuration), so a
// config copied from a Collector keeps its meaning. A unit is required: a bare "5" could mean
// seconds to one reader and milliseconds to another.

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 MICRO SIGN, as Go accepts
  'μs': 1e-3, // U+03BC GREEK SMALL LETTER MU, as Go accepts
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Milliseconds in a Go-style duration such as "500ms", "5s", "1m30s", "1.5h" or "0s".
 * Negative durations are refused: nothing in corrgate's config waits a negative time.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '') throw new Error('invalid duration "": expected a number with a unit, e.g. "5s" or "500ms"');
  if (s.startsWith('-')) throw new Error(`invalid duration "${text}": must not be negative`);
  const body = s.startsWith('+') ? s.slice(1) : s;
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < body.length) {
    const at = PART.lastIndex;
    const m = PART.exec(body);
    if (m === null) {
      const rest = body.slice(at);
      const hint = /^\d+(\.\d*)?$/.test(rest) ? 'a unit is required (ns, us, ms, s, m, h)' : 'expected e.g. "5s", "500ms" or "1m30s"';
      throw new Error(`invalid duration "${text}": ${hint}`);
    }
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (body === '') throw new Error(`invalid duration "${text}": expected e.g. "5s", "500ms" or "1m30s"`);
  return ms;
}

/** A config field holding a duration string, parsed to milliseconds; the issue text says what was wrong. */
export const durationSchema = z
  .string({ error: 'expected a duration string with a unit, e.g. "5s", "500ms" or "1m30s"' })
  .transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
