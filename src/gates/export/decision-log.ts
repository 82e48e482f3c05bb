import type { Attributes } from '@opentelemetry/api';
import type { GateDecision, GateDecisionKind } from '../gate-types.js';
import { decisionAttributes } from './decision-span.js';

// A decision as one OTLP log record, for backends and alerting that work from logs. It carries the
// same `corrgate.gate.*` attributes as the evaluation span, and is emitted in that span's context so
// the record and the span link to each other.

export const DECISION_LOG_EVENT_NAME = 'corrgate.gate.decision';

/** OTLP severity numbers (log data model): INFO, WARN, ERROR. */
export const SEVERITY_INFO = 9;
export const SEVERITY_WARN = 13;
export const SEVERITY_ERROR = 17;

export interface DecisionLogData {
  readonly eventName: string;
  readonly body: string;
  readonly severityNumber: number;
  readonly severityText: 'INFO' | 'WARN' | 'ERROR';
  readonly attributes: Attributes;
}

/** From `decision`, not the reported one: a dry run that would have failed should stand out in the logs. */
export function decisionSeverity(kind: GateDecisionKind): { readonly severityNumber: number; readonly severityText: 'INFO' | 'WARN' | 'ERROR' } {
  switch (kind) {
    case 'FAIL':
      return { severityNumber: SEVERITY_ERROR, severityText: 'ERROR' };
    case 'INCONCLUSIVE':
      return { severityNumber: SEVERITY_WARN, severityText: 'WARN' };
    case 'PASS':
    case 'RUNNING':
      return { severityNumber: SEVERITY_INFO, severityText: 'INFO' };
  }
}

export function decisionLog(d: GateDecision): DecisionLogData {
  return { eventName: DECISION_LOG_EVENT_NAME, body: d.reason, ...decisionSeverity(d.decision), attributes: decisionAttributes(d) };
}
