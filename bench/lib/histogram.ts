/**
 * Latency histograms with 0.01 ms buckets, sparse (a Map from bucket to count), so load
 * processes can send millions of samples to the bench process as a few thousand pairs.
 */
export type Histogram = Map<number, number>;

const PER_MS = 100;

export const HISTOGRAM = {
  add(histogram: Histogram, ms: number): void {
    const bucket = Math.round(ms * PER_MS);
    histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
  },

  merge(into: Histogram, pairs: Iterable<[number, number]>): void {
    for (const [bucket, count] of pairs) into.set(bucket, (into.get(bucket) ?? 0) + count);
  },

  count(histogram: Histogram): number {
    let total = 0;
    for (const count of histogram.values()) total += count;
    return total;
  },

  /** The p-th percentile (0–1) in ms, as `percentile` in load.ts picks it; 0 when empty. */
  percentile(histogram: Histogram, p: number): number {
    const total = HISTOGRAM.count(histogram);
    if (total === 0) return 0;
    const rank = Math.min(total - 1, Math.floor(total * p));
    let seen = 0;
    for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
      seen += histogram.get(bucket) as number;
      if (seen > rank) return bucket / PER_MS;
    }
    return 0;
  },
};
