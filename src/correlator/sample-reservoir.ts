// A bounded uniform sample of latencies (Vitter's algorithm R), kept per resource and bucket so that
// statistical tests (Mann-Whitney U) have raw values to rank, without holding every value.
// Reservoirs merge by weighted sampling: each side contributes in proportion to how many values it saw,
// so a merged reservoir is still (approximately) a uniform sample of the union.

/** What a reservoir held at one moment: its values (never changed afterwards) and how many it saw. */
export interface ReservoirSnapshot {
  /** No value is added, removed or changed afterwards; the order is unspecified (a window sample may sort it). */
  readonly values: readonly number[];
  readonly seen: number;
}

export class SampleReservoir {
  private held: number[] = [];
  /** Whether `held` is referenced by a snapshot, so the next add must copy it first (copy on write). */
  private shared = false;
  seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The values kept, live: a later add changes this array unless a snapshot was taken in between. */
  get values(): number[] {
    return this.held;
  }

  add(value: number): void {
    this.seen++;
    if (this.shared) {
      this.held = this.held.slice();
      this.shared = false;
    }
    if (this.held.length < this.capacity) {
      this.held.push(value);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.capacity) this.held[j] = value;
  }

  /** The values and count as they are now, unaffected by later adds; O(1). */
  snapshot(): ReservoirSnapshot {
    this.shared = true;
    return { values: this.held, seen: this.seen };
  }

  /** A new reservoir (of this capacity) sampling the union of this one's and the other's values. */
  static merge(reservoirs: readonly ReservoirSnapshot[], capacity: number, random: () => number = Math.random): SampleReservoir {
    const out = new SampleReservoir(capacity, random);
    const { values, seen } = mergeSnapshots(reservoirs, capacity, random);
    out.seen = seen;
    out.held = values;
    return out;
  }
}

/** SampleReservoir.merge's sampling, returning the values and their total count. */
function mergeSnapshots(reservoirs: readonly ReservoirSnapshot[], capacity: number, random: () => number): { values: number[]; seen: number } {
  const out: number[] = [];
  let total = 0;
  for (const r of reservoirs) total += r.seen;
  if (total === 0) return { values: out, seen: 0 };
  let all = 0;
  let exact = true;
  for (const r of reservoirs) {
    all += r.values.length;
    if (r.values.length !== r.seen) exact = false;
  }
  if (all <= capacity && exact) {
    // Nothing was ever dropped: the union is exact.
    for (const r of reservoirs) for (const v of r.values) out.push(v);
    return { values: out, seen: total };
  }
  // Take from each side in proportion to the values it stands for, without replacement.
  for (const r of reservoirs) {
    const share = Math.min(r.values.length, Math.round((capacity * r.seen) / total));
    const pool = r.values.slice();
    for (let k = 0; k < share; k++) {
      const i = k + Math.floor(random() * (pool.length - k));
      const tmp = pool[k]!;
      pool[k] = pool[i]!;
      pool[i] = tmp;
      out.push(pool[k]!);
    }
  }
  return { values: out, seen: total };
}

/**
 * The sample of a window: SampleReservoir.merge over the snapshots of its buckets' reservoirs, drawn
 * when first read rather than when the window is queried (most evaluations read only the counts and
 * quantiles), and kept ascending, so rank tests need not sort it again. The snapshots fix what it
 * samples from at query time, so reading it later gives a sample of the window as queried.
 */
export class WindowSample {
  private drawn: number[] | undefined;
  readonly seen: number;

