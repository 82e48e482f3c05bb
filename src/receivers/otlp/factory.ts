import type { Component, ComponentSettings, ReceiverConsumers, ReceiverFactory } from '../../pipeline/component.js';
import { loadServerTls } from '../../config/tls.js';
import { decodeLogsRequest } from '../../wire/otlp/protobuf-logs-decoder.js';
import { encodeLogsResponse, encodeTracesResponse } from '../../wire/otlp/protobuf-responses.js';
import { decodeTracesRequest } from '../../wire/otlp/protobuf-traces-decoder.js';
import { GrpcServer } from './grpc-server.js';
import { MAX_RECV_MIB_TO_BYTES, otlpReceiverConfigSchema } from './config.js';
import type { OtlpReceiverConfig } from './config.js';
import { OtlpHttpServer } from './http-server.js';
import { OtlpIngest } from './otlp-ingest.js';

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

/** The `otlp` receiver: one instance serves every pipeline that names it, over gRPC and HTTP. */
export class OtlpReceiver implements Component {
  private readonly ingest: OtlpIngest;
  grpc: GrpcServer | undefined;
  http: OtlpHttpServer | undefined;
  private started = false;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: OtlpReceiverConfig,
    consumers: ReceiverConsumers,
  ) {
    this.ingest = new OtlpIngest(settings.id, consumers, settings.metrics);
  }

  async start(): Promise<void> {
    const { grpc, http } = this.config.protocols;
    // TLS files are read before anything listens, so an unreadable key fails start-up cleanly.
    const grpcTls = grpc?.tls ? loadServerTls(grpc.tls) : undefined;
    const httpTls = http?.tls ? loadServerTls(http.tls) : undefined;
    this.started = true;
    if (grpc) {
      const ingest = this.ingest;
      const routes = new Map<string, (message: Buffer) => Promise<Uint8Array>>();
      const timed = (handle: (message: Buffer) => Promise<Uint8Array>) => async (message: Buffer) => {
        const started = process.hrtime.bigint();
        try {
          return await handle(message);
        } finally {
          ingest.observeDuration(started, 'grpc');
        }
      };
      if (ingest.serves('traces')) {
        routes.set(TRACE_EXPORT_PATH, timed(async (msg) => encodeTracesResponse(await ingest.export('traces', 'grpc', decodeTracesRequest(msg)))));
      }
      if (ingest.serves('logs')) {
        routes.set(LOGS_EXPORT_PATH, timed(async (msg) => encodeLogsResponse(await ingest.export('logs', 'grpc', decodeLogsRequest(msg)))));
      }
      this.grpc = new GrpcServer({
        host: grpc.endpoint.host,
        port: grpc.endpoint.port,
        ...(grpcTls ? { tls: grpcTls } : {}),
        maxRecvMsgBytes: Math.floor(grpc.max_recv_msg_size_mib * MAX_RECV_MIB_TO_BYTES),
        ...(grpc.auth ? { bearerToken: grpc.auth.bearer_token } : {}),
        routes,
        unimplemented: [METRICS_EXPORT_PATH, ...[TRACE_EXPORT_PATH, LOGS_EXPORT_PATH].filter((p) => !routes.has(p))],
        onFailedRequest: (reason) => ingest.failedRequest('grpc', reason),
      });
      const addr = await this.grpc.start();
      this.settings.logger.info({ endpoint: `${addr.host}:${addr.port}`, tls: Boolean(grpcTls) }, 'OTLP/gRPC receiver listening');
    }
    if (http) {
      this.http = new OtlpHttpServer({
        endpoint: http.endpoint,
        maxRequestBodySize: http.max_request_body_size,
        paths: { traces: http.traces_url_path, logs: http.logs_url_path },
        ...(httpTls ? { tls: httpTls } : {}),
        ...(http.auth ? { bearerToken: http.auth.bearer_token } : {}),
        ingest: this.ingest,
      });
      const addr = await this.http.start();
      this.settings.logger.info({ endpoint: `${addr.host}:${addr.port}`, tls: Boolean(httpTls) }, 'OTLP/HTTP receiver listening');
    }
  }

  /** Stops listening and lets requests in flight finish; what they hand on is in the pipeline queue by then. */
  async shutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all([this.grpc?.shutdown(), this.http?.shutdown()]);
  }
}

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  signals: ['traces', 'logs'],
  configSchema: otlpReceiverConfigSchema,
  create: (settings, config, consumers) => new OtlpReceiver(settings, config, consumers),
};
