import type { JournaldReceiverConfig } from './config.js';

/**
 * The journalctl arguments that follow the journal from `cursor` (exclusive), or from where
 * `start_at` says when there is no cursor yet.
 *
 * - `--merge`: in follow mode journalctl otherwise shows only the newest boot (systemd 252 adds an
 *   implicit `--boot`), which skips older boots' entries, entries from other machines in a
 *   directory of remote journals, and everything after the next boot of a journal being read.
 * - `--all`: journalctl otherwise prints fields over 4096 bytes as null.
 * - `--output=json`: one entry per line; binary fields come as arrays of byte values.
 */
export function journalctlArgs(config: JournaldReceiverConfig, cursor: string | undefined): string[] {
  const args = ['--output=json', '--follow', '--merge', '--all', '--quiet', '--no-pager'];
  if (config.directory !== undefined) args.push(`--directory=${config.directory}`);
  for (const file of config.files) args.push(`--file=${file}`);
  for (const unit of config.units) args.push(`--unit=${unit}`);
  for (const id of config.identifiers) args.push(`--identifier=${id}`);
  // journalctl --priority=N means 0..N; leaving debug (7) out of the filter when N is 7 keeps
  // entries that have no PRIORITY field at all, which a filter would drop.
  if (config.priority < 7) args.push(`--priority=${config.priority}`);
  if (cursor !== undefined) args.push(`--after-cursor=${cursor}`);
  else args.push(config.start_at === 'beginning' ? '--lines=all' : '--lines=0');
  return args;
}
