// Reading counters: from Prometheus text exposition (corrgate's /metrics), from a peer's output
// file, and waiting until a count settles.

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Sum of a metric's samples whose line contains every one of `labels` (e.g. 'transport="http"').
 * Matches `name{...} v` and `name v`, not longer names that start with `name`.
 */
export function metricSum(text, name, labels = []) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && labels.every((x) => line.includes(x))) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a server has counted `expected` more than `base` (`count()` reads its total), or the
 * count has not moved for `stillMs`; bounded by `maxMs`. Polls every `pollMs` (a /metrics scrape
 * costs the server CPU: not faster than needed). Resolves to how many more it counted.
 */
export async function settle(count, { base, expected, stillMs, maxMs, pollMs = 100 }) {
  const deadline = Date.now() + maxMs;
  let last = -1;
  let lastMoved = Date.now();
  for (;;) {
    const n = (await count()) - base;
    if (n >= expected) return n;
    if (n !== last) {
      last = n;
      lastMoved = Date.now();
    } else if (Date.now() - lastMoved >= stillMs) {
      return n;
    }
    if (Date.now() > deadline) return n;
    await sleep(pollMs);
  }
}

/**
 * A counter of the lines a peer server has appended to its output file (rsyslog's omfile,
 * snmptrapd's -Lf): every line, or those starting with `prefix`. Reads only what is new each call.
 */
export function appendedLines(file, prefix = null) {
  let offset = 0;
  let count = 0;
  let partial = '';
  const buf = Buffer.allocUnsafe(1 << 20);
  return () => {
    if (!existsSync(file)) return 0;
    const size = statSync(file).size;
    if (size <= offset) return count;
    const fd = openSync(file, 'r');
    try {
      while (offset < size) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
        if (n <= 0) break;
        offset += n;
        if (prefix === null) {
          for (let i = 0; i < n; i++) if (buf[i] === 0x0a) count++;
          continue;
        }
        const lines = (partial + buf.toString('latin1', 0, n)).split('\n');
        partial = lines.pop();
        for (const line of lines) if (line.startsWith(prefix)) count++;
      }
    } finally {
      closeSync(fd);
    }
    return count;
  };
}
