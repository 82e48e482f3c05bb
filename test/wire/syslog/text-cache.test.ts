import { describe, expect, it } from 'vitest';
import { HASH_SEED, TextCache, hashChars, hashStep, ownedCopy } from '../../../src/wire/syslog/text-cache.js';

/** Offers text[start, end) as its own value (a get() key: slot hash and content hash are the same). */
function lookUp(cache: TextCache<string>, text: string, start = 0, end = text.length): string {
  const h = hashChars(text, start, end);
  return cache.get(text, start, end, h) ?? cache.offer(text, start, end, h, h, (key) => key) ?? text.slice(start, end);
}

describe('TextCache', () => {
  it('hashes as hashStep from HASH_SEED does, character by character', () => {
    let h = HASH_SEED;
    for (const c of 'host-07') h = hashStep(h, c.charCodeAt(0));
    expect(hashChars('xx host-07 yy', 3, 10)).toBe(h);
    expect(hashChars('host-07', 0, 7)).not.toBe(hashChars('host-08', 0, 7));
  });

  it('holds a value from the second time in a row it is offered, then hands out the same object', () => {
    const cache = new TextCache<string>(64, 64);
    const a = 'xx host-00.example.net app-1 yy';
    const h = hashChars(a, 3, 22);
    expect(cache.get(a, 3, 22, h)).toBeUndefined();
    expect(cache.offer(a, 3, 22, h, h, (key) => key)).toBeUndefined();
    expect(cache.size).toBe(0);
    const held = cache.offer(a, 3, 22, h, h, (key) => key);
    expect(held).toBe('host-00.example.net');
    expect(cache.size).toBe(1);
    // Found again from other text with the same characters elsewhere.
    const b = 'host-00.example.net';
    expect(cache.get(b, 0, b.length, hashChars(b, 0, b.length))).toBe(held);
  });

  it('never answers for other text, even under the same hash', () => {
    const cache = new TextCache<string>(64, 64);
    const text = 'host-00';
    const h = hashChars(text, 0, 7);
    lookUp(cache, text);
    lookUp(cache, text);
    expect(cache.size).toBe(1);
    expect(cache.get('host-01', 0, 7, h)).toBeUndefined();
    expect(cache.get('host-0', 0, 6, h)).toBeUndefined();
    expect(cache.get('host-000', 0, 8, h)).toBeUndefined();
  });

  it('stays bounded by its slots and correct when every key collides', () => {
    const one = new TextCache<string>(1, 64);
    const keys = ['alpha', 'beta', 'gamma', 'alpha', 'alpha', 'beta', 'beta', 'gamma', 'alpha'];
    for (let round = 0; round < 3; round++) for (const k of keys) expect(lookUp(one, `<${k}>`, 1, k.length + 1)).toBe(k);
    expect(one.size).toBeLessThanOrEqual(1);

    const small = new TextCache<string>(16, 64);
    for (let i = 0; i < 2000; i++) {
      const k = `key-${i % 500}`;
      expect(lookUp(small, k)).toBe(k);
      expect(lookUp(small, k)).toBe(k);
    }
    expect(small.size).toBeLessThanOrEqual(16);
  });

  it('holds nothing for text offered once, and nothing longer than maxKeyLength', () => {
    const cache = new TextCache<string>(1024, 8);
    for (let i = 0; i < 100; i++) lookUp(cache, `seq-${i}`);
    expect(cache.size).toBe(0);
    for (let i = 0; i < 3; i++) expect(lookUp(cache, 'longer-than-eight')).toBe('longer-than-eight');
    expect(cache.size).toBe(0);
  });

  it('finds a key the text continues with (getAt), and only where the whole key is there', () => {
    const cache = new TextCache<string>(64, 64);
    const sd = '[a x="1"]';
    const h = 12345;
    cache.offer(`xx ${sd} msg`, 3, 3 + sd.length, h, 1, () => 'elements');
    cache.offer(`xx ${sd} msg`, 3, 3 + sd.length, h, 1, () => 'elements');
    expect(cache.getAt(`yyyy ${sd}[b] more`, 5, h)).toEqual({ key: sd, value: 'elements', hash: h });
    expect(cache.getAt(`${sd}`, 0, h)?.value).toBe('elements');
    expect(cache.getAt('[a x="1"', 0, h)).toBeUndefined();
    expect(cache.getAt('[a x="2"] msg', 0, h)).toBeUndefined();
    expect(cache.getAt(`${sd} msg`, 0, h + 1)).toBeUndefined();
  });

  it('copies text exactly, whatever the characters', () => {
    const text = 'ab\u00e9\u4e2d\ud83d\ude00\ud800z';
    for (let start = 0; start < text.length; start++) for (let end = start; end <= text.length; end++) expect(ownedCopy(text, start, end)).toBe(text.slice(start, end));
  });
});
