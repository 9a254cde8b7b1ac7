/** Percentile summary of a sample, in the sample's unit. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/** Summarises samples with nearest-rank percentiles. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return { n: sorted.length, p50: rank(50), p95: rank(95), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, mean };
}

/** Rounds for reports: 3 significant decimals below 10, 1 above. */
export function round(value: number): number {
  return Math.abs(value) < 10 ? Math.round(value * 1000) / 1000 : Math.round(value * 10) / 10;
}

/** A summary with every field rounded. */
export function rounded(s: Summary): Summary {
  return { n: s.n, p50: round(s.p50), p95: round(s.p95), min: round(s.min), max: round(s.max), mean: round(s.mean) };
}
