import { CorrgateError, ERR_DECODE } from '../../pipeline/errors.js';

/**
 * What decoding one Export request yields: the records that can be accepted, and how many were
 * rejected alone (a bad trace or span ID) with a message, for OTLP partial success.
 */
export interface DecodeResult<B> {
  readonly batch: B;
  readonly rejected: number;
  /** Empty when nothing was rejected; otherwise says what and why, for partial_success.error_message. */
  readonly errorMessage: string;
}

/** The partial_success part of an Export response; rejected 0 and an empty message means full success. */
export interface PartialSuccess {
  readonly rejected: number;
  readonly errorMessage: string;
}

/** The payload as a whole cannot be decoded: HTTP 400 / gRPC INVALID_ARGUMENT. */
export class DecodeError extends CorrgateError {
  constructor(message: string) {
    super(ERR_DECODE, message);
    this.name = 'DecodeError';
  }
}
