import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { bundledMibDir } from '../../../src/receivers/snmptrap/mib-names.js';

/** Net-SNMP's command-line sender (Debian package snmp): snmptrap or snmpinform. */
export interface ToolResult {
  readonly code: number;
  readonly stderr: string;
}

/**
 * Runs snmptrap or snmpinform with the given arguments. `-M` points at net-snmp's MIB folder (Debian's
 * own set lacks IF-MIB) and `-m IF-MIB` loads only what the tests name, so the tools stay quiet;
 * `-t 1 -r 0` makes an unanswered inform fail in a second instead of retrying.
 */
export function runTool(tool: 'snmptrap' | 'snmpinform', args: readonly string[]): Promise<ToolResult> {
  const common = ['-M', `+${bundledMibDir()}`, '-m', 'IF-MIB', '-t', '1', '-r', '0'];
  return new Promise((resolve) => {
    execFile(tool, [...common, ...args], { timeout: 15_000, env: { ...process.env, HOME: process.env.HOME ?? '/tmp' } }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stderr });
    });
  });
}

export const TEST_MIB_DIR = join(import.meta.dirname, 'mibs');
