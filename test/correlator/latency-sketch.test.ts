import { describe, expect, it } from 'vitest';
import { LatencySketch, RELATIVE_ACCURACY } from '../../src/correlator/latency-sketch.js';
import { SampleReservoir } from '../../src/correlator/sample-reservoir.js';

/** A deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('LatencySketch', () => {
  it('answers quantiles within its stated relative error on a skewed distribution', () => {
    const rnd = lcg(7);
    const sketch = new LatencySketch();
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = Math.exp(rnd() * 6) * 0.5; // 0.5 ms to ~200 ms, log-uniform
      values.push(v);
      sketch.add(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const got = sketch.quantile(q)!;
      const want = exactQuantile(values, q);
      expect(Math.abs(got - want) / want).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-9);
    }
    expect(sketch.count).toBe(20_000);
    expect(sketch.quantile(0)).toBe(values[0]);
    expect(sketch.quantile(1)).toBe(values[values.length - 1]);
  });

  it('merges exactly: two halves merged equal one sketch of everything', () => {
    const rnd = lcg(11);
    const whole = new LatencySketch();
    const a = new LatencySketch();
    const b = new LatencySketch();
    for (let i = 0; i < 5000; i++) {
      const v = i % 2 ? 1 + rnd() * 10 : 500 + rnd() * 1000; // disjoint ranges force bin growth on merge
      whole.add(v);
      (i % 2 ? a : b).add(v);
    }
    a.merge(b);
    for (const q of [0.1, 0.5, 0.75, 0.99]) expect(a.quantile(q)).toBe(whole.quantile(q));
    expect(a.count).toBe(whole.count);
    expect(a.sum).toBeCloseTo(whole.sum, 6);
  });

  it('is empty until it sees a value, and keeps zero latencies', () => {
    const s = new LatencySketch();
    expect(s.quantile(0.5)).toBeUndefined();
    s.add(0);
    s.add(0);
    s.add(10);
    expect(s.quantile(0.5)).toBe(0);
    expect(s.mean).toBeCloseTo(10 / 3);
  });
});

describe('SampleReservoir', () => {
  it('keeps every value until full, then a bounded uniform sample', () => {
    const r = new SampleReservoir(100, lcg(3));
    for (let i = 0; i < 50; i++) r.add(i);
    expect(r.values).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 50; i < 100_000; i++) r.add(i);
    expect(r.values).toHaveLength(100);
    expect(r.seen).toBe(100_000);
    const mean = r.values.reduce((s, v) => s + v, 0) / r.values.length;
    expect(Math.abs(mean - 50_000)).toBeLessThan(10_000); // a uniform sample's mean, within 3.5 standard errors
  });

  it('merges in proportion to what each side saw', () => {
    const rnd = lcg(5);
    const small = new SampleReservoir(100, rnd);
    const big = new SampleReservoir(100, rnd);
    for (let i = 0; i < 1000; i++) small.add(1);
    for (let i = 0; i < 9000; i++) big.add(2);
    const merged = SampleReservoir.merge([small, big], 100, rnd);
    expect(merged.seen).toBe(10_000);
    expect(merged.values.filter((v) => v === 1)).toHaveLength(10);
    expect(merged.values.filter((v) => v === 2)).toHaveLength(90);
  });

  it('merges exactly while nothing was dropped', () => {
    const a = new SampleReservoir(10);
    const b = new SampleReservoir(10);
    [1, 2, 3].forEach((v) => a.add(v));
    [4, 5].forEach((v) => b.add(v));
    expect(SampleReservoir.merge([a, b], 10).values.sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
