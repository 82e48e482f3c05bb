import { z } from 'zod';
import { SYSLOG_SEVERITY_NAMES } from '../../wire/syslog/syslog-severity.js';

/** syslog(3) priority keywords, in journalctl's spelling, indexed by number. */
export const PRIORITY_NAMES = SYSLOG_SEVERITY_NAMES;

const prioritySchema = z
  .union([z.enum(PRIORITY_NAMES), z.number().int().min(0).max(7)])
  .transform((p) => (typeof p === 'number' ? p : PRIORITY_NAMES.indexOf(p)))
  .describe('Least important priority taken, as a keyword (emerg ... debug) or 0-7: "info" takes 0 to 6 and leaves out debug.');

export const journaldReceiverConfigSchema = z
  .strictObject({
    directory: z.string().min(1).optional().describe('Read the journal files in this directory (journalctl --directory) instead of the system journal.'),
    files: z
      .array(z.string().min(1))
      .default([])
      .describe('Read these journal files (journalctl --file; globs allowed) instead of the system journal.'),
    units: z.array(z.string().min(1)).default([]).describe('Only entries of these systemd units (journalctl --unit); empty takes all.'),
    identifiers: z
      .array(z.string().min(1))
      .default([])
      .describe('Only entries with these SYSLOG_IDENTIFIERs (journalctl --identifier); empty takes all.'),
    priority: prioritySchema.default(6),
    start_at: z
      .enum(['end', 'beginning'])
      .default('end')
      .describe('Where to start when there is no saved cursor: "end" takes only new entries, "beginning" everything in the journal.'),
    storage_directory: z
      .string()
      .min(1)
      .optional()
      .describe('Directory holding the saved cursor (one JSON file per receiver); default $STATE_DIRECTORY/checkpoints, else data/checkpoints.'),
    journalctl_path: z.string().min(1).default('journalctl').describe('The journalctl program, a name looked up on PATH or a path.'),
  })
  .refine((c) => !(c.directory !== undefined && c.files.length > 0), 'set at most one of directory and files')
  .describe('Follows the systemd journal through journalctl and turns each entry into a log record.');

export type JournaldReceiverConfig = z.output<typeof journaldReceiverConfigSchema>;
