import { normalCdf } from './normal-distribution.js';
import { sortedFiniteCopy } from './sorted-sample.js';

// Kayenta's judge compares canary and baseline with this test (see REFERENCES.md, Statistical judges).
// The normal approximation is used at every size: the gate advises >= 50 points per sample, where it
// is accurate, and with ties (latencies rounded to milliseconds) the exact null distribution is no
// longer the tabulated one anyway.

export interface MannWhitneyResult {
  /** U statistic of the canary sample: U1 = R1 - n1(n1+1)/2, R1 the canary's rank sum with mid-ranks for ties. */
  readonly u: number;
  /** (U1 - n1 n2/2) / sigma with the tie-corrected sigma and a continuity correction of 0.5 towards zero. */
  readonly z: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** One-sided p-value for "canary stochastically greater (slower) than baseline": P(U >= U1) under H0. */
  readonly pValueGreater: number;
  readonly n1: number;
  readonly n2: number;
  /** U1/(n1 n2): P(canary > baseline) + 0.5 P(tie) over all pairs. */
  readonly commonLanguageEffect: number;
}

/**
 * Mann-Whitney U test of `canary` against `baseline`. Throws RangeError if either sample is empty or
 * holds a non-finite value. O((n1+n2) log(n1+n2)): both samples are sorted once and ranked in one merge.
 */
export function mannWhitneyU(canary: readonly number[], baseline: readonly number[]): MannWhitneyResult {
  return mannWhitneyUSorted(sortedFiniteCopy(canary, 'canary'), sortedFiniteCopy(baseline, 'baseline'));
}

/**
 * mannWhitneyU of two samples already sorted ascending, finite and non-empty (as sortedFiniteCopy
 * returns them), so a caller that also needs their medians or the shift sorts each only once.
 */
export function mannWhitneyUSorted(a: Float64Array, b: Float64Array): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  const n = n1 + n2;

  // Walk both sorted samples as one: each distinct value is a tie group of t values taking ranks
  // ranked+1 .. ranked+t, and every member gets the mid-rank.
  let i = 0;
  let j = 0;
  let ranked = 0;
  let canaryRankSum = 0;
  let tieTerm = 0; // sum of t^3 - t over tie groups
  let groups = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let inCanary = 0;
    while (i < n1 && a[i] === value) {
      i++;
      inCanary++;
    }
    let inBaseline = 0;
    while (j < n2 && b[j] === value) {
      j++;
      inBaseline++;
    }
    const t = inCanary + inBaseline;
    canaryRankSum += inCanary * (ranked + (t + 1) / 2);
    if (t > 1) tieTerm += t * t * t - t;
    ranked += t;
    groups++;
  }

  const u = canaryRankSum - (n1 * (n1 + 1)) / 2;
  const pairs = n1 * n2;
  const result = { u, n1, n2, commonLanguageEffect: u / pairs };
  // One tie group means every value is equal: U is pinned at its mean, so there is no evidence either way.
  if (groups === 1) return { ...result, z: 0, pValue: 1, pValueGreater: 1 };

  // Variance of U under H0 with ties: n1 n2/12 * ((n+1) - sum(t^3 - t) / (n(n-1))).
  const sigma = Math.sqrt((pairs / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const deviation = u - pairs / 2;
  // Continuity correction: U moves in steps of 0.5 or more, so shrink |deviation| by 0.5 but not past
  // zero; a U within half a step of its mean is no evidence of a shift (z = 0, p = 1).
  const z = (Math.sign(deviation) * Math.max(Math.abs(deviation) - 0.5, 0)) / sigma;
  return {
    ...result,
    z,
    pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))),
    // P(U >= u) ~ 1 - Phi((u - 0.5 - mean) / sigma); the lower-tail form keeps small p-values precise.
    pValueGreater: normalCdf(-(deviation - 0.5) / sigma),
  };
}
