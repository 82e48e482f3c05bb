// Timestamps are nanoseconds since the Unix epoch as bigint: a float64 cannot hold today's
// nanosecond timestamps exactly (they pass 2^53), and OTLP round trips must be lossless.

export type UnixNanos = bigint;

export const NANOS_PER_MILLI = 1_000_000n;

export function nanosToMillis(ns: UnixNanos): number {
  return Number(ns / NANOS_PER_MILLI);
}

export function millisToNanos(ms: number): UnixNanos {
  return BigInt(Math.trunc(ms)) * NANOS_PER_MILLI;
}

export function nowNanos(): UnixNanos {
  return millisToNanos(Date.now());
}
