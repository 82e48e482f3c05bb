// The correlator's join of spans and log records by trace ID and span ID. Whichever arrives first
// creates the trace's entry; later arrivals join it, and a log record's link to its span is resolved
// when asked, through the span index, so neither order loses the join.
//
// It is on the hot path (a million events per second per core) and has a memory budget per retained
// span, so it holds no object per span and no string key: every record lives in struct-of-arrays
// arenas of typed arrays sized once from the limits, and IDs are found through open-addressing
// indexes over their bytes (IdHashIndex).
//
// - Traces take slots from a free list; a doubly linked list in first-sight order names the oldest,
//   which a new trace evicts when all slots are taken. Each slot has a generation, bumped when its
//   trace is evicted, and spans and error logs record the generation they were filed under: a record
//   whose trace was evicted is then recognisably stale without having been visited at eviction.
// - Spans and error logs are rings. Each trace threads its records newest-first through a `next`
//   column; a ring overwrites in insertion order, so a walk that meets a record no longer belonging
//   to the trace, or one newer than the record before it, has reached the overwritten part and stops.
// - A trace's counters live in its own slot, so its summary stays right after its spans leave the ring.

import { IdHashIndex, readWord } from './id-hash-index.js';
import { StringInterner } from './string-interner.js';

export const SPAN_FLAG_ERROR = 1;
/** The span has no parent; set by the index too when the parent ID is empty or all zeros. */
export const SPAN_FLAG_ROOT = 2;
export const SPAN_FLAG_SERVER = 4;
export const SPAN_FLAG_CLIENT = 8;

/** Distinct services remembered per trace; more are noted as overflow, not kept. */
export const MAX_SERVICES_PER_TRACE = 16;
/** SeverityNumber ERROR (17) and above: the records whose body is kept. */
const ERROR_SEVERITY = 17;
const DEFAULT_MAX_BODY_LENGTH = 512;
const NONE = -1;
const TRACE_LIVE = 1;
const TRACE_ERROR_LOG = 2;
const TRACE_SERVICES_OVERFLOW = 4;

export interface TraceIndexLimits {
  /** Traces held; the oldest (by first sight) are evicted first. */
  readonly maxTraces: number;
  /** Spans held (ring); when full the oldest span slots are reused. */
  readonly maxSpans: number;
  /** Error-or-worse log records kept with their body (ring). */
  readonly maxErrorLogs: number;
  /** Traces whose last activity is older than (now - this) are evicted by evictExpired(nowMs). */
  readonly maxTraceAgeMs: number;
  /** Error log bodies are truncated to this many characters (default 512). */
  readonly maxBodyLength?: number;
}

export interface EvictionCounts {
  traces: number;
  spans: number;
  errorLogs: number;
}

export interface SpanInfo {
  traceIdHex: string;
  spanIdHex: string;
  /** "" for a root span. */
  parentSpanIdHex: string;
  serviceId: number;
  nameId: number;
  startMs: number;
  durationMs: number;
  flags: number;
}

export interface ErrorLogInfo {
  /** "" when the record named no span. */
  spanIdHex: string;
  serviceId: number;
  timeMs: number;
  severityNumber: number;
  body: string;
  /** The span the record names, when that span is held in this trace. */
  span?: SpanInfo;
}

