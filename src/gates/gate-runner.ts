import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Correlator, Evidence } from '../correlator/correlator.js';
import { CorrgateError } from '../pipeline/errors.js';
import { decide } from './decide.js';
import type { GateSpec } from './gate-spec.js';
import { baselineOf, scopeSelectorOf } from './gate-spec.js';
import type { GateDecision } from './gate-types.js';
import { evaluateRule } from './rules/evaluate-rule.js';
import { evidenceFromSnapshot, snapshotEvidence } from './store/evidence-snapshot.js';
import { ERR_GATE_STORE_CONFLICT, scopeKeyOf } from './store/gate-store.js';
import type { GateSource, GateStore, StoredGate } from './store/gate-store.js';

export const ERR_GATE_EXISTS = 'CORRGATE_ERR_GATE_EXISTS';
export const ERR_GATE_NOT_FOUND = 'CORRGATE_ERR_GATE_NOT_FOUND';
export const ERR_GATE_ENDED = 'CORRGATE_ERR_GATE_ENDED';

/** What the runner tells the decision export when a gate opens (or is resumed after a restart). */
export interface GateOpened {
  readonly id: string;
  readonly scope: object;
  readonly windowStartMs: number;
  readonly windowEndMs?: number;
  readonly baselineKind: string;
  readonly dryRun: boolean;
  /** The gate's trace and its parent span, fixed when the gate first opened, so a restart keeps one trace per gate. */
  readonly traceId: string;
  readonly spanId: string;
  readonly openedAtMs: number;
  /** Evaluations already made (a resumed gate). */
  readonly evaluations: number;
  /** The gate is kept in a store and outlives this process: do not end its span at shutdown. */
  readonly durable: boolean;
}

/** Where decisions go besides the runner's own state: the decision spans, logs and metrics. */
export interface DecisionSink {
  gateOpened(gate: GateOpened): void;
  /** Must return at once: export happens off the evaluation path. */
  recordEvaluation(decision: GateDecision, durationMs: number): void;
  gateClosed(gateId: string, final: GateDecision | undefined): void;
}

export type GateStatus = 'open' | 'decided' | 'closed' | 'aborted';

export interface GateState {
  readonly spec: GateSpec;
  /** The spec as submitted (YAML or JSON document), for reading back. */
  readonly document: unknown;
  readonly source: GateSource;
  /** The gate store's number for this opening of the gate id (0 without a store). */
  readonly run: number;
  readonly openedAtMs: number;
  readonly traceId: string;
  readonly spanId: string;
  status: GateStatus;
  evaluations: number;
  latest: GateDecision | undefined;
  /** The decision that ended the gate (window closed, critical failure, or closed by a caller). */
  final: GateDecision | undefined;
  endedAtMs: number | undefined;
}

interface Scheduled extends GateState {
  timer: NodeJS.Timeout | undefined;
  closer: NodeJS.Timeout | undefined;
}

export interface GateRunnerOptions {
  /** Gates, evaluations and decisions are written here before anyone hears of them; without it gates live in memory only. */
  readonly store?: GateStore;
  /** Since when the correlator holds evidence (its start); windows that began earlier cannot pass. */
  readonly evidenceFromMs?: number;
  readonly now?: () => number;
}

export interface OpenOptions {
  readonly source?: GateSource;
  readonly document?: unknown;
}

/** Gates that ended are kept in memory for reads this long (the store keeps them for its retention). */
const MAX_ENDED_IN_MEMORY = 10_000;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * Keeps the open gates and evaluates each on its interval. An evaluation asks the correlator for the
 * current and the baseline evidence (a merge of buckets: no raw data is rescanned, so many gates stay
 * cheap), applies the rules and decides, all synchronously; the decision is written to the store
 * first, then handed to the sink, whose export runs in the background, so a slow exporter never delays
 * a decision and a decision anyone has heard of survives a crash.
 */
export class GateRunner {
  private readonly gates = new Map<string, Scheduled>();
  private readonly store: GateStore | undefined;
  private readonly evidenceFromMs: number | undefined;
  private readonly now: () => number;

  constructor(
    private readonly correlator: Correlator,
    private readonly sink: DecisionSink | undefined,
    private readonly logger: Logger,
    options: GateRunnerOptions | (() => number) = {},
  ) {
    const o: GateRunnerOptions = typeof options === 'function' ? { now: options } : options;
    this.store = o.store;
    this.evidenceFromMs = o.evidenceFromMs;
    this.now = o.now ?? Date.now;
  }

