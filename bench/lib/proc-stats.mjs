// Measuring a process from the outside (Linux /proc), and the machine a run is on.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of a process, all its threads (JIT, GC and libuv workers included). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Peak resident set (VmHWM) in MiB; NaN when the process is gone. */
export function peakRssMiB(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU pressure (PSI "some": time runnable tasks waited for a CPU), microseconds since boot; NaN without PSI. */
export function cpuPressureUs() {
  try {
    return Number(/^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** CPU model, `nproc`, RAM, Node.js and kernel versions, net.core.rmem_default. */
export function machine() {
  let model = 'unknown';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    // no figure
  }
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // os.availableParallelism is the same figure on Linux.
  }
  let rmemDefault = NaN;
  try {
    rmemDefault = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8').trim());
  } catch {
    // no figure
  }
  return { model, nproc, memGiB: os.totalmem() / 2 ** 30, node: process.version, kernel: os.release(), rmemDefault };
}