export interface TraceSummary {
  traceIdHex: string;
  /** Distinct services touched by spans or logs, in first-seen order, up to MAX_SERVICES_PER_TRACE. */
  serviceIds: number[];
  /** True when more distinct services touched the trace than serviceIds holds. */
  serviceIdsOverflow: boolean;
  /** The span without parent, when seen and still held. */
  rootSpan: SpanInfo | undefined;
  /** Extent of everything seen: span start to end and log times. */
  startMs: number;
  endMs: number;
  durationMs: number;
  spanCount: number;
  errorSpanCount: number;
  /** Any span flagged error, or an error-or-worse log record. */
  error: boolean;
  logCount: number;
  errorLogCount: number;
  /** The error log records still held, newest first. */
  errorLogs: ErrorLogInfo[];
  /** The spans still held, newest first. */
  spans: SpanInfo[];
}

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex of the ID stored as `words` little-endian words from `base`; "" when all zero (no ID). */
function wordsToHex(column: Int32Array, base: number, words: number): string {
  let nonZero = 0;
  for (let w = 0; w < words; w++) nonZero |= column[base + w]!;
  if (nonZero === 0) return '';
  let out = '';
  for (let w = 0; w < words; w++) {
    const word = column[base + w]!;
    out += HEX_BYTE[word & 255]! + HEX_BYTE[(word >>> 8) & 255]! + HEX_BYTE[(word >>> 16) & 255]! + HEX_BYTE[word >>> 24]!;
  }
  return out;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}

export class TraceIndex {
  /** Running totals of what left the index before being asked for, for metrics. */
  readonly evicted: EvictionCounts = { traces: 0, spans: 0, errorLogs: 0 };
  /** What is held now. */
  readonly size: { traces: number; spans: number; errorLogs: number } = { traces: 0, spans: 0, errorLogs: 0 };
  private rejectedCount = 0;
  private duplicateCount = 0;

  private readonly maxTraces: number;
  private readonly maxSpans: number;
  private readonly maxErrorLogs: number;
  private readonly maxTraceAgeMs: number;
  private readonly maxBodyLength: number;

  // Traces, by slot.
  private readonly traceIndex: IdHashIndex;
  private readonly traceGen: Uint32Array;
  private readonly traceState: Uint8Array;
  private readonly traceStart: Float64Array;
  private readonly traceEnd: Float64Array;
  private readonly traceSpanCount: Uint32Array;
  private readonly traceErrorSpanCount: Uint32Array;
  private readonly traceLogCount: Uint32Array;
  private readonly traceErrorLogCount: Uint32Array;
  private readonly traceHeldSpans: Uint32Array;
  private readonly traceHeldErrorLogs: Uint32Array;
  private readonly traceServices: Int32Array;
  private readonly traceServiceCount: Uint8Array;
  private readonly traceRoot: Int32Array;
  private readonly traceSpanHead: Int32Array;
  private readonly traceErrorLogHead: Int32Array;
  /** First-sight order: older and newer neighbours. A free slot's `traceNewer` chains the free list. */
  private readonly traceOlder: Int32Array;
  private readonly traceNewer: Int32Array;
  private oldestTrace = NONE;
  private newestTrace = NONE;
  private freeTrace = 0;

  // Spans, by ring slot.
  private readonly spanIndex: IdHashIndex;
  private readonly spanParent: Int32Array;
  private readonly spanTrace: Int32Array;
  private readonly spanTraceGen: Uint32Array;
  private readonly spanService: Int32Array;
  private readonly spanName: Int32Array;
  private readonly spanStart: Float64Array;
  private readonly spanDuration: Float64Array;
  private readonly spanFlags: Uint8Array;
  private readonly spanNext: Int32Array;
  private spanCursor = 0;

  // Error log records, by ring slot.
  private readonly logTrace: Int32Array;
  private readonly logTraceGen: Uint32Array;
  private readonly logSpan: Int32Array;
  private readonly logService: Int32Array;
  private readonly logTime: Float64Array;
  private readonly logSeverity: Uint8Array;
  private readonly logBody: Int32Array;
  private readonly logNext: Int32Array;
  private logCursor = 0;
  /** As many entries as error log slots, so interning never refuses a body. */
  private readonly bodies: StringInterner;

  private readonly arenaBytes: number;

