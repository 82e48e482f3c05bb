import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';
import { configSection } from '../config-section.js';
import { retryConfigSchema } from '../retry.js';
import { sendingQueueConfigSchema } from '../sending-queue.js';
import { tlsClientConfigSchema } from '../tls-config.js';

// Keys and defaults of the Collector's otlphttp exporter (exporter/otlphttpexporter).

const httpUrl = (what: string) =>
  z
    .string()
    .default('')
    .refine((s) => s === '' || isHttpUrl(s), { message: `${what} must be an http:// or https:// URL` });

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const otlpHttpExporterConfigSchema = configSection(
  z.strictObject({
    endpoint: httpUrl('endpoint').describe('Base URL of an OTLP/HTTP receiver; /v1/traces and /v1/logs are appended.'),
    traces_endpoint: httpUrl('traces_endpoint').describe('Full URL for traces, used as is instead of endpoint + /v1/traces.'),
    logs_endpoint: httpUrl('logs_endpoint').describe('Full URL for logs, used as is instead of endpoint + /v1/logs.'),
    tls: tlsClientConfigSchema
      .prefault({})
      .describe('TLS settings for https:// URLs (tls.insecure is ignored: the scheme decides).'),
    headers: z
      .record(
        z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'header names must be HTTP tokens'),
        z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values must not hold control characters'),
      )
      .default({})
      .describe('HTTP headers sent with every export, e.g. an authorization token.'),
    compression: z.enum(['gzip', 'none']).default('gzip').describe('Request body compression (default gzip).'),
    encoding: z.enum(['proto', 'json']).default('proto').describe('Request body encoding: OTLP protobuf or OTLP/JSON (default proto).'),
    timeout: durationSchema.default(30_000).describe('Deadline of each export request (default "30s"); "0s" sets none.'),
    retry_on_failure: retryConfigSchema.prefault({}).describe('Backoff for retryable failures.'),
    sending_queue: sendingQueueConfigSchema.prefault({}).describe('The bounded queue in front of the senders.'),
  })
    .refine((c) => c.endpoint !== '' || c.traces_endpoint !== '' || c.logs_endpoint !== '', {
      message: 'endpoint is required (or traces_endpoint / logs_endpoint), e.g. "http://collector:4318"',
      path: ['endpoint'],
    }),
);

export type OtlpHttpExporterConfig = z.output<typeof otlpHttpExporterConfigSchema>;

/** The URL each signal is posted to; undefined when the config names none for it. */
export function signalUrl(config: OtlpHttpExporterConfig, signal: 'traces' | 'logs'): URL | undefined {
  const explicit = signal === 'traces' ? config.traces_endpoint : config.logs_endpoint;
  if (explicit !== '') return new URL(explicit);
  if (config.endpoint === '') return undefined;
  const base = config.endpoint.endsWith('/') ? config.endpoint.slice(0, -1) : config.endpoint;
  return new URL(`${base}/v1/${signal}`);
}
