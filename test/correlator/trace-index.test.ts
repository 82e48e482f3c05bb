import { describe, expect, it } from 'vitest';
import { StringInterner, detachedCopy, stringByteEstimate } from '../../src/correlator/string-interner.js';
import {
  MAX_SERVICES_PER_TRACE,
  SPAN_FLAG_CLIENT,
  SPAN_FLAG_ERROR,
  SPAN_FLAG_ROOT,
  SPAN_FLAG_SERVER,
  TraceIndex,
  type TraceIndexLimits,
} from '../../src/correlator/trace-index.js';

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
  id[0]! |= 1;
  return id;
}

/** A recognisable ID: `n` in the last bytes, `tag` in the first. */
function id(bytes: number, n: number, tag = 0xab): Uint8Array {
  const out = new Uint8Array(bytes);
  out[0] = tag;
  new DataView(out.buffer).setUint32(bytes - 4, n);
  return out;
}
const trace = (n: number): Uint8Array => id(16, n, 0x7a);
const span = (n: number): Uint8Array => id(8, n, 0x5b);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const NO_ID = new Uint8Array(0);

const LIMITS: TraceIndexLimits = { maxTraces: 100, maxSpans: 1000, maxErrorLogs: 100, maxTraceAgeMs: 60_000 };
const SVC_A = 1;
const SVC_B = 2;
const NAME = 7;