  constructor(limits: TraceIndexLimits) {
    checkCount('maxTraces', limits.maxTraces, 1);
    checkCount('maxSpans', limits.maxSpans, 1);
    checkCount('maxErrorLogs', limits.maxErrorLogs, 0);
    if (!(limits.maxTraceAgeMs > 0)) throw new RangeError(`maxTraceAgeMs must be > 0, got ${limits.maxTraceAgeMs}`);
    const maxBodyLength = limits.maxBodyLength ?? DEFAULT_MAX_BODY_LENGTH;
    checkCount('maxBodyLength', maxBodyLength, 0);
    const T = (this.maxTraces = limits.maxTraces);
    const S = (this.maxSpans = limits.maxSpans);
    const E = (this.maxErrorLogs = limits.maxErrorLogs);
    this.maxTraceAgeMs = limits.maxTraceAgeMs;
    this.maxBodyLength = maxBodyLength;

    this.traceIndex = new IdHashIndex(4, T);
    this.traceGen = new Uint32Array(T);
    this.traceState = new Uint8Array(T);
    this.traceStart = new Float64Array(T);
    this.traceEnd = new Float64Array(T);
    this.traceSpanCount = new Uint32Array(T);
    this.traceErrorSpanCount = new Uint32Array(T);
    this.traceLogCount = new Uint32Array(T);
    this.traceErrorLogCount = new Uint32Array(T);
    this.traceHeldSpans = new Uint32Array(T);
    this.traceHeldErrorLogs = new Uint32Array(T);
    this.traceServices = new Int32Array(T * MAX_SERVICES_PER_TRACE);
    this.traceServiceCount = new Uint8Array(T);
    this.traceRoot = new Int32Array(T);
    this.traceSpanHead = new Int32Array(T);
    this.traceErrorLogHead = new Int32Array(T);
    this.traceOlder = new Int32Array(T);
    this.traceNewer = new Int32Array(T);
    for (let t = 0; t < T; t++) this.traceNewer[t] = t + 1 < T ? t + 1 : NONE;

    this.spanIndex = new IdHashIndex(2, S);
    this.spanParent = new Int32Array(S * 2);
    this.spanTrace = new Int32Array(S).fill(NONE);
    this.spanTraceGen = new Uint32Array(S);
    this.spanService = new Int32Array(S);
    this.spanName = new Int32Array(S);
    this.spanStart = new Float64Array(S);
    this.spanDuration = new Float64Array(S);
    this.spanFlags = new Uint8Array(S);
    this.spanNext = new Int32Array(S);

    this.logTrace = new Int32Array(E).fill(NONE);
    this.logTraceGen = new Uint32Array(E);
    this.logSpan = new Int32Array(E * 2);
    this.logService = new Int32Array(E);
    this.logTime = new Float64Array(E);
    this.logSeverity = new Uint8Array(E);
    this.logBody = new Int32Array(E);
    this.logNext = new Int32Array(E);
    this.bodies = new StringInterner(E);

    const arrays: ArrayBufferView[] = [
      this.traceGen, this.traceState, this.traceStart, this.traceEnd, this.traceSpanCount, this.traceErrorSpanCount,
      this.traceLogCount, this.traceErrorLogCount, this.traceHeldSpans, this.traceHeldErrorLogs, this.traceServices,
      this.traceServiceCount, this.traceRoot, this.traceSpanHead, this.traceErrorLogHead, this.traceOlder, this.traceNewer,
      this.spanParent, this.spanTrace, this.spanTraceGen, this.spanService, this.spanName, this.spanStart,
      this.spanDuration, this.spanFlags, this.spanNext,
      this.logTrace, this.logTraceGen, this.logSpan, this.logService, this.logTime, this.logSeverity, this.logBody, this.logNext,
    ];
    this.arenaBytes = arrays.reduce((n, a) => n + a.byteLength, 0) + this.traceIndex.byteLength + this.spanIndex.byteLength;
  }

  /** Records refused because an ID was missing, of the wrong length or all zeros. */
  get rejected(): number {
    return this.rejectedCount;
  }

