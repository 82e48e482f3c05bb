import { z } from 'zod';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port` as the collector writes endpoints (`[::1]:4317` for IPv6, `:4317` for all interfaces). */
export function parseEndpoint(text: string): Endpoint | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return `"${text}" is not host:port`;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range (0-65535)`;
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]!);
  return { host, port };
}

export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

export const endpointSchema = z.string().transform((text, ctx) => {
  const parsed = parseEndpoint(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: `bad endpoint: ${parsed}` });
    return z.NEVER;
  }
  return parsed;
});
