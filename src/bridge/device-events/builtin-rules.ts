import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The shipped rules live in config/device-events/ at the package root. This file sits three
// folders below the root both as source (src/bridge/device-events/) under vitest and as built
// code (dist/bridge/device-events/), so one relative URL finds them in both.

export function builtinRulesDir(): string {
  return fileURLToPath(new URL('../../../config/device-events/', import.meta.url));
}

/** The shipped rule files, sorted by name so their order (and so rule priority) is stable. */
export function builtinRuleFiles(dir: string = builtinRulesDir()): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => join(dir, name));
}
