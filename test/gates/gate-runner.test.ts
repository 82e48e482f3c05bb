import { describe, expect, it } from 'vitest';
import { GateRunner } from '../../src/gates/gate-runner.js';
import { RecordingSink, correlator, silentLogger as logger, spec, traffic } from '../helpers/gate-fixtures.js';
import { waitFor } from '../helpers/net.js';

describe('GateRunner', () => {
  it('reports RUNNING while the window is open and decides PASS when it closes, then stops', async () => {
    const c = correlator();
    const sink = new RecordingSink();
    const runner = new GateRunner(c, sink, logger);
    traffic(c, '1.0.0', 400, 8, 10);
    traffic(c, '2.0.0', 400, 8, 10);
    const s = spec({ window: { start: 'now', duration: '2s' } });
    runner.open(s);
    await waitFor('a running evaluation', () => sink.decisions.length > 0);
    expect(sink.decisions[0]!.decision).toBe('RUNNING');
    await waitFor('the final decision', () => sink.closed.length === 1);
    const final = sink.closed[0]!.final!;
    expect(final.decision).toBe('PASS');
    expect(final.final).toBe(true);
    expect(final.score).toBe(100);
    expect(runner.get('checkout-canary')!.status).toBe('decided');
    const count = sink.decisions.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.decisions.length).toBe(count);
    expect(sink.opened).toEqual(['checkout-canary']);
  });

  it('fails fast on a critical rule, while the window is still open', () => {
    const c = correlator();
    const sink = new RecordingSink();
    const runner = new GateRunner(c, sink, logger);
    traffic(c, '1.0.0', 400, 4, 10);
    traffic(c, '2.0.0', 400, 160, 10);
    runner.open(spec({ window: { start: 'now', duration: '1h' } }));
    const d = runner.evaluateNow('checkout-canary');
    expect(d.decision).toBe('FAIL');
    expect(d.final).toBe(true);
    expect(d.reason).toContain('ceiling');
    expect(d.evidence.errorTraces.length).toBeGreaterThan(0);
    expect(runner.get('checkout-canary')!.status).toBe('decided');
    expect(sink.closed.map((x) => x.final?.decision)).toEqual(['FAIL']);
    runner.shutdown();
  });

  it('gives INCONCLUSIVE, never PASS, without traffic; close() decides an open-ended gate; abort() ends one without a decision', () => {
    const c = correlator();
    const sink = new RecordingSink();
    const runner = new GateRunner(c, sink, logger);
    runner.open(spec({ window: { start: 'now', until_closed: true } }));
    expect(runner.evaluateNow('checkout-canary').decision).toBe('RUNNING');
    const closed = runner.close('checkout-canary');
    expect(closed.decision).toBe('INCONCLUSIVE');
    expect(runner.get('checkout-canary')!.status).toBe('closed');
    runner.open(spec({ id: 'other', window: { start: 'now', until_closed: true } }));
    expect(runner.abort('other').status).toBe('aborted');
    expect(sink.closed.map((x) => [x.id, x.final?.decision])).toEqual([
      ['checkout-canary', 'INCONCLUSIVE'],
      ['other', undefined],
    ]);
    expect(() => runner.evaluateNow('missing')).toThrow(/no gate missing/);
    runner.shutdown();
  });

  it('refuses a second open gate with the same id', () => {
    const runner = new GateRunner(correlator(), undefined, logger);
    runner.open(spec({ window: { start: 'now', until_closed: true } }));
    expect(() => runner.open(spec({ window: { start: 'now', until_closed: true } }))).toThrow(/already open/);
    runner.shutdown();
  });
});
