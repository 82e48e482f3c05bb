import type { LogRecord } from './log-record.js';
import type { InstrumentationScope, Resource } from './resource.js';
import type { Span } from './span.js';

// Batches keep the resource -> scope -> items nesting of OTLP: it is how every producer groups
// data, it avoids repeating a resource per item, and exporters can re-encode without regrouping.

export interface ScopeSpans {
  readonly scope: InstrumentationScope;
  readonly schemaUrl: string;
  readonly spans: readonly Span[];
}

export interface ResourceSpans {
  readonly resource: Resource;
  readonly schemaUrl: string;
  readonly scopeSpans: readonly ScopeSpans[];
}

export interface ScopeLogs {
  readonly scope: InstrumentationScope;
  readonly schemaUrl: string;
  readonly logRecords: readonly LogRecord[];
}

export interface ResourceLogs {
  readonly resource: Resource;
  readonly schemaUrl: string;
  readonly scopeLogs: readonly ScopeLogs[];
}

export interface TraceBatch {
  readonly signal: 'traces';
  readonly resourceSpans: readonly ResourceSpans[];
  /** Number of spans in the batch, counted once by whoever built it. */
  readonly itemCount: number;
}

export interface LogBatch {
  readonly signal: 'logs';
  readonly resourceLogs: readonly ResourceLogs[];
  readonly itemCount: number;
}

export type Batch = TraceBatch | LogBatch;
export type Signal = Batch['signal'];

export function countSpans(resourceSpans: readonly ResourceSpans[]): number {
  let n = 0;
  for (const rs of resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

export function countLogRecords(resourceLogs: readonly ResourceLogs[]): number {
  let n = 0;
  for (const rl of resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}

export function traceBatch(resourceSpans: readonly ResourceSpans[]): TraceBatch {
  return { signal: 'traces', resourceSpans, itemCount: countSpans(resourceSpans) };
}

export function logBatch(resourceLogs: readonly ResourceLogs[]): LogBatch {
  return { signal: 'logs', resourceLogs, itemCount: countLogRecords(resourceLogs) };
}