  open(spec: GateSpec, options: OpenOptions = {}): GateState {
    const existing = this.gates.get(spec.id);
    if (existing && existing.status === 'open') throw new CorrgateError(ERR_GATE_EXISTS, `gate ${spec.id} is already open`);
    const openedAtMs = this.now();
    const identity = { traceId: hex(16), spanId: hex(8) };
    const source = options.source ?? 'api';
    const document = options.document ?? null;
    let run = 0;
    if (this.store) {
      try {
        run = this.store.insertGate({ id: spec.id, source, spec, document, openedAtMs, ...identity });
      } catch (err) {
        // Another run of this id is open in the store but not here: it was opened by an earlier process and not resumed.
        if (err instanceof CorrgateError && err.code === ERR_GATE_STORE_CONFLICT) throw new CorrgateError(ERR_GATE_EXISTS, `gate ${spec.id} is already open`);
        throw err;
      }
    }
    const state: Scheduled = {
      spec,
      document,
      source,
      run,
      openedAtMs,
      ...identity,
      status: 'open',
      evaluations: 0,
      latest: undefined,
      final: undefined,
      endedAtMs: undefined,
      timer: undefined,
      closer: undefined,
    };
    this.schedule(state);
    return state;
  }

  /**
   * Takes up the gates the store holds open (after a restart), with their evaluation count, latest
   * decision and trace, and schedules them; a window that closed while corrgate was down is decided at
   * once. Returns how many were resumed.
   */
  resume(): number {
    if (!this.store) return 0;
    let resumed = 0;
    for (const stored of this.store.openGates()) {
      if (this.gates.get(stored.id)?.status === 'open') continue;
      this.schedule(stateOf(stored));
      resumed++;
    }
    return resumed;
  }

  get(id: string): GateState | undefined {
    return this.gates.get(id);
  }

  list(): GateState[] {
    return [...this.gates.values()];
  }

  /** Evaluates a gate now (an open one; a decided gate answers with its final decision, an aborted one with its latest). */
  evaluateNow(id: string): GateDecision {
    const state = this.require(id);
    if (state.status !== 'open') return this.ended(state);
    return this.evaluate(state, false);
  }

  /** Closes an open window now and decides on what it holds. */
  close(id: string): GateDecision {
    const state = this.require(id);
    if (state.status !== 'open') return this.ended(state);
    return this.evaluate(state, true);
  }

  private ended(state: Scheduled): GateDecision {
    const decision = state.final ?? state.latest;
    if (decision === undefined) throw new CorrgateError(ERR_GATE_ENDED, `gate ${state.spec.id} was ${state.status} before any evaluation`);
    return decision;
  }

  /** Stops a gate without a decision (the rollout was abandoned). */
  abort(id: string): GateState {
    const state = this.require(id);
    if (state.status === 'open') {
      const endedAtMs = this.now();
      this.store?.endGate(state.run, 'aborted', endedAtMs);
      this.stop(state, 'aborted', endedAtMs);
      this.sink?.gateClosed(id, undefined);
    }
    return state;
  }

  /** Stops every timer; open gates stay open in the store, which resumes them at the next start. */
  shutdown(): void {
    for (const state of this.gates.values()) {
      if (state.timer) clearInterval(state.timer);
      if (state.closer) clearTimeout(state.closer);
      state.timer = undefined;
      state.closer = undefined;
    }
  }

  private schedule(state: Scheduled): void {
    const { spec } = state;
    this.gates.set(spec.id, state);
    this.forgetOldest();
    this.sink?.gateOpened({
      id: spec.id,
      scope: spec.scope,
      windowStartMs: spec.window.startMs,
      ...(spec.window.endMs !== undefined ? { windowEndMs: spec.window.endMs } : {}),
      baselineKind: spec.baseline.kind,
      dryRun: spec.dry_run,
      traceId: state.traceId,
      spanId: state.spanId,
      openedAtMs: state.openedAtMs,
      evaluations: state.evaluations,
      durable: this.store !== undefined,
    });
    state.timer = setInterval(() => this.tick(state), spec.interval);
    state.timer.unref();
    // The decision is due when the window closes, not at the next interval after it.
    if (spec.window.endMs !== undefined) {
      state.closer = setTimeout(() => this.tick(state), Math.max(0, spec.window.endMs - this.now()) + 5);
      state.closer.unref();
    }
  }

