// The standard normal distribution, computed without tables of fitted coefficients: a power series near
// the centre and a continued fraction in the tails. Both are exact identities, so the only error is
// floating-point rounding; that gives ~1e-15 relative accuracy, far inside what the gate rules need
// (~1e-7), and keeps tail p-values (1e-10 and below) meaningful instead of rounding to 0.

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Below this |z| the series converges quickly and its cancellation costs little; above it the continued fraction does. */
const SERIES_LIMIT = 3;

/** Past this |z| the CDF is 0 or 1 in double precision (Phi(-38.5) underflows), and the continued fraction would see Infinity. */
const SATURATION = 40;

const MAX_ITERATIONS = 500;

/** Standard normal density phi(z). */
export function normalDensity(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/**
 * Standard normal CDF Phi(z). NaN for NaN.
 * |z| < 3: Phi(z) = 1/2 + phi(z) * (z + z^3/3 + z^5/(3*5) + ...), a series with terms of one sign.
 * Otherwise the upper tail Q(x) = phi(x) / (x + 1/(x + 2/(x + 3/(x + ...)))) (Laplace's continued
 * fraction), evaluated by the modified Lentz method, so small tail probabilities keep their relative precision.
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z >= SATURATION) return 1;
  if (z <= -SATURATION) return 0;
  const x = Math.abs(z);
  if (x < SERIES_LIMIT) {
    const x2 = z * z;
    let term = z;
    let sum = z;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
    }
    return 0.5 + normalDensity(z) * sum;
  }
  const upper = upperTail(x);
  return z > 0 ? 1 - upper : upper;
}

/** Q(x) = 1 - Phi(x) for x >= SERIES_LIMIT, via the continued fraction above. */
function upperTail(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    d = x + n * d;
    if (d === 0) d = tiny;
    c = x + n / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) <= 1e-16) break;
  }
  return normalDensity(x) / f;
}

// Abramowitz & Stegun 26.2.23: a rational starting point good to 4.5e-4, which Halley's method
// (cubic convergence) then polishes against normalCdf in two or three steps.
const C0 = 2.515517;
const C1 = 0.802853;
const C2 = 0.010328;
const D1 = 1.432788;
const D2 = 0.189269;
const D3 = 0.001308;

/**
 * Standard normal quantile (inverse CDF): the z with Phi(z) = p. -Infinity at 0, +Infinity at 1.
 * Throws RangeError outside [0, 1] or for NaN, because a probability out of range is a caller's bug
 * that a NaN would only hide further down a gate rule.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  // 1 - p is exact for p in [0.5, 1] (Sterbenz), so solving in the lower tail loses nothing.
  return p < 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p);
}

/** The quantile for 0 < p < 0.5 (a negative z). */
function lowerQuantile(p: number): number {
  const t = Math.sqrt(-2 * Math.log(p));
  let z = -(t - (C0 + t * (C1 + t * C2)) / (1 + t * (D1 + t * (D2 + t * D3))));
  for (let step = 0; step < 8; step++) {
    const density = normalDensity(z);
    if (density === 0) break;
    const u = (normalCdf(z) - p) / density;
    const next = z - u / (1 + 0.5 * z * u);
    const moved = Math.abs(next - z);
    z = next;
    if (moved <= 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}
