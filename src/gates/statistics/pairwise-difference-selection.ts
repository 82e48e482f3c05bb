// Selecting the k-th smallest of the n1*n2 differences a[i] - b[j] without writing them all down.
// With a and b sorted ascending, row i of the matrix a[i] - b[n2-1-c] ascends in c and each column
// ascends in i (floating-point subtraction is monotone, so this holds for the computed values too).
// That structure lets one count the differences below any value in O(n1 + n2) with a pointer that only
// moves one way. The selection keeps, per row, the window [lo, hi) of columns that may still hold the
// answer. Each round draws a stratified sample of the remaining candidates and takes two pivots from
// it, just below and just above where the k-th should sit (the Floyd-Rivest idea); one counting pass
// per pivot then narrows every window to the side of, or the span between, the pivots where the k-th
// lies. The span holds about 2/sqrt(s) of the candidates for a sample of s, so a million candidates
// come down to a few thousand in three rounds; those are then copied out and the k-th of them selected
// directly. Ties at a pivot (latencies in whole milliseconds) can keep the span from shrinking; then
// two more passes settle whether the answer is a pivot, and if not, drop both. Expected cost
// O((n1 + n2) log(n1 n2)) time, O(n1 + candidates) memory. This is the sorted-matrix selection in the
// spirit of Johnson & Mizoguchi (1978) and Monahan (1984, ACM TOMS Algorithm 616); the result is exact,
// and the fixed seed only decides how fast it gets there, so the answer is the same on every run.

const SEED = 0x9e3779b9;

/** Small deterministic generator (mulberry32): sampling needs spread, not cryptographic quality. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Working arrays, reused across calls (the selection is synchronous and not re-entrant). */
let rowScratch = new Int32Array(0);
let sampleScratch = new Float64Array(0);
let candidateScratch = new Float64Array(0);
let columnScratch = new Float64Array(0);

/** Rows in the sample drawn per round: enough to place the pivots tightly, few enough to stay cheap. */
const MIN_SAMPLE = 64;
const MAX_SAMPLE = 512;

/**
 * Per row i, how many of the differences a[i] - b[j] are < pivot (strict) or <= pivot, written to
 * out[offset + i]; returns the total. `bx` is b (ascending, n2 values) followed by a NaN, which no
 * comparison passes, so a column pointer stops there by itself. Rows ascend down each column, so the
 * count can only shrink as i grows: one pointer walks b while i walks a, n1 + n2 steps in all. Each
 * step is written without a data-dependent branch (a comparison turned into 0 or 1), because on real
 * samples the walk's direction is a coin toss the branch predictor keeps losing; and the rows are
 * walked as two halves side by side (the second half's pointer found by bisection), because each
 * step waits on the one before and two independent walks keep the processor twice as busy.
 */
function countBelow(a: Float64Array, bx: Float64Array, n2: number, pivot: number, strict: boolean, out: Int32Array, offset: number): number {
  const n1 = a.length;
  const m = n1 >> 1;
  // Columns consumed at row m: the first t whose difference is below (strict) / at or below the pivot.
  let lo = 0;
  let hi = n2;
  const am = a[m]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const d = am - bx[mid]!;
    if (strict ? d >= pivot : d > pivot) lo = mid + 1;
    else hi = mid;
  }
  let i0 = 0;
  let t0 = 0;
  let i1 = m;
  let t1 = lo;
  let total = 0;
  if (strict) {
    while (i0 < m && i1 < n1) {
      const d0 = +(a[i0]! - bx[t0]! >= pivot);
      out[offset + i0] = n2 - t0;
      total += (1 - d0) * (n2 - t0);
      t0 += d0;
      i0 += 1 - d0;
      const d1 = +(a[i1]! - bx[t1]! >= pivot);
      out[offset + i1] = n2 - t1;
      total += (1 - d1) * (n2 - t1);
      t1 += d1;
      i1 += 1 - d1;
    }
    while (i0 < m) {
      const d0 = +(a[i0]! - bx[t0]! >= pivot);
      out[offset + i0] = n2 - t0;
      total += (1 - d0) * (n2 - t0);
      t0 += d0;
      i0 += 1 - d0;
    }
    while (i1 < n1) {
      const d1 = +(a[i1]! - bx[t1]! >= pivot);
      out[offset + i1] = n2 - t1;
      total += (1 - d1) * (n2 - t1);
      t1 += d1;
      i1 += 1 - d1;
    }
  } else {
    while (i0 < m && i1 < n1) {
      const d0 = +(a[i0]! - bx[t0]! > pivot);
      out[offset + i0] = n2 - t0;
      total += (1 - d0) * (n2 - t0);
      t0 += d0;
      i0 += 1 - d0;
      const d1 = +(a[i1]! - bx[t1]! > pivot);
      out[offset + i1] = n2 - t1;
      total += (1 - d1) * (n2 - t1);
      t1 += d1;
      i1 += 1 - d1;
    }
    while (i0 < m) {
      const d0 = +(a[i0]! - bx[t0]! > pivot);
      out[offset + i0] = n2 - t0;
      total += (1 - d0) * (n2 - t0);
      t0 += d0;
      i0 += 1 - d0;
    }
    while (i1 < n1) {
      const d1 = +(a[i1]! - bx[t1]! > pivot);
      out[offset + i1] = n2 - t1;
      total += (1 - d1) * (n2 - t1);
      t1 += d1;
      i1 += 1 - d1;
    }
  }
  return total;
}

