// Bounded, reference-counted interning of strings the correlator keeps (error log bodies). During an
// incident the same error text arrives thousands of times, each time as a fresh string from the
// decoder; interning keeps one copy per distinct text, and reference counts let a text go as soon as
// the last record holding it leaves its ring, so memory follows what is held, not what was seen.

/**
 * An estimate of the heap bytes a flat string takes in V8 (64-bit): a 16-byte header and one byte
 * per character when every character is Latin-1, else two, rounded up to 8 bytes.
 */
export function stringByteEstimate(s: string): number {
  let bytesPerChar = 1;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      bytesPerChar = 2;
      break;
    }
  }
  return 16 + ((s.length * bytesPerChar + 7) & ~7);
}

/**
 * A copy of `s` that shares no storage with the string it came from. V8 makes `slice` of a long
 * string a view that keeps the whole parent alive, so a 512-character prefix of a 1 MB body would
 * hold the megabyte; concatenating then slicing forces a copy of just these characters.
 */
export function detachedCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1); // V8 copies slices shorter than 13 characters anyway
}

/** Per-entry bookkeeping beyond the string itself: the Map entry, the strings array cell, the counts. */
const ENTRY_OVERHEAD_BYTES = 40;

export class StringInterner {
  private readonly ids = new Map<string, number>();
  private readonly strings: (string | undefined)[];
  private readonly refs: Int32Array;
  private readonly stringBytes: Int32Array;
  /** Free ids, as a stack: ids are reused so the arrays stay at `capacity`. */
  private readonly free: Int32Array;
  private freeTop: number;
  private heldBytes = 0;

  /** @param capacity  distinct strings held at most */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be a non-negative integer, got ${capacity}`);
    this.strings = new Array<string | undefined>(capacity).fill(undefined);
    this.refs = new Int32Array(capacity);
    this.stringBytes = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Distinct strings held. */
  get size(): number {
    return this.ids.size;
  }

  /** Estimated bytes of the held strings and their bookkeeping (fixed arrays included). */
  get byteSize(): number {
    return this.heldBytes + this.ids.size * ENTRY_OVERHEAD_BYTES + this.refs.byteLength * 3 + this.capacity * 8;
  }

  /**
   * The id of a held string equal to `s`, with one more reference; -1 when `s` is new and `capacity`
   * distinct strings are already held. A new string is stored as a detached copy.
   */
  acquire(s: string): number {
    const known = this.ids.get(s);
    if (known !== undefined) {
      this.refs[known]!++;
      return known;
    }
    if (this.freeTop === 0) return -1;
    const id = this.free[--this.freeTop]!;
    const copy = detachedCopy(s);
    const bytes = stringByteEstimate(copy);
    this.ids.set(copy, id);
    this.strings[id] = copy;
    this.refs[id] = 1;
    this.stringBytes[id] = bytes;
    this.heldBytes += bytes;
    return id;
  }

  /** The string held under `id`. */
  get(id: number): string {
    const s = this.strings[id];
    if (s === undefined) throw new RangeError(`no string is held under id ${id}`);
    return s;
  }

  /** Drops one reference; the string is let go with its last one. */
  release(id: number): void {
    const s = this.strings[id];
    if (s === undefined) throw new RangeError(`no string is held under id ${id}`);
    if (--this.refs[id]! > 0) return;
    this.ids.delete(s);
    this.strings[id] = undefined;
    this.heldBytes -= this.stringBytes[id]!;
    this.free[this.freeTop++] = id;
  }

  /** References held on `id` (0 when nothing is held there). */
  references(id: number): number {
    return this.strings[id] === undefined ? 0 : this.refs[id]!;
  }
}
