import { RetryableError } from '../pipeline/errors.js';

// How a transport tells the retry loop what a failed attempt means. A retryable failure may carry
// the destination's own idea of when to come back (gRPC RetryInfo, HTTP Retry-After), which then
// replaces the exporter's backoff for that one wait.

export const ERR_EXPORT_TRANSIENT = 'CORRGATE_ERR_EXPORT_TRANSIENT';
export const ERR_EXPORT_REJECTED = 'CORRGATE_ERR_EXPORT_REJECTED';
export const ERR_EXPORT_GAVE_UP = 'CORRGATE_ERR_EXPORT_GAVE_UP';
export const ERR_NOT_STARTED = 'CORRGATE_ERR_NOT_STARTED';

export class TransientExportError extends RetryableError {
  constructor(
    message: string,
    /** The delay the destination asked for, in milliseconds; undefined when it named none. */
    readonly serverDelayMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(ERR_EXPORT_TRANSIENT, message, serverDelayMs ?? 0, options);
    this.name = 'TransientExportError';
  }
}
