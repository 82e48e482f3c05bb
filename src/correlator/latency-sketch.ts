// A mergeable quantile sketch with relative-error guarantees (the DDSketch idea: logarithmic bins).
// Any quantile it reports is within RELATIVE_ACCURACY of the true value of some sample at that rank,
// and two sketches merge exactly by adding bin counts, which is what lets any window over any scope be
// answered by merging per-resource, per-bucket sketches: a baseline costs what the current window costs.

/** Reported quantiles are within ±1% of a true sample value. */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) share the zero bin; sub-microsecond latencies are not meaningful here. */
const MIN_VALUE = 1e-3;

export class LatencySketch {
  /** Counts of bins offset..offset+counts.length-1; grown on demand, so a narrow spread stays small. */
  private counts: Uint32Array = new Uint32Array(0);
  private offset = 0;
  private zeroCount = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  /** Adds a value in milliseconds. */
  add(valueMs: number, weight = 1): void {
    this.count += weight;
    this.sum += valueMs * weight;
    if (valueMs < this.min) this.min = valueMs;
    if (valueMs > this.max) this.max = valueMs;
    if (!(valueMs > MIN_VALUE)) {
      this.zeroCount += weight;
      return;
    }
    const index = Math.ceil(Math.log(valueMs) / LN_GAMMA);
    this.ensure(index, index);
    this.counts[index - this.offset]! += weight;
  }

  private ensure(lo: number, hi: number): void {
    if (this.counts.length === 0) {
      this.offset = lo;
      this.counts = new Uint32Array(Math.max(hi - lo + 1, 8));
      return;
    }
    const curHi = this.offset + this.counts.length - 1;
    if (lo >= this.offset && hi <= curHi) return;
    const newLo = Math.min(lo, this.offset);
    const newHi = Math.max(hi, curHi);
    // Grow with slack so a slowly widening range does not reallocate on every value.
    const slack = Math.max(8, (newHi - newLo) >> 2);
    const grownLo = lo < this.offset ? newLo - slack : newLo;
    const grownHi = hi > curHi ? newHi + slack : newHi;
    const next = new Uint32Array(grownHi - grownLo + 1);
    next.set(this.counts, this.offset - grownLo);
    this.counts = next;
    this.offset = grownLo;
  }

  /** Adds another sketch's values into this one. */
  merge(other: LatencySketch): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.sum += other.sum;
    this.zeroCount += other.zeroCount;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (other.counts.length === 0) return;
    this.ensure(other.offset, other.offset + other.counts.length - 1);
    const shift = other.offset - this.offset;
    for (let i = 0; i < other.counts.length; i++) this.counts[i + shift]! += other.counts[i]!;
  }

  /** The value at quantile q (0..1), or undefined for an empty sketch. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = q * (this.count - 1);
    let seen = this.zeroCount;
    if (rank < seen) return Math.max(this.min, 0);
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen > rank) {
        // The bin's representative value: the point of equal relative error to both bin edges.
        const value = (2 * Math.pow(GAMMA, i + this.offset)) / (GAMMA + 1);
        return Math.min(Math.max(value, this.min), this.max);
      }
    }
    return this.max;
  }

  get mean(): number | undefined {
    return this.count === 0 ? undefined : this.sum / this.count;
  }

  /** Bytes held by the bins, for memory accounting. */
  get byteSize(): number {
    return this.counts.byteLength + 48;
  }
}
