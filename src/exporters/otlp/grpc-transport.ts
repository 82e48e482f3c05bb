import * as grpc from '@grpc/grpc-js';
import type { Batch } from '../../model/batch.js';
import { PermanentError } from '../../pipeline/errors.js';
import { decodeRetryInfoDelayMs, decodeRpcStatus } from '../../wire/grpc/rpc-status.js';
import type { PartialSuccess } from '../../wire/otlp/export-result.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../wire/otlp/protobuf-encoder.js';
import { decodeLogsResponse, decodeTracesResponse } from '../../wire/otlp/protobuf-responses.js';
import { ERR_EXPORT_REJECTED, TransientExportError } from '../export-errors.js';
import type { ExportTransport } from '../export-transport.js';
import { loadTlsMaterial } from '../tls-config.js';
import type { OtlpExporterConfig } from './config.js';

export const TRACES_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

// grpc-js's CompressionAlgorithms enum value for gzip.
const GZIP = 2;

// OTLP's list of gRPC codes worth retrying; RESOURCE_EXHAUSTED joins them only with RetryInfo.
const RETRYABLE_CODES: ReadonlySet<grpc.status> = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

export interface GrpcExportRequest {
  readonly signal: Batch['signal'];
  readonly body: Buffer;
}

/**
 * OTLP/gRPC through a generic grpc-js Client: the request is already protobuf bytes from our
 * encoder, so the method is called with identity (de)serializers and no generated stubs.
 */
export class GrpcExportTransport implements ExportTransport<GrpcExportRequest> {
  private client: grpc.Client | undefined;
  private readonly metadata = new grpc.Metadata();

  constructor(private readonly config: OtlpExporterConfig) {
    for (const [key, value] of Object.entries(config.headers)) this.metadata.set(key, value);
  }

  async open(): Promise<void> {
    if (this.client !== undefined) return;
    const { tls } = this.config;
    let credentials: grpc.ChannelCredentials;
    if (tls.insecure) {
      credentials = grpc.credentials.createInsecure();
    } else {
      const m = await loadTlsMaterial(tls);
      credentials = grpc.credentials.createSsl(m.ca ?? null, m.key ?? null, m.cert ?? null, {
        rejectUnauthorized: !tls.insecure_skip_verify,
      });
    }
    const options: grpc.ChannelOptions = {};
    if (this.config.compression === 'gzip') options['grpc.default_compression_algorithm'] = GZIP;
    if (tls.server_name_override !== '') {
      options['grpc.ssl_target_name_override'] = tls.server_name_override;
      options['grpc.default_authority'] = tls.server_name_override;
    }
    this.client = new grpc.Client(this.config.endpoint, credentials, options);
  }

  async encode(batch: Batch): Promise<GrpcExportRequest> {
    const bytes = batch.signal === 'traces' ? encodeTracesRequest(batch) : encodeLogsRequest(batch);
    return { signal: batch.signal, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  send(request: GrpcExportRequest, signal: AbortSignal): Promise<PartialSuccess> {
    const client = this.client;
    if (client === undefined) return Promise.reject(new TransientExportError('gRPC client is closed', undefined));
    const traces = request.signal === 'traces';
    const timeout = this.config.timeout;
    return new Promise<PartialSuccess>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = client.makeUnaryRequest<Buffer, Buffer>(
        traces ? TRACES_EXPORT_PATH : LOGS_EXPORT_PATH,
        identity,
        identity,
        request.body,
        this.metadata.clone(),
        { deadline: timeout > 0 ? Date.now() + timeout : Infinity },
        (err, response) => {
          signal.removeEventListener('abort', onAbort);
          if (err) {
            reject(classify(err));
            return;
          }
          if (response === undefined || response.length === 0) {
            resolve({ rejected: 0, errorMessage: '' });
            return;
          }
          try {
            resolve(traces ? decodeTracesResponse(response) : decodeLogsResponse(response));
          } catch {
            // The call succeeded: an unreadable response body cannot un-deliver the data.
            resolve({ rejected: 0, errorMessage: '' });
          }
        },
      );
      if (signal.aborted) call.cancel();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.client?.close();
    this.client = undefined;
  }
}

function identity(b: Buffer): Buffer {
  return b;
}

function classify(err: grpc.ServiceError): Error {
  const name = grpc.status[err.code] ?? String(err.code);
  const message = `gRPC ${name}: ${err.details}`;
  const delayMs = retryDelay(err.metadata);
  if (RETRYABLE_CODES.has(err.code) || (err.code === grpc.status.RESOURCE_EXHAUSTED && delayMs !== undefined)) {
    return new TransientExportError(message, delayMs, { cause: err });
  }
  return new PermanentError(ERR_EXPORT_REJECTED, message, { cause: err });
}

function retryDelay(metadata: grpc.Metadata | undefined): number | undefined {
  const raw = metadata?.get('grpc-status-details-bin')[0];
  if (!(raw instanceof Buffer)) return undefined;
  try {
    return decodeRetryInfoDelayMs(decodeRpcStatus(raw).details);
  } catch {
    // A malformed hint must not turn a retryable failure into a crash; fall back to backoff.
    return undefined;
  }
}
