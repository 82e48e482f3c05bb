import { sortedMedian, trySortedFiniteCopy } from '../statistics/sorted-sample.js';

/** The median of a sample (mean of the middle two for an even count); undefined when empty. */
export function sampleMedian(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = trySortedFiniteCopy(values);
  return sorted !== undefined ? medianOfSortedCopy(sorted, values) : comparatorMedian(values);
}

/**
 * sampleMedian(values), given `sorted`, the ascending typed-array copy of the finite, non-empty
 * `values`. The typed-array order agrees with the comparator's except that it puts -0 before 0 where
 * the comparator keeps them as they came, so a sample holding -0 takes the comparator's way.
 */
export function medianOfSortedCopy(sorted: Float64Array, values: readonly number[]): number {
  if (!(sorted[0]! > 0)) {
    for (let i = 0; i < values.length; i++) if (values[i] === 0 && 1 / values[i]! < 0) return comparatorMedian(values);
  }
  return sortedMedian(sorted);
}

/** The median by Array#sort with a numeric comparator: for samples holding -0, NaN or infinities. */
function comparatorMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
