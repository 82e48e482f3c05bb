/**
 * Milliseconds to wait from an HTTP Retry-After value: delay-seconds or an HTTP-date (RFC 9110
 * section 10.2.3). A date in the past means no wait; an unreadable value yields undefined, so the
 * exporter falls back to its own backoff.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // All three HTTP-date forms open with a day name; without that check Date.parse takes "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
