import type { Batch } from '../model/batch.js';
import type { PartialSuccess } from '../wire/otlp/export-result.js';

/**
 * The wire half of a network exporter. A batch is encoded once and the same request is sent on
 * every retry. `send` resolves with the destination's partial success, or rejects with a
 * TransientExportError (worth retrying) or a PermanentError (never).
 */
export interface ExportTransport<R> {
  /** Builds clients and reads key material; called from the exporter's start(). */
  open(): Promise<void>;
  /** Rejects with a PermanentError when the batch cannot be put on the wire at all. */
  encode(batch: Batch): Promise<R>;
  /** `signal` aborts at the shutdown deadline; the transport applies its own per-request timeout. */
  send(request: R, signal: AbortSignal): Promise<PartialSuccess>;
  /** Releases connections; the transport may be opened again afterwards. */
  close(): Promise<void>;
}
