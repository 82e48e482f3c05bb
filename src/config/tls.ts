import { accessSync, constants, readFileSync } from 'node:fs';
import { z } from 'zod';

/** A path the service will read at start-up; checked when the config is validated, so a typo fails early. */
export const readableFileSchema = z.string().min(1).superRefine((path, ctx) => {
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `cannot read file "${path}": ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
  }
});

export const serverTlsSchema = z
  .strictObject({
    cert_file: readableFileSchema.describe('PEM certificate chain the server presents.'),
    key_file: readableFileSchema.describe('PEM private key of the certificate.'),
    client_ca_file: readableFileSchema.optional().describe('PEM CA bundle; when set, clients must present a certificate it signed (mTLS).'),
  })
  .describe('TLS for a listening server, as the collector configures it.');

export type ServerTlsConfig = z.infer<typeof serverTlsSchema>;

export interface ServerTlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
}

/** Reads the files named by the config; throws an Error naming the file that could not be read. */
export function loadServerTls(config: ServerTlsConfig): ServerTlsMaterial {
  const read = (key: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`tls.${key}: cannot read "${path}": ${(err as Error).message}`);
    }
  };
  const material: { cert: Buffer; key: Buffer; clientCa?: Buffer } = {
    cert: read('cert_file', config.cert_file),
    key: read('key_file', config.key_file),
  };
  if (config.client_ca_file) material.clientCa = read('client_ca_file', config.client_ca_file);
  return material;
}
