import type { Logger } from 'pino';
import type { Correlator, Evidence } from '../correlator/correlator.js';
import { CorrgateError } from '../pipeline/errors.js';
import { decide } from './decide.js';
import type { GateSpec } from './gate-spec.js';
import { baselineOf, scopeSelectorOf } from './gate-spec.js';
import type { GateDecision } from './gate-types.js';
import { evaluateRule } from './rules/evaluate-rule.js';

export const ERR_GATE_EXISTS = 'CORRGATE_ERR_GATE_EXISTS';
export const ERR_GATE_NOT_FOUND = 'CORRGATE_ERR_GATE_NOT_FOUND';

/** Where decisions go besides the runner's own state: the decision spans, logs and metrics. */
export interface DecisionSink {
  gateOpened(gate: { id: string; scope: object; windowStartMs: number; windowEndMs?: number; baselineKind: string; dryRun: boolean }): void;
  /** Must return at once: export happens off the evaluation path. */
  recordEvaluation(decision: GateDecision, durationMs: number): void;
  gateClosed(gateId: string, final: GateDecision | undefined): void;
}

export type GateStatus = 'open' | 'decided' | 'closed' | 'aborted';

export interface GateState {
  readonly spec: GateSpec;
  readonly openedAtMs: number;
  status: GateStatus;
  evaluations: number;
  latest: GateDecision | undefined;
  /** The decision that ended the gate (window closed, critical failure, or closed by a caller). */
  final: GateDecision | undefined;
}

interface Scheduled extends GateState {
  timer: NodeJS.Timeout | undefined;
  closer: NodeJS.Timeout | undefined;
}

/**
 * Keeps the open gates and evaluates each on its interval. An evaluation asks the correlator for the
 * current and the baseline evidence (a merge of buckets: no raw data is rescanned, so many gates stay
 * cheap), applies the rules and decides, all synchronously; the decision is handed to the sink,
 * whose export runs in the background, so a slow exporter never delays a decision.
 */
export class GateRunner {
  private readonly gates = new Map<string, Scheduled>();

  constructor(
    private readonly correlator: Correlator,
    private readonly sink: DecisionSink | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  open(spec: GateSpec): GateState {
    const existing = this.gates.get(spec.id);
    if (existing && existing.status === 'open') throw new CorrgateError(ERR_GATE_EXISTS, `gate ${spec.id} is already open`);
    const state: Scheduled = { spec, openedAtMs: this.now(), status: 'open', evaluations: 0, latest: undefined, final: undefined, timer: undefined, closer: undefined };
    this.gates.set(spec.id, state);
    this.sink?.gateOpened({
      id: spec.id,
      scope: spec.scope,
      windowStartMs: spec.window.startMs,
      ...(spec.window.endMs !== undefined ? { windowEndMs: spec.window.endMs } : {}),
      baselineKind: spec.baseline.kind,
      dryRun: spec.dry_run,
    });
    state.timer = setInterval(() => this.tick(state), spec.interval);
    state.timer.unref();
    // The decision is due when the window closes, not at the next interval after it.
    if (spec.window.endMs !== undefined) {
      state.closer = setTimeout(() => this.tick(state), Math.max(0, spec.window.endMs - this.now()) + 5);
      state.closer.unref();
    }
    return state;
  }

  get(id: string): GateState | undefined {
    return this.gates.get(id);
  }

  list(): GateState[] {
    return [...this.gates.values()];
  }

  /** Evaluates a gate now (an open one; a decided gate answers with its final decision). */
  evaluateNow(id: string): GateDecision {
    const state = this.require(id);
    if (state.status !== 'open') return (state.final ?? state.latest)!;
    return this.evaluate(state, false);
  }

  /** Closes an open window now and decides on what it holds. */
  close(id: string): GateDecision {
    const state = this.require(id);
    if (state.status !== 'open') return (state.final ?? state.latest)!;
    return this.evaluate(state, true);
  }

  /** Stops a gate without a decision (the rollout was abandoned). */
  abort(id: string): GateState {
    const state = this.require(id);
    if (state.status === 'open') {
      this.stop(state, 'aborted');
      this.sink?.gateClosed(id, undefined);
    }
    return state;
  }

  /** Stops every timer; open gates stay open in state (a durable store resumes them). */
  shutdown(): void {
    for (const state of this.gates.values()) {
      if (state.timer) clearInterval(state.timer);
      if (state.closer) clearTimeout(state.closer);
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

  private evaluate(state: Scheduled, closing: boolean): GateDecision {
    const started = process.hrtime.bigint();
    const { spec } = state;
    const nowMs = this.now();
    const endMs = spec.window.endMs;
    const windowOpen = !closing && (endMs === undefined || nowMs < endMs);
    const queryEnd = endMs === undefined ? nowMs : Math.min(nowMs, endMs);
    const scope = scopeSelectorOf(spec);
    const current: Evidence = this.correlator.query({ scope, startMs: spec.window.startMs, endMs: Math.max(queryEnd, spec.window.startMs + 1) });
    const baselineQuery = baselineOf(spec, { startMs: spec.window.startMs, endMs: Math.max(queryEnd, spec.window.startMs + 1) });
    const baseline = baselineQuery ? this.correlator.query(baselineQuery) : undefined;
    const results = spec.rules.map((rule) => evaluateRule(rule, current, baseline, { minSamples: spec.min_samples }));
    state.evaluations++;
    const decision = decide(spec, results, { windowOpen, current, baseline, evaluation: state.evaluations, nowMs });
    state.latest = decision;
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    this.sink?.recordEvaluation(decision, durationMs);
    if (decision.final) {
      state.final = decision;
      this.stop(state, closing ? 'closed' : 'decided');
      this.sink?.gateClosed(spec.id, decision);
    }
    return decision;
  }

  private stop(state: Scheduled, status: GateStatus): void {
    state.status = status;
    if (state.timer) clearInterval(state.timer);
    if (state.closer) clearTimeout(state.closer);
    state.timer = undefined;
    state.closer = undefined;
  }
}
