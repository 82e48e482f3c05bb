import type { Logger } from 'pino';
import { CorrgateError } from '../pipeline/errors.js';
import { ERR_GATE_ENDED, ERR_GATE_EXISTS, ERR_GATE_NOT_FOUND } from '../gates/gate-runner.js';
import type { GateRunner } from '../gates/gate-runner.js';
import { GateSpecError, parseGateSpec } from '../gates/gate-spec.js';
import type { GateSpec } from '../gates/gate-spec.js';
import type { GateDecision, GateDecisionKind } from '../gates/gate-types.js';
import { scopeKeyOf } from '../gates/store/gate-store.js';
import type { GateSource, GateStore, StoredGateStatus } from '../gates/store/gate-store.js';
import { authorize, callerOf } from './control-auth.js';
import type { AccessLevel } from './control-auth.js';
import type { ControlAuthConfig } from './control-config.js';
import { ControlError } from './control-error.js';
import type { GateTemplates, TemplateScope } from './gate-templates.js';
import { decisionSummary, gateDetail, gateSummary, storedDecisionSummary } from './gate-views.js';
import type { DecisionSummary, GateDetail, GateRecord, GateSummary } from './gate-views.js';

// The control API's operations, once, whatever carries them (HTTP/JSON, gRPC): each checks the
// caller's token, does its work on the runner and the store, and answers in the API's shapes or
// throws a ControlError. Reads come from the store when there is one (it has every run and every
// evaluation), else from the runner's memory.

const GATE_STATUSES: readonly StoredGateStatus[] = ['open', 'decided', 'closed', 'aborted'];
const DECISIONS: readonly GateDecisionKind[] = ['RUNNING', 'PASS', 'FAIL', 'INCONCLUSIVE'];
export const MAX_LIST_LIMIT = 1000;
const DEFAULT_LIST_LIMIT = 100;

export interface ListGatesQuery {
  readonly status?: string;
  readonly limit?: number;
}

export interface DecisionsQuery {
  readonly gate?: string;
  readonly service?: string;
  readonly decision?: string;
  readonly limit?: number;
}

/** The Argo Rollouts web metric's answer: `result.decision` is what the AnalysisTemplate's conditions read. */
export interface ArgoAnswer {
  readonly gate: string;
  readonly run: number;
  readonly decision: 'running' | 'pass' | 'fail' | 'inconclusive';
  readonly score: number | null;
  readonly reason: string;
  readonly final: boolean;
  readonly evaluation: number;
  readonly status: StoredGateStatus;
  readonly window_end: string | null;
  readonly trace_id: string;
}

export interface ArgoParams {
  readonly service?: string;
  readonly namespace?: string;
  readonly environment?: string;
  readonly canary?: string;
  readonly stable?: string;
  readonly duration?: string;
  readonly template?: string;
}

export const FLAGGER_HOOKS = ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-traffic-increase', 'confirm-promotion', 'post-rollout', 'rollback', 'event'] as const;
export type FlaggerHook = (typeof FLAGGER_HOOKS)[number];

export interface FlaggerAnswer {
  /** 200: proceed (for `rollback`: roll back). 412: halt, with the reason. */
  readonly status: 200 | 412;
  readonly body: {
    readonly gate: string;
    readonly hook: FlaggerHook;
    readonly decision: GateDecisionKind | undefined;
    readonly proceed: boolean;
    readonly reason: string;
    readonly run?: number;
    readonly score?: number;
  };
}

const ARGO_KEYS: readonly (keyof ArgoParams)[] = ['service', 'namespace', 'environment', 'canary', 'stable', 'duration', 'template'];

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw new ControlError('invalid_argument', `limit: must be an integer from 1 to ${MAX_LIST_LIMIT}`, [`limit: must be an integer from 1 to ${MAX_LIST_LIMIT}`]);
  return limit;
}

