// Selecting the k-th smallest of the n1*n2 differences a[i] - b[j] without writing them all down.
// With a and b sorted ascending, row i of the matrix a[i] - b[n2-1-c] ascends in c and each column
// ascends in i (floating-point subtraction is monotone, so this holds for the computed values too).
// That structure lets one count the differences below any value in O(n1 + n2) with a pointer that only
// moves one way. The selection keeps, per row, the window [lo, hi) of columns that may still hold the
// answer; each round draws a pivot uniformly from the remaining candidates, counts the differences
// below and at it, and narrows every window to the side where the k-th lies. A uniformly drawn pivot
// discards a constant fraction of the candidates on average, so after O(log(n1 n2)) rounds the few
// left are sorted directly. Expected cost O((n1 + n2) log(n1 n2)) time, O(n1 + candidates) memory.
// This is the randomised sorted-matrix selection in the spirit of Johnson & Mizoguchi (1978) and
// Monahan (1984, ACM TOMS Algorithm 616); the result is exact, and the fixed seed only decides how
// fast it gets there, so the answer is the same on every run.

const SEED = 0x9e3779b9;

/** Small deterministic generator (mulberry32): pivot choice needs spread, not cryptographic quality. */
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

/**
 * The k-th smallest (0-based) of all differences a[i] - b[j], for a and b sorted ascending and non-empty.
 * Once at most `materialiseLimit` candidates remain they are copied out and sorted; the default keeps
 * that copy linear in n1 + n2. Throws RangeError if k is not an integer in [0, n1 n2).
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
  const lo = new Int32Array(n1);
  const hi = new Int32Array(n1).fill(n2);
  const below = new Int32Array(n1);
  const atOrBelow = new Int32Array(n1);
  const random = generator(SEED);
  let candidates = total;

  while (candidates > materialiseLimit) {
    // With more than 2^32 candidates the 32-bit draw lands on every few-hundredth one; still spread
    // evenly, which is all the progress argument needs.
    let r = Math.floor(random() * candidates);
    let pivot = Number.NaN;
    for (let i = 0; i < n1; i++) {
      const width = hi[i]! - lo[i]!;
      if (r < width) {
        pivot = a[i]! - b[last - (lo[i]! + r)]!;
        break;
      }
      r -= width;
    }

    // Per row, how many differences are < pivot and <= pivot. Rows ascend down each column, so both
    // counts can only shrink as i grows: start at n2 and walk left.
    let less = 0;
    let lessOrEqual = 0;
    let cLess = n2;
    let cLeq = n2;
    for (let i = 0; i < n1; i++) {
      const ai = a[i]!;
      while (cLess > 0 && ai - b[last - (cLess - 1)]! >= pivot) cLess--;
      while (cLeq > 0 && ai - b[last - (cLeq - 1)]! > pivot) cLeq--;
      below[i] = cLess;
      atOrBelow[i] = cLeq;
      less += cLess;
      lessOrEqual += cLeq;
    }

    if (k >= less && k < lessOrEqual) return pivot;
    candidates = 0;
    for (let i = 0; i < n1; i++) {
      // Everything left of lo is below the answer and everything from hi on is above it, so the
      // windows only ever shrink; the pivot itself always leaves, which guarantees progress.
      if (k < less) hi[i] = Math.max(lo[i]!, Math.min(hi[i]!, below[i]!));
      else lo[i] = Math.min(hi[i]!, Math.max(lo[i]!, atOrBelow[i]!));
      candidates += hi[i]! - lo[i]!;
    }
  }

  const rest = new Float64Array(candidates);
  let skipped = 0;
  let filled = 0;
  for (let i = 0; i < n1; i++) {
    skipped += lo[i]!;
    const ai = a[i]!;
    for (let c = lo[i]!; c < hi[i]!; c++) rest[filled++] = ai - b[last - c]!;
  }
  rest.sort();
  return rest[k - skipped]!;
}