/**
 * The k-th smallest (0-based) of all differences a[i] - b[j], for a and b sorted ascending and non-empty.
 * Once at most `materialiseLimit` candidates remain they are copied out and the k-th of them is
 * selected; the default keeps that copy linear in n1 + n2. Throws RangeError if k is not an integer
 * in [0, n1 n2).
 */
export function kthPairwiseDifference(
  a: Float64Array,
  b: Float64Array,
  k: number,
  materialiseLimit: number = Math.max(1024, 2 * (a.length + b.length)),
): number {
  const n1 = a.length;
  const n2 = b.length;
  const total = n1 * n2;
  if (!Number.isInteger(k) || k < 0 || k >= total) throw new RangeError(`k must be an integer in [0, ${total}), got ${k}`);
  const last = n2 - 1;
  if (columnScratch.length < n2 + 1) columnScratch = new Float64Array(Math.max(n2 + 1, 2 * columnScratch.length));
  const bx = columnScratch;
  bx.set(b);
  bx[n2] = Number.NaN;
  // Per row: the window [lo, hi) twice (the current one and the next, swapped each round), then the
  // round's counts: < low pivot, <= high pivot, and, for ties, <= low and < high.
  if (rowScratch.length < 8 * n1) rowScratch = new Int32Array(Math.max(8 * n1, 2 * rowScratch.length));
  const w = rowScratch;
  let LO = 0;
  let HI = n1;
  let NEXT_LO = 2 * n1;
  let NEXT_HI = 3 * n1;
  const LESS_LOW = 4 * n1;
  const LEQ_HIGH = 5 * n1;
  const LEQ_LOW = 6 * n1;
  const LESS_HIGH = 7 * n1;
  for (let i = 0; i < n1; i++) {
    w[LO + i] = 0;
    w[HI + i] = n2;
  }
  const random = generator(SEED);
  let candidates = total;
  let skipped = 0; // sum of lo: differences known to be below the answer

  while (candidates > materialiseLimit) {
    // A stratified sample of the candidates in row-major order: one draw in each of s equal strata,
    // so the indices come out ascending and one walk down the rows finds them all. Duplicates (when
    // the strata are narrower than one candidate) only repeat a value.
    const s = Math.max(1, Math.min(candidates, Math.round(Math.min(MAX_SAMPLE, Math.max(MIN_SAMPLE, Math.sqrt(candidates))))));
    if (sampleScratch.length < s) sampleScratch = new Float64Array(Math.max(s, MAX_SAMPLE));
    const sample = sampleScratch;
    const stratum = candidates / s;
    let row = 0;
    let rowStart = 0; // candidates in the rows before `row`
    for (let t = 0; t < s; t++) {
      const index = Math.min(candidates - 1, Math.floor((t + random()) * stratum));
      while (index >= rowStart + (w[HI + row]! - w[LO + row]!)) {
        rowStart += w[HI + row]! - w[LO + row]!;
        row++;
      }
      sample[t] = a[row]! - b[last - (w[LO + row]! + (index - rowStart))]!;
    }
    // Where the k-th sits among the candidates, scaled to the sample, with about two standard
    // deviations of the sample rank on either side.
    const position = ((k - skipped + 0.5) * s) / candidates;
    const spread = Math.sqrt(s) + 1;
    const lowRank = Math.max(0, Math.min(s - 1, Math.floor(position - spread)));
    const highRank = Math.max(0, Math.min(s - 1, Math.floor(position + spread)));
    const highPivot = selectInPlace(sample, 0, s - 1, highRank);
    const lowPivot = lowRank === highRank ? highPivot : selectInPlace(sample, 0, highRank, lowRank);

    const lessLow = countBelow(a, bx, n2, lowPivot, true, w, LESS_LOW);
    if (k < lessLow) {
      // Below the low pivot: everything from it on is above the answer (and the pivot itself leaves).
      candidates = 0;
      for (let i = 0; i < n1; i++) {
        const lo = w[LO + i]!;
        const hi = Math.max(lo, Math.min(w[HI + i]!, w[LESS_LOW + i]!));
        w[HI + i] = hi;
        candidates += hi - lo;
      }
      continue;
    }
    const leqHigh = countBelow(a, bx, n2, highPivot, false, w, LEQ_HIGH);
    if (k >= leqHigh) {
      // Above the high pivot: everything up to it is below the answer.
      candidates = 0;
      skipped = 0;
      for (let i = 0; i < n1; i++) {
        const hi = w[HI + i]!;
        const lo = Math.min(hi, Math.max(w[LO + i]!, w[LEQ_HIGH + i]!));
        w[LO + i] = lo;
        candidates += hi - lo;
        skipped += lo;
      }
      continue;
    }
    // lowPivot <= answer <= highPivot.
    if (lowPivot === highPivot) return lowPivot;
    let inside = 0;
    let insideSkipped = 0;
    for (let i = 0; i < n1; i++) {
      const lo = Math.max(w[LO + i]!, w[LESS_LOW + i]!);
      const hi = Math.max(lo, Math.min(w[HI + i]!, w[LEQ_HIGH + i]!));
      w[NEXT_LO + i] = lo;
      w[NEXT_HI + i] = hi;
      inside += hi - lo;
      insideSkipped += lo;
    }
    if (2 * inside <= candidates) {
      [LO, NEXT_LO] = [NEXT_LO, LO];
      [HI, NEXT_HI] = [NEXT_HI, HI];
      candidates = inside;
      skipped = insideSkipped;
      continue;
    }
    // Little progress, so ties at the pivots hold much of the span: is the answer one of them? If
    // not, it lies strictly between them and both leave, which guarantees progress.
    const leqLow = countBelow(a, bx, n2, lowPivot, false, w, LEQ_LOW);
    if (k < leqLow) return lowPivot;
    const lessHigh = countBelow(a, bx, n2, highPivot, true, w, LESS_HIGH);
    if (k >= lessHigh) return highPivot;
    candidates = 0;
    skipped = 0;
    for (let i = 0; i < n1; i++) {
      const lo = Math.max(w[LO + i]!, w[LEQ_LOW + i]!);
      const hi = Math.max(lo, Math.min(w[HI + i]!, w[LESS_HIGH + i]!));
      w[LO + i] = lo;
      w[HI + i] = hi;
      candidates += hi - lo;
      skipped += lo;
    }
  }

  if (candidateScratch.length < candidates) candidateScratch = new Float64Array(Math.max(candidates, 2 * candidateScratch.length));
  const rest = candidateScratch;
  let filled = 0;
  for (let i = 0; i < n1; i++) {
    const ai = a[i]!;
    const hi = w[HI + i]!;
    for (let c = w[LO + i]!; c < hi; c++) rest[filled++] = ai - b[last - c]!;
  }
  return selectInPlace(rest, 0, candidates - 1, k - skipped);
}

