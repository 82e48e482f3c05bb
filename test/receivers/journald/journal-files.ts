import { spawnSync } from 'node:child_process';

// Real journal files for tests, written by systemd-journal-remote from the Journal Export Format
// (text fields as NAME=value lines, binary ones as NAME, LF, 64-bit little-endian size, bytes).

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
export const BOOT_ID = '0123456789abcdef0123456789abcdef';

/** Field values; undefined leaves a default field out. */
export type ExportEntry = Record<string, string | Uint8Array | undefined>;

let clock = 1_700_000_000_000_000n; // µs, one second apart per entry

/** An entry with the address fields journalctl needs to order it and PRIORITY info; `fields` override them. */
export function entry(fields: ExportEntry): ExportEntry {
  clock += 1_000_000n;
  return { __REALTIME_TIMESTAMP: String(clock), __MONOTONIC_TIMESTAMP: String(clock - 1_600_000_000_000_000n), _BOOT_ID: BOOT_ID, PRIORITY: '6', ...fields };
}

export function exportFormat(entries: readonly ExportEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    for (const [name, value] of Object.entries(e)) {
      if (value === undefined) continue;
      if (typeof value === 'string') parts.push(Buffer.from(`${name}=${value}\n`));
      else {
        const size = Buffer.alloc(8);
        size.writeBigUInt64LE(BigInt(value.length));
        parts.push(Buffer.from(`${name}\n`), size, Buffer.from(value), Buffer.from('\n'));
      }
    }
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Appends the entries to the journal file at `path` (created when missing; the name must end in .journal). */
export function writeJournal(path: string, entries: readonly ExportEntry[]): void {
  const res = spawnSync(JOURNAL_REMOTE, [`--output=${path}`, '--split-mode=none', '-'], { input: exportFormat(entries) });
  if (res.status !== 0) throw new Error(`systemd-journal-remote failed (${res.status}): ${res.stderr.toString()}`);
}
