import { describe, expect, it } from 'vitest';
import { SyslogFrameDecoder } from '../../../src/wire/syslog/tcp-framing.js';
import type { BadFrameReason } from '../../../src/wire/syslog/tcp-framing.js';

interface Decoded {
  readonly messages: string[];
  readonly bad: BadFrameReason[];
}

function decoder(max = 1024): { d: SyslogFrameDecoder; out: Decoded } {
  const out: Decoded = { messages: [], bad: [] };
  const d = new SyslogFrameDecoder(max, { onMessage: (t) => out.messages.push(t), onBadFrame: (r) => out.bad.push(r) });
  return { d, out };
}

/** Feeds the stream in the given pieces and ends it. */
function decode(pieces: readonly Buffer[], max = 1024): Decoded {
  const { d, out } = decoder(max);
  for (const p of pieces) d.push(p);
  d.end();
  return out;
}

const counted = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

/** Every way of cutting `bytes` into two pieces, and the same one byte at a time. */
function everySplit(bytes: Buffer): Buffer[][] {
  const splits: Buffer[][] = [];
  for (let at = 0; at <= bytes.length; at++) splits.push([bytes.subarray(0, at), bytes.subarray(at)]);
  splits.push([...bytes].map((b) => Buffer.from([b])));
  return splits;
}

