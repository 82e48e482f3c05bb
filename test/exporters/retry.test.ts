import { describe, expect, it } from 'vitest';
import { ERR_EXPORT_GAVE_UP, TransientExportError } from '../../src/exporters/export-errors.js';
import { jitter, retryConfigSchema, retrySend, type RetryConfig } from '../../src/exporters/retry.js';
import { PermanentError, RetryableError } from '../../src/pipeline/errors.js';

const fast: RetryConfig = retryConfigSchema.parse({
  initial_interval: '1ms',
  max_interval: '2ms',
  randomization_factor: 0,
  max_elapsed_time: '10s',
});

function hooks(signal: AbortSignal = new AbortController().signal) {
  const h = { signal, retries: 0, onRetry: () => void h.retries++ };
  return h;
}

describe('retryConfigSchema', () => {
  it('yields the Collector defaults from an empty section', () => {
    expect(retryConfigSchema.parse({})).toEqual({
      enabled: true,
      initial_interval: 5_000,
      randomization_factor: 0.5,
      multiplier: 1.5,
      max_interval: 30_000,
      max_elapsed_time: 300_000,
    });
  });

  it('rejects unknown keys and bad durations', () => {
    expect(retryConfigSchema.safeParse({ initial_intervall: '1s' }).success).toBe(false);
    expect(retryConfigSchema.safeParse({ max_interval: '30' }).success).toBe(false);
  });
});

describe('jitter', () => {
  it('stays within interval * (1 ± factor)', () => {
    expect(jitter(1_000, 0.5, () => 0)).toBe(500);
    expect(jitter(1_000, 0.5, () => 0.999999)).toBeCloseTo(1_500, 2);
    expect(jitter(1_000, 0, Math.random)).toBe(1_000);
  });
});

describe('retrySend', () => {
  it('retries retryable failures until the attempt succeeds', async () => {
    const h = hooks();
    let calls = 0;
    const result = await retrySend(
      async () => {
        calls++;
        if (calls < 3) throw new TransientExportError('unavailable', undefined);
        return 'ok';
      },
      fast,
      h,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(h.retries).toBe(2);
  });

  it('does not retry a permanent failure', async () => {
    const h = hooks();
    let calls = 0;
    const failure = new PermanentError('X', 'bad request');
    await expect(
      retrySend(
        async () => {
          calls++;
          throw failure;
        },
        fast,
        h,
      ),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
    expect(h.retries).toBe(0);
  });

  it('makes a single attempt when disabled', async () => {
    const h = hooks();
    let calls = 0;
    await expect(
      retrySend(
        async () => {
          calls++;
          throw new TransientExportError('unavailable', undefined);
        },
        { ...fast, enabled: false },
        h,
      ),
    ).rejects.toBeInstanceOf(RetryableError);
    expect(calls).toBe(1);
  });

  it('gives up when the next wait would pass max_elapsed_time, naming attempts and reason', async () => {
    const h = hooks();
    let calls = 0;
    const err = await retrySend(
      async () => {
        calls++;
        // The server asks for more time than the budget left: no second attempt is made.
        throw new TransientExportError('throttled', 60_000);
      },
      { ...fast, max_elapsed_time: 1_000 },
      h,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).code).toBe(ERR_EXPORT_GAVE_UP);
    expect((err as Error).message).toMatch(/after 1 attempt: throttled/);
    expect(calls).toBe(1);
  });

  it('waits the delay the server asked for instead of the backoff', async () => {
    const h = hooks();
    let calls = 0;
    // A 1h backoff would hang the test; the server's 0 ms hint must replace it.
    const slow: RetryConfig = { ...fast, initial_interval: 3_600_000, max_interval: 3_600_000 };
    await retrySend(
      async () => {
        calls++;
        if (calls === 1) throw new TransientExportError('busy', 0);
        return undefined;
      },
      slow,
      h,
    );
    expect(calls).toBe(2);
  });

  it('stops waiting and gives up when the signal aborts', async () => {
    const abort = new AbortController();
    const h = hooks(abort.signal);
    const slow: RetryConfig = { ...fast, initial_interval: 3_600_000, max_interval: 3_600_000, max_elapsed_time: 0 };
    const pending = retrySend(
      async () => {
        throw new TransientExportError('unavailable', undefined);
      },
      slow,
      h,
    );
    await new Promise((r) => setImmediate(r));
    abort.abort();
    await expect(pending).rejects.toThrow(/shutdown deadline reached after 1 attempt: unavailable/);
    expect(h.retries).toBe(1);
  });
});
