import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

// A small glob: "*" matches any run of characters and "?" one character, never across "/". It is
// what log paths need (/var/log/devices/*/*.log) and Node 20 has no fs.glob. Like a shell, a
// wildcard does not match a leading dot unless the pattern part starts with one.

const hasWildcard = (part: string) => /[*?]/.test(part);

function partToRegExp(part: string): RegExp {
  let re = '';
  for (const ch of part) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A compiled glob: `match` tests a path, `expand` lists the regular files that match now, sorted. */
export class Glob {
  private readonly parts: readonly string[];
  private readonly whole: RegExp;

  constructor(readonly pattern: string) {
    const absolute = resolve(pattern);
    this.parts = absolute.split(sep).filter((p) => p !== '');
    this.whole = new RegExp(`^/${this.parts.map((p) => partToRegExp(p).source.slice(1, -1)).join('/')}$`);
  }

  match(path: string): boolean {
    return this.whole.test(resolve(path));
  }

  async expand(): Promise<string[]> {
    let dirs = ['/'];
    const last = this.parts.length - 1;
    for (let i = 0; i <= last; i++) {
      const part = this.parts[i]!;
      const next: string[] = [];
      if (!hasWildcard(part)) {
        for (const d of dirs) next.push(join(d, part));
      } else {
        const re = partToRegExp(part);
        const dotOk = part.startsWith('.');
        for (const d of dirs) {
          let names: string[];
          try {
            names = await readdir(d);
          } catch {
            continue; // gone or unreadable: nothing there to match
          }
          for (const name of names) if ((dotOk || !name.startsWith('.')) && re.test(name)) next.push(join(d, name));
        }
      }
      dirs = next;
      if (dirs.length === 0) return [];
    }
    const files: string[] = [];
    for (const path of dirs) {
      try {
        if ((await stat(path)).isFile()) files.push(path);
      } catch {
        // missing or racing with a rotation; the next poll sees it
      }
    }
    return files.sort();
  }
}
