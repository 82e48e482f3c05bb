import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CorrgateError, ERR_STARTUP } from '../pipeline/errors.js';

// The Collector's client-side TLS keys (configtls.ClientConfig), so that an exporter's tls block
// can be copied from a Collector config unchanged.

export const tlsClientConfigSchema = z
  .strictObject({
    insecure: z
      .boolean()
      .default(false)
      .describe('otlp (gRPC): connect in plaintext when true. otlphttp ignores it: the URL scheme (http or https) decides.'),
    insecure_skip_verify: z.boolean().default(false).describe('Use TLS but do not verify the server certificate.'),
    ca_file: z.string().default('').describe('PEM file with the CA certificates to verify the server with; empty uses the system roots.'),
    cert_file: z.string().default('').describe('PEM client certificate for mutual TLS; requires key_file.'),
    key_file: z.string().default('').describe('PEM private key of cert_file.'),
    server_name_override: z.string().default('').describe('Name to verify the server certificate against (and send as SNI) instead of the endpoint host.'),
  })
  .refine((c) => (c.cert_file === '') === (c.key_file === ''), {
    message: 'cert_file and key_file must be set together',
  });

export type TlsClientConfig = z.output<typeof tlsClientConfigSchema>;

export interface TlsMaterial {
  readonly ca: Buffer | undefined;
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
}

/** Reads the configured PEM files; a missing or unreadable file fails start-up with its path. */
export async function loadTlsMaterial(config: TlsClientConfig): Promise<TlsMaterial> {
  const read = async (key: string, path: string): Promise<Buffer | undefined> => {
    if (path === '') return undefined;
    try {
      return await readFile(path);
    } catch (err) {
      throw new CorrgateError(ERR_STARTUP, `tls.${key} ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  const [ca, cert, key] = await Promise.all([
    read('ca_file', config.ca_file),
    read('cert_file', config.cert_file),
    read('key_file', config.key_file),
  ]);
  return { ca, cert, key };
}