describe('SyslogFrameDecoder', () => {
  it('cuts octet-counted frames, many per chunk', () => {
    const msgs = ['<13>1 2024-05-01T10:00:00Z h a - - - one', '<14>1 - h a - - - two', '<15>1 - h a - - - three'];
    expect(decode([Buffer.from(msgs.map(counted).join(''))])).toEqual({ messages: msgs, bad: [] });
  });

  it('cuts LF-ended frames and accepts CRLF and NUL as trailers', () => {
    const out = decode([Buffer.from('<13>one\n<14>two\r\n<15>three\u0000<16>four\n')]);
    expect(out).toEqual({ messages: ['<13>one', '<14>two', '<15>three', '<16>four'], bad: [] });
  });

  it('decodes the same messages however the stream is split, in both framings mixed', () => {
    const stream = Buffer.from(
      [counted('<13>1 - h a - - - héllo'), '<14>plain line\n', counted('<15>ends in space '), '<16>crlf\r\n', counted('<17>with lf\n'), '<18>nul\u0000'].join(''),
    );
    const want = ['<13>1 - h a - - - héllo', '<14>plain line', '<15>ends in space ', '<16>crlf', '<17>with lf', '<18>nul'];
    for (const pieces of everySplit(stream)) expect(decode(pieces)).toEqual({ messages: want, bad: [] });
  });

  it('trims the one LF rsyslog counts inside an octet-counted frame, and only that', () => {
    // omfwd with TCP_Framing="octet-counted" sends "LEN SP MSG LF" with the LF in LEN.
    const out = decode([Buffer.from(`${counted('<13>first\n')}${counted('<13>second\r\n')}${counted('<13>two lfs\n\n')}`)]);
    expect(out.messages).toEqual(['<13>first', '<13>second', '<13>two lfs\n']);
  });

  it('keeps a trailing space that the count includes (collector issue #31477)', () => {
    const out = decode([Buffer.from(`${counted('<13>1 - h a - - - msg ')}${counted('<13>1 - h a - - - other  ')}`)]);
    expect(out.messages).toEqual(['<13>1 - h a - - - msg ', '<13>1 - h a - - - other  ']);
  });

  it('skips an LF sent after a counted frame that the count does not include', () => {
    const out = decode([Buffer.from(`${counted('<13>a')}\n${counted('<13>b')}\n`)]);
    expect(out).toEqual({ messages: ['<13>a', '<13>b'], bad: [] });
  });

  it('counts the length in bytes, not characters', () => {
    const msg = '<13>1 - h a - - - ü€𝄞 done';
    const out = decode([Buffer.from(`${counted(msg)}${counted('<13>next')}`)]);
    expect(out.messages).toEqual([msg, '<13>next']);
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const bytes = Buffer.from('<13>ünïcödé\n');
    for (const pieces of everySplit(bytes)) expect(decode(pieces).messages).toEqual(['<13>ünïcödé']);
  });

  it('skips exactly the declared length of an oversized counted frame and keeps its neighbours', () => {
    const big = `<13>${'x'.repeat(100)}`;
    const stream = Buffer.from(`${counted('<13>before')}${counted(big)}${counted('<13>after')}<14>line\n`);
    for (const pieces of everySplit(stream)) {
      expect(decode(pieces, 50)).toEqual({ messages: ['<13>before', '<13>after', '<14>line'], bad: ['too_large'] });
    }
  });

  it('drops an oversized LF-ended frame up to its LF and keeps its neighbours', () => {
    const stream = Buffer.from(`<13>before\n<13>${'y'.repeat(100)}\n<13>after\n${counted('<14>counted')}`);
    for (const pieces of everySplit(stream)) {
      expect(decode(pieces, 50)).toEqual({ messages: ['<13>before', '<13>after', '<14>counted'], bad: ['too_large'] });
    }
  });

  it('takes a message of exactly the maximum size, in either framing', () => {
    const msg = `<13>${'z'.repeat(46)}`; // 50 bytes
    expect(decode([Buffer.from(`${counted(msg)}${msg}\n`)], 50)).toEqual({ messages: [msg, msg], bad: [] });
  });

  it('counts a broken count and resynchronises at the next LF', () => {
    // A PRI right after the first word says a counted frame was meant: these are not lines.
    const cases: [string, string][] = [
      ['non-digit in the length', '12a <13>broken\n'],
      ['upper-case non-digit in the length', '12X <13>1 - h app - - - broken count\n'],
      ['length without SP', '12<13>broken\n'],
      ['eleven digits', '12345678901 <13>x\n'],
    ];
    for (const [what, broken] of cases) {
      // After a counted frame, after a line, and as the connection's first frame: the same.
      for (const before of [counted('<13>before'), '<13>before\n', '']) {
        const stream = Buffer.from(`${before}${broken}<13>after\n${counted('<14>counted')}`);
        const want = { messages: [...(before ? ['<13>before'] : []), '<13>after', '<14>counted'], bad: ['bad_frame'] };
        for (const pieces of everySplit(stream)) expect(decode(pieces), `${what} after ${JSON.stringify(before)}`).toEqual(want);
      }
    }
  });

  it('takes digit-led lines without PRI as lines, intact, wherever they come', () => {
    const lines = [
      '2024-11-25T10:00:00Z host app: msg',
      '123: *Nov 25 10:00:00.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to up',
      '000123: Nov 25 10:00:00: %SYS-5-CONFIG_I: Configured from console',
      '10.0.0.1 sshd[42]: accepted',
      '1732528800000 host app: epoch milliseconds',
      '123',
      '9',
    ];
    for (const line of lines) {
      // Alone, after a line, after a counted frame, with LF, CRLF and NUL trailers.
      for (const before of ['', '<13>line\n', counted('<13>counted')]) {
        for (const trailer of ['\n', '\r\n', '\u0000']) {
          const stream = Buffer.from(`${before}${line}${trailer}${counted('<14>next')}`);
          const want = { messages: [...(before ? [before.startsWith('<') ? '<13>line' : '<13>counted'] : []), line, '<14>next'], bad: [] };
          for (const pieces of everySplit(stream)) expect(decode(pieces), JSON.stringify(before + line + trailer)).toEqual(want);
        }
      }
    }
  });

  it('takes `digits SP` without a PRI after it as a line, unless the connection has only counted so far', () => {
    const line = '4 Dec 10:00:00 host app: day first';
    // The first frame, or after a line: a line.
    expect(decode([Buffer.from(`${line}\n${counted('<13>x')}`)])).toEqual({ messages: [line, '<13>x'], bad: [] });
    expect(decode([Buffer.from(`<13>a\n${counted('<13>b')}${line}\n`)])).toEqual({ messages: ['<13>a', '<13>b', line], bad: [] });
    // A connection that has only used octet counting: a counted message sent without PRI.
    for (const pieces of everySplit(Buffer.from(`${counted('<13>a')}${counted('no pri here')}${counted('<13>b')}`))) {
      expect(decode(pieces)).toEqual({ messages: ['<13>a', 'no pri here', '<13>b'], bad: [] });
    }
  });

  it('keeps counted and line frames apart on one connection, however the stream is split', () => {
    const frames: [string, string][] = [
      ['2024-11-25T10:00:00Z host app: iso first', '2024-11-25T10:00:00Z host app: iso first\n'],
      ['<13>1 - h a - - - counted', counted('<13>1 - h a - - - counted')],
      ['123: *Nov 25 10:00:00.123: %LINK-3-UPDOWN: cisco', '123: *Nov 25 10:00:00.123: %LINK-3-UPDOWN: cisco\r\n'],
      ['<14>line', '<14>line\n'],
      ['<15>rsyslog lf', counted('<15>rsyslog lf\n')],
      ['4 Dec 10:00:00 host app: day first', '4 Dec 10:00:00 host app: day first\n'],
      ['<16>héllo 1 2 3', counted('<16>héllo 1 2 3')],
      ['12345 plain number', '12345 plain number\u0000'],
      ['<17>last', counted('<17>last')],
    ];
    const stream = Buffer.from(frames.map(([, wire]) => wire).join(''));
    const want = { messages: frames.map(([msg]) => msg), bad: [] };
    for (const pieces of everySplit(stream)) expect(decode(pieces)).toEqual(want);
  });

  it('at the end of the stream, takes a digit-led head as a line, or as a cut count on a counting connection', () => {
    expect(decode([Buffer.from('123')])).toEqual({ messages: ['123'], bad: [] });
    expect(decode([Buffer.from('<13>a\n40 ')])).toEqual({ messages: ['<13>a', '40 '], bad: [] });
    expect(decode([Buffer.from('<13>a\n12ab')])).toEqual({ messages: ['<13>a', '12ab'], bad: [] });
    expect(decode([Buffer.from(`${counted('<13>a')}40 `)])).toEqual({ messages: ['<13>a'], bad: ['bad_frame'] });
    expect(decode([Buffer.from(`${counted('<13>a')}12ab`)])).toEqual({ messages: ['<13>a', '12ab'], bad: [] });
  });

  it('is mid-frame while reading ahead a digit-led frame', () => {
    const { d, out } = decoder();
    d.push(Buffer.from('12'));
    expect(d.midFrame).toBe(true);
    d.push(Buffer.from('3: x\n'));
    expect(d.midFrame).toBe(false);
    expect(out.messages).toEqual(['123: x']);
  });

  it('counts an oversized digit-led line as too_large', () => {
    const long = `2024-11-25T10:00:00Z ${'v'.repeat(100)}`;
    for (const pieces of everySplit(Buffer.from(`${long}\n123: ok\n`))) {
      expect(decode(pieces, 50)).toEqual({ messages: ['123: ok'], bad: ['too_large'] });
    }
    expect(decode([Buffer.from('1234\n')], 3)).toEqual({ messages: [], bad: ['too_large'] });
  });

  it('ignores blank lines, CRs and NUL padding between frames', () => {
    expect(decode([Buffer.from('\n\r\n\u0000<13>a\n\n\n<13>b\n')])).toEqual({ messages: ['<13>a', '<13>b'], bad: [] });
  });

  it('treats a message without PRI as an LF-ended frame', () => {
    expect(decode([Buffer.from('hello world\n<13>next\n')]).messages).toEqual(['hello world', '<13>next']);
  });

  it('at the end of the stream, takes an unterminated line and counts a cut counted frame', () => {
    expect(decode([Buffer.from('<13>one\n<13>last without lf')])).toEqual({ messages: ['<13>one', '<13>last without lf'], bad: [] });
    expect(decode([Buffer.from(`${counted('<13>one')}40 <13>cut`)])).toEqual({ messages: ['<13>one'], bad: ['bad_frame'] });
    expect(decode([Buffer.from(`${counted('<13>one')}40`)])).toEqual({ messages: ['<13>one'], bad: ['bad_frame'] });
  });

  it('does nothing at the end of a stream that ended between frames or inside a skipped line', () => {
    expect(decode([Buffer.from('<13>one\n')])).toEqual({ messages: ['<13>one'], bad: [] });
    expect(decode([Buffer.from(`<13>${'y'.repeat(100)}`)], 50)).toEqual({ messages: [], bad: ['too_large'] });
  });

  it('stays linear on a large stream of small frames in large chunks', () => {
    const n = 200_000;
    // Counted frames, lines with PRI and digit-led lines without, in turn.
    const message = (i: number) => (i % 3 === 2 ? `${i}: *Nov 25 m${i}` : `<13>1 - h a - - - m${i}`);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(i % 3 === 0 ? counted(message(i)) : `${message(i)}\n`);
    const stream = Buffer.from(lines.join(''));
    const { d, out } = decoder();
    for (let at = 0; at < stream.length; at += 65_536) d.push(stream.subarray(at, at + 65_536));
    d.end();
    expect(out.bad).toEqual([]);
    expect(out.messages.length).toBe(n);
    for (const i of [0, 1, 2, n - 3, n - 2, n - 1]) expect(out.messages[i]).toBe(message(i));
  });

  it('keeps a long line split over many chunks whole', () => {
    const long = `<13>${'w'.repeat(10_000)}`;
    const { d, out } = decoder(20_000);
    const bytes = Buffer.from(`${long}\n${counted(long)}`);
    for (let at = 0; at < bytes.length; at += 7) d.push(bytes.subarray(at, at + 7));
    d.end();
    expect(out).toEqual({ messages: [long, long], bad: [] });
  });
});
