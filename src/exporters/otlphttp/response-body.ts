import type { Signal } from '../../model/batch.js';
import { decodeRpcStatus } from '../../wire/grpc/rpc-status.js';
import type { PartialSuccess } from '../../wire/otlp/export-result.js';
import { decodeResponseJson } from '../../wire/otlp/json-responses.js';
import { decodeLogsResponse, decodeTracesResponse } from '../../wire/otlp/protobuf-responses.js';

// OTLP/HTTP answers in the encoding named by its own Content-Type, which need not match the request's.

const FULL_SUCCESS: PartialSuccess = Object.freeze({ rejected: 0, errorMessage: '' });

/** The longest error text kept for a log line, so a proxy's HTML error page does not flood the log. */
const MAX_MESSAGE = 512;

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * The partial success of a 2xx answer. A body that cannot be read counts as full success: the
 * status already says the data was accepted, and retrying would duplicate it.
 */
export function readPartialSuccess(signal: Signal, contentType: string | undefined, body: Buffer): PartialSuccess {
  if (body.length === 0) return FULL_SUCCESS;
  const type = mediaType(contentType);
  try {
    if (type === 'application/x-protobuf') return signal === 'traces' ? decodeTracesResponse(body) : decodeLogsResponse(body);
    if (type === 'application/json') return decodeResponseJson(body.toString('utf8'), signal);
  } catch {
    return FULL_SUCCESS;
  }
  return FULL_SUCCESS;
}

/** A short reason from an error answer: the google.rpc.Status message when there is one, else the text. */
export function readErrorMessage(contentType: string | undefined, body: Buffer): string {
  if (body.length === 0) return '';
  const type = mediaType(contentType);
  try {
    if (type === 'application/x-protobuf') return clip(decodeRpcStatus(body).message);
    if (type === 'application/json') {
      const message = field(JSON.parse(body.toString('utf8')), 'message');
      if (typeof message === 'string') return clip(message);
    }
  } catch {
    // Not the Status the spec asks for; fall through to the raw text.
  }
  return clip(body.toString('utf8').trim());
}

function field(obj: unknown, name: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[name] : undefined;
}

function clip(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}
