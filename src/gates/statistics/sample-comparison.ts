import { hodgesLehmannShiftSorted } from './hodges-lehmann.js';
import { mannWhitneyUSorted } from './mann-whitney.js';
import type { MannWhitneyResult } from './mann-whitney.js';

// The Mann-Whitney test and the Hodges-Lehmann shift of one canary sample against one baseline
// sample, as the mann_whitney rule needs them. Gates over the same scope and window (a canary gate
// and a latency gate of the same rollout) evaluate the very same pair of samples, which the
// correlator hands out as the same arrays; the result for a pair is remembered against those arrays
// (weakly: it goes when they do) and reused only after checking that their contents are still
// exactly what it was computed from, so a reuse gives what computing again would.

export interface SampleComparison {
  readonly test: MannWhitneyResult;
  readonly shift: number;
}

interface Remembered {
  /** Copies of the source samples' values when the result was computed. */
  readonly canary: readonly number[];
  readonly baseline: readonly number[];
  readonly result: SampleComparison;
}

const remembered = new WeakMap<readonly number[], WeakMap<readonly number[], Remembered>>();

/** Same values, in the same order, bit for bit as far as the statistics can tell (-0 and 0 kept apart). */
function sameValues(x: readonly number[], y: readonly number[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (u !== v || (u === 0 && 1 / u !== 1 / v)) return false;
  }
  return true;
}

/**
 * mannWhitneyUSorted and hodgesLehmannShiftSorted of `canarySorted` against `baselineSorted`
 * (ascending, finite, non-empty: sortedFiniteCopy of `canary` and `baseline`). A pair of source
 * arrays seen before with the same contents is not computed again.
 */
export function compareSamples(canary: readonly number[], baseline: readonly number[], canarySorted: Float64Array, baselineSorted: Float64Array): SampleComparison {
  const byBaseline = remembered.get(canary);
  const hit = byBaseline?.get(baseline);
  if (hit !== undefined && sameValues(hit.canary, canary) && sameValues(hit.baseline, baseline)) return hit.result;
  const result = { test: mannWhitneyUSorted(canarySorted, baselineSorted), shift: hodgesLehmannShiftSorted(canarySorted, baselineSorted) };
  let map = byBaseline;
  if (map === undefined) {
    map = new WeakMap();
    remembered.set(canary, map);
  }
  map.set(baseline, { canary: canary.slice(), baseline: baseline.slice(), result });
  return result;
}
