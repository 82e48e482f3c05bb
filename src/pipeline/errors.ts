// Errors are part of the interface: each has a stable code, and retryable refusals are a
// different type from permanent ones, because OTLP clients must treat them differently.

export class CorrgateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CorrgateError';
  }
}

/** The data was not taken, but the same request may succeed later (queue full, downstream busy). */
export class RetryableError extends CorrgateError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'RetryableError';
  }
}

/** The data can never be taken as sent (malformed, too large, refused by policy). */
export class PermanentError extends CorrgateError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PermanentError';
  }
}

export const ERR_QUEUE_FULL = 'CORRGATE_ERR_QUEUE_FULL';
export const ERR_SHUTTING_DOWN = 'CORRGATE_ERR_SHUTTING_DOWN';
export const ERR_DECODE = 'CORRGATE_ERR_DECODE';
export const ERR_CONFIG = 'CORRGATE_ERR_CONFIG';
export const ERR_STARTUP = 'CORRGATE_ERR_STARTUP';
