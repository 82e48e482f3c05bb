import { z } from 'zod';
import { endpointSchema } from '../../config/endpoint.js';
import { serverTlsSchema } from '../../config/tls.js';

// The keys and their layout are the OpenTelemetry Collector's syslog receiver's, so a collector
// config moves over unchanged where the features overlap.

const KIB = 1024;

/**
 * 64 KiB, not the collector's 1 MiB: it holds any UDP datagram (at most 65,507 bytes of payload)
 * and eight times the 8,192 octets RFC 5425 asks receivers to handle, while bounding what one
 * stalled TCP connection can make corrgate hold. Set 1MiB for the collector's limit.
 */
export const DEFAULT_MAX_LOG_SIZE = 64 * KIB;

const UNIT_BYTES: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1000, kib: KIB, mb: 1000 * 1000, mib: KIB * KIB };

/** A size in bytes, as a number or as the collector writes one ("64KiB", "1MiB", "8000B"). */
const byteSizeSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  let bytes: number;
  if (typeof value === 'number') {
    bytes = value;
  } else {
    const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(value);
    const unit = m ? UNIT_BYTES[m[2]!.toLowerCase()] : undefined;
    if (!m || unit === undefined) {
      ctx.addIssue({ code: 'custom', message: `bad size "${value}": expected bytes, e.g. 65536, "64KiB" or "1MiB"` });
      return z.NEVER;
    }
    bytes = Number(m[1]) * unit;
  }
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64 * KIB * KIB) {
    ctx.addIssue({ code: 'custom', message: `size ${bytes} is out of range: between 16 bytes and 64MiB` });
    return z.NEVER;
  }
  return bytes;
});

const timeZoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone known to this Node.js (e.g. "UTC", "Europe/Berlin")');

const udpSchema = z.strictObject({
  listen_address: endpointSchema.prefault('127.0.0.1:5514').describe('host:port the UDP socket binds to (514 is the standard port and needs privileges).'),
  max_log_size: byteSizeSchema
    .default(DEFAULT_MAX_LOG_SIZE)
    .describe('Largest datagram in bytes (or "64KiB"); a larger one is dropped and counted as a bad frame (too_large). Default 64KiB.'),
});

const tcpSchema = z.strictObject({
  listen_address: endpointSchema.prefault('127.0.0.1:5514').describe('host:port the TCP (or TLS) server listens on (RFC 6587; 6514 is the standard TLS port).'),
  max_log_size: byteSizeSchema
    .default(DEFAULT_MAX_LOG_SIZE)
    .describe(
      'Largest message in bytes (or "64KiB", "1MiB"); a larger frame is skipped and counted as a bad frame (too_large), its neighbours are kept. ' +
        'Default 64KiB, where the collector uses 1MiB: enough for any device, and it bounds what one connection holds.',
    ),
  tls: serverTlsSchema
    .optional()
    .describe('Serve syslog over TLS (RFC 5425) instead of plain TCP; with client_ca_file, clients must present a certificate (mTLS).'),
});

// As with the otlp receiver's protocols, a transport key that is present (even empty, `udp:`)
// turns that transport on with its defaults.
export const syslogReceiverConfigSchema = z
  .strictObject({
    protocol: z
      .enum(['auto', 'rfc5424', 'rfc3164'])
      .default('auto')
      .describe('Message format: auto tells RFC 5424, RFC 3164 and known vendor formats apart per message; rfc5424 or rfc3164 expect that one.'),
    location: timeZoneSchema
      .default('UTC')
      .describe('IANA time zone for timestamps that carry no offset (RFC 3164 and most vendor formats), e.g. "Europe/Berlin".'),
    udp: udpSchema
      .nullable()
      .transform((v) => v ?? udpSchema.parse({}))
      .optional()
      .describe('Receive one message per UDP datagram (RFC 5426); on when the key is present, even empty.'),
    tcp: tcpSchema
      .nullable()
      .transform((v) => v ?? tcpSchema.parse({}))
      .optional()
      .describe('Receive over TCP, octet-counted or LF-ended frames told apart per frame (RFC 6587), or TLS with `tls` (RFC 5425); on when the key is present.'),
  })
  .refine((c) => c.udp !== undefined || c.tcp !== undefined, 'enable at least one of udp and tcp')
  .describe('Receives syslog (RFC 5424, RFC 3164 and vendor formats) over UDP, TCP and TLS and turns each message into a log record.');

export type SyslogReceiverConfig = z.output<typeof syslogReceiverConfigSchema>;
export type SyslogUdpConfig = z.output<typeof udpSchema>;
export type SyslogTcpConfig = z.output<typeof tcpSchema>;
