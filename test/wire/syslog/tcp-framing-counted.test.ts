import { describe, expect, it } from 'vitest';
import { SyslogFrameDecoder } from '../../../src/wire/syslog/tcp-framing.js';
import type { BadFrameReason } from '../../../src/wire/syslog/tcp-framing.js';

// A counted frame whose `MSG-LEN SP <` is whole in one chunk is read in one go (tcp-framing.ts,
// START); split anywhere, it goes byte by byte through HEAD. Both must cut the stream alike.

function decodeAll(pieces: readonly Buffer[], max: number): { messages: string[]; bad: BadFrameReason[] } {
  const out = { messages: [] as string[], bad: [] as BadFrameReason[] };
  const d = new SyslogFrameDecoder(max, { onMessage: (t) => out.messages.push(t), onBadFrame: (r) => out.bad.push(r) });
  for (const p of pieces) d.push(p);
  d.end();
  return out;
}

function splits(bytes: Buffer): Buffer[][] {
  const all: Buffer[][] = [[bytes]];
  for (let at = 1; at < bytes.length; at++) all.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return all;
}

describe('SyslogFrameDecoder, counted frames read whole', () => {
  it('reads one- to ten-digit counts, and an eleven-digit one as a broken count', () => {
    const msg = '<13>hello'; // 9 bytes
    expect(decodeAll([Buffer.from(`9 ${msg}`)], 100)).toEqual({ messages: [msg], bad: [] });
    // Ten digits: a count (too large here, and cut short by the end of the stream).
    expect(decodeAll([Buffer.from(`9 ${msg}${'9'.repeat(10)} <13>x`)], 100)).toEqual({ messages: [msg], bad: ['too_large', 'bad_frame'] });
    const eleven = Buffer.from(`${'1'.repeat(11)} <13>x\n9 ${msg}`);
    for (const pieces of splits(eleven)) expect(decodeAll(pieces, 100)).toEqual({ messages: [msg], bad: ['bad_frame'] });
  });

  it('skips an oversized frame by its ten-digit count and keeps the next', () => {
    const big = `<13>${'z'.repeat(96)}`; // 100 bytes
    const stream = Buffer.from(`${big.length} ${big}9 <13>after`);
    for (const pieces of splits(stream)) expect(decodeAll(pieces, 50)).toEqual({ messages: ['<13>after'], bad: ['too_large'] });
  });
});