describe('TraceIndex joins', () => {
  it('joins a log that arrives before its trace and span', () => {
    const ix = new TraceIndex(LIMITS);
    ix.addLog(trace(1), span(2), SVC_B, 1_005, 17, 'db timeout');
    expect(ix.size.traces).toBe(1);
    expect(ix.getTrace(trace(1))!.errorLogs[0]!.span).toBeUndefined(); // the span is not here yet

    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 1_000, 50, SPAN_FLAG_SERVER);
    ix.addSpan(trace(1), span(2), span(1), SVC_B, NAME, 1_002, 10, SPAN_FLAG_CLIENT | SPAN_FLAG_ERROR);
    const t = ix.getTrace(trace(1))!;
    expect(t.spanCount).toBe(2);
    expect(t.logCount).toBe(1);
    expect(t.errorLogs).toHaveLength(1);
    const log = t.errorLogs[0]!;
    expect(log.spanIdHex).toBe(hex(span(2)));
    expect(log.span).toEqual(ix.getSpan(span(2)));
    expect(log.span!.parentSpanIdHex).toBe(hex(span(1)));
    expect(log.span!.traceIdHex).toBe(hex(trace(1)));
  });

  it('joins a log that arrives after its span', () => {
    const ix = new TraceIndex(LIMITS);
    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 1_000, 50, 0);
    ix.addLog(trace(1), span(1), SVC_A, 1_010, 9, 'info: not kept');
    ix.addLog(trace(1), span(1), SVC_A, 1_020, 21, 'fatal: kept');
    const t = ix.getTrace(trace(1))!;
    expect(t.logCount).toBe(2);
    expect(t.errorLogCount).toBe(1);
    expect(t.errorLogs.map((l) => [l.body, l.severityNumber, l.timeMs, l.serviceId])).toEqual([['fatal: kept', 21, 1_020, SVC_A]]);
    expect(t.errorLogs[0]!.span!.spanIdHex).toBe(hex(span(1)));
    expect(ix.size).toEqual({ traces: 1, spans: 1, errorLogs: 1 });
  });

  it('does not link a log to a span of the same ID in another trace', () => {
    const ix = new TraceIndex(LIMITS);
    ix.addSpan(trace(2), span(1), NO_ID, SVC_A, NAME, 1_000, 5, 0);
    ix.addLog(trace(1), span(1), SVC_A, 1_000, 17, 'elsewhere');
    expect(ix.getTrace(trace(1))!.errorLogs[0]!.span).toBeUndefined();
  });

  it('keeps a summary: services, root, extent, counts, error', () => {
    const ix = new TraceIndex(LIMITS);
    ix.addSpan(trace(1), span(2), span(1), SVC_B, 8, 1_010, 20, SPAN_FLAG_CLIENT);
    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 1_000, 100, SPAN_FLAG_SERVER);
    ix.addSpan(trace(1), span(3), span(1), SVC_A, 9, 1_050, 70, 0);
    ix.addLog(trace(1), NO_ID, 3, 1_200, 13, 'warn');
    const t = ix.getTrace(trace(1))!;
    expect(t.traceIdHex).toBe(hex(trace(1)));
    expect(t.serviceIds).toEqual([SVC_B, SVC_A, 3]);
    expect(t.serviceIdsOverflow).toBe(false);
    expect(t.rootSpan).toEqual({
      traceIdHex: hex(trace(1)),
      spanIdHex: hex(span(1)),
      parentSpanIdHex: '',
      serviceId: SVC_A,
      nameId: NAME,
      startMs: 1_000,
      durationMs: 100,
      flags: SPAN_FLAG_SERVER | SPAN_FLAG_ROOT,
    });
    expect([t.startMs, t.endMs, t.durationMs]).toEqual([1_000, 1_200, 200]);
    expect([t.spanCount, t.errorSpanCount, t.logCount, t.errorLogCount, t.error]).toEqual([3, 0, 1, 0, false]);
    expect(t.spans.map((s) => s.spanIdHex)).toEqual([span(3), span(1), span(2)].map(hex)); // newest first
    expect(t.errorLogs).toEqual([]);

    ix.addSpan(trace(1), span(4), span(1), SVC_A, 9, 1_060, 1, SPAN_FLAG_ERROR);
    const after = ix.getTrace(trace(1))!;
    expect([after.errorSpanCount, after.error]).toEqual([1, true]);
    expect(ix.getTrace(trace(2))).toBeUndefined();
  });

  it('marks a trace in error on an error log alone', () => {
    const ix = new TraceIndex(LIMITS);
    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 1_000, 1, 0);
    expect(ix.getTrace(trace(1))!.error).toBe(false);
    ix.addLog(trace(1), NO_ID, SVC_A, 1_000, 18, 'oops');
    const t = ix.getTrace(trace(1))!;
    expect(t.error).toBe(true);
    expect(t.errorLogs[0]!.spanIdHex).toBe('');
    expect(t.errorLogs[0]!.span).toBeUndefined();
  });

  it('keeps 16 services per trace and notes the overflow', () => {
    const ix = new TraceIndex(LIMITS);
    for (let s = 0; s < MAX_SERVICES_PER_TRACE + 4; s++) ix.addSpan(trace(1), span(s + 1), span(100), 100 + s, NAME, 1_000, 1, 0);
    ix.addLog(trace(1), NO_ID, 100, 1_000, 1, ''); // a known service again: no change
    const t = ix.getTrace(trace(1))!;
    expect(t.serviceIds).toEqual(Array.from({ length: MAX_SERVICES_PER_TRACE }, (_, i) => 100 + i));
    expect(t.serviceIdsOverflow).toBe(true);
  });

  it('counts a resent span once', () => {
    const ix = new TraceIndex(LIMITS);
    for (let i = 0; i < 3; i++) {
      ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 1_000, 10, SPAN_FLAG_ERROR);
      ix.addSpan(trace(1), span(2), span(1), SVC_A, NAME, 1_001, 5, 0);
    }
    const t = ix.getTrace(trace(1))!;
    expect([t.spanCount, t.errorSpanCount, t.spans.length]).toEqual([2, 1, 2]);
    expect(ix.size.spans).toBe(2);
    expect(ix.duplicateSpans).toBe(4);
  });

  it('holds the same span ID in two traces; getSpan answers the newest', () => {
    const ix = new TraceIndex(LIMITS);
    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 1_000, 10, 0);
    ix.addSpan(trace(2), span(1), NO_ID, SVC_B, NAME, 2_000, 10, 0);
    expect(ix.getTrace(trace(1))!.spans).toHaveLength(1);
    expect(ix.getTrace(trace(2))!.spans).toHaveLength(1);
    expect(ix.getSpan(span(1))!.traceIdHex).toBe(hex(trace(2)));
    expect(ix.size.spans).toBe(2);
  });

  it('refuses records with missing, short or all-zero IDs without throwing', () => {
    const ix = new TraceIndex(LIMITS);
    ix.addSpan(new Uint8Array(16), span(1), NO_ID, SVC_A, NAME, 0, 0, 0);
    ix.addSpan(trace(1), new Uint8Array(8), NO_ID, SVC_A, NAME, 0, 0, 0);
    ix.addSpan(trace(1).subarray(0, 8), span(1), NO_ID, SVC_A, NAME, 0, 0, 0);
    ix.addLog(NO_ID, span(1), SVC_A, 0, 17, 'no trace');
    expect(ix.rejected).toBe(4);
    expect(ix.size).toEqual({ traces: 0, spans: 0, errorLogs: 0 });
    expect(ix.getTrace(NO_ID)).toBeUndefined();
    expect(ix.getSpan(new Uint8Array(3))).toBeUndefined();
  });

  it('reads IDs that are views into a larger buffer, and does not keep them', () => {
    const ix = new TraceIndex(LIMITS);
    const request = new Uint8Array(64);
    request.set(trace(9), 3); // unaligned, as in a protobuf request
    request.set(span(9), 21);
    const traceView = request.subarray(3, 19);
    const spanView = request.subarray(21, 29);
    ix.addSpan(traceView, spanView, NO_ID, SVC_A, NAME, 5, 5, 0);
    request.fill(0); // the request buffer is reused for the next request
    expect(ix.getSpan(span(9))!.traceIdHex).toBe(hex(trace(9)));
    expect(ix.getTrace(trace(9))!.spanCount).toBe(1);
  });
});