  /** Spans ignored because the same span ID was already held in the same trace (resends). */
  get duplicateSpans(): number {
    return this.duplicateCount;
  }

  /** Bytes held by the arenas and indexes (typed arrays' byteLength) plus the held bodies' estimate. */
  byteSize(): number {
    return this.arenaBytes + this.bodies.byteSize;
  }

  /** Positional arguments: no object per span on the hot path. IDs are read, not retained. */
  addSpan(
    traceId: Uint8Array,
    spanId: Uint8Array,
    parentSpanId: Uint8Array,
    serviceId: number,
    nameId: number,
    startMs: number,
    durationMs: number,
    flags: number,
  ): void {
    const spans = this.spanIndex;
    if (!spans.setProbe(spanId)) {
      this.rejectedCount++;
      return;
    }
    const t = this.traceSlot(traceId);
    if (t === NONE) {
      this.rejectedCount++;
      return;
    }
    const gen = this.traceGen[t]!;
    const found = spans.find();
    if (found !== NONE && this.spanTrace[found] === t && this.spanTraceGen[found] === gen) {
      // An OTLP retry resends what may already have arrived: count each span once. A resend that
      // comes after the span left the ring cannot be recognised and counts again.
      this.duplicateCount++;
      return;
    }

    const slot = this.spanCursor;
    this.spanCursor = slot + 1 === this.maxSpans ? 0 : slot + 1;
    this.releaseSpanSlot(slot);
    // The same span ID held for another (or an evicted) trace: the newest arrival answers getSpan.
    if (found !== NONE && found !== slot) spans.remove(found);
    spans.insert(slot);

    let p0 = 0;
    let p1 = 0;
    if (parentSpanId.length === 8) {
      p0 = readWord(parentSpanId, 0);
      p1 = readWord(parentSpanId, 4);
    }
    flags &= 0xff;
    if ((p0 | p1) === 0) flags |= SPAN_FLAG_ROOT;
    this.spanParent[slot * 2] = p0;
    this.spanParent[slot * 2 + 1] = p1;
    this.spanTrace[slot] = t;
    this.spanTraceGen[slot] = gen;
    this.spanService[slot] = serviceId;
    this.spanName[slot] = nameId;
    this.spanStart[slot] = startMs;
    this.spanDuration[slot] = durationMs;
    this.spanFlags[slot] = flags;
    this.spanNext[slot] = this.traceSpanHead[t]!;
    this.traceSpanHead[t] = slot;

    this.traceSpanCount[t]!++;
    if ((flags & SPAN_FLAG_ERROR) !== 0) this.traceErrorSpanCount[t]!++;
    if ((flags & SPAN_FLAG_ROOT) !== 0) this.traceRoot[t] = slot;
    this.traceHeldSpans[t]!++;
    this.size.spans++;
    this.touch(t, startMs, startMs + durationMs, serviceId);
  }

  /** A log record with a trace ID (and maybe a span ID). Error logs (severityNumber >= 17) keep their body. */
  addLog(traceId: Uint8Array, spanId: Uint8Array, serviceId: number, timeMs: number, severityNumber: number, body: string): void {
    const t = this.traceSlot(traceId);
    if (t === NONE) {
      this.rejectedCount++;
      return;
    }
    this.traceLogCount[t]!++;
    this.touch(t, timeMs, timeMs, serviceId);
    if (severityNumber < ERROR_SEVERITY) return;
    this.traceErrorLogCount[t]!++;
    this.traceState[t]! |= TRACE_ERROR_LOG;
    if (this.maxErrorLogs === 0) return;

    const slot = this.logCursor;
    this.logCursor = slot + 1 === this.maxErrorLogs ? 0 : slot + 1;
    this.releaseErrorLogSlot(slot);
    const text = body.length > this.maxBodyLength ? body.slice(0, this.maxBodyLength) : body;
    this.logBody[slot] = this.bodies.acquire(text);
    let s0 = 0;
    let s1 = 0;
    if (spanId.length === 8) {
      s0 = readWord(spanId, 0);
      s1 = readWord(spanId, 4);
    }
    this.logSpan[slot * 2] = s0;
    this.logSpan[slot * 2 + 1] = s1;
    this.logTrace[slot] = t;
    this.logTraceGen[slot] = this.traceGen[t]!;
    this.logService[slot] = serviceId;
    this.logTime[slot] = timeMs;
    this.logSeverity[slot] = severityNumber;
    this.logNext[slot] = this.traceErrorLogHead[t]!;
    this.traceErrorLogHead[t] = slot;
    this.traceHeldErrorLogs[t]!++;
    this.size.errorLogs++;
  }