  private forgetOldest(): void {
    if (this.gates.size <= MAX_ENDED_IN_MEMORY) return;
    for (const [id, state] of this.gates) {
      if (state.status !== 'open') {
        this.gates.delete(id);
        if (this.gates.size <= MAX_ENDED_IN_MEMORY) return;
      }
    }
  }

  private require(id: string): Scheduled {
    const state = this.gates.get(id);
    if (!state) throw new CorrgateError(ERR_GATE_NOT_FOUND, `no gate ${id}`);
    return state;
  }

  private tick(state: Scheduled): void {
    if (state.status !== 'open') return;
    try {
      this.evaluate(state, false);
    } catch (err) {
      this.logger.error({ err, gate: state.spec.id }, 'gate evaluation failed');
    }
  }

  private baseline(state: Scheduled, window: { startMs: number; endMs: number }): { evidence: Evidence | undefined; description?: GateDecision['baseline'] } {
    const { spec } = state;
    if (spec.baseline.kind !== 'previous_decision') {
      const query = baselineOf(spec, window);
      return { evidence: query ? this.correlator.query(query) : undefined };
    }
    const passed = this.store?.lastPassed(scopeKeyOf(spec), state.run);
    const scope = scopeSelectorOf(spec);
    if (!passed) return { evidence: undefined, description: { kind: 'previous_decision', window: undefined, scope } };
    return {
      evidence: evidenceFromSnapshot(passed.snapshot),
      description: {
        kind: 'previous_decision',
        window: { startMs: passed.snapshot.window.startMs, endMs: passed.snapshot.window.endMs },
        scope,
        from: { gateId: passed.gateId, run: passed.run, decidedAtMs: passed.evaluatedAtMs },
      },
    };
  }

  private evaluate(state: Scheduled, closing: boolean): GateDecision {
    const started = process.hrtime.bigint();
    const { spec } = state;
    const nowMs = this.now();
    const endMs = spec.window.endMs;
    const windowOpen = !closing && (endMs === undefined || nowMs < endMs);
    const queryEnd = endMs === undefined ? nowMs : Math.min(nowMs, endMs);
    const window = { startMs: spec.window.startMs, endMs: Math.max(queryEnd, spec.window.startMs + 1) };
    const current: Evidence = this.correlator.query({ scope: scopeSelectorOf(spec), ...window });
    const baseline = this.baseline(state, window);
    const results = spec.rules.map((rule) => evaluateRule(rule, current, baseline.evidence, { minSamples: spec.min_samples }));
    const evaluation = state.evaluations + 1;
    const decision = decide(spec, results, {
      windowOpen,
      current,
      baseline: baseline.evidence,
      evaluation,
      nowMs,
      ...(baseline.description !== undefined ? { baselineDescription: baseline.description } : {}),
      ...(this.evidenceFromMs !== undefined ? { evidenceFromMs: this.evidenceFromMs } : {}),
    });
    const status: GateStatus = closing ? 'closed' : 'decided';
    // Durable first: if this write fails, nobody hears of the decision and the gate stays as it was.
    if (this.store) {
      // A passed window is what a later previous_decision baseline of the same scope compares with.
      this.store.recordEvaluation(state.run, decision, {
        ...(decision.final && decision.decision === 'PASS' ? { snapshot: snapshotEvidence(current) } : {}),
        ...(decision.final ? { end: { status, endedAtMs: nowMs } } : {}),
      });
    }
    state.evaluations = evaluation;
    state.latest = decision;
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    this.sink?.recordEvaluation(decision, durationMs);
    if (decision.final) {
      state.final = decision;
      this.stop(state, status, nowMs);
      this.sink?.gateClosed(spec.id, decision);
    }
    return decision;
  }

  private stop(state: Scheduled, status: GateStatus, endedAtMs: number): void {
    state.status = status;
    state.endedAtMs = endedAtMs;
    if (state.timer) clearInterval(state.timer);
    if (state.closer) clearTimeout(state.closer);
    state.timer = undefined;
    state.closer = undefined;
  }
}

function stateOf(stored: StoredGate): Scheduled {
  return {
    spec: stored.spec,
    document: stored.document,
    source: stored.source,
    run: stored.run,
    openedAtMs: stored.openedAtMs,
    traceId: stored.traceId,
    spanId: stored.spanId,
    status: 'open',
    evaluations: stored.evaluations,
    latest: stored.latest,
    final: undefined,
    endedAtMs: undefined,
    timer: undefined,
    closer: undefined,
  };
}
