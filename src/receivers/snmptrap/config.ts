import { z } from 'zod';
import { endpointSchema } from '../../config/endpoint.js';

export const AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type AuthProtocol = (typeof AUTH_PROTOCOLS)[number];

// AES-256 has no standard key localisation; net-snmp offers both variants in use, so both are named
// here as net-snmp names them (aes256b: Blumenthal, as Net-SNMP's AES-256; aes256r: Reeder, as Cisco).
// `aes256` alone is taken as the Blumenthal variant because that is what Net-SNMP's tools send.
export const PRIV_PROTOCOLS = ['des', 'aes', 'aes256', 'aes256b', 'aes256r'] as const;
export type PrivProtocol = (typeof PRIV_PROTOCOLS)[number];

// RFC 3414 section 11.2: passphrases shorter than 8 characters are not allowed, and Net-SNMP's
// tools refuse them too, so such a key could never match a real sender.
const passphrase = z.string().min(8, 'must be at least 8 characters (RFC 3414 11.2)');

const userSchema = z
  .strictObject({
    name: z.string().min(1).max(32).describe('USM user name (msgUserName), as the sender is configured (snmptrap -u).'),
    auth_protocol: z.enum(AUTH_PROTOCOLS).describe('Authentication digest: md5, sha (SHA-1), sha224, sha256, sha384 or sha512 (RFC 7860).'),
    auth_key: passphrase.describe('Authentication passphrase (snmptrap -A).'),
    priv_protocol: z
      .enum(PRIV_PROTOCOLS)
      .optional()
      .describe('Privacy cipher: des, aes (AES-128), aes256 or aes256b (AES-256, Blumenthal keys), aes256r (AES-256, Reeder keys). Absent: the user is authNoPriv.'),
    priv_key: passphrase.optional().describe('Privacy passphrase (snmptrap -X); required with priv_protocol.'),
  })
  .refine((u) => (u.priv_protocol === undefined) === (u.priv_key === undefined), 'set priv_protocol and priv_key together, or neither (authNoPriv)');

export type SnmpUserConfig = z.output<typeof userSchema>;

export const snmptrapReceiverConfigSchema = z
  .strictObject({
    listen_address: endpointSchema.prefault('127.0.0.1:9162').describe('host:port the UDP socket binds to (162 is the standard trap port and needs privileges).'),
    communities: z
      .array(z.string().min(1))
      .default(['public'])
      .describe('Communities accepted on v1 and v2c traps and informs; others are refused (reason unknown_community). Empty refuses all v1/v2c.'),
    users: z
      .array(userSchema)
      .default([])
      .refine((users) => new Set(users.map((u) => u.name)).size === users.length, 'user names must be unique')
      .describe('SNMPv3 USM users accepted; the security level is authPriv with priv_protocol, authNoPriv without. Others are refused.'),
    mib_dirs: z
      .array(z.string().min(1))
      .default([])
      .describe('Directories of MIB files (SMIv2 text) loaded after the MIBs net-snmp ships, to name trap and varbind OIDs.'),
    engine_id: z
      .string()
      .regex(/^(?:0x)?(?:[0-9a-fA-F]{2}){5,32}$/, 'must be 5 to 32 bytes of hex, 0x optional (RFC 3411 SnmpEngineID)')
      .transform((hex) => hex.replace(/^0x/, '').toLowerCase())
      .optional()
      .describe('This receiver\'s SNMPv3 engine ID as hex, for senders of v3 informs that are configured with it; default: a random one per start (senders discover it).'),
    receive_buffer_bytes: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('SO_RCVBUF of the UDP socket; raise it for bursts (the kernel caps it at net.core.rmem_max).'),
  })
  .describe('Receives SNMP v1, v2c and v3 traps and informs over UDP and turns each into a log record.');

export type SnmptrapReceiverConfig = z.output<typeof snmptrapReceiverConfigSchema>;