  /** The trace's summary, or undefined when it is not held. Allocates: for queries, not the hot path. */
  getTrace(traceId: Uint8Array): TraceSummary | undefined {
    if (!this.traceIndex.setProbe(traceId)) return undefined;
    const t = this.traceIndex.find();
    if (t === NONE) return undefined;
    const gen = this.traceGen[t]!;
    const traceIdHex = wordsToHex(this.traceIndex.keys, t * 4, 4);

    const spans: SpanInfo[] = [];
    for (let s = this.traceSpanHead[t]!, prevAge = -1; s !== NONE; s = this.spanNext[s]!) {
      const age = this.ringAge(s, this.spanCursor, this.maxSpans);
      if (age <= prevAge || this.spanTrace[s] !== t || this.spanTraceGen[s] !== gen) break;
      prevAge = age;
      spans.push(this.spanInfo(s, traceIdHex));
    }

    const errorLogs: ErrorLogInfo[] = [];
    for (let l = this.traceErrorLogHead[t]!, prevAge = -1; l !== NONE; l = this.logNext[l]!) {
      const age = this.ringAge(l, this.logCursor, this.maxErrorLogs);
      if (age <= prevAge || this.logTrace[l] !== t || this.logTraceGen[l] !== gen) break;
      prevAge = age;
      const info: ErrorLogInfo = {
        spanIdHex: wordsToHex(this.logSpan, l * 2, 2),
        serviceId: this.logService[l]!,
        timeMs: this.logTime[l]!,
        severityNumber: this.logSeverity[l]!,
        body: this.bodies.get(this.logBody[l]!),
      };
      const span = this.linkedSpan(l, t, gen);
      if (span !== NONE) info.span = this.spanInfo(span, traceIdHex);
      errorLogs.push(info);
    }

    const root = this.traceRoot[t]!;
    const rootHeld = root !== NONE && this.spanTrace[root] === t && this.spanTraceGen[root] === gen && (this.spanFlags[root]! & SPAN_FLAG_ROOT) !== 0;
    const start = this.traceStart[t]!;
    const end = this.traceEnd[t]!;
    const extentKnown = Number.isFinite(start) && Number.isFinite(end) && end >= start;
    const serviceCount = this.traceServiceCount[t]!;
    const state = this.traceState[t]!;
    const errorSpanCount = this.traceErrorSpanCount[t]!;
    return {
      traceIdHex,
      serviceIds: Array.from(this.traceServices.subarray(t * MAX_SERVICES_PER_TRACE, t * MAX_SERVICES_PER_TRACE + serviceCount)),
      serviceIdsOverflow: (state & TRACE_SERVICES_OVERFLOW) !== 0,
      rootSpan: rootHeld ? this.spanInfo(root, traceIdHex) : undefined,
      startMs: extentKnown ? start : 0,
      endMs: extentKnown ? end : 0,
      durationMs: extentKnown ? end - start : 0,
      spanCount: this.traceSpanCount[t]!,
      errorSpanCount,
      error: errorSpanCount > 0 || (state & TRACE_ERROR_LOG) !== 0,
      logCount: this.traceLogCount[t]!,
      errorLogCount: this.traceErrorLogCount[t]!,
      errorLogs,
      spans,
    };
  }

