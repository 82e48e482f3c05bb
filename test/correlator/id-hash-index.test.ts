import { describe, expect, it } from 'vitest';
import { IdHashIndex, fmix32, readWord } from '../../src/correlator/id-hash-index.js';

/** A deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomId(rnd: () => number, bytes: number): Uint8Array {
  const id = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) id[i] = Math.floor(rnd() * 256);
  id[0]! |= 1; // never all zeros
  return id;
}

function hex(id: Uint8Array): string {
  return Buffer.from(id).toString('hex');
}

/** Keys whose probe starts in `home` of `index`, found by trying seeded random keys. */
function keysWithHome(index: IdHashIndex, home: number, count: number, rnd: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (out.length < count) {
    const id = randomId(rnd, index.words * 4);
    index.setProbe(id);
    if (index.probeHome === home) out.push(id);
  }
  return out;
}

function insert(index: IdHashIndex, id: Uint8Array, slot: number): void {
  expect(index.setProbe(id)).toBe(true);
  expect(index.find()).toBe(-1);
  index.insert(slot);
}

function find(index: IdHashIndex, id: Uint8Array): number {
  index.setProbe(id);
  return index.find();
}

describe('IdHashIndex', () => {
  it('finds what was inserted, not what was not, and reads IDs as little-endian words', () => {
    const rnd = lcg(1);
    const index = new IdHashIndex(4, 100);
    const ids = Array.from({ length: 100 }, () => randomId(rnd, 16));
    ids.forEach((id, slot) => insert(index, id, slot));
    expect(index.size).toBe(100);
    ids.forEach((id, slot) => expect(find(index, id)).toBe(slot));
    for (let i = 0; i < 100; i++) expect(find(index, randomId(rnd, 16))).toBe(-1);
    const id = ids[42]!;
    for (let w = 0; w < 4; w++) expect(index.keys[42 * 4 + w]).toBe(readWord(id, w * 4));
    expect(readWord(new Uint8Array([1, 2, 3, 0x80]), 0)).toBe(0x80030201 | 0);
  });

  it('refuses IDs of the wrong length and all-zero IDs', () => {
    const index = new IdHashIndex(2, 4);
    expect(index.setProbe(new Uint8Array(16))).toBe(false);
    expect(index.setProbe(new Uint8Array(0))).toBe(false);
    expect(index.setProbe(new Uint8Array(8))).toBe(false);
    expect(index.setProbe(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1))).toBe(true);
  });

  it('sizes the table for its load limit and reports its bytes', () => {
    const index = new IdHashIndex(2, 1_000_000);
    expect(index.bucketCount).toBe(2 ** 21);
    expect(index.byteLength).toBe(1_000_000 * 8 + 2 ** 21 * 8 + 8);
    expect(new IdHashIndex(4, 4).bucketCount).toBe(8);
    expect(() => new IdHashIndex(0, 4)).toThrow(RangeError);
    expect(() => new IdHashIndex(2, 4, 1)).toThrow(RangeError);
  });

  it('shifts a colliding cluster back on delete, leaving entries at their home in place', () => {
    const rnd = lcg(2);
    const index = new IdHashIndex(2, 5); // 8 buckets
    const home = 3;
    const [a, b, c] = keysWithHome(index, home, 3, rnd);
    const [d] = keysWithHome(index, home + 1, 1, rnd);
    insert(index, a!, 0); // bucket 3
    insert(index, b!, 1); // 4
    insert(index, d!, 2); // 5: its home 4 is taken
    insert(index, c!, 3); // 6
    expect([0, 1, 2, 3].map((s) => index.bucketOf(s))).toEqual([3, 4, 5, 6]);

    expect(index.remove(0)).toBe(true);
    // b and c may move back to their home 3, d to its home 4: the cluster closes up.
    expect([1, 2, 3].map((s) => index.bucketOf(s))).toEqual([3, 4, 5]);
    expect(find(index, a!)).toBe(-1);
    expect([b, d, c].map((id) => find(index, id!))).toEqual([1, 2, 3]);
    expect(index.remove(0)).toBe(false);

    expect(index.remove(1)).toBe(true); // b at 3: d sits at its home 4 and must stay; c moves to 3
    expect(index.bucketOf(2)).toBe(4);
    expect(index.bucketOf(3)).toBe(3);
    expect(find(index, c!)).toBe(3);
    expect(find(index, d!)).toBe(2);
    expect(index.size).toBe(2);
  });

  it('wraps a cluster around the end of the table and shifts it back across the wrap', () => {
    const rnd = lcg(3);
    const index = new IdHashIndex(4, 5); // 8 buckets
    const [a, b, c] = keysWithHome(index, 7, 3, rnd);
    const [z] = keysWithHome(index, 0, 1, rnd);
    insert(index, a!, 0); // 7
    insert(index, b!, 1); // 0
    insert(index, z!, 2); // 1: home 0 taken
    insert(index, c!, 3); // 2
    expect([0, 1, 2, 3].map((s) => index.bucketOf(s))).toEqual([7, 0, 1, 2]);
    index.remove(0);
    expect([1, 2, 3].map((s) => index.bucketOf(s))).toEqual([7, 0, 1]);
    expect([a, b, z, c].map((id) => find(index, id!))).toEqual([-1, 1, 2, 3]);
  });

  it('agrees with a Map through a long random mix of inserts and deletes in a nearly full table', () => {
    const rnd = lcg(4);
    const slots = 200;
    const index = new IdHashIndex(2, slots, 0.9); // 256 buckets, load up to 0.78: long clusters
    const universe = Array.from({ length: 400 }, () => randomId(rnd, 8));
    const model = new Map<string, number>();
    const slotKey = new Map<number, Uint8Array>();
    const freeSlots = Array.from({ length: slots }, (_, i) => i);
    for (let op = 0; op < 50_000; op++) {
      const id = universe[Math.floor(rnd() * universe.length)]!;
      const held = model.get(hex(id));
      if (held !== undefined) {
        expect(index.remove(held)).toBe(true);
        model.delete(hex(id));
        slotKey.delete(held);
        freeSlots.push(held);
      } else if (freeSlots.length > 0) {
        const slot = freeSlots.splice(Math.floor(rnd() * freeSlots.length), 1)[0]!;
        insert(index, id, slot);
        model.set(hex(id), slot);
        slotKey.set(slot, id);
      }
      if (op % 997 === 0) {
        for (const u of universe) expect(find(index, u)).toBe(model.get(hex(u)) ?? -1);
      }
    }
    expect(index.size).toBe(model.size);
    for (const u of universe) expect(find(index, u)).toBe(model.get(hex(u)) ?? -1);
    index.clear();
    expect(index.size).toBe(0);
    for (const u of universe) expect(find(index, u)).toBe(-1);
  });

  it('spreads structured IDs: sequential keys fill buckets evenly', () => {
    const index = new IdHashIndex(2, 4096, 0.5); // 8192 buckets
    const perBlock = new Array<number>(16).fill(0);
    const id = new Uint8Array(8);
    for (let n = 1; n <= 4096; n++) {
      new DataView(id.buffer).setUint32(4, n, true);
      index.setProbe(id);
      perBlock[index.probeHome >> 9]!++;
    }
    // 16 blocks of 512 buckets; a uniform spread puts 256 keys in each (sd 15).
    for (const n of perBlock) expect(Math.abs(n - 256)).toBeLessThan(80);
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).not.toBe(fmix32(2));
  });
});