function asControlError(err: unknown): never {
  if (err instanceof ControlError) throw err;
  if (err instanceof GateSpecError) throw new ControlError('invalid_argument', 'invalid gate spec', err.issues);
  if (err instanceof CorrgateError) {
    if (err.code === ERR_GATE_EXISTS) throw new ControlError('already_exists', err.message);
    if (err.code === ERR_GATE_NOT_FOUND) throw new ControlError('not_found', err.message);
    if (err.code === ERR_GATE_ENDED) throw new ControlError('failed_precondition', err.message);
  }
  throw err;
}

export class GateControl {
  constructor(
    private readonly runner: GateRunner,
    private readonly store: GateStore | undefined,
    private readonly templates: GateTemplates,
    private readonly auth: ControlAuthConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** For transports to refuse a caller before reading its request body. */
  requireAccess(token: string | undefined, needed: AccessLevel): void {
    this.check(token, needed);
  }

  private check(token: string | undefined, needed: AccessLevel): void {
    authorize(callerOf(token, this.auth), needed, this.auth);
  }

  private record(id: string): GateRecord | undefined {
    return this.store ? this.store.gate(id) : this.runner.get(id);
  }

  private requireRecord(id: string): GateRecord {
    const g = this.record(id);
    if (!g) throw new ControlError('not_found', `no gate ${id}`);
    return g;
  }

  /**
   * A gate whose window has ended is decided now if its timer has not done it yet, so a caller that
   * asks just as the window closes gets the decision, not RUNNING.
   */
  private settled(id: string): GateRecord {
    const g = this.requireRecord(id);
    if (g.status === 'open' && g.spec.window.endMs !== undefined && g.spec.window.endMs <= this.now() && this.runner.get(id)?.status === 'open') {
      try {
        this.runner.evaluateNow(id);
      } catch (err) {
        this.logger.error({ err, gate: id }, 'gate evaluation at window end failed');
      }
      return this.requireRecord(id);
    }
    return g;
  }

  private openSpec(spec: GateSpec, source: GateSource, document: unknown): GateRecord {
    try {
      const state = this.runner.open(spec, { source, document });
      this.logger.info({ gate: spec.id, run: state.run, source }, 'gate opened');
      return this.record(spec.id) ?? state;
    } catch (err) {
      return asControlError(err);
    }
  }

  private parse(document: unknown): GateSpec {
    try {
      return parseGateSpec(document, this.now());
    } catch (err) {
      return asControlError(err);
    }
  }

  open(token: string | undefined, document: unknown, source: GateSource = 'api'): GateDetail {
    this.check(token, 'write');
    return gateDetail(this.openSpec(this.parse(document), source, document));
  }

  list(token: string | undefined, query: ListGatesQuery = {}): GateSummary[] {
    this.check(token, 'read');
    const limit = limitOf(query.limit);
    const status = query.status;
    if (status !== undefined && !GATE_STATUSES.includes(status as StoredGateStatus)) {
      throw new ControlError('invalid_argument', `status: expected one of ${GATE_STATUSES.join(', ')}`, [`status: expected one of ${GATE_STATUSES.join(', ')}`]);
    }
    const records: GateRecord[] = this.store
      ? this.store.gates({ ...(status !== undefined ? { status: status as StoredGateStatus } : {}), limit })
      : this.runner
          .list()
          .filter((g) => status === undefined || g.status === status)
          .reverse()
          .slice(0, limit);
    return records.map(gateSummary);
  }

  get(token: string | undefined, id: string): GateDetail {
    this.check(token, 'read');
    return gateDetail(this.settled(id));
  }

  evaluations(token: string | undefined, id: string, limit?: number): DecisionSummary[] {
    this.check(token, 'read');
    const n = limitOf(limit);
    const g = this.requireRecord(id);
    if (this.store) return this.store.evaluations(g.run, n).map(storedDecisionSummary);
    return [g.final ?? g.latest].filter((d): d is GateDecision => d !== undefined).map((d) => decisionSummary(g.run, d));
  }

  evaluate(token: string | undefined, id: string): GateDecision {
    this.check(token, 'write');
    return this.act(id, () => this.runner.evaluateNow(id));
  }

  close(token: string | undefined, id: string): GateDecision {
    this.check(token, 'write');
    return this.act(id, () => this.runner.close(id));
  }

  abort(token: string | undefined, id: string): GateSummary {
    this.check(token, 'write');
    const g = this.requireRecord(id);
    if (g.status === 'open') {
      try {
        this.runner.abort(id);
      } catch (err) {
        asControlError(err);
      }
      this.logger.info({ gate: id, run: g.run }, 'gate aborted');
    }
    return gateSummary(this.requireRecord(id));
  }

  /** Acts on a gate the runner holds; a gate only the store still has (ended long ago) answers with what it ended with. */
  private act(id: string, fn: () => GateDecision): GateDecision {
    const g = this.requireRecord(id);
    if (this.runner.get(id) === undefined || g.status !== 'open') {
      const decision = g.final ?? g.latest;
      if (decision === undefined) throw new ControlError('failed_precondition', `gate ${id} was ${g.status} before any evaluation`);
      return decision;
    }
    try {
      return fn();
    } catch (err) {
      return asControlError(err);
    }
  }

  decisions(token: string | undefined, query: DecisionsQuery = {}): DecisionSummary[] {
    this.check(token, 'read');
    const limit = limitOf(query.limit);
    const decision = query.decision?.toUpperCase();
    if (decision !== undefined && !DECISIONS.includes(decision as GateDecisionKind)) {
      throw new ControlError('invalid_argument', `decision: expected one of ${DECISIONS.join(', ')}`, [`decision: expected one of ${DECISIONS.join(', ')}`]);
    }
    if (this.store) {
      return this.store
        .decisions({
          ...(query.gate !== undefined ? { gate: query.gate } : {}),
          ...(query.service !== undefined ? { service: query.service } : {}),
          ...(decision !== undefined ? { decision: decision as GateDecisionKind } : {}),
          limit,
        })
        .map(storedDecisionSummary);
    }
    return this.runner
      .list()
      .filter((g) => g.final !== undefined)
      .filter((g) => query.gate === undefined || g.spec.id === query.gate)
      .filter((g) => query.service === undefined || (g.spec.scope.services ?? []).includes(query.service))
      .filter((g) => decision === undefined || g.final!.decision === decision)
      .sort((a, b) => b.final!.evaluatedAtMs - a.final!.evaluatedAtMs)
      .slice(0, limit)
      .map((g) => decisionSummary(g.run, g.final!));
  }

  /**
   * Argo Rollouts' web metric. The first call for a gate opens it from the template and the scope in
   * the parameters (a write); later calls with the same scope read its latest evaluation (a read).
   * A call with another scope opens a new run once the previous one has ended.
   */
  argo(token: string | undefined, gateId: string, params: ArgoParams): ArgoAnswer {
    this.check(token, 'read');
    for (const key of Object.keys(params)) {
      if (!ARGO_KEYS.includes(key as keyof ArgoParams)) throw new ControlError('invalid_argument', `unknown parameter "${key}"`, [`${key}: unknown parameter; expected ${ARGO_KEYS.join(', ')}`]);
    }
    const existing = this.record(gateId);
    let wanted: GateSpec | undefined;
    let document: Record<string, unknown> | undefined;
    if (params.service !== undefined) {
      document = this.templateDocument(params.template, {
        id: gateId,
        scope: {
          services: [params.service],
          ...(params.namespace ? { namespace: params.namespace } : {}),
          ...(params.environment ? { environment: params.environment } : {}),
          ...(params.canary ? { versions: [params.canary] } : {}),
        },
        ...(params.stable ? { baseline: { kind: 'stable_version', versions: [params.stable] } } : {}),
        ...(params.duration ? { duration: params.duration } : {}),
      });
      wanted = this.parse(document);
    }
    if (existing && (wanted === undefined || scopeKeyOf(existing.spec) === scopeKeyOf(wanted))) return argoAnswer(this.settled(gateId));
    if (wanted === undefined) throw new ControlError('not_found', `no gate ${gateId}; give service (and canary, stable, duration, template) to open it`, ['service: required to open a gate']);
    this.check(token, 'write');
    if (existing?.status === 'open') {
      throw new ControlError('already_exists', `gate ${gateId} is open for another scope (${scopeKeyOf(existing.spec)}); abort it or use another gate name`);
    }
    return argoAnswer(this.openSpec(wanted, 'argo-rollouts', document));
  }

  private templateDocument(template: string | undefined, caller: TemplateScope): Record<string, unknown> {
    if (template !== undefined && !this.templates.has(template)) {
      throw new ControlError('invalid_argument', `no gate template "${template}"`, [`template: no gate template "${template}" (known: ${this.templates.names().join(', ')})`]);
    }
    return this.templates.document(template, caller);
  }

  /** A Flagger webhook: the answer's status tells Flagger to proceed (200) or halt (412). */
  flagger(token: string | undefined, hook: string, payload: unknown): FlaggerAnswer {
    if (!FLAGGER_HOOKS.includes(hook as FlaggerHook)) {
      throw new ControlError('not_found', `no Flagger hook "${hook}"; use one of ${FLAGGER_HOOKS.join(', ')}`);
    }
    const p = flaggerPayload(payload);
    // Flagger webhooks send no headers of their own: the token may travel in the metadata.
    this.check(token ?? p.metadata.token, 'write');
    const h = hook as FlaggerHook;
    const gateId = `flagger.${p.namespace}.${p.name}`;
    if (h === 'event') {
      this.logger.info({ gate: gateId, phase: p.phase, event: p.metadata.eventMessage }, 'flagger event');
      return { status: 200, body: { gate: gateId, hook: h, decision: this.record(gateId)?.latest?.reported, proceed: true, reason: 'event received' } };
    }
    let g = this.record(gateId);
    const sameRevision = g !== undefined && (p.checksum === undefined || flaggerChecksum(g.document) === p.checksum);
    const opens = h !== 'rollback' && h !== 'post-rollout';
    if (opens && (!g || !sameRevision)) {
      if (g?.status === 'open') {
        // A new revision restarts the analysis: the old revision's gate can no longer be decided.
        this.runner.abort(gateId);
        this.logger.info({ gate: gateId, run: g.run }, 'gate aborted: Flagger started the analysis of a new revision');
      }
      const document = this.flaggerDocument(gateId, p);
      g = this.openSpec(this.parse(document), 'flagger', { ...document, flagger: { checksum: p.checksum ?? null, namespace: p.namespace, name: p.name } });
    }
    if (!g || (!sameRevision && !opens)) {
      return { status: 412, body: { gate: gateId, hook: h, decision: undefined, proceed: false, reason: `no gate for ${p.namespace}/${p.name}${p.checksum ? ` revision ${p.checksum}` : ''}` } };
    }
    if (h === 'post-rollout' && g.status === 'open' && this.runner.get(gateId)) this.runner.close(gateId);
    g = this.settled(gateId);
    return flaggerAnswer(h, gateId, g);
  }

  private flaggerDocument(gateId: string, p: FlaggerPayload): Record<string, unknown> {
    const m = p.metadata;
    return this.templateDocument(m.template, {
      id: gateId,
      scope: {
        services: [m.service ?? p.name],
        ...(m.service_namespace ? { namespace: m.service_namespace } : {}),
        ...(m.environment ? { environment: m.environment } : {}),
        attributes: { 'k8s.deployment.name': m.canary_deployment ?? p.name },
      },
      baseline: { kind: 'stable_selector', attributes: { 'k8s.deployment.name': m.stable_deployment ?? `${p.name}-primary` } },
      ...(m.duration ? { duration: m.duration } : {}),
    });
  }
}

interface FlaggerPayload {
  readonly name: string;
  readonly namespace: string;
  readonly phase: string | undefined;
  readonly checksum: string | undefined;
  readonly metadata: Readonly<Record<string, string | undefined>>;
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function flaggerPayload(payload: unknown): FlaggerPayload {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new ControlError('invalid_argument', 'expected Flagger\'s JSON payload {name, namespace, phase, checksum, metadata}');
  const p = payload as Record<string, unknown>;
  const issues: string[] = [];
  for (const key of ['name', 'namespace'] as const) {
    if (typeof p[key] !== 'string' || !K8S_NAME.test(p[key])) issues.push(`${key}: required, a Kubernetes name`);
  }
  const metadata: Record<string, string | undefined> = {};
  if (p.metadata !== undefined && p.metadata !== null) {
    if (typeof p.metadata !== 'object' || Array.isArray(p.metadata)) issues.push('metadata: expected an object of strings');
    else for (const [k, v] of Object.entries(p.metadata)) if (typeof v === 'string') metadata[k] = v === '' ? undefined : v;
      else issues.push(`metadata.${k}: expected a string`);
  }
  if (issues.length > 0) throw new ControlError('invalid_argument', 'invalid Flagger payload', issues);
  return {
    name: p.name as string,
    namespace: p.namespace as string,
    phase: typeof p.phase === 'string' ? p.phase : undefined,
    checksum: typeof p.checksum === 'string' && p.checksum !== '' ? p.checksum : undefined,
    metadata,
  };
}

function flaggerChecksum(document: unknown): string | null | undefined {
  const f = (document as { flagger?: { checksum?: string | null } } | null)?.flagger;
  return f?.checksum;
}

function flaggerAnswer(hook: FlaggerHook, gateId: string, g: GateRecord): FlaggerAnswer {
  const d = g.final ?? g.latest;
  const decision: GateDecisionKind = d?.reported ?? 'RUNNING';
  const reason = d?.reason ?? (g.status === 'aborted' ? 'the gate was aborted' : 'the gate is open; no evaluation yet');
  let proceed: boolean;
  switch (hook) {
    case 'confirm-rollout':
    case 'pre-rollout':
      proceed = decision !== 'FAIL';
      break;
    case 'rollout':
    case 'confirm-traffic-increase':
      proceed = decision === 'RUNNING' || decision === 'PASS';
      break;
    case 'confirm-promotion':
      proceed = decision === 'PASS';
      break;
    case 'rollback':
      proceed = decision === 'FAIL';
      break;
    default:
      proceed = true;
  }
  if (g.status === 'aborted' && hook !== 'rollback') proceed = false;
  return {
    status: proceed ? 200 : 412,
    body: { gate: gateId, hook, decision, proceed, reason, run: g.run, ...(d?.score !== undefined ? { score: d.score } : {}) },
  };
}

function argoAnswer(g: GateRecord): ArgoAnswer {
  const d = g.final ?? g.latest;
  const reported: GateDecisionKind = d?.reported ?? 'RUNNING';
  return {
    gate: g.spec.id,
    run: g.run,
    decision: g.status === 'aborted' && d?.final !== true ? 'inconclusive' : (reported.toLowerCase() as ArgoAnswer['decision']),
    score: d?.score ?? null,
    reason: g.status === 'aborted' ? `aborted${d ? `; last evaluation: ${d.reason}` : ''}` : (d?.reason ?? 'the gate is open; no evaluation yet'),
    final: d?.final ?? false,
    evaluation: d?.evaluation ?? 0,
    status: g.status,
    window_end: g.spec.window.endMs !== undefined ? new Date(g.spec.window.endMs).toISOString() : null,
    trace_id: g.traceId,
  };
}