  /** The span a log record links to, if that span is (still) held. */
  /**
   * The service of a held span, or -1: what the correlator needs to learn the service graph from a
   * client/server span pair, without the allocations of getSpan.
   */
  serviceOfSpan(spanId: Uint8Array): number {
    if (!this.spanIndex.setProbe(spanId)) return -1;
    const s = this.spanIndex.find();
    if (s === NONE) return -1;
    const t = this.spanTrace[s]!;
    if ((this.traceState[t]! & TRACE_LIVE) === 0 || this.traceGen[t] !== this.spanTraceGen[s]) return -1;
    return this.spanService[s]!;
  }

  getSpan(spanId: Uint8Array): SpanInfo | undefined {
    if (!this.spanIndex.setProbe(spanId)) return undefined;
    const s = this.spanIndex.find();
    if (s === NONE) return undefined;
    const t = this.spanTrace[s]!;
    if ((this.traceState[t]! & TRACE_LIVE) === 0 || this.traceGen[t] !== this.spanTraceGen[s]) return undefined;
    return this.spanInfo(s, wordsToHex(this.traceIndex.keys, t * 4, 4));
  }

  /**
   * Evicts the traces whose last activity (the latest span end or log time seen for them) is before
   * `nowMs - maxTraceAgeMs`, and returns how many. It scans every trace slot: O(maxTraces), cheap
   * next to a timer's period, and it keeps the per-event path free of age bookkeeping.
   */
  evictExpired(nowMs: number): number {
    const cutoff = nowMs - this.maxTraceAgeMs;
    let n = 0;
    for (let t = 0; t < this.maxTraces; t++) {
      if ((this.traceState[t]! & TRACE_LIVE) !== 0 && this.traceEnd[t]! < cutoff) {
        this.evictTrace(t);
        n++;
      }
    }
    return n;
  }

  /** The trace slot for the ID, created (evicting the oldest trace if need be) when not held; NONE when the ID is invalid. */
  private traceSlot(traceId: Uint8Array): number {
    const index = this.traceIndex;
    if (!index.setProbe(traceId)) return NONE;
    const held = index.find();
    if (held !== NONE) return held;

    if (this.size.traces === this.maxTraces) this.evictTrace(this.oldestTrace);
    const t = this.freeTrace;
    this.freeTrace = this.traceNewer[t]!;
    index.insert(t);
    this.traceState[t] = TRACE_LIVE;
    this.traceStart[t] = Infinity;
    this.traceEnd[t] = -Infinity;
    this.traceSpanCount[t] = 0;
    this.traceErrorSpanCount[t] = 0;
    this.traceLogCount[t] = 0;
    this.traceErrorLogCount[t] = 0;
    this.traceHeldSpans[t] = 0;
    this.traceHeldErrorLogs[t] = 0;
    this.traceServiceCount[t] = 0;
    this.traceRoot[t] = NONE;
    this.traceSpanHead[t] = NONE;
    this.traceErrorLogHead[t] = NONE;
    this.traceOlder[t] = this.newestTrace;
    this.traceNewer[t] = NONE;
    if (this.newestTrace === NONE) this.oldestTrace = t;
    else this.traceNewer[this.newestTrace] = t;
    this.newestTrace = t;
    this.size.traces++;
    return t;
  }

  private evictTrace(t: number): void {
    this.traceIndex.remove(t);
    const older = this.traceOlder[t]!;
    const newer = this.traceNewer[t]!;
    if (older === NONE) this.oldestTrace = newer;
    else this.traceNewer[older] = newer;
    if (newer === NONE) this.newestTrace = older;
    else this.traceOlder[newer] = older;
    // Its spans and error logs stay in their rings until overwritten; the new generation makes them stale.
    this.traceGen[t] = (this.traceGen[t]! + 1) >>> 0;
    this.traceState[t] = 0;
    this.traceNewer[t] = this.freeTrace;
    this.freeTrace = t;
    this.size.traces--;
    this.evicted.traces++;
    const spans = this.traceHeldSpans[t]!;
    this.size.spans -= spans;
    this.evicted.spans += spans;
    const logs = this.traceHeldErrorLogs[t]!;
    this.size.errorLogs -= logs;
    this.evicted.errorLogs += logs;
  }

