import type { Signal } from '../../model/batch.js';
import type { PartialSuccess } from './export-result.js';
import { DecodeError } from './export-result.js';
import { atPath, isObject, readObject, readString, readUint64, toDecodeError } from './json-common.js';

// Export responses and google.rpc.Status bodies in OTLP/JSON. A full success is `{}`: the spec
// says a server sets partial_success only when something was rejected or there is a warning.

const REJECTED_KEY: Record<Signal, string> = { traces: 'rejectedSpans', logs: 'rejectedLogRecords' };

function encodeResponse(p: PartialSuccess, signal: Signal): string {
  if (p.rejected === 0 && p.errorMessage === '') return '{}';
  const partialSuccess: Record<string, unknown> = {};
  if (p.rejected !== 0) partialSuccess[REJECTED_KEY[signal]] = String(p.rejected);
  if (p.errorMessage !== '') partialSuccess.errorMessage = p.errorMessage;
  return JSON.stringify({ partialSuccess });
}

/** ExportTraceServiceResponse. */
export function encodeTracesResponseJson(p: PartialSuccess): string {
  return encodeResponse(p, 'traces');
}

/** ExportLogsServiceResponse. */
export function encodeLogsResponseJson(p: PartialSuccess): string {
  return encodeResponse(p, 'logs');
}

const FULL_SUCCESS: PartialSuccess = Object.freeze({ rejected: 0, errorMessage: '' });

/**
 * Reads an Export response from a server. An empty body counts as full success, since some
 * servers answer 200 with nothing; a body that is not a JSON object throws DecodeError.
 */
export function decodeResponseJson(text: string, signal: Signal): PartialSuccess {
  if (text.trim() === '') return FULL_SUCCESS;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(root)) throw new DecodeError('response: expected object');
  try {
    const ps = readObject(root, 'partialSuccess');
    if (ps === undefined) return FULL_SUCCESS;
    try {
      const rejected = readUint64(ps, REJECTED_KEY[signal]);
      return { rejected: Number(rejected), errorMessage: readString(ps, 'errorMessage') };
    } catch (err) {
      throw atPath(err, 'partialSuccess');
    }
  } catch (err) {
    throw toDecodeError(err);
  }
}

/**
 * A google.rpc.Status body, the error answer of OTLP/HTTP. `details` are google.protobuf.Any
 * messages in their JSON form (an "@type" key and the message's fields); they are written as given.
 */
export function encodeRpcStatusJson(code: number, message: string, details?: unknown[]): string {
  const status: Record<string, unknown> = { code, message };
  if (details !== undefined && details.length > 0) status.details = details;
  return JSON.stringify(status, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}
