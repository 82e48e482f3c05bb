import { normalCdf } from './normal-distribution.js';

// Error-ratio rules compare the canary's failure proportion with the baseline's. The pooled standard
// error is the one that matches the null hypothesis p1 = p2, which is what the gate tests.

export interface TwoProportionResult {
  /** x1/n1, the canary's proportion. */
  readonly p1: number;
  /** x2/n2, the baseline's proportion. */
  readonly p2: number;
  /** (x1 + x2)/(n1 + n2), the common proportion under H0. */
  readonly pooled: number;
  /** (p1 - p2) / sqrt(pooled (1 - pooled) (1/n1 + 1/n2)); 0 when that standard error is 0. */
  readonly z: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** One-sided p-value for "canary's proportion greater than baseline's": 1 - Phi(z), so 0.5 when z = 0. */
  readonly pValueGreater: number;
  /** p1 - p2. */
  readonly difference: number;
}

/**
 * Two-proportion z-test with the pooled standard error: x1 failures of n1 canary requests against x2
 * of n2 baseline requests. Counts may be fractional (weighted or sampling-corrected counts).
 * Throws RangeError when n1 or n2 is not > 0, or a count is outside [0, n] or not finite.
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TwoProportionResult {
  check(x1, n1, 'canary');
  check(x2, n2, 'baseline');
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const difference = p1 - p2;
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // No failures anywhere, or nothing but failures: both samples agree exactly, so no evidence of a difference.
  if (standardError === 0) return { p1, p2, pooled, z: 0, pValue: 1, pValueGreater: 0.5, difference };
  const z = difference / standardError;
  return {
    p1,
    p2,
    pooled,
    z,
    pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))),
    pValueGreater: normalCdf(-z),
    difference,
  };
}

function check(x: number, n: number, label: string): void {
  if (!(Number.isFinite(n) && n > 0)) throw new RangeError(`${label} total must be > 0, got ${n}`);
  if (!(Number.isFinite(x) && x >= 0 && x <= n)) throw new RangeError(`${label} count must be in [0, ${n}], got ${x}`);
}
