import { z } from 'zod';
import { bearerAuthSchema } from '../../config/bearer-auth.js';
import { endpointSchema } from '../../config/endpoint.js';
import { serverTlsSchema } from '../../config/tls.js';

const MIB = 1024 * 1024;

const grpcSchema = z.strictObject({
  endpoint: endpointSchema.prefault('127.0.0.1:4317').describe('host:port the OTLP/gRPC server listens on.'),
  max_recv_msg_size_mib: z.number().positive().default(4).describe('Largest request message, after decompression, in MiB (the collector default, 4).'),
  tls: serverTlsSchema.optional(),
  auth: bearerAuthSchema.optional(),
});

const httpSchema = z.strictObject({
  endpoint: endpointSchema.prefault('127.0.0.1:4318').describe('host:port the OTLP/HTTP server listens on.'),
  max_request_body_size: z
    .number()
    .int()
    .positive()
    .default(20 * MIB)
    .describe('Largest request body in bytes, compressed or not (the collector default, 20 MiB); larger requests get 413.'),
  traces_url_path: z.string().startsWith('/').default('/v1/traces').describe('Path that takes POSTed traces.'),
  logs_url_path: z.string().startsWith('/').default('/v1/logs').describe('Path that takes POSTed logs.'),
  tls: serverTlsSchema.optional(),
  auth: bearerAuthSchema.optional(),
});

// As in the collector, a protocol key that is present (even empty, `grpc:`) enables that protocol
// with its defaults; a missing key leaves it off.
export const otlpReceiverConfigSchema = z
  .strictObject({
    protocols: z
      .strictObject({
        grpc: grpcSchema
          .nullable()
          .transform((v) => v ?? grpcSchema.parse({}))
          .optional()
          .describe('OTLP/gRPC (TraceService/Export, LogsService/Export); on when the key is present, even empty.'),
        http: httpSchema
          .nullable()
          .transform((v) => v ?? httpSchema.parse({}))
          .optional()
          .describe('OTLP/HTTP, protobuf and JSON; on when the key is present, even empty.'),
      })
      .describe('Which transports to serve; without a protocols key both are on with their defaults.')
      .prefault({ grpc: null, http: null })
      .refine((p) => p.grpc !== undefined || p.http !== undefined, 'enable at least one of grpc and http'),
  })
  .describe('Receives OTLP traces and logs over gRPC and HTTP (protobuf and JSON).');

export type OtlpReceiverConfig = z.infer<typeof otlpReceiverConfigSchema>;
export type OtlpGrpcConfig = z.infer<typeof grpcSchema>;
export type OtlpHttpConfig = z.infer<typeof httpSchema>;
export const MAX_RECV_MIB_TO_BYTES = MIB;
