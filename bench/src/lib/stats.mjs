// Robust summaries for a handful of interleaved samples: medians and ranges, never means.

/**
 * The median of a list of numbers (the mean of the middle two for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Median, min and max of a list of samples.
 *
 * @example
 * summarize([3, 1, 2]); // { median: 2, min: 1, max: 3, n: 3 }
 */
export function summarize(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : Number.NaN,
    max: finite.length ? Math.max(...finite) : Number.NaN,
    n: finite.length,
  };
}

/**
 * Per-round ratios of two sample lists measured in the same rounds (paired), summarised.
 * Pairing cancels drift in the machine's speed between rounds.
 *
 * @example
 * pairedRatio([2, 4], [1, 2]); // { median: 2, min: 2, max: 2, n: 2 }
 */
export function pairedRatio(values, reference) {
  const n = Math.min(values.length, reference.length);
  const ratios = [];
  for (let i = 0; i < n; i++) {
    if (reference[i] > 0 && Number.isFinite(values[i])) ratios.push(values[i] / reference[i]);
  }
  return summarize(ratios);
}
