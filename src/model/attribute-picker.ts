import type { AnyValue, Attributes } from './attributes.js';

/**
 * A fixed set of attribute keys a reader wants from many records (the correlator's conventions).
 * Made once; `pick` fills one slot per key in a single pass over the attributes, and a decoder that
 * keeps attributes as bytes can do the same pass over the bytes without decoding anything else.
 */
export class AttributePicker {
  readonly index: ReadonlyMap<string, number>;

  constructor(readonly keys: readonly string[]) {
    this.index = new Map(keys.map((k, i) => [k, i]));
  }

  /** A slot array for `pick`, reusable between calls. */
  slots(): (AnyValue | undefined)[] {
    return new Array<AnyValue | undefined>(this.keys.length).fill(undefined);
  }

  /** Fills `out[i]` with the value of keys[i] (the last one when a key repeats), undefined when absent. */
  pick(attrs: Attributes, out: (AnyValue | undefined)[]): void {
    out.fill(undefined);
    for (const kv of attrs) {
      const i = this.index.get(kv.key);
      if (i !== undefined) out[i] = kv.value;
    }
  }
}