describe('TraceIndex error log bodies', () => {
  it('truncates bodies and shares equal ones', () => {
    const ix = new TraceIndex({ ...LIMITS, maxBodyLength: 10 });
    ix.addLog(trace(1), NO_ID, SVC_A, 1, 17, 'x'.repeat(50));
    ix.addLog(trace(1), NO_ID, SVC_A, 2, 17, 'short');
    ix.addLog(trace(1), NO_ID, SVC_A, 3, 17, 'short');
    expect(ix.getTrace(trace(1))!.errorLogs.map((l) => l.body)).toEqual(['short', 'short', 'x'.repeat(10)]);
  });

  it('keeps error logs in a ring and releases the bodies it drops', () => {
    const ix = new TraceIndex({ ...LIMITS, maxErrorLogs: 3 });
    const base = ix.byteSize();
    for (let i = 0; i < 5; i++) ix.addLog(trace(1), span(i + 1), SVC_A, i, 17, `error number ${String(i).padStart(2, '0')} `.repeat(20));
    const t = ix.getTrace(trace(1))!;
    expect(t.errorLogCount).toBe(5);
    expect(t.errorLogs.map((l) => l.timeMs)).toEqual([4, 3, 2]);
    expect(ix.size.errorLogs).toBe(3);
    expect(ix.evicted.errorLogs).toBe(2);
    const held = ix.byteSize() - base;
    for (let i = 5; i < 50; i++) ix.addLog(trace(1), span(i + 1), SVC_A, i, 17, `error number ${String(i).padStart(2, '0')} `.repeat(20));
    expect(ix.byteSize() - base).toBe(held); // three bodies of one size, whatever went before
  });

  it('keeps no bodies when maxErrorLogs is 0, and still counts', () => {
    const ix = new TraceIndex({ ...LIMITS, maxErrorLogs: 0 });
    ix.addLog(trace(1), NO_ID, SVC_A, 1, 17, 'gone');
    const t = ix.getTrace(trace(1))!;
    expect([t.errorLogCount, t.errorLogs.length, t.error]).toEqual([1, 0, true]);
  });
});

