import { SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { ChainView, ExemplarView } from '../../correlator/correlator.js';
import type { GateDecision, GateWindow, RuleResult } from '../gate-types.js';

// What a gate decision looks like as a span: attributes, span events and links, computed from the
// decision alone so the schema in docs/decision-span.md can be checked without an SDK or a network.
// decision-telemetry.ts puts these on real spans; decision-log.ts reuses the attributes.

export const EVALUATION_SPAN_NAME = 'gate.evaluate';
export const RULE_EVENT_NAME = 'gate.rule';
export const EVIDENCE_EVENT_NAME = 'gate.evidence';
export const DECISION_EVENT_NAME = 'gate.decision';

/** Evidence events per kind: the first few of each are what an operator opens; the counts carry the rest. */
export const MAX_EVIDENCE_EVENTS_PER_KIND = 10;
/** Links per evaluation span; SDK span limits are set above this so none is dropped silently. */
export const MAX_LINKS = 32;
/** Characters kept of a log body or device message in an evidence event. */
export const MAX_BODY_CHARS = 256;
/** Trace ids listed on a chain's evidence event. */
export const MAX_CHAIN_TRACE_IDS = 10;

export type EvidenceKind = 'error_trace' | 'slow_trace' | 'chain' | 'device_event' | 'error_log';

/** What the runner knows when a gate opens; the gate's parent span starts with it. */
export interface GateOpening {
  readonly id: string;
  readonly scope: object;
  readonly windowStartMs: number;
  readonly windowEndMs?: number;
  readonly baselineKind: string;
  readonly dryRun: boolean;
  /** The gate's trace id and parent span id (hex), fixed when it first opened so a restart keeps one trace per gate; generated when absent. */
  readonly traceId?: string;
  readonly spanId?: string;
  /** When the gate opened: the parent span's start (default: when this process heard of it). */
  readonly openedAtMs?: number;
  /** Evaluations already made before this process took the gate up (a resumed gate). */
  readonly evaluations?: number;
  /** The gate outlives this process (a gate store keeps it): its parent span is not ended at shutdown. */
  readonly durable?: boolean;
}

export interface DecisionEventData {
  readonly name: string;
  readonly attributes: Attributes;
}

export interface DecisionLinkData {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits: the span of the evidence trace the link points at. */
  readonly spanId: string;
  readonly attributes: Attributes;
}

export interface DecisionSpanData {
  readonly attributes: Attributes;
  readonly events: readonly DecisionEventData[];
  readonly links: readonly DecisionLinkData[];
  readonly status: SpanStatus;
}

/** The parent span's name: one per gate, so a backend's trace list names the gate. */
export function gateSpanName(gateId: string): string {
  return `gate ${gateId}`;
}

/** RFC 3339 in UTC, or undefined when the time is not a real instant (toISOString would throw). */
export function rfc3339(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Attributes skip undefined values: OTLP has no null, and an absent key reads better than a placeholder. */
function put(out: Attributes, key: string, value: string | number | boolean | string[] | undefined): void {
  if (value !== undefined) out[key] = value;
}

function scopeJson(scope: object | undefined): string | undefined {
  if (scope === undefined) return undefined;
  try {
    return JSON.stringify(scope);
  } catch {
    // A scope is plain data; a cycle or a BigInt would be a caller's bug, and must not cost the decision.
    return String(scope);
  }
}

function putWindow(out: Attributes, prefix: string, window: GateWindow | undefined): void {
  if (window === undefined) return;
  put(out, `${prefix}.start`, rfc3339(window.startMs));
  put(out, `${prefix}.end`, rfc3339(window.endMs));
}

/** The attributes a gate's parent span starts with. */
export function gateOpeningAttributes(gate: GateOpening): Attributes {
  const out: Attributes = {};
  put(out, 'corrgate.gate.id', gate.id);
  put(out, 'corrgate.gate.scope', scopeJson(gate.scope));
  put(out, 'corrgate.gate.window.start', rfc3339(gate.windowStartMs));
  put(out, 'corrgate.gate.window.end', rfc3339(gate.windowEndMs));
  put(out, 'corrgate.gate.baseline.kind', gate.baselineKind);
  put(out, 'corrgate.gate.dry_run', gate.dryRun);
  return out;
}

/** The `corrgate.gate.*` attributes of one decision: on its evaluation span and on its log record. */
export function decisionAttributes(d: GateDecision): Attributes {
  const out: Attributes = {};
  put(out, 'corrgate.gate.id', d.gateId);
  put(out, 'corrgate.gate.evaluation', d.evaluation);
  put(out, 'corrgate.gate.decision', d.decision);
  put(out, 'corrgate.gate.reported_decision', d.reported);
  put(out, 'corrgate.gate.score', d.score);
  put(out, 'corrgate.gate.final', d.final);
  put(out, 'corrgate.gate.dry_run', d.dryRun);
  put(out, 'corrgate.gate.reason', d.reason);
  put(out, 'corrgate.gate.scope', scopeJson(d.scope));
  putWindow(out, 'corrgate.gate.window', d.window);
  put(out, 'corrgate.gate.baseline.kind', d.baseline.kind);
  putWindow(out, 'corrgate.gate.baseline.window', d.baseline.window);
  put(out, 'corrgate.gate.baseline.scope', scopeJson(d.baseline.scope));
  put(out, 'corrgate.gate.rules.total', d.rules.length);
  put(out, 'corrgate.gate.rules.failed', d.rules.filter((r) => r.outcome === 'fail').length);
  put(out, 'corrgate.gate.rules.nodata', d.rules.filter((r) => r.outcome === 'nodata').length);
  // Rules count different things (spans, latency samples); the largest sample any rule judged is
  // the one number that says whether the gate had enough to go on.
  put(out, 'corrgate.gate.samples.current', d.rules.reduce((m, r) => Math.max(m, r.samples.current), 0));
  const baselines = d.rules.map((r) => r.samples.baseline).filter((n): n is number => n !== undefined);
  put(out, 'corrgate.gate.samples.baseline', baselines.length > 0 ? Math.max(...baselines) : undefined);
  const e = d.evidence;
  put(out, 'corrgate.gate.evidence.error_traces', e.errorTraces.length);
  put(out, 'corrgate.gate.evidence.slow_traces', e.slowTraces.length);
  put(out, 'corrgate.gate.evidence.chains', e.chains.length);
  put(out, 'corrgate.gate.evidence.device_events', e.deviceEvents.length);
  put(out, 'corrgate.gate.evidence.error_logs', e.errorLogs.length);
  return out;
}

/** ERROR with the reason for FAIL, OK for PASS, UNSET while running or inconclusive; from `decision`, so a dry run's failure still shows. */
export function decisionStatus(d: GateDecision): SpanStatus {
  if (d.decision === 'FAIL') return { code: SpanStatusCode.ERROR, message: d.reason };
  if (d.decision === 'PASS') return { code: SpanStatusCode.OK };
  return { code: SpanStatusCode.UNSET };
}

export function ruleEventAttributes(r: RuleResult): Attributes {
  const out: Attributes = {};
  put(out, 'corrgate.rule.name', r.name);
  put(out, 'corrgate.rule.outcome', r.outcome);
  put(out, 'corrgate.rule.measure', r.measure);
  put(out, 'corrgate.rule.observed', r.observed);
  put(out, 'corrgate.rule.threshold', r.threshold);
  put(out, 'corrgate.rule.baseline', r.baseline);
  put(out, 'corrgate.rule.samples.current', r.samples.current);
  put(out, 'corrgate.rule.samples.baseline', r.samples.baseline);
  put(out, 'corrgate.rule.critical', r.critical);
  put(out, 'corrgate.rule.weight', r.weight);
  if (r.statistic) {
    put(out, 'corrgate.rule.statistic.name', r.statistic.name);
    put(out, 'corrgate.rule.statistic.value', r.statistic.value);
    put(out, 'corrgate.rule.statistic.p_value', r.statistic.pValue);
    put(out, 'corrgate.rule.statistic.effect_size', r.statistic.effectSize);
  }
  put(out, 'corrgate.rule.reason', r.reason);
  return out;
}

export function decisionEventAttributes(d: GateDecision): Attributes {
  const out: Attributes = {};
  put(out, 'corrgate.gate.decision', d.decision);
  put(out, 'corrgate.gate.reported_decision', d.reported);
  put(out, 'corrgate.gate.score', d.score);
  put(out, 'corrgate.gate.final', d.final);
  put(out, 'corrgate.gate.reason', d.reason);
  return out;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

function validTraceId(id: string | undefined): string | undefined {
  const lower = id?.toLowerCase();
  return lower !== undefined && TRACE_ID.test(lower) && lower !== ZERO_TRACE_ID ? lower : undefined;
}

function validSpanId(id: string | undefined): string | undefined {
  const lower = id?.toLowerCase();
  return lower !== undefined && SPAN_ID.test(lower) && lower !== ZERO_SPAN_ID ? lower : undefined;
}

/**
 * A span of the exemplar trace to link to. A link must name a span: preferably one an error log was
 * written in (where a reader wants to land), else the trace's root span. Without either there is no
 * link, and the trace id stays on the evidence event.
 */
function exemplarSpanId(x: ExemplarView): string | undefined {
  for (const log of x.trace?.errorLogs ?? []) {
    const id = validSpanId(log.spanId);
    if (id !== undefined) return id;
  }
  return validSpanId(x.trace?.rootSpanId);
}

function truncate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS - 1)}…` : text;
}

class LinkSet {
  readonly links: DecisionLinkData[] = [];
  private readonly byTrace = new Map<string, DecisionLinkData>();

  /** One link per trace: a trace that is both an error exemplar and part of a chain is one click, not two. */
  add(traceId: string, spanId: string | undefined, kind: EvidenceKind, chainId?: number): boolean {
    const known = this.byTrace.get(traceId);
    if (known) {
      if (chainId !== undefined && known.attributes['corrgate.evidence.chain.id'] === undefined) known.attributes['corrgate.evidence.chain.id'] = chainId;
      return true;
    }
    if (spanId === undefined || this.links.length >= MAX_LINKS) return false;
    const attributes: Attributes = { 'corrgate.evidence.kind': kind };
    if (chainId !== undefined) attributes['corrgate.evidence.chain.id'] = chainId;
    const link = { traceId, spanId, attributes };
    this.links.push(link);
    this.byTrace.set(traceId, link);
    return true;
  }

  spanIdOf(traceId: string): string | undefined {
    return this.byTrace.get(traceId)?.spanId;
  }
}

function exemplarEvent(x: ExemplarView, kind: 'error_trace' | 'slow_trace', links: LinkSet): DecisionEventData {
  const attributes: Attributes = { 'corrgate.evidence.kind': kind };
  const traceId = validTraceId(x.traceIdHex);
  put(attributes, 'corrgate.evidence.trace_id', traceId ?? x.traceIdHex);
  const spanId = exemplarSpanId(x);
  const linked = traceId !== undefined && links.add(traceId, spanId, kind);
  put(attributes, 'corrgate.evidence.span_id', linked ? links.spanIdOf(traceId) : undefined);
  put(attributes, 'corrgate.evidence.linked', linked);
  put(attributes, 'corrgate.evidence.time', rfc3339(x.timeMs));
  put(attributes, 'corrgate.evidence.duration_ms', x.durationMs);
  const t = x.trace;
  if (t) {
    put(attributes, 'corrgate.evidence.service', t.rootService);
    put(attributes, 'corrgate.evidence.services', t.services.length > 0 ? [...t.services] : undefined);
    put(attributes, 'corrgate.evidence.span_count', t.spanCount);
    put(attributes, 'corrgate.evidence.error_span_count', t.errorSpanCount);
    put(attributes, 'corrgate.evidence.body', truncate(t.errorLogs[0]?.body));
  }
  return { name: EVIDENCE_EVENT_NAME, attributes };
}

function chainEvent(c: ChainView, links: LinkSet): DecisionEventData {
  const attributes: Attributes = { 'corrgate.evidence.kind': 'chain', 'corrgate.evidence.chain.id': c.id };
  put(attributes, 'corrgate.evidence.device', c.device);
  put(attributes, 'corrgate.evidence.event.name', c.event.eventName);
  put(attributes, 'corrgate.evidence.interface', c.event.interfaceName);
  put(attributes, 'corrgate.evidence.time', rfc3339(c.event.timeMs));
  put(attributes, 'corrgate.evidence.affected_services', c.affectedServices.length > 0 ? [...c.affectedServices] : undefined);
  put(attributes, 'corrgate.evidence.failing_services', c.failingServices.length > 0 ? [...c.failingServices] : undefined);
  put(attributes, 'corrgate.evidence.failure_count', c.failureCount);
  const traceIds = c.traceIds.slice(0, MAX_CHAIN_TRACE_IDS);
  put(attributes, 'corrgate.evidence.trace_ids', traceIds.length > 0 ? traceIds : undefined);
  // A chain knows its traces but not their spans; it links through the exemplar link of the same trace when there is one.
  for (const id of traceIds) {
    const traceId = validTraceId(id);
    if (traceId !== undefined) links.add(traceId, undefined, 'chain', c.id);
  }
  put(attributes, 'corrgate.evidence.body', truncate(c.errorLogs[0]?.body ?? c.event.body));
  return { name: EVIDENCE_EVENT_NAME, attributes };
}

/** The evaluation span's content: `corrgate.gate.*` attributes, rule, evidence and decision events, links, status. */
export function decisionSpan(d: GateDecision): DecisionSpanData {
  const events: DecisionEventData[] = [];
  for (const r of d.rules) events.push({ name: RULE_EVENT_NAME, attributes: ruleEventAttributes(r) });

  const links = new LinkSet();
  const e = d.evidence;
  for (const x of e.errorTraces.slice(0, MAX_EVIDENCE_EVENTS_PER_KIND)) events.push(exemplarEvent(x, 'error_trace', links));
  for (const x of e.slowTraces.slice(0, MAX_EVIDENCE_EVENTS_PER_KIND)) events.push(exemplarEvent(x, 'slow_trace', links));
  for (const c of e.chains.slice(0, MAX_EVIDENCE_EVENTS_PER_KIND)) events.push(chainEvent(c, links));
  for (const ev of e.deviceEvents.slice(0, MAX_EVIDENCE_EVENTS_PER_KIND)) {
    const attributes: Attributes = { 'corrgate.evidence.kind': 'device_event' };
    put(attributes, 'corrgate.evidence.event.name', ev.eventName);
    put(attributes, 'corrgate.evidence.interface', ev.interfaceName);
    put(attributes, 'corrgate.evidence.time', rfc3339(ev.timeMs));
    put(attributes, 'corrgate.evidence.body', truncate(ev.body));
    events.push({ name: EVIDENCE_EVENT_NAME, attributes });
  }
  for (const log of e.errorLogs.slice(0, MAX_EVIDENCE_EVENTS_PER_KIND)) {
    const attributes: Attributes = { 'corrgate.evidence.kind': 'error_log' };
    const traceId = validTraceId(log.traceId);
    put(attributes, 'corrgate.evidence.trace_id', traceId ?? (log.traceId === '' ? undefined : log.traceId));
    const spanId = traceId !== undefined ? links.spanIdOf(traceId) : undefined;
    put(attributes, 'corrgate.evidence.span_id', spanId);
    put(attributes, 'corrgate.evidence.linked', spanId !== undefined);
    put(attributes, 'corrgate.evidence.service', log.service);
    put(attributes, 'corrgate.evidence.time', rfc3339(log.timeMs));
    put(attributes, 'corrgate.evidence.body', truncate(log.body));
    events.push({ name: EVIDENCE_EVENT_NAME, attributes });
  }

  events.push({ name: DECISION_EVENT_NAME, attributes: decisionEventAttributes(d) });
  return { attributes: decisionAttributes(d), events, links: links.links, status: decisionStatus(d) };
}
