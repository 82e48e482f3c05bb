import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { ExemplarView } from '../../../src/correlator/correlator.js';
import { decisionLog } from '../../../src/gates/export/decision-log.js';
import { MAX_EVIDENCE_EVENTS_PER_KIND, MAX_LINKS, decisionAttributes, decisionSpan, gateOpeningAttributes, gateSpanName } from '../../../src/gates/export/decision-span.js';
import type { GateDecision } from '../../../src/gates/gate-types.js';
import { failDecision, runningDecision } from './decision-fixtures.js';

// The pure mapping from a decision to span and log content: the cases the exported end-to-end test
// does not reach (other decisions, dry runs, caps, missing or odd values).

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function exemplar(i: number): ExemplarView {
  const traceId = hex(i + 1, 32);
  return {
    traceIdHex: traceId,
    timeMs: 1_764_050_400_000 + i,
    durationMs: 100 + i,
    trace: { traceId, services: ['checkout'], rootService: 'checkout', rootSpanId: undefined, durationMs: 100 + i, spanCount: 3, errorSpanCount: 1, errorLogs: [{ service: 'checkout', timeMs: 0, severityNumber: 17, body: 'boom', spanId: hex(i + 1, 16) }] },
  };
}

describe('decisionSpan', () => {
  it('sets status OK for PASS and UNSET for INCONCLUSIVE and RUNNING', () => {
    expect(decisionSpan({ ...failDecision, decision: 'PASS', reported: 'PASS' }).status).toEqual({ code: SpanStatusCode.OK });
    expect(decisionSpan({ ...failDecision, decision: 'INCONCLUSIVE', reported: 'INCONCLUSIVE' }).status).toEqual({ code: SpanStatusCode.UNSET });
    expect(decisionSpan(runningDecision).status).toEqual({ code: SpanStatusCode.UNSET });
  });

  it('keeps a dry run\'s real decision in status and severity, and what it reported beside it', () => {
    const dry: GateDecision = { ...failDecision, dryRun: true, reported: 'PASS' };
    const span = decisionSpan(dry);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: failDecision.reason });
    expect(span.attributes).toMatchObject({ 'corrgate.gate.decision': 'FAIL', 'corrgate.gate.reported_decision': 'PASS', 'corrgate.gate.dry_run': true });
    expect(decisionLog(dry)).toMatchObject({ severityNumber: 17, severityText: 'ERROR' });
  });

  it('maps severity: INFO for PASS and RUNNING, WARN for INCONCLUSIVE, ERROR for FAIL', () => {
    const sev = (d: GateDecision['decision']) => {
      const { severityNumber, severityText } = decisionLog({ ...failDecision, decision: d, reported: d });
      return [severityNumber, severityText];
    };
    expect([sev('PASS'), sev('RUNNING'), sev('INCONCLUSIVE'), sev('FAIL')]).toEqual([
      [9, 'INFO'],
      [9, 'INFO'],
      [13, 'WARN'],
      [17, 'ERROR'],
    ]);
    expect(decisionLog(failDecision)).toEqual({
      eventName: 'corrgate.gate.decision',
      body: failDecision.reason,
      severityNumber: 17,
      severityText: 'ERROR',
      attributes: decisionAttributes(failDecision),
    });
  });

  it('leaves out what is unknown: no score, an open window, no baseline, no samples', () => {
    const d: GateDecision = {
      ...runningDecision,
      score: undefined,
      window: { startMs: runningDecision.window.startMs, endMs: undefined },
      baseline: { kind: 'none', window: undefined, scope: undefined },
      rules: [],
    };
    const attrs = decisionSpan(d).attributes;
    for (const key of ['corrgate.gate.score', 'corrgate.gate.window.end', 'corrgate.gate.baseline.window.start', 'corrgate.gate.baseline.window.end', 'corrgate.gate.baseline.scope', 'corrgate.gate.samples.baseline']) {
      expect(attrs).not.toHaveProperty(key);
    }
    expect(attrs).toMatchObject({ 'corrgate.gate.window.start': '2025-11-25T06:00:00.000Z', 'corrgate.gate.baseline.kind': 'none', 'corrgate.gate.rules.total': 0, 'corrgate.gate.samples.current': 0 });
    expect(decisionSpan(d).events.map((e) => e.name)).toEqual(['gate.decision']);
  });

  it('writes a baseline scope when the baseline is drawn from another scope', () => {
    const d: GateDecision = { ...failDecision, baseline: { kind: 'stable_version', window: failDecision.window, scope: { services: ['checkout'], versions: ['2.4.0'] } } };
    expect(decisionSpan(d).attributes).toMatchObject({ 'corrgate.gate.baseline.kind': 'stable_version', 'corrgate.gate.baseline.scope': '{"services":["checkout"],"versions":["2.4.0"]}' });
  });

  it('does not throw on times that are not instants, and leaves them out', () => {
    const d: GateDecision = { ...runningDecision, window: { startMs: Number.NaN, endMs: Number.POSITIVE_INFINITY } };
    const attrs = decisionSpan(d).attributes;
    expect(attrs).not.toHaveProperty('corrgate.gate.window.start');
    expect(attrs).not.toHaveProperty('corrgate.gate.window.end');
  });

  it('caps evidence events per kind and links per span, keeping the totals as attributes', () => {
    const many = Array.from({ length: 50 }, (_, i) => exemplar(i));
    const d: GateDecision = { ...failDecision, evidence: { ...failDecision.evidence, errorTraces: many, slowTraces: many.slice(0, 3) } };
    const span = decisionSpan(d);
    const kinds = span.events.filter((e) => e.name === 'gate.evidence').map((e) => e.attributes['corrgate.evidence.kind']);
    expect(kinds.filter((k) => k === 'error_trace')).toHaveLength(MAX_EVIDENCE_EVENTS_PER_KIND);
    // The slow exemplars are the first three error exemplars again: one link per trace, already made.
    expect(kinds.filter((k) => k === 'slow_trace')).toHaveLength(3);
    expect(span.links).toHaveLength(MAX_EVIDENCE_EVENTS_PER_KIND);
    expect(span.links.length).toBeLessThanOrEqual(MAX_LINKS);
    expect(new Set(span.links.map((l) => l.traceId)).size).toBe(span.links.length);
    expect(span.attributes['corrgate.gate.evidence.error_traces']).toBe(50);
  });

  it('does not link to an invalid or all-zero span or trace id, and keeps the id on the event', () => {
    const bad: ExemplarView = { ...exemplar(0), traceIdHex: 'not-a-trace-id', trace: undefined };
    const zeroSpan: ExemplarView = { ...exemplar(1), trace: { ...exemplar(1).trace!, errorLogs: [{ service: undefined, timeMs: 0, severityNumber: 17, body: '', spanId: '0000000000000000' }] } };
    const span = decisionSpan({ ...failDecision, evidence: { errorTraces: [bad, zeroSpan], slowTraces: [], deviceEvents: [], chains: [], errorLogs: [] } });
    expect(span.links).toEqual([]);
    const events = span.events.filter((e) => e.name === 'gate.evidence').map((e) => e.attributes);
    expect(events.map((a) => [a['corrgate.evidence.trace_id'], a['corrgate.evidence.linked'], a['corrgate.evidence.span_id']])).toEqual([
      ['not-a-trace-id', false, undefined],
      [hex(2, 32), false, undefined],
    ]);
  });
});

describe('the gate span', () => {
  it('is named after the gate and starts with what is known at opening', () => {
    expect(gateSpanName('checkout-canary')).toBe('gate checkout-canary');
    expect(gateOpeningAttributes({ id: 'checkout-canary', scope: { services: ['checkout'] }, windowStartMs: Date.UTC(2025, 10, 25, 6), baselineKind: 'stable_version', dryRun: true })).toEqual({
      'corrgate.gate.id': 'checkout-canary',
      'corrgate.gate.scope': '{"services":["checkout"]}',
      'corrgate.gate.window.start': '2025-11-25T06:00:00.000Z',
      'corrgate.gate.baseline.kind': 'stable_version',
      'corrgate.gate.dry_run': true,
    });
  });
});
