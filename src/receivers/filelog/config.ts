import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';

const globSchema = z
  .string()
  .min(1)
  .refine((g) => !g.includes('**'), '"**" is not supported: use one "*" per directory level');

const timeZoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. "UTC", "Europe/Berlin")');

// Key names and defaults follow the Collector's filelog receiver, so its configs carry over.
export const filelogReceiverConfigSchema = z
  .strictObject({
    include: z
      .array(globSchema)
      .min(1, 'include needs at least one path or glob')
      .describe('Files to tail: paths whose parts may hold "*" and "?" (not "**"), e.g. /var/log/devices/*.log.'),
    exclude: z.array(globSchema).default([]).describe('Paths or globs left out even when include matches them.'),
    start_at: z
      .enum(['end', 'beginning'])
      .default('end')
      .describe('Where to start in files found at the first start, before any position was saved; files that appear later are read from their beginning.'),
    poll_interval: durationSchema.default(200).describe('How often the globs are expanded and the files checked for new data (default "200ms").'),
    format: z
      .enum(['raw', 'syslog'])
      .default('raw')
      .describe('raw: each line is the body; syslog: each line is parsed as syslog (RFC 5424, RFC 3164 and vendor formats told apart per line).'),
    time_zone: timeZoneSchema
      .default('UTC')
      .describe('IANA time zone for syslog timestamps without an offset (RFC 3164 files as rsyslog writes them by default).'),
    encoding: z
      .enum(['utf-8', 'utf8', 'latin1', 'iso-8859-1', 'ascii'])
      .default('utf-8')
      .describe('Text encoding of the files.'),
    max_line_size: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024)
      .describe('Longest line in bytes (default 1 MiB); a longer line is cut to this size and counted as line_too_long.'),
    force_flush_period: durationSchema
      .default(500)
      .describe('How long a last line without its line feed waits to be completed before it is taken as it is (default "500ms"); "0s" waits for the line feed forever.'),
    fingerprint_size: z
      .number()
      .int()
      .min(16)
      .default(1024)
      .describe('Bytes at the start of a file that identify it, with its device and inode, across renames and restarts (default 1 KiB).'),
    include_file_name: z.boolean().default(true).describe('Add the attribute log.file.name (the file name).'),
    include_file_path: z.boolean().default(true).describe('Add the attribute log.file.path (the absolute path).'),
    storage_directory: z
      .string()
      .min(1)
      .optional()
      .describe('Directory holding the saved read positions (one JSON file per receiver); default $STATE_DIRECTORY/checkpoints, else data/checkpoints.'),
  })
  .describe('Tails log files (for example those rsyslog writes per device) through rotation and restarts.');

export type FilelogReceiverConfig = z.output<typeof filelogReceiverConfigSchema>;