describe('TraceIndex eviction', () => {
  it('evicts the oldest trace by first sight when full, and counts it with its spans and error logs', () => {
    const ix = new TraceIndex({ ...LIMITS, maxTraces: 3 });
    for (let n = 1; n <= 3; n++) {
      ix.addSpan(trace(n), span(n * 10), NO_ID, SVC_A, NAME, n, 1, 0);
      ix.addSpan(trace(n), span(n * 10 + 1), span(n * 10), SVC_A, NAME, n, 1, 0);
    }
    ix.addLog(trace(1), span(10), SVC_A, 100, 17, 'on the oldest');
    ix.addSpan(trace(1), span(12), span(10), SVC_A, NAME, 100, 1, 0); // activity does not change first sight
    ix.addSpan(trace(4), span(40), NO_ID, SVC_A, NAME, 4, 1, 0);
    expect(ix.getTrace(trace(1))).toBeUndefined();
    expect(ix.getSpan(span(10))).toBeUndefined(); // still in the span ring, but its trace is gone
    expect(ix.evicted).toEqual({ traces: 1, spans: 3, errorLogs: 1 });
    expect(ix.size).toEqual({ traces: 3, spans: 5, errorLogs: 0 });

    // Trace 4 took trace 1's slot: none of trace 1's records may show through it.
    const t4 = ix.getTrace(trace(4))!;
    expect(t4.spans.map((s) => s.spanIdHex)).toEqual([hex(span(40))]);
    expect([t4.errorLogs, t4.spanCount, t4.logCount, t4.rootSpan?.spanIdHex]).toEqual([[], 1, 0, hex(span(40))]);
    ix.addSpan(trace(5), span(50), NO_ID, SVC_B, NAME, 5, 1, 0);
    expect(ix.getTrace(trace(2))).toBeUndefined();
    expect(ix.evicted.traces).toBe(2);

    // Trace 1 seen again starts afresh.
    ix.addSpan(trace(1), span(10), NO_ID, SVC_A, NAME, 200, 1, 0);
    expect(ix.getTrace(trace(1))!.spanCount).toBe(1);
    expect(ix.getSpan(span(10))!.startMs).toBe(200);
  });

  it('reuses the oldest span slots when the ring is full; the summary stays right', () => {
    const ix = new TraceIndex({ ...LIMITS, maxSpans: 4 });
    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 0, 100, SPAN_FLAG_ERROR);
    for (let i = 2; i <= 10; i++) ix.addSpan(trace(1), span(i), span(1), SVC_A, NAME, i, 1, 0);
    const t = ix.getTrace(trace(1))!;
    expect([t.spanCount, t.errorSpanCount, t.error, t.startMs, t.endMs]).toEqual([10, 1, true, 0, 100]);
    expect(t.spans.map((s) => s.spanIdHex)).toEqual([10, 9, 8, 7].map((n) => hex(span(n))));
    expect(t.rootSpan).toBeUndefined();
    expect(ix.getSpan(span(1))).toBeUndefined();
    expect(ix.getSpan(span(7))!.startMs).toBe(7);
    expect(ix.evicted.spans).toBe(6);
    expect(ix.size.spans).toBe(4);
  });

  it('stops a trace span walk at slots another trace took over', () => {
    const ix = new TraceIndex({ ...LIMITS, maxSpans: 4 });
    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 0, 1, 0);
    ix.addSpan(trace(1), span(2), span(1), SVC_A, NAME, 0, 1, 0);
    ix.addSpan(trace(2), span(3), NO_ID, SVC_A, NAME, 0, 1, 0);
    ix.addSpan(trace(2), span(4), span(3), SVC_A, NAME, 0, 1, 0);
    ix.addSpan(trace(2), span(5), span(3), SVC_A, NAME, 0, 1, 0); // takes span 1's slot
    ix.addSpan(trace(1), span(6), span(1), SVC_A, NAME, 0, 1, 0); // takes span 2's slot
    expect(ix.getTrace(trace(1))!.spans.map((s) => s.spanIdHex)).toEqual([hex(span(6))]);
    expect(ix.getTrace(trace(2))!.spans.map((s) => s.spanIdHex)).toEqual([5, 4, 3].map((n) => hex(span(n))));
    expect(ix.size.spans).toBe(4);
    expect(ix.evicted.spans).toBe(2);
  });

  it('evicts traces idle longer than maxTraceAgeMs', () => {
    const ix = new TraceIndex({ ...LIMITS, maxTraceAgeMs: 1_000 });
    ix.addSpan(trace(1), span(1), NO_ID, SVC_A, NAME, 0, 100, 0); // last activity 100
    ix.addSpan(trace(2), span(2), NO_ID, SVC_A, NAME, 0, 100, 0);
    ix.addLog(trace(2), NO_ID, SVC_A, 900, 17, 'late'); // last activity 900
    ix.addLog(trace(3), NO_ID, SVC_A, 1_500, 9, 'log only'); // last activity 1500
    expect(ix.evictExpired(1_100)).toBe(0); // trace 1 is exactly at the limit
    expect(ix.evictExpired(1_101)).toBe(1);
    expect(ix.getTrace(trace(1))).toBeUndefined();
    expect(ix.evicted).toEqual({ traces: 1, spans: 1, errorLogs: 0 });
    expect(ix.evictExpired(2_000)).toBe(1);
    expect(ix.evicted).toEqual({ traces: 2, spans: 2, errorLogs: 1 });
    expect(ix.getTrace(trace(3))!.logCount).toBe(1);
    expect(ix.size).toEqual({ traces: 1, spans: 0, errorLogs: 0 });
    // Freed slots are used before anything is evicted for room.
    for (let n = 10; n < 10 + LIMITS.maxTraces - 1; n++) ix.addLog(trace(n), NO_ID, SVC_A, 3_000, 9, '');
    expect(ix.size.traces).toBe(LIMITS.maxTraces);
    expect(ix.evicted.traces).toBe(2);
  });

  it('stays at its limits under a flood of random trace IDs and counts every eviction exactly', () => {
    const limits: TraceIndexLimits = { maxTraces: 1_000, maxSpans: 4_000, maxErrorLogs: 500, maxTraceAgeMs: 10_000 };
    const ix = new TraceIndex(limits);
    const rnd = lcg(42);
    const bytes = ix.byteSize();
    const N = 1_000_000;
    let errorLogs = 0;
    const tid = new Uint8Array(16);
    const sid = new Uint8Array(8);
    const tview = new DataView(tid.buffer);
    const sview = new DataView(sid.buffer);
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < 16; k += 4) tview.setUint32(k, (rnd() * 2 ** 32) >>> 0);
      for (let k = 0; k < 8; k += 4) sview.setUint32(k, (rnd() * 2 ** 32) >>> 0);
      ix.addSpan(tid, sid, NO_ID, i & 7, NAME, i, 1, 0);
      if (i % 10 === 0) {
        ix.addLog(tid, sid, i & 7, i, 17, 'boom');
        errorLogs++;
      }
    }
    // Each span opened a new trace; the error logs still held are those of the last maxTraces traces.
    expect(ix.size).toEqual({ traces: limits.maxTraces, spans: limits.maxTraces, errorLogs: limits.maxTraces / 10 });
    expect(ix.evicted.traces).toBe(N - limits.maxTraces);
    expect(ix.evicted.spans).toBe(N - ix.size.spans);
    expect(ix.evicted.errorLogs).toBe(errorLogs - ix.size.errorLogs);
    expect(ix.byteSize()).toBeLessThanOrEqual(bytes + 200); // one interned body: nothing else grows
  });

  it('agrees with its own counters through a random mix of traces, spans, logs, resends and expiry', () => {
    const limits: TraceIndexLimits = { maxTraces: 50, maxSpans: 300, maxErrorLogs: 40, maxTraceAgeMs: 500 };
    const ix = new TraceIndex(limits);
    const rnd = lcg(7);
    const traces = Array.from({ length: 120 }, () => randomId(rnd, 16));
    const spanIds = Array.from({ length: 120 }, () => Array.from({ length: 12 }, () => randomId(rnd, 8)));
    let spansAdded = 0;
    let errorLogsAdded = 0;
    for (let step = 0; step < 40_000; step++) {
      const now = step / 10;
      const ti = Math.floor(rnd() * traces.length);
      const si = Math.floor(rnd() * 12);
      if (rnd() < 0.7) {
        const before = ix.duplicateSpans;
        ix.addSpan(traces[ti]!, spanIds[ti]![si]!, si === 0 ? NO_ID : spanIds[ti]![0]!, si % 3, si, now, 1, rnd() < 0.1 ? SPAN_FLAG_ERROR : 0);
        if (ix.duplicateSpans === before) spansAdded++;
      } else {
        const error = rnd() < 0.3;
        ix.addLog(traces[ti]!, spanIds[ti]![si]!, si % 3, now, error ? 17 : 9, `body ${si}`);
        if (error) errorLogsAdded++;
      }
      if (step % 500 === 0) ix.evictExpired(now);
      if (step % 1000 === 0) {
        let spans = 0;
        let logs = 0;
        let held = 0;
        for (const t of traces) {
          const s = ix.getTrace(t);
          if (!s) continue;
          held++;
          spans += s.spans.length;
          logs += s.errorLogs.length;
          expect(s.spans.length).toBeLessThanOrEqual(s.spanCount);
          expect(new Set(s.spans.map((x) => x.spanIdHex)).size).toBe(s.spans.length);
          for (const l of s.errorLogs) if (l.span) expect(l.span.traceIdHex).toBe(s.traceIdHex);
        }
        expect(ix.size).toEqual({ traces: held, spans, errorLogs: logs });
        expect(ix.evicted.spans).toBe(spansAdded - spans);
        expect(ix.evicted.errorLogs).toBe(errorLogsAdded - logs);
      }
    }
    expect(ix.evicted.traces).toBeGreaterThan(0);
  });
});

