import { describe, expect, it } from 'vitest';
import { SampleReservoir, WindowSample } from '../../src/correlator/sample-reservoir.js';

/** A deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

describe('SampleReservoir snapshots', () => {
  it('keep what the reservoir held when taken, whatever is added later (copy on write)', () => {
    const r = new SampleReservoir(4, lcg(1));
    [1, 2, 3].forEach((v) => r.add(v));
    const snap = r.snapshot();
    r.add(4);
    for (let v = 5; v < 100; v++) r.add(v);
    expect(snap).toEqual({ values: [1, 2, 3], seen: 3 });
    expect(r.values).toHaveLength(4);
    expect(r.seen).toBe(99);
    const again = r.snapshot();
    const held = [...again.values];
    r.add(1000);
    expect(again.values).toEqual(held);
  });
});

describe('WindowSample', () => {
  it('is the exact union, ascending, while no part dropped anything', () => {
    const a = new SampleReservoir(10);
    const b = new SampleReservoir(10);
    [5, 1, 3].forEach((v) => a.add(v));
    [4, 2].forEach((v) => b.add(v));
    const w = new WindowSample([a.snapshot(), b.snapshot()], 10);
    expect(w.values).toEqual([1, 2, 3, 4, 5]);
    expect(w.seen).toBe(5);
    expect(w.values).toBe(w.values);
    expect(new WindowSample([], 10).values).toEqual([]);
  });

  it('draws what SampleReservoir.merge draws: the same share from each part, a uniform subset of it', () => {
    const rnd = lcg(5);
    const parts: SampleReservoir[] = [];
    for (let p = 0; p < 7; p++) {
      const r = new SampleReservoir(32, rnd);
      const n = [10, 40, 200, 33, 32, 500, 1][p]!;
      for (let i = 0; i < n; i++) r.add(p * 1000 + Math.floor(rnd() * 1000));
      parts.push(r);
    }
    const snapshots = parts.map((r) => r.snapshot());
    const reference = SampleReservoir.merge(snapshots, 64, lcg(9));
    const drawn = new WindowSample(snapshots, 64, lcg(9));
    expect(drawn.seen).toBe(reference.seen);
    expect(drawn.values).toHaveLength(reference.values.length);
    expect(drawn.values).toEqual(ascending(drawn.values));
    // Per part (values p*1000 .. p*1000+999), the same count, and only values that part holds.
    for (let p = 0; p < parts.length; p++) {
      const from = (values: readonly number[]) => values.filter((v) => Math.floor(v / 1000) === p);
      expect(from(drawn.values)).toHaveLength(from(reference.values).length);
      const held = new Set(parts[p]!.values);
      for (const v of from(drawn.values)) expect(held.has(v)).toBe(true);
    }
  });

  it('draws each value of a part about equally often', () => {
    const r = new SampleReservoir(20, lcg(3));
    for (let i = 0; i < 100; i++) r.add(i);
    const other = new SampleReservoir(20, lcg(4));
    for (let i = 0; i < 100; i++) other.add(1000 + i);
    const counts = new Map<number, number>();
    const rnd = lcg(77);
    const rounds = 4000;
    for (let k = 0; k < rounds; k++) {
      // Shares: 5 of 20 from each part.
      for (const v of new WindowSample([r.snapshot(), other.snapshot()], 10, rnd).values) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const v of [...r.values, ...other.values]) {
      // Expected rounds * 5/20 = 1000 per value; binomial sd ~27, so 5 sd either side.
      expect(Math.abs((counts.get(v) ?? 0) - 1000)).toBeLessThan(140);
    }
  });

  it('samples the parts as they were when it was made, even if read after the reservoirs moved on', () => {
    const r = new SampleReservoir(8, lcg(2));
    [3, 1, 2].forEach((v) => r.add(v));
    const w = new WindowSample([r.snapshot()], 64);
    for (let v = 100; v < 200; v++) r.add(v);
    expect(w.values).toEqual([1, 2, 3]);
    expect(w.seen).toBe(3);
  });
});
