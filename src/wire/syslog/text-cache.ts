// A bounded cache of values made from parts of message text that repeat from message to message:
// the RFC 5424 parser keeps a device's HOSTNAME and APP-NAME strings, and the structured data it
// sends with every message, so that they are made once instead of once per message.
//
// Why it pays: what is not parsed again is not allocated again (the young generation is collected
// by copying whatever the records in flight still hold), and the mapping can key its own caches
// (the resource, the structured data's attributes) on the objects handed out again, by identity:
// a Map keyed by fresh strings hashes every one of them character by character.
//
// How: a fixed array of slots, one entry each, picked by a hash the caller computes while it scans
// the text anyway (hashStep per character costs next to nothing inside a loop that reads the
// characters). A hit is confirmed by comparing the text with the entry's key (one slice and ===,
// which V8 compares as memory), so a collision or an evicted entry only costs a miss, never a
// value made from other text. An entry is admitted the second time in a row the same content is
// offered for its slot: text that never repeats (a sequence number in the SD, a per-message
// header) costs one hash and no copy. Keys are copies that own their characters: V8 makes a slice
// of 13 or more characters a view into the whole message, which a held key would keep alive.

/** The FNV-1a 32-bit offset basis: the hash of no characters. */
export const HASH_SEED = 0x811c9dc5 | 0;

/** One FNV-1a step over a UTF-16 code unit; it spreads texts that differ in one digit ("host-07"). */
export function hashStep(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

/** The hash of text[start, end), as hashStep from HASH_SEED makes it. */
export function hashChars(text: string, start: number, end: number): number {
  let h = HASH_SEED;
  for (let i = start; i < end; i++) h = hashStep(h, text.charCodeAt(i));
  return h;
}

/** A copy of text[start, end) (at most a few thousand characters) that shares no storage with text. */
export function ownedCopy(text: string, start: number, end: number): string {
  const units = new Array<number>(end - start);
  for (let i = start; i < end; i++) units[i - start] = text.charCodeAt(i);
  return String.fromCharCode.apply(null, units);
}

interface Entry<V> {
  readonly hash: number;
  readonly key: string;
  readonly value: V;
}

export class TextCache<V> {
  private readonly entries: (Entry<V> | undefined)[];
  /** The content hash last offered for each slot and not admitted: offered again next, it is admitted. */
  private readonly candidates: Int32Array;
  private readonly mask: number;

  /**
   * `slots` (rounded up to a power of two) bounds how many entries are held; keys longer than
   * `maxKeyLength` are never held.
   */
  constructor(
    slots: number,
    private readonly maxKeyLength: number,
  ) {
    // ownedCopy passes the key's characters as call arguments: keep that well within limits.
    if (maxKeyLength > 4096) throw new RangeError('TextCache keys are short text (maxKeyLength <= 4096)');
    let size = 1;
    while (size < slots) size *= 2;
    this.entries = new Array<Entry<V> | undefined>(size).fill(undefined);
    this.candidates = new Int32Array(size);
    this.mask = size - 1;
  }

  /** How many entries are held (at most the number of slots). */
  get size(): number {
    let n = 0;
    for (const e of this.entries) if (e !== undefined) n++;
    return n;
  }

  private slotOf(hash: number): number {
    return (hash ^ (hash >>> 15)) & this.mask;
  }

  /** The value held for exactly text[start, end), whose hash is `hash`; undefined when none is. */
  get(text: string, start: number, end: number, hash: number): V | undefined {
    const e = this.entries[this.slotOf(hash)];
    if (e === undefined || e.hash !== hash || e.key.length !== end - start) return undefined;
    return text.slice(start, end) === e.key ? e.value : undefined;
  }

  /**
   * The entry held under `hash` whose key the text continues with at `start`, for text whose end
   * is only known once it has been parsed (the caller checks what must follow the key); undefined
   * when there is none.
   */
  getAt(text: string, start: number, hash: number): { readonly key: string; readonly value: V } | undefined {
    const e = this.entries[this.slotOf(hash)];
    if (e === undefined || e.hash !== hash || start + e.key.length > text.length) return undefined;
    return text.slice(start, start + e.key.length) === e.key ? e : undefined;
  }

  /**
   * Offers the value for the key text[start, end), held under `hash`. `content` tells repeats
   * apart (for get() keys, the same as `hash`; for getAt() keys, a hash of the whole key): the
   * second offer in a row of the same content for a slot admits it, replacing what the slot held.
   * `make` gets the held key (an owned copy) and makes the value from it. Returns the value held
   * now, or undefined when the offer was not admitted (yet).
   */
  offer(text: string, start: number, end: number, hash: number, content: number, make: (key: string) => V): V | undefined {
    if (end - start > this.maxKeyLength) return undefined;
    const slot = this.slotOf(hash);
    if (this.candidates[slot] !== content) {
      this.candidates[slot] = content;
      return undefined;
    }
    const key = ownedCopy(text, start, end);
    const value = make(key);
    this.entries[slot] = { hash, key, value };
    return value;
  }
}
