import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';
import { configSection } from '../config-section.js';
import { retryConfigSchema } from '../retry.js';
import { sendingQueueConfigSchema } from '../sending-queue.js';
import { tlsClientConfigSchema } from '../tls-config.js';

// Keys and defaults of the Collector's otlp exporter (exporter/otlpexporter), so configs carry over.

// gRPC metadata: keys are lower-cased on the wire and "-bin" keys would need binary values.
const METADATA_KEY = /^[0-9a-zA-Z_.-]+$/;
const METADATA_VALUE = /^[\x20-\x7e]*$/;

export const otlpExporterConfigSchema = configSection(
  z.strictObject({
    endpoint: z
      .string({ error: 'endpoint is required: host:port of an OTLP/gRPC receiver, e.g. "collector:4317"' })
      .min(1, 'endpoint is required: host:port of an OTLP/gRPC receiver, e.g. "collector:4317"')
      .refine((e) => !/^https?:\/\//i.test(e), {
        message: 'endpoint is host:port without a scheme; use tls.insecure to choose plaintext or TLS',
      })
      .describe('host:port of the OTLP/gRPC receiver (any gRPC target such as dns:///host:port also works).'),
    tls: tlsClientConfigSchema.prefault({}).describe('TLS settings; TLS is used unless tls.insecure is true.'),
    headers: z
      .record(
        z.string().regex(METADATA_KEY, 'header names may hold only letters, digits, "_", "." and "-"').refine((k) => !k.toLowerCase().endsWith('-bin'), {
          message: 'binary ("-bin") metadata is not supported in headers',
        }),
        z.string().regex(METADATA_VALUE, 'header values must be printable ASCII'),
      )
      .default({})
      .describe('gRPC metadata sent with every export, e.g. an authorization token.'),
    compression: z.enum(['gzip', 'none']).default('gzip').describe('Message compression (default gzip).'),
    timeout: durationSchema.default(5_000).describe('Deadline of each export call (default "5s"); "0s" sets none.'),
    retry_on_failure: retryConfigSchema.prefault({}).describe('Backoff for retryable failures.'),
    sending_queue: sendingQueueConfigSchema.prefault({}).describe('The bounded queue in front of the senders.'),
  }),
);

export type OtlpExporterConfig = z.output<typeof otlpExporterConfigSchema>;