  constructor(
    private parts: readonly ReservoirSnapshot[],
    private readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {
    let seen = 0;
    for (const p of parts) seen += p.seen;
    this.seen = seen;
  }

  /** The merged sample, ascending; the same array on every read. */
  get values(): number[] {
    if (this.drawn === undefined) {
      this.drawn = drawSorted(this.parts, this.capacity, this.random);
      this.parts = [];
    }
    return this.drawn;
  }
}

/** Scratch for drawSorted. */
let order = new Int32Array(0);
let chosen = new Uint8Array(0);
let runA = new Float64Array(0);
let runB = new Float64Array(0);
let sortScratch = new Float64Array(0);

/**
 * Puts a part's values in ascending order, in place (once: a bucket that stopped changing keeps its
 * order). The order of a reservoir's values carries nothing (Algorithm R replaces a uniformly drawn
 * slot), and everything sharing the array reads it as a set, so sorting it changes no sample.
 */
function sortPart(values: number[]): void {
  let ascending = true;
  for (let i = 1; i < values.length; i++) {
    if (values[i - 1]! > values[i]!) {
      ascending = false;
      break;
    }
  }
  if (ascending) return;
  if (sortScratch.length < values.length) sortScratch = new Float64Array(Math.max(values.length, 2 * sortScratch.length));
  const typed = sortScratch.subarray(0, values.length);
  for (let i = 0; i < values.length; i++) typed[i] = values[i]!;
  typed.sort();
  for (let i = 0; i < values.length; i++) values[i] = typed[i]!;
}

/**
 * mergeSnapshots' sample, drawn the same way (the same shares, each a uniform draw without
 * replacement from its part, with as many random numbers), ascending. Each part is kept sorted, its
 * draw is taken out in order (the drawn positions marked, then read off left to right), and the
 * parts' sorted runs are merged pairwise: no comparator sort, only the result allocated.
 */
function drawSorted(parts: readonly ReservoirSnapshot[], capacity: number, random: () => number): number[] {
  let total = 0;
  let all = 0;
  let longest = 0;
  let exact = true;
  for (const r of parts) {
    total += r.seen;
    all += r.values.length;
    if (r.values.length > longest) longest = r.values.length;
    if (r.values.length !== r.seen) exact = false;
  }
  if (total === 0) return [];
  const whole = all <= capacity && exact;
  let size = 0;
  for (const r of parts) size += whole ? r.values.length : Math.min(r.values.length, Math.round((capacity * r.seen) / total));
  // One slot of slack per part: the read-off below writes each candidate and keeps it only if drawn.
  if (runA.length < size + longest) {
    runA = new Float64Array(Math.max(size + longest, 2 * runA.length));
    runB = new Float64Array(runA.length);
  }
  if (order.length < longest) {
    order = new Int32Array(Math.max(longest, 2 * order.length));
    chosen = new Uint8Array(order.length);
  }
  // Locals, not the module's (reassignable) bindings, inside the loops.
  const out = runA;
  const positions = order;
  const marks = chosen;
  const bounds: number[] = [0];
  let n = 0;
  for (const r of parts) {
    const values = r.values as number[];
    const count = values.length;
    const share = whole ? count : Math.min(count, Math.round((capacity * r.seen) / total));
    if (share === 0) continue;
    sortPart(values);
    if (share === count) {
      for (let i = 0; i < count; i++) out[n++] = values[i]!;
    } else {
      for (let i = 0; i < count; i++) positions[i] = i;
      for (let k = 0; k < share; k++) {
        const i = k + Math.floor(random() * (count - k));
        const picked = positions[i]!;
        positions[i] = positions[k]!;
        positions[k] = picked;
        marks[picked] = 1;
      }
      for (let i = 0; i < count; i++) {
        out[n] = values[i]!;
        n += marks[i]!;
        marks[i] = 0;
      }
    }
    bounds.push(n);
  }
  return toArray(mergeRuns(bounds, size));
}

/** Merges the ascending runs runA[bounds[r] .. bounds[r+1]) pairwise until one is left; returns it (a view of length `size`). */
function mergeRuns(bounds: number[], size: number): Float64Array {
  let from: Float64Array = runA;
  let to: Float64Array = runB;
  let edges = bounds;
  while (edges.length > 2) {
    const next: number[] = [0];
    for (let r = 0; r + 1 < edges.length; r += 2) {
      const start = edges[r]!;
      const middle = edges[r + 1]!;
      const end = r + 2 < edges.length ? edges[r + 2]! : middle;
      let i = start;
      let j = middle;
      let k = start;
      // Without a data-dependent branch: the comparison picks the index to copy from.
      while (i < middle && j < end) {
        const right = +(from[j]! < from[i]!);
        to[k++] = from[i + right * (j - i)]!;
        j += right;
        i += 1 - right;
      }
      while (i < middle) to[k++] = from[i++]!;
      while (j < end) to[k++] = from[j++]!;
      next.push(end);
    }
    edges = next;
    const swap = from;
    from = to;
    to = swap;
  }
  return from.subarray(0, size);
}

/** A typed array's values as a plain array (a preallocated loop: Array.from iterates, several times slower). */
function toArray(values: Float64Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}
