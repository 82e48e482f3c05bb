import { normalCdf } from '../../../src/gates/statistics/normal-distribution.js';

// Straightforward reference implementations of the rank statistics, for tests that check the fast
// paths against them: sort with a comparator, rank by the textbook, list every pairwise difference.

/** A deterministic generator, so failures reproduce. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

/** Samples of the kinds the rules see: continuous log-normal, whole milliseconds (ties), a few levels (heavy ties), one value. */
export function sample(rnd: () => number, n: number, kind: number, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    const v = 40 * scale * Math.exp(0.5 * z);
    out.push(kind === 0 ? v : kind === 1 ? Math.round(v) : kind === 2 ? Math.round(v / 25) : 7);
  }
  return out;
}

export const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

export function referenceMedian(values: readonly number[]): number {
  const s = ascending(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Every difference canary[i] - baseline[j], ascending. */
export function allDifferences(a: readonly number[], b: readonly number[]): Float64Array {
  const out = new Float64Array(a.length * b.length);
  let n = 0;
  for (const x of a) for (const y of b) out[n++] = x - y;
  return out.sort();
}

export function referenceShift(a: readonly number[], b: readonly number[]): number {
  const d = allDifferences(a, b);
  const mid = d.length >> 1;
  return d.length % 2 === 1 ? d[mid]! : (d[mid - 1]! + d[mid]!) / 2;
}

/** The Mann-Whitney test by the textbook: mid-ranks of the pooled sample, tie-corrected variance, continuity correction. */
export function referenceMannWhitney(canary: readonly number[], baseline: readonly number[]) {
  const pooled = [...canary.map((v) => ({ v, c: true })), ...baseline.map((v) => ({ v, c: false }))].sort((x, y) => x.v - y.v);
  const n1 = canary.length;
  const n2 = baseline.length;
  const n = n1 + n2;
  let r1 = 0;
  let tieTerm = 0;
  let groups = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && pooled[j]!.v === pooled[i]!.v) j++;
    const t = j - i;
    const midRank = i + (t + 1) / 2;
    for (let k = i; k < j; k++) if (pooled[k]!.c) r1 += midRank;
    if (t > 1) tieTerm += t * t * t - t;
    groups++;
    i = j;
  }
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const pairs = n1 * n2;
  if (groups === 1) return { u, z: 0, pValue: 1, pValueGreater: 1, n1, n2, commonLanguageEffect: u / pairs };
  const sigma = Math.sqrt((pairs / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const deviation = u - pairs / 2;
  const z = (Math.sign(deviation) * Math.max(Math.abs(deviation) - 0.5, 0)) / sigma;
  return { u, z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))), pValueGreater: normalCdf(-(deviation - 0.5) / sigma), n1, n2, commonLanguageEffect: u / pairs };
}

