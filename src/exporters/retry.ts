import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { RetryableError } from '../pipeline/errors.js';
import { ERR_EXPORT_GAVE_UP, TransientExportError } from './export-errors.js';

// Exponential backoff with jitter, with the Collector's retry_on_failure keys and defaults so that a
// Collector exporter config carries over. Jitter spreads the retries of many exporters that failed
// together (a collector restarting) so they do not come back in lockstep.

export const retryConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Retry batches that failed for a reason that may pass (destination unavailable, throttled, network error).'),
  initial_interval: durationSchema.default(5_000).describe('Wait before the first retry (default "5s").'),
  randomization_factor: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('Each wait is drawn uniformly from interval * (1 ± randomization_factor) (default 0.5).'),
  multiplier: z.number().min(1).default(1.5).describe('Factor by which the wait grows after each retry (default 1.5).'),
  max_interval: durationSchema.default(30_000).describe('Upper bound of the grown interval (default "30s").'),
  max_elapsed_time: durationSchema
    .default(300_000)
    .describe('Give up on a batch this long after its first attempt (default "300s"); "0s" retries until shutdown.'),
});

export type RetryConfig = z.output<typeof retryConfigSchema>;

export interface RetryHooks {
  /** Aborted at the shutdown deadline: the current wait ends and the batch is given up on. */
  readonly signal: AbortSignal;
  /** Called once per retry, before its wait, for the retries counter. */
  onRetry(): void;
}

/** A wait drawn from interval * (1 ± factor); `random` is injectable so that tests can pin it. */
export function jitter(intervalMs: number, factor: number, random: () => number = Math.random): number {
  const delta = intervalMs * factor;
  return intervalMs - delta + random() * 2 * delta;
}

/**
 * Runs `attempt` until it succeeds, fails for good or time runs out. Only a RetryableError is
 * retried; anything else is rethrown at once. Giving up on a retryable failure throws a
 * RetryableError (ERR_EXPORT_GAVE_UP) whose message names the attempts and the last reason.
 */
export async function retrySend<T>(attempt: () => Promise<T>, config: RetryConfig, hooks: RetryHooks): Promise<T> {
  const started = performance.now();
  let interval = config.initial_interval;
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RetryableError) || !config.enabled) throw err;
      if (hooks.signal.aborted) throw giveUp(err, attempts, 'shutdown deadline reached');
      const hinted = err instanceof TransientExportError ? err.serverDelayMs : undefined;
      const delay = hinted ?? jitter(interval, config.randomization_factor);
      interval = Math.min(interval * config.multiplier, config.max_interval);
      const elapsed = performance.now() - started;
      if (config.max_elapsed_time > 0 && elapsed + delay > config.max_elapsed_time) {
        throw giveUp(err, attempts, `no more retries within max_elapsed_time ${config.max_elapsed_time}ms`);
      }
      hooks.onRetry();
      try {
        await sleep(delay, undefined, { signal: hooks.signal });
      } catch {
        throw giveUp(err, attempts, 'shutdown deadline reached');
      }
    }
  }
}

function giveUp(last: RetryableError, attempts: number, why: string): RetryableError {
  const plural = attempts === 1 ? 'attempt' : 'attempts';
  return new RetryableError(ERR_EXPORT_GAVE_UP, `${why} after ${attempts} ${plural}: ${last.message}`, last.retryAfterMs, { cause: last });
}