/**
 * The largest difference a[i] - b[j] that is < value, and how many differences are < value
 * (-Infinity and 0 when none is), for a and b sorted ascending. O(n1 + n2).
 */
export function largestPairwiseDifferenceBelow(a: Float64Array, b: Float64Array, value: number): { readonly value: number; readonly count: number } {
  const n1 = a.length;
  const n2 = b.length;
  let best = Number.NEGATIVE_INFINITY;
  let count = 0;
  let c = n2;
  for (let i = 0; i < n1; i++) {
    const ai = a[i]!;
    while (c > 0 && ai - b[n2 - c]! >= value) c--;
    count += c;
    // Row i's differences below `value` are its first c columns (ascending); the largest is the c-th.
    if (c > 0) {
      const d = ai - b[n2 - c]!;
      if (d > best) best = d;
    }
  }
  return { value: best, count };
}

/**
 * The `rank`-th smallest (0-based, counted from `left`) of values[left..right], rearranging that
 * range; the values must not be NaN. Quickselect with a median-of-three pivot and a Lomuto partition
 * written without data-dependent branches (every element is swapped, the boundary moves by the
 * comparison's 0 or 1), which on unordered data is about twice as fast as a branching partition.
 * Values equal to the pivot are gathered next to it before going right, so ties cannot stall it.
 */
export function selectInPlace(values: Float64Array, left: number, right: number, rank: number): number {
  let l = left;
  let r = right;
  const target = left + rank;
  while (r - l >= 16) {
    const mid = (l + r) >>> 1;
    let x = values[l]!;
    let y = values[mid]!;
    let z = values[r]!;
    let t: number;
    if (y < x) {
      t = x;
      x = y;
      y = t;
    }
    if (z < x) {
      t = x;
      x = z;
      z = t;
    }
    if (z < y) {
      t = y;
      y = z;
      z = t;
    }
    // The median of the three is the pivot, parked at r while [l, r) is partitioned.
    values[l] = x;
    values[mid] = z;
    values[r] = y;
    const pivot = y;
    let below = l;
    for (let i = l; i < r; i++) {
      const v = values[i]!;
      values[i] = values[below]!;
      values[below] = v;
      below += +(v < pivot);
    }
    // [l, below) < pivot; the pivot goes to `below`; (below, r] >= pivot.
    values[r] = values[below]!;
    values[below] = pivot;
    if (target < below) {
      r = below - 1;
      continue;
    }
    if (target === below) return pivot;
    let equal = below + 1;
    for (let i = below + 1; i <= r; i++) {
      const v = values[i]!;
      values[i] = values[equal]!;
      values[equal] = v;
      equal += +(v === pivot);
    }
    // [below, equal) == pivot.
    if (target < equal) return pivot;
    l = equal;
  }
  // A short range: insertion sort.
  for (let i = l + 1; i <= r; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= l && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
  return values[target]!;
}
