// An open-addressing hash index from fixed-size binary IDs (trace IDs: 4 words, span IDs: 2 words)
// to slot numbers of a caller-owned arena. It is built for the correlator's hot path: no object per
// key, no string keys, memory fixed at construction.
//
// The index owns the key column of the arena (`keys`, `words` Int32 cells per slot) and a bucket
// table. Keys sit in one interleaved column rather than one column per word so that comparing a key
// touches one cache line, not `words` of them. Words are Int32, not Uint32: the ID bytes combine into
// int32 values, and comparing int32 with int32 keeps V8 off heap numbers.
//
// With a million keys the index is far larger than the CPU caches, and its speed is the number of
// cache misses per operation. So each bucket holds the slot number and the key's full hash side by
// side: a probe compares hashes in the bucket's own cache line and reads a key only when the hash
// matches (almost never for a key that is not there), and deletion finds each moved entry's home
// bucket from the stored hash instead of rehashing its key. That costs 4 bytes per bucket and saves
// one to three cache misses per insert and delete.
//
// Linear probing keeps a probe sequence in adjacent buckets; backward-shift deletion (instead of
// tombstones) keeps every probe sequence as short as if the removed key had never been inserted,
// which matters because a ring-buffer arena deletes a key for almost every insert.

const EMPTY = -1;

/** murmur3's finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** murmur3's per-word step, so that sequential or structured IDs spread as well as random ones. */
function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The little-endian int32 at `offset` of `bytes`; IDs keep their byte order, so hex is recoverable. */
export function readWord(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
}

function nextPowerOfTwo(n: number): number {
  let p = 8;
  while (p < n) p *= 2;
  return p;
}

export class IdHashIndex {
  /** `words` Int32 cells per slot: the key of slot s is keys[s*words .. s*words+words-1]. */
  readonly keys: Int32Array;
  /** The key that find() and insert() act on; fill it with setProbe() or directly. */
  readonly probe: Int32Array;
  /** Bucket b is buckets[2b] (slot, or EMPTY) and buckets[2b+1] (that key's hash). */
  private readonly buckets: Int32Array;
  private readonly mask: number;
  private probeHash = 0;
  private count = 0;

  /**
   * @param words  key length in 32-bit words
   * @param slots  arena slots (keys held at most); slot numbers are 0..slots-1
   * @param maxLoad  buckets are sized so that a full arena loads the table at most this much
   */
  constructor(
    readonly words: number,
    readonly slots: number,
    maxLoad = 0.7,
  ) {
    if (!Number.isInteger(words) || words < 1) throw new RangeError(`words must be a positive integer, got ${words}`);
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`);
    if (!(maxLoad > 0 && maxLoad < 1)) throw new RangeError(`maxLoad must be in (0, 1), got ${maxLoad}`);
    this.keys = new Int32Array(slots * words);
    this.probe = new Int32Array(words);
    const bucketCount = nextPowerOfTwo(Math.ceil(slots / maxLoad));
    this.buckets = new Int32Array(bucketCount * 2);
    for (let b = 0; b < bucketCount; b++) this.buckets[2 * b] = EMPTY;
    this.mask = bucketCount - 1;
  }

  /** Keys currently indexed. */
  get size(): number {
    return this.count;
  }

  get bucketCount(): number {
    return this.mask + 1;
  }

  /** Bytes of the key column, bucket table and probe. */
  get byteLength(): number {
    return this.keys.byteLength + this.buckets.byteLength + this.probe.byteLength;
  }

  /**
   * Loads the probe from an ID's bytes (words*4 of them). False when the ID has another length or is
   * all zeros (invalid by W3C trace context); the probe is then not to be used.
   */
  setProbe(id: Uint8Array): boolean {
    const words = this.words;
    if (id.length !== words * 4) return false;
    const probe = this.probe;
    let nonZero = 0;
    let h = words;
    for (let w = 0; w < words; w++) {
      const word = readWord(id, w * 4);
      probe[w] = word;
      nonZero |= word;
      h = mixWord(h, word);
    }
    this.probeHash = fmix32(h) | 0;
    return nonZero !== 0;
  }

  /** Recomputes the probe's hash; call after writing `probe` directly. */
  rehashProbe(): void {
    let h = this.words;
    for (let w = 0; w < this.words; w++) h = mixWord(h, this.probe[w]!);
    this.probeHash = fmix32(h) | 0;
  }

  private hashOfSlot(slot: number): number {
    let h = this.words;
    const base = slot * this.words;
    for (let w = 0; w < this.words; w++) h = mixWord(h, this.keys[base + w]!);
    return fmix32(h) | 0;
  }

  private slotMatchesProbe(slot: number): boolean {
    const base = slot * this.words;
    for (let w = 0; w < this.words; w++) if (this.keys[base + w] !== this.probe[w]) return false;
    return true;
  }

  /** The slot whose key equals the probe, or -1. */
  find(): number {
    const buckets = this.buckets;
    const mask = this.mask;
    const hash = this.probeHash;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = buckets[2 * i]!;
      if (slot === EMPTY) return -1;
      if (buckets[2 * i + 1] === hash && this.slotMatchesProbe(slot)) return slot;
    }
  }

  /**
   * Stores the probe as `slot`'s key and indexes it. The caller guarantees that neither the probe key
   * nor `slot` is indexed (remove() them first), as an arena that reuses a slot knows.
   */
  insert(slot: number): void {
    const base = slot * this.words;
    for (let w = 0; w < this.words; w++) this.keys[base + w] = this.probe[w]!;
    const buckets = this.buckets;
    const mask = this.mask;
    const hash = this.probeHash;
    let i = hash & mask;
    while (buckets[2 * i] !== EMPTY) i = (i + 1) & mask;
    buckets[2 * i] = slot;
    buckets[2 * i + 1] = hash;
    this.count++;
  }

  /** Unindexes `slot` (found through its stored key). False when it was not indexed. */
  remove(slot: number): boolean {
    const buckets = this.buckets;
    const mask = this.mask;
    let i = this.hashOfSlot(slot) & mask;
    for (;;) {
      const at = buckets[2 * i]!;
      if (at === EMPTY) return false;
      if (at === slot) break;
      i = (i + 1) & mask;
    }
    // Backward shift: pull each later entry of the cluster into the hole unless that would put it
    // before its home bucket, so that no probe sequence crosses an empty bucket it used to cross.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const moving = buckets[2 * j]!;
      if (moving === EMPTY) break;
      const hash = buckets[2 * j + 1]!;
      if (((j - (hash & mask)) & mask) >= ((j - i) & mask)) {
        buckets[2 * i] = moving;
        buckets[2 * i + 1] = hash;
        i = j;
      }
    }
    buckets[2 * i] = EMPTY;
    this.count--;
    return true;
  }

  /** The bucket `slot` is indexed in, or -1: for tests that check probe placement. */
  bucketOf(slot: number): number {
    const mask = this.mask;
    for (let i = this.hashOfSlot(slot) & mask; ; i = (i + 1) & mask) {
      const at = this.buckets[2 * i]!;
      if (at === EMPTY) return -1;
      if (at === slot) return i;
    }
  }

  /** The home bucket of the probe key (where its linear probe starts). */
  get probeHome(): number {
    return this.probeHash & this.mask;
  }

  /** Empties the index; keys stay in the column but are unreachable. */
  clear(): void {
    for (let b = 0; b <= this.mask; b++) this.buckets[2 * b] = EMPTY;
    this.count = 0;
  }
}
