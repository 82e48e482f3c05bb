// Numbers in thresholds and reasons are read by people deciding whether to roll back: four
// significant digits say enough, and integers stay integers.

/** A number for a reason or threshold text: integers as they are, others to 4 significant digits. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** A p-value: small ones in exponent form so "0.0000" never hides how small. */
export function formatPValue(p: number): string {
  if (p < 1e-4) return p.toExponential(1);
  return String(Number(p.toPrecision(2)));
}

/** A ratio as a percentage: 0.253 -> "25.3%". */
export function formatPercent(ratio: number): string {
  return `${formatNumber(ratio * 100)}%`;
}

/** The text of absolute limits: "<= 0.05", ">= 1", ">= 1 and <= 100". */
export function formatLimits(limits: { readonly min?: number | undefined; readonly max?: number | undefined }): string {
  const parts: string[] = [];
  if (limits.min !== undefined) parts.push(`>= ${formatNumber(limits.min)}`);
  if (limits.max !== undefined) parts.push(`<= ${formatNumber(limits.max)}`);
  return parts.join(' and ');
}
