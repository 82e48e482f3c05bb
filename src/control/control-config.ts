import { z } from 'zod';
import { endpointSchema } from '../config/endpoint.js';
import { serverTlsSchema } from '../config/tls.js';

export const controlAuthSchema = z
  .strictObject({
    read_token: z.string().min(1).optional().describe('Bearer token for reads (list, get, evaluations, decisions, Argo Rollouts reads). Use ${env:VAR}.'),
    write_token: z
      .string()
      .min(1)
      .optional()
      .describe('Bearer token for writes (open, evaluate, close, abort, the Flagger webhooks, Argo Rollouts calls that open a gate); it also grants reads.'),
  })
  .refine((a) => a.read_token === undefined || a.write_token === undefined || a.read_token !== a.write_token, {
    message: 'read_token and write_token must differ, or a reader could write',
    path: ['write_token'],
  })
  .refine((a) => a.read_token === undefined || a.write_token !== undefined, {
    message: 'set write_token too: with only a read token, reads would be guarded and writes open',
    path: ['write_token'],
  })
  .describe('Bearer-token authentication. Without a token for a level, that level is open to anyone who can reach the endpoint.');

export const controlConfigSchema = z
  .strictObject({
    endpoint: endpointSchema.prefault('127.0.0.1:4320').describe('HTTP/JSON control API: /v1/gates, /v1/decisions, /v1/argo-rollouts, /v1/flagger, /openapi.json.'),
    grpc: z
      .strictObject({
        endpoint: endpointSchema.prefault('127.0.0.1:4321').describe('gRPC control API, corrgate.v1.GateService (proto/corrgate/v1/gate_service.proto).'),
      })
      .optional()
      .describe('The same operations over gRPC; on when the key is present (even empty).'),
    tls: serverTlsSchema.optional().describe('TLS (and mTLS with client_ca_file) for both the HTTP and the gRPC control API.'),
    auth: controlAuthSchema.prefault({}),
    max_request_size: z.number().int().positive().default(1_048_576).describe('Largest request body in bytes (a gate spec); larger ones get 413.'),
  })
  .optional()
  .describe('The control API deploy tools, pipelines and people use to open gates and read decisions (docs/integrations.md); on when the key is present (even empty).');

export type ControlConfig = NonNullable<z.infer<typeof controlConfigSchema>>;
export type ControlAuthConfig = z.infer<typeof controlAuthSchema>;