describe('TraceIndex memory', () => {
  it('holds at most 150 bytes per retained span for a realistic configuration, full of distinct bodies', () => {
    const ix = new TraceIndex({ maxTraces: 200_000, maxSpans: 1_000_000, maxErrorLogs: 50_000, maxTraceAgeMs: 300_000 });
    const rnd = lcg(9);
    const tid = randomId(rnd, 16);
    for (let i = 0; i < 50_000; i++) {
      tid[15] = i & 255;
      tid[14] = (i >> 8) & 255;
      tid[13] = (i >> 16) & 255;
      ix.addLog(tid, NO_ID, 1, i, 17, `${i} `.padEnd(600, 'connection refused by upstream '));
    }
    expect(ix.size.errorLogs).toBe(50_000);
    const perSpan = ix.byteSize() / 1_000_000;
    expect(perSpan).toBeLessThanOrEqual(150);
    expect(perSpan).toBeGreaterThan(80); // the estimate counts the arenas and the bodies
  });

  it('estimates string bytes and copies strings off their parents', () => {
    expect(stringByteEstimate('')).toBe(16);
    expect(stringByteEstimate('abcdefgh')).toBe(24);
    expect(stringByteEstimate('é'.repeat(8))).toBe(24); // Latin-1: one byte each
    expect(stringByteEstimate('€'.repeat(8))).toBe(32);
    const big = 'a'.repeat(100) + 'b'.repeat(100);
    expect(detachedCopy(big.slice(90, 110))).toBe('a'.repeat(10) + 'b'.repeat(10));
    expect(detachedCopy('short')).toBe('short');
  });
});

describe('StringInterner', () => {
  it('shares equal strings, counts references and frees the last one', () => {
    const interner = new StringInterner(2);
    const empty = interner.byteSize;
    const a = interner.acquire('alpha');
    expect(interner.acquire(['al', 'pha'].join(''))).toBe(a);
    expect(interner.references(a)).toBe(2);
    const b = interner.acquire('beta');
    expect(interner.acquire('gamma')).toBe(-1); // full
    expect(interner.size).toBe(2);
    interner.release(a);
    expect(interner.get(a)).toBe('alpha');
    interner.release(a);
    expect(interner.references(a)).toBe(0);
    expect(() => interner.get(a)).toThrow(RangeError);
    expect(interner.acquire('gamma')).toBe(a); // the freed id is reused
    interner.release(a);
    interner.release(b);
    expect(interner.byteSize).toBe(empty);
  });
});