  /** Frees a span slot the ring is about to reuse; counts the span as evicted when its trace still held it. */
  private releaseSpanSlot(slot: number): void {
    const t = this.spanTrace[slot]!;
    if (t === NONE) return;
    this.spanIndex.remove(slot);
    if ((this.traceState[t]! & TRACE_LIVE) === 0 || this.traceGen[t] !== this.spanTraceGen[slot]) return;
    this.traceHeldSpans[t]!--;
    this.size.spans--;
    this.evicted.spans++;
    if (this.traceRoot[t] === slot) this.traceRoot[t] = NONE;
    // The trace's newest span going means all of them went: the list is empty, not stale.
    if (this.traceSpanHead[t] === slot) this.traceSpanHead[t] = NONE;
  }

  private releaseErrorLogSlot(slot: number): void {
    const t = this.logTrace[slot]!;
    if (t === NONE) return;
    this.bodies.release(this.logBody[slot]!);
    if ((this.traceState[t]! & TRACE_LIVE) === 0 || this.traceGen[t] !== this.logTraceGen[slot]) return;
    this.traceHeldErrorLogs[t]!--;
    this.size.errorLogs--;
    this.evicted.errorLogs++;
    if (this.traceErrorLogHead[t] === slot) this.traceErrorLogHead[t] = NONE;
  }

  /** Widens the trace's extent and adds the service to its set. */
  private touch(t: number, startMs: number, endMs: number, serviceId: number): void {
    if (startMs < this.traceStart[t]!) this.traceStart[t] = startMs;
    if (endMs > this.traceEnd[t]!) this.traceEnd[t] = endMs;
    const count = this.traceServiceCount[t]!;
    const base = t * MAX_SERVICES_PER_TRACE;
    for (let i = 0; i < count; i++) if (this.traceServices[base + i] === serviceId) return;
    if (count < MAX_SERVICES_PER_TRACE) {
      this.traceServices[base + count] = serviceId;
      this.traceServiceCount[t] = count + 1;
    } else {
      this.traceState[t]! |= TRACE_SERVICES_OVERFLOW;
    }
  }

  /** How many insertions ago `slot` was written (0 = newest), given the ring's next write position. */
  private ringAge(slot: number, cursor: number, capacity: number): number {
    const age = cursor - 1 - slot;
    return age < 0 ? age + capacity : age;
  }

  /** The held span of trace `t` that error log `l` names, or NONE. */
  private linkedSpan(l: number, t: number, gen: number): number {
    const probe = this.spanIndex.probe;
    probe[0] = this.logSpan[l * 2]!;
    probe[1] = this.logSpan[l * 2 + 1]!;
    if ((probe[0]! | probe[1]!) === 0) return NONE;
    this.spanIndex.rehashProbe();
    const s = this.spanIndex.find();
    return s !== NONE && this.spanTrace[s] === t && this.spanTraceGen[s] === gen ? s : NONE;
  }

  private spanInfo(s: number, traceIdHex: string): SpanInfo {
    return {
      traceIdHex,
      spanIdHex: wordsToHex(this.spanIndex.keys, s * 2, 2),
      parentSpanIdHex: wordsToHex(this.spanParent, s * 2, 2),
      serviceId: this.spanService[s]!,
      nameId: this.spanName[s]!,
      startMs: this.spanStart[s]!,
      durationMs: this.spanDuration[s]!,
      flags: this.spanFlags[s]!,
    };
  }
}
