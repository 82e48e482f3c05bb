import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GateRunner } from '../../src/gates/gate-runner.js';
import type { DecisionSink, GateOpened } from '../../src/gates/gate-runner.js';
import type { GateDecision } from '../../src/gates/gate-types.js';
import { GateStore } from '../../src/gates/store/gate-store.js';
import { fromStoredJson, toStoredJson } from '../../src/gates/store/stored-json.js';
import { RecordingSink, correlator, silentLogger as logger, spec, traffic } from '../helpers/gate-fixtures.js';

const dirs: string[] = [];
const stores: GateStore[] = [];

function storeIn(directory: string, retentionMs = 3_600_000, maxEvaluationsPerGate = 100): GateStore {
  const store = GateStore.open({ directory, synchronous: 'full', retentionMs, maxEvaluationsPerGate });
  stores.push(store);
  return store;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'corrgate-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const openEnded = (id = 'checkout-canary') => spec({ id, window: { start: 'now', until_closed: true } });

describe('stored JSON', () => {
  it('keeps the numbers JSON has no text for (infinite bounds, NaN) and everything else as is', () => {
    const value = { max: Infinity, min: -Infinity, nan: NaN, list: [1, 'a', null, { deep: Infinity }] };
    const back = fromStoredJson<typeof value>(toStoredJson(value));
    expect(back.max).toBe(Infinity);
    expect(back.min).toBe(-Infinity);
    expect(Number.isNaN(back.nan)).toBe(true);
    expect(back.list).toEqual([1, 'a', null, { deep: Infinity }]);
  });
});

describe('GateStore', () => {
  it('refuses a second process on the same directory, naming the file', () => {
    const dir = tempDir();
    storeIn(dir);
    expect(() => storeIn(dir)).toThrow(/gates\.db.*(locked|busy).*another corrgate/s);
  });

  it('keeps one open run per gate id; a new run of a decided id gets its own number and history', () => {
    const store = storeIn(tempDir());
    const c = correlator();
    const runner = new GateRunner(c, undefined, logger, { store });
    const first = runner.open(openEnded());
    runner.close('checkout-canary');
    const second = runner.open(openEnded());
    expect(second.run).toBeGreaterThan(first.run);
    expect(store.gate('checkout-canary')!.run).toBe(second.run);
    expect(store.gate('checkout-canary', first.run)!.status).toBe('closed');
    expect(store.gates({ limit: 10 }).map((g) => [g.id, g.run])).toEqual([['checkout-canary', second.run]]);
    // A run open in the store that this runner did not take up (another process's) is refused, not doubled.
    const other = new GateRunner(c, undefined, logger, { store });
    expect(() => other.open(openEnded())).toThrow(/already open/);
    runner.shutdown();
  });

  it('prunes ended runs past retention and surplus evaluations, keeping open runs and final decisions', () => {
    const store = storeIn(tempDir(), 60_000, 2);
    let now = Date.now();
    const runner = new GateRunner(correlator(), undefined, logger, { store, now: () => now });
    runner.open(openEnded('old'));
    for (let i = 0; i < 4; i++) runner.evaluateNow('old');
    runner.close('old');
    runner.open(openEnded('still-open'));
    for (let i = 0; i < 4; i++) runner.evaluateNow('still-open');
    expect(store.evaluations(store.gate('old')!.run, 100)).toHaveLength(5);
    const surplus = store.prune(now);
    expect(surplus).toEqual({ runs: 0, evaluations: 3 + 2 });
    const kept = store.evaluations(store.gate('old')!.run, 100);
    expect(kept.map((e) => e.evaluation)).toEqual([5, 4]);
    expect(kept[0]!.final).toBe(true);
    now += 61_000;
    expect(store.prune(now).runs).toBe(1);
    expect(store.gate('old')).toBeUndefined();
    expect(store.gate('still-open')!.status).toBe('open');
    runner.shutdown();
  });
});

/** Reads the store at the moment the sink hears of a decision: a decision anyone hears of is already durable. */
class CheckingSink implements DecisionSink {
  readonly seen: { evaluation: number; stored: boolean }[] = [];
  readonly openings: GateOpened[] = [];
  constructor(private readonly store: GateStore) {}
  gateOpened(g: GateOpened): void {
    this.openings.push(g);
  }
  recordEvaluation(d: GateDecision): void {
    const run = this.store.gate(d.gateId)!.run;
    this.seen.push({ evaluation: d.evaluation, stored: this.store.evaluations(run, 1)[0]?.evaluation === d.evaluation });
  }
  gateClosed(): void {}
}

describe('GateRunner with a store', () => {
  it('writes every evaluation before the sink hears of it, and resumes open gates after a restart with their trace and count', () => {
    const dir = tempDir();
    const c = correlator();
    traffic(c, '1.0.0', 200, 2, 10);
    traffic(c, '2.0.0', 200, 2, 10);
    const store = storeIn(dir);
    const sink = new CheckingSink(store);
    const runner = new GateRunner(c, sink, logger, { store });
    const opened = runner.open(openEnded(), { source: 'api', document: { id: 'checkout-canary', note: 'as submitted' } });
    runner.evaluateNow('checkout-canary');
    runner.evaluateNow('checkout-canary');
    expect(sink.seen).toEqual([
      { evaluation: 1, stored: true },
      { evaluation: 2, stored: true },
    ]);
    expect(sink.openings[0]).toMatchObject({ traceId: opened.traceId, spanId: opened.spanId, durable: true, evaluations: 0 });
    runner.shutdown();
    stores.pop()!.close();

    // The next process: same directory, a new runner.
    const reopened = storeIn(dir);
    const sink2 = new RecordingSink();
    const resumedRunner = new GateRunner(c, sink2, logger, { store: reopened });
    expect(resumedRunner.resume()).toBe(1);
    const state = resumedRunner.get('checkout-canary')!;
    expect(state).toMatchObject({ status: 'open', evaluations: 2, traceId: opened.traceId, spanId: opened.spanId, run: opened.run, source: 'api' });
    expect(state.document).toEqual({ id: 'checkout-canary', note: 'as submitted' });
    expect(state.latest!.evaluation).toBe(2);
    expect(sink2.openings[0]).toMatchObject({ traceId: opened.traceId, evaluations: 2, durable: true });
    expect(resumedRunner.evaluateNow('checkout-canary').evaluation).toBe(3);
    const final = resumedRunner.close('checkout-canary');
    expect(reopened.gate('checkout-canary')).toMatchObject({ status: 'closed', evaluations: 4 });
    expect(reopened.gate('checkout-canary')!.final!.decision).toBe(final.decision);
    expect(resumedRunner.resume()).toBe(0);
    resumedRunner.shutdown();
  });

  it('compares a previous_decision gate with the window of the last gate of the same scope that passed', () => {
    const store = storeIn(tempDir());
    const c = correlator();
    const runner = new GateRunner(c, undefined, logger, { store });
    const previous = { baseline: { kind: 'previous_decision' }, min_samples: 50, rules: [{ name: 'errors', measure: 'two_proportion', confidence: 0.95, min_difference: 0.01 }] };
    // No earlier pass of this scope: nothing to compare with.
    runner.open(spec({ id: 'first', ...previous, window: { start: 'now', until_closed: true } }));
    const first = runner.close('first');
    expect(first.rules[0]!.outcome).toBe('nodata');
    expect(first.baseline).toMatchObject({ kind: 'previous_decision' });
    expect(first.baseline.from).toBeUndefined();

    // A clean rollout of 2.0.0 passes and leaves its window behind.
    traffic(c, '2.0.0', 400, 4, 10);
    runner.open(spec({ id: 'clean', scope: { services: ['checkout'], versions: ['2.0.0'] }, baseline: { kind: 'none' }, rules: [{ name: 'ceiling', measure: 'error_ratio', threshold: { max: 0.05 } }], window: { start: 'now', until_closed: true } }));
    const clean = runner.close('clean');
    expect(clean.decision).toBe('PASS');

    // The next gate of the same scope with far more errors fails against that window.
    const c2 = correlator();
    traffic(c2, '2.0.0', 400, 80, 10);
    const next = new GateRunner(c2, undefined, logger, { store });
    next.open(spec({ id: 'next', scope: { services: ['checkout'], versions: ['2.0.0'] }, ...previous, window: { start: 'now', until_closed: true } }));
    const decided = next.close('next');
    expect(decided.baseline.from).toMatchObject({ gateId: 'clean', run: store.gate('clean')!.run });
    expect(decided.rules[0]!.samples.baseline).toBe(400);
    expect(decided.decision).toBe('FAIL');
    expect(store.decisions({ service: 'checkout', decision: 'FAIL', limit: 10 }).map((d) => d.gateId)).toEqual(['next']);
    expect(store.decisions({ service: 'payments', limit: 10 })).toEqual([]);
    runner.shutdown();
    next.shutdown();
  });
});
