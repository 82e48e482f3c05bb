// A bounded uniform sample of latencies (Vitter's algorithm R), kept per resource and bucket so that
// statistical tests (Mann-Whitney U) have raw values to rank, without holding every value.
// Reservoirs merge by weighted sampling: each side contributes in proportion to how many values it saw,
// so a merged reservoir is still (approximately) a uniform sample of the union.

export class SampleReservoir {
  readonly values: number[] = [];
  seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {}

  add(value: number): void {
    this.seen++;
    if (this.values.length < this.capacity) {
      this.values.push(value);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.capacity) this.values[j] = value;
  }

  /** A new reservoir (of this capacity) sampling the union of this one's and the other's values. */
  static merge(reservoirs: readonly SampleReservoir[], capacity: number, random: () => number = Math.random): SampleReservoir {
    const out = new SampleReservoir(capacity, random);
    const total = reservoirs.reduce((n, r) => n + r.seen, 0);
    out.seen = total;
    if (total === 0) return out;
    const all = reservoirs.reduce((n, r) => n + r.values.length, 0);
    if (all <= capacity && reservoirs.every((r) => r.values.length === r.seen)) {
      // Nothing was ever dropped: the union is exact.
      for (const r of reservoirs) out.values.push(...r.values);
      return out;
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
        out.values.push(pool[k]!);
      }
    }
    return out;
  }
}
